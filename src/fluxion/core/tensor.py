"""`Tensor`: an immutable n-dimensional value, and the conversions into it.

A Tensor wraps a NumPy array (or NumPy scalar, for rank 0). Operators (`+`, `@`, `[]`, ...) are
installed by `fluxion.ops` so that this module stays free of op definitions.
"""
import numbers

import numpy as np

from . import dtypes
from .dtypes import BY_NUMPY, DType
from .errors import TracingError


class Dimension:
    """One dimension of a `TensorShape` (as `TensorShape.dims` lists them): an int or None.

    Example:
    >>> fluxion.TensorShape([2, None]).dims
    [Dimension(2), Dimension(None)]
    """

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = None if value is None else int(getattr(value, "value", value))

    def __eq__(self, other):
        other = getattr(other, "value", other)
        if self.value is None or other is None:
            return None
        return self.value == other

    def __ne__(self, other):
        equal = self.__eq__(other)
        return None if equal is None else not equal

    def __hash__(self):
        return hash(self.value)

    def __int__(self):
        return self.value

    __index__ = __int__

    def __repr__(self):
        return f"Dimension({self.value})"

    def __str__(self):
        return "?" if self.value is None else str(self.value)


def _dims_of(other):
    """The dims of a TensorShape, list or tuple (None for an unknown rank)."""
    if isinstance(other, TensorShape):
        return None if other._unknown_rank else tuple(other)
    if other is None:
        return None
    if isinstance(other, numbers.Integral):
        return (int(other),)
    return tuple(None if d is None else int(getattr(d, "value", d)) for d in other)


class TensorShape(tuple):
    """The shape of a tensor: a tuple of ints, `None` where a dimension is unknown.

    `TensorShape(None)` is a shape of unknown rank. A TensorShape compares equal to the list or
    tuple of its dims, and `+` with a list or tuple gives a TensorShape.

    Example:
    >>> fluxion.zeros((2, 3)).shape
    TensorShape([2, 3])
    >>> fluxion.zeros((2, 3)).shape[:1] + [5]
    TensorShape([2, 5])
    """

    _unknown_rank = False

    def __new__(cls, dims):
        if dims is None:
            return tuple.__new__(_UnknownRankShape, ())
        if isinstance(dims, TensorShape) and dims._unknown_rank:
            return dims
        if isinstance(dims, numbers.Integral):
            dims = (dims,)
        return tuple.__new__(cls, (None if d is None else int(getattr(d, "value", d))
                                   for d in dims))

    @property
    def rank(self):
        return len(self)

    ndims = rank

    @property
    def dims(self):
        return [Dimension(d) for d in self]

    def as_list(self):
        return list(self)

    def num_elements(self):
        if None in self:
            return None
        return int(np.prod(self, dtype=np.int64))

    def is_fully_defined(self):
        return None not in self

    def concatenate(self, other):
        """This shape followed by `other`'s dims (unknown rank if either has one).

        Example:
        >>> fluxion.TensorShape([2]).concatenate([3, None])
        TensorShape([2, 3, None])
        """
        dims = _dims_of(other)
        if dims is None or self._unknown_rank:
            return TensorShape(None)
        return tuple.__new__(TensorShape, tuple(self) + dims)

    def is_compatible_with(self, other):
        """True if some fully defined shape could be both this shape and `other`.

        Example:
        >>> fluxion.TensorShape([None, 3]).is_compatible_with([2, 3])
        True
        """
        dims = _dims_of(other)
        if dims is None or self._unknown_rank:
            return True
        return len(dims) == len(self) and all(
            a is None or b is None or a == b for a, b in zip(self, dims))

    def assert_is_compatible_with(self, other):
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {TensorShape(_dims_of(other))} are "
                             "incompatible")

    def merge_with(self, other):
        """The most specific shape compatible with both this shape and `other`.

        Raises:
            ValueError: if the shapes are not compatible.

        Example:
        >>> fluxion.TensorShape([None, 3]).merge_with([2, None])
        TensorShape([2, 3])
        """
        dims = _dims_of(other)
        if not self.is_compatible_with(dims):
            raise ValueError(f"Shapes {self} and {TensorShape(dims)} are not compatible")
        if dims is None:
            return self
        if self._unknown_rank:
            return TensorShape(dims)
        return TensorShape([b if a is None else a for a, b in zip(self, dims)])

    def most_specific_compatible_shape(self, other):
        """The shape keeping the dims this shape and `other` agree on (None elsewhere)."""
        dims = _dims_of(other)
        if dims is None or self._unknown_rank or len(dims) != len(self):
            return TensorShape(None)
        return TensorShape([a if a == b else None for a, b in zip(self, dims)])

    def with_rank(self, rank):
        """This shape merged with an unknown shape of `rank` dims (ValueError if it has another)."""
        try:
            return self.merge_with([None] * rank)
        except ValueError:
            raise ValueError(f"Shape {self} must have rank {rank}") from None

    def __getitem__(self, key):
        item = tuple.__getitem__(self, key)
        return tuple.__new__(TensorShape, item) if isinstance(key, slice) else item

    def __eq__(self, other):
        kind = type(other)
        if kind is tuple or kind is TensorShape:  # the common cases first
            return tuple.__eq__(self, other)
        if isinstance(other, (tuple, list)):
            return not (other._unknown_rank if isinstance(other, TensorShape) else False) \
                and tuple.__eq__(self, tuple(other))
        if isinstance(other, numbers.Integral):
            return tuple.__eq__(self, (other,))
        return NotImplemented

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = tuple.__hash__

    def __add__(self, other):
        return self.concatenate(other)

    def __radd__(self, other):
        dims = _dims_of(other)
        return TensorShape(None) if dims is None else TensorShape(dims).concatenate(self)

    def __repr__(self):
        return "TensorShape(%s)" % list(self)

    def __str__(self):
        return "(" + ", ".join("None" if d is None else str(d) for d in self) + \
            ("," if len(self) == 1 else "") + ")"

    def __reduce__(self):
        return TensorShape, (None if self._unknown_rank else tuple(self),)


class _UnknownRankShape(TensorShape):
    """`TensorShape(None)`: a shape whose rank is unknown (an empty tuple underneath)."""

    _unknown_rank = True

    @property
    def rank(self):
        return None

    ndims = rank
    dims = rank

    def as_list(self):
        raise ValueError("as_list() is not defined on an unknown TensorShape.")

    def num_elements(self):
        return None

    def is_fully_defined(self):
        return False

    def __len__(self):
        raise ValueError("Cannot take the length of shape with unknown rank.")

    def __iter__(self):
        raise ValueError("Cannot iterate over a shape with unknown rank.")

    def __getitem__(self, key):
        return TensorShape(None) if isinstance(key, slice) else None

    def __bool__(self):
        return False

    def __eq__(self, other):
        return isinstance(other, TensorShape) and other._unknown_rank

    __hash__ = tuple.__hash__

    def __repr__(self):
        return "TensorShape(None)"

    def __str__(self):
        return "<unknown>"


class Tensor:
    """An immutable multi-dimensional array of one dtype.

    Create tensors with `fluxion.constant` or `fluxion.convert_to_tensor`; ops return them.

    Example:
    >>> t = fluxion.constant([1.0, 0.0])
    >>> t
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 0.], dtype=float32)>
    """

    # `_slice_of`: (variable, key) for `variable[key]`, which then has `.assign` (set only there).
    # `_keras_mask`: the Keras mask a layer attached (`Embedding(mask_zero=True)`); as in Keras,
    # absent (hasattr False) until set, and layers called on the tensor receive it as `mask`.
    __slots__ = ("_value", "_slice_of", "_keras_mask", "__weakref__")
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

    @property
    def assign(self):
        """For a slice of a variable, `v[key]`: `assign(value)` writes `value` (broadcast to the
        slice) into that part of the variable and returns the variable. Other tensors have no
        `assign` (hasattr is False), as in TensorFlow.

        Example:
        >>> v = fluxion.Variable([0.0, 0.0])
        >>> v[1].assign(3.0).numpy()
        array([0., 3.], dtype=float32)
        """
        try:
            variable, key = self._slice_of
        except AttributeError:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute 'assign'. "
                                 "Only a variable or a slice of one, v[...], can be assigned."
                                 ) from None
        return lambda value, use_locking=None, name=None: variable._assign_slice(key, value)

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

    def __format__(self, format_spec):
        # As TensorFlow's: the NumPy value's formatting (f"{t:.3f}" for a scalar, "[1. 2.]").
        return self.numpy().__format__(format_spec)

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

    def __format__(self, format_spec):
        return format(repr(self), format_spec)

    def __iter__(self):
        if not self._value.shape or self._value.shape[0] is None:
            raise TracingError(
                "Iterating over a symbolic tensor whose first dimension is unknown (for "
                "example `for i in fluxion.range(n)` with a tensor `n`) is not supported while "
                "tracing. Loop over a Python range(n) with a Python int n, or write the loop "
                "as fluxion.while_loop(cond, body, loop_vars).")
        return Tensor.__iter__(self)


def _shape_str(shape):
    return str(TensorShape(shape))


def _numpy_repr(value):
    if value.ndim:
        text = repr(value)
        return "\n" + text if "\n" in text else text  # TensorFlow starts it on a new line
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
