"""`fluxion.TensorArray`: a list of same-shaped tensors that loops can grow, as TensorFlow's.

A TensorArray holds one buffer tensor of shape `(size,) + element_shape` (None until the element
shape is known). `write`/`scatter`/`unstack` return a new TensorArray over a new buffer (the
`tensor_array_scatter` primitive), so a TensorArray is a value a `while_loop` can carry: the loop
carries its buffer, and the tape differentiates through writes, reads and `stack`.

Eagerly, as in TensorFlow, the TensorArray a write returns shares its storage with the original
one, and `clear_after_read` (the default) forbids reading an element twice.
"""
import numpy as np

from ..core import dtypes
from ..core.context import state
from ..core.errors import OutOfRangeError
from ..core.tensor import SymbolicTensor, Tensor, TensorShape, convert_to_tensor
from . import array_ops, index_ops
from .registry import OpDef, Spec, bind

__all__ = ["TensorArray"]


# --- primitives ----------------------------------------------------------------------------------
def _scatter_kernel(buffer, indices, values, dynamic):
    idx = np.asarray(indices, np.int64).reshape(-1)
    n = buffer.shape[0]
    if idx.size and idx.min() < 0:
        raise OutOfRangeError(None, None, f"TensorArray.write: tried to write to index "
                              f"{int(idx.min())}; indices must be >= 0.")
    needed = int(idx.max()) + 1 if idx.size else 0
    if needed > n and not dynamic:
        raise OutOfRangeError(None, None, f"TensorArray.write: tried to write to index "
                              f"{needed - 1} but array is not resizeable and size is: {n}. "
                              "Create it with dynamic_size=True to let it grow.")
    out = np.zeros((max(n, needed),) + buffer.shape[1:], buffer.dtype)
    out[:n] = buffer
    out[idx] = values
    return out


def _scatter_infer(buffer, indices, values, dynamic):
    elem, given = tuple(buffer.shape[1:]), tuple(values.shape[1:])
    if len(elem) != len(given) or any(a is not None and b is not None and a != b
                                      for a, b in zip(elem, given)):
        raise ValueError(f"TensorArray.write: incompatible shape for value {given}, expected "
                         f"{elem} (the element shape of the array).")
    if values.dtype != buffer.dtype:
        raise TypeError(f"TensorArray.write: the array's dtype is {buffer.dtype.name} but the "
                        f"value's dtype is {values.dtype.name}.")
    return Spec((None if dynamic else buffer.shape[0],) + elem, buffer.dtype)


def _scatter_vjp(g, buffer, indices, values, out, dynamic):
    flat = array_ops.reshape(indices, [-1])
    return (resize_like(g, buffer, flat), None, index_ops.gather(g, flat))


_SCATTER = OpDef("tensor_array_scatter", _scatter_kernel, _scatter_infer, _scatter_vjp)


def _resize_kernel(x, like, indices):
    out = np.zeros(like.shape, x.dtype)
    common = tuple(slice(0, min(a, b)) for a, b in zip(x.shape, like.shape))
    out[common] = x[common]
    idx = np.asarray(indices, np.int64).reshape(-1)
    if out.ndim:
        out[idx[idx < out.shape[0]]] = 0
    return out


def _resize_infer(x, like, indices):
    if len(x.shape) != len(like.shape):
        raise ValueError(f"tensor_array_resize: ranks differ ({len(x.shape)} vs "
                         f"{len(like.shape)}).")
    return Spec(tuple(like.shape), x.dtype)


def _resize_vjp(g, x, like, indices, out):
    return (resize_like(g, x, indices), None, None)


_RESIZE = OpDef("tensor_array_resize", _resize_kernel, _resize_infer, _resize_vjp)


def resize_like(x, like, indices=None):
    """`x` cropped or zero-padded to the shape of `like`, with the rows `indices` (along the
    first axis) zeroed: the gradient of a write to a buffer of `like`'s shape."""
    if indices is None:
        indices = convert_to_tensor(np.zeros((0,), np.int32))
    return bind(_RESIZE, x, like, indices)


def _alloc_kernel(size, elem_shape, dtype):
    return np.zeros((int(size),) + elem_shape, dtype)


def _alloc_infer(size, elem_shape, dtype):
    return Spec((None,) + elem_shape, np.dtype(dtype))


_ALLOC = OpDef("tensor_array_alloc", _alloc_kernel, _alloc_infer)


# --- the TensorArray -----------------------------------------------------------------------------
class _Storage:
    __slots__ = ("buffer", "read")

    def __init__(self, buffer):
        self.buffer = buffer
        self.read = set()


class TensorArray:
    """A list of tensors of one dtype and element shape that loops can write (`tf.TensorArray`).

    Args:
        dtype: the elements' dtype.
        size: the initial number of elements (an int or int32 scalar tensor).
        dynamic_size: whether writes past the end grow the array (default False).
        clear_after_read: eagerly, whether reading an element twice is an error (default True).
        infer_shape: whether the element shape is taken from the first write (always done).
        element_shape: the elements' shape, if known (a `TensorShape` or list).
        tensor_array_name, handle, flow, colocate_with_first_write_call, name: accepted for
            compatibility.

    Every method that changes the array (`write`, `scatter`, `unstack`) returns the new array:
    use it (`ta = ta.write(i, x)`), including in `while_loop` bodies and autograph loops.

    Example:
    >>> ta = fluxion.TensorArray(fluxion.float32, size=0, dynamic_size=True)
    >>> for i in range(3):
    ...     ta = ta.write(i, float(i) * 2.0)
    >>> ta.stack()
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([0., 2., 4.], dtype=float32)>
    """

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None,
                 tensor_array_name=None, handle=None, flow=None, infer_shape=True,
                 element_shape=None, colocate_with_first_write_call=True, name=None):
        if size is None and handle is None:
            raise ValueError("TensorArray: size must be provided if handle is not provided.")
        self._dtype = dtypes.as_dtype(dtype)
        self._dynamic_size = bool(dynamic_size)
        self._clear_after_read = True if clear_after_read is None else bool(clear_after_read)
        self._infer_shape = infer_shape
        self._size = size
        self._element_shape = TensorShape(element_shape)
        self._name = name or tensor_array_name
        buffer = None
        if self._element_shape.is_fully_defined():
            buffer = self._allocate(tuple(self._element_shape))
        self._storage = _Storage(buffer)

    def _allocate(self, elem_shape):
        size = self._size
        if isinstance(size, Tensor):
            return bind(_ALLOC, convert_to_tensor(size, dtype=dtypes.int32),
                        elem_shape=tuple(elem_shape), dtype=self._dtype._np.str)
        return array_ops.zeros((int(size),) + tuple(elem_shape), self._dtype)

    def _derive(self, buffer, element_shape=None):
        """A TensorArray like this one over `buffer` (sharing storage when eager)."""
        new = object.__new__(TensorArray)
        new.__dict__.update(self.__dict__)
        if element_shape is not None:
            new._element_shape = TensorShape(element_shape)
        if state.tracer is None and buffer is not None and \
                not isinstance(buffer, SymbolicTensor):
            self._storage.buffer = buffer
            new._storage = self._storage
        else:
            new._storage = _Storage(buffer)
        return new

    # while_loop / cond carry a TensorArray as its buffer
    def _components(self):
        return [] if self._storage.buffer is None else [self._storage.buffer]

    def _with_components(self, components):
        return self._derive(components[0] if components else None)

    @property
    def dtype(self):
        """The elements' dtype."""
        return self._dtype

    @property
    def element_shape(self):
        """The elements' shape (`TensorShape(None)` until known)."""
        return self._element_shape

    @property
    def dynamic_size(self):
        return self._dynamic_size

    @property
    def flow(self):
        """The tensor that holds the elements (stacked)."""
        return self._storage.buffer

    @property
    def handle(self):
        return None

    def _check_shape(self, elem):
        known = self._element_shape
        if known.rank is not None and (known.rank != len(elem) or any(
                a is not None and b is not None and a != b
                for a, b in zip(known.as_list(), elem))):
            raise ValueError(f"TensorArray.write: incompatible shape for value {tuple(elem)}, "
                             f"expected {tuple(known.as_list())}.")

    def _value(self, value):
        value = convert_to_tensor(value, dtype=self._dtype)
        self._check_shape(tuple(value.shape.as_list()))
        return value

    def _buffer_for(self, elem_shape):
        buffer = self._storage.buffer
        if buffer is None:
            buffer = self._allocate(elem_shape)
        return buffer

    def write(self, index, value, name=None):
        """Returns the array with element `index` set to `value`."""
        value = self._value(value)
        index = convert_to_tensor(index, dtype=dtypes.int32)
        return self._scatter(array_ops.reshape(index, [1]), array_ops.expand_dims(value, 0),
                             tuple(value.shape.as_list()))

    def scatter(self, indices, value, name=None):
        """Returns the array with elements `indices` set to the rows of `value`."""
        value = convert_to_tensor(value, dtype=self._dtype)
        indices = convert_to_tensor(indices, dtype=dtypes.int32)
        elem = tuple(value.shape.as_list()[1:])
        self._check_shape(elem)
        return self._scatter(indices, value, elem)

    def _scatter(self, indices, values, elem):
        buffer = self._buffer_for(elem)
        out = bind(_SCATTER, buffer, indices, values, dynamic=self._dynamic_size)
        return self._derive(out, elem)

    def unstack(self, value, name=None):
        """Returns an array whose elements are the rows of `value`."""
        value = convert_to_tensor(value, dtype=self._dtype)
        if len(value.shape) == 0:
            raise ValueError("TensorArray.unstack: value must have at least one dimension.")
        return self._derive(array_ops.identity(value), value.shape.as_list()[1:])

    def _require_buffer(self, what):
        buffer = self._storage.buffer
        if buffer is None:
            raise ValueError(f"TensorArray.{what}: the element shape is unknown and nothing "
                             "was written; write an element first or pass element_shape.")
        return buffer

    def read(self, index, name=None):
        """Returns element `index` (zeros if it was never written)."""
        buffer = self._require_buffer("read")
        index = convert_to_tensor(index, dtype=dtypes.int32)
        if state.tracer is None and not isinstance(index, SymbolicTensor):
            i, n = int(index._value), buffer._value.shape[0]
            if not 0 <= i < n:
                raise OutOfRangeError(None, None, f"TensorArray.read: tried to read from index "
                                      f"{i} but array size is: {n}.")
            if self._clear_after_read:
                if i in self._storage.read:
                    raise _invalid(f"TensorArray.read: could not read index {i} twice because "
                                   "it was cleared after a previous read (perhaps try setting "
                                   "clear_after_read = false?)")
                self._storage.read.add(i)
        return index_ops.gather(buffer, index)

    def gather(self, indices, name=None):
        """Returns the elements `indices`, stacked."""
        return index_ops.gather(self._require_buffer("gather"),
                                convert_to_tensor(indices, dtype=dtypes.int32))

    def stack(self, name=None):
        """Returns all elements stacked along a new first axis."""
        if self._storage.buffer is None:
            size = self._size if not isinstance(self._size, Tensor) else None
            if size == 0 or (self._dynamic_size and size is None):
                return array_ops.zeros((0,), self._dtype)
            return self._require_buffer("stack")
        return array_ops.identity(self._storage.buffer)

    def concat(self, name=None):
        """Returns all elements concatenated along their first axis."""
        buffer = self._require_buffer("concat")
        shape = buffer.shape.as_list()
        if len(shape) < 2:
            raise ValueError("TensorArray.concat: the elements must have at least one "
                             "dimension; use stack() for scalars.")
        return array_ops.reshape(buffer, [-1] + [d if d is not None else -1
                                                 for d in shape[2:]])

    def size(self, name=None):
        """Returns the number of elements (an int32 scalar)."""
        if self._storage.buffer is None:
            return convert_to_tensor(self._size, dtype=dtypes.int32)
        return array_ops.shape(self._storage.buffer, out_type=dtypes.int32)[0]

    def identity(self):
        """Returns a TensorArray with the same elements."""
        return self._derive(self._storage.buffer)

    def close(self, name=None):
        """Closes the array (nothing to release)."""
        return None

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.stack()._value, dtype=dtype)

    def __repr__(self):
        return (f"<TensorArray dtype={self._dtype.name} element_shape={self._element_shape} "
                f"dynamic_size={self._dynamic_size}>")


def _invalid(message):
    from ..core.errors import InvalidArgumentError
    return InvalidArgumentError(None, None, message)
