"""Convolution layers: Conv1D, Conv2D, Conv1DTranspose, Conv2DTranspose.

A convolution slides `filters` kernels over the spatial axes of its input (a cross-correlation,
as in Keras). Weights: `kernel` of shape `kernel_size + (input_channels // groups, filters)` (the
transposed layers: `kernel_size + (filters, input_channels)`) and `bias` of shape `(filters,)`.

Example:
>>> from fluxion import keras
>>> keras.layers.Conv2D(8, 3, activation="relu")(fluxion.ones((2, 28, 28, 1))).shape
TensorShape([2, 26, 26, 8])
"""
import numpy as np

from ... import nn
from ...ops import array_ops as a
from .. import activations, backend, constraints, initializers, regularizers
from ..engine.input_spec import InputSpec
from ..engine.layer import Layer

_LAYOUTS = {1: "(batch, steps, channels)", 2: "(batch, height, width, channels)",
            3: "(batch, depth, height, width, channels)"}


# --- argument helpers (shared with the pooling and reshaping layers of this package) -------------
def normalize_tuple(value, n, name, layer, allow_zero=False):
    """An int or an iterable of `n` ints -> a tuple of `n` ints (positive, or >= 0)."""
    try:
        values = (int(value),) * n if np.ndim(value) == 0 else tuple(int(v) for v in value)
    except (TypeError, ValueError):
        values = ()
    low = 0 if allow_zero else 1
    if len(values) != n or min(values) < low:
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{layer}: the `{name}` argument must be a tuple of {n} {kind} "
                         f"integers (or one int). Received: {name}={value!r}")
    return values


def normalize_padding(value, layer, allowed=("valid", "same")):
    """'valid' | 'same' (any case; Conv1D also 'causal') -> lower case."""
    padding = value.lower() if isinstance(value, str) else value
    if padding not in allowed:
        raise ValueError(f"{layer}: the `padding` argument must be one of {list(allowed)}. "
                         f"Received: padding={value!r}")
    return padding


def normalize_data_format(value, layer):
    """None (the backend's image_data_format) | 'channels_last' | 'channels_first'."""
    data_format = backend.image_data_format() if value is None else str(value).lower()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{layer}: the `data_format` argument must be one of 'channels_last', "
                         f"'channels_first'. Received: data_format={value!r}")
    return data_format


def check_rank(layer, input_shape, rank):
    """Raises the Keras-style message (plus a fix) when an input is not of rank `rank + 2`."""
    shape = tuple(input_shape)
    if len(shape) == rank + 2:
        return
    hint = ""
    if len(shape) == rank + 1:
        hint = (f" The input looks like {rank}-D data without a channel axis: add one with "
                f"Reshape({shape[1:] + (1,)}) (or fluxion.expand_dims(x, -1)) before the layer.")
    elif len(shape) > rank + 2:
        hint = " Reshape the input so that it has exactly one batch and one channel axis."
    raise ValueError(f'Input 0 of layer "{layer.name}" is incompatible with the layer: '
                     f"{type(layer).__name__} expects inputs of rank {rank + 2} "
                     f"{_LAYOUTS[rank]} (expected ndim={rank + 2}, found ndim={len(shape)}). "
                     f"Full shape received: {shape}.{hint}")


def conv_output_length(length, kernel, padding, stride, dilation=1):
    """The output size along one axis of a convolution or pooling (None when unknown)."""
    if length is None:
        return None
    span = (kernel - 1) * dilation + 1
    if padding == "same":
        return -(-length // stride)
    if padding == "causal":
        return -(-length // stride)
    return max((length - span) // stride + 1, 0)


def deconv_output_length(length, kernel, padding, output_padding, stride, dilation=1):
    """The output size along one axis of a transposed convolution (Keras's rule)."""
    if length is None:
        return None
    span = (kernel - 1) * dilation + 1
    if output_padding is None:
        if padding == "valid":
            return length * stride + max(span - stride, 0)
        return length * stride
    pad = span // 2 if padding == "same" else 0
    return (length - 1) * stride + span - 2 * pad + output_padding


def channel_axis(data_format):
    return 1 if data_format == "channels_first" else -1


def _spatial(shape, data_format):
    return tuple(shape[2:]) if data_format == "channels_first" else tuple(shape[1:-1])


def _with_spatial(batch, spatial, channels, data_format):
    if data_format == "channels_first":
        return (batch, channels) + tuple(spatial)
    return (batch,) + tuple(spatial) + (channels,)


# --- layers --------------------------------------------------------------------------------------
class _Conv(Layer):
    """The shared part of the (transposed) convolution layers of rank 1 and 2."""

    rank = 2
    transpose = False
    _cast_integer_inputs = True

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, output_padding=None, **kwargs):
        kwargs.pop("lora_rank", None)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        cls, n = type(self).__name__, self.rank
        if not isinstance(filters, (int, np.integer)) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(f"{cls}: invalid value for argument `filters`. Expected a strictly "
                             f"positive integer. Received: filters={filters!r}")
        self.filters = int(filters)
        self.groups = int(groups)
        if self.groups < 1 or self.filters % self.groups:
            raise ValueError(f"{cls}: the number of filters must be evenly divisible by the "
                             f"number of groups. Received: groups={groups}, filters={filters}.")
        self.kernel_size = normalize_tuple(kernel_size, n, "kernel_size", cls)
        self.strides = normalize_tuple(strides, n, "strides", cls)
        self.dilation_rate = normalize_tuple(dilation_rate, n, "dilation_rate", cls)
        allowed = ("valid", "same", "causal") if (n == 1 and not self.transpose) else (
            "valid", "same")
        self.padding = normalize_padding(padding, cls, allowed)
        self.data_format = normalize_data_format(data_format, cls)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{cls}: `strides > 1` is not supported in conjunction with "
                             f"`dilation_rate > 1`. Received: strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}")
        self.output_padding = None
        if output_padding is not None:
            self.output_padding = normalize_tuple(output_padding, n, "output_padding", cls,
                                                  allow_zero=True)
            if any(p >= s for p, s in zip(self.output_padding, self.strides)):
                raise ValueError(f"{cls}: strides must be greater than output padding. "
                                 f"Received: strides={self.strides}, "
                                 f"output_padding={self.output_padding}")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=n + 2)

    # --- weights ---
    def build(self, input_shape):
        check_rank(self, input_shape, self.rank)
        axis = channel_axis(self.data_format)
        channels = input_shape[axis]
        cls = type(self).__name__
        if channels is None:
            raise ValueError(f"{cls} '{self.name}': the channel axis of the input must be known. "
                             f"Received: input_shape={tuple(input_shape)} "
                             f"(data_format={self.data_format!r})")
        if channels % self.groups:
            raise ValueError(f"{cls} '{self.name}': the number of input channels must be evenly "
                             f"divisible by the number of groups. Received groups={self.groups}, "
                             f"but the input has {channels} channels (full input shape is "
                             f"{tuple(input_shape)}).")
        if self.transpose:
            shape = self.kernel_size + (self.filters, channels)
        else:
            shape = self.kernel_size + (channels // self.groups, self.filters)
        self.kernel = self.add_weight(
            name="kernel", shape=shape, initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={axis: channels})

    # --- computation ---
    def _nn_format(self):
        first = self.data_format == "channels_first"
        return ("NCW" if first else "NWC") if self.rank == 1 else ("NCHW" if first else "NHWC")

    def _explicit_padding(self):
        if self.padding == "causal":  # left padding only, so that no output sees the future
            left = (self.kernel_size[0] - 1) * self.dilation_rate[0]
            return [[0, 0], [left, 0], [0, 0]] if self.data_format == "channels_last" else \
                [[0, 0], [0, 0], [left, 0]]
        return self.padding.upper()

    def _convolve(self, x, kernel):
        conv = nn.conv1d if self.rank == 1 else nn.conv2d
        return conv(x, kernel, self.strides, self._explicit_padding(),
                    data_format=self._nn_format(), dilations=self.dilation_rate)

    def call(self, inputs):
        if len(inputs.shape) != self.rank + 2:
            check_rank(self, inputs.shape, self.rank)
        if self.transpose:
            outputs = self._transposed(inputs)
        elif self.groups == 1:
            outputs = self._convolve(inputs, self.kernel)
        else:
            axis = channel_axis(self.data_format) % (self.rank + 2)
            xs = a.split(inputs, self.groups, axis=axis)
            ws = a.split(self.kernel, self.groups, axis=-1)
            outputs = a.concat([self._convolve(x, w) for x, w in zip(xs, ws)], axis)
        if self.bias is not None:
            fmt = "NC" if self.data_format == "channels_first" else None
            outputs = nn.bias_add(outputs, self.bias, data_format=fmt)
        return self.activation(outputs)

    def _transposed(self, inputs):
        shape = tuple(inputs.shape)
        spatial = self._output_spatial(_spatial(shape, self.data_format))
        out_shape = _with_spatial(shape[0], spatial, self.filters, self.data_format)
        conv = nn.conv1d_transpose if self.rank == 1 else nn.conv2d_transpose
        return conv(inputs, self.kernel, out_shape, self.strides, self.padding.upper(),
                    data_format=self._nn_format(), dilations=self.dilation_rate)

    def _output_spatial(self, spatial):
        if self.transpose:
            pads = self.output_padding or (None,) * self.rank
            return tuple(deconv_output_length(n, k, self.padding, p, s, d) for n, k, p, s, d in
                         zip(spatial, self.kernel_size, pads, self.strides, self.dilation_rate))
        return tuple(conv_output_length(n, k, self.padding, s, d) for n, k, s, d in
                     zip(spatial, self.kernel_size, self.strides, self.dilation_rate))

    def compute_output_shape(self, input_shape):
        check_rank(self, input_shape, self.rank)
        spatial = self._output_spatial(_spatial(input_shape, self.data_format))
        return _with_spatial(input_shape[0], spatial, self.filters, self.data_format)

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
        })
        if self.transpose:
            config["output_padding"] = self.output_padding
        else:
            config["groups"] = self.groups
        config.update({
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        })
        return config


class Conv1D(_Conv):
    """1-D convolution over the steps of a sequence: `(batch, steps, channels)`.

    Args:
        filters: the number of output channels.
        kernel_size: the window length (an int or a tuple of one int).
        strides: the window step (default 1).
        padding: "valid" (no padding), "same" (output length `ceil(steps / strides)`) or
            "causal" (left padding only: output t never sees inputs after t).
        data_format: "channels_last" (default) or "channels_first" `(batch, channels, steps)`.
        dilation_rate: the spacing of the window taps (strides must then be 1).
        groups: split the input channels into this many groups convolved separately.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: as Dense.

    Example:
    >>> keras.layers.Conv1D(4, 3, padding="causal")(fluxion.ones((2, 10, 8))).shape
    TensorShape([2, 10, 4])
    """

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)


class Conv2D(_Conv):
    """2-D convolution over images: `(batch, height, width, channels)` (channels_last).

    Args:
        filters: the number of output channels.
        kernel_size: the window size: an int or a tuple `(height, width)`.
        strides: the window step: an int or a tuple of 2 ints (default 1).
        padding: "valid" (no padding) or "same" (output size `ceil(size / strides)`, the odd
            padding pixel after, as TensorFlow).
        data_format: "channels_last" (default) or "channels_first" `(batch, channels, h, w)`.
        dilation_rate: the spacing of the window taps (strides must then be 1).
        groups: split the input channels into this many groups convolved separately.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: as Dense.

    Input shape: `(batch, height, width, channels)`. Output shape:
    `(batch, new_height, new_width, filters)`. Kernel shape: `(kh, kw, channels // groups,
    filters)`.

    Example:
    >>> layer = keras.layers.Conv2D(20, (5, 5), activation="relu")
    >>> layer(fluxion.ones((1, 28, 28, 1))).shape
    TensorShape([1, 24, 24, 20])
    >>> layer.kernel.shape
    TensorShape([5, 5, 1, 20])
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)


class Conv1DTranspose(_Conv):
    """Transposed 1-D convolution (the gradient of Conv1D): upsamples a sequence.

    Args:
        filters, kernel_size, strides, padding ("valid" | "same"), data_format,
        dilation_rate: as Conv1D.
        output_padding: extra steps added at the end of the output (each < strides);
            None infers the length (Keras's rule, see Conv2DTranspose).

    Kernel shape: `(kernel_size, filters, input_channels)`.

    Example:
    >>> keras.layers.Conv1DTranspose(2, 3, strides=2)(fluxion.ones((1, 5, 4))).shape
    TensorShape([1, 11, 2])
    """

    rank = 1
    transpose = True

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, 1,
                         activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, output_padding, **kwargs)


class Conv2DTranspose(_Conv):
    """Transposed 2-D convolution ("deconvolution"): the gradient of Conv2D, used to upsample.

    Args:
        filters: the number of output channels.
        kernel_size, strides, padding ("valid" | "same"), data_format, dilation_rate: as Conv2D.
        output_padding: an int or 2 ints, each smaller than its stride: extra rows/columns at
            the end of the output. The output size along an axis of size `n` (kernel `k`
            dilated to `K = (k - 1) * dilation + 1`) is, as Keras:
            without output_padding, `n * stride + max(K - stride, 0)` ("valid") or
            `n * stride` ("same"); with it, `(n - 1) * stride + K - 2 * pad + output_padding`,
            `pad = K // 2` for "same", 0 for "valid".

    Kernel shape: `(kh, kw, filters, input_channels)`.

    Example:
    >>> layer = keras.layers.Conv2DTranspose(8, 3, strides=2, padding="same")
    >>> layer(fluxion.ones((1, 7, 7, 16))).shape
    TensorShape([1, 14, 14, 8])
    >>> layer.kernel.shape
    TensorShape([3, 3, 8, 16])
    """

    transpose = True

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1), activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, 1,
                         activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, output_padding, **kwargs)


Convolution1D, Convolution2D = Conv1D, Conv2D
Convolution1DTranspose, Convolution2DTranspose = Conv1DTranspose, Conv2DTranspose
Deconvolution2D = Conv2DTranspose
