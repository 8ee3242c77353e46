"""`keras.activations`: activation functions by function and by name.

Example:
>>> from fluxion.keras import activations
>>> activations.get("relu")([-1.0, 2.0]).numpy()
array([0., 2.], dtype=float32)
"""
import weakref

from .. import nn
from ..core.tensor import convert_to_tensor
from ..ops import math_ops as m
from .engine.serialization import lookup


def _float(x):
    x = convert_to_tensor(x)
    return x if x.dtype.is_floating else m.cast(x, "float32")


def linear(x):
    """Returns `x` unchanged (the identity; Dense's default activation).

    Example:
    >>> linear([1.0]).numpy()
    array([1.], dtype=float32)
    """
    return convert_to_tensor(x)


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit: `max(x, 0)`, with Keras's optional slope, cap and threshold.

    Args:
        x: the input tensor.
        negative_slope: the slope below the threshold.
        max_value: the largest output value (None: no cap).
        threshold: values below it are zeroed (or scaled by `negative_slope`).

    Example:
    >>> relu([-2.0, 1.0, 8.0], max_value=6.0).numpy()
    array([0., 1., 6.], dtype=float32)
    """
    x = _float(x)
    if negative_slope == 0 and max_value is None and threshold == 0:
        return nn.relu(x)
    below = x < threshold
    y = m.maximum(x, 0.0) if threshold == 0 else m.multiply(x, m.cast(~below, x.dtype))
    if max_value is not None:
        y = m.minimum(y, max_value)
    if negative_slope != 0:
        y = y + negative_slope * (x - threshold) * m.cast(below, x.dtype)
    return y


def leaky_relu(x, negative_slope=0.2):
    """Leaky ReLU: `x` if positive, else `negative_slope * x`.

    Example:
    >>> leaky_relu([-1.0, 2.0]).numpy()
    array([-0.2,  2. ], dtype=float32)
    """
    return nn.leaky_relu(_float(x), alpha=negative_slope)


def relu6(x):
    """ReLU capped at 6: `min(max(x, 0), 6)`."""
    return nn.relu6(_float(x))


def elu(x, alpha=1.0):
    """Exponential linear unit: `x` if positive, else `alpha * (exp(x) - 1)`.

    Example:
    >>> elu([0.0]).numpy()
    array([0.], dtype=float32)
    """
    x = _float(x)
    y = nn.elu(x)
    return y if alpha == 1.0 else m.where(x > 0, y, alpha * y)


def selu(x):
    """Scaled ELU (`1.0507... * elu(x, 1.6732...)`)."""
    return nn.selu(_float(x))


# Outputs of softmax/sigmoid -> their inputs (logits). The cross-entropy losses use the logits
# when given such an output, as Keras's TensorFlow backend does (`_keras_logits`): more accurate
# and faster than the log of probabilities.
# Keyed by id: tensors compare element-wise, so they cannot be dict keys themselves.
_LOGITS = {}


def _remember_logits(output, kind, logits):
    key = id(output)
    _LOGITS[key] = (weakref.ref(output, lambda _, key=key: _LOGITS.pop(key, None)), kind, logits)


def logits_of(output, kind):
    """The logits `output` was computed from by the `kind` ("softmax"/"sigmoid") activation
    over the last axis, or None."""
    entry = _LOGITS.get(id(output))
    if entry is None or entry[0]() is not output or entry[1] != kind:
        return None
    return entry[2]


def sigmoid(x):
    """Logistic sigmoid `1 / (1 + exp(-x))`.

    Example:
    >>> sigmoid([0.0]).numpy()
    array([0.5], dtype=float32)
    """
    x = _float(x)
    out = m.sigmoid(x)
    _remember_logits(out, "sigmoid", x)
    return out


def hard_sigmoid(x):
    """Piecewise-linear sigmoid: 0 below -3, 1 above 3, `x / 6 + 0.5` between (Keras 3).

    Example:
    >>> hard_sigmoid([-4.0, 0.0, 4.0]).numpy()
    array([0. , 0.5, 1. ], dtype=float32)
    """
    return nn.relu6(_float(x) + 3.0) * (1.0 / 6.0)


def hard_silu(x):
    """`x * hard_sigmoid(x)`."""
    x = _float(x)
    return x * hard_sigmoid(x)


def tanh(x):
    """Hyperbolic tangent."""
    return m.tanh(_float(x))


def softplus(x):
    """`log(exp(x) + 1)`."""
    return nn.softplus(_float(x))


def softsign(x):
    """`x / (abs(x) + 1)`."""
    return nn.softsign(_float(x))


def silu(x):
    """SiLU, also called swish: `x * sigmoid(x)`."""
    return nn.silu(_float(x))


swish = silu


def gelu(x, approximate=False):
    """Gaussian error linear unit (`approximate=True` for the tanh form)."""
    return nn.gelu(_float(x), approximate=approximate)


def exponential(x):
    """`exp(x)`."""
    return m.exp(_float(x))


def softmax(x, axis=-1):
    """Softmax over `axis`: `exp(x) / sum(exp(x))`, each slice summing to 1.

    Example:
    >>> softmax([[0.0, 0.0]]).numpy()
    array([[0.5, 0.5]], dtype=float32)
    """
    x = _float(x)
    out = nn.softmax(x, axis=axis)
    if axis in (-1, x.ndim - 1):
        _remember_logits(out, "softmax", x)
    return out


def log_softmax(x, axis=-1):
    """Log of softmax over `axis`."""
    return nn.log_softmax(_float(x), axis=axis)


def mish(x):
    """`x * tanh(softplus(x))`."""
    x = _float(x)
    return x * m.tanh(nn.softplus(x))


ALL = {f.__name__: f for f in (
    linear, relu, leaky_relu, relu6, elu, selu, sigmoid, hard_sigmoid, hard_silu, tanh,
    softplus, softsign, silu, gelu, exponential, softmax, log_softmax, mish)}
ALL["swish"] = silu
ALL["hard_swish"] = hard_silu


def serialize(activation):
    """Returns the name of a built-in activation (or the function's name).

    Example:
    >>> serialize(relu)
    'relu'
    """
    for name, fn in ALL.items():
        if fn is activation:
            return name
    if hasattr(activation, "get_config"):
        return {"module": "keras.layers", "class_name": type(activation).__name__,
                "config": activation.get_config(), "registered_name": None}
    return getattr(activation, "__name__", str(activation))


def deserialize(config, custom_objects=None):
    """Returns the activation function named by `config`.

    Example:
    >>> deserialize("tanh") is tanh
    True
    """
    return lookup(config, "activation function", ALL, custom_objects)


def get(identifier):
    """Returns an activation function from a name, a function or None (linear).

    Raises:
        ValueError: for an unknown name; the message lists the valid names.

    Example:
    >>> get(None) is linear, get("swish") is silu
    (True, True)
    """
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}. "
                     "Pass a name such as 'relu' or a callable.")
