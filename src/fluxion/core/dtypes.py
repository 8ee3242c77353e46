"""Data types: `fluxion.float32` and friends, with TensorFlow's names and defaulting rules.

A `DType` wraps a NumPy dtype. Python floats become float32 and ints int32 (TensorFlow's defaults);
NumPy arrays keep their own dtype.
"""
import builtins

import numpy as np

__all__ = [
    "DType", "as_dtype", "float16", "float32", "float64", "half", "double", "int8", "int16",
    "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool", "complex64", "complex128",
]


class DType:
    """The type of the elements of a tensor.

    Compares equal to its name and to the NumPy dtype it wraps.

    Example:
    >>> fluxion.float32.is_floating, fluxion.float32 == "float32"
    (True, True)
    """

    __slots__ = ("name", "as_numpy_dtype", "_np")

    def __init__(self, name):
        self._np = np.dtype(name)
        self.name = name
        self.as_numpy_dtype = self._np.type

    @property
    def is_floating(self):
        return self._np.kind == "f"

    @property
    def is_complex(self):
        return self._np.kind == "c"

    @property
    def is_integer(self):
        return self._np.kind in "iu"

    @property
    def is_unsigned(self):
        return self._np.kind == "u"

    @property
    def is_bool(self):
        return self._np.kind == "b"

    @property
    def is_numeric(self):
        return self._np.kind in "iufc"

    @property
    def size(self):
        return self._np.itemsize

    @property
    def base_dtype(self):
        return self

    @property
    def real_dtype(self):
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    @property
    def min(self):
        return _limits(self._np).min

    @property
    def max(self):
        return _limits(self._np).max

    def __repr__(self):
        return "tf." + self.name

    def __str__(self):
        return "<dtype: '%s'>" % self.name

    def __eq__(self, other):
        if other is self:
            return True
        if other is None:
            return False
        try:
            return as_dtype(other) is self
        except TypeError:
            return False

    def __hash__(self):
        return hash(self.name)

    def __reduce__(self):
        return as_dtype, (self.name,)


def _limits(np_dtype):
    if np_dtype.kind == "f":
        return np.finfo(np_dtype)
    if np_dtype.kind == "b":
        return np.iinfo(np.uint8)
    return np.iinfo(np_dtype)


float16 = half = DType("float16")
float32 = DType("float32")
float64 = double = DType("float64")
int8, int16, int32, int64 = (DType(n) for n in ("int8", "int16", "int32", "int64"))
uint8, uint16, uint32, uint64 = (DType(n) for n in ("uint8", "uint16", "uint32", "uint64"))
bool = DType("bool")  # noqa: A001 - TensorFlow's public name
complex64, complex128 = DType("complex64"), DType("complex128")

_ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
        bool, complex64, complex128)
# np.dtype -> DType; the hot path of `Tensor.dtype`.
BY_NUMPY = {d._np: d for d in _ALL}
_BY_NAME = {d.name: d for d in _ALL}
_BY_NAME.update({"half": float16, "double": float64, "float": float32})
_PYTHON_TYPES = {float: float32, int: int32, builtins.bool: bool, complex: complex64}


def as_dtype(value):
    """Converts a name, NumPy dtype, Python type or `DType` to a `DType`.

    Example:
    >>> fluxion.as_dtype("float32") is fluxion.float32
    True

    Raises:
        TypeError: if `value` names no supported dtype.
    """
    if isinstance(value, DType):
        return value
    if isinstance(value, str):
        found = _BY_NAME.get(value)
        if found is not None:
            return found
    elif value in _PYTHON_TYPES:
        return _PYTHON_TYPES[value]
    try:
        found = BY_NUMPY.get(np.dtype(value))
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise TypeError(
            f"Cannot convert {value!r} to a dtype. Expected one of: "
            f"{', '.join(sorted(_BY_NAME))}.")
    return found
