"""Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate (+ functional forms)."""
import numpy as np
import pytest

from fluxion.keras import layers
from tests.keras.layer_testing import run_layer_test

RNG = np.random.default_rng(6)
A, B, C = (RNG.normal(size=(2, 3)).astype("float32") for _ in range(3))


@pytest.mark.parametrize("cls, reference", [
    (layers.Add, lambda a, b, c: a + b + c),
    (layers.Multiply, lambda a, b, c: a * b * c),
    (layers.Average, lambda a, b, c: (a + b + c) / 3),
    (layers.Maximum, lambda a, b, c: np.maximum(np.maximum(a, b), c)),
    (layers.Minimum, lambda a, b, c: np.minimum(np.minimum(a, b), c)),
])
def test_elementwise_merges(cls, reference):
    run_layer_test(cls, {}, [A, B, C], expected_output=reference(A, B, C))


def test_subtract():
    run_layer_test(layers.Subtract, {}, [A, B], expected_output=A - B)
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        layers.Subtract()([A, B, C])


def test_concatenate():
    d = RNG.normal(size=(2, 5)).astype("float32")
    run_layer_test(layers.Concatenate, {}, [A, d], expected_output=np.concatenate([A, d], 1))
    run_layer_test(layers.Concatenate, {"axis": 0}, [A, B],
                   expected_output=np.concatenate([A, B], 0), check_gradients=False)


def test_concatenate_shape_mismatch():
    x, y = layers.Input((3, 2)), layers.Input((4, 2))
    with pytest.raises(ValueError, match="matching shapes except for the concatenation axis"):
        layers.Concatenate()([x, y])


def test_merge_needs_a_list():
    with pytest.raises(ValueError, match="list of inputs"):
        layers.Add()(A)
    with pytest.raises(ValueError, match="list of inputs"):
        layers.Add()([])


def test_merge_of_one_input_returns_it():
    # Keras 3: Add()([x]) is x (TF 2.21 / Keras 3.15 gives the input's values)
    np.testing.assert_array_equal(layers.Add()([A]).numpy(), A)
    np.testing.assert_array_equal(layers.Concatenate()([A]).numpy(), A)


def test_functional_forms():
    x, y = layers.Input((3,)), layers.Input((3,))
    assert layers.add([x, y]).shape == (None, 3)
    assert layers.concatenate([x, y]).shape == (None, 6)
    np.testing.assert_allclose(layers.multiply([A, B]).numpy(), A * B)


def _batch_dot(x, y, ax1, ax2):
    """NumPy reference of Keras's batch_dot: per sample, tensordot over (ax1, ax2)."""
    out = np.stack([np.tensordot(x[i], y[i], axes=(ax1 - 1, ax2 - 1)) for i in range(len(x))])
    return out.reshape(len(x), 1) if out.ndim == 1 else out


def test_dot():
    x3, y3 = RNG.normal(size=(2, 3, 5)), RNG.normal(size=(2, 10, 3))
    x3, y3 = x3.astype("float32"), y3.astype("float32")
    run_layer_test(layers.Dot, {"axes": [1, 2]}, [x3, y3],
                   expected_output=_batch_dot(x3, y3, 1, 2), expected_output_shape=(2, 5, 10))
    # 2-D inputs give (batch, 1): the per-sample dot product (as TF 2.21)
    run_layer_test(layers.Dot, {"axes": 1}, [A, B],
                   expected_output=(A * B).sum(1, keepdims=True), expected_output_shape=(2, 1))
    x4, y4 = RNG.normal(size=(2, 3, 4, 5)).astype("float32"), RNG.normal(size=(2, 5, 6))
    y4 = y4.astype("float32")
    np.testing.assert_allclose(layers.Dot(axes=(3, 1))([x4, y4]).numpy(),
                               _batch_dot(x4, y4, 3, 1), rtol=1e-5)
    assert layers.dot([layers.Input((3, 5)), layers.Input((10, 3))], axes=(1, 2)).shape == \
        (None, 5, 10)


def test_dot_normalize_is_cosine_similarity():
    x, y = RNG.normal(size=(4, 6)).astype("float32"), RNG.normal(size=(4, 6)).astype("float32")
    cos = (x * y).sum(1) / np.linalg.norm(x, axis=1) / np.linalg.norm(y, axis=1)
    run_layer_test(layers.Dot, {"axes": -1, "normalize": True}, [x, y],
                   expected_output=cos[:, None], rtol=1e-5)
    zero = layers.Dot(axes=1, normalize=True)([np.zeros((1, 3), "float32"),
                                               np.ones((1, 3), "float32")])
    np.testing.assert_array_equal(zero.numpy(), [[0.0]])  # TF: [[0.]]


def test_dot_errors():
    with pytest.raises(ValueError, match="axes"):
        layers.Dot(axes=(1, 2, 3))
    with pytest.raises(ValueError, match="incompatible input shapes"):
        layers.Dot(axes=1)([layers.Input((3,)), layers.Input((4,))])
    with pytest.raises(ValueError, match="batch axis"):
        layers.Dot(axes=0)([A, B])
    with pytest.raises(ValueError, match="list of 2 inputs"):
        layers.Dot(axes=1)([A, B, C])
