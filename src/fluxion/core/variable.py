"""`Variable`: mutable state (weights, counters) that ops read and `assign*` updates.

An assignment replaces the stored array, so a tensor read earlier keeps the value it was read with
(TensorFlow's semantics). Every read goes through `read_value`, which lets active gradient tapes
watch the variable.
"""
import itertools
import numbers
import sys

import numpy as np

from . import dtypes
from .context import state
from .errors import TracingError
from .tensor import SymbolicTensor, Tensor, TensorShape, _numpy_repr, _to_numpy, wrap

_creation_order = itertools.count()  # Variable._unique_id: GradientTape sorts by it, as TF


class Variable:
    """A mutable tensor-valued state, such as a layer's weights.

    Args:
        initial_value: a tensor-convertible value, or a zero-argument callable returning one.
        trainable: whether `GradientTape` watches it automatically and Keras trains it.
        name: the variable's name; TensorFlow shows it as `name:0` (Keras's variables, which
            have a `path` such as "dense/kernel", without the `:0`).
        dtype: the element type; defaults to the initial value's.
        shape: the variable's static shape; by default the initial value's. A partly known
            shape (None dims, or `TensorShape(None)` for any rank) lets `assign` change the
            value's shape within it.
        constraint: an optional function applied by optimizers after each update.

    Example:
    >>> W = fluxion.Variable(fluxion.ones((2, 2)), name="W")
    >>> W.assign_add(fluxion.ones((2, 2))).numpy()[0]
    array([2., 2.], dtype=float32)
    """

    __array_priority__ = 100
    _declared_shape = None  # a partly known `shape` argument, else None (the value's shape)

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
        if shape is not None:
            shape = TensorShape(shape)
            if validate_shape and not shape.is_compatible_with(array.shape):
                raise ValueError(f"Variable '{name}': shape {shape} does not match the "
                                 f"initial value's shape {array.shape}.")
            if not shape.is_fully_defined():
                self._declared_shape = shape
        self._unique_id = next(_creation_order)
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
        declared = self._declared_shape
        return TensorShape(self._value.shape) if declared is None else declared

    @property
    def dtype(self):
        return dtypes.BY_NUMPY[self._value.dtype]

    @property
    def ndim(self):
        return self._value.ndim

    @property
    def name(self):
        """TensorFlow's `name:0`; a Keras variable (one with a `path`, as `add_weight` makes)
        is named as in Keras 3, without the `:0`."""
        return self._name if "path" in self.__dict__ else self._name + ":0"

    @property
    def device(self):
        return "/job:localhost/replica:0/task:0/device:CPU:0"

    def get_shape(self):
        return self.shape

    # --- writing ----------------------------------------------------------------------------
    def _new_value(self, value, what, shape=None):
        """`value` as an array of this variable's dtype, checked against `shape` (by default
        the variable's own; a slice's for a sliced assignment, which broadcasts)."""
        if isinstance(value, (Tensor, Variable)):
            check_value_dtype(self, value, what)
            array = np.asarray(value)
        else:
            array = _to_numpy(value, self.dtype)
            if array.dtype != self._value.dtype:
                if not np.can_cast(array.dtype, self._value.dtype, "same_kind"):
                    raise TypeError(f"Variable '{self._name}'.{what}: expected a value of dtype "
                                    f"{self.dtype.name}, received {array.dtype}. Cast it "
                                    "first.")
                array = array.astype(self._value.dtype)
        if shape is not None:
            try:
                return np.broadcast_to(array, shape)
            except ValueError:
                raise ValueError(f"Variable '{self._name}'.{what}: cannot broadcast a value of "
                                 f"shape {array.shape} to the slice's shape {shape}.") from None
        if array.shape != self._value.shape and self._validate_shape:
            declared = self._declared_shape
            if declared is None or not declared.is_compatible_with(array.shape):
                raise ValueError(f"Variable '{self._name}'.{what}: expected a value of shape "
                                 f"{self.shape}, received shape {array.shape}.")
        return array

    def assign(self, value, use_locking=None, name=None, read_value=True):
        """Replaces the value. Returns the variable.

        Example:
        >>> v = fluxion.Variable(1.0); v.assign(3.0).numpy()
        np.float32(3.0)
        """
        if state.tracer is not None:
            state.tracer.assign_variable(self, "assign", value)
        else:
            new = self._new_value(value, "assign")
            # A caller's ndarray is copied: later changes to it must not reach the variable.
            self._value = np.array(new, copy=True) if new is value else np.asarray(new)
        return self if read_value else None

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        """Adds `delta` to the value. Returns the variable.

        Example:
        >>> v = fluxion.Variable(1.0); v.assign_add(2.0).numpy()
        np.float32(3.0)
        """
        if state.tracer is not None:
            state.tracer.assign_variable(self, "assign_add", delta)
        else:
            self._value = np.asarray(self._value + self._new_value(delta, "assign_add"))
        return self if read_value else None

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        """Subtracts `delta` from the value. Returns the variable.

        Example:
        >>> v = fluxion.Variable(1.0); v.assign_sub(2.0).numpy()
        np.float32(-1.0)
        """
        if state.tracer is not None:
            state.tracer.assign_variable(self, "assign_sub", delta)
        else:
            self._value = np.asarray(self._value - self._new_value(delta, "assign_sub"))
        return self if read_value else None

    # --- writing part of the value --------------------------------------------------------
    def __getitem__(self, key):
        """`v[key]`: the value's slice, as a tensor that also has `.assign(value)`, which writes
        `value` (broadcast) into that slice of the variable, as TensorFlow's
        `v[0, 1].assign(5.0)`. The key may hold ints, slices, `...` and None (newaxis).

        Example:
        >>> v = fluxion.Variable([[0.0, 0.0], [0.0, 0.0]])
        >>> _ = v[0, 1:].assign([5.0])
        >>> v.numpy()[0]
        array([0., 5.], dtype=float32)
        """
        out = self.read_value()[key]
        out._slice_of = (self, key)
        return out

    def _assign_slice(self, key, value):
        key = basic_index(key, f"Variable '{self._name}'[...].assign")
        if state.tracer is not None:
            state.tracer.write_variable_at(self, "assign", key, None, value)
        else:
            write_at(self, "assign", key, None,
                     self._new_value(value, "assign", slice_shape(self, key)))
        return self

    def scatter_nd_update(self, indices, updates, use_locking=None, name=None):
        """Writes `updates` at the (n-dimensional) `indices` of the value. Returns the variable.

        Args:
            indices: int array of shape `(..., k)`: each row indexes the first k axes.
            updates: values of shape `indices.shape[:-1] + shape[k:]`.

        Example:
        >>> v = fluxion.Variable([0.0, 0.0, 0.0, 0.0])
        >>> v.scatter_nd_update([[1], [3]], [1.0, 2.0]).numpy()
        array([0., 1., 0., 2.], dtype=float32)
        """
        return self._scatter_nd("assign", indices, updates)

    def scatter_nd_add(self, indices, updates, use_locking=None, name=None):
        """Adds `updates` at `indices` (repeated indices add up); see `scatter_nd_update`.

        Example:
        >>> v = fluxion.Variable([1.0, 1.0])
        >>> v.scatter_nd_add([[0], [0]], [1.0, 2.0]).numpy()
        array([4., 1.], dtype=float32)
        """
        return self._scatter_nd("assign_add", indices, updates)

    def scatter_nd_sub(self, indices, updates, use_locking=None, name=None):
        """Subtracts `updates` at `indices`; see `scatter_nd_update`.

        Example:
        >>> v = fluxion.Variable([1.0, 1.0])
        >>> v.scatter_nd_sub([[1]], [1.0]).numpy()
        array([1., 0.], dtype=float32)
        """
        return self._scatter_nd("assign_sub", indices, updates)

    def _scatter_nd(self, mode, indices, updates):
        what = "scatter_nd_" + {"assign": "update", "assign_add": "add", "assign_sub": "sub"}[mode]
        if not isinstance(indices, Tensor):
            indices = wrap(_to_numpy(indices, None))
        if indices._value.dtype.kind not in "iu" or indices._value.ndim < 1:
            raise TypeError(f"Variable '{self._name}'.{what}: indices must be an integer "
                            f"tensor of rank >= 1, received dtype {indices.dtype.name} and "
                            f"shape {tuple(indices._value.shape)}.")
        k = indices._value.shape[-1]
        shape = self._value.shape
        if k is None or k > len(shape):
            raise ValueError(f"Variable '{self._name}'.{what}: the last dimension of indices "
                             f"({k}) must be at most the variable's rank {len(shape)}.")
        target = tuple(indices._value.shape[:-1]) + tuple(shape[k:])
        if state.tracer is not None:
            state.tracer.write_variable_at(self, mode, None, indices, updates)
            return self
        if None not in target:
            updates = self._new_value(updates, what, target)
        write_at(self, mode, None, indices._value, updates)
        return self

    def __repr__(self):
        return "<tf.Variable '%s' shape=%s dtype=%s, numpy=%s>" % (
            self.name, self.shape, self.dtype.name,
            _numpy_repr(self._value if self._value.ndim else self._value[()]))

    def __hash__(self):
        return id(self)

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


def check_value_dtype(var, value, what):
    """TensorFlow's error for assigning a tensor (or variable) of another dtype: no implicit
    conversion, unlike Python numbers and NumPy arrays."""
    if value.dtype != var.dtype:
        raise ValueError(f"Variable '{var._name}'.{what}: Tensor conversion requested dtype "
                         f"{var.dtype.name} for Tensor with dtype {value.dtype.name}: {value!r}. "
                         "Cast it first with fluxion.cast.")


def basic_index(key, what):
    """`key` as a tuple of ints, slices, Ellipsis and None (what a sliced assignment accepts);
    scalar integer tensors become ints."""
    items = key if type(key) is tuple else (key,)
    out = []
    for k in items:
        if isinstance(k, (Tensor, Variable)) and not isinstance(k, SymbolicTensor) \
                and k.ndim == 0 and k.dtype.is_integer:
            k = int(k)
        if isinstance(k, slice):
            k = slice(*(basic_index(b, what)[0] if b is not None else None
                        for b in (k.start, k.stop, k.step)))
        elif not (k is None or k is Ellipsis or isinstance(k, numbers.Integral)):
            raise TypeError(f"{what}: only ints, slices (`:`), `...`, None (newaxis) and scalar "
                            f"integer tensors can index a sliced assignment, received {k!r}. "
                            "Use scatter_nd_update for other indices.")
        out.append(int(k) if isinstance(k, numbers.Integral) else k)
    return tuple(out)


def slice_shape(var, key):
    """The shape of `var[key]` for a basic index `key` (IndexError, naming `var`, if invalid)."""
    try:
        return np.broadcast_to(np.empty((), var._value.dtype), var._value.shape)[key].shape
    except IndexError as exc:
        raise IndexError(f"Variable '{var._name}'[...].assign: {exc} (the variable's shape is "
                         f"{tuple(var._value.shape)}).") from None


def write_at(var, mode, key, indices, updates):
    """Writes `updates` (an array already checked and broadcast, see `_new_value`) into part of
    `var`: its basic-index slice `key`, or the rows `indices` (int array `(..., k)`). `mode` is
    "assign", "assign_add" or "assign_sub". In place when nothing else holds the variable's
    array (a tensor read earlier keeps its value, as TensorFlow promises); on a copy otherwise.
    The executor runs traced slice assignments and scatters through this too.

    Example:
    >>> v = fluxion.Variable([0.0, 0.0, 0.0])
    >>> write_at(v, "assign_add", None, np.array([[2], [2]]), np.array([1.0, 1.0], "float32"))
    >>> v.numpy()
    array([0., 0., 2.], dtype=float32)
    """
    array = own_array(var)
    if array is None:
        var._value = array = np.array(var._value, copy=True)
    if key is None:
        key = tuple(np.moveaxis(np.asarray(indices), -1, 0))
        if mode != "assign":
            (np.add if mode == "assign_add" else np.subtract).at(array, key, updates)
            return
    if mode == "assign":
        array[key] = updates
    elif mode == "assign_add":
        array[key] += updates
    else:
        array[key] -= updates
