"""IMDb movie-review sentiment: 25,000 training and 25,000 test reviews as word indices."""
import json

import numpy as np

from ..utils import file_utils
from . import _common, _sequences

IMDB_SHA256 = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_MD5 = "bfafd718b763782e994055a2d397834f"
# The arguments with which `imdb_flat.npz` (see ../shared/data/PROVENANCE.md) was written.
_FLAT_SEED, _FLAT_START, _FLAT_OOV, _FLAT_INDEX_FROM = 113, 1, 2, 3


def _undo_default_layout(train, y_train, test, y_test):
    """Turns `load_data()`'s default output back into the official file's raw, unshuffled ranks.

    Inverts the RandomState(113) shuffles, drops the leading start marker and the offset of 3.
    With its default arguments Keras replaced the single largest index by the OOV marker 2 (its
    `num_words` quirk); every 2 is therefore put back as the largest rank + 1.
    """
    rng = np.random.RandomState(_FLAT_SEED)
    raw = []
    for seqs, labels in ((train, y_train), (test, y_test)):
        order = np.arange(len(seqs))
        rng.shuffle(order)
        inverse = np.argsort(order)
        seqs, labels = seqs.take(inverse), np.asarray(labels)[inverse]
        starts = seqs.offsets[:-1][seqs.lengths > 0]
        if seqs.tokens.size and np.any(seqs.tokens[starts] != _FLAT_START):
            raise ValueError("imdb.load_data: imdb_flat.npz is not in the default layout "
                             "(every sequence must start with 1).")
        not_start = np.ones(seqs.tokens.size, dtype=bool)
        not_start[starts] = False
        body = seqs.keep_tokens(not_start)
        raw.append((body, labels))
    top = max(int(s.tokens.max()) for s, _ in raw) - _FLAT_INDEX_FROM
    out = []
    for body, labels in raw:
        ranks = np.where(body.tokens == _FLAT_OOV, top + 1, body.tokens - _FLAT_INDEX_FROM)
        if ranks.size and ranks.min() < 1:
            raise ValueError("imdb.load_data: imdb_flat.npz holds indices below 4 other than the "
                             "markers 1 and 2; it is not in the default layout.")
        out.append((_sequences.Ragged(ranks, body.offsets), labels))
    return out


def _raw_splits(path):
    """Returns `[(train, y_train), (test, y_test)]` of raw ranks from the best source found."""
    fpath, verified = _common.locate(
        "imdb", "imdb", "imdb.npz", _common.origin("imdb.npz"), IMDB_SHA256,
        path=None if path == "imdb.npz" else path, local_names=("imdb_flat.npz",))
    with np.load(fpath, allow_pickle=False) as f:
        names = set(f.files)
    if "x_train_tokens" in names:  # pickle-free flat file in load_data()'s default layout
        arrays = _common.load_npz(fpath)
        splits = [_sequences.from_flat(arrays, s) for s in ("train", "test")]
        return _undo_default_layout(*splits[0], *splits[1])
    verified = verified or file_utils.validate_file(fpath, IMDB_SHA256)
    return _load_official(fpath, verified)


def _load_official(fpath, verified):
    """Reads the official imdb.npz (object arrays of raw ranks): unpickled only if verified."""
    arrays = _common.unpickle_verified(fpath, verified)
    return [(_sequences.Ragged.from_lists(arrays[f"x_{s}"]), arrays[f"y_{s}"])
            for s in ("train", "test")]


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113,
              start_char=1, oov_char=2, index_from=3, **kwargs):
    """Loads the IMDb dataset: reviews as lists of word indices, labels 1 (positive) / 0.

    Words are indexed by frequency in the training set (rank 1 = "the"), shifted by
    `index_from`; 0 is padding, `start_char` starts every review, `oov_char` marks words cut by
    `num_words`/`skip_top`. Test words never seen in training are absent.
    Data comes from `$FLUXION_DATA_DIR/imdb/imdb_flat.npz` (pickle-free), else from the
    official `imdb.npz` in the cache (downloaded if needed), which is unpickled only after its
    SHA-256 matched the published one.

    Args:
        path: the cache file name, or an absolute path to a local copy.
        num_words: keep only the `num_words` most frequent words (indices below `num_words`);
            others become `oov_char`. None keeps all.
        skip_top: indices below `skip_top` become `oov_char`.
        maxlen: drop sequences whose length (with the start marker) is not below `maxlen`.
        seed: the seed of the shuffle of each split.
        start_char: the index put at the start of each sequence (None for none).
        oov_char: the out-of-vocabulary index (None drops those words).
        index_from: the offset added to every word rank.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: object arrays of Python int lists, and int64
        label arrays.

    Example:
    >>> (x_train, y_train), _ = load_data(num_words=10000)  # doctest: +SKIP
    >>> x_train[0][:5]  # doctest: +SKIP
    [1, 14, 22, 16, 43]
    """
    num_words = _sequences.check_kwargs("imdb", kwargs, num_words)
    splits = _sequences.prepare("imdb", _raw_splits(path), seed, start_char, oov_char,
                                index_from, maxlen, num_words, skip_top)
    (x_train, y_train), (x_test, y_test) = [(s.to_object_array(), y) for s, y in splits]
    return (x_train, y_train), (x_test, y_test)


def get_word_index(path="imdb_word_index.json"):
    """Returns the dict mapping each word to its frequency rank (1 = most frequent).

    In `load_data`'s sequences a word of rank r appears as `r + index_from` (3 by default).

    Example:
    >>> get_word_index()["the"]  # doctest: +SKIP
    1
    """
    fpath, _ = _common.locate("imdb", "imdb", "imdb_word_index.json",
                              _common.origin("imdb_word_index.json"), WORD_INDEX_MD5,
                              path=None if path == "imdb_word_index.json" else path)
    with open(fpath, encoding="utf-8") as f:
        return json.load(f)


__all__ = ["load_data", "get_word_index"]
