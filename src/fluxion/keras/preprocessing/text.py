"""Text tokenization as Keras's legacy `keras.preprocessing.text`: `Tokenizer`."""
from collections import OrderedDict, defaultdict

import numpy as np

__all__ = ["Tokenizer", "text_to_word_sequence"]

DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'


def text_to_word_sequence(input_text, filters=DEFAULT_FILTERS, lower=True, split=" "):
    """Splits a text into a list of words: optional lowercasing, `filters` become `split`.

    Example:
    >>> text_to_word_sequence("The cat, the HAT!")
    ['the', 'cat', 'the', 'hat']
    """
    if lower:
        input_text = input_text.lower()
    input_text = input_text.translate(str.maketrans({c: split for c in filters}))
    return [w for w in input_text.split(split) if w]


class Tokenizer:
    """Turns texts into sequences of word indices (or into bag-of-words matrices).

    Words are indexed from 1 by decreasing frequency in the texts given to `fit_on_texts`
    (ties keep first-seen order); index 0 is never assigned. With `oov_token`, that token gets
    index 1 and stands for every unknown word.

    Args:
        num_words: if set, only words with index below `num_words` are kept when converting.
        filters: characters replaced by `split` before splitting.
        lower: whether to lowercase the texts.
        split: the word separator.
        char_level: if True, every character is a token.
        oov_token: the out-of-vocabulary token, or None to drop unknown words.
        analyzer: optional function text -> list of tokens, replacing the default splitter.

    Example:
    >>> tok = Tokenizer(num_words=3)
    >>> tok.fit_on_texts(["the cat sat", "the dog"])
    >>> tok.word_index
    {'the': 1, 'cat': 2, 'sat': 3, 'dog': 4}
    >>> tok.texts_to_sequences(["the dog sat on the cat"])
    [[1, 1, 2]]
    """

    def __init__(self, num_words=None, filters=DEFAULT_FILTERS, lower=True, split=" ",
                 char_level=False, oov_token=None, analyzer=None, document_count=0, **kwargs):
        if "nb_words" in kwargs:  # the Keras 1 spelling
            num_words = kwargs.pop("nb_words")
        if kwargs:
            raise TypeError(f"Tokenizer: unrecognized keyword arguments: {sorted(kwargs)}.")
        self.num_words = num_words
        self.filters = filters
        self.lower = lower
        self.split = split
        self.char_level = char_level
        self.oov_token = oov_token
        self.analyzer = analyzer
        self.document_count = document_count
        self.word_counts = OrderedDict()
        self.word_docs = defaultdict(int)
        self.index_docs = defaultdict(int)
        self.word_index = {}
        self.index_word = {}

    def _tokens(self, text):
        if self.char_level or isinstance(text, list):
            if self.lower:
                text = [t.lower() for t in text] if isinstance(text, list) else text.lower()
            return text
        if self.analyzer is not None:
            return self.analyzer(text)
        return text_to_word_sequence(text, self.filters, self.lower, self.split)

    def fit_on_texts(self, texts):
        """Builds the vocabulary from a list of texts (strings, or lists of tokens)."""
        for text in texts:
            self.document_count += 1
            seq = self._tokens(text)
            for w in seq:
                self.word_counts[w] = self.word_counts.get(w, 0) + 1
            for w in set(seq):
                self.word_docs[w] += 1
        counts = sorted(self.word_counts.items(), key=lambda kv: kv[1], reverse=True)
        vocab = ([] if self.oov_token is None else [self.oov_token]) + [w for w, _ in counts]
        self.word_index = dict(zip(vocab, range(1, len(vocab) + 1)))
        self.index_word = {i: w for w, i in self.word_index.items()}
        self.index_docs = defaultdict(int)
        for w, c in self.word_docs.items():
            self.index_docs[self.word_index[w]] = c

    def fit_on_sequences(self, sequences):
        """Counts documents per index (needed by `sequences_to_matrix(mode="tfidf")`)."""
        self.document_count += len(sequences)
        for seq in sequences:
            for i in set(seq):
                self.index_docs[i] += 1

    def texts_to_sequences_generator(self, texts):
        """Yields, for each text, its list of word indices."""
        oov = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        for text in texts:
            vect = []
            for w in self._tokens(text):
                i = self.word_index.get(w)
                if i is not None and self.num_words and i >= self.num_words:
                    i = oov
                elif i is None:
                    i = oov
                if i is not None:
                    vect.append(i)
            yield vect

    def texts_to_sequences(self, texts):
        """Returns, for each text, its list of word indices.

        Words not in the index, or with index >= `num_words`, become `oov_token`'s index (or
        are dropped when there is no `oov_token`).
        """
        return list(self.texts_to_sequences_generator(texts))

    def sequences_to_texts(self, sequences):
        """Turns lists of word indices back into space-joined texts."""
        oov = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        texts = []
        for seq in sequences:
            words = []
            for i in seq:
                if self.num_words and i >= self.num_words:
                    i = oov
                w = self.index_word.get(i) if i is not None else None
                if w is None and oov is not None:
                    w = self.index_word[oov]
                if w is not None:
                    words.append(w)
            texts.append(" ".join(words))
        return texts

    def texts_to_matrix(self, texts, mode="binary"):
        """Returns a `(len(texts), num_words)` float32 matrix (see `sequences_to_matrix`)."""
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode="binary"):
        """Turns lists of indices into a bag-of-words matrix.

        Args:
            sequences: lists of word indices.
            mode: `"binary"` (1 if present), `"count"`, `"freq"` (count / sequence length) or
                `"tfidf"` ((1 + log count) * log(1 + documents / (1 + documents with word))).

        Returns:
            A float32 array of shape `(len(sequences), num_words)`; without `num_words` the
            width is `len(word_index) + 1`.
        """
        if mode not in ("binary", "count", "freq", "tfidf"):
            raise ValueError('Tokenizer: mode must be "binary", "count", "freq" or "tfidf". '
                             f"Received: mode={mode!r}.")
        num_words = self.num_words
        if not num_words:
            if not self.word_index:
                raise ValueError("Tokenizer: specify num_words or call fit_on_texts first: the "
                                 "matrix width is unknown.")
            num_words = len(self.word_index) + 1
        if mode == "tfidf" and not self.document_count:
            raise ValueError("Tokenizer: fit the tokenizer on some data before using tfidf mode.")
        x = np.zeros((len(sequences), num_words), dtype=np.float64)
        for row, seq in enumerate(sequences):
            counts = defaultdict(int)
            for j in seq:
                if j < num_words:
                    counts[j] += 1
            for j, c in counts.items():
                if mode == "count":
                    x[row, j] = c
                elif mode == "freq":
                    x[row, j] = c / len(seq)
                elif mode == "binary":
                    x[row, j] = 1
                else:
                    idf = np.log(1 + self.document_count / (1 + self.index_docs.get(j, 0)))
                    x[row, j] = (1 + np.log(c)) * idf
        return x.astype(np.float32)

    def get_config(self):
        """Returns the constructor arguments and the fitted vocabulary as plain Python values."""
        return {"num_words": self.num_words, "filters": self.filters, "lower": self.lower,
                "split": self.split, "char_level": self.char_level,
                "oov_token": self.oov_token, "document_count": self.document_count,
                "word_counts": dict(self.word_counts), "word_index": dict(self.word_index)}
