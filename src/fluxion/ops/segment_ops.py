"""Segment reductions, `unique` and `bincount` (`tf.math.segment_sum`, `tf.unique`, ...).

Primitives: segment_reduce (sum, max, min or prod over segments: sorted ids, or unsorted ids with
a given number of segments), unique and bincount. Means are sums divided by counts. Gradients are
written with gather and segment sums, as TensorFlow's, so they are differentiable again.
"""
from collections import namedtuple

import numpy as np

from ..core import dtypes
from ..core.errors import InvalidArgumentValueError
from ..core.tensor import Tensor, convert_to_tensor
from . import rules
from .array_ops import _int_arg, _static, ones_like, reshape, where, zeros_like
from .index_ops import gather, unsorted_segment_sum
from .math_ops import cast, divide, equal, greater_equal, maximum, not_equal, rsqrt
from .registry import OpDef, Spec, bind

# Exported at the top level of `fluxion` (the segment ops and bincount live in `fluxion.math`).
__all__ = ["unique", "unique_with_counts"]

_UFUNCS = {"sum": np.add, "max": np.maximum, "min": np.minimum, "prod": np.multiply}


def _op_name(mode, num_segments):
    return f"{'unsorted_' if num_segments >= 0 else ''}segment_{mode}"


# --- segment_reduce ------------------------------------------------------------------------------
def _segment_kernel(data, ids, mode, num_segments):
    """Reduces the rows of `data` by segment id. `num_segments` -1: the ids must be sorted and
    non-negative, there are `ids[-1] + 1` segments and an empty one is 0; otherwise negative ids
    are dropped and an empty segment holds the reduction's identity (the lowest value for max)."""
    _check_ids(_op_name(mode, num_segments), ids, num_segments)
    if num_segments < 0:
        n = int(ids[-1]) + 1 if ids.size else 0
    else:
        n = num_segments
        keep = ids >= 0
        if not keep.all():
            data, ids = data[keep], ids[keep]
    if mode in ("max", "min"):
        info = np.finfo(data.dtype) if data.dtype.kind == "f" else np.iinfo(data.dtype)
        init = info.min if mode == "max" else info.max
    else:
        init = 1 if mode == "prod" else 0
    out = np.full((n,) + data.shape[1:], init, data.dtype)
    _UFUNCS[mode].at(out, ids, data)
    if num_segments < 0 and mode in ("max", "min"):
        out[np.bincount(ids, minlength=n) == 0] = 0
    return out


def _check_ids(name, ids, num_segments):
    """Raises unless the ids (an array) are sorted and non-negative (num_segments -1), or else
    below num_segments."""
    if not ids.size:
        return
    if num_segments < 0:
        if ids[0] < 0 or (ids[1:] < ids[:-1]).any():
            raise InvalidArgumentValueError(
                f"{name}: segment ids must be sorted and non-negative, received "
                f"{ids.tolist()}. Use unsorted_{name} for unsorted ids.")
    elif ids.max() >= num_segments:
        i = np.unravel_index(int(np.argmax(ids >= num_segments)), ids.shape)
        raise InvalidArgumentValueError(
            f"{name}: segment_ids[{', '.join(map(str, i))}] = {ids[i]} is out of range "
            f"[0, {num_segments}).")


def _segment_infer(data, ids, mode, num_segments):
    name = _op_name(mode, num_segments)
    rules.check_dtype(name, data.dtype, "iuf", "data")
    rules.check_dtype(name, ids.dtype, "iu", "segment_ids")
    d, i = tuple(data.shape), tuple(ids.shape)
    if len(i) != 1 or not d or (d[0] != i[0] and None not in (d[0], i[0])):
        raise ValueError(f"{name}: segment_ids must be a vector with one id per row of data, "
                         f"received shapes {i} (segment_ids) and {d} (data).")
    return Spec((None if num_segments < 0 else num_segments,) + d[1:], data.dtype)


def _gather_rows(values, ids, like):
    """values[ids] broadcast over the rows of `like`; rows with a negative id get 0."""
    keep = greater_equal(ids, 0)
    picked = gather(values, where(keep, ids, zeros_like(ids)))
    mask = reshape(cast(keep, like.dtype), tuple(ids.shape) + (1,) * (len(like.shape) - 1))
    return picked * mask


def _segment_sum_like(data, ids, mode, num_segments):
    if num_segments < 0:
        return bind(_SEGMENT_REDUCE, data, ids, mode="sum", num_segments=-1)
    return unsorted_segment_sum(data, ids, num_segments)


def _segment_vjp(g, data, ids, out, mode, num_segments):
    if mode == "sum":
        return _gather_rows(g, ids, data), None
    if mode in ("max", "min"):  # the gradient goes to the values equal to the result, split
        chosen = cast(equal(data, _gather_rows(out, ids, data)), g.dtype)
        chosen = _gather_rows(ones_like(out), ids, data) * chosen  # dropped rows: none chosen
        count = _segment_sum_like(chosen, ids, mode, num_segments)
        return chosen * _gather_rows(divide(g, maximum(count, 1)), ids, data), None
    # prod: the product of the others; with one zero in a segment, the product of the non-zero
    # values goes to the zero; with more zeros, everything gets 0 (TensorFlow's rule).
    zero = equal(data, 0)
    zeros = _segment_sum_like(cast(zero, g.dtype), ids, mode, num_segments)
    nonzero_prod = bind(_SEGMENT_REDUCE, where(zero, ones_like(data), data), ids, mode="prod",
                        num_segments=num_segments)
    others = where(zero, _gather_rows(nonzero_prod * cast(equal(zeros, 1), g.dtype), ids, data),
                   divide(_gather_rows(out, ids, data), where(zero, ones_like(data), data)))
    return _gather_rows(g, ids, data) * others, None


_SEGMENT_REDUCE = OpDef("segment_reduce", _segment_kernel, _segment_infer, _segment_vjp)


def _segment_args(op_name, data, segment_ids, num_segments):
    x = convert_to_tensor(data)
    ids = _int_arg(op_name, segment_ids, "segment_ids")
    if num_segments is None:
        d, i = tuple(x._value.shape), tuple(ids._value.shape)
        if len(i) != 1 or not d or (d[0] != i[0] and None not in (d[0], i[0])):
            raise InvalidArgumentValueError(
                f"{op_name}: segment_ids must be a vector with one id per row of data, "
                f"received shapes {i} (segment_ids) and {d} (data).")
        return x, ids, -1
    n = int(_static(num_segments))
    if n < 0:
        raise ValueError(f"{op_name}: num_segments must be non-negative, received {n}.")
    k = ids._value.ndim
    if k != 1 and tuple(x._value.shape[:k]) == tuple(ids._value.shape):  # ids over leading axes
        x = reshape(x, (-1,) + tuple(x._value.shape[k:]))
        ids = reshape(ids, (-1,))
    elif k and tuple(x._value.shape[:k]) != tuple(ids._value.shape):
        raise ValueError(f"{op_name}: segment_ids of shape {tuple(ids._value.shape)} must be a "
                         f"prefix of the shape of data, {tuple(x._value.shape)}.")
    return x, ids, n


def _reduce(mode, data, segment_ids, num_segments=None):
    name = _op_name(mode, -1 if num_segments is None else 0)
    x, ids, n = _segment_args(name, data, segment_ids, num_segments)
    return bind(_SEGMENT_REDUCE, x, ids, mode=mode, num_segments=n)


def _mean(data, segment_ids, num_segments=None, sqrt_n=False):
    """segment sum / count (or / sqrt(count)); an empty segment is 0."""
    name = "segment_mean" if num_segments is None else \
        "unsorted_segment_" + ("sqrt_n" if sqrt_n else "mean")
    x, ids, n = _segment_args(name, data, segment_ids, num_segments)
    if type(ids) is Tensor:  # eager: check here, so that the error names this op
        _check_ids(name, ids._value, n)
    total = _segment_sum_like(x, ids, "sum", n)
    count = _segment_sum_like(ones_like(ids), ids, "sum", n)
    count = reshape(count, tuple(count.shape)[:1] + (1,) * (len(x.shape) - 1))
    if x.dtype.is_integer:  # integer means truncate, as TensorFlow's
        return cast(divide(total, maximum(cast(count, x.dtype), 1)), x.dtype)
    count = cast(count, x.dtype)
    nonzero = not_equal(count, 0)
    safe = where(nonzero, count, ones_like(count))
    return total * (rsqrt(safe) if sqrt_n else 1 / safe)


def _doc(name, summary, example, unsorted):
    ids = ("`segment_ids` (any shape, a prefix of data's; negative ids are dropped) into "
           "`num_segments` rows" if unsorted else
           "`segment_ids` (one sorted, non-negative id per row) into `segment_ids[-1] + 1` rows")
    return (f"{summary} of the rows of `data` by {ids}.\n\nRaises:\n    ValueError: for "
            f"{'an id >= num_segments' if unsorted else 'unsorted or negative ids'} (an "
            f"InvalidArgumentError).\n\nExample:\n>>> fluxion.math.{name}{example}\n")


def segment_sum(data, segment_ids, name=None):
    return _reduce("sum", data, segment_ids)


def segment_max(data, segment_ids, name=None):
    return _reduce("max", data, segment_ids)


def segment_min(data, segment_ids, name=None):
    return _reduce("min", data, segment_ids)


def segment_prod(data, segment_ids, name=None):
    return _reduce("prod", data, segment_ids)


def segment_mean(data, segment_ids, name=None):
    return _mean(data, segment_ids)


def unsorted_segment_max(data, segment_ids, num_segments, name=None):
    return _reduce("max", data, segment_ids, num_segments)


def unsorted_segment_min(data, segment_ids, num_segments, name=None):
    return _reduce("min", data, segment_ids, num_segments)


def unsorted_segment_prod(data, segment_ids, num_segments, name=None):
    return _reduce("prod", data, segment_ids, num_segments)


def unsorted_segment_mean(data, segment_ids, num_segments, name=None):
    return _mean(data, segment_ids, num_segments)


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None):
    return _mean(data, segment_ids, num_segments, sqrt_n=True)


_SORTED_EX = "([1.0, 2.0, 3.0, 5.0], [0, 0, 2, 2])"
_UNSORTED_EX = "([1.0, 2.0, 3.0, 5.0], [1, 0, 1, -1], 3)"
for _fn, _summary, _out in [
        (segment_sum, "Sums", "[3., 0., 8.]"), (segment_max, "The maximum", "[2., 0., 5.]"),
        (segment_min, "The minimum", "[1., 0., 3.]"), (segment_prod, "The product",
                                                         "[ 2.,  1., 15.]"),
        (segment_mean, "The mean (an empty segment is 0)", "[1.5, 0. , 4. ]"),
        (unsorted_segment_max, "The maximum (an empty segment is the lowest value)", None),
        (unsorted_segment_min, "The minimum (an empty segment is the highest value)", None),
        (unsorted_segment_prod, "The product (an empty segment is 1)", "[2., 3., 1.]"),
        (unsorted_segment_mean, "The mean (an empty segment is 0)", "[2., 2., 0.]"),
        (unsorted_segment_sqrt_n, "The sum divided by sqrt(count) (empty: 0)",
         "[2.      , 2.828427, 0.      ]")]:
    _unsorted = _fn.__name__.startswith("unsorted")
    _fn.__doc__ = _doc(_fn.__name__, _summary, _UNSORTED_EX if _unsorted else _SORTED_EX,
                       _unsorted)
    if _out is not None:
        _fn.__doc__ += (f"<tf.Tensor: shape=(3,), dtype=float32, numpy=array({_out}, "
                        "dtype=float32)>\n")


# --- unique --------------------------------------------------------------------------------------
def _unique_kernel(x, out_idx, counts):
    values, first, inverse, count = np.unique(x, return_index=True, return_inverse=True,
                                              return_counts=True)
    order = np.argsort(first, kind="stable")  # in order of first appearance, as TensorFlow
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    out = (values[order], rank[inverse.reshape(-1)].astype(out_idx))
    return out + (count[order].astype(out_idx),) if counts else out


def _unique_infer(x, out_idx, counts):
    name = "unique_with_counts" if counts else "unique"
    if len(x.shape) != 1:
        raise ValueError(f"{name}: expects a vector (rank 1), received shape {tuple(x.shape)}. "
                         "Reshape it with fluxion.reshape(x, [-1]).")
    idx = Spec(tuple(x.shape), np.dtype(out_idx))
    out = (Spec((None,), x.dtype), idx)
    return out + (Spec((None,), np.dtype(out_idx)),) if counts else out


_UNIQUE = OpDef("unique", _unique_kernel, _unique_infer, num_outputs=None)
Unique = namedtuple("Unique", ["y", "idx"])
UniqueWithCounts = namedtuple("UniqueWithCounts", ["y", "idx", "count"])


def _unique(name, x, out_idx, counts):
    x = convert_to_tensor(x)
    out_idx = dtypes.as_dtype(out_idx)
    if out_idx not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"{name}: out_idx must be int32 or int64, received {out_idx.name}.")
    if x._value.ndim != 1:
        _UNIQUE.infer(Spec(x._value.shape, x._value.dtype), out_idx=out_idx._np.type,
                      counts=counts)
    return bind(_UNIQUE, x, out_idx=out_idx._np.type, counts=counts)


def unique(x, out_idx=dtypes.int32, name=None):
    """The distinct values of vector `x` in order of first appearance, and for each element of
    `x` the index of its value among them (`x == y[idx]`).

    Example:
    >>> y, idx = fluxion.unique([3, 1, 3, 2])
    >>> y.numpy(), idx.numpy()
    (array([3, 1, 2], dtype=int32), array([0, 1, 0, 2], dtype=int32))
    """
    return Unique(*_unique("unique", x, out_idx, False))


def unique_with_counts(x, out_idx=dtypes.int32, name=None):
    """`unique`, and how many times each distinct value appears (`count`).

    Example:
    >>> fluxion.unique_with_counts([3, 1, 3, 2]).count.numpy()
    array([2, 1, 1], dtype=int32)
    """
    return UniqueWithCounts(*_unique("unique_with_counts", x, out_idx, True))


# --- bincount ------------------------------------------------------------------------------------
def _bincount_kernel(arr, *weights, minlength, maxlength, binary_output, per_row, dtype):
    if arr.size and arr.min() < 0:
        raise InvalidArgumentValueError(
            f"bincount: the values must be non-negative, received {arr.min()}.")
    size = int(arr.max()) + 1 if arr.size else 0
    size = max(size, minlength) if minlength >= 0 else size
    size = min(size, maxlength) if maxlength >= 0 else size
    w = weights[0] if weights else None
    out_dtype = w.dtype if w is not None else np.dtype(dtype)
    rows = arr.reshape(arr.shape[0] if per_row else 1, -1)
    out = np.zeros((rows.shape[0], size), out_dtype)
    keep = rows < size
    row_ids = np.broadcast_to(np.arange(rows.shape[0])[:, None], rows.shape)
    if binary_output:
        out[row_ids[keep], rows[keep]] = 1
    else:
        values = 1 if w is None else w.reshape(rows.shape)[keep]
        np.add.at(out, (row_ids[keep], rows[keep]), values)
    return out if per_row else out[0]


def _bincount_infer(arr, *weights, minlength, maxlength, binary_output, per_row, dtype):
    rules.check_dtype("bincount", arr.dtype, "iu", "arr")
    if weights and tuple(weights[0].shape) != tuple(arr.shape):
        raise ValueError(f"bincount: weights must have the shape of arr, {tuple(arr.shape)}, "
                         f"received {tuple(weights[0].shape)}.")
    out_dtype = weights[0].dtype if weights else np.dtype(dtype)
    return Spec((arr.shape[0], None) if per_row else (None,), out_dtype)


_BINCOUNT = OpDef("bincount", _bincount_kernel, _bincount_infer)


def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=dtypes.int32, name=None,
             axis=None, binary_output=False):
    """Counts the occurrences of each value in the non-negative integer tensor `arr`.

    The result has `max(arr) + 1` bins (at least `minlength`, at most `maxlength`; larger values
    are dropped). With `weights` (the shape of `arr`) each occurrence adds its weight and the
    result has the weights' dtype; `binary_output` marks presence with 1.

    Args:
        axis: None or 0 counts over all of `arr`; -1 counts each row of a 2-D `arr`.

    Raises:
        ValueError: for a negative value in `arr` (an InvalidArgumentError).

    Example:
    >>> fluxion.math.bincount([1, 1, 3, 0])
    <tf.Tensor: shape=(4,), dtype=int32, numpy=array([1, 2, 0, 1], dtype=int32)>
    """
    a = convert_to_tensor(arr)
    if a._value.dtype.kind == "f":  # TensorFlow casts float values to int32
        a = cast(a, dtypes.int32)
    a = _int_arg("bincount", a, "arr")
    axis = None if axis is None else int(_static(axis))
    if axis not in (None, 0, -1) or (axis == -1 and a._value.ndim != 2):
        raise ValueError(f"bincount: axis must be None, 0 or -1 (with a 2-D arr), received "
                         f"axis={axis} for arr of rank {a._value.ndim}.")
    inputs = [a]
    if weights is not None:
        inputs.append(convert_to_tensor(weights))
    return bind(_BINCOUNT, *inputs, minlength=-1 if minlength is None else int(minlength),
                maxlength=-1 if maxlength is None else int(maxlength),
                binary_output=bool(binary_output), per_row=axis == -1,
                dtype=dtypes.as_dtype(dtype)._np.type)
