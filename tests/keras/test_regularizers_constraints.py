"""`keras.regularizers` (L1, L2, L1L2 "elastic net") and `keras.constraints`."""
import numpy as np
import pytest

import fluxion
from fluxion.keras import constraints, regularizers

W = np.array([[1.0, -2.0], [3.0, -4.0]], dtype="float32")


def test_regularizer_values_and_defaults():
    assert float(regularizers.L1()(W)) == pytest.approx(0.01 * 10)
    assert float(regularizers.L2()(W)) == pytest.approx(0.01 * 30)
    assert float(regularizers.L1L2(l1=0.1, l2=0.2)(W)) == pytest.approx(1.0 + 6.0)
    assert regularizers.get("l1_l2").get_config() == {"l1": 0.0, "l2": 0.0}
    assert regularizers.get("l2").get_config() == {"l2": 0.01}


def test_regularizer_gradient():
    w = fluxion.Variable(W)
    with fluxion.GradientTape() as tape:
        penalty = regularizers.L1L2(l1=0.1, l2=0.2)(w)
    np.testing.assert_allclose(np.asarray(tape.gradient(penalty, w)),
                               0.1 * np.sign(W) + 0.4 * W, rtol=1e-6)


def test_regularizer_serialization_and_errors():
    config = regularizers.serialize(regularizers.L2(0.5))
    assert config["class_name"] == "L2" and regularizers.deserialize(config).l2 == 0.5
    with pytest.raises(ValueError, match="non-negative"):
        regularizers.L2(-1.0)
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier: 'l3'"):
        regularizers.get("l3")


def test_orthogonal_regularizer_is_zero_for_orthogonal_rows():
    assert float(regularizers.OrthogonalRegularizer(1.0)(np.eye(3, dtype="float32"))) == 0.0


def test_constraints():
    np.testing.assert_allclose(constraints.NonNeg()(W).numpy(), np.maximum(W, 0))
    unit = constraints.UnitNorm()(W).numpy()
    np.testing.assert_allclose(np.linalg.norm(unit, axis=0), 1.0, rtol=1e-6)
    capped = constraints.MaxNorm(2.0)(W).numpy()
    norms = np.linalg.norm(W, axis=0)
    np.testing.assert_allclose(capped, W * np.minimum(norms, 2.0) / norms, rtol=1e-6)
    small = np.array([[0.3], [0.4]], "float32")
    np.testing.assert_allclose(constraints.MaxNorm(2.0)(small).numpy(), small, rtol=1e-6)
    between = constraints.MinMaxNorm(1.0, 2.0)(small).numpy()
    np.testing.assert_allclose(np.linalg.norm(between), 1.0, rtol=1e-5)
    assert type(constraints.get("max_norm")).__name__ == "MaxNorm"
