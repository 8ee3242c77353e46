"""Convolution and pooling ops (`tf.nn.conv2d`, `tf.nn.max_pool2d`, ...).

Primitives work on NHWC tensors; 1-D ops are the 2-D ones with a height of 1, and channels-first
data formats are transposed around them. Every gradient is again a primitive of this module, so
that gradients are differentiable again:

- `conv2d(x, w)`: d/dx is `conv2d_backprop_input(g, w)`, d/dw is `conv2d_backprop_filter(x, g)`;
  the two backprops are linear in each argument and their gradients are conv2d and each other.
- `max_pool2d(x)`: d/dx is `max_pool2d_grad(x, y, g)` (the cotangent routed to each window's first
  maximum); its gradient in `g` is `max_pool2d_grad_grad` (the cotangent read at those maxima),
  whose gradient is `max_pool2d_grad` again.
- `avg_pool2d(x)`: d/dx is `avg_pool2d_grad(g)`, whose gradient is `avg_pool2d` again.
"""
import numpy as np

from ..kernels import conv as K
from . import rules
from .array_ops import expand_dims, squeeze, transpose
from .math_ops import binary_args, unary_arg
from .registry import OpDef, Spec, bind

__all__ = ["avg_pool", "avg_pool1d", "avg_pool2d", "conv1d", "conv1d_transpose", "conv2d",
           "conv2d_transpose", "max_pool", "max_pool1d", "max_pool2d"]

_AXES = ("height", "width")


# --- argument normalization ----------------------------------------------------------------------
def _channels_first(op_name, data_format, n):
    last, first = ("NWC", "NCW") if n == 1 else ("NHWC", "NCHW")
    if data_format in (None, last, "channels_last"):
        return False
    if data_format in (first, "channels_first"):
        return True
    raise ValueError(f"{op_name}: data_format must be '{last}' or '{first}', received "
                     f"{data_format!r}.")


def _ints(op_name, arg, value, n, channels_first):
    """An int or a list of 1, n or n + 2 ints (batch and channel entries 1) -> n positive ints."""
    if isinstance(value, (int, np.integer)):
        value = [value]
    value = [int(v) for v in np.asarray(value).reshape(-1)]
    if len(value) == n + 2:
        outer = (value[0], value[1]) if channels_first else (value[0], value[-1])
        if outer != (1, 1):
            raise ValueError(f"{op_name}: {arg} along the batch and channel axes must be 1, "
                             f"received {arg}={value}.")
        value = value[2:] if channels_first else value[1:-1]
    elif len(value) == 1:
        value = value * n
    if len(value) != n or min(value) < 1:
        raise ValueError(f"{op_name}: {arg} must be a positive int or a list of 1, {n} or "
                         f"{n + 2} positive ints, received {arg}={value}.")
    return tuple(value)


def _padding(op_name, padding, n, channels_first, explicit=True):
    """'SAME' | 'VALID' | explicit [[before, after], ...] -> 'SAME' | 'VALID' | n pairs."""
    if isinstance(padding, str):
        if padding.upper() in ("SAME", "VALID"):
            return padding.upper()
        raise ValueError(f"{op_name}: padding must be 'SAME', 'VALID' or a list of [before, after] "
                         f"pairs, received padding={padding!r}.")
    try:
        pairs = [tuple(int(p) for p in pair) for pair in padding]
    except TypeError:
        pairs = []
    if not explicit:
        raise ValueError(f"{op_name}: padding must be 'SAME' or 'VALID' (explicit padding is not "
                         f"supported by this op), received padding={padding!r}.")
    if len(pairs) == n + 2:
        outer = pairs[:2] if channels_first else [pairs[0], pairs[-1]]
        if any(outer_pair != (0, 0) for outer_pair in outer):
            raise ValueError(f"{op_name}: explicit padding of the batch and channel axes must be "
                             f"[0, 0], received padding={padding!r}.")
        pairs = pairs[2:] if channels_first else pairs[1:-1]
    if len(pairs) != n or any(len(p) != 2 or min(p) < 0 for p in pairs):
        raise ValueError(f"{op_name}: explicit padding must be {n + 2} pairs of non-negative "
                         f"ints [before, after], one per axis, received padding={padding!r}.")
    return tuple(pairs)


def _out_sizes(op_name, sizes, ksizes, strides, dilations, padding, what="filter"):
    """Output spatial sizes (None where unknown); raises when a window does not fit."""
    out = []
    axes = _AXES[-len(sizes):]
    for ax, n, k, s, d, pad in zip(axes, sizes, ksizes, strides, dilations,
                                   padding if isinstance(padding, tuple) else [None] * len(sizes)):
        if n is None or k is None:
            out.append(None)
            continue
        if padding == "SAME":
            out.append(-(-n // s))
            continue
        pad = pad or (0, 0)
        o = K.out_size(n, k, s, d, pad)
        if o <= 0:
            span = (k - 1) * d + 1
            raise ValueError(f"{op_name}: the {what} window ({span} wide along {ax}: size {k}, "
                             f"dilation {d}) is larger than the {'padded ' * any(pad)}input "
                             f"({n + sum(pad)} along {ax}). Use padding='SAME', a smaller {what} "
                             "or a larger input.")
        out.append(o)
    return tuple(out)


def _rank_error(op_name, arg, shape, n, layout):
    return ValueError(f"{op_name}: {arg} must be a {n + 2}-D tensor {layout}, received shape "
                      f"{tuple(shape)}.")


def _conv_out_shape(op_name, x, w, strides, dilations, padding, n=2):
    """Validates conv arguments (channels-last shapes) and returns the output shape."""
    layout = "(batch, width, channels)" if n == 1 else "(batch, height, width, channels)"
    if len(x.shape) != n + 2:
        raise _rank_error(op_name, "input", x.shape, n, layout)
    if len(w.shape) != n + 2:
        raise _rank_error(op_name, "filters", w.shape, n,
                          "(" + "kernel_size, " * n + "in_channels, out_channels)")
    if np.dtype(x.dtype) != np.dtype(w.dtype):
        raise TypeError(f"{op_name}: input and filters must have the same dtype, received "
                        f"{np.dtype(x.dtype).name} and {np.dtype(w.dtype).name}. Cast one with "
                        "fluxion.cast.")
    if np.dtype(x.dtype) != np.int32:  # TensorFlow's CPU convolutions take int32 too
        rules.check_dtype(op_name, x.dtype, "f", "input")
    c, wc = x.shape[-1], w.shape[-2]
    if c is not None and wc is not None and c != wc:
        raise ValueError(f"{op_name}: input has {c} channels but filters expect {wc} "
                         f"(input shape {tuple(x.shape)}, filters shape {tuple(w.shape)}: "
                         "(..., in_channels, out_channels)). Check the filters' third-last axis "
                         "or the data_format.")
    spatial = _out_sizes(op_name, tuple(x.shape[1:-1]), tuple(w.shape[:n]), strides, dilations,
                         padding)
    return (x.shape[0],) + spatial + (w.shape[-1],)


# --- convolution primitives ----------------------------------------------------------------------
def _conv_infer(x, w, strides, dilations, padding):
    return Spec(_conv_out_shape("conv2d", x, w, strides, dilations, padding), x.dtype)


def _conv_vjp(g, x, w, out, strides, dilations, padding):
    attrs = dict(strides=strides, dilations=dilations, padding=padding)
    # Deferred: the tape skips the input gradient of a first layer (the images need none).
    return (lambda: bind(_BACKPROP_INPUT, g, w, input_hw=tuple(x.shape[1:3]), **attrs),
            lambda: bind(_BACKPROP_FILTER, x, g, filter_hw=tuple(w.shape[:2]), **attrs))


def _bpi_infer(dy, w, input_hw, strides, dilations, padding):
    name = "conv2d_backprop_input"
    x = Spec((dy.shape[0],) + tuple(input_hw) + (w.shape[-2],), dy.dtype)
    expected = _conv_out_shape(name, x, w, strides, dilations, padding)
    if len(dy.shape) != 4 or any(a is not None and b is not None and a != b
                                 for a, b in zip(expected, dy.shape)):
        raise ValueError(f"{name}: the gradient has shape {tuple(dy.shape)}, but a conv2d of an "
                         f"input of shape {x.shape} with filters {tuple(w.shape)} gives "
                         f"{expected}.")
    return x


def _bpi_vjp(g, dy, w, out, input_hw, strides, dilations, padding):
    attrs = dict(strides=strides, dilations=dilations, padding=padding)
    return (bind(_CONV2D, g, w, **attrs),
            bind(_BACKPROP_FILTER, g, dy, filter_hw=tuple(w.shape[:2]), **attrs))


def _bpf_infer(x, dy, filter_hw, strides, dilations, padding):
    name = "conv2d_backprop_filter"
    w = Spec(tuple(filter_hw) + (x.shape[-1] if x.shape else None,
                                 dy.shape[-1] if dy.shape else None), x.dtype)
    expected = _conv_out_shape(name, x, w, strides, dilations, padding)
    if len(dy.shape) != 4 or any(a is not None and b is not None and a != b
                                 for a, b in zip(expected, dy.shape)):
        raise ValueError(f"{name}: the gradient has shape {tuple(dy.shape)}, but a conv2d of an "
                         f"input of shape {tuple(x.shape)} with filters {w.shape} gives "
                         f"{expected}.")
    return w


def _bpf_vjp(g, x, dy, out, filter_hw, strides, dilations, padding):
    attrs = dict(strides=strides, dilations=dilations, padding=padding)
    return (bind(_BACKPROP_INPUT, dy, g, input_hw=tuple(x.shape[1:3]), **attrs),
            bind(_CONV2D, x, g, **attrs))


_CONV2D = OpDef("conv2d", K.conv2d, _conv_infer, _conv_vjp)
_BACKPROP_INPUT = OpDef("conv2d_backprop_input", K.conv2d_backprop_input, _bpi_infer, _bpi_vjp)
_BACKPROP_FILTER = OpDef("conv2d_backprop_filter", K.conv2d_backprop_filter, _bpf_infer,
                         _bpf_vjp)

# The patches of conv2d's input made once for the convolution and its filter gradient (graph pass
# `share_conv_patches`; compiled steps only, so no gradients).
_PATCHES = OpDef("conv2d_patches", K.conv2d_patches,
                 lambda x, ksize, strides, dilations, padding: Spec(
                     K.patches_shape(tuple(x.shape), ksize, strides, dilations, padding),
                     x.dtype), out_kernel=K.conv2d_patches)
_CONV2D_ON_PATCHES = OpDef(
    "conv2d_on_patches", K.conv2d_on_patches,
    lambda p, w, input_shape, strides, dilations, padding: _conv_infer(
        Spec(input_shape, w.dtype), w, strides, dilations, padding))
_BACKPROP_FILTER_ON_PATCHES = OpDef(
    "conv2d_backprop_filter_on_patches", K.conv2d_backprop_filter_on_patches,
    lambda p, dy, input_shape, filter_hw, strides, dilations, padding: _bpf_infer(
        Spec(input_shape, dy.dtype), dy, filter_hw, strides, dilations, padding))


# --- public convolutions -------------------------------------------------------------------------
def _to_last(x, first, n):
    return transpose(x, (0,) + tuple(range(2, n + 2)) + (1,)) if first else x


def _last_spec(x, first):
    """The Spec of `x` with its channels moved last (when channels first and of rank > 1)."""
    shape = tuple(x.shape)
    if first and len(shape) > 1:
        shape = (shape[0],) + shape[2:] + (shape[1],)
    return Spec(shape, x.dtype._np)


def _to_first(x, first, n):
    return transpose(x, (0, n + 1) + tuple(range(1, n + 1))) if first else x


def _conv(op_name, input, filters, strides, padding, data_format, dilations, n):
    first = _channels_first(op_name, data_format, n)
    x, w = binary_args(op_name, input, filters)
    strides = _ints(op_name, "strides", strides, n, first)
    dilations = _ints(op_name, "dilations", 1 if dilations is None else dilations, n, first)
    padding = _padding(op_name, padding, n, first)
    _conv_out_shape(op_name, _last_spec(x, first), Spec(tuple(w.shape), w.dtype._np),
                    strides, dilations, padding, n)
    x = _to_last(x, first, n)
    if n == 1:
        x, w = expand_dims(x, 1), expand_dims(w, 0)
        strides, dilations = (1,) + strides, (1,) + dilations
        padding = padding if isinstance(padding, str) else ((0, 0),) + padding
    y = bind(_CONV2D, x, w, strides=strides, dilations=dilations, padding=padding)
    return _to_first(squeeze(y, 1) if n == 1 else y, first, n)


def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None, name=None):
    """Computes a 2-D convolution (a cross-correlation, as TensorFlow) of `input` with `filters`.

    Args:
        input: tensor of shape `(batch, height, width, in_channels)` (or channels first with
            `data_format="NCHW"`).
        filters: tensor of shape `(kernel_height, kernel_width, in_channels, out_channels)`.
        strides: an int or a list of 1, 2 or 4 ints.
        padding: `"VALID"`, `"SAME"` (TensorFlow's rule: output size `ceil(size / stride)`,
            the extra padding after) or explicit `[[0, 0], [top, bottom], [left, right], [0, 0]]`.
        data_format: `"NHWC"` (default) or `"NCHW"`.
        dilations: an int or a list of 1, 2 or 4 ints (default 1).

    Returns:
        A tensor of shape `(batch, out_height, out_width, out_channels)`.

    Raises:
        ValueError: for ranks, channels, padding or windows that do not fit.

    Example:
    >>> x = fluxion.ones((1, 4, 4, 1))
    >>> fluxion.nn.conv2d(x, fluxion.ones((3, 3, 1, 2)), 1, "VALID").shape
    TensorShape([1, 2, 2, 2])
    """
    return _conv("conv2d", input, filters, strides, padding, data_format, dilations, 2)


def conv1d(input, filters, stride, padding, data_format="NWC", dilations=None, name=None):
    """Computes a 1-D convolution of `input` (batch, width, in_channels) with `filters`.

    Args:
        input: tensor of shape `(batch, width, in_channels)` (`data_format="NCW"`: channels first).
        filters: tensor of shape `(kernel_width, in_channels, out_channels)`.
        stride: an int or a list of 1 or 3 ints.
        padding: `"VALID"`, `"SAME"` or explicit `[[0, 0], [left, right], [0, 0]]`.
        dilations: an int or a list of 1 or 3 ints.

    Returns:
        A tensor of shape `(batch, out_width, out_channels)`.

    Example:
    >>> fluxion.nn.conv1d(fluxion.ones((1, 5, 1)), fluxion.ones((3, 1, 1)), 1, "SAME").shape
    TensorShape([1, 5, 1])
    """
    return _conv("conv1d", input, filters, stride, padding, data_format, dilations, 1)


def _conv_transpose(op_name, input, filters, output_shape, strides, padding, data_format,
                    dilations, n):
    first = _channels_first(op_name, data_format, n)
    x, w = binary_args(op_name, input, filters)
    strides = _ints(op_name, "strides", strides, n, first)
    dilations = _ints(op_name, "dilations", 1 if dilations is None else dilations, n, first)
    padding = _padding(op_name, padding, n, first)
    values = list(output_shape) if isinstance(output_shape, (list, tuple)) else \
        np.asarray(output_shape).reshape(-1).tolist()
    shape = [None if d is None else int(d) for d in values]
    if shape and shape[0] is None:  # an unknown batch size: the input's
        shape[0] = x.shape[0]
    if len(shape) != n + 2:
        raise ValueError(f"{op_name}: output_shape must have {n + 2} entries, received "
                         f"{shape}.")
    if first:
        shape = [shape[0]] + shape[2:] + [shape[1]]
    xs = _last_spec(x, first)
    if len(xs.shape) != n + 2:
        raise _rank_error(op_name, "input", x.shape, n, "(batch, ..., channels)")
    x = _to_last(x, first, n)
    if len(w.shape) == n + 2 and w.shape[-1] != x.shape[-1]:
        raise ValueError(f"{op_name}: input has {x.shape[-1]} channels but filters expect "
                         f"{w.shape[-1]} (filters of shape {tuple(w.shape)}: (..., "
                         "out_channels, in_channels)).")
    # The op is the adjoint of a convolution of an output_shape tensor: check that one.
    if len(w.shape) == n + 2 and w.shape[-2] != shape[-1]:
        raise ValueError(f"{op_name}: output_shape {shape} has {shape[-1]} channels but filters "
                         f"of shape {tuple(w.shape)} produce {w.shape[-2]} (filters are (..., "
                         "out_channels, in_channels)).")
    if len(w.shape) == n + 2:
        out = _conv_out_shape(op_name, Spec(tuple(shape), x.dtype._np),
                              Spec(tuple(w.shape), w.dtype._np), strides, dilations, padding, n)
        if tuple(out[1:-1]) != tuple(x.shape[1:-1]) or (
                None not in (shape[0], x.shape[0]) and shape[0] != x.shape[0]):
            raise ValueError(f"{op_name}: output_shape {shape} does not fit an input of shape "
                             f"{tuple(x.shape)}: a convolution of output_shape with these "
                             f"strides and padding has shape {out}. Check output_shape, "
                             "strides and padding.")
    else:
        _conv_out_shape(op_name, Spec(tuple(shape), x.dtype._np), Spec(tuple(w.shape), w.dtype._np),
                        strides, dilations, padding, n)
    input_hw = tuple(shape[1:-1])
    if n == 1:
        x, w = expand_dims(x, 1), expand_dims(w, 0)
        strides, dilations, input_hw = (1,) + strides, (1,) + dilations, (1,) + input_hw
        padding = padding if isinstance(padding, str) else ((0, 0),) + padding
    y = bind(_BACKPROP_INPUT, x, w, input_hw=input_hw, strides=strides, dilations=dilations,
             padding=padding)
    return _to_first(squeeze(y, 1) if n == 1 else y, first, n)


def conv2d_transpose(input, filters, output_shape, strides, padding="SAME", data_format="NHWC",
                     dilations=None, name=None):
    """The transpose (gradient) of conv2d: scatters each input pixel through the filters.

    Args:
        input: tensor of shape `(batch, height, width, in_channels)`.
        filters: tensor of shape `(kernel_height, kernel_width, out_channels, in_channels)`.
        output_shape: `(batch, out_height, out_width, out_channels)`: a conv2d of a tensor of
            this shape with the same strides and padding must have the shape of `input`. A
            batch of None stands for the input's (possibly unknown) batch size.
        strides, padding, data_format, dilations: as in `conv2d`.

    Returns:
        A tensor of shape `output_shape`.

    Example:
    >>> x = fluxion.ones((1, 2, 2, 1))
    >>> fluxion.nn.conv2d_transpose(x, fluxion.ones((3, 3, 1, 1)), (1, 4, 4, 1), 2).shape
    TensorShape([1, 4, 4, 1])
    """
    return _conv_transpose("conv2d_transpose", input, filters, output_shape, strides, padding,
                           data_format, dilations, 2)


def conv1d_transpose(input, filters, output_shape, strides, padding="SAME", data_format="NWC",
                     dilations=None, name=None):
    """The transpose (gradient) of conv1d; `filters` is `(kernel_width, out_channels,
    in_channels)`.

    Example:
    >>> x = fluxion.ones((1, 3, 1))
    >>> fluxion.nn.conv1d_transpose(x, fluxion.ones((3, 1, 1)), (1, 6, 1), 2).shape
    TensorShape([1, 6, 1])
    """
    return _conv_transpose("conv1d_transpose", input, filters, output_shape, strides, padding,
                           data_format, dilations, 1)



# --- pooling primitives --------------------------------------------------------------------------
def _pool_out_shape(op_name, x, ksize, strides, padding, n=2, kinds="f"):
    """Validates pooling arguments (channels-last shape) and returns the output shape."""
    if len(x.shape) != n + 2:
        layout = "(batch, width, channels)" if n == 1 else "(batch, height, width, channels)"
        raise _rank_error(op_name, "input", x.shape, n, layout)
    rules.check_dtype(op_name, x.dtype, kinds, "input")
    spatial = _out_sizes(op_name, tuple(x.shape[1:-1]), ksize, strides, (1,) * n, padding,
                         "pooling")
    return (x.shape[0],) + spatial + (x.shape[-1],)


def _pool_infer(name, kinds):
    def infer(x, ksize, strides, padding):
        return Spec(_pool_out_shape(name, x, ksize, strides, padding, kinds=kinds), x.dtype)
    return infer


def _pool_grad_infer(like):
    """Max pool grads take (x, y, g) and are shaped like x (`like=0`) or y (`like=1`)."""
    def infer(*specs, ksize, strides, padding, input_hw=None):
        g = specs[-1]
        if input_hw is None:
            return Spec(tuple(specs[like].shape), g.dtype)
        return Spec((g.shape[0],) + tuple(input_hw) + (g.shape[-1],), g.dtype)
    return infer


def _max_pool_vjp(g, x, out, **attrs):
    return (bind(_MAX_POOL_GRAD, x, out, g, **attrs),)


_MAX_POOL = OpDef("max_pool2d", K.max_pool2d, _pool_infer("max_pool2d", "iuf"), _max_pool_vjp)
_MAX_POOL_GRAD = OpDef(
    "max_pool2d_grad", K.max_pool2d_grad, _pool_grad_infer(0),
    lambda g, x, y, dy, out, **attrs: (None, None, bind(_MAX_POOL_GRAD_GRAD, x, y, g, **attrs)))
_MAX_POOL_GRAD_GRAD = OpDef(
    "max_pool2d_grad_grad", K.max_pool2d_grad_grad, _pool_grad_infer(1),
    lambda g, x, y, gg, out, **attrs: (None, None, bind(_MAX_POOL_GRAD, x, y, g, **attrs)))
_AVG_POOL = OpDef(
    "avg_pool2d", K.avg_pool2d, _pool_infer("avg_pool2d", "f"),
    lambda g, x, out, **attrs: (bind(_AVG_POOL_GRAD, g, input_hw=tuple(x.shape[1:3]),
                                     **attrs),))
_AVG_POOL_GRAD = OpDef(
    "avg_pool2d_grad", K.avg_pool2d_grad, _pool_grad_infer(None),
    lambda g, dy, out, input_hw, **attrs: (bind(_AVG_POOL, g, **attrs),))


# --- global max pooling --------------------------------------------------------------------------
def _global_max_infer(x, axis, keepdims):
    rules.check_dtype("global_max_pool", x.dtype, "iuf", "input")
    rules.normalize_axis("global_max_pool", axis, len(x.shape))
    return Spec(rules.reduced_shape(tuple(x.shape), axis, keepdims), x.dtype)


def _global_max_grad_infer(like):
    def infer(x, y, g, axis, keepdims):
        return Spec(tuple((x, y)[like].shape), g.dtype)
    return infer


_GLOBAL_MAX = OpDef(
    "global_max_pool", K.global_max, _global_max_infer,
    lambda g, x, out, **attrs: (bind(_GLOBAL_MAX_GRAD, x, out, g, **attrs),),
    out_kernel=K.global_max)
_GLOBAL_MAX_GRAD = OpDef(
    "global_max_pool_grad", K.global_max_grad, _global_max_grad_infer(0),
    lambda g, x, y, dy, out, **attrs: (None, None,
                                       bind(_GLOBAL_MAX_GRAD_GRAD, x, y, g, **attrs)),
    out_kernel=K.global_max_grad)
_GLOBAL_MAX_GRAD_GRAD = OpDef(
    "global_max_pool_grad_grad", K.global_max_grad_grad, _global_max_grad_infer(1),
    lambda g, x, y, gg, out, **attrs: (None, None, bind(_GLOBAL_MAX_GRAD, x, y, g, **attrs)))


def global_max_pool(input, axis, keepdims=False):
    """The maximum of `input` over `axis`, as `reduce_max`, with a one-pass gradient kernel.

    The global max pooling layers use it: the gradient (`g` shared equally among the maxima,
    TensorFlow's rule for `reduce_max`) is one primitive instead of a chain of elementwise ops
    over the input's shape.

    Args:
        input: an int or float tensor.
        axis: an int or a sequence of ints (the axes to reduce).
        keepdims: whether to keep the reduced axes with size 1.

    Returns:
        A tensor of `input`'s dtype.

    Example:
    >>> from fluxion.ops.conv_ops import global_max_pool
    >>> global_max_pool(fluxion.constant([[[1.0, 5.0], [3.0, 2.0]]]), 1).numpy()
    array([[3., 5.]], dtype=float32)
    """
    x = unary_arg("global_max_pool", input, "iuf")
    axis = rules.normalize_axis("global_max_pool", axis, len(x.shape))
    return bind(_GLOBAL_MAX, x, axis=axis, keepdims=bool(keepdims))


# --- public pooling ------------------------------------------------------------------------------
def _pool(op_name, op, input, ksize, strides, padding, data_format, n):
    first = _channels_first(op_name, data_format, n)
    x = unary_arg(op_name, input, "iuf" if op is _MAX_POOL else "f")
    ksize = _ints(op_name, "ksize", ksize, n, first)
    strides = _ints(op_name, "strides", strides, n, first)
    padding = _padding(op_name, padding, n, first, explicit=op is _MAX_POOL)
    _pool_out_shape(op_name, _last_spec(x, first), ksize, strides, padding, n,
                    "iuf" if op is _MAX_POOL else "f")
    x = _to_last(x, first, n)
    if n == 1:
        x = expand_dims(x, 1)
        ksize, strides = (1,) + ksize, (1,) + strides
        padding = padding if isinstance(padding, str) else ((0, 0),) + padding
    y = bind(op, x, ksize=ksize, strides=strides, padding=padding)
    return _to_first(squeeze(y, 1) if n == 1 else y, first, n)


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):
    """Takes the maximum over each `ksize` window of `input` (batch, height, width, channels).

    Args:
        input: a 4-D tensor (`data_format` `"NHWC"`, the default, or `"NCHW"`).
        ksize: the window size: an int or a list of 1, 2 or 4 ints.
        strides: the window step: an int or a list of 1, 2 or 4 ints.
        padding: `"VALID"`, `"SAME"` (padded positions never win) or explicit pairs.

    Returns:
        A tensor of shape `(batch, out_height, out_width, channels)`. Its gradient goes to the
        first maximum of each window.

    Example:
    >>> x = fluxion.reshape(fluxion.range(16.0), (1, 4, 4, 1))
    >>> fluxion.nn.max_pool2d(x, 2, 2, "VALID")[0, :, :, 0].numpy()
    array([[ 5.,  7.],
       [13., 15.]], dtype=float32)
    """
    return _pool("max_pool2d", _MAX_POOL, input, ksize, strides, padding, data_format, 2)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):
    """Averages each `ksize` window of `input`; with SAME padding only real elements count.

    Args:
        input: a 4-D float tensor (`"NHWC"` or `"NCHW"`).
        ksize, strides: an int or a list of 1, 2 or 4 ints.
        padding: `"VALID"` or `"SAME"`.

    Returns:
        A tensor of shape `(batch, out_height, out_width, channels)`.

    Example:
    >>> x = fluxion.reshape(fluxion.range(16.0), (1, 4, 4, 1))
    >>> fluxion.nn.avg_pool2d(x, 2, 2, "VALID")[0, :, :, 0].numpy()
    array([[ 2.5,  4.5],
       [10.5, 12.5]], dtype=float32)
    """
    return _pool("avg_pool2d", _AVG_POOL, input, ksize, strides, padding, data_format, 2)


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):
    """Takes the maximum over each window of `input` (batch, width, channels).

    Example:
    >>> x = fluxion.reshape(fluxion.range(4.0), (1, 4, 1))
    >>> fluxion.nn.max_pool1d(x, 2, 2, "VALID").numpy().ravel()
    array([1., 3.], dtype=float32)
    """
    return _pool("max_pool1d", _MAX_POOL, input, ksize, strides, padding, data_format, 1)


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):
    """Averages each window of `input` (batch, width, channels).

    Example:
    >>> x = fluxion.reshape(fluxion.range(4.0), (1, 4, 1))
    >>> fluxion.nn.avg_pool1d(x, 2, 2, "VALID").numpy().ravel()
    array([0.5, 2.5], dtype=float32)
    """
    return _pool("avg_pool1d", _AVG_POOL, input, ksize, strides, padding, data_format, 1)


def _by_rank(op_name, fns, input, ksize, strides, padding, data_format):
    from ..core.tensor import convert_to_tensor
    x = convert_to_tensor(input)
    if x.ndim not in fns:
        raise ValueError(f"{op_name}: input must be a 3-D (batch, width, channels) or 4-D "
                         f"(batch, height, width, channels) tensor, received shape "
                         f"{tuple(x.shape)}.")
    return fns[x.ndim](x, ksize, strides, padding, data_format=data_format)


def max_pool(input, ksize, strides, padding, data_format=None, name=None):
    """Max pooling of a 3-D or 4-D `input` (dispatches to max_pool1d or max_pool2d).

    Example:
    >>> fluxion.nn.max_pool(fluxion.ones((1, 4, 4, 1)), 2, 2, "VALID").shape
    TensorShape([1, 2, 2, 1])
    """
    return _by_rank("max_pool", {3: max_pool1d, 4: max_pool2d}, input, ksize, strides, padding,
                    data_format)


def avg_pool(input, ksize, strides, padding, data_format=None, name=None):
    """Average pooling of a 3-D or 4-D `input` (dispatches to avg_pool1d or avg_pool2d).

    Example:
    >>> fluxion.nn.avg_pool(fluxion.ones((1, 4, 4, 1)), 2, 2, "VALID").shape
    TensorShape([1, 2, 2, 1])
    """
    return _by_rank("avg_pool", {3: avg_pool1d, 4: avg_pool2d}, input, ksize, strides, padding,
                    data_format)
