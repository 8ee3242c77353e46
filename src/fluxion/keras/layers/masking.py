"""`Masking`: marks the time steps whose features all equal `mask_value` as padding.

Example:
>>> from fluxion import keras
>>> x = np.ones((1, 3, 2), np.float32); x[0, 1] = 0.0
>>> keras.layers.Masking(mask_value=0.0).compute_mask(fluxion.constant(x)).numpy()
array([[ True, False,  True]])
"""
from ...ops import array_ops as a
from ...ops import math_ops as m
from ..engine.layer import Layer


class Masking(Layer):
    """Masks a sequence by using a mask value to skip timesteps.

    A time step (axis 1 of `(batch, timesteps, features)`) whose values all equal
    `mask_value` is masked: its output values are set to 0 and the output carries the mask
    `any(inputs != mask_value, axis=-1)` (True = keep), which downstream layers that support
    masking (LSTM, GRU, SimpleRNN, Bidirectional...) use to skip the step.

    Args:
        mask_value: the padding value (default 0.0).

    Example:
    >>> model = keras.Sequential([keras.Input((3, 2)), keras.layers.Masking(0.0),
    ...                           keras.layers.LSTM(4)])
    >>> model(np.zeros((1, 3, 2), np.float32)).shape
    TensorShape([1, 4])
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def _keep(self, inputs, keepdims):
        return m.reduce_any(m.not_equal(inputs, self.mask_value), axis=-1, keepdims=keepdims)

    def compute_mask(self, inputs, mask=None):
        return self._keep(inputs, keepdims=False)

    def call(self, inputs):
        return a.where(self._keep(inputs, keepdims=True), inputs, a.zeros_like(inputs))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}


__all__ = ["Masking"]
