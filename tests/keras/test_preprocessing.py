"""keras.preprocessing: pad_sequences and Tokenizer, against hand-computed results."""
import numpy as np
import pytest

from fluxion import keras
from fluxion.keras.preprocessing.sequence import pad_sequences
from fluxion.keras.preprocessing.text import Tokenizer, text_to_word_sequence

SEQS = [[1, 2, 3], [4, 5], [6], []]


def test_pad_sequences_defaults_pre_padding_and_int32():
    out = pad_sequences(SEQS)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, [[1, 2, 3], [0, 4, 5], [0, 0, 6], [0, 0, 0]])


@pytest.mark.parametrize("padding,truncating,expected", [
    ("pre", "pre", [[2, 3], [4, 5], [0, 6], [0, 0]]),
    ("post", "pre", [[2, 3], [4, 5], [6, 0], [0, 0]]),
    ("pre", "post", [[1, 2], [4, 5], [0, 6], [0, 0]]),
    ("post", "post", [[1, 2], [4, 5], [6, 0], [0, 0]]),
])
def test_pad_sequences_modes(padding, truncating, expected):
    out = pad_sequences(SEQS, maxlen=2, padding=padding, truncating=truncating)
    np.testing.assert_array_equal(out, expected)


def test_pad_sequences_value_dtype_and_item_shape():
    out = pad_sequences([[0.5], [1.5, 2.5]], dtype="float32", value=-1.0, padding="post")
    np.testing.assert_array_equal(out, np.array([[0.5, -1.0], [1.5, 2.5]], np.float32))
    out = pad_sequences([np.ones((1, 2)), np.zeros((3, 2))], maxlen=2)
    assert out.shape == (2, 2, 2)
    np.testing.assert_array_equal(out[0], [[0, 0], [1, 1]])
    out = pad_sequences([["a", "b"], ["c"]], dtype=object, value="<pad>")
    assert out.tolist() == [["a", "b"], ["<pad>", "c"]]
    assert keras.utils.pad_sequences is pad_sequences


def test_pad_sequences_errors():
    with pytest.raises(ValueError, match="padding"):
        pad_sequences(SEQS, padding="middle")
    with pytest.raises(ValueError, match="truncating"):
        pad_sequences(SEQS, truncating="x")
    with pytest.raises(ValueError, match="string padding value"):
        pad_sequences(SEQS, value="x")
    with pytest.raises(ValueError, match="same shape"):
        pad_sequences([np.ones((1, 2)), np.ones((1, 3))])


def test_text_to_word_sequence():
    assert text_to_word_sequence("Hello, World! It's  me.\tYes") == \
        ["hello", "world", "it's", "me", "yes"]
    assert text_to_word_sequence("A-B", filters="", lower=False, split="-") == ["A", "B"]


TEXTS = ["The cat sat on the mat.", "The dog ate my homework!", "the cat, the dog"]


def test_tokenizer_vocabulary():
    tok = Tokenizer()
    tok.fit_on_texts(TEXTS)
    # counts: the 5, cat 2, dog 2, then the rest once, ties in first-seen order
    assert list(tok.word_index) == ["the", "cat", "dog", "sat", "on", "mat", "ate", "my",
                                    "homework"]
    assert tok.word_index["the"] == 1 and tok.index_word[3] == "dog"
    assert tok.word_counts["the"] == 5 and tok.word_docs["the"] == 3
    assert tok.word_docs["cat"] == 2 and tok.document_count == 3
    assert tok.texts_to_sequences(["the mat ate a fish"]) == [[1, 6, 7]]


def test_tokenizer_num_words_and_oov():
    tok = Tokenizer(num_words=4, oov_token="<OOV>")
    tok.fit_on_texts(TEXTS)
    assert tok.word_index["<OOV>"] == 1 and tok.word_index["the"] == 2
    # indices >= num_words and unknown words become the OOV index 1
    assert tok.texts_to_sequences(["the cat dog zebra"]) == [[2, 3, 1, 1]]
    assert tok.sequences_to_texts([[2, 3, 9]]) == ["the cat <OOV>"]
    tok = Tokenizer(num_words=3)
    tok.fit_on_texts(TEXTS)
    assert tok.texts_to_sequences(["the cat dog zebra"]) == [[1, 2]]


def test_tokenizer_matrices():
    tok = Tokenizer(num_words=5)
    tok.fit_on_texts(TEXTS)
    m = tok.texts_to_matrix(["the the cat", "zebra"], mode="count")
    assert m.dtype == np.float32 and m.shape == (2, 5)
    np.testing.assert_array_equal(m, [[0, 2, 1, 0, 0], [0, 0, 0, 0, 0]])
    np.testing.assert_array_equal(tok.texts_to_matrix(["the the cat"]), [[0, 1, 1, 0, 0]])
    np.testing.assert_allclose(tok.texts_to_matrix(["the the cat"], mode="freq"),
                               [[0, 2 / 3, 1 / 3, 0, 0]], rtol=1e-6)
    tfidf = tok.texts_to_matrix(["the the cat"], mode="tfidf")
    expected_the = (1 + np.log(2)) * np.log(1 + 3 / (1 + 3))
    expected_cat = 1 * np.log(1 + 3 / (1 + 2))
    np.testing.assert_allclose(tfidf[0, 1:3], [expected_the, expected_cat], rtol=1e-6)
    with pytest.raises(ValueError, match="mode"):
        tok.texts_to_matrix(["x"], mode="bogus")


def test_tokenizer_char_level():
    tok = Tokenizer(char_level=True)
    tok.fit_on_texts(["abca"])
    assert tok.word_index == {"a": 1, "b": 2, "c": 3}
    assert tok.texts_to_sequences(["cab"]) == [[3, 1, 2]]
