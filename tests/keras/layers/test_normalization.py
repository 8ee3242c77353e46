"""BatchNormalization and LayerNormalization: values, moving statistics, training vs
inference, through `run_layer_test`."""
import numpy as np

import fluxion
from fluxion.keras import layers, models
from tests.keras.layer_testing import run_layer_test

X = np.random.default_rng(2).normal(loc=3.0, scale=2.0, size=(6, 3)).astype("float32")


def _inference_reference(layer, x):
    gamma, beta, mean, variance = layer.get_weights()
    return gamma * (x - mean) / np.sqrt(variance + 1e-3) + beta


def test_batch_normalization_inference_uses_moving_statistics():
    layer = run_layer_test(layers.BatchNormalization, {"gamma_initializer": "random_normal",
                                                       "beta_initializer": "random_normal"},
                           X, expected_output=_inference_reference,
                           expected_num_trainable_weights=2,
                           expected_num_non_trainable_weights=2)
    assert [w.path.split("/")[1] for w in layer.weights] == [
        "gamma", "beta", "moving_mean", "moving_variance"]


def test_batch_normalization_training_uses_batch_statistics_and_updates_moving_ones():
    def training_reference(layer, x):
        return (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3)
    layer = run_layer_test(layers.BatchNormalization, {}, X,
                           call_kwargs={"training": True}, expected_output=training_reference,
                           rtol=1e-4, atol=1e-5)
    layer = layers.BatchNormalization(momentum=0.9)
    layer(X, training=True)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.1 * X.mean(0), rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), 0.9 + 0.1 * X.var(0), rtol=1e-5)
    before = layer.moving_mean.numpy()
    layer(X)  # inference: no update
    np.testing.assert_array_equal(layer.moving_mean.numpy(), before)


def test_batch_normalization_defaults():
    config = layers.BatchNormalization().get_config()
    assert (config["momentum"], config["epsilon"], config["axis"]) == (0.99, 0.001, -1)


def test_frozen_batch_normalization_runs_in_inference_mode():
    layer = layers.BatchNormalization()
    layer(X)
    layer.trainable = False
    out = layer(X, training=True).numpy()
    np.testing.assert_allclose(out, X / np.sqrt(1 + 1e-3), rtol=1e-5)
    assert np.all(layer.moving_mean.numpy() == 0)


def test_batch_normalization_axis_1_of_images():
    x = np.random.default_rng(3).normal(size=(2, 3, 2, 2)).astype("float32")

    def reference(layer, x):
        gamma, beta, mean, variance = (w.reshape(1, 3, 1, 1) for w in layer.get_weights())
        return gamma * (x - mean) / np.sqrt(variance + 1e-3) + beta
    run_layer_test(layers.BatchNormalization, {"axis": 1, "moving_mean_initializer": "ones"},
                   x, expected_output=reference)


def test_training_flag_reaches_batch_normalization_inside_a_model():
    model = models.Sequential([layers.Dense(3, input_shape=(3,), kernel_initializer="identity"),
                               layers.BatchNormalization()])
    out = model(X, training=True).numpy()
    np.testing.assert_allclose(out.mean(0), 0, atol=1e-5)
    assert not np.all(model.layers[1].moving_mean.numpy() == 0)


def test_layer_normalization():
    def reference(layer, x):
        gamma, beta = layer.get_weights()
        mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return gamma * (x - mean) / np.sqrt(var + 1e-3) + beta
    run_layer_test(layers.LayerNormalization, {"beta_initializer": "random_normal"}, X,
                   expected_output=reference, rtol=1e-4, atol=1e-5,
                   expected_num_trainable_weights=2)


def test_layer_normalization_is_the_same_in_training():
    layer = layers.LayerNormalization()
    np.testing.assert_array_equal(layer(X, training=True).numpy(), layer(X).numpy())
    assert fluxion.reduce_all(fluxion.abs(fluxion.reduce_mean(layer(X), -1)) < 1e-5)


def test_batch_normalization_config_has_keras_renorm_keys():
    config = layers.BatchNormalization().get_config()
    assert (config["renorm"], config["renorm_clipping"], config["renorm_momentum"]) == (
        False, None, 0.99)
    assert layers.BatchNormalization.from_config(config).get_config() == config
