"""OpInfo entries for the array ops: shapes, indexing, gather/scatter, padding, sorting."""
import numpy as np

import fluxion as fx
from fluxion.ops import index_ops as ao
from fluxion.ops import shape_ops

from .opinfo import ErrorCase, OpInfo, Sample, distinct, rand

_KEEP = lambda dt: None  # noqa: E731  (the result dtype is the reference's)
_INT32 = lambda dt: np.int32  # noqa: E731
_F2 = ("float32", "float64")


def values(rng, shape, dtype):
    if np.dtype(dtype).kind in "iu":
        return rng.integers(-9, 9, shape).astype(dtype)
    return rand(rng, shape, dtype)


def grad_of(f):
    """`x -> d/dx sum(f(x, ...) ** 2)`: reaches the gradient-only primitives (and their vjps)."""
    def fn(x, *args, **kwargs):
        with fx.GradientTape() as tape:
            tape.watch(x)
            y = fx.reduce_sum(fx.square(f(x, *args, **kwargs)))
        return tape.gradient(y, x)
    return fn


# --- reshape, broadcast_to, transpose, expand_dims, squeeze ---------------------------------------
def reshape_samples(rng, dt):
    for shape, new in [((2, 3), (3, 2)), ((2, 3), (-1,)), ((2, 3, 4), [4, -1]), ((), (1, 1)),
                       ((6,), fx.constant([2, 3])), ((0, 3), (3, -1)), ((2, 3), (2, 3))]:
        yield Sample((values(rng, shape, dt), new))


def broadcast_samples(rng, dt):
    for shape, new in [((3,), (2, 3)), ((2, 1), (2, 4)), ((), (3,)), ((1, 3), [2, 2, 3])]:
        yield Sample((values(rng, shape, dt), new))


def transpose_samples(rng, dt):
    yield Sample((values(rng, (2, 3), dt),))
    yield Sample((values(rng, (2, 3, 4), dt),), {"perm": [1, 2, 0]})
    yield Sample((values(rng, (2, 3, 4), dt),), {"perm": (2, -3, 1)})
    yield Sample((values(rng, (), dt),))


def transpose_ref(x, perm=None):
    return np.transpose(x, None if perm is None else [p % x.ndim for p in perm])


def expand_samples(rng, dt):
    for shape, axis in [((3,), 0), ((3,), -1), ((2, 3), 1), ((), 0), ((2, 3), -3)]:
        yield Sample((values(rng, shape, dt), axis))


def squeeze_samples(rng, dt):
    yield Sample((values(rng, (1, 3, 1), dt),))
    yield Sample((values(rng, (1, 3, 1), dt),), {"axis": -1})
    yield Sample((values(rng, (1, 3, 1), dt),), {"axis": [0, 2]})
    yield Sample((values(rng, (2, 3), dt),))


def squeeze_ref(x, axis=None):
    return np.squeeze(x, axis=tuple(axis) if isinstance(axis, list) else axis)


# --- where, concat, stack, split -----------------------------------------------------------------
def select_samples(rng, dt):
    for sc, sx, sy in [((3,), (3,), (3,)), ((2, 3), (3,), (2, 1)), ((), (2,), (2,)),
                       ((2, 1), (1, 3), ())]:
        yield Sample((rng.uniform(size=sc) > 0.5, values(rng, sx, dt), values(rng, sy, dt)))
    yield Sample((np.array([True, False]), values(rng, (2,), dt), 0.5))


def where_indices_samples(rng, dt):
    for shape in [(5,), (3, 4), (), (0, 2)]:
        yield Sample((rng.uniform(size=shape) > 0.5,))
    yield Sample((np.array([[1.0, 0.0], [0.0, 2.0]], dt) != 0,))


def concat_samples(rng, dt):
    for sa, sb, axis in [((2, 3), (4, 3), 0), ((2, 3), (2, 1), 1), ((2, 3), (2, 2), -1),
                         ((0, 3), (2, 3), 0)]:
        yield Sample((values(rng, sa, dt), values(rng, sb, dt), axis))


def stack_samples(rng, dt):
    for shape, axis in [((3,), 0), ((3,), 1), ((2, 3), -1), ((), 0)]:
        yield Sample((values(rng, shape, dt), values(rng, shape, dt), axis))


def split_samples(rng, dt):
    yield Sample((values(rng, (6, 2), dt), 3))
    yield Sample((values(rng, (6, 2), dt), [1, 5]))
    yield Sample((values(rng, (2, 5), dt), [2, -1, 1]), {"axis": 1})
    yield Sample((values(rng, (2, 4), dt), 2), {"axis": -1})


def split_ref(x, parts, axis=0):
    n = x.shape[axis]
    if isinstance(parts, int):
        return np.split(x, parts, axis)
    parts = [n - (sum(parts) + 1) if p == -1 else p for p in parts]
    return np.split(x, np.cumsum(parts)[:-1], axis)


# --- creation ------------------------------------------------------------------------------------
def fill_samples(rng, dt):
    yield Sample(((2, 3), values(rng, (), dt)))
    yield Sample(([4], values(rng, (), dt)))
    yield Sample(((), values(rng, (), dt)))


def zeros_samples(rng, dt):
    for shape in (3, [2, 3], (2, 0), fx.TensorShape([2, 2]), fx.constant([1, 2]), ()):
        yield Sample((shape,), {"dtype": dt.name})


def zeros_ref(fill):
    return lambda shape, dtype: np.full(np.asarray(shape).tolist(), fill, dtype)


def like_samples(rng, dt):
    yield Sample((values(rng, (2, 3), dt),))
    yield Sample((values(rng, (), dt),))
    yield Sample((values(rng, (2,), dt),), {"dtype": "int32"})


def like_ref(fill):
    return lambda x, dtype=None: np.full_like(x, fill, dtype=dtype)


def unary_shapes(rng, dt):
    for shape in [(), (3,), (2, 3), (0, 2)]:
        yield Sample((values(rng, shape, dt),))


def range_samples(rng, dt):
    for args, kw in [((5,), {}), ((1, 7, 2), {}), ((5.0,), {}), ((1, 2, 0.25), {}),
                     ((5, 1, -1), {}), ((3,), {"dtype": "float32"}), ((0,), {}),
                     ((fx.constant(2), 5), {}), ((1, 2.5, 0.5), {"dtype": "float64"})]:
        yield Sample(args, kw)


def range_ref(start, limit=None, delta=1, dtype=None):
    start, limit, delta = (np.asarray(v).item() if v is not None else None
                           for v in (start, limit, delta))
    if limit is None:
        start, limit = 0, start
    if dtype is None:
        dtype = np.float32 if any(isinstance(v, float) for v in (start, limit, delta)) \
            else np.int32
    return np.arange(start, limit, delta).astype(dtype)


def linspace_samples(rng, dt):
    yield Sample((np.array(1.0, dt), np.array(3.0, dt), 5))
    yield Sample((rand(rng, (2,), dt), rand(rng, (2,), dt), 4))
    yield Sample((rand(rng, (2,), dt), rand(rng, (2,), dt), 3), {"axis": -1})
    yield Sample((rand(rng, (2, 1), dt), rand(rng, (3,), dt), 2), {"axis": 1})
    yield Sample((np.array(2.0, dt), np.array(0.0, dt), 1))


def ensure_shape_samples(rng, dt):
    yield Sample((values(rng, (2, 3), dt), [None, 3]))
    yield Sample((values(rng, (2, 3), dt), [2, 3]))
    yield Sample((values(rng, (), dt), []))
    yield Sample((values(rng, (0, 2), dt), None))


def eye_samples(rng, dt):
    for args, kw in [((3,), {}), ((2, 4), {}), ((3, 2), {"batch_shape": [2]}),
                     ((2,), {"dtype": "int32"}), ((0,), {})]:
        yield Sample(args, kw)


def eye_ref(n, m=None, batch_shape=None, dtype="float32"):
    out = np.eye(n, m, dtype=dtype)
    return np.broadcast_to(out, tuple(batch_shape or ()) + out.shape)


# --- indexing ------------------------------------------------------------------------------------
def _keys(rng):
    return [
        ((3, 4), 1), ((3, 4), -1), ((3, 4), (1, 2)), ((3, 4), (-1, -4)), ((3, 4), slice(1, 3)),
        ((3, 4), (slice(None), slice(None, None, -2))), ((3, 4), slice(-1, 0, -1)),
        ((3, 4), slice(2, 1)), ((3, 4), slice(-10, 10)), ((2, 3, 4), (Ellipsis, 1)),
        ((2, 3, 4), (0, Ellipsis)), ((2, 3, 4), (slice(None), Ellipsis, slice(1, None))),
        ((3, 4), (None, 0)), ((3, 4), (slice(None), None, 2)), ((3, 4), None), ((), ()),
        ((), None), ((), Ellipsis), ((3, 4), [0, 2, 2]), ((3, 4), [[0, 1], [2, 0]]),
        ((3, 4), (np.array([0, 2, 0]), slice(1, 4))), ((3, 4), (slice(None), [3, 0, 3])),
        ((3, 4), ([0, 2], [1, 1])), ((3, 4), ([[0], [2]], [1, 3])),
        ((3, 4), rng.uniform(size=(3, 4)) > 0.5), ((3, 4), np.array([True, False, True])),
        ((3, 4), (slice(None), np.array([False, True, True, False]))),
        ((2, 3, 4), (np.array([0, 1]), slice(None), np.array([1, 2]))),  # separated: dims first
        ((2, 3, 4), (slice(None), np.array([0, 2]), np.array([1, 3]))),
        ((2, 3, 4), (1, slice(None), [0, 3])),  # an int among arrays counts as an array
        ((2, 3, 4), (Ellipsis, None, [1, 1])), ((3, 4), (fx.constant(1), fx.constant([0, 3]))),
        ((3, 4), slice(fx.constant(1), None)), ((3, 4), np.int64(2)), ((3, 4), [])
    ]


def getitem_samples(rng, dt):
    for shape, key in _keys(rng):
        yield Sample((values(rng, shape, dt), key))
    yield Sample((values(rng, (3, 4), dt), np.array([2, 0, 2])))   # an index tensor
    yield Sample((values(rng, (3, 4), dt), rng.uniform(size=(3,)) > 0.3))  # a mask tensor
    yield Sample((values(rng, (4,), dt), True))


def _np_key(key):
    if isinstance(key, tuple):
        return tuple(_np_key(k) for k in key)
    if isinstance(key, slice):
        return slice(*(None if v is None else int(np.asarray(v)) for v in
                       (key.start, key.stop, key.step)))
    if isinstance(key, fx.Tensor):
        return np.asarray(key)
    if isinstance(key, list) and not key:
        return np.array([], np.intp)
    return key


def getitem_ref(x, key):
    return x[_np_key(key)]


def getitem_grad_ref(x, key):
    out = np.zeros_like(x)
    np.add.at(out, _np_key(key), 2 * x[_np_key(key)])
    return out


def getitem_grad_samples(rng, dt):
    for shape, key in [((3, 4), (1, slice(None, None, -1))), ((3, 4), [0, 2, 2, 0]),
                       ((3, 4), (slice(None), [3, 0, 3])), ((2, 3, 4), (Ellipsis, None, 1)),
                       ((3, 4), np.array([[True, False, True, True]] * 3))]:
        yield Sample((rand(rng, shape, dt), key))


def getitem_errors():
    x = np.ones((3, 4), np.float32)
    return [ErrorCase((x, 5), {}, IndexError,
                      r"getitem: index 5 is out of range for axis 0 of size 3"),
            ErrorCase((x, (0, -5)), {}, IndexError, r"index -5 .* axis 1 of size 4"),
            ErrorCase((x, (0, 0, 0)), {}, IndexError, "too many indices"),
            ErrorCase((x, 1.5), {}, TypeError, "getitem"),
            ErrorCase((x, np.array([True, False])), {}, IndexError, "boolean mask"),
            ErrorCase((x, [0, 3]), {}, IndexError, "getitem"),
            ErrorCase((x, slice(None, None, 0)), {}, ValueError, "step"),
            ErrorCase((x, (Ellipsis, Ellipsis)), {}, IndexError, "ellipsis")]


# --- gather and friends --------------------------------------------------------------------------
def gather_samples(rng, dt):
    yield Sample((values(rng, (5, 3), dt), np.array([4, 0, 4], np.int32)))
    yield Sample((values(rng, (5, 3), dt), np.array([[2, 1], [0, 2]], np.int64)), {"axis": 1})
    yield Sample((values(rng, (5, 3), dt), np.array(3, np.int32)), {"axis": -2})
    yield Sample((values(rng, (4,), dt), np.zeros((0,), np.int32)))
    yield Sample((values(rng, (2, 4, 3), dt), rng.integers(0, 4, (2, 5)).astype(np.int32)),
                 {"batch_dims": 1})
    yield Sample((values(rng, (2, 3, 4), dt), rng.integers(0, 4, (2, 2)).astype(np.int32)),
                 {"axis": 2, "batch_dims": -1})
    yield Sample((values(rng, (2, 3, 4), dt), rng.integers(0, 3, (2, 4, 2)).astype(np.int32)),
                 {"axis": 1, "batch_dims": 1})


def gather_ref(params, indices, axis=None, batch_dims=0):
    if batch_dims < 0:
        batch_dims += indices.ndim
    axis = batch_dims if axis is None else axis % params.ndim
    if batch_dims == 0:
        return np.take(params, indices, axis=axis)
    return np.stack([gather_ref(p, i, axis - 1, batch_dims - 1)
                     for p, i in zip(params, indices)])


def gather_errors():
    p = np.ones((3, 2), np.float32)
    return [ErrorCase((p, np.array([3], np.int32)), {}, IndexError, r"gather.*= 3 is not in"),
            ErrorCase((p, np.array([-1], np.int32)), {}, IndexError, r"gather.*= -1"),
            ErrorCase((p, np.array([-1], np.int64)), {}, IndexError, r"gather.*= -1"),
            ErrorCase((p, np.array([0.0])), {}, TypeError, "gather"),
            ErrorCase((p, np.array([0], np.int32)), {"axis": 2}, ValueError, "axis 2"),
            ErrorCase((p, np.array([[0]], np.int32)), {"axis": 0, "batch_dims": 1}, ValueError,
                      "batch_dims")]


def segment_samples(rng, dt):
    yield Sample((values(rng, (5, 3), dt), np.array([0, 2, 0, -1, 1], np.int32), 3))
    yield Sample((values(rng, (2, 3), dt), np.array([[3, 0, 3], [1, 1, 0]], np.int64), 4))
    yield Sample((values(rng, (4,), dt), np.array([1, 1, 1, 1], np.int32), 2))
    yield Sample((values(rng, (0, 2), dt), np.zeros((0,), np.int32), 2))


def segment_ref(data, ids, num):
    out = np.zeros((num,) + data.shape[ids.ndim:], data.dtype)
    for pos in np.ndindex(*ids.shape):
        if ids[pos] >= 0:
            out[ids[pos]] += data[pos]
    return out


def gather_nd_samples(rng, dt):
    yield Sample((values(rng, (3, 4), dt), np.array([[1, 0], [2, 3], [1, 0]], np.int32)))
    yield Sample((values(rng, (3, 4), dt), np.array([[2], [0], [2]], np.int64)))
    yield Sample((values(rng, (2, 3, 4), dt), np.array([[[1, 2]], [[0, 0]]], np.int32)))
    yield Sample((values(rng, (2, 3, 4), dt), np.array([[[1], [2]], [[0], [0]]], np.int32)),
                 {"batch_dims": 1})
    yield Sample((values(rng, (2, 3), dt), np.zeros((2, 0), np.int32)))


def gather_nd_ref(params, indices, batch_dims=0):
    if batch_dims:
        return np.stack([gather_nd_ref(p, i, batch_dims - 1) for p, i in zip(params, indices)])
    out = np.empty(indices.shape[:-1] + params.shape[indices.shape[-1]:], params.dtype)
    for pos in np.ndindex(*indices.shape[:-1]):
        out[pos] = params[tuple(indices[pos])]
    return out


def boolean_mask_samples(rng, dt):
    yield Sample((values(rng, (4, 3), dt), np.array([True, False, True, True])))
    yield Sample((values(rng, (4, 3), dt), rng.uniform(size=(4, 3)) > 0.5))
    yield Sample((values(rng, (2, 3, 2), dt), np.array([False, True, True])), {"axis": 1})
    yield Sample((values(rng, (3,), dt), np.zeros(3, bool)))


def boolean_mask_ref(x, mask, axis=None):
    axis = axis or 0
    return x[(slice(None),) * axis + (mask,)]


# --- one_hot, tile, pad, reverse, repeat ---------------------------------------------------------
def one_hot_samples(rng, dt):
    yield Sample((np.array([0, 2, 5, -1], np.int32), 3))
    yield Sample((np.array([[0, 1], [2, 0]], np.int64), 3), {"axis": 0})
    yield Sample((np.array([1, 0], np.int32), 2), {"on_value": 5, "off_value": -1})
    yield Sample((np.array([1, 0], np.int32), 3), {"on_value": 2.0, "axis": -1})
    yield Sample((np.array(1, np.int32), 4), {"dtype": "float64"})


def one_hot_ref(indices, depth, on_value=None, off_value=None, axis=None, dtype=None):
    given = on_value if on_value is not None else off_value
    dtype = dtype or (np.int32 if isinstance(given, int) else np.float32)
    out = np.zeros(indices.shape + (depth,), dtype) + (0 if off_value is None else off_value)
    for pos in np.ndindex(*indices.shape):
        if 0 <= indices[pos] < depth:
            out[pos + (indices[pos],)] = 1 if on_value is None else on_value
    return out if axis in (None, -1) else np.moveaxis(out, -1, axis)


def tile_samples(rng, dt):
    for shape, mult in [((2, 3), [2, 1]), ((2, 3), (1, 3)), ((3,), [2]), ((), []),
                        ((2, 0), [2, 2]), ((2, 1, 2), fx.constant([1, 2, 2]))]:
        yield Sample((values(rng, shape, dt), mult))


def pad_samples(rng, dt):
    x = values(rng, (3, 4), dt)
    yield Sample((x, [[1, 2], [0, 1]]))
    yield Sample((x, [[1, 0], [2, 2]]), {"constant_values": 2})
    yield Sample((x, [[2, 1], [3, 0]]), {"mode": "REFLECT"})
    yield Sample((x, [[3, 2], [0, 4]]), {"mode": "symmetric"})
    yield Sample((values(rng, (), dt), []))


def pad_ref(x, paddings, mode="CONSTANT", constant_values=0):
    if not paddings:
        return x
    if mode == "CONSTANT":
        return np.pad(x, paddings, constant_values=constant_values)
    return np.pad(x, paddings, mode=mode.lower())


def pad_grad_ref(x, paddings, mode="CONSTANT"):
    """d/dx sum(pad(x) ** 2), from where each padded element comes from."""
    source = np.arange(x.size).reshape(x.shape)
    if mode == "CONSTANT":
        source, padded = np.pad(source, paddings, constant_values=-1), np.pad(x, paddings)
    else:
        source = np.pad(source, paddings, mode=mode.lower())
        padded = np.pad(x, paddings, mode=mode.lower())
    keep = source >= 0
    grad = np.bincount(source[keep], weights=2 * padded[keep], minlength=x.size)
    return grad.reshape(x.shape).astype(x.dtype)


def pad_grad_samples(rng, dt):
    x = rand(rng, (3, 4), dt)
    for p, mode in [([[1, 2], [0, 1]], "CONSTANT"), ([[2, 1], [3, 0]], "REFLECT"),
                    ([[3, 2], [0, 4]], "SYMMETRIC")]:
        yield Sample((x, p, mode))


def pad_errors():
    x = np.ones((3, 4), np.float32)
    return [ErrorCase((x, [[1, 1]]), {}, ValueError, "pad: paddings must be 2 pairs"),
            ErrorCase((x, [[3, 0], [0, 0]]), {"mode": "REFLECT"}, ValueError, "at most 2"),
            ErrorCase((x, [[4, 0], [0, 0]]), {"mode": "SYMMETRIC"}, ValueError, "at most 3"),
            ErrorCase((x, [[1, 0], [-1, 0]]), {}, ValueError, "non-negative"),
            ErrorCase((x, [[1, 0], [0, 0]]), {"mode": "WRAP"}, ValueError, "mode")]


def reverse_samples(rng, dt):
    for shape, axis in [((3, 4), [0]), ((3, 4), [1]), ((3, 4), [0, 1]), ((2, 3, 4), [-1, 0]),
                        ((3,), 0), ((3, 4), [])]:
        yield Sample((values(rng, shape, dt), axis))


def repeat_samples(rng, dt):
    yield Sample((values(rng, (2, 3), dt), 2))
    yield Sample((values(rng, (2, 3), dt), [1, 0, 3]), {"axis": 1})
    yield Sample((values(rng, (2, 3), dt), [2, 1]), {"axis": 0})
    yield Sample((values(rng, (3,), dt), [2]), {"axis": -1})


def repeat_ref(x, repeats, axis=None):
    return np.repeat(x, repeats, axis=axis)


# --- sorting -------------------------------------------------------------------------------------
def sort_samples(rng, dt):
    for shape, kw in [((5,), {}), ((3, 4), {}), ((3, 4), {"axis": 0}),
                      ((2, 3, 4), {"axis": 1, "direction": "DESCENDING"}),
                      ((3, 4), {"direction": "DESCENDING"}), ((0, 3), {})]:
        yield Sample((distinct(rng, shape, dt),), kw)


def sort_ref(x, axis=-1, direction="ASCENDING"):
    out = np.sort(x, axis=axis)
    return np.flip(out, axis) if direction == "DESCENDING" else out


def argsort_samples(rng, dt):
    yield from sort_samples(rng, dt)
    ties = np.array([[2.0, 1.0, 2.0, 1.0, 3.0]], dt)
    yield Sample((ties,), {"stable": True})
    yield Sample((ties,), {"direction": "DESCENDING", "stable": True})


def argsort_ref(x, axis=-1, direction="ASCENDING", stable=False):
    if direction == "DESCENDING":  # stable descending: ties in their original order
        n = x.shape[axis]
        return (n - 1 - np.flip(np.argsort(np.flip(x, axis), axis, kind="stable"), axis)) \
            .astype(np.int32)
    return np.argsort(x, axis, kind="stable").astype(np.int32)


def top_k_samples(rng, dt):
    yield Sample((distinct(rng, (6,), dt),), {"k": 3})
    yield Sample((distinct(rng, (3, 5), dt),), {"k": 5})
    yield Sample((distinct(rng, (2, 2, 4), dt),))
    yield Sample((np.array([1.0, 3.0, 1.0, 3.0], dt),), {"k": 3}, grad_args=())


def top_k_ref(x, k=1, sorted=True):
    order = argsort_ref(x, direction="DESCENDING")[..., :k]
    return np.take_along_axis(x, order, axis=-1), order


# --- slice and unstack ----------------------------------------------------------------------------
def slice_samples(rng, dt):
    for shape, begin, size in [((3, 4), [1, 0], [2, 3]), ((3, 4), [0, 2], [-1, -1]),
                               ((2, 3, 4), (1, 1, 1), (1, 2, 0)), ((5,), [4], [1])]:
        yield Sample((values(rng, shape, dt), begin, size))


def slice_ref(x, begin, size):
    return x[tuple(slice(b, None if s == -1 else b + s) for b, s in zip(begin, size))]


def unstack_samples(rng, dt):
    yield Sample((values(rng, (3, 2), dt),))
    yield Sample((values(rng, (3, 2), dt),), {"axis": 1})
    yield Sample((values(rng, (2, 3, 2), dt),), {"axis": -2, "num": 3})
    yield Sample((values(rng, (4,), dt),))


def unstack_ref(x, num=None, axis=0):
    return [np.take(x, i, axis=axis) for i in range(x.shape[axis])]


def _err(name, args, kw, error=ValueError, match=""):
    return ErrorCase(args, kw, error, match or name)


_M = np.ones((2, 3), np.float32)

OPS = [
    OpInfo("reshape", fx.reshape, lambda x, s: np.reshape(x, np.asarray(s).tolist()),
           reshape_samples, dtypes=_F2 + ("int32",),
           errors=lambda: [_err("reshape", (_M, (4,)), {}, match=r"reshape: cannot reshape a "
                                r"tensor of shape \(2, 3\) \(6 elements\) into shape \(4,\)"),
                           _err("reshape", (_M, (-1, -1)), {}),
                           _err("reshape", (_M, (4, -1)), {}, match="not a multiple")]),
    OpInfo("broadcast_to", fx.broadcast_to, lambda x, s: np.broadcast_to(x, s),
           broadcast_samples,
           errors=lambda: [_err("broadcast_to", (_M, (3, 3)), {})]),
    OpInfo("transpose", fx.transpose, transpose_ref, transpose_samples, dtypes=_F2 + ("int32",),
           errors=lambda: [_err("transpose", (_M, [0, 0]), {}, match="not a permutation")]),
    OpInfo("expand_dims", fx.expand_dims, np.expand_dims, expand_samples,
           errors=lambda: [_err("expand_dims", (_M, 3), {}, match="out of range")]),
    OpInfo("squeeze", fx.squeeze, squeeze_ref, squeeze_samples,
           errors=lambda: [_err("squeeze", (_M, 0), {}, match="not 1"),
                           _err("squeeze", (_M, 4), {}, match="out of range")]),
    OpInfo("where", fx.where, np.where, select_samples,
           errors=lambda: [_err("where", (np.array([True]), _M, np.ones(4, np.float32)), {}),
                           _err("where", (np.array([1.0]), 1.0, 0.0), {}, TypeError),
                           _err("where", (np.array([True]), 1.0), {})]),
    OpInfo("where(indices)", fx.where, lambda c: np.argwhere(c).astype(np.int64),
           where_indices_samples, dtypes=("bool",), grad=False, out_dtype=_KEEP),
    OpInfo("concat", lambda *xs_axis: fx.concat(list(xs_axis[:-1]), xs_axis[-1]),
           lambda a, b, axis: np.concatenate([a, b], axis), concat_samples,
           errors=lambda: [_err("concat", (_M, np.ones((2, 2), np.float32), 0), {},
                                match=r"concat: value 1 has shape \(2, 2\)"),
                           _err("concat", (_M, _M, 2), {}, match="out of range"),
                           _err("concat", (1.0, 2.0, 0), {}, match="scalars"),
                           _err("concat", (0,), {}, match="non-empty")]),
    OpInfo("concat(one)", lambda a: fx.concat([a], 0), lambda a: a,
           lambda rng, dt: [Sample((values(rng, (2,), dt),))]),
    OpInfo("stack", lambda *xs_axis: fx.stack(list(xs_axis[:-1]), xs_axis[-1]),
           lambda a, b, axis: np.stack([a, b], axis), stack_samples,
           errors=lambda: [_err("stack", (_M, np.ones(2, np.float32), 0), {}),
                           _err("stack", (_M, _M, 3), {}, match="out of range")]),
    OpInfo("split", fx.split, split_ref, split_samples,
           errors=lambda: [_err("split", (_M, 4), {"axis": 1}, match="equal"),
                           _err("split", (_M, [1, 1]), {"axis": 1}, match="add up")]),
    OpInfo("fill", fx.fill, lambda dims, v: np.full(dims, v), fill_samples,
           errors=lambda: [_err("fill", ((2,), np.ones(2, np.float32)), {}, match="scalar")]),
    OpInfo("zeros", fx.zeros, zeros_ref(0), zeros_samples, dtypes=_F2 + ("int32", "bool"),
           grad=False),
    OpInfo("ones", fx.ones, zeros_ref(1), zeros_samples, dtypes=_F2 + ("int32",), grad=False),
    OpInfo("zeros_like", fx.zeros_like, like_ref(0), like_samples, grad=False, out_dtype=_KEEP),
    OpInfo("ones_like", fx.ones_like, like_ref(1), like_samples, grad=False, out_dtype=_KEEP),
    OpInfo("identity", fx.identity, lambda x: x, unary_shapes, dtypes=_F2 + ("int32",)),
    # stop_gradient's gradient is zero by design, unlike finite differences: see test_tape.py.
    OpInfo("stop_gradient", fx.stop_gradient, lambda x: x, unary_shapes, grad=False),
    OpInfo("getitem", ao.getitem, getitem_ref, getitem_samples, dtypes=_F2 + ("int32",),
           errors=getitem_errors),
    OpInfo("getitem(square)", lambda x, key: fx.square(x[key]),
           lambda x, key: np.square(getitem_ref(x, key)), getitem_grad_samples),
    OpInfo("getitem_grad", grad_of(ao.getitem), getitem_grad_ref, getitem_grad_samples),
    OpInfo("gather", fx.gather, gather_ref, gather_samples, dtypes=_F2 + ("int32",),
           errors=gather_errors),
    OpInfo("gather(square)", lambda p, i, **kw: fx.square(fx.gather(p, i, **kw)),
           lambda p, i, **kw: np.square(gather_ref(p, i, **kw)),
           lambda rng, dt: list(gather_samples(rng, dt))[::3]),
    OpInfo("unsorted_segment_sum", ao.unsorted_segment_sum, segment_ref, segment_samples,
           dtypes=_F2 + ("int32",),
           errors=lambda: [_err("unsorted_segment_sum", (_M, np.array([0, 2], np.int32), 2), {},
                                IndexError, "unsorted_segment_sum.*= 2 is not in"),
                           _err("unsorted_segment_sum", (_M, np.array([0, 1, 0], np.int32), 2),
                                {}, match="prefix")]),
    OpInfo("unsorted_segment_sum(square)",
           lambda d, i, n: ao.unsorted_segment_sum(fx.square(d), i, n),
           lambda d, i, n: segment_ref(np.square(d), i, n), segment_samples),
    OpInfo("gather_nd", fx.gather_nd, gather_nd_ref, gather_nd_samples, dtypes=_F2 + ("int32",),
           errors=lambda: [_err("gather_nd", (_M, np.array([[2, 0]], np.int32)), {}, IndexError,
                                r"gather_nd.*= 2 is not in \[0, 2\)"),
                           _err("gather_nd", (_M, np.array([[0, 0, 0]], np.int32)), {},
                                match="do not fit")]),
    OpInfo("gather_nd(square)", lambda p, i, **kw: fx.square(fx.gather_nd(p, i, **kw)),
           lambda p, i, **kw: np.square(gather_nd_ref(p, i, **kw)),
           lambda rng, dt: list(gather_nd_samples(rng, dt))[::3]),
    OpInfo("boolean_mask", fx.boolean_mask, boolean_mask_ref, boolean_mask_samples,
           dtypes=_F2 + ("int32",),
           errors=lambda: [_err("boolean_mask", (_M, np.array([True, False, True])), {}),
                           _err("boolean_mask", (_M, np.array([1, 0])), {}, TypeError)]),
    OpInfo("one_hot", fx.one_hot, one_hot_ref, one_hot_samples, dtypes=("int32",), grad=False,
           out_dtype=_KEEP,
           errors=lambda: [_err("one_hot", (np.array([0.0, 1.0]), 2), {}, TypeError),
                           _err("one_hot", (np.array([0, 1]), 2), {"axis": 3})]),
    OpInfo("tile", fx.tile, lambda x, m: np.tile(x, np.asarray(m).tolist()), tile_samples,
           dtypes=_F2 + ("int32",),
           errors=lambda: [_err("tile", (_M, [2]), {}, match="multiples must be 2")]),
    OpInfo("pad", fx.pad, pad_ref, pad_samples, dtypes=_F2 + ("int32",), errors=pad_errors),
    OpInfo("pad_grad", grad_of(fx.pad), pad_grad_ref, pad_grad_samples),
    OpInfo("reverse", fx.reverse, lambda x, axis: np.flip(x, axis), reverse_samples,
           dtypes=_F2 + ("int32",),
           errors=lambda: [_err("reverse", (_M, [2]), {}, match="out of range")]),
    OpInfo("repeat", fx.repeat, repeat_ref, repeat_samples, dtypes=_F2 + ("int32",),
           errors=lambda: [_err("repeat", (_M, [1, 2]), {"axis": 1}),
                           _err("repeat", (_M, -1), {"axis": 1})]),
    OpInfo("sort", fx.sort, sort_ref, sort_samples, dtypes=_F2 + ("int32",),
           errors=lambda: [_err("sort", (_M,), {"direction": "UP"}, match="direction"),
                           _err("sort", (_M,), {"axis": 2}, match="out of range")]),
    OpInfo("argsort", fx.argsort, argsort_ref, argsort_samples, grad=False, out_dtype=_INT32,
           errors=lambda: [_err("argsort", (np.array([True]),), {}, TypeError)]),
    OpInfo("math.top_k", ao.top_k, top_k_ref, top_k_samples, out_dtype=_KEEP,
           errors=lambda: [_err("top_k", (_M,), {"k": 4}, match="k=4")]),
    OpInfo("slice", fx.slice, slice_ref, slice_samples, dtypes=_F2 + ("int32",),
           errors=lambda: [_err("slice", (_M, [1, 1], [2, 1]), {}, match="out of range"),
                           _err("slice", (_M, [0], [1]), {}, match="2 entries")]),
    OpInfo("unstack", fx.unstack, unstack_ref, unstack_samples,
           errors=lambda: [_err("unstack", (_M,), {"num": 3})]),
    OpInfo("range", fx.range, range_ref, range_samples, dtypes=("int32",), grad=False,
           out_dtype=_KEEP, errors=lambda: [_err("range", (0, 5, 0), {}, match="delta"),
                                            _err("range", ([1, 2],), {}),
                                            _err("range", (5, 1), {}, match="start must be <="),
                                            _err("range", (5.0, 1.0), {}, match="range"),
                                            _err("range", (1, 5, -1), {}, match=">= limit")]),
    OpInfo("linspace", fx.linspace, lambda a, b, num, axis=0: np.linspace(a, b, num, axis=axis),
           linspace_samples,
           errors=lambda: [_err("linspace", (0.0, 1.0, 0), {}, match="positive"),
                           _err("linspace", (np.array([False]), np.array([True]), 3), {},
                                TypeError)]),
    OpInfo("eye", fx.eye, eye_ref, eye_samples, dtypes=("float32",), grad=False,
           out_dtype=_KEEP, errors=lambda: [_err("eye", (-1,), {})]),
    OpInfo("shape", fx.shape, lambda x: np.array(x.shape, np.int32), unary_shapes, grad=False,
           out_dtype=_INT32),
    OpInfo("size", fx.size, lambda x: np.int32(x.size), unary_shapes, grad=False,
           out_dtype=_INT32),
    OpInfo("rank", fx.rank, lambda x: np.int32(x.ndim), unary_shapes, grad=False,
           out_dtype=_INT32),
    OpInfo("ensure_shape", shape_ops.ensure_shape, lambda x, shape: x, ensure_shape_samples,
           dtypes=_F2 + ("int32",),
           errors=lambda: [_err("ensure_shape", (_M, [None, 4]), {}, match="not compatible"),
                           _err("ensure_shape", (_M, [2]), {}, match="expected shape")]),
]
