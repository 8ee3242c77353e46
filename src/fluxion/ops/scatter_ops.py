"""Scattering and rolling: `tf.scatter_nd`, `tf.tensor_scatter_nd_update` (and `_add`, `_sub`,
`_max`, `_min`) and `tf.roll`.

Primitives: scatter_nd, tensor_scatter_nd (one op, its `mode` attribute says how an update
combines with the value it lands on) and roll. Their gradients gather with `gather_nd` (whose own
gradient scatters again), so second derivatives work.
"""
import numpy as np

from ..core.errors import InvalidArgumentIndexError
from ..core.tensor import Tensor, convert_to_tensor
from ..core.variable import Variable
from . import rules
from .array_ops import _int_arg, _shape_arg, _static, zeros_like
from .index_ops import gather_nd
from .math_ops import cast, divide, equal, negative
from .registry import OpDef, Spec, bind

# Exported at the top level of `fluxion`.
__all__ = [
    "roll", "scatter_nd", "tensor_scatter_nd_add", "tensor_scatter_nd_max",
    "tensor_scatter_nd_min", "tensor_scatter_nd_sub", "tensor_scatter_nd_update",
]

_UFUNCS = {"add": np.add, "sub": np.subtract, "max": np.maximum, "min": np.minimum}
_NAMES = {mode: f"tensor_scatter_nd_{mode}" for mode in ("update", "add", "sub", "max", "min")}


# --- validation shared by the scatter ops ------------------------------------------------------
def _scatter_infer(op_name, shape, indices, updates):
    """Checks indices (..., M) and updates (indices.shape[:-1] + shape[M:]) against `shape`."""
    rules.check_dtype(op_name, indices.dtype, "iu", "indices")
    i, u = tuple(indices.shape), tuple(updates.shape)
    m = i[-1] if i else None
    if m is None or m > len(shape):
        raise ValueError(f"{op_name}: the last dimension of indices ({m}, shape {i}) must be "
                         f"at most the rank of the output shape {tuple(shape)}.")
    want = i[:-1] + tuple(shape)[m:]
    if len(u) != len(want) or any(a != b and None not in (a, b) for a, b in zip(u, want)):
        raise ValueError(f"{op_name}: updates must have shape indices.shape[:-1] + "
                         f"shape[{m}:] = {want}, received {u} (indices {i}, shape "
                         f"{tuple(shape)}).")


def _coordinates(op_name, indices, shape):
    """The index arrays of `indices` (..., M) into `shape`; raises for one out of range."""
    m = indices.shape[-1]
    bad = (indices < 0) | (indices >= np.array(shape[:m], dtype=np.int64))
    if bad.any():
        where_ = np.argwhere(bad.any(axis=-1))[0]
        position = ", ".join(map(str, where_))
        raise InvalidArgumentIndexError(
            f"{op_name}: indices[{position}] = {indices[tuple(where_)].tolist()} does not "
            f"index into shape {list(shape)}.")
    return tuple(np.moveaxis(indices, -1, 0))


# --- scatter_nd ----------------------------------------------------------------------------------
def _scatter_nd_kernel(indices, updates, shape):
    out = np.zeros(shape, updates.dtype)
    np.add.at(out, _coordinates("scatter_nd", indices, shape), updates)
    return out


def _scatter_nd_infer(indices, updates, shape):
    _scatter_infer("scatter_nd", shape, indices, updates)
    return Spec(tuple(shape), updates.dtype)


_SCATTER_ND = OpDef("scatter_nd", _scatter_nd_kernel, _scatter_nd_infer,
                    lambda g, indices, updates, out, shape: (None, gather_nd(g, indices)))


def scatter_nd(indices, updates, shape, name=None):
    """Scatters `updates` into a zero tensor of `shape` at `indices`; duplicates add up.

    `indices` has shape `(..., M)`: each row is the coordinate of an element (M = rank) or of
    a slice (M < rank); `updates` has shape `indices.shape[:-1] + shape[M:]`.

    Raises:
        IndexError: for a coordinate outside `shape` (an InvalidArgumentError).

    Example:
    >>> fluxion.scatter_nd([[4], [3], [1], [7]], [9, 10, 11, 12], [8])
    <tf.Tensor: shape=(8,), dtype=int32, numpy=array([ 0, 11,  0, 10,  9,  0,  0, 12], dtype=int32)>
    """
    i = _int_arg("scatter_nd", indices, "indices")
    u = convert_to_tensor(updates)
    return bind(_SCATTER_ND, i, u, shape=_shape_arg("scatter_nd", shape))


# --- tensor_scatter_nd_* -----------------------------------------------------------------------
def _tensor_scatter_kernel(tensor, indices, updates, mode):
    out = tensor.copy()
    where_ = _coordinates(_NAMES[mode], indices, tensor.shape)
    if mode == "update":
        out[where_] = updates  # of duplicate indices, the last update wins
    else:
        _UFUNCS[mode].at(out, where_, updates)
    return out


def _tensor_scatter_infer(tensor, indices, updates, mode):
    name = _NAMES[mode]
    if np.dtype(tensor.dtype) != np.dtype(updates.dtype):
        raise TypeError(f"{name}: tensor and updates must have one dtype, received "
                        f"{np.dtype(tensor.dtype).name} and {np.dtype(updates.dtype).name}.")
    _scatter_infer(name, tuple(tensor.shape), indices, updates)
    return Spec(tuple(tensor.shape), tensor.dtype)


def _tensor_scatter_vjp(g, tensor, indices, updates, out, mode):
    if mode in ("add", "sub"):
        picked = gather_nd(g, indices)
        return g, None, picked if mode == "add" else negative(picked)
    if mode == "update":
        cleared = bind(_TENSOR_SCATTER, g, indices, zeros_like(updates), mode="update")
        return cleared, None, gather_nd(g, indices)
    # max / min: the gradient goes to every value equal to the result, split between ties.
    from_tensor = cast(equal(tensor, out), g.dtype)
    from_updates = cast(equal(updates, gather_nd(out, indices)), g.dtype)
    count = bind(_TENSOR_SCATTER, from_tensor, indices, from_updates, mode="add")
    share = divide(g, count)
    return from_tensor * share, None, from_updates * gather_nd(share, indices)


_TENSOR_SCATTER = OpDef("tensor_scatter_nd", _tensor_scatter_kernel, _tensor_scatter_infer,
                        _tensor_scatter_vjp)


def _tensor_scatter(mode, tensor, indices, updates):
    t = convert_to_tensor(tensor)
    i = _int_arg(_NAMES[mode], indices, "indices")
    u = convert_to_tensor(updates) if isinstance(updates, (Tensor, Variable)) else \
        convert_to_tensor(updates, dtype=t.dtype)
    return bind(_TENSOR_SCATTER, t, i, u, mode=mode)


def tensor_scatter_nd_update(tensor, indices, updates, name=None):
    """A copy of `tensor` with the elements (or slices) at `indices` replaced by `updates`.

    `indices` has shape `(..., M)` and `updates` `indices.shape[:-1] + tensor.shape[M:]`.
    Of duplicate indices, one update wins (the last here; TensorFlow leaves it unspecified).

    Raises:
        IndexError: for a coordinate outside the tensor (an InvalidArgumentError).

    Example:
    >>> fluxion.tensor_scatter_nd_update([1, 2, 3, 4], [[1], [3]], [9, 10])
    <tf.Tensor: shape=(4,), dtype=int32, numpy=array([ 1,  9,  3, 10], dtype=int32)>
    """
    return _tensor_scatter("update", tensor, indices, updates)


def tensor_scatter_nd_add(tensor, indices, updates, name=None):
    """A copy of `tensor` with `updates` added at `indices` (duplicates add up).

    Example:
    >>> fluxion.tensor_scatter_nd_add([1, 2, 3, 4], [[1], [1]], [9, 10])
    <tf.Tensor: shape=(4,), dtype=int32, numpy=array([ 1, 21,  3,  4], dtype=int32)>
    """
    return _tensor_scatter("add", tensor, indices, updates)


def tensor_scatter_nd_sub(tensor, indices, updates, name=None):
    """A copy of `tensor` with `updates` subtracted at `indices` (duplicates add up).

    Example:
    >>> fluxion.tensor_scatter_nd_sub([1, 2, 3, 4], [[1], [1]], [9, 10])
    <tf.Tensor: shape=(4,), dtype=int32, numpy=array([  1, -17,   3,   4], dtype=int32)>
    """
    return _tensor_scatter("sub", tensor, indices, updates)


def tensor_scatter_nd_max(tensor, indices, updates, name=None):
    """A copy of `tensor` with each element at `indices` the maximum of it and its updates.

    Example:
    >>> fluxion.tensor_scatter_nd_max([1, 2, 3, 4], [[1], [2]], [0, 10])
    <tf.Tensor: shape=(4,), dtype=int32, numpy=array([ 1,  2, 10,  4], dtype=int32)>
    """
    return _tensor_scatter("max", tensor, indices, updates)


def tensor_scatter_nd_min(tensor, indices, updates, name=None):
    """A copy of `tensor` with each element at `indices` the minimum of it and its updates.

    Example:
    >>> fluxion.tensor_scatter_nd_min([1, 2, 3, 4], [[1], [2]], [0, 10])
    <tf.Tensor: shape=(4,), dtype=int32, numpy=array([1, 0, 3, 4], dtype=int32)>
    """
    return _tensor_scatter("min", tensor, indices, updates)


# --- roll ----------------------------------------------------------------------------------------
_ROLL = OpDef("roll", lambda x, shift, axis: np.roll(x, shift, axis),
              lambda x, shift, axis: Spec(tuple(x.shape), x.dtype),
              lambda g, x, out, shift, axis: (bind(_ROLL, g, shift=tuple(-s for s in shift),
                                                   axis=axis),))


def roll(input, shift, axis, name=None):
    """Rolls the elements of `input` by `shift` places along `axis` (elements that leave one
    end come back at the other). Shifts of a repeated axis add up.

    Args:
        input: a tensor.
        shift: an int or a list of ints; positive shifts move elements to higher indices.
        axis: an int or a list of ints, as many as `shift`.

    Example:
    >>> fluxion.roll([0, 1, 2, 3, 4], shift=2, axis=0)
    <tf.Tensor: shape=(5,), dtype=int32, numpy=array([3, 4, 0, 1, 2], dtype=int32)>
    """
    x = convert_to_tensor(input)
    shifts, axes = _static(shift), _static(axis)
    shifts = (shifts,) if isinstance(shifts, int) else tuple(int(s) for s in shifts)
    axes = (axes,) if isinstance(axes, int) else tuple(int(a) for a in axes)
    if len(shifts) != len(axes):
        raise ValueError(f"roll: shift and axis must have the same number of entries, received "
                         f"shift={list(shifts)} and axis={list(axes)}.")
    ndim = x._value.ndim
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"roll: axis {a} is out of range for a tensor of rank {ndim} "
                             f"(valid axes are {-ndim} to {ndim - 1}).")
    return bind(_ROLL, x, shift=shifts, axis=tuple(a % ndim for a in axes))
