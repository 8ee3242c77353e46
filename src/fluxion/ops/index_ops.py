"""Indexing and gathering: `x[key]`, gather/gather_nd, boolean_mask, segment sums, sorting,
top_k, slice and unstack.

Each gather-like primitive's gradient is a scatter primitive whose own gradient gathers again,
so second derivatives work.
"""
from collections import namedtuple

import numpy as np

from ..core import dtypes
from ..core.tensor import SymbolicTensor, Tensor, convert_to_tensor, wrap
from ..core.variable import Variable
from ..kernels import compiled
from ..kernels import indexing as K
from . import rules
from .array_ops import (
    _int_arg,
    _range,
    _shape_arg,
    _slice,
    _static,
    reshape,
    split,
    transpose,
    where,
    zeros_like,
)
from .array_ops import shape as shape_of
from .math_ops import _static_axis, add, cast, greater_equal, reduce_sum, unary_arg
from .registry import OpDef, Spec, bind

# Exported at the top level of `fluxion` (top_k and unsorted_segment_sum live in fluxion.math).
__all__ = [
    "argmax", "argmin", "argsort", "boolean_mask", "gather", "gather_nd", "slice", "sort",
    "unstack",
]

# --- indexing: x[key] ----------------------------------------------------------------------------
def _getitem_infer(x, *arrays, key):
    return Spec(K.index_shape("getitem", tuple(x.shape), key.items,
                              [(a.shape, a.dtype) for a in arrays]), x.dtype)


def _getitem_vjp(g, x, *rest, key):
    arrays, shape = rest[:-1], tuple(x.shape)
    if None in shape:  # traced with unknown dims: the shape is also given at run time
        arrays += (shape_of(x),)
    return (bind(_GETITEM_GRAD, g, *arrays, key=key, shape=shape),) + \
        (None,) * len(rest[:-1])


def _getitem_grad_vjp(gg, g, *rest, key, shape):
    arrays = rest[:-2] if None in shape else rest[:-1]
    return (bind(_GETITEM, gg, *arrays, key=key),) + (None,) * (len(rest) - 1)


def _getitem_grad_kernel(g, *arrays, key, shape):
    if None in shape:  # the indexed tensor's shape, given at run time as the last input
        arrays, shape = arrays[:-1], tuple(arrays[-1].tolist())
    return K.scatter_into(g, arrays, key, shape)


_GETITEM = OpDef("getitem", lambda x, *arrays, key: x[key.resolve(arrays)], _getitem_infer,
                 _getitem_vjp)
# The transpose of getitem: scatters a cotangent into zeros of the indexed tensor's shape
# (`shape`, static; where it has None dims, the full shape is the last input).
_GETITEM_GRAD = OpDef("getitem_grad", _getitem_grad_kernel,
                      lambda g, *arrays, key, shape: Spec(shape, g.dtype), _getitem_grad_vjp)
_BASIC = frozenset((int, type(None), type(Ellipsis)))
_BOUND = frozenset((int, type(None)))


def _bound(value):
    if type(value) in _BOUND:
        return value
    if isinstance(value, (Tensor, Variable, np.ndarray, np.generic)) and \
            np.ndim(value) == 0 and np.asarray(value).dtype.kind in "iu":
        return int(np.asarray(value))
    raise TypeError(f"getitem: slice bounds must be integers or None, received {value!r}.")


def _index_array(k):
    if isinstance(k, (Tensor, Variable)):
        t = convert_to_tensor(k)
    else:
        a = np.asarray(k)
        if a.size == 0 and a.dtype.kind == "f":  # x[[]] selects nothing, as NumPy
            a = a.astype(np.intp)
        t = wrap(a)
    kind = t._value.dtype.kind
    if kind not in "iub":
        raise TypeError(f"getitem: only integers, slices (`:`), ellipsis (`...`), None (newaxis) "
                        f"and integer or boolean arrays are valid indices; received {k!r}.")
    return t


def _index_key(key):
    """Splits a key into static items and index-array tensors (see kernels.indexing.IndexKey)."""
    items, arrays = [], []
    for k in key:
        t = type(k)
        if t in _BASIC:
            items.append(k)
        elif t is _slice:
            items.append(_slice(_bound(k.start), _bound(k.stop), _bound(k.step)))
        elif isinstance(k, np.integer):
            items.append(int(k))
        elif t is float or isinstance(k, np.floating):
            raise TypeError(f"getitem: indices must be integers, not float; received {k!r}. "
                            "Cast it with int().")
        else:
            a = _index_array(k)
            if a._value.ndim == 0 and a._value.dtype.kind in "iu" and \
                    not isinstance(a, SymbolicTensor):  # else an index known at run time
                items.append(int(a._value))
            else:
                items.append(K.ArrayRef(len(arrays)))
                arrays.append(a)
    return tuple(items), arrays


def getitem(tensor, key):
    """`tensor[key]` with NumPy's basic and advanced indexing (what `Tensor.__getitem__` calls).

    Args:
        tensor: the tensor to index.
        key: ints, slices (with steps, negative bounds), `...`, None (newaxis), boolean masks and
            integer arrays (lists, NumPy arrays or tensors), alone or in a tuple.

    Raises:
        IndexError: for an index out of range, too many indices or a mask of the wrong shape.

    Example:
    >>> x = fluxion.reshape(fluxion.range(6), (2, 3))
    >>> x[:, ::-1][0]
    <tf.Tensor: shape=(3,), dtype=int32, numpy=array([2, 1, 0], dtype=int32)>
    """
    x = tensor if type(tensor) is Tensor else convert_to_tensor(tensor)
    if type(key) is not tuple:
        key = (key,)
    for k in key:  # the common x[0], x[:, 1:3]: no conversion needed
        t = type(k)
        if t in _BASIC or t is _slice and type(k.start) in _BOUND and type(k.stop) in _BOUND \
                and type(k.step) in _BOUND and k.step != 0:
            continue
        items, arrays = _index_key(key)
        return bind(_GETITEM, x, *arrays, key=K.IndexKey(items, bool(arrays)))
    return bind(_GETITEM, x, key=K.IndexKey(key))


# --- gather and scatter --------------------------------------------------------------------------


def _gather_infer(params, indices, axis, batch_dims):
    rules.check_dtype("gather", indices.dtype, "iu", "indices")
    p, i = tuple(params.shape), tuple(indices.shape)
    if i[:batch_dims] != p[:batch_dims] and None not in p[:batch_dims] + i[:batch_dims]:
        raise ValueError(f"gather: with batch_dims={batch_dims}, the first {batch_dims} "
                         f"dimensions of params {p} and indices {i} must be equal.")
    return Spec(p[:axis] + i[batch_dims:] + p[axis + 1:], params.dtype)


def _permute(x, perm):
    return x if perm == tuple(_range(len(perm))) else transpose(x, perm)


def _gather_vjp(g, params, indices, out, axis, batch_dims):
    p, ishape = tuple(params.shape), tuple(indices.shape)
    if None in p + ishape and not batch_dims:  # traced with unknown dims: getitem's transpose
        key = K.IndexKey((_slice(None),) * axis + (K.ArrayRef(0),), True)
        return bind(_GETITEM_GRAD, g, indices, shape_of(params), key=key, shape=p), None
    b, q, r = batch_dims, axis - batch_dims, len(ishape) - batch_dims
    batch, pre, post, n = p[:b], p[b:axis], p[axis + 1:], p[axis]
    nb = int(np.prod(batch, dtype=np.int64))
    # g: batch + pre + I + post  ->  (batch + I) flattened + pre + post, summed into rows.
    g = _permute(g, tuple(_range(b)) + tuple(_range(b + q, b + q + r)) + tuple(_range(b, b + q))
                 + tuple(_range(b + q + r, len(g.shape))))
    g = reshape(g, (int(np.prod(ishape, dtype=np.int64)),) + pre + post)
    ids = indices
    if b:
        offsets = (np.arange(nb) * n).reshape(batch + (1,) * r)
        ids = add(ids, offsets.astype(indices.dtype.as_numpy_dtype))
    summed = unsorted_segment_sum(g, reshape(ids, (-1,)), nb * n)
    summed = reshape(summed, batch + (n,) + pre + post)
    return _permute(summed, tuple(_range(b)) + tuple(_range(b + 1, b + 1 + q)) + (b,) +
                    tuple(_range(b + 1 + q, len(p)))), None


_GATHER = OpDef("gather", lambda p, i, axis, batch_dims: K.gather(p, i, axis, batch_dims),
                _gather_infer, _gather_vjp, out_kernel=K.gather)


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    """Gathers slices of `params` along `axis` at `indices`.

    The result has shape `params.shape[:axis] + indices.shape[batch_dims:] +
    params.shape[axis + 1:]`. As on TensorFlow's CPU, an index outside `[0, params.shape[axis])`
    (negative ones included) is an error.

    Args:
        params: the tensor to gather from.
        indices: an integer tensor of indices into `axis`.
        axis: the axis to gather along (default: `batch_dims`).
        batch_dims: the number of leading batch dimensions params and indices share.

    Raises:
        IndexError: for an index out of range.

    Example:
    >>> fluxion.gather([10.0, 20.0, 30.0], [2, 0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([30., 10.], dtype=float32)>
    """
    p = params if type(params) is Tensor else convert_to_tensor(params)
    i = indices if type(indices) is Tensor and indices._value.dtype.kind in "iu" else \
        _int_arg("gather", indices, "indices")
    rank_p, rank_i = p._value.ndim, i._value.ndim
    if axis is None and batch_dims == 0 and rank_p:  # the common case
        return bind(_GATHER, p, i, axis=0, batch_dims=0)
    batch_dims = int(_static(batch_dims))
    if batch_dims < 0:
        batch_dims += rank_i
    axis = batch_dims if axis is None else int(_static(axis))
    (axis,) = rules.normalize_axis("gather", axis, rank_p)
    if not 0 <= batch_dims <= min(axis, rank_i):
        raise ValueError(f"gather: batch_dims={batch_dims} must be in [0, min(axis={axis}, "
                         f"rank of indices={rank_i})].")
    return bind(_GATHER, p, i, axis=axis, batch_dims=batch_dims)


def _segment_infer(data, ids, num_segments):
    rules.check_dtype("unsorted_segment_sum", ids.dtype, "iu", "segment_ids")
    d, i = tuple(data.shape), tuple(ids.shape)
    if d[:len(i)] != i:
        raise ValueError(f"unsorted_segment_sum: segment_ids of shape {i} must be a prefix of "
                         f"the shape of data, {d}.")
    return Spec((num_segments,) + d[len(i):], data.dtype)


def _segment_vjp(g, data, ids, out, num_segments):
    keep = greater_equal(ids, 0)
    picked = gather(g, where(keep, ids, zeros_like(ids)))
    extra = len(data.shape) - len(ids.shape)
    mask = reshape(cast(keep, g.dtype), tuple(ids.shape) + (1,) * extra)
    return picked * mask, None


_SEGMENT_SUM = OpDef("unsorted_segment_sum", K.unsorted_segment_sum, _segment_infer,
                     _segment_vjp, out_kernel=K.unsorted_segment_sum)


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """Sums the slices of `data` by segment id into `num_segments` rows (`tf.math`).

    Negative ids are dropped; ids `>= num_segments` are an error.

    Example:
    >>> fluxion.math.unsorted_segment_sum([1.0, 2.0, 3.0], [1, 0, 1], 2)
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([2., 4.], dtype=float32)>
    """
    data = convert_to_tensor(data)
    ids = _int_arg("unsorted_segment_sum", segment_ids, "segment_ids")
    return bind(_SEGMENT_SUM, data, ids, num_segments=int(_static(num_segments)))


def _gather_nd_infer(params, indices, batch_dims):
    rules.check_dtype("gather_nd", indices.dtype, "iu", "indices")
    p, i = tuple(params.shape), tuple(indices.shape)
    m = i[-1] if i else None
    if m is None or batch_dims + m > len(p) or len(i) <= batch_dims or \
            (i[:batch_dims] != p[:batch_dims] and None not in p[:batch_dims] + i[:batch_dims]):
        raise ValueError(f"gather_nd: indices of shape {i} do not fit params of shape {p} with "
                         f"batch_dims={batch_dims}: the last dimension of indices ({m}) plus "
                         "batch_dims must be at most the rank of params, and batch dimensions "
                         "must match.")
    return Spec(i[:-1] + p[batch_dims + m:], params.dtype)


def _gather_nd_vjp(g, params, indices, out, batch_dims):
    p = tuple(params.shape)
    m = indices.shape[-1]
    dims, rest = p[batch_dims:batch_dims + m], p[batch_dims + m:]
    nb, nd = int(np.prod(p[:batch_dims], dtype=np.int64)), int(np.prod(dims, dtype=np.int64))
    strides = np.array([int(np.prod(dims[j + 1:], dtype=np.int64)) for j in _range(m)],
                       dtype=indices.dtype.as_numpy_dtype)
    linear = reduce_sum(indices * strides, axis=-1)
    if batch_dims:
        lead = len(indices.shape) - 1 - batch_dims
        offsets = (np.arange(nb) * nd).reshape(p[:batch_dims] + (1,) * lead)
        linear = add(linear, offsets.astype(indices.dtype.as_numpy_dtype))
    summed = unsorted_segment_sum(reshape(g, (-1,) + rest), reshape(linear, (-1,)), nb * nd)
    return reshape(summed, p), None


_GATHER_ND = OpDef("gather_nd", K.gather_nd, _gather_nd_infer, _gather_nd_vjp)


def gather_nd(params, indices, batch_dims=0, name=None):
    """Gathers elements or slices of `params` at the coordinates in the last axis of `indices`.

    The result has shape `indices.shape[:-1] + params.shape[batch_dims + indices.shape[-1]:]`.

    Raises:
        IndexError: for a coordinate out of range.

    Example:
    >>> fluxion.gather_nd([[1.0, 2.0], [3.0, 4.0]], [[1, 0], [0, 1]])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([3., 2.], dtype=float32)>
    """
    p = convert_to_tensor(params)
    i = _int_arg("gather_nd", indices, "indices")
    return bind(_GATHER_ND, p, i, batch_dims=int(_static(batch_dims)))


def boolean_mask(tensor, mask, axis=None, name=None):
    """Keeps the entries of `tensor` where `mask` is True; the mask covers dims `axis..`.

    Example:
    >>> fluxion.boolean_mask([1.0, 2.0, 3.0], [True, False, True])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 3.], dtype=float32)>
    """
    x, m = convert_to_tensor(tensor), convert_to_tensor(mask)
    if m._value.dtype.kind != "b":
        rules.check_dtype("boolean_mask", m._value.dtype, "b", "mask")
    shape, k = x._value.shape, m._value.ndim
    axis = 0 if axis is None else int(_static(axis))
    axis = axis + len(shape) if axis < 0 else axis
    if k == 0 or len(shape[axis:axis + k]) != k or any(
            a != b and None not in (a, b) for a, b in zip(shape[axis:axis + k], m._value.shape)):
        raise ValueError(f"boolean_mask: the mask's shape {m._value.shape} must equal "
                         f"dimensions {axis}..{axis + k - 1} of the tensor's shape {shape} "
                         "(and the mask must have rank >= 1).")
    masked, kept = shape[axis:axis + k], [*_range(axis), *_range(axis + k, len(shape))]
    runtime = shape_of(x) if None in shape[:axis] + shape[axis + k:] else None
    dims = [shape[d] if shape[d] is not None else runtime[d] for d in kept]
    dims.insert(axis, -1 if None in masked else int(np.prod(masked, dtype=np.int64)))
    flat = reshape(x, dims)
    return gather(flat, reshape(where(reshape(m, (-1,))), (-1,)), axis=axis)



# --- argmax / argmin ------------------------------------------------------------------------------
def _arg_infer(name):
    def infer(x, axis=0, output_type=np.int64):
        rules.normalize_axis(name, axis, len(x.shape))
        return Spec(rules.reduced_shape(tuple(x.shape), (axis,), False), np.dtype(output_type))
    return infer


def _arg_kernel(np_arg, skip):
    """The kernel of argmax (`np.argmax`, NaN read as `skip` = -inf) or argmin (+inf).

    As TensorFlow, NaN never wins (an all-NaN row gives index 0). NumPy's argmax returns the
    first NaN instead, so an input whose sum is NaN (any NaN, or rarely inf - inf) is redone
    with NaN replaced; the sum is a third of the cost of gathering the chosen values back."""
    def kernel(x, axis=0, output_type=np.int64):
        fast = compiled.kernel("argmax_rows", x.dtype) if np_arg is np.argmax else None
        if fast is not None and axis == x.ndim - 1 and x.flags.c_contiguous and x.size:
            out = np.empty(x.shape[:-1], np.int64)
            fast(x.reshape(-1, x.shape[-1]), out.reshape(-1))
            return out.astype(output_type, copy=False)
        out = np_arg(x, axis)
        if x.dtype.kind == "f" and np.isnan(np.add.reduce(x, axis=None)):
            out = np_arg(np.where(np.isnan(x), skip, x), axis)
        return out.astype(output_type, copy=False)
    return kernel


_ARGMAX = OpDef("argmax", _arg_kernel(np.argmax, -np.inf), _arg_infer("argmax"))
_ARGMIN = OpDef("argmin", _arg_kernel(np.argmin, np.inf), _arg_infer("argmin"))


def _arg_reduce(op, input, axis, output_type):
    x = unary_arg(op.name, input, "biuf")
    axis = 0 if axis is None else int(_static_axis(axis))
    (axis,) = rules.normalize_axis(op.name, axis, x._value.ndim)
    if x._value.shape[axis] == 0:
        raise ValueError(f"{op.name}: cannot reduce the empty axis {axis} of shape "
                         f"{tuple(x._value.shape)}.")
    return bind(op, x, axis=axis, output_type=dtypes.as_dtype(output_type)._np.type)


def argmax(input, axis=None, output_type=dtypes.int64, name=None):
    """Index of the largest value along `axis` (default 0), as int64.

    Example:
    >>> fluxion.math.argmax([[1.0, 5.0], [3.0, 2.0]], axis=1)
    <tf.Tensor: shape=(2,), dtype=int64, numpy=array([1, 0])>
    """
    return _arg_reduce(_ARGMAX, input, axis, output_type)


def argmin(input, axis=None, output_type=dtypes.int64, name=None):
    """Index of the smallest value along `axis` (default 0), as int64.

    Example:
    >>> fluxion.math.argmin([[1.0, 5.0], [3.0, 2.0]], axis=1)
    <tf.Tensor: shape=(2,), dtype=int64, numpy=array([0, 1])>
    """
    return _arg_reduce(_ARGMIN, input, axis, output_type)


# --- sorting -------------------------------------------------------------------------------------
_ARGSORT = OpDef("argsort", lambda x, axis, descending:
                 K.argsort(x, axis, descending).astype(np.int32),
                 lambda x, axis, descending: Spec(tuple(x.shape), np.dtype(np.int32)))


def _sort_args(op_name, values, axis, direction):
    x = convert_to_tensor(values)
    if x._value.dtype.kind not in "iuf":
        rules.check_dtype(op_name, x._value.dtype, "iuf", "values")
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f"{op_name}: direction must be 'ASCENDING' or 'DESCENDING', received "
                         f"{direction!r}.")
    (axis,) = rules.normalize_axis(op_name, int(_static(axis)), x._value.ndim)
    return x, axis, direction == "DESCENDING"


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """The int32 indices that sort `values` along `axis` (ties keep their order).

    Example:
    >>> fluxion.argsort([3.0, 1.0, 2.0])
    <tf.Tensor: shape=(3,), dtype=int32, numpy=array([1, 2, 0], dtype=int32)>
    """
    x, axis, descending = _sort_args("argsort", values, axis, direction)
    return bind(_ARGSORT, x, axis=axis, descending=descending)


def _take_along_last(x, order):
    return gather(x, order, axis=-1, batch_dims=x._value.ndim - 1)


def sort(values, axis=-1, direction="ASCENDING", name=None):
    """Sorts `values` along `axis`.

    Example:
    >>> fluxion.sort([3.0, 1.0, 2.0], direction="DESCENDING")
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([3., 2., 1.], dtype=float32)>
    """
    x, axis, descending = _sort_args("sort", values, axis, direction)
    last = x._value.ndim - 1
    perm = tuple(_range(axis)) + tuple(_range(axis + 1, last + 1)) + (axis,)
    xt = _permute(x, perm)
    out = _take_along_last(xt, bind(_ARGSORT, xt, axis=last, descending=descending))
    return _permute(out, tuple(np.argsort(perm).tolist()))


TopKV2 = namedtuple("TopKV2", ["values", "indices"])


def top_k(input, k=1, sorted=True, index_type=dtypes.int32, name=None):
    """The `k` largest entries along the last axis and their int32 indices (`tf.math.top_k`).

    Example:
    >>> fluxion.math.top_k([1.0, 3.0, 2.0], k=2).indices
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([1, 2], dtype=int32)>
    """
    x, _, _ = _sort_args("top_k", input, -1, "DESCENDING")
    k = int(_static(k))
    n = x._value.shape[-1]
    if not 0 <= k <= n:
        raise ValueError(f"top_k: k={k} must be in [0, {n}] (the size of the last axis of "
                         f"shape {x._value.shape}).")
    order = getitem(bind(_ARGSORT, x, axis=x._value.ndim - 1, descending=True),
                    (Ellipsis, _slice(None, k)))
    return TopKV2(_take_along_last(x, order), cast(order, index_type))


# --- slicing and unstacking ----------------------------------------------------------------------
def slice(input_, begin, size, name=None):  # noqa: A001 - TensorFlow's public name
    """Extracts the block starting at `begin` of extent `size` (-1: to the end of the axis).

    Example:
    >>> fluxion.slice([1, 2, 3, 4], [1], [2])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([2, 3], dtype=int32)>
    """
    x = convert_to_tensor(input_)
    shape = x._value.shape
    begin, size = _shape_arg("slice", begin), _shape_arg("slice", size)
    if len(begin) != len(shape) or len(size) != len(shape):
        raise ValueError(f"slice: begin {list(begin)} and size {list(size)} must each have "
                         f"{len(shape)} entries (the rank of shape {shape}).")
    key = []
    for axis, (b, s, n) in enumerate(zip(begin, size, shape)):
        s = n - b if s == -1 else s
        if b < 0 or s < 0 or b + s > n:
            raise ValueError(f"slice: begin {b} with size {s} is out of range for axis {axis} "
                             f"of size {n} (shape {shape}).")
        key.append(_slice(b, b + s))
    return getitem(x, tuple(key))


def unstack(value, num=None, axis=0, name=None):
    """Splits `value` along `axis` into a list of tensors of one rank less.

    Example:
    >>> [t.numpy() for t in fluxion.unstack([[1, 2], [3, 4]])]
    [array([1, 2], dtype=int32), array([3, 4], dtype=int32)]
    """
    x = convert_to_tensor(value)
    shape = x._value.shape
    (axis,) = rules.normalize_axis("unstack", int(_static(axis)), len(shape))
    n = shape[axis]
    if num is not None and int(num) != n:
        raise ValueError(f"unstack: num={num} does not match axis {axis} of size {n}.")
    if n == 0:
        return []
    rest = shape[:axis] + shape[axis + 1:]
    return [reshape(part, rest) for part in split(x, n, axis=axis)]
