"""`searchsorted` and `histogram_fixed_width`, as TensorFlow's."""
import numpy as np

from ..core import dtypes
from ..core.tensor import convert_to_tensor
from .registry import OpDef, Spec, bind

__all__ = ["histogram_fixed_width", "searchsorted"]


def _search_kernel(sorted_sequence, values, side, out_type):
    seq = sorted_sequence.reshape(-1, sorted_sequence.shape[-1])
    vals = values.reshape(-1, values.shape[-1])
    out = np.stack([np.searchsorted(s, v, side=side) for s, v in zip(seq, vals)]) \
        if len(seq) else np.zeros(vals.shape, np.int64)
    return out.reshape(values.shape).astype(out_type)


def _search_infer(sorted_sequence, values, side, out_type):
    a, b = sorted_sequence.shape, values.shape
    if len(a) == 0 or len(b) == 0:
        raise ValueError("searchsorted: sorted_sequence and values must have at least one "
                         f"dimension, received shapes {a} and {b}.")
    if len(a) != len(b) or any(x is not None and y is not None and x != y
                               for x, y in zip(a[:-1], b[:-1])):
        raise ValueError(f"searchsorted: the leading dims of sorted_sequence {a} and values "
                         f"{b} must match (all but the last).")
    if sorted_sequence.dtype != values.dtype:
        raise TypeError(f"searchsorted: sorted_sequence is {sorted_sequence.dtype.name} but "
                        f"values is {values.dtype.name}.")
    return Spec(tuple(b), np.dtype(out_type))


_SEARCH = OpDef("searchsorted", _search_kernel, _search_infer)


def searchsorted(sorted_sequence, values, side="left", out_type=dtypes.int32, name=None):
    """For each value, the index in the sorted innermost axis of `sorted_sequence` where it
    would be inserted to keep the order (batched over the leading axes).

    Args:
        sorted_sequence: N-D tensor sorted along its last axis.
        values: N-D tensor with the same leading axes.
        side: 'left' (first suitable index) or 'right' (last).
        out_type: int32 or int64.

    Example:
    >>> fluxion.searchsorted([1.0, 3.0, 5.0], [2.0, 6.0])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([1, 3], dtype=int32)>
    """
    if side not in ("left", "right"):
        raise ValueError(f"Argument `side` must be either 'right' or 'left'. Received: `side` "
                         f"= '{side}'.")
    out_type = dtypes.as_dtype(out_type)
    if out_type not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"searchsorted: out_type must be int32 or int64, received "
                        f"{out_type.name}.")
    seq = convert_to_tensor(sorted_sequence)
    values = convert_to_tensor(values, dtype=seq.dtype)
    return bind(_SEARCH, seq, values, side=side, out_type=out_type._np.str)


def _hist_kernel(values, value_range, nbins, dtype):
    lo, hi = value_range[0], value_range[1]
    if not lo < hi:
        raise _invalid(f"histogram_fixed_width: value_range should satisfy value_range[0] < "
                       f"value_range[1], but got '[{lo}, {hi}]'.")
    v = values.reshape(-1).astype(np.float64)
    idx = np.floor((v - float(lo)) / (float(hi) - float(lo)) * nbins)
    idx = np.clip(idx, 0, nbins - 1).astype(np.int64)
    return np.bincount(idx, minlength=nbins).astype(dtype)


def _hist_infer(values, value_range, nbins, dtype):
    if tuple(value_range.shape) != (2,):
        raise ValueError(f"histogram_fixed_width: value_range must have shape (2,), received "
                         f"{tuple(value_range.shape)}.")
    return Spec((nbins,), np.dtype(dtype))


def _invalid(message):
    from ..core.errors import InvalidArgumentError
    return InvalidArgumentError(None, None, message)


_HIST = OpDef("histogram_fixed_width", _hist_kernel, _hist_infer)


def histogram_fixed_width(values, value_range, nbins=100, dtype=dtypes.int32, name=None):
    """Counts `values` in `nbins` equal-width bins over `value_range` ([lo, hi]); values below
    lo go to the first bin and values at or above hi to the last.

    Example:
    >>> fluxion.histogram_fixed_width([1.0, 2.0, 9.0], [0.0, 10.0], nbins=5)
    <tf.Tensor: shape=(5,), dtype=int32, numpy=array([1, 1, 0, 0, 1], dtype=int32)>
    """
    dtype = dtypes.as_dtype(dtype)
    if dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"histogram_fixed_width: dtype must be int32 or int64, received "
                        f"{dtype.name}.")
    nbins = int(nbins.numpy() if hasattr(nbins, "numpy") else nbins)
    if nbins <= 0:
        raise ValueError(f"histogram_fixed_width: nbins should be a positive number, but got "
                         f"'{nbins}'.")
    values = convert_to_tensor(values)
    value_range = convert_to_tensor(value_range, dtype=values.dtype)
    _HIST.infer(Spec(values.shape, values.dtype._np), Spec(value_range.shape, values.dtype._np),
                nbins=nbins, dtype=dtype._np.str)
    return bind(_HIST, values, value_range, nbins=nbins, dtype=dtype._np.str)
