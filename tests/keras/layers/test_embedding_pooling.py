"""Embedding (masks), GlobalMax/AveragePooling1D/2D through `run_layer_test`."""
import numpy as np
import pytest

from fluxion.keras import layers, models
from tests.keras.layer_testing import run_layer_test

IDS = np.array([[1, 4, 0, 0], [2, 2, 3, 0]], dtype="int32")
SEQ = np.random.default_rng(4).normal(size=(2, 4, 3)).astype("float32")


def test_embedding_looks_up_rows():
    layer = run_layer_test(layers.Embedding, {"input_dim": 5, "output_dim": 3}, IDS,
                           expected_output=lambda layer, ids: layer.get_weights()[0][ids],
                           expected_output_shape=(2, 4, 3), expected_num_trainable_weights=1)
    table = layer.get_weights()[0]
    assert np.abs(table).max() <= 0.05  # "uniform": U(-0.05, 0.05)


def test_embedding_gradient_accumulates_repeated_ids():
    import fluxion
    layer = layers.Embedding(5, 2, embeddings_initializer="ones")
    with fluxion.GradientTape() as tape:
        loss = fluxion.reduce_sum(layer(IDS))
    grad = np.asarray(tape.gradient(loss, layer.embeddings))
    np.testing.assert_array_equal(grad[:, 0], [3, 1, 2, 1, 1])


def test_embedding_mask_zero_propagates_to_pooling():
    inputs = layers.Input((4,), dtype="int32")
    embedded = layers.Embedding(5, 3, mask_zero=True, embeddings_initializer="random_normal",
                                name="emb")(inputs)
    pooled = layers.GlobalAveragePooling1D()(embedded)
    model = models.Model(inputs, pooled)
    table = model.get_layer("emb").get_weights()[0]
    expected = np.stack([table[[1, 4]].mean(0), table[[2, 2, 3]].mean(0)])
    np.testing.assert_allclose(model(IDS).numpy(), expected, rtol=1e-6)
    layer = layers.Embedding(5, 3, mask_zero=True)
    np.testing.assert_array_equal(np.asarray(layer.compute_mask(IDS)), IDS != 0)


def test_global_max_pooling_ignores_the_mask_as_keras_3():
    layer = layers.Embedding(5, 1, mask_zero=True, embeddings_initializer="ones")
    layer.build(None)
    layer.set_weights([np.array([[9.0], [1.0], [2.0], [3.0], [4.0]], "float32")])
    out = layers.GlobalMaxPooling1D()(layer(IDS)).numpy()
    # Keras 3.15 takes the max over all steps, padding (id 0, value 9) included: [[9], [9]]
    np.testing.assert_array_equal(out, [[9.0], [9.0]])
    inputs = layers.Input((4,), dtype="int32")
    model = models.Model(inputs, layers.GlobalMaxPooling1D()(layer(inputs)))
    np.testing.assert_array_equal(model.predict(IDS, verbose=0), [[9.0], [9.0]])


def test_embedding_accepts_keras2_input_length():
    model = models.Sequential([layers.Embedding(100, 8, input_length=10)])
    assert model.output_shape == (None, 10, 8)


def test_embedding_rejects_bad_sizes():
    with pytest.raises(ValueError, match="input_dim"):
        layers.Embedding(0, 3)


def test_global_max_pooling_1d():
    run_layer_test(layers.GlobalMaxPooling1D, {}, SEQ, expected_output=SEQ.max(1))


def test_global_average_pooling_1d_keepdims():
    run_layer_test(layers.GlobalAveragePooling1D, {"keepdims": True}, SEQ,
                   expected_output=SEQ.mean(1, keepdims=True))


def test_global_pooling_2d_channels_first():
    x = np.random.default_rng(5).normal(size=(2, 3, 2, 2)).astype("float32")
    run_layer_test(layers.GlobalAveragePooling2D, {"data_format": "channels_first"}, x,
                   expected_output=x.mean((2, 3)))
    run_layer_test(layers.GlobalMaxPooling2D, {}, x, expected_output=x.max((1, 2)))


def test_global_pooling_wrong_rank():
    with pytest.raises(ValueError, match='layer "global_max_pooling1d.*expected ndim=3'):
        layers.GlobalMaxPooling1D(name="global_max_pooling1d")(np.ones((2, 3), "float32"))
