"""fluxion.nn.dropout: kept fraction, scaling, noise_shape, seeds and the gradient through the mask.

(Argument errors and rate=0 are in the OpInfo table, tests/ops/opinfo_nn.py.)
"""
import numpy as np
import pytest

import fluxion as fx
from fluxion import nn
from fluxion.ops.random_ops import set_seed


def _x(shape, dtype=np.float32):
    # values in [1, 2): never 0, so a 0 in the output marks a dropped element
    return fx.constant(np.random.default_rng(0).uniform(1.0, 2.0, size=shape).astype(dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rate", [0.1, 0.5, 0.8])
def test_kept_fraction_and_scaling(rate, dtype):
    set_seed(1234)
    x = _x((200, 100), dtype)
    y = nn.dropout(x, rate, seed=7)
    assert y.dtype == x.dtype and y.shape == x.shape
    kept = y.numpy() != 0
    # 20,000 Bernoulli(1 - rate) draws: the kept fraction is within 5 standard deviations
    assert abs(kept.mean() - (1 - rate)) < 5 * np.sqrt(rate * (1 - rate) / kept.size)
    np.testing.assert_allclose(y.numpy()[kept], x.numpy()[kept] / (1 - rate), rtol=1e-6)


def test_gradient_is_mask_over_keep_probability():
    set_seed(5)
    x, rate = _x((30, 40), np.float64), 0.25
    w = np.random.default_rng(1).standard_normal((30, 40))
    with fx.GradientTape() as tape:
        tape.watch(x)
        y = nn.dropout(x, rate, seed=3)
        loss = fx.reduce_sum(y * w)
    grad = tape.gradient(loss, x).numpy()
    mask = (y.numpy() != 0).astype(np.float64)
    np.testing.assert_allclose(grad, w * mask / (1 - rate), rtol=1e-12)


def test_noise_shape_keeps_whole_rows():
    set_seed(0)
    x = _x((50, 8))
    y = nn.dropout(x, 0.5, noise_shape=[50, 1], seed=1).numpy()
    kept_rows = (y != 0).all(axis=1)
    dropped_rows = (y == 0).all(axis=1)
    assert np.all(kept_rows | dropped_rows)
    assert 0 < kept_rows.sum() < 50
    # None in noise_shape takes x's size: [None, 1] is the same as [50, 1]
    set_seed(0)
    again = nn.dropout(x, 0.5, noise_shape=[None, 1], seed=1).numpy()
    np.testing.assert_array_equal(again, y)


def test_seeds_reproduce_and_successive_calls_differ():
    x = _x((20, 20))
    set_seed(42)
    first = nn.dropout(x, 0.5, seed=9).numpy()
    second = nn.dropout(x, 0.5, seed=9).numpy()
    set_seed(42)
    np.testing.assert_array_equal(nn.dropout(x, 0.5, seed=9).numpy(), first)
    assert not np.array_equal(first, second)  # TF: one op seed gives successive draws


def test_rate_zero_returns_the_input_and_tensor_rate_is_accepted():
    x = _x((3, 4))
    assert nn.dropout(x, 0.0) is x
    set_seed(3)
    y = nn.dropout(x, fx.constant(0.5), seed=2).numpy()
    kept = y != 0
    assert kept.any() and not kept.all()
    np.testing.assert_allclose(y[kept], 2 * x.numpy()[kept], rtol=1e-6)
