"""Runs an optimised graph as a flat loop of kernel calls over a list of value slots.

`Executable(graph)` numbers every value (a slot), pre-fills constants, and turns each node into
an instruction `(kernel, input slots, attrs, output slot(s), slots to free)`. Three things keep a
compiled step from allocating after its first call:

- Buffer reuse: an op with an `out=` kernel writes into the same array on every call, unless its
  value can outlive the call (a graph output, or anything an output may be a view of); such values
  get a fresh array each time. `assign` copies into the variable's own array.
- Liveness: a slot is released right after its last use, so that the refcount test below sees
  only real holders.
- In-place variable updates: `assign_add`/`assign_sub` update the variable's array in place when
  nothing else holds it (no earlier read still in use, no tensor a user kept); otherwise they
  replace it, so a tensor read before the update keeps its value, as TensorFlow promises.
"""
import sys

import numpy as np

from .ir import ASSIGN, CONSTANT, PLACEHOLDER, READ_VARIABLE

# sys.getrefcount(current) inside `_updater` when only the variable holds the array: the
# variable's reference, the local `current` and getrefcount's own argument.
_SOLE_OWNER_REFS = 3


def _reader(var):
    return lambda: var._value


def _assigner(var):
    # The value is copied into the variable's own array (in place when nothing else holds it),
    # so that the value's buffer can be reused by the next call.
    def assign(value):
        current = var._value
        if sys.getrefcount(current) <= _SOLE_OWNER_REFS and current.shape == np.shape(value) \
                and isinstance(current, np.ndarray) and current.flags.writeable:
            np.copyto(current, value)
        else:
            var._value = np.array(value, dtype=current.dtype, copy=True)
    return assign


def _updater(var, ufunc):
    def update(value):
        current = var._value
        if sys.getrefcount(current) <= _SOLE_OWNER_REFS and current.shape == np.shape(value) \
                and isinstance(current, np.ndarray) and current.flags.writeable:
            ufunc(current, value, out=current)
        else:
            var._value = np.asarray(ufunc(current, value))
    return update


def _escaping_slots(graph, slot_of, view_safe):
    """Slots whose arrays may be referenced after the call returns (see the module docstring)."""
    producers = {}
    for node in graph.nodes:
        for v in node.outputs:
            producers[slot_of[id(v)]] = node
    pending = [slot_of[id(v)] for v in graph.outputs]
    escaping = set()
    while pending:
        s = pending.pop()
        if s in escaping:
            continue
        escaping.add(s)
        node = producers.get(s)
        if node is not None and not view_safe(node):
            pending.extend(slot_of[id(v)] for v in node.inputs)  # its result may be a view
    return escaping


class Executable:
    """A compiled graph. Call it with the input arrays; returns the list of output arrays."""

    def __init__(self, graph):
        slot_of = {}

        def slot(value):
            return slot_of.setdefault(id(value), len(slot_of))

        self.num_inputs = len(graph.inputs)
        for v in graph.inputs:
            slot(v)
        for node in graph.nodes:
            for v in node.outputs:
                slot(v)
        static = all(None not in v._value.shape for node in graph.nodes for v in node.outputs)

        def reuses_buffer(node):
            op = node.op
            return static and getattr(op, "out_kernel", None) is not None and \
                len(node.outputs) == 1 and not getattr(op, "stateful", False)

        escaping = _escaping_slots(graph, slot_of, reuses_buffer)
        last_use = {}
        for index, node in enumerate(graph.nodes):
            for v in node.inputs:
                last_use[slot_of[id(v)]] = index
        keep = {slot_of[id(v)] for v in graph.outputs}

        self._constants = []
        self._buffers = {}
        program = []
        for index, node in enumerate(graph.nodes):
            op = node.op
            if op is PLACEHOLDER:
                continue
            outs = tuple(slot_of[id(v)] for v in node.outputs)
            if op is CONSTANT:
                self._constants.append((outs[0], node.attrs["value"]))
                continue
            ins = tuple(slot_of[id(v)] for v in node.inputs)
            frees = tuple(s for s in set(ins) if last_use.get(s) == index and s not in keep
                          and s >= self.num_inputs)
            if op is READ_VARIABLE:
                fn, attrs = _reader(node.attrs["variable"]), {}
            elif op is ASSIGN["assign"]:
                fn, attrs = _assigner(node.attrs["variable"]), {}
            elif op in ASSIGN.values():
                ufunc = np.add if op is ASSIGN["assign_add"] else np.subtract
                fn, attrs = _updater(node.attrs["variable"], ufunc), {}
            elif reuses_buffer(node) and outs[0] not in escaping:
                v = node.outputs[0]
                self._buffers[outs[0]] = np.empty(v._value.shape, v._value.dtype)
                fn, attrs = op.out_kernel, dict(node.attrs, out=self._buffers[outs[0]])
            else:
                fn, attrs = op.kernel, node.attrs
            single = getattr(op, "num_outputs", 1) == 1
            program.append((fn, ins, attrs, outs[0] if single and outs else outs, frees,
                            node))
        self._program = program
        self._outputs = tuple(slot_of[id(v)] for v in graph.outputs)
        self._num_slots = len(slot_of)

    def __call__(self, arrays):
        env = [None] * self._num_slots
        env[:self.num_inputs] = arrays
        for index, value in self._constants:
            env[index] = value
        for fn, ins, attrs, outs, frees, node in self._program:
            try:
                result = fn(*[env[i] for i in ins], **attrs)
            except (ValueError, TypeError, IndexError, FloatingPointError) as exc:
                raise _explain(node, exc, [env[i] for i in ins]) from None
            if type(outs) is int:
                env[outs] = result
            elif outs:
                for i, r in zip(outs, result):
                    env[i] = r
            for s in frees:
                env[s] = None
        return [env[i] for i in self._outputs]


def _explain(node, exc, arrays):
    explain = getattr(node.op, "explain", None)
    if explain is not None:
        from ..core.tensor import wrap
        return explain(exc, [wrap(a) for a in arrays], node.attrs)
    return type(exc)(f"{node.op.name}: {exc}")


def compile_graph(graph):
    """Returns an `Executable` for `graph` (already optimised)."""
    return Executable(graph)
