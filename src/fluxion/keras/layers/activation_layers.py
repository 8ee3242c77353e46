"""Activation layers with parameters: ReLU, LeakyReLU, ELU, Softmax, PReLU.

Example:
>>> from fluxion import keras
>>> keras.layers.LeakyReLU()(fluxion.constant([-1.0, 1.0])).numpy()
array([-0.3,  1. ], dtype=float32)
"""
from ... import nn
from ...ops import array_ops as a
from ...ops import math_ops as m
from .. import activations, constraints, initializers, regularizers
from ..engine.input_spec import InputSpec
from ..engine.layer import Layer


class _Elementwise(Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


class ReLU(_Elementwise):
    """`max(x, 0)`, optionally capped at `max_value`, with `negative_slope` below
    `threshold`.

    Example:
    >>> keras.layers.ReLU(max_value=1.0)(fluxion.constant([-1.0, 0.5, 2.0])).numpy()
    array([0. , 0.5, 1. ], dtype=float32)
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0:
            raise ValueError("ReLU: max_value must be >= 0 or None. Received: "
                             f"max_value={max_value}")
        if negative_slope is None or negative_slope < 0:
            raise ValueError("ReLU: negative_slope must be >= 0. Received: "
                             f"negative_slope={negative_slope}")
        self.max_value, self.negative_slope, self.threshold = (max_value, negative_slope,
                                                               threshold)

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(_Elementwise):
    """`x` if positive, else `negative_slope * x` (default 0.3; Keras 2's `alpha=` accepted).
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        negative_slope = kwargs.pop("alpha", negative_slope)
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError("LeakyReLU: negative_slope must be >= 0. Received: "
                             f"negative_slope={negative_slope}")
        self.negative_slope = negative_slope

    def call(self, inputs):
        return nn.leaky_relu(inputs, alpha=self.negative_slope)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ELU(_Elementwise):
    """`x` if positive, else `alpha * (exp(x) - 1)`."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha

    def call(self, inputs):
        return activations.elu(inputs, alpha=self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class Softmax(_Elementwise):
    """Softmax over `axis` (an int, or a tuple of axes normalized together).

    With a mask (True or > 0.5 = keep, broadcastable to the inputs), masked positions get
    probability 0; a fully masked row is all zeros.

    Example:
    >>> keras.layers.Softmax()(fluxion.constant([[1.0, 1.0]])).numpy()
    array([[0.5, 0.5]], dtype=float32)
    >>> keras.layers.Softmax()(fluxion.constant([[1.0, 1.0]]),
    ...                        mask=fluxion.constant([[True, False]])).numpy()
    array([[1., 0.]], dtype=float32)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs, mask=None):
        if mask is not None:
            self._check_mask(tuple(inputs.shape), tuple(mask.shape))
            if mask.dtype != "bool":
                mask = m.greater(mask, m.cast(0.5, mask.dtype))
            lowest = -3e4 if inputs.dtype.name == "float16" else -1e9
            inputs = a.where(mask, inputs, m.cast(lowest, inputs.dtype))
        if isinstance(self.axis, (list, tuple)) and len(self.axis) > 1:
            axes = list(self.axis)
            outputs = m.exp(inputs - m.reduce_logsumexp(inputs, axes, keepdims=True))
        else:
            axis = self.axis[0] if isinstance(self.axis, (list, tuple)) else self.axis
            outputs = nn.softmax(inputs, axis=axis)
        if mask is not None:
            outputs = a.where(mask, outputs, m.cast(0.0, outputs.dtype))
        return outputs

    def _check_mask(self, shape, mask_shape):
        ok = len(mask_shape) <= len(shape) and all(
            m in (None, 1) or d is None or m == d for m, d in zip(mask_shape[::-1], shape[::-1]))
        if not ok:
            raise ValueError(f"Layer '{self.name}' (Softmax): the mask must be broadcastable to "
                             "the inputs: each mask dimension 1 or equal to the input's, "
                             f"aligned from the last. Received: inputs.shape={shape}, "
                             f"mask.shape={mask_shape}")

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class PReLU(_Elementwise):
    """Leaky ReLU with a learned slope per element: `x` if positive, else `alpha * x`.

    Args:
        alpha_initializer: default "zeros".
        shared_axes: axes (1-indexed, not the batch) sharing one slope, e.g. `[1, 2]` for one
            slope per channel of an image.
    """

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is not None and not isinstance(shared_axes, (list, tuple)):
            shared_axes = [shared_axes]
        self.shared_axes = None if shared_axes is None else list(shared_axes)

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for ax in self.shared_axes or []:
            shape[ax - 1] = 1
        self.alpha = self.add_weight(name="alpha", shape=tuple(shape),
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        axes = {i: d for i, d in enumerate(input_shape) if i and i not in (
            self.shared_axes or [])}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)

    def call(self, inputs):
        return nn.relu(inputs) - self.alpha * nn.relu(-inputs)

    def get_config(self):
        return {**super().get_config(),
                "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
                "alpha_constraint": constraints.serialize(self.alpha_constraint),
                "shared_axes": self.shared_axes}
