"""`keras.regularizers`: penalties on weights or activations, added to a layer's `losses`.

`L1(l1=0.01)` adds `l1 * sum(|w|)`, `L2(l2=0.01)` adds `l2 * sum(w**2)` and `L1L2` both (the
"elastic net").

Example:
>>> from fluxion.keras import regularizers
>>> float(regularizers.L2(0.5)([1.0, 2.0]))
2.5
"""
from .. import nn
from ..core.tensor import convert_to_tensor
from ..ops import math_ops as m
from ..ops.array_ops import eye, transpose
from .engine.serialization import lookup, serialize_keras_object


class Regularizer:
    """Base class: `__call__(x)` returns a scalar penalty."""

    def __call__(self, x):
        return 0.0

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _check(name, value):
    value = float(value)
    if value < 0 or value != value:
        raise ValueError(f"{name}: the factor must be a non-negative number. Received: "
                         f"{name.lower()}={value}")
    return value


class L1L2(Regularizer):
    """`l1 * sum(|x|) + l2 * sum(x**2)` (both factors default to 0).

    Example:
    >>> float(L1L2(l1=1.0, l2=1.0)([-1.0, 2.0]))
    8.0
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = _check("L1", l1), _check("L2", l2)

    def __call__(self, x):
        x = convert_to_tensor(x)
        penalty = m.cast(0.0, x.dtype)
        if self.l1:
            penalty = penalty + self.l1 * m.reduce_sum(m.abs(x))
        if self.l2:
            penalty = penalty + self.l2 * m.reduce_sum(m.square(x))
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """`l1 * sum(|x|)`, `l1` defaulting to 0.01."""

    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    """`l2 * sum(x**2)`, `l2` defaulting to 0.01.

    Example:
    >>> float(L2()([10.0]))
    1.0
    """

    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a 2-D weight towards orthonormality.

    Penalty: `factor * sum(|offdiag(N N^T)|) / (n (n - 1) / 2)` for the L2-normalized rows N.
    """

    def __init__(self, factor=0.01, mode="rows"):
        if mode not in ("rows", "columns"):
            raise ValueError("OrthogonalRegularizer: mode must be 'rows' or 'columns'. "
                             f"Received: mode={mode!r}")
        self.factor, self.mode = _check("factor", factor), mode

    def __call__(self, x):
        x = convert_to_tensor(x)
        if self.mode == "columns":
            x = transpose(x)
        n = nn.l2_normalize(x, axis=1)
        product = m.abs(m.matmul(n, n, transpose_b=True))
        size = x.shape[0]
        offdiag = m.reduce_sum(product) - m.reduce_sum(product * eye(size, dtype=x.dtype))
        return self.factor * offdiag / (size * (size - 1) / 2)

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer
ALL = {"L1": L1, "L2": L2, "L1L2": L1L2, "OrthogonalRegularizer": OrthogonalRegularizer,
       "l1": L1, "l2": L2, "l1_l2": L1L2, "orthogonal_regularizer": OrthogonalRegularizer}


def serialize(regularizer):
    """Returns the Keras 3 config dict of a regularizer.

    Example:
    >>> serialize(L2())["config"]
    {'l2': 0.01}
    """
    return serialize_keras_object(regularizer, "keras.regularizers")


def deserialize(config, custom_objects=None):
    """Creates a regularizer from its config dict or name."""
    return lookup(config, "regularizer", ALL, custom_objects)


def get(identifier):
    """Returns a regularizer from a name ("l1", "l2", "l1_l2"), a config dict or a callable.

    Example:
    >>> get("l2").l2
    0.01
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret regularizer identifier: {identifier!r}")
