"""Symbolic Keras tensors, the nodes that connect layers, masks and the call context.

- `KerasTensor`: a `SymbolicTensor` produced by `keras.Input` or by calling a layer on
  KerasTensors; `_keras_history` says which layer call (node) made it.
- `Node`: one call of a layer on symbolic inputs (a layer called twice has two nodes).
- masks: Keras attaches a mask to a tensor (`Embedding(mask_zero=True)`) as its `_keras_mask`
  (eager and symbolic tensors alike); `get_mask`/`set_mask` read and write it.
- `call_context`: the `training` flag of the outermost layer call, seen by nested calls.
"""
import collections
import contextlib
import threading

from ...core import nest
from ...core.context import state
from ...core.tensor import SymbolicTensor, Tensor, TensorShape

KerasHistory = collections.namedtuple("KerasHistory", ["operation", "node_index", "tensor_index"])


class KerasTensor(SymbolicTensor):
    """A symbolic tensor of the Functional API: a shape (None for the batch), a dtype and the
    layer call that produced it.

    Example:
    >>> from fluxion import keras
    >>> keras.Input(shape=(784,)).shape
    TensorShape([None, 784])
    """

    __slots__ = ("_keras_history", "name")

    def __init__(self, shape, dtype="float32", name=None, history=None):
        super().__init__(tuple(shape), dtype)
        self._keras_history = history
        self.name = name

    def __repr__(self):
        return (f"<KerasTensor shape={TensorShape(self._value.shape)}, dtype={self.dtype.name}, "
                f"name={self.name}>")

    __str__ = __repr__


def is_keras_tensor(x):
    """Returns True for symbolic tensors of the Functional API."""
    return isinstance(x, KerasTensor)


def any_symbolic(structure):
    return any(isinstance(t, KerasTensor) for t in nest.flatten(structure))


# --- masks --------------------------------------------------------------------------------------
def get_mask(tensor):
    """Returns the Keras mask attached to `tensor` (its `_keras_mask`), or None."""
    return getattr(tensor, "_keras_mask", None)


def set_mask(tensor, mask):
    """Attaches `mask` to `tensor` as its `_keras_mask` (None removes it); objects that are not
    tensors are left alone."""
    if not isinstance(tensor, Tensor):
        return
    if mask is not None:
        tensor._keras_mask = mask
    elif hasattr(tensor, "_keras_mask"):
        del tensor._keras_mask


# --- nodes --------------------------------------------------------------------------------------
class Node:
    """A call of `operation` on symbolic inputs: remembers the arguments and the outputs.

    Args:
        operation: the layer that was called.
        call_args, call_kwargs: the arguments of the call, with KerasTensors inside.
        outputs: the structure of output KerasTensors (None for an InputLayer's own node).
    """

    def __init__(self, operation, call_args=(), call_kwargs=None, outputs=None):
        self.operation = operation
        self.call_args = tuple(call_args)
        self.call_kwargs = dict(call_kwargs or {})
        self.outputs = outputs
        self.input_tensors = [t for t in nest.flatten([self.call_args, self.call_kwargs])
                              if isinstance(t, KerasTensor)]
        self.output_tensors = [t for t in nest.flatten(outputs) if isinstance(t, KerasTensor)]
        operation._inbound_nodes.append(self)
        index = len(operation._inbound_nodes) - 1
        for i, tensor in enumerate(self.output_tensors):
            tensor._keras_history = KerasHistory(operation, index, i)

    @property
    def is_input(self):
        return not self.input_tensors

    @property
    def parent_nodes(self):
        """The nodes that produced this node's inputs."""
        parents = []
        for t in self.input_tensors:
            op, index, _ = t._keras_history
            parents.append(op._inbound_nodes[index])
        return parents


# --- call context -------------------------------------------------------------------------------
class _CallContext(threading.local):
    def __init__(self):
        self.depth = 0
        self.training = None


call_context = _CallContext()


@contextlib.contextmanager
def enter_call(training):
    """Marks a layer call in progress; `training` (if not None) is seen by nested calls."""
    outer = call_context.training
    call_context.depth += 1
    if training is not None:
        call_context.training = training
    try:
        yield
    finally:
        call_context.depth -= 1
        call_context.training = outer


@contextlib.contextmanager
def eager_scope():
    """Runs its block outside any trace (layer weights are created with real values)."""
    tracer, state.tracer = state.tracer, None
    try:
        yield
    finally:
        state.tracer = tracer
