"""Normalization layers: BatchNormalization and LayerNormalization.

Example:
>>> from fluxion import keras
>>> bn = keras.layers.BatchNormalization()
>>> bn(fluxion.ones((4, 3)), training=True).shape
TensorShape([4, 3])
"""
from ... import nn
from ...ops import array_ops as a
from ...ops import math_ops as m
from .. import constraints, initializers, regularizers
from ..engine.input_spec import InputSpec
from ..engine.layer import Layer


def _axes(axis, ndim, name):
    axes = [axis] if isinstance(axis, int) else list(axis)
    out = []
    for ax in axes:
        if not -ndim <= ax < ndim:
            raise ValueError(f"Layer '{name}': axis {ax} is out of range for an input of rank "
                             f"{ndim}.")
        out.append(ax % ndim)
    return sorted(out)


def _param_shape(input_shape, axes):
    return tuple(input_shape[ax] for ax in axes)


def _broadcastable(param, input_ndim, axes):
    """Reshapes a parameter over `axes` so that it broadcasts against the input."""
    if axes == list(range(input_ndim - len(axes), input_ndim)):
        return param
    shape = [1] * input_ndim
    for ax in axes:
        shape[ax] = param.shape[axes.index(ax)]
    return a.reshape(param, shape)


class _Normalization(Layer):
    """Shared parts: `gamma`/`beta` over the normalized axes, their config."""

    _cast_integer_inputs = True

    def __init__(self, axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                 beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
                 **kwargs):
        super().__init__(**kwargs)
        self.axis = axis if isinstance(axis, int) else list(axis)
        self.epsilon, self.center, self.scale = epsilon, center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def _build_affine(self, shape):
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight(name="gamma", shape=shape,
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight(name="beta", shape=shape,
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint)

    def _normalize(self, x, mean, variance, ndim):
        gamma = None if self.gamma is None else _broadcastable(self.gamma, ndim, self._axes)
        beta = None if self.beta is None else _broadcastable(self.beta, ndim, self._axes)
        return nn.batch_normalization(x, mean, variance, beta, gamma, self.epsilon)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint)}


class BatchNormalization(_Normalization):
    """Normalizes each feature with the batch's mean and variance in training, and with moving
    averages of them at inference.

    In training (`training=True` and the layer trainable) the output is
    `gamma * (x - mean(x)) / sqrt(var(x) + epsilon) + beta` over the batch, and
    `moving_mean = moving_mean * momentum + mean(x) * (1 - momentum)` (same for the variance).
    At inference the moving statistics are used. With a mask (one dimension less than the
    inputs, e.g. from `Embedding(mask_zero=True)`), the training moments use only the unmasked
    steps.

    Args:
        axis: the feature axis (default -1).
        momentum: of the moving averages (default 0.99).
        epsilon: added to the variance (default 1e-3).
        center, scale: whether to learn `beta` and `gamma`.

    Example:
    >>> bn = keras.layers.BatchNormalization()
    >>> float(bn(fluxion.constant([[0.0], [2.0]]), training=True).numpy().mean())
    0.0
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=0.001, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, synchronized=False, **kwargs):
        for unsupported in ("renorm", "renorm_clipping", "renorm_momentum", "fused",
                            "virtual_batch_size", "adjustment"):
            value = kwargs.pop(unsupported, None)
            if value not in (None, False, 0.99):
                raise ValueError(f"BatchNormalization: {unsupported}={value!r} is not "
                                 "supported.")
        super().__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint,
                         gamma_constraint, **kwargs)
        if not isinstance(axis, int):
            raise TypeError(f"BatchNormalization: axis must be an int. Received: axis={axis!r}")
        self.momentum = momentum
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.synchronized = synchronized

    def build(self, input_shape):
        ndim = len(input_shape)
        self._axes = _axes(self.axis, ndim, self.name)
        shape = _param_shape(input_shape, self._axes)
        if None in shape:
            raise ValueError(f"Layer '{self.name}' (BatchNormalization): the feature axis "
                             f"{self.axis} must have a known size. Received: input_shape="
                             f"{tuple(input_shape)}")
        self._build_affine(shape)
        self.moving_mean = self.add_weight(name="moving_mean", shape=shape, trainable=False,
                                           initializer=self.moving_mean_initializer)
        self.moving_variance = self.add_weight(name="moving_variance", shape=shape,
                                               trainable=False,
                                               initializer=self.moving_variance_initializer)
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: shape[0]})

    def call(self, inputs, training=None, mask=None):
        ndim = len(inputs.shape)
        if mask is not None and len(mask.shape) != ndim - 1:
            raise ValueError(f"Layer '{self.name}' (BatchNormalization): the mask must have one "
                             "dimension less than the inputs. Received: mask.shape="
                             f"{tuple(mask.shape)}, inputs.shape={tuple(inputs.shape)}")
        if training and self.trainable:
            reduction = [ax for ax in range(ndim) if ax not in self._axes]
            mean, variance = self._moments(inputs, reduction, mask)
            shape = tuple(self.moving_mean.shape)
            flat_mean, flat_variance = a.reshape(mean, shape), a.reshape(variance, shape)
            decay = 1.0 - self.momentum
            self.moving_mean.assign(self.moving_mean * self.momentum + flat_mean * decay)
            self.moving_variance.assign(
                self.moving_variance * self.momentum + flat_variance * decay)
            return self._normalize(inputs, mean, variance, ndim)
        mean = _broadcastable(self.moving_mean, ndim, self._axes)
        variance = _broadcastable(self.moving_variance, ndim, self._axes)
        return self._normalize(inputs, mean, variance, ndim)

    @staticmethod
    def _moments(inputs, reduction, mask):
        """The batch mean and variance over `reduction`; with a mask, of the unmasked steps
        only (Keras's `sum(where(mask, x, 0)) / (count + 1e-7)` form)."""
        if mask is None:
            return nn.moments(inputs, reduction, keepdims=True)
        keep = a.broadcast_to(a.expand_dims(m.cast(mask, "bool"), -1), tuple(inputs.shape))
        count = m.reduce_sum(m.cast(keep, inputs.dtype), reduction, keepdims=True) + 1e-7
        mean = m.reduce_sum(a.where(keep, inputs, 0.0), reduction, keepdims=True) / count
        centered = a.where(keep, inputs - mean, 0.0)
        return mean, m.reduce_sum(m.square(centered), reduction, keepdims=True) / count

    def get_config(self):
        config = super().get_config()
        config.update({
            "momentum": self.momentum,
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(
                self.moving_variance_initializer),
            "synchronized": self.synchronized, "renorm": False, "renorm_clipping": None,
            "renorm_momentum": 0.99})
        return config


class LayerNormalization(_Normalization):
    """Normalizes each sample over `axis` (default the last): `gamma * (x - mean) /
    sqrt(var + epsilon) + beta`, the same in training and inference.

    Args:
        axis: an int or list of ints, the axes to normalize over.
        epsilon: added to the variance (default 1e-3).
        center, scale: whether to learn `beta` and `gamma`.
        rms_scaling: if True, `x * rsqrt(var(x) + epsilon) * gamma`: no centering and no
            `beta` (only `gamma` is created).

    Example:
    >>> ln = keras.layers.LayerNormalization()
    >>> ln(fluxion.constant([[1.0, 3.0]])).numpy().round(3)
    array([[-0.999,  0.999]], dtype=float32)
    """

    def __init__(self, axis=-1, epsilon=0.001, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 rms_scaling=False, **kwargs):
        super().__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint,
                         gamma_constraint, **kwargs)
        self.rms_scaling = rms_scaling

    def build(self, input_shape):
        self._axes = _axes(self.axis, len(input_shape), self.name)
        self.axis = sorted(self.axis) if isinstance(self.axis, list) else [self.axis]
        shape = _param_shape(input_shape, self._axes)
        if not self.rms_scaling:
            self._build_affine(shape)
            return
        self.gamma = self.add_weight(name="gamma", shape=shape,
                                     initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint)
        self.beta = None

    def call(self, inputs):
        ndim = len(inputs.shape)
        mean, variance = nn.moments(inputs, self._axes, keepdims=True)
        if self.rms_scaling:  # Keras: x * rsqrt(var(x) + epsilon) * gamma, the mean kept
            return inputs * m.rsqrt(variance + self.epsilon) * _broadcastable(
                self.gamma, ndim, self._axes)
        return self._normalize(inputs, mean, variance, ndim)

    def get_config(self):
        return {**super().get_config(), "rms_scaling": self.rms_scaling}
