"""Shape and dtype rules shared by many primitives (the `infer` half of an OpDef).

Each rule works on `Spec`s whose shapes may hold None (unknown) and raises the op's user-facing
error: it names the op, states what was expected and what was received.
"""
import numpy as np

from ..core.errors import InvalidArgumentTypeError, InvalidArgumentValueError
from ..kernels.shapes import BroadcastError, broadcast_shape
from .registry import Spec

KINDS = {"float": "f", "number": "iufc", "int": "iu", "bool": "b", "any": "iufcb",
         "real": "iuf"}


def check_dtype(op_name, dtype, kinds, arg="x"):
    """Raises TypeError unless np.dtype `dtype` is of one of the kinds letters in `kinds`."""
    if np.dtype(dtype).kind not in kinds:
        allowed = [name for name, k in KINDS.items() if k == kinds] or [kinds]
        raise InvalidArgumentTypeError(
            f"{op_name}: argument '{arg}' has dtype {np.dtype(dtype).name}, which "
            f"this op does not support (expected a {allowed[0]} dtype). "
            "Convert it with fluxion.cast.")


def broadcast_shapes(op_name, *shapes):
    """NumPy broadcasting over shapes that may hold None; raises ValueError naming the op."""
    try:
        return broadcast_shape(*shapes)
    except BroadcastError as error:
        shown = " and ".join(str(tuple(s)) for s in shapes)
        raise InvalidArgumentValueError(
            f"{op_name}: incompatible shapes {shown}: {error}; broadcasting needs them equal "
            "or 1. Reshape or expand_dims one of the operands.") from None


def same(kinds="any"):
    """Rule for elementwise unary ops: the output is like the input."""
    def infer(x, **attrs):
        return Spec(tuple(x.shape), x.dtype)
    infer.kinds = kinds
    return infer


def binary(op_name, out_dtype=None):
    """Rule for elementwise binary ops: equal dtypes, broadcast shapes."""
    def infer(x, y):
        if np.dtype(x.dtype) != np.dtype(y.dtype):
            raise InvalidArgumentTypeError(
                f"{op_name}: both arguments must have the same dtype, received "
                f"{np.dtype(x.dtype).name} and {np.dtype(y.dtype).name}. Cast one "
                "with fluxion.cast.")
        return Spec(broadcast_shapes(op_name, x.shape, y.shape),
                    np.dtype(out_dtype) if out_dtype else x.dtype)
    return infer


def normalize_axis(op_name, axis, ndim):
    """Returns `axis` (None, int or sequence) as None or a sorted tuple of non-negative ints."""
    if axis is None:
        return None
    if type(axis) is int and -ndim <= axis < ndim:  # the common case, checked and normalized
        return (axis % ndim,)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(int(a) for a in axis)
    out = []
    for a in axes:
        if not -ndim <= a < max(ndim, 1):
            raise InvalidArgumentValueError(
                f"{op_name}: axis {a} is out of range for a tensor of rank {ndim} "
                f"(valid axes are {-ndim} to {ndim - 1}).")
        out.append(a % ndim if ndim else 0)
    if len(set(out)) != len(out):
        raise InvalidArgumentValueError(f"{op_name}: axis {axis} repeats an axis.")
    return tuple(sorted(out))


def reduced_shape(shape, axes, keepdims):
    """The shape after reducing `axes` (a normalized tuple, or None for all)."""
    if axes is None:
        return tuple(1 for _ in shape) if keepdims else ()
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def reduction(op_name, out_dtype=None):
    """Rule for reductions with attributes `axis` (normalized tuple or None) and `keepdims`."""
    def infer(x, axis=None, keepdims=False):
        normalize_axis(op_name, axis, len(x.shape))
        return Spec(reduced_shape(tuple(x.shape), axis, keepdims),
                    np.dtype(out_dtype) if out_dtype else x.dtype)
    return infer
