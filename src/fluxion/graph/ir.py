"""The graph IR: a flat list of nodes over symbolic values, in program order.

Every value is a `SymbolicTensor` produced by exactly one node. Besides primitive ops (`OpDef`s)
there are node kinds with no kernel of their own:

- `placeholder`: a graph input (attr `index`: the position among the inputs);
- `constant`: a value known at trace time (attr `value`: the ndarray);
- `read_variable`: reads a Variable captured by reference (attr `variable`);
- `assign`, `assign_add`, `assign_sub`: write a Variable (attr `variable`); these have effects,
  so passes keep them and keep their order relative to reads of the same variable;
- `assign_at`: writes part of a Variable (attrs `variable`, `mode`: one of the three above, and
  `key`: a basic index for `v[key].assign(x)`, or None when the first input holds scatter
  indices, for `v.scatter_nd_update(indices, x)`); kept and ordered like assignments;
- `VariableUpdate`s (ops/training_ops.py, e.g. `apply_adam`): update several variables (attr
  `variables`) in place with a fused kernel, kept and ordered like assignments.

`str(graph)` prints one line per node: output, op, inputs, attributes, shape and dtype.
"""
import numpy as np


class Special:
    """A node kind that is not a primitive op (see the module docstring)."""

    __slots__ = ("name", "stateful")

    def __init__(self, name, stateful=False):
        self.name = name
        self.stateful = stateful

    def __repr__(self):
        return self.name


PLACEHOLDER = Special("placeholder")
CONSTANT = Special("constant")
READ_VARIABLE = Special("read_variable", stateful=True)
ASSIGN = {mode: Special(mode, stateful=True) for mode in ("assign", "assign_add", "assign_sub")}
ASSIGN_AT = Special("assign_at", stateful=True)


class Node:
    """One operation of a graph: `outputs = op(*inputs, **attrs)`."""

    __slots__ = ("op", "inputs", "attrs", "outputs")

    def __init__(self, op, inputs, attrs, outputs=()):
        self.op = op
        self.inputs = tuple(inputs)
        self.attrs = attrs
        self.outputs = tuple(outputs)

    @property
    def stateful(self):
        """Whether the node reads or changes state (variables, random streams, output), so
        that passes keep it and its place; a control-flow node is when its bodies have effects
        (its `effects` attribute)."""
        return getattr(self.op, "stateful", False) or bool(self.attrs.get("effects"))

    def __repr__(self):
        return f"Node({self.op.name})"


class Graph:
    """A traced computation: `inputs` (placeholders), `nodes` in program order, `outputs`."""

    def __init__(self, name="graph"):
        self.name = name
        self.inputs = []
        self.nodes = []
        self.outputs = []

    def add(self, node):
        self.nodes.append(node)
        for v in node.outputs:
            v._producer = node
            v._graph = self
        return node

    def variables(self):
        """The variables the graph reads or writes, in first-use order."""
        seen = {}
        for node in self.nodes:
            var = node.attrs.get("variable") if isinstance(node.op, Special) else None
            if var is not None:
                seen.setdefault(id(var), var)
        return list(seen.values())

    def __str__(self):
        return self.pretty()

    def pretty(self):
        """The graph as text, one line per node.

        Example (for `lambda x: fluxion.nn.relu(x * 2.0)` traced at shape (3,)):
            graph(%0: (3,) float32) {
              %1 = constant value=2.0                : () float32
              %2 = multiply(%0, %1)                  : (3,) float32
              %3 = relu(%2)                          : (3,) float32
              return %3
            }
        """
        names = {}

        def name(v):
            return names.setdefault(id(v), f"%{len(names)}")

        def spec(v):
            shape = "(" + ", ".join("None" if d is None else str(d)
                                    for d in v._value.shape) + \
                ("," if len(v._value.shape) == 1 else "") + ")"
            return f"{shape} {v._value.dtype.name}"

        header = ", ".join(f"{name(v)}: {spec(v)}" for v in self.inputs)
        lines = [f"{self.name}({header}) {{"]
        for node in self.nodes:
            if node.op is PLACEHOLDER:
                continue
            attrs = " ".join(f"{k}={_attr_str(v)}" for k, v in node.attrs.items())
            args = ", ".join(name(v) for v in node.inputs)
            call = f"{node.op.name}({args})" if node.inputs else node.op.name
            left = ", ".join(name(v) for v in node.outputs)
            text = f"{left} = {call}" if left else call
            if attrs:
                text += " " + attrs
            shapes = ", ".join(spec(v) for v in node.outputs)
            lines.append(f"  {text:<40} : {shapes}" if shapes else f"  {text}")
        lines.append("  return " + ", ".join(name(v) for v in self.outputs))
        lines.append("}")
        return "\n".join(lines)


def _attr_str(value):
    if hasattr(value, "shape") and hasattr(value, "dtype") and isinstance(value, tuple):
        return f"{tuple(value.shape)} {np.dtype(value.dtype).name}"
    if isinstance(value, tuple) and value and not isinstance(value[0], (int, float, bool)):
        return "(" + ", ".join(_attr_str(v) for v in value) + ")"
    if hasattr(value, "_program"):
        return f"<graph of {len(value._program)} ops>"
    if callable(value) and hasattr(value, "__name__") and not isinstance(value, type):
        return value.__name__
    if isinstance(value, (np.ndarray, np.generic)) and np.ndim(value) == 0:
        return repr(np.asarray(value).item())
    if isinstance(value, np.ndarray):
        if value.size <= 4:
            return np.array2string(value, separator=", ").replace("\n", "")
        return f"<array {value.shape} {value.dtype.name}>"
    if hasattr(value, "name") and hasattr(value, "read_value"):
        return f"'{value.name}'"
    if isinstance(value, type):
        return value.__name__
    return repr(value)
