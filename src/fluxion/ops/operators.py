"""Installs Python operators (`+`, `*`, `@`, `<`, `[]`, ...) on Tensor and Variable.

They live here, not in `core`, so that `core` needs no op definitions.
"""
from ..core.tensor import Tensor
from ..core.variable import Variable
from . import index_ops
from . import math_ops as m


def _reflected(fn):
    return lambda self, other: fn(other, self)


def _and(x, y):
    x, y = m.binary_args("logical_and", x, y)
    return m.logical_and(x, y) if x.dtype.is_bool else m.bitwise_and(x, y)


def _or(x, y):
    x, y = m.binary_args("logical_or", x, y)
    return m.logical_or(x, y) if x.dtype.is_bool else m.bitwise_or(x, y)


def _xor(x, y):
    x, y = m.binary_args("logical_xor", x, y)
    return m.logical_xor(x, y) if x.dtype.is_bool else m.bitwise_xor(x, y)


def _invert(x):
    return m.logical_not(x) if x.dtype.is_bool else m.bitwise_not(x)


BINARY = {
    "add": m.add, "sub": m.subtract, "mul": m.multiply, "truediv": m.divide,
    "floordiv": m.floordiv, "mod": m.floormod, "pow": m.pow, "matmul": m.matmul,
    "and": _and, "or": _or, "xor": _xor,
}
COMPARISONS = {"lt": m.less, "le": m.less_equal, "gt": m.greater, "ge": m.greater_equal,
               "eq": m.equal, "ne": m.not_equal}


def install(cls):
    # The op functions take (x, y, name=None), so they serve as methods directly (one call less).
    for name, fn in BINARY.items():
        setattr(cls, f"__{name}__", fn)
        setattr(cls, f"__r{name}__", _reflected(fn))
    for name, fn in COMPARISONS.items():
        setattr(cls, f"__{name}__", fn)
    # As in TensorFlow 2, `t == None` is simply False (and `!=` True), not an error.
    cls.__eq__ = lambda self, other: False if other is None else m.equal(self, other)
    cls.__ne__ = lambda self, other: True if other is None else m.not_equal(self, other)
    cls.__neg__ = m.negative
    cls.__pos__ = lambda self: self
    cls.__abs__ = m.abs
    cls.__invert__ = _invert
    if "__getitem__" not in cls.__dict__:  # Variable's own returns slices with `.assign`
        cls.__getitem__ = lambda self, key: index_ops.getitem(self, key)
    cls.__hash__ = object.__hash__


install(Tensor)
install(Variable)
