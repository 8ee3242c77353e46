"""Runs an optimised graph as a flat loop of kernel calls over a list of value slots.

`compile_graph(graph)` numbers every value (a slot), pre-fills constants, and turns each node into
an instruction `(function, input slots, attrs, output slots)`. Calling the result with input
arrays runs the instructions in order and returns the output arrays.
"""
from .ir import ASSIGN, CONSTANT, PLACEHOLDER, READ_VARIABLE


def _reader(var):
    return lambda: var._value


def _writer(var, mode):
    if mode == "assign":
        def write(value):
            var._value = value
    elif mode == "assign_add":
        def write(value):
            var._value = var._value + value
    else:
        def write(value):
            var._value = var._value - value
    return write


class Executable:
    """A compiled graph. Call it with the input arrays; returns the list of output arrays."""

    def __init__(self, graph):
        slots = {}

        def slot(value):
            return slots.setdefault(id(value), len(slots))

        self.num_inputs = len(graph.inputs)
        for v in graph.inputs:
            slot(v)
        self._constants = []
        program = []
        for node in graph.nodes:
            op = node.op
            if op is PLACEHOLDER:
                continue
            if op is CONSTANT:
                self._constants.append((slot(node.outputs[0]), node.attrs["value"]))
                continue
            ins = tuple(slot(v) for v in node.inputs)
            outs = tuple(slot(v) for v in node.outputs)
            if op is READ_VARIABLE:
                program.append((_reader(node.attrs["variable"]), ins, {}, outs, True))
            elif op in ASSIGN.values():
                program.append((_writer(node.attrs["variable"], op.name), ins, {}, outs, True))
            else:
                program.append((op.kernel, ins, node.attrs, outs, op.num_outputs == 1))
        self._program = program
        self._outputs = tuple(slot(v) for v in graph.outputs)
        self._num_slots = len(slots)

    def __call__(self, arrays):
        env = [None] * self._num_slots
        env[:self.num_inputs] = arrays
        for index, value in self._constants:
            env[index] = value
        for fn, ins, attrs, outs, single in self._program:
            result = fn(*[env[i] for i in ins], **attrs)
            if single:
                if outs:
                    env[outs[0]] = result
            else:
                for i, r in zip(outs, result):
                    env[i] = r
        return [env[i] for i in self._outputs]


def compile_graph(graph):
    """Returns an `Executable` for `graph` (already optimised)."""
    return Executable(graph)
