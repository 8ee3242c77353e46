"""Pooling layers: windowed max/average (MaxPooling1D/2D, AveragePooling1D/2D) and global
pooling (the max or mean over the steps (1D) or the spatial axes (2D)).

Example:
>>> from fluxion import keras
>>> keras.layers.GlobalMaxPooling1D()(fluxion.ones((2, 5, 3))).shape
TensorShape([2, 3])
>>> keras.layers.MaxPooling2D()(fluxion.ones((2, 28, 28, 3))).shape
TensorShape([2, 14, 14, 3])
"""
from ... import nn
from ...ops import array_ops as a
from ...ops import math_ops as m
from ...ops.conv_ops import global_max_pool
from ..engine.input_spec import InputSpec
from ..engine.layer import Layer
from .convolutional import (
    _spatial,
    _with_spatial,
    check_rank,
    conv_output_length,
    normalize_data_format,
    normalize_padding,
    normalize_tuple,
)


class _Pooling(Layer):
    """Max or average over windows of `pool_size` moved by `strides` along `rank` axes."""

    rank = 2
    mode = "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        cls, n = type(self).__name__, self.rank
        self.pool_size = normalize_tuple(pool_size, n, "pool_size", cls)
        self.strides = self.pool_size if strides is None else normalize_tuple(
            strides, n, "strides", cls)
        self.padding = normalize_padding(padding, cls)
        self.data_format = normalize_data_format(data_format, cls)
        self.input_spec = InputSpec(ndim=n + 2)

    def build(self, input_shape):
        check_rank(self, input_shape, self.rank)

    def call(self, inputs):
        first = self.data_format == "channels_first"
        if self.rank == 1:
            op = nn.max_pool1d if self.mode == "max" else nn.avg_pool1d
            fmt = "NCW" if first else "NWC"
        else:
            op = nn.max_pool2d if self.mode == "max" else nn.avg_pool2d
            fmt = "NCHW" if first else "NHWC"
        return op(inputs, self.pool_size, self.strides, self.padding.upper(), data_format=fmt)

    def compute_output_shape(self, input_shape):
        check_rank(self, input_shape, self.rank)
        spatial = tuple(conv_output_length(d, k, self.padding, s) for d, k, s in zip(
            _spatial(input_shape, self.data_format), self.pool_size, self.strides))
        channels = input_shape[1 if self.data_format == "channels_first" else -1]
        return _with_spatial(input_shape[0], spatial, channels, self.data_format)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}


class MaxPooling1D(_Pooling):
    """The maximum over windows of the steps: `(batch, steps, features)`.

    Args:
        pool_size: the window length (default 2).
        strides: the window step (default `pool_size`).
        padding: "valid" or "same" (output length `ceil(steps / strides)`; padding never wins).
        data_format: "channels_last" (default) or "channels_first".

    Example:
    >>> x = fluxion.reshape(fluxion.range(6.0), (1, 6, 1))
    >>> keras.layers.MaxPooling1D(2)(x).numpy().ravel()
    array([1., 3., 5.], dtype=float32)
    """

    rank = 1

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling1D(_Pooling):
    """The mean over windows of the steps: `(batch, steps, features)`.

    With padding "same", a window averages only the real (unpadded) steps it covers.

    Example:
    >>> x = fluxion.reshape(fluxion.range(6.0), (1, 6, 1))
    >>> keras.layers.AveragePooling1D(2)(x).numpy().ravel()
    array([0.5, 2.5, 4.5], dtype=float32)
    """

    rank = 1
    mode = "mean"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling2D(_Pooling):
    """The maximum over windows of height and width: `(batch, height, width, channels)`.

    Args:
        pool_size: an int or 2 ints (default `(2, 2)`: halves each side).
        strides: an int or 2 ints (default `pool_size`).
        padding: "valid" or "same" (output size `ceil(size / strides)`; padding never wins).
        data_format: "channels_last" (default) or "channels_first".

    Example:
    >>> keras.layers.MaxPooling2D((2, 2))(fluxion.ones((1, 24, 24, 20))).shape
    TensorShape([1, 12, 12, 20])
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling2D(_Pooling):
    """The mean over windows of height and width: `(batch, height, width, channels)`.

    With padding "same", a window averages only the real (unpadded) pixels it covers.

    Example:
    >>> keras.layers.AveragePooling2D(2)(fluxion.ones((1, 4, 4, 1))).numpy().ravel()
    array([1., 1., 1., 1.], dtype=float32)
    """

    mode = "mean"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


MaxPool1D, AvgPool1D = MaxPooling1D, AveragePooling1D
MaxPool2D, AvgPool2D = MaxPooling2D, AveragePooling2D


class _GlobalPooling(Layer):
    """Reduces over the `rank` axes between the batch and channel axes, with `reduce`."""

    rank = 1
    mode = "max"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format, type(self).__name__)
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.supports_masking = True

    def _pool_axes(self):
        first = 2 if self.data_format == "channels_first" else 1
        return list(range(first, first + self.rank))

    def call(self, inputs, mask=None):
        axes = self._pool_axes()
        if mask is not None and self.rank == 1 and self.mode == "mean":
            steps = 1 if self.data_format == "channels_last" else 2
            weights = a.expand_dims(m.cast(mask, inputs.dtype), 3 - steps)
            total = m.reduce_sum(inputs * weights, axes, keepdims=self.keepdims)
            count = m.reduce_sum(weights, axes, keepdims=self.keepdims)
            return m.divide_no_nan(total, count)
        if self.mode == "max":  # as in Keras 3, the max ignores the mask (padding included)
            return global_max_pool(inputs, axes, keepdims=self.keepdims)
        return m.reduce_mean(inputs, axes, keepdims=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        axes = self._pool_axes()
        if self.keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


class GlobalMaxPooling1D(_GlobalPooling):
    """The maximum over the steps: `(batch, steps, features)` -> `(batch, features)`.

    As in Keras 3, a mask is ignored: masked (padding) steps take part in the maximum.

    Example:
    >>> keras.layers.GlobalMaxPooling1D()(fluxion.constant([[[1.0], [3.0]]])).numpy()
    array([[3.]], dtype=float32)
    """


class GlobalAveragePooling1D(_GlobalPooling):
    """The mean over the steps: `(batch, steps, features)` -> `(batch, features)`.

    Masked steps are left out of the mean.

    Example:
    >>> keras.layers.GlobalAveragePooling1D()(fluxion.constant([[[1.0], [3.0]]])).numpy()
    array([[2.]], dtype=float32)
    """

    mode = "mean"
    _cast_integer_inputs = True  # the mean of integers is a float, as in Keras


class GlobalMaxPooling2D(_GlobalPooling):
    """The maximum over height and width: `(batch, h, w, c)` -> `(batch, c)`."""

    rank = 2


class GlobalAveragePooling2D(_GlobalPooling):
    """The mean over height and width: `(batch, h, w, c)` -> `(batch, c)`."""

    rank = 2
    mode = "mean"
    _cast_integer_inputs = True


GlobalMaxPool1D, GlobalAvgPool1D = GlobalMaxPooling1D, GlobalAveragePooling1D
GlobalMaxPool2D, GlobalAvgPool2D = GlobalMaxPooling2D, GlobalAveragePooling2D
