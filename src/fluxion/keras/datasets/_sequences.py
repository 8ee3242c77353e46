"""Word-index sequence datasets (IMDb, Reuters): ragged storage and Keras's `load_data` steps.

Sequences are kept as one flat token array plus row offsets (sequence i is
`tokens[offsets[i]:offsets[i + 1]]`), so every step below is a NumPy operation instead of a
Python loop over millions of tokens. Only the final result becomes Keras's object array of
Python lists.
"""
import numpy as np


class Ragged:
    """A list of integer sequences stored flat: `tokens` (int64) and `offsets` (length n + 1)."""

    def __init__(self, tokens, offsets):
        self.tokens = np.asarray(tokens, dtype=np.int64)
        self.offsets = np.asarray(offsets, dtype=np.int64)

    @classmethod
    def from_lists(cls, sequences):
        lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        flat = [w for s in sequences for w in s]
        return cls(np.array(flat, dtype=np.int64), offsets)

    def __len__(self):
        return len(self.offsets) - 1

    @property
    def lengths(self):
        return np.diff(self.offsets)

    def take(self, rows):
        """The sequences at `rows` (an index array), in that order."""
        rows = np.asarray(rows, dtype=np.int64)
        lengths = self.lengths[rows]
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        starts = np.repeat(self.offsets[:-1][rows] - offsets[:-1], lengths)
        return Ragged(self.tokens[starts + np.arange(offsets[-1])], offsets)

    def row_ids(self):
        return np.repeat(np.arange(len(self)), self.lengths)

    def keep_tokens(self, mask):
        """Drops the tokens where `mask` is False."""
        counts = np.bincount(self.row_ids()[mask], minlength=len(self))
        return Ragged(self.tokens[mask], np.concatenate([[0], np.cumsum(counts)]))

    def prepend(self, value):
        """Puts `value` at the start of every sequence."""
        tokens = np.insert(self.tokens, self.offsets[:-1], value)
        return Ragged(tokens, self.offsets + np.arange(len(self) + 1))

    def to_object_array(self):
        """A 1-D object array of Python int lists (the type Keras's loaders return)."""
        flat = self.tokens.tolist()
        out = np.empty(len(self), dtype=object)
        bounds = self.offsets.tolist()
        for i in range(len(self)):
            out[i] = flat[bounds[i]:bounds[i + 1]]
        return out


def prepare(dataset, splits, seed, start_char, oov_char, index_from, maxlen, num_words,
            skip_top):
    """Applies Keras's `load_data` steps to raw word ranks, split by split.

    Steps, exactly as Keras: shuffle each split with one `np.random.RandomState(seed)` (in
    order); add `index_from` and put `start_char` in front; drop sequences whose length is not
    below `maxlen`; if `num_words` is falsy, set it to the largest index present (so that
    index itself becomes OOV, a Keras quirk); replace every index outside
    `[skip_top, num_words)` by `oov_char`, or drop it when `oov_char` is None.

    Args:
        splits: a list of `(Ragged, labels)` pairs of raw ranks (1 = the most frequent word).

    Returns:
        A list of `(Ragged, labels)` pairs.
    """
    rng = np.random.RandomState(seed)
    shuffled = []
    for seqs, labels in splits:
        order = np.arange(len(seqs))
        rng.shuffle(order)
        seqs, labels = seqs.take(order), np.asarray(labels)[order]
        seqs = Ragged(seqs.tokens + (index_from or 0), seqs.offsets)
        if start_char is not None:
            seqs = seqs.prepend(start_char)
        if maxlen:
            keep = np.flatnonzero(seqs.lengths < maxlen)
            seqs, labels = seqs.take(keep), labels[keep]
            if not len(seqs):
                raise ValueError(f"{dataset}.load_data: after filtering for sequences shorter "
                                 f"than maxlen={maxlen}, no sequence was kept. Increase maxlen.")
        shuffled.append((seqs, labels))
    if not num_words:
        num_words = max(int(s.tokens.max()) for s, _ in shuffled if s.tokens.size)
    out = []
    for seqs, labels in shuffled:
        inside = (seqs.tokens >= skip_top) & (seqs.tokens < num_words)
        if oov_char is not None:
            seqs = Ragged(np.where(inside, seqs.tokens, oov_char), seqs.offsets)
        else:
            seqs = seqs.keep_tokens(inside)
        out.append((seqs, labels))
    return out


def from_flat(arrays, split):
    """Reads `x_{split}_tokens`, `x_{split}_offsets`, `y_{split}` of a pickle-free flat npz."""
    tokens, offsets = arrays[f"x_{split}_tokens"], arrays[f"x_{split}_offsets"]
    if offsets.ndim != 1 or offsets[0] != 0 or offsets[-1] != len(tokens) or \
            np.any(np.diff(offsets) < 0):
        raise ValueError(f"load_data: x_{split}_offsets does not index x_{split}_tokens "
                         "(it must start at 0, never decrease and end at len(tokens)).")
    labels = arrays[f"y_{split}"]
    if len(labels) != len(offsets) - 1:
        raise ValueError(f"load_data: {len(offsets) - 1} sequences but {len(labels)} labels "
                         f"in split '{split}'.")
    return Ragged(tokens, offsets), labels


def check_kwargs(dataset, kwargs, num_words):
    """Accepts Keras 1's `nb_words`; rejects anything else."""
    if "nb_words" in kwargs:
        num_words = kwargs.pop("nb_words")
    if kwargs:
        raise TypeError(f"{dataset}.load_data: unrecognized keyword arguments: {sorted(kwargs)}.")
    return num_words
