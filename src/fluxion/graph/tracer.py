"""Tracers: what `bind` calls instead of a kernel while a function is traced.

`GraphTracer` records each op as a node of a `Graph` (for `fluxion.function`).
`ShapeTracer` only propagates shapes and dtypes (for Keras functional models: calling a layer
on symbolic inputs tells its output shape without computing anything).

Use either as a context manager: `with GraphTracer(graph) as tracer: ...`.
"""
import numpy as np

from ..core.context import state
from ..core.tensor import SymbolicTensor, Tensor, convert_to_tensor, wrap
from ..core.variable import check_value_dtype, slice_shape
from ..ops.array_ops import _RANK, _SHAPE, _SIZE
from ..ops.registry import Spec
from .ir import ASSIGN, ASSIGN_AT, CONSTANT, PLACEHOLDER, READ_VARIABLE, Graph, Node


def _specs(tensors):
    return [Spec(t._value.shape, t._value.dtype) for t in tensors]


def _symbolic_outputs(op, spec):
    if isinstance(spec, Spec):
        return (SymbolicTensor(spec.shape, spec.dtype),), True
    return tuple(SymbolicTensor(s.shape, s.dtype) for s in spec), False


_STATIC_SHAPE_OPS = (_SHAPE, _SIZE, _RANK)
_FOLD_LIMIT = 1024  # elements: ops on constants up to this size are computed while tracing


def _small(spec):
    specs = (spec,) if isinstance(spec, Spec) else spec
    return all(None not in s.shape and np.prod(s.shape, dtype=np.int64) <= _FOLD_LIMIT
               for s in specs)


class _Tracing:
    """Installs itself as the thread's tracer for the duration of a `with` block."""

    def __enter__(self):
        self._outer = state.tracer
        state.tracer = self
        return self

    def __exit__(self, *exc):
        state.tracer = self._outer
        return False


class ShapeTracer(_Tracing):
    """Propagates shapes and dtypes through ops without computing or recording anything."""

    def bind(self, op, inputs, attrs):
        spec = op.infer(*_specs(inputs), **attrs)
        outs, single = _symbolic_outputs(op, spec)
        return outs[0] if single else outs

    def read_variable(self, var):
        return SymbolicTensor(var._value.shape, var._value.dtype)

    def assign_variable(self, var, mode, value):
        return var

    def write_variable_at(self, var, mode, key, indices, updates):
        pass

    def update_variables(self, op, variables, inputs, attrs):
        pass

    def on_variable_created(self, var):
        pass


class GraphTracer(_Tracing):
    """Records ops into `graph`; eager tensors used inside become constants."""

    def __init__(self, graph=None):
        self.graph = graph if graph is not None else Graph()
        self._constants = {}  # id(eager tensor) -> (tensor, its constant node's output)
        self.created_variables = []
        self._reads = {}  # id(variable) -> its value read since the last assignment

    def placeholder(self, shape, dtype):
        """Adds a graph input of `shape` (None for unknown dims) and `dtype`."""
        value = SymbolicTensor(shape, dtype)
        self.graph.add(Node(PLACEHOLDER, (), {"index": len(self.graph.inputs)}, (value,)))
        self.graph.inputs.append(value)
        return value

    def lift(self, tensor):
        """Returns a value of this graph for `tensor`: itself, or a constant for an eager one."""
        if isinstance(tensor, SymbolicTensor):
            if tensor._graph is not self.graph:
                raise ValueError(
                    "A symbolic tensor from another graph or a Keras functional model was used "
                    "inside a traced function. Pass it in as an argument instead.")
            return tensor
        if not isinstance(tensor, Tensor):
            tensor = convert_to_tensor(tensor)
        known = self._constants.get(id(tensor))
        if known is not None:
            return known[1]
        value = SymbolicTensor(tensor._value.shape, tensor._value.dtype)
        self.graph.add(Node(CONSTANT, (), {"value": tensor._value}, (value,)))
        self._constants[id(tensor)] = (tensor, value)  # keeps `tensor` alive: its id stays unique
        return value

    def bind(self, op, inputs, attrs):
        # Constant folding at trace time, as TensorFlow's: the shape of a tensor whose shape the
        # trace knows is a constant, and so are small results of constants (an element of a
        # shape), so `fluxion.range(fluxion.shape(x)[1])`, `fluxion.zeros(fluxion.shape(x))`
        # ... get static arguments (and static result shapes).
        if op in _STATIC_SHAPE_OPS and None not in inputs[0]._value.shape:
            x = inputs[0]._value
            return wrap(op.kernel(np.broadcast_to(np.zeros((), x.dtype), x.shape), **attrs))
        spec = op.infer(*_specs(inputs), **attrs)
        if not op.stateful and not attrs.get("effects") and _small(spec) and not any(
                isinstance(x, SymbolicTensor) or x._value.size > _FOLD_LIMIT for x in inputs):
            out = op.kernel(*[x._value for x in inputs], **attrs)
            return wrap(out) if isinstance(spec, Spec) else tuple(map(wrap, out))
        inputs = tuple(self.lift(x) for x in inputs)
        outs, single = _symbolic_outputs(op, spec)
        self.graph.add(Node(op, inputs, attrs, outs))
        return outs[0] if single else outs

    def on_variable_created(self, var):
        self.created_variables.append(var)

    def read_variable(self, var):
        # Reads between two assignments of a variable give the same value: one node.
        value = self._reads.get(id(var))
        if value is None:
            value = SymbolicTensor(var._value.shape, var._value.dtype)
            self.graph.add(Node(READ_VARIABLE, (), {"variable": var}, (value,)))
            self._reads[id(var)] = value
        return value

    def invalidate_reads(self, var):
        self._reads.pop(id(var), None)

    def _lift_value(self, var, mode, value):
        if isinstance(value, Tensor):
            check_value_dtype(var, value, mode)
            return self.lift(value)
        if hasattr(value, "read_value"):  # a Variable
            check_value_dtype(var, value, mode)
            return value.read_value()
        return self.lift(convert_to_tensor(value, dtype=var.dtype))

    def assign_variable(self, var, mode, value):
        value = self._lift_value(var, mode, value)
        if tuple(value._value.shape) != tuple(var._value.shape):
            raise ValueError(f"Variable '{var._name}'.{mode}: expected a value of shape "
                             f"{tuple(var._value.shape)}, received shape "
                             f"{tuple(value._value.shape)}.")
        self.graph.add(Node(ASSIGN[mode], (value,), {"variable": var}, ()))
        self.invalidate_reads(var)
        return var

    def write_variable_at(self, var, mode, key, indices, updates):
        """Records a write of part of `var`: its slice `key` (a basic index), or the rows
        `indices` (a tensor) when `key` is None; see `ir.ASSIGN_AT`."""
        updates = self._lift_value(var, mode, updates)
        if key is not None:
            target = slice_shape(var, key)
            known = tuple(updates._value.shape)
            if None in known or len(known) > len(target) or any(
                    a != 1 and a != b for a, b in zip(known[::-1], target[::-1])):
                raise ValueError(f"Variable '{var._name}'[...].assign: cannot broadcast a value "
                                 f"of shape {known} to the slice's shape {target}.")
            inputs = (updates,)
        else:
            inputs = (self.lift(indices), updates)
        self.graph.add(Node(ASSIGN_AT, inputs, {"variable": var, "mode": mode, "key": key}, ()))
        self.invalidate_reads(var)

    def update_variables(self, op, variables, inputs, attrs):
        """Records `VariableUpdate` `op` of `variables` from `inputs`."""
        inputs = tuple(self.lift(x) for x in inputs)
        self.graph.add(Node(op, inputs, {"variables": tuple(variables), **attrs}, ()))
        for var in variables:
            self.invalidate_reads(var)
