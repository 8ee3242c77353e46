"""`TextVectorization`: maps strings to token indices (or multi-hot / count / TF-IDF vectors).

Fluxion tensors hold numbers only, so this layer works on Python strings and NumPy arrays of
str/bytes (as `fluxion.data` yields them) and returns int64 (or float32) tensors. It cannot take a
symbolic `keras.Input`: vectorize before `fit`, or in the data pipeline:

    vectorize = TextVectorization(max_tokens=10000, output_sequence_length=200)
    vectorize.adapt(texts)
    model.fit(vectorize(texts), labels)                         # vectorize up front, or
    train = dataset.batch(32).map(lambda x, y: (vectorize(x), y))  # in the pipeline
"""
import collections
import math
import os
import re

import numpy as np

from ...core.tensor import SymbolicTensor, Tensor, wrap
from ..engine.layer import Layer

_STRIP_REGEX = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
_WHITESPACE = re.compile(r"[ \t\n\v\f\r]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_MASK, _OOV = "", "[UNK]"
_STANDARDIZE = (None, "lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = (None, "whitespace", "character")
_MODES = ("int", "multi_hot", "count", "tf_idf")


class TextVectorization(Layer):
    """A preprocessing layer that turns text into sequences of token indices or into vectors.

    Each string is standardized, split into tokens, optionally turned into n-grams, and looked
    up in a vocabulary learned by `adapt` (most frequent first; ties by token, high to low) or
    given as `vocabulary`. In 'int' mode index 0 is padding ('') and 1 the out-of-vocabulary
    token '[UNK]'; in the other modes index 0 is '[UNK]'.

    Args:
        max_tokens: the vocabulary's maximum size, special tokens included (None: no limit).
        standardize: 'lower_and_strip_punctuation' (default), 'lower', 'strip_punctuation',
            None, or a callable str -> str. Lowercasing is ASCII-only, as TensorFlow's.
        split: 'whitespace' (default), 'character', None (each string is one token), or a
            callable str -> list of str.
        ngrams: None, an int n (n-grams of sizes 1..n) or a tuple of sizes; joined by ' '.
        output_mode: 'int' (default), 'multi_hot', 'count' or 'tf_idf'.
        output_sequence_length: 'int' mode only: pad (with 0) or truncate every sequence to
            this length; by default sequences are padded to the longest of the batch.
        pad_to_max_tokens: non-'int' modes: output `max_tokens` columns even if the
            vocabulary is smaller.
        vocabulary: a list of tokens or the path of a file with one token a line.
        idf_weights: 'tf_idf' mode with a given vocabulary: one weight per token.
        encoding: the encoding of bytes inputs.

    Example:
    >>> layer = TextVectorization(output_sequence_length=4)
    >>> layer.adapt(["the cat sat", "the dog"])
    >>> layer.get_vocabulary()
    ['', '[UNK]', 'the', 'sat', 'dog', 'cat']
    >>> layer(["The cat ran!"]).numpy()
    array([[2, 5, 1, 0]])
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int",
                 output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", name=None,
                 vocabulary_size=None, **kwargs):
        super().__init__(name=name, **kwargs)
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        for arg, value, allowed in (("standardize", standardize, _STANDARDIZE),
                                    ("split", split, _SPLIT), ("output_mode", output_mode,
                                                               _MODES)):
            if value not in allowed and not (callable(value) and arg != "output_mode"):
                raise ValueError(f"TextVectorization: `{arg}` must be one of {allowed}"
                                 f"{' or a callable' if arg != 'output_mode' else ''}. "
                                 f"Received: {arg}={value!r}")
        if not (ngrams is None or isinstance(ngrams, int) or (
                isinstance(ngrams, (tuple, list)) and all(isinstance(n, int) for n in ngrams))):
            raise ValueError("TextVectorization: `ngrams` must be None, an integer, or a tuple "
                             f"of integers. Received: ngrams={ngrams}")
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError("TextVectorization: `output_sequence_length` must not be set if "
                             f"`output_mode` is not 'int'. Received "
                             f"output_sequence_length={output_sequence_length}.")
        if sparse or ragged:
            raise ValueError("TextVectorization: sparse and ragged outputs are not supported "
                             "by Fluxion (its tensors are dense); leave sparse and ragged False.")
        if max_tokens is not None and max_tokens < (3 if output_mode == "int" else 2):
            raise ValueError("TextVectorization: `max_tokens` must leave room for the special "
                             f"tokens and one more. Received: max_tokens={max_tokens}")
        self.max_tokens = max_tokens
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = tuple(ngrams) if isinstance(ngrams, list) else ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else \
            self._ngrams_arg
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self._encoding = encoding
        self._input_vocabulary = None
        self._input_idf_weights = None
        self._tokens = []  # the learned (or given) vocabulary, special tokens excluded
        self._index = {}
        self._idf = None  # per output column, tf_idf mode
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        elif idf_weights is not None:
            raise ValueError("TextVectorization: `idf_weights` needs `vocabulary`.")

    # --- vocabulary ---------------------------------------------------------------------------
    @property
    def _specials(self):
        return [_MASK, _OOV] if self._output_mode == "int" else [_OOV]

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary as a list of strings; a token's position is its index.

        Example:
        >>> TextVectorization(vocabulary=["a", "b"]).get_vocabulary()
        ['', '[UNK]', 'a', 'b']
        """
        return (self._specials if include_special_tokens else []) + list(self._tokens)

    def vocabulary_size(self):
        """The vocabulary's size, special tokens included."""
        return len(self._specials) + len(self._tokens)

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Sets the vocabulary (a list of tokens or a file path) and, in 'tf_idf' mode, the
        inverse document frequency weights (one per token)."""
        if isinstance(vocabulary, (str, os.PathLike)):
            with open(vocabulary, encoding="utf-8") as f:
                vocabulary = f.read().splitlines()
            while vocabulary and vocabulary[-1] == "":
                vocabulary.pop()
        tokens = [self._decode(t) for t in np.asarray(vocabulary, dtype=object).ravel()]
        specials = self._specials
        has_specials = tokens[:len(specials)] == specials
        if has_specials:
            tokens = tokens[len(specials):]
        for special in specials:
            if special in tokens:
                raise ValueError(
                    f"TextVectorization: found the reserved token {special!r} at an unexpected "
                    "place in `vocabulary`. The vocabulary need not include the padding and OOV "
                    "tokens; either remove them, or put them first in exactly this order: "
                    f"{specials}.")
        repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise ValueError("TextVectorization: the passed vocabulary has at least one repeated "
                             f"term. Please uniquify your dataset. The repeated terms are "
                             f"{repeated}.")
        if self.max_tokens is not None and len(tokens) + len(specials) > self.max_tokens:
            raise ValueError("TextVectorization: attempted to set a vocabulary larger than the "
                             f"maximum vocab size. Received vocabulary size is "
                             f"{len(tokens) + len(specials)}; `max_tokens` is {self.max_tokens}.")
        if self._output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("TextVectorization: `idf_weights` must be set if output_mode "
                                 "is 'tf_idf'.")
            idf = np.asarray(idf_weights, np.float32).ravel()
            if not has_specials:
                idf = np.concatenate([[idf.mean() if idf.size else 0.0], idf]).astype(np.float32)
            if idf.size != len(tokens) + len(specials):
                raise ValueError(f"TextVectorization: `idf_weights` must have one weight per "
                                 f"token ({len(tokens)}), received {idf.size - 1}.")
            self._idf = idf
            self._input_idf_weights = [float(w) for w in np.asarray(idf_weights).ravel()]
        elif idf_weights is not None:
            raise ValueError("TextVectorization: `idf_weights` should only be set if "
                             "output_mode is 'tf_idf'.")
        self._input_vocabulary = list(np.asarray(vocabulary, dtype=object).ravel()
                                      if not isinstance(vocabulary, list) else vocabulary)
        self._set_tokens(tokens)

    def _set_tokens(self, tokens):
        self._tokens = list(tokens)
        start = len(self._specials)
        self._index = {t: i + start for i, t in enumerate(self._tokens)}

    def adapt(self, data, batch_size=None, steps=None):
        """Learns the vocabulary (and, in 'tf_idf' mode, document frequencies) from `data`.

        Args:
            data: a list or array of strings (each one a document), a `fluxion.data.Dataset`
                of strings (batched or not), or any iterable of batches of strings.
            steps: the number of batches to take from a Dataset.

        Example:
        >>> layer = TextVectorization()
        >>> layer.adapt(["b a", "a"]); layer.get_vocabulary()
        ['', '[UNK]', 'a', 'b']
        """
        if self._input_vocabulary is not None:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static "
                             "vocabulary via `vocabulary` argument or `set_vocabulary()` "
                             "method.")
        counts, doc_counts, documents = collections.Counter(), collections.Counter(), 0
        for batch in _batches(data, steps):
            for tokens in self._tokenize(batch):
                tokens = [t for t in tokens if t not in (_MASK, _OOV)]
                counts.update(tokens)
                doc_counts.update(set(tokens))
                documents += 1
        ranked = sorted(counts.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)
        if self.max_tokens is not None:
            ranked = ranked[:self.max_tokens - len(self._specials)]
        self._set_tokens([t for t, _ in ranked])
        if self._output_mode == "tf_idf":
            idf = np.array([math.log(1.0 + documents / (1.0 + doc_counts[t]))
                            for t, _ in ranked], np.float32)
            self._idf = np.concatenate([[idf.mean() if idf.size else 0.0], idf]) \
                .astype(np.float32)

    # --- preprocessing ------------------------------------------------------------------------
    def _decode(self, value):
        if isinstance(value, (bytes, np.bytes_)):
            return bytes(value).decode(self._encoding)
        if isinstance(value, str):
            return str(value)
        raise TypeError(f"TextVectorization: expected strings (str or bytes), received "
                        f"{type(value).__name__} {value!r}.")

    def _standardized(self, text):
        mode = self._standardize
        if mode in ("lower", "lower_and_strip_punctuation"):
            text = text.translate(_ASCII_LOWER)
        if mode in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = _STRIP_REGEX.sub("", text)
        if callable(mode):
            text = mode(text)
        return text

    def _split_text(self, text):
        if self._split == "whitespace":
            return [t for t in _WHITESPACE.split(text) if t]
        if self._split == "character":
            return list(text)
        if callable(self._split):
            return [self._decode(t) for t in self._split(text)]
        return [text]

    def _with_ngrams(self, tokens):
        if self._ngrams is None:
            return tokens
        return [" ".join(tokens[i:i + n]) for n in self._ngrams
                for i in range(len(tokens) - n + 1)]

    def _as_array(self, inputs):
        if isinstance(inputs, (Tensor, SymbolicTensor)):
            raise TypeError(
                "TextVectorization: Fluxion tensors hold numbers only, so this layer takes "
                "Python strings or NumPy arrays of str/bytes, not a tensor or a keras.Input. "
                "Vectorize the text before fit (x = layer(texts)) or in the data pipeline "
                "(dataset.batch(n).map(lambda x, y: (layer(x), y))).")
        array = np.asarray(inputs, dtype=object)
        return np.vectorize(self._decode, otypes=[object])(array) if array.size else array

    def _tokenize(self, inputs):
        """The token lists of each document of `inputs` (a batch, or one string)."""
        array = self._as_array(inputs)
        if self._split is not None:
            if array.ndim > 1:
                if array.shape[-1] != 1:
                    raise ValueError(
                        "When using `TextVectorization` to tokenize strings, the input rank "
                        "must be 1 or the last shape dimension must be 1. Received: "
                        f"inputs.shape={array.shape} with rank={array.ndim}")
                array = array[..., 0]
            rows = [array[()]] if array.ndim == 0 else list(array.ravel())
            return [self._with_ngrams(self._split_text(self._standardized(s))) for s in rows]
        flat = array.reshape(-1, 1) if array.ndim <= 1 else array.reshape(-1, array.shape[-1])
        return [self._with_ngrams([self._standardized(s) for s in row]) for row in flat]

    # --- calling ------------------------------------------------------------------------------
    def __call__(self, inputs, *args, **kwargs):
        return self.call(inputs)

    def call(self, inputs):
        array = self._as_array(inputs)
        if self._output_mode == "int":
            return wrap(self._int_output(array))
        if not self._tokens and not self.pad_to_max_tokens:
            raise RuntimeError(
                f"When using `output_mode={self._output_mode}` and `pad_to_max_tokens=False`, "
                "you must set the layer's vocabulary before calling it. Either pass a "
                "`vocabulary` argument to the layer, or call `adapt` with some sample data.")
        depth = self.max_tokens if self.pad_to_max_tokens and self.max_tokens else \
            self.vocabulary_size()
        rows = self._tokenize(array)
        out = np.zeros((len(rows), depth), np.float32)
        for r, tokens in enumerate(rows):
            for t in tokens:
                if t != _MASK:
                    out[r, self._index.get(t, 0)] += 1
        if self._output_mode == "multi_hot":
            out = np.minimum(out, 1.0)
        elif self._output_mode == "tf_idf":
            idf = np.zeros(depth, np.float32)
            idf[:self._idf.size] = self._idf[:depth]
            out = out * idf
        return wrap(out[0] if array.ndim == 0 else out)

    def _lookup(self, token):
        return 0 if token == _MASK else self._index.get(token, 1)

    def _int_output(self, array):
        length = self._output_sequence_length
        if self._split is None and self._ngrams is None:
            ids = np.vectorize(lambda s: self._lookup(self._standardized(s)),
                               otypes=[np.int64])(array) if array.size else \
                np.zeros(array.shape, np.int64)
            return _fit_last_axis(ids, length) if array.ndim else ids
        rows = [[self._lookup(t) for t in tokens] for tokens in self._tokenize(array)]
        if array.ndim == 0:
            return _fit_last_axis(np.asarray(rows[0], np.int64).reshape(-1), length)
        width = length if length is not None else max((len(r) for r in rows), default=0)
        out = np.zeros((len(rows), width), np.int64)
        for i, r in enumerate(rows):
            r = r[:width]
            out[i, :len(r)] = r
        return out

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self._output_mode == "int":
            if self._split is None and self._ngrams is None:
                return input_shape[:-1] + (self._output_sequence_length or input_shape[-1],)
            return (input_shape[0], self._output_sequence_length)
        depth = self.max_tokens if self.pad_to_max_tokens and self.max_tokens else \
            self.vocabulary_size()
        return (input_shape[0], depth)

    # --- config -------------------------------------------------------------------------------
    def get_config(self):
        """The constructor arguments, with the given vocabulary (not a learned one: save the
        learned vocabulary with `get_vocabulary()`)."""
        config = super().get_config()
        config.update({
            "max_tokens": self.max_tokens, "standardize": self._standardize,
            "split": self._split, "ngrams": self._ngrams_arg, "output_mode": self._output_mode,
            "output_sequence_length": self._output_sequence_length,
            "pad_to_max_tokens": self.pad_to_max_tokens, "sparse": False, "ragged": False,
            "vocabulary": self._input_vocabulary, "idf_weights": self._input_idf_weights,
            "encoding": self._encoding, "vocabulary_size": self.vocabulary_size(),
        })
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        return cls(**config)


def _fit_last_axis(ids, length):
    """Truncates or zero-pads the last axis of `ids` to `length` (None: unchanged)."""
    if length is None:
        return ids
    ids = ids[..., :length]
    if ids.shape[-1] < length:
        pad = [(0, 0)] * (ids.ndim - 1) + [(0, length - ids.shape[-1])]
        ids = np.pad(ids, pad)
    return ids


def _batches(data, steps):
    """Yields batches (arrays, lists or strings) of documents from `data`."""
    if isinstance(data, (str, bytes)):
        yield [data]
        return
    if isinstance(data, (list, tuple, np.ndarray)):
        yield data
        return
    spec = getattr(data, "element_spec", None)
    if spec is not None:  # a fluxion.data.Dataset
        if isinstance(spec, (tuple, dict)):
            raise TypeError("TextVectorization.adapt: expected a Dataset of strings, received "
                            "one of structured elements; map it to the text first, e.g. "
                            "ds.map(lambda x, y: x).")
        if steps is not None:
            data = data.take(steps)
        if len(spec.shape) == 0:
            data = data.batch(256)  # single documents: adapt them in batches
    for batch in data:
        yield [batch] if isinstance(batch, (str, bytes)) else batch
