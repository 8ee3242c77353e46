"""Global pooling layers: the max or mean over the steps (1D) or the spatial axes (2D).

Example:
>>> from fluxion import keras
>>> keras.layers.GlobalMaxPooling1D()(fluxion.ones((2, 5, 3))).shape
TensorShape([2, 3])
"""
import numpy as np

from ...ops import array_ops as a
from ...ops import math_ops as m
from ..engine.input_spec import InputSpec
from ..engine.layer import Layer


class _GlobalPooling(Layer):
    """Reduces over the `rank` axes between the batch and channel axes, with `reduce`."""

    rank = 1
    mode = "max"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"
        if self.data_format not in ("channels_last", "channels_first"):
            raise ValueError(f"{type(self).__name__}: data_format must be 'channels_last' or "
                             f"'channels_first'. Received: data_format={data_format!r}")
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.supports_masking = True

    def _pool_axes(self):
        first = 2 if self.data_format == "channels_first" else 1
        return list(range(first, first + self.rank))

    def call(self, inputs, mask=None):
        axes = self._pool_axes()
        if mask is not None and self.rank == 1:
            steps = 1 if self.data_format == "channels_last" else 2
            weights = a.expand_dims(m.cast(mask, inputs.dtype), 3 - steps)
            if self.mode == "mean":
                total = m.reduce_sum(inputs * weights, axes, keepdims=self.keepdims)
                count = m.reduce_sum(weights, axes, keepdims=self.keepdims)
                return m.divide_no_nan(total, count)
            lowest = float(np.finfo(inputs.dtype.as_numpy_dtype).min)
            inputs = inputs * weights + (1.0 - weights) * lowest  # masked steps never win
        reduce = m.reduce_max if self.mode == "max" else m.reduce_mean
        return reduce(inputs, axes, keepdims=self.keepdims)

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

    Masked steps (from `Embedding(mask_zero=True)`) are left out.

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


class GlobalMaxPooling2D(_GlobalPooling):
    """The maximum over height and width: `(batch, h, w, c)` -> `(batch, c)`."""

    rank = 2


class GlobalAveragePooling2D(_GlobalPooling):
    """The mean over height and width: `(batch, h, w, c)` -> `(batch, c)`."""

    rank = 2
    mode = "mean"


GlobalMaxPool1D, GlobalAvgPool1D = GlobalMaxPooling1D, GlobalAveragePooling1D
GlobalMaxPool2D, GlobalAvgPool2D = GlobalMaxPooling2D, GlobalAveragePooling2D
