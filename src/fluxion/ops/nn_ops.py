"""Neural-network ops (`fluxion.nn`): activations, softmax, cross-entropies, normalization, dropout.

Fused primitives where that is numerically better or faster: relu (on every training step),
relu6, leaky_relu, elu, selu, softplus, softmax, log_softmax and the three cross-entropies with
logits. Their kernels live in `fluxion.kernels.nn`; their gradients are written with ops, so they
are differentiable again. The rest (softsign, gelu, silu, moments, batch_normalization, l2_loss,
l2_normalize, dropout) are composites of existing ops; bias_add is a primitive (its kernel folds
short channel rows into long ones).
"""
import math

import numpy as np

from ..core import dtypes
from ..core.tensor import Tensor, convert_to_tensor
from ..kernels import nn as K
from . import rules
from .array_ops import expand_dims, reshape, where, zeros_like
from .math_ops import (
    abs,
    binary_args,
    cast,
    dtypes_of,
    equal,
    erf,
    exp,
    maximum,
    reduce_mean,
    reduce_sum,
    rsqrt,
    sigmoid,
    square,
    squared_difference,
    tanh,
    unary_arg,
)
from .random_ops import keep_mask
from .registry import OpDef, Spec, bind, bind_binary, bind_unary

__all__ = [
    "batch_normalization", "bias_add", "dropout", "elu", "gelu", "l2_loss", "l2_normalize",
    "leaky_relu", "log_softmax", "moments", "relu", "relu6", "selu", "sigmoid",
    "sigmoid_cross_entropy_with_logits", "silu", "softmax", "softmax_cross_entropy_with_logits",
    "softplus", "softsign", "sparse_softmax_cross_entropy_with_logits", "swish", "tanh",
]

_F, _REAL = "f", "iuf"
_REAL_DTYPES = dtypes_of(_REAL)


def _elementwise_infer(name, kinds):
    def infer(x, **attrs):
        rules.check_dtype(name, x.dtype, kinds, "features")
        return Spec(tuple(x.shape), x.dtype)
    return infer


def _elementwise(name, kernel, vjp, kinds=_F):
    return OpDef(name, kernel, _elementwise_infer(name, kinds), vjp)


# --- activations (primitives) ----------------------------------------------------------------
_RELU_GRAD = OpDef("relu_grad", K.relu_grad, lambda g, y: Spec(tuple(g.shape), g.dtype),
                   lambda gg, g, y, out: (bind_binary(_RELU_GRAD, gg, y), None),
                   out_kernel=K.relu_grad)
_RELU = OpDef("relu", K.relu, _elementwise_infer("relu", _REAL),
              lambda g, x, y: (bind_binary(_RELU_GRAD, g, y),), out_kernel=K.relu)
_RELU6 = _elementwise(
    "relu6", K.relu6,
    lambda g, x, y: (where((x > 0) & (x < 6), g, zeros_like(g)),), _REAL)
_LEAKY_RELU = _elementwise(
    "leaky_relu", K.leaky_relu,
    lambda g, x, y, alpha: (where(x > 0, g, g * alpha),))
# elu and selu: the negative branch's derivative from the output, as TensorFlow's EluGrad.
_ELU = _elementwise("elu", K.elu, lambda g, x, y: (where(y < 0, g * (y + 1), g),))
_SELU = _elementwise(
    "selu", K.selu,
    lambda g, x, y: (where(y < 0, g * (y + K.SELU_SCALE * K.SELU_ALPHA), g * K.SELU_SCALE),))
_SOFTPLUS = _elementwise("softplus", K.softplus, lambda g, x, y: (g * sigmoid(x),))


def relu(features, name=None):
    """Computes the rectified linear function, `max(features, 0)`.

    Args:
        features: a float or integer tensor.

    Returns:
        A tensor like `features`.

    Example:
    >>> fluxion.nn.relu([-1.0, 2.0]).numpy()
    array([0., 2.], dtype=float32)
    """
    if type(features) is not Tensor or features._value.dtype not in _REAL_DTYPES:
        features = unary_arg("relu", features, _REAL)
    return bind_unary(_RELU, features)


def relu6(features, name=None):
    """Computes `min(max(features, 0), 6)`.

    Example:
    >>> fluxion.nn.relu6([-1.0, 3.0, 9.0]).numpy()
    array([0., 3., 6.], dtype=float32)
    """
    return bind_unary(_RELU6, unary_arg("relu6", features, _REAL))


def leaky_relu(features, alpha=0.2, name=None):
    """Computes `features` where positive, else `alpha * features`.

    Integer inputs are converted to float32, as in TensorFlow.

    Args:
        features: a tensor.
        alpha: the slope for negative inputs (TensorFlow's default is 0.2).

    Example:
    >>> fluxion.nn.leaky_relu([-1.0, 2.0]).numpy()
    array([-0.2,  2. ], dtype=float32)
    """
    x = unary_arg("leaky_relu", features, _REAL)
    if x._value.dtype.kind != "f":
        x = cast(x, dtypes.float32)
    return bind_unary(_LEAKY_RELU, x, float(alpha))


def elu(features, name=None):
    """Computes the exponential linear unit: `features` if positive, else `exp(features) - 1`.

    Example:
    >>> fluxion.nn.elu([-1.0, 2.0]).numpy()
    array([-0.63212055,  2.        ], dtype=float32)
    """
    return bind_unary(_ELU, unary_arg("elu", features, _F))


def selu(features, name=None):
    """Computes the scaled exponential linear unit, `scale * elu` with `alpha` ≈ 1.6733.

    Example:
    >>> fluxion.nn.selu([0.0, 1.0]).numpy()
    array([0.       , 1.050701], dtype=float32)
    """
    return bind_unary(_SELU, unary_arg("selu", features, _F))


def softplus(features, name=None):
    """Computes `log(exp(features) + 1)` without overflow for large inputs.

    Example:
    >>> fluxion.nn.softplus([0.0, 1000.0]).numpy()
    array([6.931472e-01, 1.000000e+03], dtype=float32)
    """
    return bind_unary(_SOFTPLUS, unary_arg("softplus", features, _F))


# --- activations (composites) -----------------------------------------------------------------
def softsign(features, name=None):
    """Computes `features / (abs(features) + 1)`.

    Example:
    >>> fluxion.nn.softsign([-1.0, 3.0]).numpy()
    array([-0.5 ,  0.75], dtype=float32)
    """
    x = unary_arg("softsign", features, _F)
    return x / (abs(x) + 1)


_SQRT_HALF = math.sqrt(0.5)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def gelu(features, approximate=False, name=None):
    """Computes the Gaussian error linear unit, `x * P(X <= x)` for `X ~ N(0, 1)`.

    Args:
        features: a float tensor.
        approximate: use the tanh approximation
            `0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))` instead of the exact `erf` form.

    Example:
    >>> fluxion.nn.gelu([0.0, 1.0]).numpy()
    array([0.       , 0.8413447], dtype=float32)
    """
    x = unary_arg("gelu", features, _F)
    if approximate:
        return 0.5 * x * (1 + tanh(_SQRT_2_OVER_PI * (x + 0.044715 * (x * x * x))))
    return 0.5 * x * (1 + erf(x * _SQRT_HALF))


def silu(features, beta=1.0, name=None):
    """Computes the SiLU (swish) activation, `features * sigmoid(beta * features)`.

    Example:
    >>> fluxion.nn.silu([0.0, 1.0]).numpy()
    array([0.       , 0.7310586], dtype=float32)
    """
    x = unary_arg("silu", features, _F)
    return x * sigmoid(x if beta == 1.0 else x * beta)


swish = silu


# --- softmax and log_softmax ------------------------------------------------------------------
def _softmax_infer(name):
    def infer(x, axis):
        rules.check_dtype(name, x.dtype, _F, "logits")
        if len(x.shape) == 0:
            raise ValueError(f"{name}: logits must have rank >= 1, received a scalar. Use "
                             "fluxion.reshape(logits, [1]) or pass a vector.")
        rules.normalize_axis(name, axis, len(x.shape))
        return Spec(tuple(x.shape), x.dtype)
    return infer


_SOFTMAX = OpDef("softmax", K.softmax, _softmax_infer("softmax"),
                 lambda g, x, y, axis: (y * (g - reduce_sum(g * y, axis, keepdims=True)),))
_LOG_SOFTMAX = OpDef("log_softmax", K.log_softmax, _softmax_infer("log_softmax"),
                     lambda g, x, y, axis: (g - exp(y) * reduce_sum(g, axis, keepdims=True),))


def _softmax_call(op, logits, axis):
    x = unary_arg(op.name, logits, _F)
    axis = -1 if axis is None else int(axis)
    ndim = x._value.ndim
    if ndim == 0 or not -ndim <= axis < ndim:
        op.infer(Spec((), x._value.dtype) if ndim == 0 else Spec(x._value.shape, x._value.dtype),
                 axis=axis)
    return bind_unary(op, x, axis % ndim)


def softmax(logits, axis=None, name=None):
    """Computes `exp(logits) / reduce_sum(exp(logits), axis)`, stable for large logits.

    Args:
        logits: a float tensor of rank >= 1.
        axis: the axis to normalize over; None means the last.

    Example:
    >>> fluxion.nn.softmax([1.0, 1.0]).numpy()
    array([0.5, 0.5], dtype=float32)
    """
    return _softmax_call(_SOFTMAX, logits, axis)


def log_softmax(logits, axis=None, name=None):
    """Computes `logits - log(reduce_sum(exp(logits), axis))`, stable for large logits.

    Args:
        logits: a float tensor of rank >= 1.
        axis: the axis to normalize over; None means the last.

    Example:
    >>> fluxion.nn.log_softmax([0.0, 0.0]).numpy()
    array([-0.6931472, -0.6931472], dtype=float32)
    """
    return _softmax_call(_LOG_SOFTMAX, logits, axis)


# --- cross-entropies with logits --------------------------------------------------------------
def _same_float(name, labels, logits):
    rules.check_dtype(name, logits.dtype, _F, "logits")
    if np.dtype(labels.dtype) != np.dtype(logits.dtype):
        raise TypeError(f"{name}: labels and logits must have the same dtype, received "
                        f"{np.dtype(labels.dtype).name} and {np.dtype(logits.dtype).name}. "
                        "Cast the labels with fluxion.cast.")


def _compatible(a, b):
    """Whether two shapes (None: unknown size) can be equal."""
    return len(a) == len(b) and all(x == y or None in (x, y) for x, y in zip(a, b, strict=True))


def _same_shape(name, labels, logits):
    la, lo = tuple(labels.shape), tuple(logits.shape)
    if not _compatible(la, lo):
        raise ValueError(f"{name}: labels and logits must have the same shape, received labels "
                         f"of shape {la} and logits of shape {lo}.")


def _xent_infer(labels, logits, axis):
    name = "softmax_cross_entropy_with_logits"
    _same_float(name, labels, logits)
    _same_shape(name, labels, logits)
    if len(logits.shape) == 0:
        raise ValueError(f"{name}: logits must have rank >= 1, received a scalar.")
    (axis,) = rules.normalize_axis(name, axis, len(logits.shape))
    return Spec(rules.reduced_shape(tuple(logits.shape), (axis,), False), logits.dtype)


def _xent_vjp(g, labels, logits, out, axis):
    g = expand_dims(g, axis)
    probs = bind(_SOFTMAX, logits, axis=axis)
    d_logits = g * (probs * reduce_sum(labels, axis, keepdims=True) - labels)
    return -g * bind(_LOG_SOFTMAX, logits, axis=axis), d_logits


def _sparse_xent_infer(labels, logits):
    name = K.SPARSE_XENT
    rules.check_dtype(name, logits.dtype, _F, "logits")
    rules.check_dtype(name, labels.dtype, "iu", "labels")
    lo, la = tuple(logits.shape), tuple(labels.shape)
    if len(lo) == 0 or not _compatible(la, lo[:-1]):
        raise ValueError(f"{name}: labels must have the shape of logits without its last "
                         f"(class) axis, received labels of shape {la} and logits of shape "
                         f"{lo} (expected labels of shape {lo[:-1]}). Pass class indices, not "
                         "one-hot labels (for those use softmax_cross_entropy_with_logits).")
    return Spec(la, logits.dtype)


def _sparse_xent_vjp(g, labels, logits, out):
    classes = convert_to_tensor(np.arange(logits.shape[-1], dtype=labels._value.dtype))
    one_hot = cast(equal(expand_dims(labels, -1), classes), logits.dtype)
    return None, expand_dims(g, -1) * (bind(_SOFTMAX, logits, axis=len(logits.shape) - 1)
                                       - one_hot)


def _sigmoid_xent_infer(labels, logits):
    name = "sigmoid_cross_entropy_with_logits"
    _same_float(name, labels, logits)
    _same_shape(name, labels, logits)
    return Spec(tuple(logits.shape), logits.dtype)


_XENT = OpDef("softmax_cross_entropy_with_logits", K.softmax_cross_entropy, _xent_infer,
              _xent_vjp)
_SPARSE_XENT = OpDef(K.SPARSE_XENT, K.sparse_softmax_cross_entropy, _sparse_xent_infer,
                     _sparse_xent_vjp)
_SIGMOID_XENT = OpDef("sigmoid_cross_entropy_with_logits", K.sigmoid_cross_entropy,
                      _sigmoid_xent_infer,
                      lambda g, z, x, out: (-g * x, g * (sigmoid(x) - z)))


def _labels_logits(op, labels, logits):
    """Converts logits (floats by default) and labels (to the logits' dtype unless a tensor)."""
    logits = unary_arg(op.name, logits, _F) if not isinstance(logits, Tensor) or \
        logits._value.dtype.kind != "f" else logits
    if not isinstance(labels, Tensor):
        labels = convert_to_tensor(labels, dtype=logits.dtype)
    return labels, logits


def _specs(*tensors):
    return [Spec(t._value.shape, t._value.dtype) for t in tensors]


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None):
    """Computes the softmax cross-entropy between `labels` and `logits`, one loss per example.

    `-reduce_sum(labels * log_softmax(logits, axis), axis)`, fused and stable for any logits.
    The gradient with respect to `logits` is `softmax(logits) - labels` (for labels that sum to
    1); with respect to `labels` it is `-log_softmax(logits)`.

    Args:
        labels: a probability distribution over `axis` for each example, shaped like `logits`.
        logits: unscaled log-probabilities (a float tensor).
        axis: the class axis (default: the last).

    Returns:
        A tensor of the shape of `logits` without `axis`.

    Raises:
        ValueError: if `labels` and `logits` have different shapes.

    Example:
    >>> fluxion.nn.softmax_cross_entropy_with_logits([[0.0, 1.0]], [[0.0, 0.0]]).numpy()
    array([0.6931472], dtype=float32)
    """
    labels, logits = _labels_logits(_XENT, labels, logits)
    axis = int(axis)
    _xent_infer(*_specs(labels, logits), axis=axis)
    return bind(_XENT, labels, logits, axis=axis % logits._value.ndim)


def sparse_softmax_cross_entropy_with_logits(labels, logits, name=None):
    """Computes the softmax cross-entropy for integer class `labels`, one loss per example.

    `-log_softmax(logits)[..., labels]`, fused and stable for any logits. The gradient with
    respect to `logits` is `softmax(logits) - one_hot(labels)`; `labels` have no gradient.

    Args:
        labels: int32/int64 class indices in `[0, num_classes)`, of shape `logits.shape[:-1]`.
        logits: unscaled log-probabilities of shape `(..., num_classes)`.

    Returns:
        A tensor of the shape of `labels` and the dtype of `logits`.

    Raises:
        ValueError: if a label is outside `[0, num_classes)`, or the shapes do not fit.

    Example:
    >>> fluxion.nn.sparse_softmax_cross_entropy_with_logits([1], [[0.0, 0.0]]).numpy()
    array([0.6931472], dtype=float32)
    """
    name = _SPARSE_XENT.name
    logits = unary_arg(name, logits, _F) if not isinstance(logits, Tensor) else logits
    labels = convert_to_tensor(labels)
    _sparse_xent_infer(*_specs(labels, logits))
    if isinstance(labels._value, (np.ndarray, np.generic)):
        message = K.sparse_label_error(np.asarray(labels._value), logits._value.shape[-1])
        if message:
            raise ValueError(message)
    return bind(_SPARSE_XENT, labels, logits)


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """Computes the element-wise sigmoid cross-entropy between `labels` and `logits`.

    `-labels * log(sigmoid(logits)) - (1 - labels) * log(1 - sigmoid(logits))`, computed as
    `max(logits, 0) - logits * labels + log(1 + exp(-abs(logits)))`, finite for any logits.

    Args:
        labels: targets in [0, 1], shaped like `logits`.
        logits: a float tensor.

    Returns:
        A tensor shaped like `logits`.

    Raises:
        ValueError: if `labels` and `logits` have different shapes.

    Example:
    >>> fluxion.nn.sigmoid_cross_entropy_with_logits([1.0], [0.0]).numpy()
    array([0.6931472], dtype=float32)
    """
    if labels is None or logits is None:
        raise ValueError("sigmoid_cross_entropy_with_logits: both labels and logits are "
                         "required, e.g. sigmoid_cross_entropy_with_logits(labels=y, "
                         "logits=z).")
    labels, logits = _labels_logits(_SIGMOID_XENT, labels, logits)
    _sigmoid_xent_infer(*_specs(labels, logits))
    return bind(_SIGMOID_XENT, labels, logits)


# --- statistics and normalization (composites) ------------------------------------------------
def _axes_arg(axes):
    if isinstance(axes, Tensor):
        axes = axes._value.tolist()
    return [int(axes)] if isinstance(axes, (int, np.integer)) else [int(a) for a in axes]


def moments(x, axes, shift=None, keepdims=False, name=None):
    """Computes the mean and (population) variance of `x` over `axes`.

    Args:
        x: a float tensor.
        axes: the axes to reduce (a list of ints).
        shift: unused, accepted for TensorFlow compatibility.
        keepdims: keep the reduced axes with size 1.

    Returns:
        A tuple `(mean, variance)`.

    Example:
    >>> mean, variance = fluxion.nn.moments(fluxion.constant([1.0, 2.0, 3.0, 4.0]), axes=[0])
    >>> float(mean), float(variance)
    (2.5, 1.25)
    """
    x = unary_arg("moments", x, _F)
    axes = rules.normalize_axis("moments", _axes_arg(axes), x._value.ndim)
    mean = reduce_mean(x, axes, keepdims=True)
    variance = reduce_mean(squared_difference(x, mean), axes, keepdims=True)
    if not keepdims:
        shape = rules.reduced_shape(tuple(x._value.shape), axes, False)
        mean, variance = reshape(mean, shape), reshape(variance, shape)
    return mean, variance


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """Normalizes `x` by `mean` and `variance`, then scales by `scale` and shifts by `offset`.

    Computes `scale * (x - mean) / sqrt(variance + variance_epsilon) + offset`; the statistics
    broadcast against `x`. `offset` and `scale` may be None.

    Example:
    >>> fluxion.nn.batch_normalization(
    ...     fluxion.constant([1.0, 3.0]), 2.0, 1.0, None, None, 0.0).numpy()
    array([-1.,  1.], dtype=float32)
    """
    x = unary_arg("batch_normalization", x, _F)
    _, mean = binary_args("batch_normalization", x, mean)
    _, variance = binary_args("batch_normalization", x, variance)
    inv = rsqrt(variance + variance_epsilon)
    if scale is not None:
        inv = inv * binary_args("batch_normalization", x, scale)[1]
    shift = -mean * inv
    if offset is not None:
        shift = shift + binary_args("batch_normalization", x, offset)[1]
    return x * inv + shift


def l2_loss(t, name=None):
    """Computes half the squared L2 norm of `t`, `sum(t ** 2) / 2`, as a scalar.

    Example:
    >>> fluxion.nn.l2_loss([1.0, 2.0]).numpy()
    2.5
    """
    t = unary_arg("l2_loss", t, _F)
    return reduce_sum(square(t)) * 0.5


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """Divides `x` by its L2 norm over `axis` (all axes when None), `x / sqrt(max(sum(x**2),
    epsilon))`.

    Example:
    >>> fluxion.nn.l2_normalize([3.0, 4.0]).numpy()
    array([0.6, 0.8], dtype=float32)
    """
    x = unary_arg("l2_normalize", x, _F)
    axis = dim if axis is None else axis
    axes = rules.normalize_axis("l2_normalize",
                                None if axis is None else _axes_arg(axis), x._value.ndim)
    square_sum = reduce_sum(square(x), axes, keepdims=True)
    return x * rsqrt(maximum(square_sum, epsilon))


def bias_add(value, bias, data_format=None, name=None):
    """Adds the 1-D `bias` along the channel axis of `value`.

    Args:
        value: a tensor of rank >= 2.
        bias: a 1-D tensor whose size is the number of channels.
        data_format: None or "N...C" (channels last, the default), or "NC..." such as "NCHW"
            (channels first, axis 1).

    Example:
    >>> fluxion.nn.bias_add([[1.0, 2.0]], [10.0, 20.0]).numpy()
    array([[11., 22.]], dtype=float32)
    """
    value, bias = binary_args("bias_add", value, bias)
    rules.check_dtype("bias_add", value._value.dtype, "iufc", "value")
    shape, ndim = tuple(value._value.shape), value._value.ndim
    channels_first = data_format is not None and str(data_format).startswith("NC")
    if ndim < 2:
        raise ValueError(f"bias_add: value must have rank >= 2, received shape {shape}.")
    if bias._value.ndim != 1:
        raise ValueError(f"bias_add: bias must be 1-D, received shape "
                         f"{tuple(bias._value.shape)}.")
    axis = 1 if channels_first else ndim - 1
    if bias._value.shape[0] != shape[axis]:
        raise ValueError(f"bias_add: bias of shape {tuple(bias._value.shape)} does not match "
                         f"the {shape[axis]} channels of value of shape {shape} (channel axis "
                         f"{axis} for data_format={data_format!r}).")
    if channels_first and ndim > 2:
        return value + reshape(bias, (shape[1],) + (1,) * (ndim - 2))
    return bind_binary(_BIAS_ADD, value, bias)


def _bias_add_infer(value, bias):
    if value.shape[-1] is not None and bias.shape[0] is not None and \
            value.shape[-1] != bias.shape[0]:
        raise ValueError(f"bias_add: bias of shape {tuple(bias.shape)} does not match the "
                         f"{value.shape[-1]} channels (last axis) of value of shape "
                         f"{tuple(value.shape)}.")
    return Spec(tuple(value.shape), value.dtype)


_BIAS_ADD = OpDef(
    "bias_add", K.bias_add, _bias_add_infer,
    lambda g, x, b, out: (g, reduce_sum(g, tuple(range(len(g.shape) - 1)))),
    out_kernel=K.bias_add)


# --- dropout ----------------------------------------------------------------------------------
def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """Sets each element of `x` to zero with probability `rate`, and scales the others up by
    `1 / (1 - rate)` so that the expected sum is unchanged.

    Args:
        x: a float tensor.
        rate: the probability of dropping an element, in [0, 1). With 0, `x` is returned.
        noise_shape: the shape of the keep/drop decisions, broadcast against `x` (e.g.
            `[batch, 1, 1, channels]` keeps whole channels together); None entries take `x`'s
            size.
        seed: an op seed, combined with the global seed as in `fluxion.random.uniform`.

    Raises:
        ValueError: if `rate` is not in [0, 1).

    Example:
    >>> fluxion.random.set_seed(0)
    >>> y = fluxion.nn.dropout(fluxion.ones([2, 5]), rate=0.5)   # values 0. or 2.
    """
    return _dropout("dropout", x, rate, noise_shape, seed, stateless=False)


def stateless_dropout(x, rate, seed, rng_alg=None, noise_shape=None, name=None):
    """`dropout` whose mask is a function of `seed` (two integers) alone.

    The seed may be a tensor computed at run time, e.g. read from a variable inside a
    `fluxion.function` (as Keras's `SeedGenerator` does), so a compiled step draws a new mask
    whenever the seed changes. Available as `fluxion.nn.experimental.stateless_dropout`.

    Args:
        x, rate, noise_shape: as in `dropout`.
        seed: a shape-[2] integer tensor, list or array.
        rng_alg: accepted for TensorFlow compatibility and ignored.

    Example:
    >>> x = fluxion.ones([2, 4])
    >>> a = fluxion.nn.experimental.stateless_dropout(x, 0.5, seed=[1, 2])
    >>> b = fluxion.nn.experimental.stateless_dropout(x, 0.5, seed=[1, 2])
    >>> bool(fluxion.reduce_all(a == b))
    True
    """
    return _dropout("stateless_dropout", x, rate, noise_shape, seed, stateless=True)


def _dropout(op_name, x, rate, noise_shape, seed, stateless):
    x = unary_arg(op_name, x, _F)
    if isinstance(rate, Tensor):
        rate = rate._value
    if np.ndim(rate) != 0 or not 0 <= float(rate) < 1:
        raise ValueError(f"{op_name}: rate must be a scalar in the range [0, 1), received "
                         f"rate={rate!r}. It is the fraction dropped (TensorFlow 1's "
                         "keep_prob is 1 - rate).")
    rate = float(rate)
    if rate == 0:
        return x
    shape = tuple(x._value.shape)
    if noise_shape is None:
        noise_shape = shape
    else:
        noise = list(np.asarray(noise_shape, dtype=object).tolist())
        if len(noise) != len(shape):
            raise ValueError(f"{op_name}: noise_shape {noise} must have one entry per axis of x "
                             f"of shape {shape}.")
        noise_shape = tuple(d if n is None else int(n) for n, d in zip(noise, shape, strict=True))
        rules.broadcast_shapes(op_name, noise_shape, shape)
    return x * keep_mask(op_name, noise_shape, rate, x.dtype, seed, stateless)
