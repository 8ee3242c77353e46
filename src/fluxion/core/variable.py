"""`Variable`: mutable state (weights, counters) that ops read and `assign*` updates.

An assignment replaces the stored array, so a tensor read earlier keeps the value it was read with
(TensorFlow's semantics). Every read goes through `read_value`, which lets active gradient tapes
watch the variable.
"""
import sys

import numpy as np

from . import dtypes
from .context import state
from .errors import TracingError
from .tensor import SymbolicTensor, Tensor, TensorShape, _numpy_repr, _shape_str, _to_numpy, wrap


class Variable:
    """A mutable tensor-valued state, such as a layer's weights.

    Args:
        initial_value: a tensor-convertible value, or a zero-argument callable returning one.
        trainable: whether `GradientTape` watches it automatically and Keras trains it.
        name: the variable's name; TensorFlow shows it as `name:0`.
        dtype: the element type; defaults to the initial value's.
        shape: accepted for compatibility; must match the initial value when given.
        constraint: an optional function applied by optimizers after each update.

    Example:
    >>> W = fluxion.Variable(fluxion.ones((2, 2)), name="W")
    >>> W.assign_add(fluxion.ones((2, 2))).numpy()[0]
    array([2., 2.], dtype=float32)
    """

    __array_priority__ = 100

    def __init__(self, initial_value=None, trainable=True, validate_shape=True, name=None,
                 dtype=None, shape=None, constraint=None, synchronization=None,
                 aggregation=None, caching_device=None, import_scope=None):
        if initial_value is None:
            raise ValueError("Variable: initial_value must be given.")
        if state.tracer is not None:
            state.tracer.on_variable_created(self)
        if callable(initial_value):
            initial_value = initial_value()
        if isinstance(initial_value, SymbolicTensor):
            raise TracingError(
                f"Variable '{name}': the initial value is a symbolic tensor (computed inside a "
                "traced function or from a Keras symbolic input). Create variables outside the "
                "function, or compute the initial value inside `with fluxion.init_scope():`.")
        if dtype is not None:
            dtype = dtypes.as_dtype(dtype)
        if isinstance(initial_value, (Tensor, Variable)):
            array = np.array(initial_value, dtype=None if dtype is None else dtype._np)
        else:
            array = np.array(_to_numpy(initial_value, dtype), copy=True)
        if shape is not None and validate_shape and TensorShape(shape).is_fully_defined() \
                and tuple(shape) != array.shape:
            raise ValueError(f"Variable '{name}': shape {tuple(shape)} does not match the "
                             f"initial value's shape {array.shape}.")
        self._value = array
        self.trainable = bool(trainable)
        self._name = name if name is not None else "Variable"
        self.constraint = constraint
        self._validate_shape = validate_shape

    # --- reading ----------------------------------------------------------------------------
    def read_value(self):
        """Returns the current value as a Tensor (recorded by any tape watching this variable).

        Example:
        >>> fluxion.Variable(2.0).read_value()
        <tf.Tensor: shape=(), dtype=float32, numpy=2.0>
        """
        tensor = wrap(self._value) if state.tracer is None else state.tracer.read_variable(self)
        for tape in state.tapes:
            tape._on_variable_read(self, tensor)
        return tensor

    value = read_value

    def numpy(self):
        value = self._value
        return value.copy() if value.ndim else value[()]

    def __array__(self, dtype=None, copy=None):
        value = self._value
        if dtype is not None and value.dtype != dtype:
            return value.astype(dtype)
        return value.copy() if copy else value

    @property
    def shape(self):
        return TensorShape(self._value.shape)

    @property
    def dtype(self):
        return dtypes.BY_NUMPY[self._value.dtype]

    @property
    def ndim(self):
        return self._value.ndim

    @property
    def name(self):
        return self._name + ":0"

    @property
    def device(self):
        return "/job:localhost/replica:0/task:0/device:CPU:0"

    def get_shape(self):
        return self.shape

    # --- writing ----------------------------------------------------------------------------
    def _new_value(self, value, what):
        array = np.asarray(value) if isinstance(value, (Tensor, Variable)) else \
            _to_numpy(value, self.dtype)
        if array.dtype != self._value.dtype:
            if not np.can_cast(array.dtype, self._value.dtype, "same_kind"):
                raise TypeError(f"Variable '{self._name}'.{what}: expected a value of dtype "
                                f"{self.dtype.name}, received {array.dtype}. Cast it first.")
            array = array.astype(self._value.dtype)
        if array.shape != self._value.shape:
            if self._validate_shape:
                raise ValueError(f"Variable '{self._name}'.{what}: expected a value of shape "
                                 f"{self._value.shape}, received shape {array.shape}.")
        return array

    def assign(self, value, use_locking=None, name=None, read_value=True):
        """Replaces the value. Returns the variable.

        Example:
        >>> v = fluxion.Variable(1.0); v.assign(3.0).numpy()
        np.float32(3.0)
        """
        if state.tracer is not None:
            return state.tracer.assign_variable(self, "assign", value)
        new = self._new_value(value, "assign")
        # A caller's ndarray is copied: later changes to it must not reach the variable.
        self._value = np.array(new, copy=True) if new is value else np.asarray(new)
        return self

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        """Adds `delta` to the value. Returns the variable.

        Example:
        >>> v = fluxion.Variable(1.0); v.assign_add(2.0).numpy()
        np.float32(3.0)
        """
        if state.tracer is not None:
            return state.tracer.assign_variable(self, "assign_add", delta)
        self._value = np.asarray(self._value + self._new_value(delta, "assign_add"))
        return self

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        """Subtracts `delta` from the value. Returns the variable.

        Example:
        >>> v = fluxion.Variable(1.0); v.assign_sub(2.0).numpy()
        np.float32(-1.0)
        """
        if state.tracer is not None:
            return state.tracer.assign_variable(self, "assign_sub", delta)
        self._value = np.asarray(self._value - self._new_value(delta, "assign_sub"))
        return self

    def __repr__(self):
        return "<tf.Variable '%s' shape=%s dtype=%s, numpy=%s>" % (
            self.name, _shape_str(self._value.shape), self.dtype.name,
            _numpy_repr(self._value if self._value.ndim else self._value[()]))

    def __hash__(self):
        return id(self)

    def __len__(self):
        return len(self._value)

    def __bool__(self):
        return bool(self.read_value())

    def __iter__(self):
        return iter(self.read_value())

    def __float__(self):
        return float(self._value)

    def __int__(self):
        return int(self._value)

    def __index__(self):
        return self.read_value().__index__()


# sys.getrefcount(array) inside `own_array` when only the variable holds it: the variable's
# reference, the local name and getrefcount's own argument.
_SOLE_OWNER_REFS = 3


def own_array(var, shape=None):
    """The variable's array if it may be written in place, else None.

    It may when nothing else holds it (no tensor read earlier still refers to it: TensorFlow
    promises such a tensor keeps its value), it is a writeable ndarray and, if `shape` is given,
    it has that shape. The executor's in-place assignments and fused updates rely on this.

    Example:
    >>> v = fluxion.Variable([1.0, 2.0])
    >>> own_array(v) is not None
    True
    >>> t = v.read_value(); own_array(v) is None
    True
    """
    current = var._value
    if sys.getrefcount(current) <= _SOLE_OWNER_REFS and isinstance(current, np.ndarray) \
            and current.flags.writeable and (shape is None or current.shape == shape):
        return current
    return None


def writable_arrays(variables):
    """The variables' arrays, ready to be updated in place by a fused kernel: a variable whose
    array something else holds (`own_array` is None) gets a copy first.

    Example:
    >>> v = fluxion.Variable([1.0, 2.0])
    >>> writable_arrays([v])[0] += 1.0
    >>> v.numpy()
    array([2., 3.], dtype=float32)
    """
    arrays = []
    for var in variables:
        current = own_array(var)
        if current is None:
            var._value = current = np.array(var._value, copy=True)
        arrays.append(current)
    return arrays
