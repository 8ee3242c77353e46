"""OpInfo entries for searchsorted, histogram_fixed_width, check_numerics and the assertions,
the TensorArray primitives, py_function and numpy_function (TensorFlow 2.21's results for the
same calls are quoted in tests/ops/test_py_func_histogram_ops.py)."""
import numpy as np

import fluxion as fx
from fluxion.ops.tensor_array import TensorArray, resize_like

from .opinfo import ErrorCase, OpInfo, Sample, distinct, rand

_I32 = np.int32


def searchsorted_ref(seq, values, side="left"):
    s, v = seq.reshape(-1, seq.shape[-1]), values.reshape(-1, values.shape[-1])
    return np.stack([np.searchsorted(a, b, side=side) for a, b in zip(s, v)]).reshape(
        values.shape).astype(_I32)


def searchsorted_samples(rng, dt):
    yield Sample((np.sort(rand(rng, (5,), dt)), rand(rng, (3,), dt)))
    yield Sample((np.sort(rand(rng, (2, 4), dt), -1), rand(rng, (2, 3), dt)), {"side": "right"})


def hist_ref(values, value_range, nbins=100):
    lo, hi = value_range
    idx = np.clip(np.floor((values.reshape(-1) - lo) / (hi - lo) * nbins), 0, nbins - 1)
    return np.bincount(idx.astype(np.int64), minlength=nbins).astype(_I32)


def hist_samples(rng, dt):
    yield Sample((rand(rng, (7,), dt, -2.0, 2.0), np.array([-1.0, 1.0], dt)), {"nbins": 4})
    yield Sample((rand(rng, (2, 3), dt), np.array([-1.0, 1.0], dt)))


def checked(x):
    y = fx.debugging.check_numerics(x, "x")
    fx.debugging.assert_less(x, 2.0)
    fx.debugging.assert_non_negative(x + 3.0)
    fx.debugging.Assert(fx.reduce_all(x < 2.0), ["x:", x])
    return y


def unary_samples(rng, dt):
    yield Sample((rand(rng, (2, 3), dt),))
    yield Sample((rand(rng, (), dt),))


def ta_write(buffer, value):
    ta = TensorArray(fx.as_dtype(buffer.dtype), size=0, dynamic_size=True).unstack(buffer)
    return ta.write(4, value).stack()


def ta_write_ref(buffer, value):
    out = np.zeros((5,) + buffer.shape[1:], buffer.dtype)
    out[:len(buffer)] = buffer
    out[4] = value
    return out


def ta_write_samples(rng, dt):
    yield Sample((distinct(rng, (3, 2), dt), distinct(rng, (2,), dt)))
    yield Sample((distinct(rng, (5,), dt), distinct(rng, (), dt)))


def resize_ref(x, like, indices):
    out = np.zeros(like.shape, x.dtype)
    common = tuple(slice(0, min(a, b)) for a, b in zip(x.shape, like.shape))
    out[common] = x[common]
    out[indices[indices < len(out)]] = 0
    return out


def resize_samples(rng, dt):
    yield Sample((rand(rng, (4, 2), dt), np.zeros((2, 3), dt), np.array([1], _I32)),
                 grad_args=(0,))
    yield Sample((rand(rng, (2,), dt), np.zeros((5,), dt), np.array([0, 4], _I32)),
                 grad_args=(0,))


def ta_alloc(n):
    return TensorArray(fx.float32, size=n, element_shape=(2,)).stack()


OPS = [
    OpInfo("searchsorted", fx.searchsorted, searchsorted_ref, searchsorted_samples, grad=False,
           out_dtype=lambda dt: np.dtype(_I32),
           errors=lambda: [ErrorCase((np.ones((1, 3), np.float32), np.ones((2, 1), np.float32)),
                                     match="leading dims")]),
    OpInfo("histogram_fixed_width", fx.histogram_fixed_width, hist_ref, hist_samples,
           grad=False, out_dtype=lambda dt: np.dtype(_I32),
           errors=lambda: [ErrorCase((np.ones(3, np.float32), np.ones(3, np.float32)),
                                     match="value_range must have shape")]),
    OpInfo("check_numerics", checked, lambda x: x, unary_samples,
           errors=lambda: [ErrorCase((np.array([1], np.int32),), {}, TypeError,
                                     "not in the list of allowed values")]),
    OpInfo("TensorArray.write", ta_write, ta_write_ref, ta_write_samples,
           errors=lambda: [ErrorCase((np.ones((2, 2), np.float32), np.ones(3, np.float32)),
                                     match="incompatible shape")]),
    OpInfo("tensor_array_resize", resize_like, resize_ref, resize_samples),
    OpInfo("tensor_array_alloc", ta_alloc, lambda n: np.zeros((int(n), 2), np.float32),
           lambda rng, dt: [Sample((np.array(3, _I32),))], dtypes=("float32",), grad=False),
    OpInfo("py_function", lambda x: fx.py_function(lambda a: fx.sin(a) * a, [x], x.dtype),
           lambda x: np.sin(x) * x, unary_samples),
    OpInfo("numpy_function", lambda x: fx.numpy_function(lambda a: np.cos(a), [x], x.dtype),
           np.cos, unary_samples, grad=False),
]
