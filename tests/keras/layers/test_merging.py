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
    with pytest.raises(ValueError, match="list of at least 2 inputs"):
        layers.Add()([A])


def test_functional_forms():
    x, y = layers.Input((3,)), layers.Input((3,))
    assert layers.add([x, y]).shape == (None, 3)
    assert layers.concatenate([x, y]).shape == (None, 6)
    np.testing.assert_allclose(layers.multiply([A, B]).numpy(), A * B)
