"""Dense, Activation, Dropout, Lambda, Identity through the shared `run_layer_test`."""
import numpy as np
import pytest

import fluxion
from fluxion.keras import layers
from tests.keras.layer_testing import run_layer_test

RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 4)).astype("float32")


def _dense_reference(layer, x, activation=lambda z: z):
    kernel, bias = layer.get_weights()
    return activation(x @ kernel + bias)


def test_dense():
    run_layer_test(layers.Dense, {"units": 2}, X, expected_output=_dense_reference,
                   expected_output_shape=(3, 2), expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=0)


def test_dense_relu_on_rank3_input():
    x = RNG.normal(size=(2, 3, 4)).astype("float32") + 0.05
    run_layer_test(layers.Dense, {"units": 3, "activation": "tanh"}, x,
                   expected_output=lambda layer, x: _dense_reference(layer, x, np.tanh),
                   expected_output_shape=(2, 3, 3))


def test_dense_without_bias_and_with_initializers():
    layer = run_layer_test(layers.Dense, {"units": 2, "use_bias": False,
                                          "kernel_initializer": "ones"}, X,
                           expected_output=lambda layer, x: x.sum(1, keepdims=True) + [0, 0],
                           expected_num_trainable_weights=1)
    assert layer.weights[0].path == f"{layer.name}/kernel"


def test_dense_defaults_are_glorot_uniform_and_zeros():
    layer = layers.Dense(300)
    layer.build((None, 200))
    limit = np.sqrt(6 / (200 + 300))
    kernel = layer.kernel.numpy()
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.9 * limit
    assert np.all(layer.bias.numpy() == 0)
    assert layer.kernel.dtype == fluxion.float32


def test_dense_rejects_bad_units():
    with pytest.raises(ValueError, match="Received: units=-1"):
        layers.Dense(-1)


def test_dense_accepts_keras1_argument_names():
    layer = layers.Dense(2, W_regularizer="l2")
    assert layer.kernel_regularizer.l2 == 0.01


def test_activation():
    run_layer_test(layers.Activation, {"activation": "softmax"}, X,
                   expected_output=lambda layer, x: np.exp(x) / np.exp(x).sum(-1, keepdims=True),
                   expected_num_trainable_weights=0)


def test_dropout_is_identity_at_inference():
    run_layer_test(layers.Dropout, {"rate": 0.5}, X, expected_output=X)


def test_dropout_training_drops_and_scales():
    fluxion.random.set_seed(3)
    layer = layers.Dropout(0.25, seed=7)
    x = np.ones((200, 50), "float32")
    y = layer(x, training=True).numpy()
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.02
    y2 = layer(x, training=True).numpy()
    assert not np.array_equal(y, y2)  # a new mask each call


def test_dropout_noise_shape_shares_the_mask():
    layer = layers.Dropout(0.5, noise_shape=(None, 1), seed=1)
    y = layer(np.ones((20, 6), "float32"), training=True).numpy()
    assert np.all((y == 0).all(1) | (y == 2).all(1))


def test_dropout_rejects_bad_rate():
    with pytest.raises(ValueError, match="rate=1.5"):
        layers.Dropout(1.5)


def _double(x):
    return x * 2.0


def test_lambda():
    run_layer_test(layers.Lambda, {"function": _double}, X, expected_output=2 * X,
                   check_json=False)


def test_identity():
    run_layer_test(layers.Identity, {}, X, expected_output=X)


@pytest.mark.parametrize("make", [lambda **kw: layers.Dense(2, **kw),
                                  lambda **kw: layers.Embedding(3, 2, **kw)])
def test_quantization_config_none_only(make):
    # Keras 3.15 writes quantization_config=None in the config; a config round-trips
    config = make().get_config()
    assert config["quantization_config"] is None
    assert type(make()).from_config(config).get_config() == config
    with pytest.raises(ValueError, match="quantization_config=None"):
        make(quantization_config="int8")


def test_activity_regularization_is_divided_by_the_batch_size():
    # Keras 3: activity_regularizer(output) / batch_size (TF 2.21: 1.8 for this layer)
    from fluxion import keras
    x = np.ones((4, 3), np.float32)
    layer = layers.Dense(2, kernel_initializer="ones",
                         activity_regularizer=keras.regularizers.L2(0.1))
    out = layer(x)
    np.testing.assert_allclose(float(layer.losses[0]), 0.1 * (out.numpy() ** 2).sum() / 4)
    assert float(layer.losses[0]) == pytest.approx(1.8)
    layer(np.ones((0, 3), np.float32))  # an empty batch adds 0, not NaN
    assert float(layer.losses[0]) == 0.0
    inp = keras.Input((3,))
    model = keras.Model(inp, layer(inp))
    model.compile("sgd", "mse")  # the loss inside the compiled step: mse 9 + 1.8
    assert model.evaluate(x, np.zeros((4, 2), np.float32), verbose=0) == pytest.approx(10.8)
