"""Clipping: `tf.clip_by_value`, `tf.clip_by_norm` and `tf.clip_by_global_norm`.

The primitive clip_by_value computes `maximum(minimum(t, max), min)`, as TensorFlow; the norm
clips are composites of math ops.
"""
import numpy as np

from ..core.tensor import convert_to_tensor
from . import rules
from .linalg_ops import global_norm
from .math_ops import (
    _F,
    binary_args,
    cast,
    greater,
    greater_equal,
    less,
    less_equal,
    logical_and,
    maximum,
    minimum,
    reduce_sum,
    sqrt,
    unary_arg,
)
from .registry import OpDef, Spec, bind

# Exported at the top level of `fluxion`.
__all__ = ["clip_by_global_norm", "clip_by_norm", "clip_by_value"]


def _clip_kernel(x, lo, hi):
    # TensorFlow's order: with clip_value_min > clip_value_max every value becomes the min.
    return np.maximum(np.minimum(x, hi), lo)


def _clip_vjp(g, x, lo, hi, out):
    # The gradients of maximum(minimum(x, hi), lo); the bounds' (rarely needed) are deferred.
    inside = cast(logical_and(greater_equal(x, lo), less_equal(x, hi)), g.dtype)
    return (g * inside, lambda: g * cast(less(minimum(x, hi), lo), g.dtype),
            lambda: g * cast(logical_and(greater(x, hi), greater_equal(hi, lo)), g.dtype))


def _clip_infer(x, lo, hi):
    rules.binary("clip_by_value")(x, lo)
    rules.binary("clip_by_value")(x, hi)
    for bound, name in ((lo, "clip_value_min"), (hi, "clip_value_max")):
        if rules.broadcast_shapes("clip_by_value", x.shape, bound.shape) != tuple(x.shape):
            raise ValueError(f"clip_by_value: {name} of shape {tuple(bound.shape)} does not "
                             f"broadcast to the shape of t, {tuple(x.shape)}.")
    return Spec(tuple(x.shape), x.dtype)


_CLIP = OpDef("clip_by_value", _clip_kernel, _clip_infer, _clip_vjp)


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """Clips values to `[clip_value_min, clip_value_max]`: `maximum(minimum(t, max), min)`.

    As in TensorFlow, if `clip_value_min > clip_value_max` every value becomes `clip_value_min`.

    Example:
    >>> fluxion.clip_by_value([-2.0, 0.5, 3.0], -1.0, 1.0)
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([-1. ,  0.5,  1. ], dtype=float32)>
    """
    t = unary_arg("clip_by_value", t, "iuf")
    _, lo = binary_args("clip_by_value", t, clip_value_min)
    _, hi = binary_args("clip_by_value", t, clip_value_max)
    if lo._value.shape != t._value.shape and lo._value.ndim or \
            hi._value.shape != t._value.shape and hi._value.ndim:  # NumPy would broadcast t
        _clip_infer(*(Spec(tuple(a._value.shape), a._value.dtype) for a in (t, lo, hi)))
    return bind(_CLIP, t, lo, hi)


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """Rescales `t` so that its L2 norm over `axes` is at most `clip_norm`.

    Example:
    >>> fluxion.clip_by_norm([3.0, 4.0], 1.0)
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0.6, 0.8], dtype=float32)>
    """
    t = unary_arg("clip_by_norm", t, _F)
    norm = sqrt(reduce_sum(t * t, axes, keepdims=True))
    clip_norm = cast(clip_norm, t.dtype)
    return t * clip_norm / maximum(norm, clip_norm)


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """Scales a list of tensors so that their global norm is at most `clip_norm`.

    Each tensor becomes `t * clip_norm / max(global_norm, clip_norm)`; None entries stay None.
    If the global norm is infinite or NaN, every value becomes NaN (as TensorFlow).

    Args:
        t_list: a list (or tuple) of tensors, or None entries.
        clip_norm: the largest global norm, a positive scalar.
        use_norm: the global norm to use instead of computing it.

    Returns:
        `(list_clipped, global_norm)`: the scaled tensors (a list) and the global norm before
        clipping.

    Raises:
        TypeError: if `t_list` is not a sequence.

    Example:
    >>> clipped, n = fluxion.clip_by_global_norm([[3.0], [4.0]], 1.0)
    >>> n
    <tf.Tensor: shape=(), dtype=float32, numpy=5.0>
    """
    if not isinstance(t_list, (list, tuple)):
        raise TypeError(f"clip_by_global_norm: t_list must be a list or tuple of tensors, "
                        f"received {type(t_list).__name__}.")
    tensors = [None if t is None else unary_arg("clip_by_global_norm", t, _F) for t in t_list]
    first = next((t for t in tensors if t is not None), None)
    norm_ = global_norm(tensors) if use_norm is None else convert_to_tensor(
        use_norm, dtype_hint=first.dtype if first is not None else None)
    clip_norm = cast(clip_norm, norm_.dtype)
    # clip_norm / max(norm, clip_norm), written so that an infinite or NaN norm gives NaN.
    scale = clip_norm * minimum(1.0 / norm_, 1.0 / clip_norm) + (norm_ - norm_)
    return [None if t is None else t * cast(scale, t.dtype) for t in tensors], norm_
