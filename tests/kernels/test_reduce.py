"""kernels.reduce.last_axis (a short last axis reduced through the transpose) against NumPy's
own reductions, on shapes that take the fast path and shapes that do not."""
import numpy as np
import pytest

import fluxion as fx
from fluxion.kernels.reduce import last_axis

SHAPES = [(128, 10), (4, 50, 3), (300, 32), (10, 10), (200, 33), (7,)]


def _sample(shape, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 4, shape).astype(np.float32)   # many ties
    flat = x.reshape(-1)
    flat[::97] = np.nan
    flat[5::89] = -np.inf
    return x


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_max_and_argmax_are_exactly_numpys(shape, keepdims):
    x = _sample(shape)
    np.testing.assert_array_equal(last_axis(np.maximum.reduce, x, keepdims),
                                  np.max(x, axis=-1, keepdims=keepdims))
    np.testing.assert_array_equal(last_axis(np.argmax, x), np.argmax(x, axis=-1))


@pytest.mark.parametrize("shape", SHAPES)
def test_sum_equals_numpys_to_rounding(shape):
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    total = last_axis(np.add.reduce, x, keepdims=True)
    assert total.dtype == np.float32 and total.shape == shape[:-1] + (1,)
    np.testing.assert_allclose(total, x.astype(np.float64).sum(-1, keepdims=True),
                               rtol=1e-5, atol=1e-5)


def test_ops_use_it_with_the_same_results():
    x = np.random.default_rng(2).standard_normal((256, 10)).astype(np.float32)
    np.testing.assert_array_equal(fx.argmax(x, axis=-1).numpy(), np.argmax(x, axis=-1))
    np.testing.assert_array_equal(fx.reduce_max(x, axis=1).numpy(), x.max(axis=1))
    np.testing.assert_allclose(fx.reduce_sum(x, axis=-1).numpy(), x.sum(axis=-1), rtol=1e-5,
                               atol=1e-6)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(fx.nn.softmax(x).numpy(), e / e.sum(axis=1, keepdims=True),
                               rtol=1e-6)
