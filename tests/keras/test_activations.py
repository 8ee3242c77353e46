"""`keras.activations`: every function by name vs NumPy, get/serialize/deserialize, errors."""
import math

import numpy as np
import pytest

from fluxion.keras import activations

X = np.array([[-3.5, -1.0, -0.2, 0.0, 0.4, 2.0, 7.0]], dtype="float32")
_erf = np.vectorize(math.erf)
SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805

REFERENCES = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "selu": lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(x)),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "hard_sigmoid": lambda x: np.clip(x / 6 + 0.5, 0, 1),
    "tanh": np.tanh,
    "softplus": lambda x: np.log1p(np.exp(x)),
    "softsign": lambda x: x / (1 + np.abs(x)),
    "swish": lambda x: x / (1 + np.exp(-x)),
    "silu": lambda x: x / (1 + np.exp(-x)),
    "gelu": lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2))),
    "exponential": np.exp,
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    "softmax": lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True),
    "relu6": lambda x: np.clip(x, 0, 6),
    "mish": lambda x: x * np.tanh(np.log1p(np.exp(x))),
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_activation_by_name_matches_numpy(name):
    fn = activations.get(name)
    np.testing.assert_allclose(fn(X).numpy(), REFERENCES[name](X.astype(np.float64)),
                               rtol=1e-5, atol=1e-6)
    assert activations.serialize(fn) in (name, "silu")
    assert activations.deserialize(activations.serialize(fn)) is fn


def test_relu_options():
    np.testing.assert_allclose(
        activations.relu(X, negative_slope=0.1, max_value=5.0, threshold=0.2).numpy(),
        np.where(X >= 0.2, np.minimum(X, 5.0), 0.1 * (X - 0.2)), rtol=1e-6)


def test_get_accepts_none_and_callables_and_integer_input():
    assert activations.get(None) is activations.linear
    assert activations.get(np.tanh) is np.tanh
    assert activations.relu([[-1, 2]]).numpy().dtype == np.float32


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="Could not interpret activation function identifier: "
                                         "'relux'. Valid names are: .*'?relu"):
        activations.get("relux")
