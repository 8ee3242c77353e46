"""Merge layers: combine a list of tensors (Add, Subtract, Multiply, Average, Maximum,
Minimum, Concatenate), and their functional forms (`add([a, b])`, ...).

Example:
>>> from fluxion import keras
>>> keras.layers.Add()([fluxion.ones((1, 2)), fluxion.ones((1, 2))]).numpy()
array([[2., 2.]], dtype=float32)
"""
from functools import reduce

from ...ops import array_ops as a
from ...ops import math_ops as m
from ...ops import rules
from ..engine.layer import Layer


class _Merge(Layer):
    """Element-wise merge of two or more inputs of broadcast-compatible shapes."""

    min_inputs = 2

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _check(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) < self.min_inputs:
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) should be called on "
                             f"a list of at least {self.min_inputs} inputs. Received: "
                             f"input_shape={input_shape}")

    def build(self, input_shape):
        self._check(input_shape)
        self.compute_output_shape(input_shape)

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        batch = [s[0] for s in input_shape]
        try:
            rest = rules.broadcast_shapes(self.name, *[tuple(s[1:]) for s in input_shape])
        except ValueError:
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}): the inputs must "
                             "have the same shape (or broadcast). Received shapes: "
                             f"{[tuple(s) for s in input_shape]}") from None
        known = [b for b in batch if b is not None]
        return (known[0] if known else None,) + tuple(rest)

    def call(self, inputs):
        return reduce(self._merge, inputs)

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(mk is None for mk in mask):
            return None
        masks = [mk for mk in mask if mk is not None]
        return reduce(m.logical_and, masks)


class Add(_Merge):
    """The element-wise sum of the inputs."""

    _merge = staticmethod(m.add)


class Subtract(_Merge):
    """`inputs[0] - inputs[1]` (exactly two inputs)."""

    _merge = staticmethod(m.subtract)

    def _check(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) != 2:
            raise ValueError(f"Layer '{self.name}' (Subtract) should be called on exactly 2 "
                             f"inputs. Received: input_shape={input_shape}")


class Multiply(_Merge):
    """The element-wise product of the inputs."""

    _merge = staticmethod(m.multiply)


class Maximum(_Merge):
    """The element-wise maximum of the inputs."""

    _merge = staticmethod(m.maximum)


class Minimum(_Merge):
    """The element-wise minimum of the inputs."""

    _merge = staticmethod(m.minimum)


class Average(_Merge):
    """The element-wise mean of the inputs."""

    _merge = staticmethod(m.add)

    def call(self, inputs):
        return reduce(m.add, inputs) * (1.0 / len(inputs))


class Concatenate(_Merge):
    """Joins the inputs along `axis` (default the last); other axes must match.

    Example:
    >>> keras.layers.Concatenate()([fluxion.ones((2, 3)), fluxion.ones((2, 4))]).shape
    TensorShape([2, 7])
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        ranks = {len(s) for s in input_shape}
        shapes = [tuple(s) for s in input_shape]
        if len(ranks) != 1:
            raise ValueError(f"Layer '{self.name}' (Concatenate): the inputs must have the same "
                             f"rank. Received shapes: {shapes}")
        rank = ranks.pop()
        axis = self.axis % rank
        out = list(shapes[0])
        for shape in shapes[1:]:
            for i, (x, y) in enumerate(zip(out, shape)):
                if i == axis:
                    out[i] = None if x is None or y is None else x + y
                elif x is not None and y is not None and x != y:
                    raise ValueError(
                        f"Layer '{self.name}' (Concatenate) requires inputs with matching "
                        f"shapes except for the concatenation axis (axis={self.axis}). "
                        f"Received: input_shape={shapes}")
                elif x is None:
                    out[i] = y
        return tuple(out)

    def call(self, inputs):
        return a.concat(list(inputs), axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def _functional(cls):
    def merge(inputs, **kwargs):
        return cls(**kwargs)(inputs)
    merge.__name__ = cls.__name__.lower()
    merge.__doc__ = f"Functional form of `{cls.__name__}`: `{cls.__name__}(**kwargs)(inputs)`."
    return merge


add, subtract, multiply = _functional(Add), _functional(Subtract), _functional(Multiply)
average, maximum, minimum = _functional(Average), _functional(Maximum), _functional(Minimum)


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of `Concatenate`: `Concatenate(axis=axis, **kwargs)(inputs)`."""
    return Concatenate(axis=axis, **kwargs)(inputs)
