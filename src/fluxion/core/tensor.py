"""`Tensor`: an immutable n-dimensional value, and the conversions into it.

A Tensor wraps a NumPy array (or NumPy scalar, for rank 0). Operators (`+`, `@`, `[]`, ...) are
installed by `fluxion.ops` so that this module stays free of op definitions.
"""
import numbers

import numpy as np

from . import dtypes
from .dtypes import BY_NUMPY, DType
from .errors import TracingError


class TensorShape(tuple):
    """The shape of a tensor: a tuple of ints, `None` where a dimension is unknown.

    Example:
    >>> fluxion.zeros((2, 3)).shape
    TensorShape([2, 3])
    """

    def __new__(cls, dims=None):
        if dims is None:
            return tuple.__new__(cls, ())
        if isinstance(dims, numbers.Integral):
            dims = (dims,)
        return tuple.__new__(cls, (None if d is None else int(d) for d in dims))

    @property
    def rank(self):
        return len(self)

    @property
    def ndims(self):
        return len(self)

    def as_list(self):
        return list(self)

    def num_elements(self):
        if None in self:
            return None
        return int(np.prod(self, dtype=np.int64))

    def is_fully_defined(self):
        return None not in self

    def __getitem__(self, key):
        item = tuple.__getitem__(self, key)
        return TensorShape(item) if isinstance(key, slice) else item

    def __repr__(self):
        return "TensorShape(%s)" % list(self)

    def __str__(self):
        return "(" + ", ".join("None" if d is None else str(d) for d in self) + \
            ("," if len(self) == 1 else "") + ")"


class Tensor:
    """An immutable multi-dimensional array of one dtype.

    Create tensors with `fluxion.constant` or `fluxion.convert_to_tensor`; ops return them.

    Example:
    >>> t = fluxion.constant([1.0, 0.0])
    >>> t
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 0.], dtype=float32)>
    """

    __slots__ = ("_value", "__weakref__")
    # Makes NumPy defer to our reflected operators: `ndarray + Tensor` gives a Tensor.
    __array_priority__ = 100

    def __init__(self, value):
        self._value = value

    @property
    def shape(self):
        return TensorShape(self._value.shape)

    @property
    def dtype(self):
        return BY_NUMPY[self._value.dtype]

    @property
    def ndim(self):
        return self._value.ndim

    @property
    def rank(self):
        return self._value.ndim

    def get_shape(self):
        return self.shape

    def numpy(self):
        """Returns a copy of the value as a NumPy array (a NumPy scalar for rank 0).

        Example:
        >>> fluxion.constant(4.0).numpy()
        np.float32(4.0)
        """
        value = self._value
        if value.ndim == 0:
            return value[()]
        return value.copy()

    def __array__(self, dtype=None, copy=None):
        value = np.asarray(self._value)
        if dtype is not None and value.dtype != dtype:
            return value.astype(dtype)
        return value.copy() if copy else value

    def __len__(self):
        if self._value.ndim == 0:
            raise TypeError("len() of unsized object: a scalar tensor has no length.")
        return self._value.shape[0]

    def __bool__(self):
        if self._value.size != 1:
            raise ValueError(
                f"The truth value of a tensor with shape {tuple(self._value.shape)} is "
                "ambiguous. Use fluxion.reduce_any or fluxion.reduce_all.")
        return bool(self._value)

    def __index__(self):
        if self._value.ndim != 0 or self._value.dtype.kind not in "iu":
            raise TypeError("Only scalar integer tensors can be used as an index.")
        return int(self._value)

    def __int__(self):
        return int(self._value)

    def __float__(self):
        return float(self._value)

    def __iter__(self):
        if self._value.ndim == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        for i in range(self._value.shape[0]):
            yield self[i]

    def __hash__(self):
        return id(self)

    def __repr__(self):
        return "<tf.Tensor: shape=%s, dtype=%s, numpy=%s>" % (
            _shape_str(self._value.shape), self.dtype.name, _numpy_repr(self._value))

    def __str__(self):
        text = np.array2string(np.asarray(self._value))
        return "tf.Tensor(%s%s, shape=%s, dtype=%s)" % (
            "\n" if "\n" in text else "", text, _shape_str(self._value.shape), self.dtype.name)

    def __reduce__(self):
        return constant, (np.asarray(self._value),)


class AbstractArray:
    """Stands in for the ndarray of a symbolic tensor: a shape (None for unknown dims) and dtype.

    Op functions read `t._value.shape / .dtype / .ndim` the same way for eager and symbolic
    tensors; only kernels need real data, and symbolic tensors never reach a kernel.
    """

    __slots__ = ("shape", "dtype")

    def __init__(self, shape, dtype):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        if None in self.shape:
            return None
        return int(np.prod(self.shape, dtype=np.int64))

    def __repr__(self):
        return f"AbstractArray(shape={self.shape}, dtype={self.dtype.name})"


class SymbolicTensor(Tensor):
    """A tensor with a shape and dtype but no value yet: a graph value during tracing, or a
    Keras symbolic input/output. `_producer` is whatever created it (a graph node, or None).

    Example:
    >>> t = SymbolicTensor((None, 3), "float32")
    >>> t.shape
    TensorShape([None, 3])
    """

    __slots__ = ("_producer", "_graph")

    def __init__(self, shape, dtype, producer=None, graph=None):
        self._value = AbstractArray(shape, dtype)
        self._producer = producer
        self._graph = graph

    def numpy(self):
        raise TracingError(
            "Cannot call .numpy() on a symbolic tensor (one being traced by fluxion.function, "
            "or a Keras functional input): it has no value yet. Compute with fluxion ops "
            "instead, or call the function without fluxion.function.")

    def __array__(self, dtype=None, copy=None):
        raise TracingError(
            "Cannot convert a symbolic tensor to a NumPy array: it has no value while tracing. "
            "Use fluxion ops instead of NumPy functions inside a fluxion.function.")

    def __bool__(self):
        raise TracingError(
            "Using a symbolic tensor as a Python bool (in `if`, `while`, `and`/`or`, or `assert`) "
            "is not allowed while tracing: its value is unknown. Write `if` as "
            "fluxion.cond(pred, true_fn, false_fn) (or fluxion.where for element-wise choice) "
            "and `while` as fluxion.while_loop(cond, body, loop_vars).")

    def __len__(self):
        if not self._value.shape or self._value.shape[0] is None:
            raise TracingError("len() of a symbolic tensor whose first dimension is unknown; "
                               "use fluxion.shape(t)[0].")
        return self._value.shape[0]

    def __index__(self):
        raise TracingError("A symbolic tensor cannot be used as a Python int (an index, a "
                           "range() bound or a shape) while tracing: its value is unknown. "
                           "Pass the value as a Python int argument instead.")

    __int__ = __float__ = __index__

    def __repr__(self):
        return "<tf.Tensor 'symbolic' shape=%s dtype=%s>" % (
            _shape_str(self._value.shape), self.dtype.name)

    __str__ = __repr__


def _shape_str(shape):
    return str(TensorShape(shape))


def _numpy_repr(value):
    if value.ndim:
        return repr(value)
    # NumPy 2 prints scalars as np.float32(4.0); TensorFlow shows the bare value, as str() does.
    return str(value[()])


def wrap(value):
    """Wraps a NumPy array or scalar (already of the right dtype) in a Tensor, without copying."""
    t = _new_tensor(Tensor)
    t._value = value
    return t


_new_tensor = object.__new__
_DEFAULT_FOR_KIND = {"f": np.float32, "i": np.int32, "c": np.complex64}
_INT32 = np.iinfo(np.int32)


def _python_default(array, value):
    """TensorFlow's defaults for Python values: float -> float32, int -> int32 (int64 if needed)."""
    kind = array.dtype.kind
    if kind == "i" and array.size and (array.min() < _INT32.min or array.max() > _INT32.max):
        return array.astype(np.int64, copy=False)
    target = _DEFAULT_FOR_KIND.get(kind)
    return array if target is None else array.astype(target, copy=False)


def _to_numpy(value, dtype):
    """Converts a Python/NumPy value to an ndarray of `dtype` (a DType or None for the default)."""
    if isinstance(value, (np.ndarray, np.generic)):
        array = value
        if dtype is not None and array.dtype != dtype._np:
            if not np.can_cast(array.dtype, dtype._np, "same_kind") and array.size:
                raise TypeError(
                    f"Cannot convert an array of dtype {array.dtype} to a tensor of dtype "
                    f"{dtype.name}. Cast it first with fluxion.cast or ndarray.astype.")
            array = array.astype(dtype._np)
        return array
    if isinstance(value, (list, tuple)) and any(isinstance(v, (Tensor, Variable)) for v in value):
        value = [np.asarray(v) if isinstance(v, (Tensor, Variable)) else v for v in value]
    try:
        array = np.asarray(value)
    except ValueError as exc:
        raise ValueError(f"Cannot convert {value!r} to a tensor: {exc}. Nested lists must be "
                         "rectangular (every row the same length).") from None
    if array.dtype == object or array.dtype.kind in "USV":
        raise TypeError(f"Cannot convert {value!r} of type {type(value).__name__} to a tensor: "
                        "expected numbers, booleans, NumPy arrays or tensors.")
    if dtype is None:
        return _python_default(array, value)
    if array.dtype.kind == "f" and dtype.is_integer and array.size and \
            not np.all(np.mod(array, 1) == 0):
        raise TypeError(f"Cannot convert {value!r} to a tensor of dtype {dtype.name}: "
                        "the values are not whole numbers.")
    return array.astype(dtype._np, copy=False)


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None):
    """Converts a Python number, list, NumPy array, Tensor or Variable to a Tensor.

    Args:
        value: the value to convert.
        dtype: the dtype the result must have; a Tensor of another dtype is an error.
        dtype_hint: a dtype used only when `value` has none of its own (Python numbers, lists).
        name: unused; accepted for TensorFlow compatibility.

    Returns:
        A `Tensor`. A Tensor argument of the requested dtype is returned as it is.

    Example:
    >>> fluxion.convert_to_tensor([1, 2]).dtype
    tf.int32
    """
    if type(value) is Tensor or isinstance(value, Tensor):
        if dtype is not None and value.dtype != dtype:
            raise TypeError(f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} "
                            f"for a tensor of dtype {value.dtype.name}. Use fluxion.cast.")
        return value
    if isinstance(value, Variable):
        tensor = value.read_value()
        if dtype is not None and tensor.dtype != dtype:
            raise TypeError(f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} "
                            f"for variable '{value.name}' of dtype {value.dtype.name}.")
        return tensor
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    elif dtype_hint is not None and not isinstance(value, (np.ndarray, np.generic)):
        dtype = dtypes.as_dtype(dtype_hint)
    return wrap(_to_numpy(value, dtype))


def constant(value, dtype=None, shape=None, name="Const"):
    """Creates a constant tensor from a Python value or NumPy array (always copied).

    Args:
        value: a number, (nested) list, NumPy array or tensor.
        dtype: the element type; by default float32 for Python floats, int32 for ints and the
            array's own dtype for NumPy arrays.
        shape: optional shape; a scalar `value` is broadcast to it, other values reshaped.
        name: unused; accepted for TensorFlow compatibility.

    Example:
    >>> fluxion.constant(4.0)
    <tf.Tensor: shape=(), dtype=float32, numpy=4.0>
    """
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    if isinstance(value, (Tensor, Variable)):
        array = np.asarray(value)
        if dtype is not None:
            array = array.astype(dtype._np)
    elif dtype is not None and isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value).astype(dtype._np)  # constant() casts freely, as TensorFlow's
    else:
        array = _to_numpy(value, dtype)
    array = np.array(array, copy=True)
    if shape is not None:
        shape = tuple(shape) if not isinstance(shape, numbers.Integral) else (int(shape),)
        if array.size == 1:
            array = np.full(shape, array.reshape(()), dtype=array.dtype)
        elif array.size == int(np.prod(shape)):
            array = array.reshape(shape)
        else:
            raise TypeError(f"constant: expected {int(np.prod(shape))} values for shape "
                            f"{shape}, received {array.size}.")
    return wrap(array if array.ndim else array[()])


def is_tensor(x):
    """Returns True if `x` is a Tensor or Variable.

    Example:
    >>> fluxion.is_tensor(fluxion.constant(1.0)), fluxion.is_tensor(1.0)
    (True, False)
    """
    return isinstance(x, (Tensor, Variable))


from .variable import Variable  # noqa: E402  (Variable builds on Tensor)

__all__ = ["Tensor", "SymbolicTensor", "TensorShape", "convert_to_tensor", "constant",
           "is_tensor", "DType"]
