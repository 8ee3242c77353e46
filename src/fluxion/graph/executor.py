"""Runs an optimised graph as a flat loop of kernel calls over a list of value slots.

`Executable(graph)` numbers every value (a slot), pre-fills constants, and turns each node into
an instruction `(kernel, input slots, attrs, output slot(s), slots to free)`. Three things keep a
compiled step from allocating after its first call:

- Buffer reuse: an op with an `out=` kernel writes into the same array on every call (a tuple of
  arrays for an op with several outputs, such as a recurrent layer's sequence kernel), unless
  its value can outlive the call (a graph output, or anything an output may be a view of); such
  values get a fresh array each time. `assign` copies into the variable's own array.
- Liveness: a slot is released right after its last use, so that the refcount test below sees
  only real holders.
- In-place variable updates: `assign_add`/`assign_sub` update the variable's array in place when
  nothing else holds it (no earlier read still in use, no tensor a user kept); otherwise they
  replace it, so a tensor read before the update keeps its value, as TensorFlow promises.
"""
import numpy as np

from ..core.variable import own_array, writable_arrays, write_at
from ..ops.training_ops import VariableUpdate
from .ir import ASSIGN, ASSIGN_AT, CONSTANT, PLACEHOLDER, READ_VARIABLE


def _reader(var):
    return lambda: var._value


def _assigner(var):
    # The value is copied into the variable's own array (in place when nothing else holds it),
    # so that the value's buffer can be reused by the next call.
    def assign(value):
        current = own_array(var, np.shape(value))
        if current is not None:
            np.copyto(current, value)
        else:
            var._value = np.array(value, dtype=var._value.dtype, copy=True)
    return assign


def _updater(var, ufunc):
    def update(value):
        current = own_array(var, np.shape(value))
        if current is not None:
            ufunc(current, value, out=current)
        else:
            var._value = np.asarray(ufunc(var._value, value))
    return update


def _writer_at(var, mode, key):
    if key is not None:  # a slice: the value broadcasts to it
        return lambda value: write_at(var, mode, key, None, value)
    return lambda indices, updates: write_at(var, mode, None, indices, updates)


def _variable_update(op, attrs):
    attrs = dict(attrs)
    variables = attrs.pop("variables")
    return lambda *arrays: op.kernel(writable_arrays(variables), *arrays, **attrs)


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
            return static and getattr(node.op, "out_kernel", None) is not None and \
                len(node.outputs) >= 1

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
            single = getattr(op, "num_outputs", 1) == 1
            frees = tuple(s for s in set(ins) if last_use.get(s) == index and s not in keep
                          and s >= self.num_inputs)
            if op is READ_VARIABLE:
                fn, attrs = _reader(node.attrs["variable"]), {}
            elif op is ASSIGN["assign"]:
                fn, attrs = _assigner(node.attrs["variable"]), {}
            elif op is ASSIGN_AT:
                fn, attrs = _writer_at(node.attrs["variable"], node.attrs["mode"],
                                       node.attrs["key"]), {}
            elif isinstance(op, VariableUpdate):
                fn, attrs = _variable_update(op, node.attrs), {}
            elif op in ASSIGN.values():
                ufunc = np.add if op is ASSIGN["assign_add"] else np.subtract
                fn, attrs = _updater(node.attrs["variable"], ufunc), {}
            elif reuses_buffer(node) and not escaping.intersection(outs):
                for slot_index, v in zip(outs, node.outputs):
                    self._buffers[slot_index] = np.empty(v._value.shape, v._value.dtype)
                buffers = tuple(self._buffers[i] for i in outs)
                fn = op.out_kernel
                attrs = dict(node.attrs, out=buffers[0] if single else buffers)
            else:
                fn, attrs = op.kernel, node.attrs
            program.append((fn, ins, attrs, outs[0] if single and outs else outs, frees,
                            node))
        self._program = program
        self._outputs = tuple(slot_of[id(v)] for v in graph.outputs)
        self._num_slots = len(slot_of)

        self._run, self._line_of_node = self._generate()

    def _generate(self):
        """Writes the program as one straight-line Python function, one line per kernel call,
        values in local variables (`s<slot>`), released with `del` after their last use: no
        per-node interpretation cost. Returns it and the first line of each node."""
        namespace = {}
        lines = ["def run(inputs):"]
        if self.num_inputs:
            lines.append("    " + "".join(f"s{i}, " for i in range(self.num_inputs))
                         + "= inputs")
        for index, value in self._constants:
            namespace[f"c{index}"] = value
            lines.append(f"    s{index} = c{index}")
        line_of_node = {}
        for k, (fn, ins, attrs, outs, frees, node) in enumerate(self._program):
            namespace[f"f{k}"] = fn
            args = [f"s{i}" for i in ins]
            if attrs:
                namespace[f"a{k}"] = attrs
                args.append(f"**a{k}")
            call = f"f{k}({', '.join(args)})"
            if type(outs) is int:
                call = f"s{outs} = {call}"
            elif outs:
                call = "".join(f"s{i}, " for i in outs) + f"= {call}"
            line_of_node[len(lines) + 1] = node, ins
            lines.append("    " + call)
            if frees:
                lines.append("    del " + ", ".join(f"s{i}" for i in frees))
        lines.append("    return [" + "".join(f"s{i}, " for i in self._outputs) + "]")
        source = "\n".join(lines) + "\n"
        exec(compile(source, "<fluxion graph>", "exec"), namespace)
        return namespace["run"], line_of_node

    def __call__(self, arrays):
        try:
            return self._run(arrays)
        except (ValueError, TypeError, IndexError, FloatingPointError) as exc:
            tb = exc.__traceback__
            while tb is not None and tb.tb_frame.f_code.co_filename != "<fluxion graph>":
                tb = tb.tb_next
            if tb is None:
                raise
            node, ins = self._line_of_node[tb.tb_lineno]
            values = tb.tb_frame.f_locals
            raise _explain(node, exc, [values[f"s{i}"] for i in ins]) from None


def _explain(node, exc, arrays):
    explain = getattr(node.op, "explain", None)
    if explain is not None:
        from ..core.tensor import wrap
        return explain(exc, [wrap(a) for a in arrays], node.attrs)
    return type(exc)(f"{node.op.name}: {exc}")


def compile_graph(graph):
    """Returns an `Executable` for `graph` (already optimised)."""
    return Executable(graph)
