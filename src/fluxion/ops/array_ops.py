"""Shape and array ops: reshape, transpose, broadcasting, selection and tensor creation.

Gradients that must undo broadcasting return the broadcast cotangent: the tape sums it back to the
input's shape in one place (`fluxion.autodiff.tape.unbroadcast`).
"""
import builtins

import numpy as np

from ..core import dtypes
from ..core.errors import InvalidArgumentTypeError, InvalidArgumentValueError, TracingError
from ..core.tensor import AbstractArray, SymbolicTensor, Tensor, convert_to_tensor, wrap
from ..core.variable import Variable
from ..kernels import indexing as K
from . import rules
from .registry import OpDef, Spec, bind

_range, _slice = builtins.range, builtins.slice  # this module defines tf.range and tf.slice

# Exported at the top level of `fluxion` (as `tf.reshape`, ...).
__all__ = [
    "broadcast_to", "concat", "expand_dims", "eye", "fill", "identity", "linspace", "one_hot",
    "ones", "ones_like", "pad", "range", "rank", "repeat", "reshape", "reverse", "shape", "size",
    "split", "squeeze", "stack", "stop_gradient", "tile", "transpose", "where", "zeros",
    "zeros_like",
]


def _static(value):
    """A Python value from a shape/axis argument that may be a Tensor or a NumPy array."""
    if isinstance(value, (Tensor, Variable, np.ndarray, np.generic)):
        return np.asarray(value).tolist()
    if isinstance(value, (list, tuple)):
        return [_static(v) for v in value]
    return value


def _shape_arg(op_name, shape):
    """A static shape argument as a tuple of ints (-1 for None)."""
    shape = _static(shape)
    if isinstance(shape, (int, np.integer)):
        shape = [shape]
    try:
        return tuple(int(d) if d is not None else -1 for d in shape)
    except (TypeError, ValueError):
        raise TypeError(f"{op_name}: expected a shape (a list of ints), received {shape!r}.") \
            from None


def _known_value(t):
    """The value of a symbolic scalar int `t` if the trace knows it (an element of the shape of
    a tensor whose dimension is static, `fluxion.shape(x)[1]`), else None."""
    node = t._producer
    if node is None or getattr(node.op, "name", None) != "getitem" or t._value.ndim:
        return None
    source = node.inputs[0]._producer
    items = node.attrs["key"].items
    if source is None or source.op is not _SHAPE or len(items) != 1 or type(items[0]) is not int:
        return None
    return source.inputs[0]._value.shape[items[0]]


def _dynamic_arg(op_name, value, what):
    """A scalar int argument that may be symbolic while tracing: (its int value or None when
    only known at run time, the int32 scalar tensor to pass to the op then, else None)."""
    if isinstance(value, SymbolicTensor):
        if value._value.ndim != 0 or value._value.dtype.kind not in "iu":
            raise TypeError(f"{op_name}: {what} must be a scalar integer, received a tensor of "
                            f"shape {tuple(value._value.shape)} and dtype {value.dtype.name}.")
        known = _known_value(value)
        if known is not None:
            return known, None
        return None, value if value._value.dtype == np.int32 else cast(value, np.int32)
    return int(_static(value)), None


def _shape_input(op_name, shape):
    """A shape-like argument (a shape, tile multiples) that may hold values known only at run
    time while tracing (`fluxion.shape(x)` of a tensor with None dims, or its elements).

    Returns (dims, tensor): the static dims (None where only known at run time; -1 kept) and,
    when some are unknown, the 1-D int32 tensor of all of them to pass to the op instead of
    the static attribute (else None).
    """
    if isinstance(shape, SymbolicTensor):
        length = shape._value.shape[0] if shape._value.ndim == 1 else None
        if length is None or shape._value.dtype.kind not in "iu":
            raise TracingError(
                f"{op_name}: the shape argument must be a 1-D integer tensor of known length; "
                f"received a symbolic tensor of shape {tuple(shape._value.shape)} and dtype "
                f"{shape.dtype.name}. A result of unknown rank is not supported: pass a list "
                "such as [fluxion.shape(x)[0], 3].")
        node = shape._producer
        dims = tuple(node.inputs[0]._value.shape) if node is not None and node.op is _SHAPE \
            else (None,) * length
        return dims, shape if shape._value.dtype == np.int32 else cast(shape, np.int32)
    if isinstance(shape, (list, tuple)) and any(isinstance(d, SymbolicTensor) for d in shape):
        pairs = [_dynamic_arg(op_name, d, "each dimension") for d in shape]
        dims = tuple(v for v, _ in pairs)
        if None in dims:
            return dims, stack([v if t is None else t for v, t in pairs])
        shape = dims
    return _shape_arg(op_name, shape), None


def _refined(out, dims):
    """`out` (a symbolic result of an op given run-time dims) with the dims known at trace time
    put back into its static shape: the op's rule only sees that some dims are unknown."""
    if isinstance(out, SymbolicTensor):
        out._value = AbstractArray(tuple(d if d is not None else o for d, o in
                                         zip(dims, out._value.shape)), out._value.dtype)
    return out


# --- reshape -----------------------------------------------------------------------------------
def _reshape_infer(x, shape):
    if isinstance(shape, Spec):  # given at run time (see _shape_input)
        return Spec((None,) * shape.shape[0], x.dtype)
    if sum(d == -1 for d in shape) > 1:
        raise ValueError(f"reshape: at most one dimension of the new shape may be -1, received "
                         f"{shape}.")
    if any(d < -1 for d in shape):
        raise ValueError(f"reshape: dimensions must be >= 0 (or -1), received {shape}.")
    old = tuple(x.shape)
    if None in old:
        return Spec(tuple(None if d == -1 else d for d in shape), x.dtype)
    total = int(np.prod(old, dtype=np.int64))
    known = int(np.prod([d for d in shape if d != -1], dtype=np.int64))
    if -1 in shape:
        if known == 0 or total % known:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {old} ({total} "
                             f"elements) into shape {shape}: {total} is not a multiple of "
                             f"{known}.")
        return Spec(tuple(total // known if d == -1 else d for d in shape), x.dtype)
    if known != total:
        raise ValueError(f"reshape: cannot reshape a tensor of shape {old} ({total} elements) "
                         f"into shape {shape} ({known} elements).")
    return Spec(shape, x.dtype)


def _reshape_vjp(g, x, *rest, shape=None):
    # rest: (out,), or (the run-time shape, out).
    back = tuple(x.shape)
    return (reshape(g, back if None not in back else globals()["shape"](x)),) + \
        (None,) * (len(rest) - 1)


_RESHAPE = OpDef("reshape", lambda x, shape: np.reshape(x, shape), _reshape_infer,
                 _reshape_vjp)


def _reshaped_dims(old, dims):
    """The static result dims of reshaping `old` to `dims` (None: known at run time only)."""
    if None not in old and dims.count(None) + dims.count(-1) == 1:
        known = int(np.prod([d for d in dims if d is not None and d != -1], dtype=np.int64))
        total = int(np.prod(old, dtype=np.int64))
        if known and total % known == 0:
            return tuple(total // known if d is None or d == -1 else d for d in dims)
    return tuple(None if d == -1 else d for d in dims)


def reshape(tensor, shape, name=None):
    """Gives `tensor` a new shape with the same elements; one dimension may be -1 (inferred).

    Example:
    >>> fluxion.reshape(fluxion.range(6), (2, -1)).shape
    TensorShape([2, 3])
    """
    x = convert_to_tensor(tensor)
    dims, runtime = _shape_input("reshape", shape)
    if runtime is not None:
        return _refined(bind(_RESHAPE, x, runtime), _reshaped_dims(x._value.shape, dims))
    if x._value.shape == dims:
        return x
    return bind(_RESHAPE, x, shape=dims)


# --- broadcast_to ------------------------------------------------------------------------------
def _broadcast_to_infer(x, shape):
    out = rules.broadcast_shapes("broadcast_to", tuple(x.shape), shape)
    if out != tuple(shape):
        raise ValueError(f"broadcast_to: cannot broadcast a tensor of shape {tuple(x.shape)} to "
                         f"shape {tuple(shape)}.")
    return Spec(tuple(shape), x.dtype)


_BROADCAST_TO = OpDef("broadcast_to", lambda x, shape: np.broadcast_to(x, shape),
                      _broadcast_to_infer, lambda g, x, y, shape: (g,))


def broadcast_to(input, shape, name=None):
    """Broadcasts `input` to `shape` (NumPy rules).

    Example:
    >>> fluxion.broadcast_to([1.0, 2.0], (2, 2)).shape
    TensorShape([2, 2])
    """
    x = convert_to_tensor(input)
    shape = _shape_arg("broadcast_to", shape)
    if x._value.shape == shape:
        return x
    return bind(_BROADCAST_TO, x, shape=shape)


# --- transpose -------------------------------------------------------------------------------
def _transpose_infer(x, perm):
    if sorted(perm) != list(_range(len(x.shape))):
        raise ValueError(f"transpose: perm {list(perm)} is not a permutation of the "
                         f"{len(x.shape)} axes of a tensor of shape {tuple(x.shape)}.")
    return Spec(tuple(x.shape[p] for p in perm), x.dtype)


_TRANSPOSE = OpDef("transpose", lambda x, perm: np.transpose(x, perm), _transpose_infer,
                   lambda g, x, y, perm: (transpose(g, tuple(np.argsort(perm).tolist())),))


def transpose(a, perm=None, conjugate=False, name=None):
    """Permutes the axes of `a`; by default reverses them.

    Example:
    >>> fluxion.transpose(fluxion.zeros((2, 3))).shape
    TensorShape([3, 2])
    """
    x = convert_to_tensor(a)
    perm = tuple(_range(x._value.ndim - 1, -1, -1)) if perm is None else \
        tuple(int(p) % max(x._value.ndim, 1) if -x._value.ndim <= int(p) < 0 else int(p)
              for p in _static(perm))
    return bind(_TRANSPOSE, x, perm=perm)


# --- expand_dims / squeeze ---------------------------------------------------------------------
def expand_dims(input, axis, name=None):
    """Inserts a dimension of size 1 at `axis` (negative counts from the end of the result).

    Example:
    >>> fluxion.expand_dims([1.0, 2.0], 0).shape
    TensorShape([1, 2])
    """
    x = convert_to_tensor(input)
    ndim = x._value.ndim
    axis = int(_static(axis))
    if not -ndim - 1 <= axis <= ndim:
        raise ValueError(f"expand_dims: axis {axis} is out of range for a tensor of rank "
                         f"{ndim} (valid: {-ndim - 1} to {ndim}).")
    axis = axis % (ndim + 1)
    shape = x._value.shape
    return reshape(x, shape[:axis] + (1,) + shape[axis:])


def squeeze(input, axis=None, name=None):
    """Removes dimensions of size 1 (all of them, or those in `axis`).

    Example:
    >>> fluxion.squeeze(fluxion.zeros((1, 2, 1))).shape
    TensorShape([2])
    """
    x = convert_to_tensor(input)
    shape = x._value.shape
    if axis is None:
        return reshape(x, tuple(d for d in shape if d != 1))
    axes = rules.normalize_axis("squeeze", _static(axis), len(shape))
    for a in axes:
        if shape[a] != 1:
            raise ValueError(f"squeeze: cannot squeeze axis {a} of shape {tuple(shape)}: its "
                             f"size is {shape[a]}, not 1.")
    return reshape(x, tuple(d for i, d in enumerate(shape) if i not in axes))


# --- where -----------------------------------------------------------------------------------
def _select_infer(c, x, y):
    if np.dtype(c.dtype) != np.bool_:
        raise TypeError(f"where: condition must be a bool tensor, received dtype "
                        f"{np.dtype(c.dtype).name}.")
    rules.binary("where")(x, y)
    return Spec(rules.broadcast_shapes("where", c.shape, x.shape, y.shape), x.dtype)


def _select_vjp(g, c, x, y, out):
    zeros = zeros_like(g)
    return None, where(c, g, zeros), where(c, zeros, g)


_SELECT = OpDef("select", np.where, _select_infer, _select_vjp)
_WHERE_INDICES = OpDef("where_indices", lambda c: np.argwhere(c).astype(np.int64),
                       lambda c: Spec((None, len(c.shape)), np.dtype(np.int64)))


def where(condition, x=None, y=None, name=None):
    """Picks `x` where `condition` is True and `y` elsewhere (all three broadcast).

    With only `condition`, returns the int64 coordinates of its True elements, shape
    `(num_true, rank)`; a numeric `condition` is True where it is non-zero.

    Example:
    >>> fluxion.where([True, False], 1.0, 0.0)
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 0.], dtype=float32)>
    """
    c = convert_to_tensor(condition)
    if x is None and y is None:
        return bind(_WHERE_INDICES, c)
    if c._value.dtype.kind != "b":
        rules.check_dtype("where", c._value.dtype, "b", "condition")
    if x is None or y is None:
        raise ValueError("where: give both x and y, or neither.")
    from .math_ops import binary_args
    x, y = binary_args("where", x, y)
    return bind(_SELECT, c, x, y)


# --- concat / stack ---------------------------------------------------------------------------
def _concat_infer(*xs, axis):
    first = xs[0]
    rank = len(first.shape)
    if rank == 0:
        raise ValueError("concat: cannot concatenate scalars; use fluxion.stack.")
    for i, x in enumerate(xs):
        if np.dtype(x.dtype) != np.dtype(first.dtype):
            raise TypeError(f"concat: all values must have one dtype; value 0 is "
                            f"{np.dtype(first.dtype).name}, value {i} is {np.dtype(x.dtype).name}.")
        if len(x.shape) != rank or any(a != b and None not in (a, b) for d, (a, b) in
                                       enumerate(zip(x.shape, first.shape)) if d != axis):
            raise ValueError(f"concat: value {i} has shape {tuple(x.shape)}, which does not match "
                             f"value 0's shape {tuple(first.shape)} outside axis {axis}.")
    sizes = [x.shape[axis] for x in xs]
    total = None if None in sizes else sum(sizes)
    return Spec(tuple(first.shape)[:axis] + (total,) + tuple(first.shape)[axis + 1:], first.dtype)


def _concat_grad(g, *inputs_and_output, axis):
    xs = inputs_and_output[:-1]
    sizes = [x.shape[axis] for x in xs]
    return split(g, sizes, axis=axis)


_CONCAT = OpDef("concat", lambda *xs, axis: np.concatenate(xs, axis=axis), _concat_infer,
                _concat_grad)


def _matching_tensors(op_name, values):
    """Converts a list of op arguments to tensors of one dtype, as TensorFlow does: the dtype of
    the first tensor among them (or else of the first value) is the dtype of the others, so
    `[float32 tensor, [2]]` is float32; two tensors of different dtypes are an error."""
    if isinstance(values, (Tensor, Variable, np.ndarray)):  # a tensor is a list of its rows
        values = [values] if op_name == "concat" else \
            [values[i] for i in _range(int(values.shape[0]))]
    values = list(values)
    if not values:
        raise InvalidArgumentValueError(f"{op_name}: expected a non-empty list of tensors.")
    first = next((i for i, v in enumerate(values) if isinstance(v, (Tensor, Variable))), None)
    dtype = None if first is None else convert_to_tensor(values[first]).dtype
    out = []
    for i, v in enumerate(values):
        if isinstance(v, (Tensor, Variable)):
            t = convert_to_tensor(v)
            if t.dtype != dtype:
                raise InvalidArgumentTypeError(
                    f"{op_name}: all values must have one dtype; value {first} is "
                    f"{dtype.name}, value {i} is {t.dtype.name}. Cast one with fluxion.cast.")
        else:
            t = convert_to_tensor(v, dtype=dtype)
            dtype = t.dtype if dtype is None else dtype
        out.append(t)
    return out


def concat(values, axis, name=None):
    """Joins tensors along an existing axis.

    Example:
    >>> fluxion.concat([[1.0], [2.0, 3.0]], axis=0)
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([1., 2., 3.], dtype=float32)>
    """
    xs = _matching_tensors("concat", values)
    (axis,) = rules.normalize_axis("concat", int(_static(axis)), max(xs[0]._value.ndim, 1))
    if len(xs) == 1:
        return xs[0]
    return bind(_CONCAT, *xs, axis=axis)


def stack(values, axis=0, name=None):
    """Stacks tensors of one shape along a new axis.

    Example:
    >>> fluxion.stack([[1.0, 2.0], [3.0, 4.0]], axis=1).shape
    TensorShape([2, 2])
    """
    xs = _matching_tensors("stack", values)
    shape = xs[0]._value.shape
    for i, x in enumerate(xs):
        if x._value.shape != shape:
            raise ValueError(f"stack: all values must have one shape; value 0 has shape {shape}, "
                             f"value {i} has shape {x._value.shape}.")
    axis = int(_static(axis))
    if not -len(shape) - 1 <= axis <= len(shape):
        raise ValueError(f"stack: axis {axis} is out of range for values of rank {len(shape)}.")
    return concat([expand_dims(x, axis) for x in xs], axis=axis % (len(shape) + 1))


def _split_infer(x, sizes, axis):
    if sum(sizes) != x.shape[axis] and x.shape[axis] is not None:
        raise ValueError(f"split: the sizes {list(sizes)} add up to {sum(sizes)}, but axis "
                         f"{axis} of shape {tuple(x.shape)} has {x.shape[axis]} elements.")
    return tuple(Spec(tuple(x.shape)[:axis] + (s,) + tuple(x.shape)[axis + 1:], x.dtype)
                 for s in sizes)


def _split_kernel(x, sizes, axis):
    return tuple(np.split(x, np.cumsum(sizes)[:-1], axis=axis))


def _split_vjp(gs, x, outs, sizes, axis):
    return (concat(list(gs), axis=axis),)


_SPLIT = OpDef("split", _split_kernel, _split_infer, _split_vjp, num_outputs=None)


def split(value, num_or_size_splits, axis=0, num=None, name=None):
    """Splits `value` along `axis` into equal parts (an int) or parts of the given sizes.

    Example:
    >>> [t.shape[0] for t in fluxion.split(fluxion.zeros(5), [2, 3])]
    [2, 3]
    """
    x = convert_to_tensor(value)
    (axis,) = rules.normalize_axis("split", int(_static(axis)), x._value.ndim)
    n = x._value.shape[axis]
    parts = _static(num_or_size_splits)
    if isinstance(parts, int):
        if parts <= 0 or n % parts:
            raise ValueError(f"split: cannot split axis {axis} of size {n} into {parts} equal "
                             "parts.")
        sizes = (n // parts,) * parts
    else:
        sizes = tuple(int(s) for s in parts)
        if sizes.count(-1) == 1:
            sizes = tuple(n - (sum(sizes) + 1) if s == -1 else s for s in sizes)
        if sum(sizes) != n or min(sizes, default=0) < 0:
            _SPLIT.infer(Spec(x._value.shape, x._value.dtype), sizes=sizes, axis=axis)
    return list(bind(_SPLIT, x, sizes=sizes, axis=axis))


# --- creation ----------------------------------------------------------------------------------
_FILL = OpDef("fill", lambda value, dims: np.full(dims, value),
              lambda value, dims: Spec((None,) * dims.shape[0] if isinstance(dims, Spec) else
                                       tuple(dims), value.dtype),
              lambda g, value, *rest, dims=None: (reduce_sum(g),) + (None,) * (len(rest) - 1))
_ZEROS_LIKE = OpDef("zeros_like", np.zeros_like, rules.same())
_ONES_LIKE = OpDef("ones_like", np.ones_like, rules.same())


def fill(dims, value, name=None):
    """Creates a tensor of shape `dims` filled with the scalar `value`.

    Example:
    >>> fluxion.fill((2,), 7)
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([7, 7], dtype=int32)>
    """
    value = convert_to_tensor(value)
    if value._value.ndim != 0:
        raise ValueError(f"fill: value must be a scalar, received shape "
                         f"{tuple(value._value.shape)}.")
    dims, runtime = _shape_input("fill", dims)
    if runtime is not None:
        return _refined(bind(_FILL, value, runtime), dims)
    return bind(_FILL, value, dims=dims)


def zeros(shape, dtype=dtypes.float32, name=None):
    """Creates a tensor of zeros.

    Example:
    >>> fluxion.zeros((2,))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0., 0.], dtype=float32)>
    """
    return fill(shape, convert_to_tensor(0, dtype=dtype))


def ones(shape, dtype=dtypes.float32, name=None):
    """Creates a tensor of ones.

    Example:
    >>> fluxion.ones((2,))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 1.], dtype=float32)>
    """
    return fill(shape, convert_to_tensor(1, dtype=dtype))


def _like(op, input, dtype):
    x = convert_to_tensor(input)
    out = bind(op, x)
    return out if dtype is None else cast(out, dtype)


def zeros_like(input, dtype=None, name=None):
    """Zeros with the shape (and by default the dtype) of `input`.

    Example:
    >>> fluxion.zeros_like([1.0, 2.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0., 0.], dtype=float32)>
    """
    return _like(_ZEROS_LIKE, input, dtype)


def ones_like(input, dtype=None, name=None):
    """Ones with the shape (and by default the dtype) of `input`.

    Example:
    >>> fluxion.ones_like([1.0, 2.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 1.], dtype=float32)>
    """
    return _like(_ONES_LIKE, input, dtype)


# --- identity and stop_gradient -----------------------------------------------------------------
_IDENTITY = OpDef("identity", lambda x: x, rules.same(), lambda g, x, y: (g,))
_STOP_GRADIENT = OpDef("stop_gradient", lambda x: x, rules.same())


def identity(input, name=None):
    """Returns `input` as a new tensor (gradients pass through).

    Example:
    >>> fluxion.identity([1.0])
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([1.], dtype=float32)>
    """
    return bind(_IDENTITY, convert_to_tensor(input))


def stop_gradient(input, name=None):
    """Returns `input` unchanged, but blocks gradients through it.

    Example:
    >>> x = fluxion.constant(3.0)
    >>> with fluxion.GradientTape() as tape:
    ...     tape.watch(x)
    ...     y = x * fluxion.stop_gradient(x)
    >>> tape.gradient(y, x)
    <tf.Tensor: shape=(), dtype=float32, numpy=3.0>
    """
    return bind(_STOP_GRADIENT, convert_to_tensor(input))


def _int_arg(op_name, value, arg):
    t = convert_to_tensor(value)
    if t._value.dtype.kind not in "iu":
        rules.check_dtype(op_name, t._value.dtype, "iu", arg)
    return t


# --- one_hot, tile, pad, reverse, repeat ---------------------------------------------------------
def _one_hot_infer(indices, on, off, depth, axis):
    rules.check_dtype("one_hot", indices.dtype, "iu", "indices")
    shape = tuple(indices.shape)
    return Spec(shape[:axis] + (depth,) + shape[axis:], on.dtype)


_ONE_HOT = OpDef("one_hot", K.one_hot, lambda indices, on, off, depth, axis: _one_hot_infer(
    indices, on, off, None if isinstance(depth, Spec) else depth, axis))


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """One-hot encodes `indices` along a new axis of size `depth` (default the last).

    Indices outside `[0, depth)` give rows of `off_value`. The dtype defaults to that of
    `on_value`/`off_value`, else float32.

    Example:
    >>> fluxion.one_hot([0, 2], 3)
    <tf.Tensor: shape=(2, 3), dtype=float32, numpy=
    array([[1., 0., 0.],
           [0., 0., 1.]], dtype=float32)>
    """
    i = _int_arg("one_hot", indices, "indices")
    if dtype is None:
        given = on_value if on_value is not None else off_value
        dtype = dtypes.float32 if given is None else convert_to_tensor(given).dtype
    on = convert_to_tensor(1 if on_value is None else on_value, dtype=dtype)
    off = convert_to_tensor(0 if off_value is None else off_value, dtype=dtype)
    depth, runtime = _dynamic_arg("one_hot", depth, "depth")
    rank = i._value.ndim
    axis = -1 if axis is None else int(_static(axis))
    if (depth is not None and depth < 0) or not -1 <= axis <= rank:
        raise ValueError(f"one_hot: expected depth >= 0 and axis in [-1, {rank}], received "
                         f"depth={depth}, axis={axis}.")
    axis = rank if axis == -1 else axis
    if runtime is not None:
        return bind(_ONE_HOT, i, on, off, runtime, axis=axis)
    return bind(_ONE_HOT, i, on, off, depth=depth, axis=axis)


def _tile_infer(x, multiples):
    shape = tuple(x.shape)
    if isinstance(multiples, Spec):  # given at run time (see _shape_input)
        multiples = (None,) * multiples.shape[0]
        if len(multiples) != len(shape):
            raise ValueError(f"tile: multiples must have {len(shape)} entries (one per axis of "
                             f"shape {shape}), received {len(multiples)}.")
        return Spec((None,) * len(shape), x.dtype)
    if len(multiples) != len(shape) or any(m < 0 for m in multiples):
        raise ValueError(f"tile: multiples must be {len(shape)} non-negative ints (one per axis "
                         f"of shape {shape}), received {list(multiples)}.")
    return Spec(tuple(None if d is None else d * m for d, m in zip(shape, multiples)), x.dtype)


def _tile_vjp(g, x, *rest, multiples=None):
    # rest: (out,), or (the run-time multiples, out). g reshaped to (m0, d0, m1, d1, ...).
    even = tuple(_range(0, 2 * len(x.shape), 2))
    if multiples is not None and None not in tuple(x.shape):
        pairs = tuple(v for m, d in zip(multiples, x.shape) for v in (m, d))
        return (reduce_sum(reshape(g, pairs), axis=even),)
    m = rest[0] if multiples is None else convert_to_tensor(multiples, dtype=np.int32)
    pairs = reshape(stack([m, shape(x)], axis=1), (-1,))
    return (reduce_sum(reshape(g, pairs), axis=even),) + (None,) * (len(rest) - 1)


_TILE = OpDef("tile", lambda x, multiples: np.tile(x, multiples), _tile_infer, _tile_vjp)


def tile(input, multiples, name=None):
    """Repeats `input` `multiples[i]` times along each axis i.

    Example:
    >>> fluxion.tile([1, 2], [2])
    <tf.Tensor: shape=(4,), dtype=int32, numpy=array([1, 2, 1, 2], dtype=int32)>
    """
    x = convert_to_tensor(input)
    multiples, runtime = _shape_input("tile", multiples)
    if len(multiples) != x._value.ndim:  # NumPy would pad them silently
        _tile_infer(Spec(x._value.shape, x._value.dtype), multiples)
    if runtime is not None:
        return _refined(bind(_TILE, x, runtime), tuple(
            None if m is None or d is None else m * d for m, d in zip(multiples, x._value.shape)))
    return bind(_TILE, x, multiples=multiples)


_PAD_MODES = ("CONSTANT", "REFLECT", "SYMMETRIC")


def _pad_infer(x, paddings, mode, constant_values):
    shape = tuple(x.shape)
    if len(paddings) != len(shape) or any(len(p) != 2 or min(p) < 0 for p in paddings):
        raise ValueError(f"pad: paddings must be {len(shape)} pairs of non-negative ints (one "
                         f"per axis of shape {shape}), received {[list(p) for p in paddings]}.")
    limit = {"REFLECT": 1, "SYMMETRIC": 0}.get(mode)
    for axis, (p, n) in enumerate(zip(paddings, shape)):
        if limit is not None and n is not None and max(p) > n - limit:
            raise ValueError(f"pad: in {mode} mode each padding of axis {axis} must be at most "
                             f"{n - limit} (its size {n}{' - 1' if limit else ''}), received "
                             f"{list(p)}.")
    return Spec(tuple(None if n is None else n + sum(p) for p, n in zip(paddings, shape)),
                x.dtype)


_PAD = OpDef("pad", K.pad, _pad_infer,
             lambda g, x, out, paddings, mode, constant_values:
             (bind(_UNPAD, g, paddings=paddings, mode=mode, shape=tuple(x.shape)),))
# The transpose of pad: sums each padded position back into the element it copies.
_UNPAD = OpDef("pad_grad", K.unpad, lambda g, paddings, mode, shape: Spec(shape, g.dtype),
               lambda gg, g, out, paddings, mode, shape:
               (bind(_PAD, gg, paddings=paddings, mode=mode, constant_values=0),))


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None):
    """Pads `tensor`; `paddings[i] = [before, after]` for axis i.

    Args:
        mode: "CONSTANT" (with `constant_values`), "REFLECT" (mirror, edge not repeated) or
            "SYMMETRIC" (mirror, edge repeated); case-insensitive.

    Example:
    >>> fluxion.pad([1, 2, 3], [[1, 2]], "REFLECT")
    <tf.Tensor: shape=(6,), dtype=int32, numpy=array([2, 1, 2, 3, 2, 1], dtype=int32)>
    """
    x = convert_to_tensor(tensor)
    mode = str(mode).upper()
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: mode must be one of {_PAD_MODES}, received {mode!r}.")
    pairs = _static(paddings)
    try:
        pairs = tuple(tuple(int(v) for v in p) for p in pairs)
    except TypeError:
        raise TypeError(f"pad: paddings must be a list of [before, after] pairs, received "
                        f"{pairs!r}.") from None
    value = _static(constant_values)
    if mode == "CONSTANT" and not isinstance(value, (Tensor, Variable)):  # TensorFlow's check
        try:
            convert_to_tensor(value, dtype=x.dtype)
        except (TypeError, ValueError) as error:
            raise InvalidArgumentTypeError(f"pad: constant_values={value!r} does not fit the "
                                           f"tensor's dtype {x.dtype.name}: {error}") from None
    _PAD.infer(Spec(x._value.shape, x._value.dtype), paddings=pairs, mode=mode,  # NumPy is
               constant_values=value)  # lenient
    return bind(_PAD, x, paddings=pairs, mode=mode, constant_values=value)


def reverse(tensor, axis, name=None):
    """Reverses `tensor` along the axes in `axis`.

    Example:
    >>> fluxion.reverse([1, 2, 3], [0])
    <tf.Tensor: shape=(3,), dtype=int32, numpy=array([3, 2, 1], dtype=int32)>
    """
    x = convert_to_tensor(tensor)
    axes = rules.normalize_axis("reverse", _static(axis), x._value.ndim) or ()
    flip = _slice(None, None, -1)
    return getitem(x, tuple(flip if a in axes else _slice(None) for a in _range(x._value.ndim)))


def repeat(input, repeats, axis=None, name=None):
    """Repeats each element of `input` `repeats` times along `axis` (None: flattened).

    Example:
    >>> fluxion.repeat([1, 2], 2)
    <tf.Tensor: shape=(4,), dtype=int32, numpy=array([1, 1, 2, 2], dtype=int32)>
    """
    x = convert_to_tensor(input)
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
    (axis,) = rules.normalize_axis("repeat", int(_static(axis)), x._value.ndim)
    n = x._value.shape[axis]
    counts = np.asarray(_static(repeats), dtype=np.int64)
    if counts.ndim > 1 or counts.size not in (1, n) or (counts < 0).any():
        raise ValueError(f"repeat: repeats must be a non-negative int or a list of {n} of them "
                         f"(the size of axis {axis}), received {_static(repeats)!r}.")
    return gather(x, np.repeat(np.arange(n, dtype=np.int32), counts.reshape(-1)), axis=axis)


# --- creation: range, linspace, eye; shape queries -----------------------------------------------
def _range_kernel(start, limit, delta, dtype):
    count = _range_count(start, limit, delta)
    if np.dtype(dtype).kind in "iu":
        return np.arange(start, limit, delta, dtype=dtype)
    return (start + np.arange(count) * delta).astype(dtype)


def _range_count(start, limit, delta):
    """The length of range(start, limit, delta); raises as TensorFlow for a zero delta or a
    `limit` on the wrong side of `start` (an empty result needs `start == limit`)."""
    if delta == 0:
        raise InvalidArgumentValueError("range: delta must not be 0.")
    if start > limit if delta > 0 else start < limit:
        sign, need = ("positive", "<=") if delta > 0 else ("negative", ">=")
        raise InvalidArgumentValueError(
            f"range: with a {sign} delta ({delta}) start must be {need} limit; received "
            f"start={start}, limit={limit}. Swap them or change the sign of delta.")
    return int(np.ceil((limit - start) / delta))


def _range_infer(start, limit, delta, dtype):
    if isinstance(start, Spec):  # bounds given at run time
        return Spec((None,), np.dtype(dtype))
    return Spec((_range_count(start, limit, delta),), np.dtype(dtype))


_RANGE = OpDef("range", _range_kernel, _range_infer)
_RANGE_ORDER = (np.int32, np.int64, np.float16, np.float32, np.float64)


def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001
    """A 1-D tensor `[start, start + delta, ...]` up to (not including) `limit`.

    The dtype is int32 for Python ints and float32 for Python floats, as in TensorFlow.

    Example:
    >>> fluxion.range(1, 7, 2)
    <tf.Tensor: shape=(3,), dtype=int32, numpy=array([1, 3, 5], dtype=int32)>
    """
    if limit is None:
        start, limit = 0, start
    args = [convert_to_tensor(v) for v in (start, limit, delta)]
    for a in args:
        if a._value.ndim != 0 or a._value.dtype.kind not in "iuf":
            raise ValueError(f"range: start, limit and delta must be scalar numbers, received "
                             f"{a._value!r}.")
    if dtype is None:
        dt = max((a._value.dtype.type for a in args), key=lambda t: _RANGE_ORDER.index(t)
                 if t in _RANGE_ORDER else 0)
    else:
        dt = dtypes.as_dtype(dtype)._np.type
    args = [convert_to_tensor(np.asarray(_known_value(a), a._value.dtype))
            if isinstance(a, SymbolicTensor) and _known_value(a) is not None else a
            for a in args]
    if any(isinstance(a, SymbolicTensor) for a in args):  # bounds known only at run time
        args = [a if a._value.dtype == dt else cast(a, dt) for a in args]
        return bind(_RANGE, *args, dtype=np.dtype(dt))
    start, limit, delta = (a._value.item() for a in args)
    return bind(_RANGE, start=start, limit=limit, delta=delta, dtype=np.dtype(dt))


def _linspace_infer(start, stop, num, axis):
    rules.check_dtype("linspace", start.dtype, "f", "start")
    shape = rules.broadcast_shapes("linspace", start.shape, stop.shape)
    num = None if isinstance(num, Spec) else num  # given at run time
    return Spec(shape[:axis] + (num,) + shape[axis:], start.dtype)


def _linspace_vjp(g, start, stop, *rest, num=None, axis):
    # rest: (out,), or (the run-time num, out).
    out = rest[-1]
    trailing = (1,) * (len(out.shape) - 1 - axis)
    if num is not None:
        t = np.linspace(0.0, 1.0, num).reshape((num,) + trailing).astype(out.dtype._np)
    else:
        n = cast(rest[0], out.dtype)
        t = reshape(globals()["range"](n) / maximum(n - 1.0, 1.0), (-1,) + trailing)
    grads = reduce_sum(g * (1.0 - t), axis=axis), reduce_sum(g * t, axis=axis)
    return grads + (None,) * (len(rest) - 1)


_LINSPACE = OpDef("linspace", lambda start, stop, num, axis:
                  np.linspace(start, stop, num, axis=axis, dtype=np.result_type(start)),
                  _linspace_infer, _linspace_vjp)


def linspace(start, stop, num, name=None, axis=0):
    """`num` evenly spaced values from `start` to `stop` (both included), along `axis`.

    `stop` takes the dtype of `start`; integer bounds give float64 values, as in TensorFlow.

    Example:
    >>> fluxion.linspace(10.0, 12.0, 3)
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([10., 11., 12.], dtype=float32)>
    >>> fluxion.linspace(0, 3, 4).dtype
    tf.float64
    """
    from .math_ops import binary_args
    start, stop = binary_args("linspace", convert_to_tensor(start), stop)
    if start._value.dtype.kind in "iu":
        start, stop = cast(start, np.float64), cast(stop, np.float64)
    if start._value.dtype.kind != "f":
        rules.check_dtype("linspace", start._value.dtype, "f", "start")
    num, runtime = _dynamic_arg("linspace", num, "num")
    if num is not None and num <= 0:
        raise ValueError(f"linspace: num must be positive, received {num}.")
    rank = len(rules.broadcast_shapes("linspace", start._value.shape, stop._value.shape))
    (axis,) = rules.normalize_axis("linspace", int(_static(axis)), rank + 1)
    if runtime is not None:
        return bind(_LINSPACE, start, stop, runtime, axis=axis)
    return bind(_LINSPACE, start, stop, num=num, axis=axis)


def _eye_kernel(num_rows, num_columns, batch_shape, dtype):
    out = np.zeros(batch_shape + (num_rows, num_columns), dtype)
    diag = np.arange(min(num_rows, num_columns))
    out[..., diag, diag] = 1
    return out


_EYE = OpDef("eye", _eye_kernel, lambda num_rows, num_columns, batch_shape, dtype: Spec(
    batch_shape + tuple(None if isinstance(n, Spec) else n for n in (num_rows, num_columns)),
    np.dtype(dtype)))


def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32, name=None):
    """An identity matrix (or a batch of them), `num_rows x num_columns`.

    Example:
    >>> fluxion.eye(2)
    <tf.Tensor: shape=(2, 2), dtype=float32, numpy=
    array([[1., 0.],
           [0., 1.]], dtype=float32)>
    """
    rows, rows_t = _dynamic_arg("eye", num_rows, "num_rows")
    cols, cols_t = (rows, rows_t) if num_columns is None else \
        _dynamic_arg("eye", num_columns, "num_columns")
    batch = () if batch_shape is None else _shape_arg("eye", batch_shape)
    if min((0 if rows is None else rows, 0 if cols is None else cols) + batch) < 0:
        raise ValueError(f"eye: sizes must be non-negative, received num_rows={rows}, "
                         f"num_columns={cols}, batch_shape={batch}.")
    dtype = dtypes.as_dtype(dtype)._np
    if rows_t is not None or cols_t is not None:  # sizes known only at run time
        sizes = [wrap(np.int32(n)) if t is None else t for n, t in ((rows, rows_t), (cols, cols_t))]
        return bind(_EYE, *sizes, batch_shape=batch, dtype=dtype)
    return bind(_EYE, num_rows=rows, num_columns=cols, batch_shape=batch, dtype=dtype)


_SHAPE = OpDef("shape", lambda x, out_type: np.array(x.shape, out_type),
               lambda x, out_type: Spec((len(x.shape),), np.dtype(out_type)))
_SIZE = OpDef("size", lambda x, out_type: np.dtype(out_type).type(np.size(x)),
              lambda x, out_type: Spec((), np.dtype(out_type)))
_RANK = OpDef("rank", lambda x: np.int32(np.ndim(x)), lambda x: Spec((), np.dtype(np.int32)))


def shape(input, out_type=dtypes.int32, name=None):
    """The shape of `input` as a 1-D int32 (or `out_type`) tensor.

    Example:
    >>> fluxion.shape(fluxion.zeros((2, 3)))
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([2, 3], dtype=int32)>
    """
    return bind(_SHAPE, convert_to_tensor(input), out_type=dtypes.as_dtype(out_type)._np)


def size(input, out_type=dtypes.int32, name=None):
    """The number of elements of `input`, as a scalar int32 (or `out_type`) tensor.

    Example:
    >>> fluxion.size(fluxion.zeros((2, 3)))
    <tf.Tensor: shape=(), dtype=int32, numpy=6>
    """
    return bind(_SIZE, convert_to_tensor(input), out_type=dtypes.as_dtype(out_type)._np)


def rank(input, name=None):
    """The rank (number of dimensions) of `input`, as a scalar int32 tensor.

    Example:
    >>> fluxion.rank(fluxion.zeros((2, 3)))
    <tf.Tensor: shape=(), dtype=int32, numpy=2>
    """
    return bind(_RANK, convert_to_tensor(input))


# Indexing ops live in index_ops (which builds on this module); re-exported for callers of
# array_ops.
from .index_ops import (  # noqa: E402, F401
    argsort,
    boolean_mask,
    gather,
    gather_nd,
    getitem,
    slice,
    sort,
    top_k,
    unsorted_segment_sum,
    unstack,
)
from .math_ops import cast, maximum, reduce_sum  # noqa: E402
