"""ReLU, LeakyReLU, ELU, Softmax, PReLU layers through `run_layer_test`."""
import numpy as np

from fluxion.keras import layers
from tests.keras.layer_testing import run_layer_test

X = np.array([[-2.0, -0.5, 0.3, 1.5, 7.0]], dtype="float32")


def test_relu_plain_and_capped():
    run_layer_test(layers.ReLU, {}, X, expected_output=np.maximum(X, 0))
    run_layer_test(layers.ReLU, {"max_value": 6.0, "negative_slope": 0.1, "threshold": -1.0},
                   X, expected_output=np.where(X >= -1.0, np.minimum(X, 6.0), 0.1 * (X + 1)))


def test_leaky_relu_defaults_to_keras3_slope():
    run_layer_test(layers.LeakyReLU, {}, X, expected_output=np.where(X > 0, X, 0.3 * X))
    assert layers.LeakyReLU(alpha=0.1).negative_slope == 0.1


def test_elu():
    run_layer_test(layers.ELU, {"alpha": 0.5}, X,
                   expected_output=np.where(X > 0, X, 0.5 * (np.exp(X) - 1)))


def test_softmax_and_masked_softmax():
    run_layer_test(layers.Softmax, {}, X, expected_output=np.exp(X) / np.exp(X).sum())
    mask = np.array([[True, True, False, True, False]])
    out = layers.Softmax()(X, mask=mask).numpy()
    expected = np.where(mask, np.exp(X), 0) / np.where(mask, np.exp(X), 0).sum()
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-7)


def test_prelu():
    run_layer_test(layers.PReLU, {"alpha_initializer": "random_normal"}, X,
                   expected_output=lambda layer, x: np.where(x > 0, x, layer.get_weights()[0] * x),
                   expected_num_trainable_weights=1)
    layer = layers.PReLU(shared_axes=[1])
    layer(np.ones((2, 3, 4), "float32"))
    assert layer.alpha.shape == (1, 4)
