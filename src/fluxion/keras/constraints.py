"""`keras.constraints`: projections applied to a weight after each optimizer update.

Example:
>>> from fluxion.keras import constraints
>>> constraints.NonNeg()([-1.0, 2.0]).numpy()
array([0., 2.], dtype=float32)
"""
from ..core.tensor import convert_to_tensor
from ..ops import math_ops as m
from . import backend
from .engine.serialization import lookup, serialize_keras_object


class Constraint:
    """Base class: `__call__(w)` returns the projected weight."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _norms(w, axis):
    return m.sqrt(m.reduce_sum(m.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescales each slice along `axis` whose L2 norm exceeds `max_value` (default 2).

    Example:
    >>> MaxNorm(1.0)([[3.0], [4.0]]).numpy().round(3)
    array([[0.6],
           [0.8]], dtype=float32)
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        w = convert_to_tensor(w)
        norms = _norms(w, self.axis)
        desired = m.clip_by_value(norms, 0.0, float(self.max_value))
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to zero."""

    def __call__(self, w):
        w = convert_to_tensor(w)
        return w * m.cast(w >= 0.0, w.dtype)


class UnitNorm(Constraint):
    """Divides each slice along `axis` by its L2 norm."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = convert_to_tensor(w)
        return w / (backend.epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves each slice's L2 norm into [min_value, max_value], a fraction `rate` of the way."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        w = convert_to_tensor(w)
        norms = _norms(w, self.axis)
        desired = self.rate * m.clip_by_value(norms, float(self.min_value),
                                              float(self.max_value)) + (1 - self.rate) * norms
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm
ALL = {"MaxNorm": MaxNorm, "NonNeg": NonNeg, "UnitNorm": UnitNorm, "MinMaxNorm": MinMaxNorm,
       "max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm,
       "min_max_norm": MinMaxNorm}


def serialize(constraint):
    """Returns the Keras 3 config dict of a constraint."""
    return serialize_keras_object(constraint, "keras.constraints")


def deserialize(config, custom_objects=None):
    """Creates a constraint from its config dict or name."""
    return lookup(config, "constraint", ALL, custom_objects)


def get(identifier):
    """Returns a constraint from a name ("max_norm", "non_neg", ...), a config or a callable.

    Example:
    >>> type(get("non_neg")).__name__
    'NonNeg'
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret constraint identifier: {identifier!r}")
