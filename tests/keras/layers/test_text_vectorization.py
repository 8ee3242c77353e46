"""TextVectorization against hand-computed vocabularies and outputs.

`run_layer_test` is not used: it feeds the layer a symbolic keras.Input and checks gradients,
and Fluxion tensors (hence keras.Input) cannot hold strings; the config round trip it does is
checked here directly.
"""
import json
import math

import numpy as np
import pytest

import fluxion
from fluxion.keras import layers
from fluxion.keras.layers import TextVectorization

DOCS = ["The cat sat.", "The dog sat!", "A cat, a DOG; a bird?"]
# lower_and_strip_punctuation + whitespace: counts a=3, the=2, sat=2, dog=2, cat=2, bird=1.
# Ties are broken by token, high to low: the > sat > dog > cat.
VOCAB = ["", "[UNK]", "a", "the", "sat", "dog", "cat", "bird"]


def test_adapt_orders_by_frequency_then_token_descending():
    layer = TextVectorization()
    layer.adapt(DOCS)
    assert layer.get_vocabulary() == VOCAB
    assert layer.get_vocabulary(include_special_tokens=False) == VOCAB[2:]
    assert layer.vocabulary_size() == 8


def test_int_output_pads_to_longest_and_maps_oov_to_one():
    layer = TextVectorization()
    layer.adapt(DOCS)
    out = layer(["the CAT", "a fish sat here", ""])
    assert out.dtype == fluxion.int64
    np.testing.assert_array_equal(out.numpy(), [[3, 6, 0, 0], [2, 1, 4, 1], [0, 0, 0, 0]])
    # (batch, 1) inputs are squeezed; bytes are decoded; a single string gives one sequence.
    np.testing.assert_array_equal(layer(np.array([[b"bird dog"]])).numpy(), [[7, 5]])
    np.testing.assert_array_equal(layer("dog bird").numpy(), [5, 7])
    with pytest.raises(ValueError, match="the last shape dimension must be 1"):
        layer(np.array([["a", "b"]]))


def test_output_sequence_length_pads_and_truncates():
    layer = TextVectorization(output_sequence_length=3, vocabulary=VOCAB[2:])
    np.testing.assert_array_equal(layer(["a", "the cat sat dog"]).numpy(),
                                  [[2, 0, 0], [3, 6, 4]])
    assert layer.compute_output_shape((None,)) == (None, 3)


def test_max_tokens_counts_the_special_tokens():
    layer = TextVectorization(max_tokens=5)
    layer.adapt(DOCS)
    assert layer.get_vocabulary() == ["", "[UNK]", "a", "the", "sat"]
    np.testing.assert_array_equal(layer(["cat a"]).numpy(), [[1, 2]])
    hot = TextVectorization(max_tokens=3, output_mode="multi_hot")
    hot.adapt(DOCS)
    assert hot.get_vocabulary() == ["[UNK]", "a", "the"]


@pytest.mark.parametrize("standardize,expected", [
    ("lower_and_strip_punctuation", ["hello", "world", "émile"]),
    ("lower", ["hello,", "world!", "émile"]),
    ("strip_punctuation", ["Hello", "WORLD", "Émile"]),
    (None, ["Hello,", "WORLD!", "Émile"]),
    (lambda s: s.replace("o", "0"), ["Hell0,", "WORLD!", "Émile"]),
])
def test_standardize_modes(standardize, expected):
    # Lowercasing is ASCII-only, as tf.strings.lower: 'É' stays.
    layer = TextVectorization(standardize=standardize)
    layer.adapt(["Hello, WORLD! Émile"])
    expected = [t.replace("émile", "Émile") for t in expected]
    assert sorted(layer.get_vocabulary()[2:]) == sorted(expected)


def test_split_modes_and_ngrams():
    chars = TextVectorization(split="character", standardize=None)
    chars.adapt(["abba c"])
    assert chars.get_vocabulary() == ["", "[UNK]", "b", "a", "c", " "]
    np.testing.assert_array_equal(chars(["cab"]).numpy(), [[4, 3, 2]])
    whole = TextVectorization(split=None)
    whole.adapt(["New York", "new york!", "Paris"])
    assert whole.get_vocabulary() == ["", "[UNK]", "new york", "paris"]
    np.testing.assert_array_equal(whole(["Paris", "Rome"]).numpy(), [3, 1])
    custom = TextVectorization(standardize="lower", split=lambda s: s.split("-"))
    custom.adapt(["x-y-x"])
    assert custom.get_vocabulary() == ["", "[UNK]", "x", "y"]
    grams = TextVectorization(ngrams=2)
    grams.adapt(["a b c"])
    # 1-grams then 2-grams; every count is 1, so the order is the tokens', high to low.
    assert grams.get_vocabulary()[2:] == ["c", "b c", "b", "a b", "a"]
    np.testing.assert_array_equal(grams(["b c"]).numpy(), [[4, 2, 3]])
    assert TextVectorization(ngrams=(2,), vocabulary=["a b"])(["a b a"]).numpy().tolist() == \
        [[2, 1]]


def test_multi_hot_count_and_tf_idf():
    texts = ["a b a", "a c"]
    hot = TextVectorization(output_mode="multi_hot")
    hot.adapt(texts)
    assert hot.get_vocabulary() == ["[UNK]", "a", "c", "b"]
    out = hot(["a a z", "b"])
    assert out.dtype == fluxion.float32
    np.testing.assert_array_equal(out.numpy(), [[1, 1, 0, 0], [0, 0, 0, 1]])
    count = TextVectorization(output_mode="count", vocabulary=["a", "c", "b"])
    np.testing.assert_array_equal(count(["a a z z z", "b"]).numpy(),
                                  [[3, 2, 0, 0], [0, 0, 0, 1]])
    padded = TextVectorization(output_mode="count", max_tokens=6, pad_to_max_tokens=True,
                               vocabulary=["a"])
    assert padded(["a"]).shape == (1, 6)
    tfidf = TextVectorization(output_mode="tf_idf")
    tfidf.adapt(texts)
    idf_a, idf_bc = math.log(1 + 2 / 3), math.log(1 + 2 / 2)
    oov = (idf_a + 2 * idf_bc) / 3
    np.testing.assert_allclose(tfidf(["a a b", "z"]).numpy(),
                               [[0, 2 * idf_a, 0, idf_bc], [oov, 0, 0, 0]], rtol=1e-6)
    given = TextVectorization(output_mode="tf_idf", vocabulary=["a", "b"],
                              idf_weights=[0.5, 2.0])
    np.testing.assert_allclose(given(["a b b q"]).numpy(), [[1.25, 0.5, 4.0]])
    with pytest.raises(RuntimeError, match="you must set the layer's vocabulary"):
        TextVectorization(output_mode="multi_hot")(["a"])


def test_vocabulary_argument_list_file_and_errors(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("cat\ndog\n", encoding="utf-8")
    from_file = TextVectorization(vocabulary=str(path))
    assert from_file.get_vocabulary() == ["", "[UNK]", "cat", "dog"]
    with_specials = TextVectorization(vocabulary=["", "[UNK]", "cat"])
    assert with_specials.get_vocabulary() == ["", "[UNK]", "cat"]
    with pytest.raises(ValueError, match="repeated term"):
        TextVectorization(vocabulary=["a", "a"])
    with pytest.raises(ValueError, match="reserved token"):
        TextVectorization(vocabulary=["a", "[UNK]"])
    with pytest.raises(ValueError, match="larger than the maximum vocab size"):
        TextVectorization(max_tokens=3, vocabulary=["a", "b"])
    with pytest.raises(ValueError, match="Cannot adapt layer"):
        from_file.adapt(["x"])
    with pytest.raises(ValueError, match="idf_weights"):
        TextVectorization(output_mode="tf_idf", vocabulary=["a"])
    with pytest.raises(ValueError, match="`output_mode` must be one of"):
        TextVectorization(output_mode="one_hot_words")
    with pytest.raises(ValueError, match="must not be set"):
        TextVectorization(output_mode="count", output_sequence_length=3)


def test_adapt_from_datasets_and_iterables():
    texts = np.array(DOCS)
    for data in (fluxion.data.Dataset.from_tensor_slices(texts),
                 fluxion.data.Dataset.from_tensor_slices(texts).batch(2),
                 (texts[i:i + 1] for i in range(3)), texts.reshape(3, 1),
                 [t.encode() for t in DOCS]):
        layer = TextVectorization()
        layer.adapt(data)
        assert layer.get_vocabulary() == VOCAB
    first_batch = TextVectorization()
    first_batch.adapt(fluxion.data.Dataset.from_tensor_slices(texts).batch(2), steps=1)
    assert first_batch.get_vocabulary() == ["", "[UNK]", "the", "sat", "dog", "cat"]
    pairs = fluxion.data.Dataset.from_tensor_slices((texts, np.arange(3)))
    with pytest.raises(TypeError, match="map it to the text first"):
        TextVectorization().adapt(pairs)


def test_vectorize_in_the_pipeline_then_fit():
    texts = np.array(["good movie", "bad movie", "good good", "bad bad film"] * 8)
    labels = np.array([1, 0, 1, 0] * 8, np.float32)
    vectorize = TextVectorization(output_sequence_length=3)
    vectorize.adapt(texts)
    dataset = fluxion.data.Dataset.from_tensor_slices((texts, labels)).batch(8).map(
        lambda x, y: (vectorize(x), y))
    x, y = next(iter(dataset))
    assert x.dtype == fluxion.int64 and x.shape == (8, 3)
    model = fluxion.keras.Sequential([layers.Embedding(vectorize.vocabulary_size(), 4),
                                      layers.GlobalAveragePooling1D(),
                                      layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=fluxion.keras.optimizers.Adam(0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(dataset, epochs=15, verbose=0)
    assert history.history["accuracy"][-1] == 1.0
    with pytest.raises(TypeError, match="Vectorize the text before fit"):
        vectorize(layers.Input(shape=(1,)))


def test_config_round_trip():
    layer = TextVectorization(max_tokens=10, standardize="lower", ngrams=(1, 2),
                              output_mode="count", vocabulary=["a", "b", "a b"], name="tv")
    config = layer.get_config()
    assert config["vocabulary_size"] == 4 and config["ngrams"] == (1, 2)
    clone = TextVectorization.from_config(json.loads(json.dumps(config)))
    assert clone.get_config() == config
    np.testing.assert_array_equal(clone(["a b c"]).numpy(), layer(["a b c"]).numpy())
    restored = layers.deserialize(json.loads(json.dumps(layers.serialize(layer))))
    assert type(restored) is TextVectorization and restored.get_vocabulary() == \
        layer.get_vocabulary()
