"""Resizing layers: UpSampling1D/2D, ZeroPadding1D/2D, Cropping1D/2D.

Example:
>>> from fluxion import keras
>>> keras.layers.UpSampling2D()(fluxion.ones((1, 7, 7, 32))).shape
TensorShape([1, 14, 14, 32])
"""
import numpy as np

from ...ops import array_ops as a
from ...ops import math_ops as m
from ..engine.input_spec import InputSpec
from ..engine.layer import Layer
from .convolutional import (
    _spatial,
    _with_spatial,
    check_rank,
    normalize_data_format,
    normalize_tuple,
)


def _spatial_axes(rank, data_format):
    return tuple(range(2, rank + 2)) if data_format == "channels_first" else \
        tuple(range(1, rank + 1))


def _nearest(x, sizes, axes):
    """Repeats each element `sizes[i]` times along `axes[i]` (a broadcast: its gradient is a
    sum)."""
    shape = tuple(x.shape)
    split, ones, out = [-1], [1], [-1]
    for ax, d in enumerate(shape[1:], start=1):
        split.append(d)
        ones.append(1)
        if ax in axes:
            size = sizes[axes.index(ax)]
            split.append(1)
            ones.append(size)
            out.append(d * size)
        else:
            out.append(d)
    x = a.reshape(x, split) * np.ones(ones, x.dtype.as_numpy_dtype)
    return a.reshape(x, out)


def bilinear_matrix(in_size, out_size, dtype=np.float32):
    """The (out_size, in_size) matrix of TensorFlow 2's bilinear resize (half-pixel centers)."""
    scale = in_size / out_size
    pos = (np.arange(out_size) + 0.5) * scale - 0.5
    floor = np.floor(pos)
    lower = np.maximum(floor, 0).astype(int)
    upper = np.minimum(np.ceil(pos), in_size - 1).astype(int)
    frac = pos - floor
    matrix = np.zeros((out_size, in_size))
    np.add.at(matrix, (np.arange(out_size), lower), 1 - frac)
    np.add.at(matrix, (np.arange(out_size), upper), frac)
    return matrix.astype(dtype)


class UpSampling1D(Layer):
    """Repeats each step `size` times: `(batch, steps, features)` -> `(batch, steps * size,
    features)`.

    Example:
    >>> keras.layers.UpSampling1D(2)(fluxion.constant([[[1.0], [2.0]]])).numpy().ravel()
    array([1., 1., 2., 2.], dtype=float32)
    """

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.size = int(normalize_tuple(size, 1, "size", "UpSampling1D")[0])
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        if None in tuple(inputs.shape)[1:]:
            return self._unknown_dims_output(inputs)  # shape inference of (None, None, c)
        return _nearest(inputs, (self.size,), (1,))

    def compute_output_shape(self, input_shape):
        steps = None if input_shape[1] is None else input_shape[1] * self.size
        return (input_shape[0], steps, input_shape[2])

    def get_config(self):
        return {**super().get_config(), "size": self.size}


class UpSampling2D(Layer):
    """Upsamples images by `size` along height and width.

    Args:
        size: an int or 2 ints `(rows, cols)` (default `(2, 2)`).
        data_format: "channels_last" (default) or "channels_first".
        interpolation: "nearest" (repeat each pixel) or "bilinear" (TensorFlow 2's
            `image.resize`, half-pixel centers).

    Example:
    >>> x = fluxion.reshape(fluxion.range(4.0), (1, 2, 2, 1))
    >>> keras.layers.UpSampling2D(2)(x)[0, :, :, 0].numpy()
    array([[0., 0., 1., 1.],
           [0., 0., 1., 1.],
           [2., 2., 3., 3.],
           [2., 2., 3., 3.]], dtype=float32)
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = normalize_tuple(size, 2, "size", "UpSampling2D")
        self.data_format = normalize_data_format(data_format, "UpSampling2D")
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError("UpSampling2D: the `interpolation` argument must be 'nearest' or "
                             f"'bilinear'. Received: interpolation={interpolation!r}")
        self.interpolation = interpolation
        self.input_spec = InputSpec(ndim=4)

    def build(self, input_shape):
        check_rank(self, input_shape, 2)

    def call(self, inputs):
        if None in tuple(inputs.shape)[1:]:
            return self._unknown_dims_output(inputs)  # shape inference of (None, None, None, c)
        axes = _spatial_axes(2, self.data_format)
        if self.interpolation == "nearest":
            return _nearest(inputs, self.size, axes)
        x = inputs if self.data_format == "channels_first" else a.transpose(inputs, (0, 3, 1, 2))
        (h, w), dtype = tuple(x.shape[2:]), x.dtype.as_numpy_dtype
        rows = bilinear_matrix(h, h * self.size[0], dtype)
        cols = bilinear_matrix(w, w * self.size[1], dtype)
        x = m.matmul(m.matmul(rows, x), cols, transpose_b=True)
        return x if self.data_format == "channels_first" else a.transpose(x, (0, 2, 3, 1))

    def compute_output_shape(self, input_shape):
        spatial = tuple(None if d is None else d * s for d, s in
                        zip(_spatial(input_shape, self.data_format), self.size))
        channels = input_shape[1 if self.data_format == "channels_first" else -1]
        return _with_spatial(input_shape[0], spatial, channels, self.data_format)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}


def _pairs(value, rank, name, layer):
    """An int, `rank` ints (symmetric) or `rank` pairs -> `rank` (before, after) pairs."""
    if np.ndim(value) == 0:
        (v,) = normalize_tuple(value, 1, name, layer, allow_zero=True)
        return ((v, v),) * rank
    if rank == 1:
        return (normalize_tuple(value, 2, name, layer, allow_zero=True),)
    try:
        items = list(value)
    except TypeError:
        items = []
    if len(items) != rank:
        raise ValueError(f"{layer}: `{name}` must be an int, a tuple of {rank} ints or a tuple "
                         f"of {rank} tuples of 2 ints. Received: {name}={value!r}")
    return tuple(normalize_tuple(v, 2, name, layer, allow_zero=True) if np.ndim(v) else
                 (int(v), int(v)) for v in items)


class _Resize(Layer):
    """Zero-pads (sign +1) or crops (sign -1) the spatial axes by (before, after) pairs."""

    rank = 2
    sign = 1
    arg = "padding"

    def __init__(self, amounts, data_format=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.amounts = _pairs(amounts, self.rank, self.arg, cls)
        if min(min(p) for p in self.amounts) < 0:
            raise ValueError(f"{cls}: `{self.arg}` must be non-negative. Received: "
                             f"{self.arg}={amounts!r}")
        self.data_format = normalize_data_format(data_format, cls)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def build(self, input_shape):
        check_rank(self, input_shape, self.rank)
        if self.sign < 0:
            for d, (before, after) in zip(_spatial(input_shape, self.data_format), self.amounts):
                if d is not None and before + after >= d:
                    raise ValueError(f"{type(self).__name__} '{self.name}': cropping "
                                     f"{self.amounts} leaves nothing of an input of shape "
                                     f"{tuple(input_shape)}. Crop less.")

    def call(self, inputs):
        axes = _spatial_axes(self.rank, self.data_format)
        if self.sign > 0:
            pairs = [[0, 0]] * (self.rank + 2)
            for ax, pair in zip(axes, self.amounts):
                pairs[ax] = list(pair)
            return a.pad(inputs, pairs)
        index = [slice(None)] * (self.rank + 2)
        for ax, (before, after) in zip(axes, self.amounts):
            index[ax] = slice(before, -after if after else None)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        spatial = tuple(None if d is None else d + self.sign * (b + e) for d, (b, e) in
                        zip(_spatial(input_shape, self.data_format), self.amounts))
        channels = input_shape[1 if self.data_format == "channels_first" else -1]
        return _with_spatial(input_shape[0], spatial, channels, self.data_format)

    def get_config(self):
        amounts = self.amounts[0] if self.rank == 1 else self.amounts
        return {**super().get_config(), self.arg: amounts, "data_format": self.data_format}


class ZeroPadding1D(_Resize):
    """Adds zeros before and after the steps: `padding` is an int or `(left, right)`.

    Example:
    >>> keras.layers.ZeroPadding1D(1)(fluxion.ones((1, 2, 1))).numpy().ravel()
    array([0., 1., 1., 0.], dtype=float32)
    """

    rank = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding2D(_Resize):
    """Adds rows and columns of zeros around images.

    Args:
        padding: an int (all four sides), 2 ints `(rows, cols)` (symmetric) or
            `((top, bottom), (left, right))`.
        data_format: "channels_last" (default) or "channels_first".

    Example:
    >>> keras.layers.ZeroPadding2D(((1, 0), (2, 1)))(fluxion.ones((1, 2, 2, 1))).shape
    TensorShape([1, 3, 5, 1])
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class Cropping1D(_Resize):
    """Removes steps at the start and end: `cropping` is an int or `(start, end)`.

    Example:
    >>> keras.layers.Cropping1D((1, 2))(fluxion.ones((1, 5, 3))).shape
    TensorShape([1, 2, 3])
    """

    rank, sign, arg = 1, -1, "cropping"

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, None, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.pop("data_format")
        return config


class Cropping2D(_Resize):
    """Removes rows and columns at the borders of images.

    Args:
        cropping: an int, 2 ints `(rows, cols)` (symmetric) or `((top, bottom), (left, right))`.
        data_format: "channels_last" (default) or "channels_first".

    Example:
    >>> keras.layers.Cropping2D(((2, 2), (4, 4)))(fluxion.ones((1, 28, 28, 3))).shape
    TensorShape([1, 24, 20, 3])
    """

    sign, arg = -1, "cropping"

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)
