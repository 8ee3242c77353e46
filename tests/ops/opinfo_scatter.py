"""OpInfo entries for scatter_nd, tensor_scatter_nd_*, roll, the segment ops, unique and
bincount (references written with NumPy loops; TensorFlow 2.21's results for the same calls are
quoted where they are not obvious)."""
import numpy as np

import fluxion as fx
from fluxion import math as fm

from .opinfo import ErrorCase, OpInfo, Sample, distinct, rand

_KEEP = lambda dt: None  # noqa: E731  (the result dtype is the reference's)
_I32 = np.int32


# --- scatter_nd / tensor_scatter_nd_* ----------------------------------------------------------
def scatter_nd_ref(indices, updates, shape):
    out = np.zeros(shape, updates.dtype)
    for i, row in enumerate(indices.reshape(-1, indices.shape[-1])):
        out[tuple(row)] += updates.reshape((-1,) + out.shape[indices.shape[-1]:])[i]
    return out


def scatter_nd_samples(rng, dt):
    yield Sample((np.array([[4], [3], [1], [7]], _I32), rand(rng, (4,), dt), [8]))
    yield Sample((np.array([[1], [1], [0]], _I32), rand(rng, (3,), dt), [3]))  # duplicates add
    yield Sample((np.array([[0], [2]], _I32), rand(rng, (2, 3), dt), (3, 3)))  # slices
    yield Sample((np.array([[[0, 1], [2, 0]]], _I32), rand(rng, (1, 2), dt), [3, 2]))
    yield Sample((np.zeros((0, 1), _I32), rand(rng, (0,), dt), [2]))


def tensor_scatter_ref(mode):
    def ref(tensor, indices, updates):
        out = tensor.copy()
        m = indices.shape[-1]
        ups = updates.reshape((-1,) + tensor.shape[m:])
        for i, row in enumerate(indices.reshape(-1, m)):
            k = tuple(row)
            out[k] = {"update": lambda a, b: b, "add": np.add, "sub": np.subtract,
                      "max": np.maximum, "min": np.minimum}[mode](out[k], ups[i])
        return out
    return ref


def tensor_scatter_samples(unique_indices):
    def samples(rng, dt):
        t = distinct(rng, (5,), dt)
        yield Sample((t, np.array([[1], [3]], _I32), distinct(rng, (2,), dt, -1.9, 1.9)))
        if not unique_indices:
            yield Sample((t, np.array([[1], [1]], _I32), distinct(rng, (2,), dt, -1.9, 1.9)))
        yield Sample((distinct(rng, (3, 2), dt), np.array([[2], [0]], _I32),
                      distinct(rng, (2, 2), dt, -1.9, 1.9)))
        yield Sample((distinct(rng, (3, 2), dt), np.array([[2, 1], [0, 0]], _I32),
                      distinct(rng, (2,), dt, -1.9, 1.9)))
    return samples


def scatter_errors(name, fn):
    def errors():
        t = np.ones(4, np.float32)
        yield ErrorCase((np.array([[5]], _I32), np.ones(1, np.float32), [3]) if fn is None
                        else (t, np.array([[7]], _I32), np.ones(1, np.float32)), {},
                        IndexError, r"indices\[0\] = \[.+\] does not index into shape")
        yield ErrorCase((np.array([[-1]], _I32), np.ones(1, np.float32), [3]) if fn is None
                        else (t, np.array([[-1]], _I32), np.ones(1, np.float32)), {},
                        fx.errors.InvalidArgumentError, "does not index into shape")
        yield ErrorCase((np.array([[1]], _I32), np.ones(2, np.float32), [3]) if fn is None
                        else (t, np.array([[1]], _I32), np.ones(2, np.float32)), {},
                        ValueError, "updates must have shape")
    return errors


def _scatter_entry(name, mode, unique_indices=False):
    return OpInfo(name, getattr(fx, name), tensor_scatter_ref(mode),
                  tensor_scatter_samples(unique_indices), errors=scatter_errors(name, True))


# --- roll -----------------------------------------------------------------------------------------
def roll_ref(x, shift, axis):
    return np.roll(x, shift, axis)


def roll_samples(rng, dt):
    x = rand(rng, (2, 3), dt)
    for shift, axis in [(1, 0), (-5, 1), ([1, -1], [0, 1]), ([1, 1], [1, 1]), (2, -1)]:
        yield Sample((x, shift, axis))


# --- segment ops ---------------------------------------------------------------------------------
_IDENTITY = {"max": lambda dt: np.finfo(dt).min if np.dtype(dt).kind == "f" else
             np.iinfo(dt).min,
             "min": lambda dt: np.finfo(dt).max if np.dtype(dt).kind == "f" else np.iinfo(dt).max}


def segment_ref(mode, sorted_ids):
    def ref(data, ids, num_segments=None):
        ids = np.asarray(ids)
        n = (int(ids.max()) + 1 if ids.size else 0) if sorted_ids else num_segments
        flat_ids = ids.reshape(-1)
        rows = data.reshape((flat_ids.size,) + data.shape[ids.ndim:])
        out = []
        for s in range(n):
            part = rows[flat_ids == s]
            if not len(part):
                empty = 1 if mode == "prod" else 0 if sorted_ids or mode in (
                    "sum", "mean", "sqrt_n") else _IDENTITY[mode](data.dtype)
                out.append(np.full(rows.shape[1:], empty, data.dtype))
            elif mode == "mean" and data.dtype.kind in "iu":
                out.append(np.trunc(part.sum(0) / len(part)).astype(data.dtype))
            elif mode == "sqrt_n":
                out.append(part.sum(0) / np.sqrt(len(part)))
            else:
                out.append(getattr(np, mode)(part, axis=0))
        return np.array(out, data.dtype).reshape((n,) + rows.shape[1:])
    return ref


def segment_samples(mode, sorted_ids):
    def samples(rng, dt):
        low = 0.5 if mode == "prod" else -2.0
        data = distinct(rng, (6, 2), dt, low, 2.0)
        if sorted_ids:
            yield Sample((data, np.array([0, 0, 1, 3, 3, 3], _I32)))
            yield Sample((data[:, 0], np.array([0, 2, 2, 2, 4, 5], _I32)))
            yield Sample((data[:0], np.zeros(0, _I32)))
        else:
            # (an empty segment of max/min holds the lowest/highest float: no finite
            # differences there; see the "(empty)" entries)
            yield Sample((data, np.array([1, 0, 1, 3, -1, 2], _I32), 4))
            yield Sample((data[:, 0], np.array([2, 2, 0, 2, 0, 1], _I32), 3))
            yield Sample((data.reshape(2, 3, 2), np.array([[0, 1, 0], [1, -1, 0]], _I32), 2))
        if mode == "prod":  # zeros: the gradient is still the product of the others
            zeros = np.array([0.0, 2.0, 0.0, 0.0, 1.5, 3.0], dt)
            yield Sample((zeros, np.array([0, 0, 1, 1, 2, 2], _I32))
                         + (() if sorted_ids else (3,)))
    return samples


def segment_errors(name, sorted_ids):
    def errors():
        data = np.ones(3, np.float32)
        if sorted_ids:
            yield ErrorCase((data, np.array([1, 0, 1], _I32)), {}, ValueError,
                            f"{name}: segment ids must be sorted and non-negative")
            yield ErrorCase((data, np.array([-1, 0, 1], _I32)), {},
                            fx.errors.InvalidArgumentError, "sorted and non-negative")
            yield ErrorCase((data, np.array([0, 1], _I32)), {}, ValueError, "one id per row")
        else:
            yield ErrorCase((data, np.array([0, 5, 1], _I32), 3), {}, ValueError,
                            r"segment_ids\[1\] = 5 is out of range \[0, 3\)")
    return errors


def segment(name, mode, sorted_ids, **kw):
    return OpInfo(name, getattr(fm, name), segment_ref(mode, sorted_ids),
                  segment_samples(mode, sorted_ids), errors=segment_errors(name, sorted_ids),
                  **kw)


def int_segment_samples(rng, dt):
    yield Sample((np.array([1, 2, 3, 6, -7, 4], _I32), np.array([0, 0, 2, 2, 3, 3], _I32)))


# --- unique / bincount ---------------------------------------------------------------------------
def unique_ref(x, out_idx=np.int32, counts=False):
    values, first, inverse, count = np.unique(x, return_index=True, return_inverse=True,
                                              return_counts=True)
    order = np.argsort(first, kind="stable")
    rank = np.argsort(order)
    out = (values[order], rank[inverse.reshape(-1)].astype(out_idx))
    return out + (count[order].astype(out_idx),) if counts else out


def unique_samples(rng, dt):
    yield Sample((np.array([1, 1, 2, 4, 4, 4, 7, 8, 8], dt),))  # TF: y [1 2 4 7 8]
    yield Sample((np.array([3, 1, 3, 2], dt),))  # TF: y [3 1 2], idx [0 1 0 2], count [2 1 1]
    yield Sample((np.array([], dt),))


def bincount_ref(arr, weights=None, minlength=None, maxlength=None, dtype=np.int32, axis=None,
                 binary_output=False):
    arr = np.asarray(arr)
    size = int(arr.max()) + 1 if arr.size else 0
    size = max(size, minlength) if minlength is not None else size
    size = min(size, maxlength) if maxlength is not None else size
    rows = arr.reshape(arr.shape[0] if axis == -1 else 1, -1)
    w = None if weights is None else np.asarray(weights).reshape(rows.shape)
    out = np.zeros((rows.shape[0], size), np.dtype(dtype) if w is None else w.dtype)
    for r in range(rows.shape[0]):
        for j, v in enumerate(rows[r]):
            if v < size:
                out[r, v] = 1 if binary_output else out[r, v] + (1 if w is None else w[r, j])
    return out if axis == -1 else out[0]


def bincount_samples(rng, dt):
    arr = np.array([1, 1, 3, 0], _I32)
    yield Sample((arr,))  # TF: [1 2 0 1]
    yield Sample((arr,), {"minlength": 6, "maxlength": 2})  # TF: [1 2]
    yield Sample((arr,), {"minlength": 6})
    yield Sample((arr,), {"dtype": "int64"})
    yield Sample((np.array([[1, 1], [3, 0]], _I32),), {"axis": -1})  # TF: [[0 2 0 0] [1 0 0 1]]
    yield Sample((np.array([1, 1, 3], _I32),), {"binary_output": True})  # TF: [0 1 0 1]
    yield Sample((np.zeros(0, _I32),))
    yield Sample((arr, np.array([0.5, 1.0, 2.0, 1.0], np.float32)),  # TF: float32 [1 1.5 0 2]
                 cast=False)
    yield Sample((arr, np.array([1, 2, 3, 4], _I32)))  # TF: int32 [4 3 0 3]


OPS = [
    OpInfo("scatter_nd", fx.scatter_nd, scatter_nd_ref, scatter_nd_samples,
           errors=scatter_errors("scatter_nd", None)),
    _scatter_entry("tensor_scatter_nd_update", "update", unique_indices=True),
    _scatter_entry("tensor_scatter_nd_add", "add"),
    _scatter_entry("tensor_scatter_nd_sub", "sub"),
    _scatter_entry("tensor_scatter_nd_max", "max", unique_indices=True),
    _scatter_entry("tensor_scatter_nd_min", "min", unique_indices=True),
    OpInfo("roll", fx.roll, roll_ref, roll_samples,
           errors=lambda: [ErrorCase((np.ones(3, np.float32), [1, 2], 0), {}, ValueError,
                                     "same number of entries"),
                           ErrorCase((np.ones(3, np.float32), 1, 1), {}, ValueError,
                                     "axis 1 is out of range")]),
    segment("segment_sum", "sum", True), segment("segment_mean", "mean", True),
    segment("segment_max", "max", True), segment("segment_min", "min", True),
    segment("segment_prod", "prod", True, second_order=False),
    segment("unsorted_segment_mean", "mean", False),
    segment("unsorted_segment_sqrt_n", "sqrt_n", False),
    segment("unsorted_segment_max", "max", False), segment("unsorted_segment_min", "min", False),
    segment("unsorted_segment_prod", "prod", False, second_order=False),
    OpInfo("unsorted_segment_max(empty)", fm.unsorted_segment_max, segment_ref("max", False),
           lambda rng, dt: [Sample((rand(rng, (3, 2), dt), np.array([1, 0, 1], _I32), 4))],
           grad=False),  # TF: the empty segments hold the lowest float32, -3.4028235e+38
    OpInfo("unsorted_segment_min(empty)", fm.unsorted_segment_min, segment_ref("min", False),
           lambda rng, dt: [Sample((rand(rng, (3, 2), dt), np.array([1, 0, 1], _I32), 4))],
           grad=False),
    OpInfo("segment_max(int)", fm.segment_max, segment_ref("max", True), int_segment_samples,
           dtypes=("int32",), grad=False),
    OpInfo("segment_mean(int)", fm.segment_mean, segment_ref("mean", True),  # truncates
           int_segment_samples, dtypes=("int32",), grad=False),
    OpInfo("unique", fx.unique, unique_ref, unique_samples, dtypes=("int32", "float32"),
           grad=False, out_dtype=_KEEP,
           errors=lambda: [ErrorCase((np.ones((1, 2), np.int32),), {}, ValueError,
                                     r"unique: expects a vector \(rank 1\)")]),
    OpInfo("unique_with_counts", fx.unique_with_counts,
           lambda x, out_idx=np.int32: unique_ref(x, out_idx, True),
           lambda rng, dt: [Sample((np.array([3, 1, 3, 2], dt),)),
                            Sample((np.array([3, 1, 3, 2], dt),), {"out_idx": "int64"})],
           dtypes=("int32",), grad=False, out_dtype=_KEEP),
    OpInfo("bincount", fm.bincount, bincount_ref, bincount_samples, dtypes=("int32",),
           grad=False, out_dtype=_KEEP,
           errors=lambda: [ErrorCase((np.array([1, -1], _I32),), {},
                                     fx.errors.InvalidArgumentError,
                                     "bincount: the values must be non-negative")]),
]
