"""TF 1.x graphs on Fluxion's graph IR: the default graph, graph mode, placeholders, operations.

In graph mode (`disable_eager_execution()`, or inside `with Graph().as_default():`) a
`_GraphBuilder` (a `GraphTracer`) is the thread's tracer, so every op records a node into the
default graph's IR instead of computing. Nodes stay in the order they were built; a `Session`
prunes them to what its fetches need and compiles that with the ordinary passes and executor.
"""
import contextlib
import threading

from ...core.context import state
from ...core.dtypes import as_dtype
from ...core.tensor import SymbolicTensor, Tensor
from ...graph import ir
from ...graph.tracer import GraphTracer


class _IRGraph(ir.Graph):
    """The IR of a compat Graph: records the control dependencies active when a node is added."""

    def __init__(self, owner):
        super().__init__("graph")
        self.owner = owner

    def add(self, node):
        node = super().add(node)
        if self.owner._control_stack:
            deps = [n for group in self.owner._control_stack for n in group]
            self.owner._control[id(node)] = deps
        return node


class _GraphBuilder(GraphTracer):
    """The tracer of a compat Graph: records ops as nodes of its IR."""

    def __init__(self, owner):
        super().__init__(_IRGraph(owner))
        self.owner = owner

    def lift(self, tensor):
        if isinstance(tensor, SymbolicTensor) and tensor._graph is not self.graph:
            raise ValueError("An op mixes tensors of two graphs: a tensor built in another "
                             "tf.Graph (or by a Keras model or fluxion.function) was used in "
                             "this graph. Build all the ops of a computation in one graph.")
        return super().lift(tensor)

    def fresh_read(self, var, after):
        """A read of `var` that runs after the nodes `after` (e.g. the result of `assign`)."""
        value = SymbolicTensor(var._value.shape, var._value.dtype)
        node = self.graph.add(ir.Node(ir.READ_VARIABLE, (), {"variable": var}, (value,)))
        self.owner._control.setdefault(id(node), []).extend(after)
        return value


class Operation:
    """A graph operation with effects and no value, such as an initializer or a training step.

    `sess.run(op)` runs it and returns None.

    Example:
    >>> init = tf.global_variables_initializer()  # doctest: +SKIP
    >>> sess.run(init)  # doctest: +SKIP
    """

    def __init__(self, nodes, name, graph):
        self._nodes = list(nodes)
        self.name = name
        self.graph = graph

    @property
    def type(self):
        return "NoOp" if len(self._nodes) != 1 else self._nodes[0].op.name

    def run(self, feed_dict=None, session=None):
        """Runs this operation in `session` (default: the default session)."""
        session = session or get_default_session()
        if session is None:
            raise ValueError(f"Operation '{self.name}'.run(): no default session is registered. "
                             "Use `with sess.as_default():` or pass `session=sess`.")
        session.run(self, feed_dict)

    def __repr__(self):
        return f"<tf.Operation '{self.name}' type={self.type}>"


class Graph:
    """A TF 1.x dataflow graph: its ops, variables, collections and variable scopes.

    Example:
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     x = tf.placeholder(tf.float32, shape=(None, 3))
    >>> x.shape
    TensorShape([None, 3])
    """

    def __init__(self):
        self._control = {}  # id(node) -> the nodes it must run after (control dependencies)
        self._control_stack = []
        self._builder = _GraphBuilder(self)
        self._collections = {}
        self._name_counts = {}
        self._variable_store = {}  # full name -> Variable made by get_variable
        self._scope_stack = []  # VariableScope objects
        self._placeholder_names = {}  # id(placeholder value) -> name

    @property
    def ir(self):
        """The graph's IR (`fluxion.graph.ir.Graph`), nodes in build order."""
        return self._builder.graph

    def unique_name(self, name):
        """`name`, or `name_1`, `name_2`, ... if it is taken (TensorFlow's op naming)."""
        count = self._name_counts.get(name, 0)
        unique = name if count == 0 else f"{name}_{count}"
        while count and unique in self._name_counts:
            count += 1
            unique = f"{name}_{count}"
        self._name_counts[name] = count + 1
        self._name_counts.setdefault(unique, 1)
        return unique

    @contextlib.contextmanager
    def as_default(self):
        """Makes this graph the default one (ops record into it) inside the `with` block."""
        outer = state.tracer
        _stack().append(self)
        state.tracer = self._builder
        try:
            yield self
        finally:
            _stack().pop()
            state.tracer = outer

    def add_to_collection(self, name, value):
        self._collections.setdefault(name, []).append(value)

    def get_collection(self, name, scope=None):
        """The values in collection `name` (a copy), optionally those whose name starts with
        `scope`."""
        values = list(self._collections.get(name, []))
        if scope is not None:
            values = [v for v in values if getattr(v, "_name", "").startswith(scope)]
        return values

    def get_operations(self):
        """The graph's nodes in build order (its IR nodes)."""
        return list(self.ir.nodes)

    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        """Ops built inside the block run only after `control_inputs` (ops or tensors)."""
        nodes = []
        for c in control_inputs or ():
            nodes.extend(_nodes_of(c))
        if control_inputs is None:
            saved, self._control_stack = self._control_stack, []
        self._control_stack.append(nodes)
        try:
            yield
        finally:
            self._control_stack.pop()
            if control_inputs is None:
                self._control_stack = saved

    def __str__(self):
        return self.ir.pretty()


def _nodes_of(x):
    if isinstance(x, Operation):
        return x._nodes
    if isinstance(x, SymbolicTensor) and x._producer is not None:
        return [x._producer]
    if hasattr(x, "initializer") and isinstance(x.initializer, Operation):
        return x.initializer._nodes  # a Variable
    raise TypeError(f"control_dependencies: expected ops or graph tensors, received {x!r}.")


# --- the default graph and the execution mode ------------------------------------------------
class _Mode(threading.local):
    def __init__(self):
        self.stack = []  # graphs made default by `as_default`


_mode = _Mode()
_globals = {"eager": True, "graph": None, "session": None}


def _stack():
    return _mode.stack


def get_default_graph():
    """The graph new ops are added to: the innermost `as_default` graph, else the global one.

    Example:
    >>> tf.get_default_graph() is tf.get_default_graph()
    True
    """
    if _mode.stack:
        return _mode.stack[-1]
    if _globals["graph"] is None:
        _globals["graph"] = Graph()
    return _globals["graph"]


def reset_default_graph():
    """Replaces the global default graph with a new empty one.

    Raises:
        AssertionError: inside a `with graph.as_default():` block (as TensorFlow).
    """
    if _mode.stack:
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. If "
                             "you need a cleared graph, exit the nesting and create a new graph.")
    _globals["graph"] = Graph()
    _globals["session"] = None
    if not _globals["eager"]:
        state.tracer = _globals["graph"]._builder


def disable_eager_execution():
    """Switches to TF 1.x graph mode: ops build the default graph; `Session.run` computes.

    Call `enable_eager_execution()` to switch back.

    Example:
    >>> tf.disable_eager_execution()  # doctest: +SKIP
    """
    _globals["eager"] = False
    state.tracer = get_default_graph()._builder


def enable_eager_execution(config=None, device_policy=None, execution_mode=None):
    """Switches back to eager execution (the default), leaving graph mode.

    Example:
    >>> tf.enable_eager_execution()  # doctest: +SKIP
    """
    _globals["eager"] = True
    if isinstance(state.tracer, _GraphBuilder) and not _mode.stack:
        state.tracer = None


def disable_v2_behavior():
    """As TensorFlow: turns TF 2 behaviour off, here meaning graph mode (see
    `disable_eager_execution`)."""
    disable_eager_execution()


def enable_v2_behavior():
    """Turns TF 2 behaviour (eager execution) back on."""
    enable_eager_execution()


def executing_eagerly():
    """False while ops build a graph (graph mode or inside a traced function)."""
    return state.tracer is None


def building_graph():
    """The compat Graph ops currently record into, or None when eager."""
    tracer = state.tracer
    return tracer.owner if isinstance(tracer, _GraphBuilder) else None


def get_default_session():
    """The session of the innermost `with sess.as_default():` (or `with Session() as sess:`)."""
    return _globals["session"]


def _set_default_session(session):
    previous, _globals["session"] = _globals["session"], session
    return previous


def placeholder(dtype, shape=None, name=None):
    """A graph input that `Session.run` takes from `feed_dict`.

    Args:
        dtype: the element type of the fed values.
        shape: the shape; None for any shape, None entries for dims of any size.
        name: the op name (default 'Placeholder', made unique).

    Returns:
        A symbolic tensor.

    Raises:
        RuntimeError: when eager execution is enabled (as TensorFlow).

    Example:
    >>> x = tf.placeholder(tf.float32, shape=(None, 784))  # doctest: +SKIP
    """
    graph = building_graph()
    if graph is None:
        raise RuntimeError("tf.placeholder() is not compatible with eager execution. Call "
                           "tf.disable_eager_execution() (or tf.disable_v2_behavior()) first, "
                           "or build inside `with tf.Graph().as_default():`.")
    if shape is None:
        raise ValueError("placeholder: placeholders of unknown rank are not supported; give a "
                         "shape (None for dims of any size), e.g. shape=(None, 3).")
    if isinstance(shape, int):
        shape = (shape,)
    shape = tuple(None if d is None or d == -1 else int(d) for d in shape)
    value = graph._builder.placeholder(shape, as_dtype(dtype)._np)
    name = graph.unique_name(name or "Placeholder")
    value._producer.attrs["name"] = name
    return value


def placeholder_name(value):
    node = value._producer
    return node.attrs.get("name", "Placeholder") if node is not None else "Placeholder"


def group(*inputs, name=None):
    """An operation that runs all of `inputs` (operations or tensors).

    Example:
    >>> train = tf.group(update_w, update_b)  # doctest: +SKIP
    """
    graph = get_default_graph()
    nodes = []
    for x in inputs:
        if isinstance(x, (list, tuple)):
            nodes.extend(n for y in x for n in _nodes_of(y))
        else:
            nodes.extend(_nodes_of(x))
    return Operation(nodes, graph.unique_name(name or "group_deps"), graph)


def no_op(name=None):
    """An operation that does nothing."""
    graph = get_default_graph()
    return Operation([], graph.unique_name(name or "NoOp"), graph)


def control_dependencies(control_inputs):
    """Ops built inside the block run only after `control_inputs` (default graph's)."""
    return get_default_graph().control_dependencies(control_inputs)


def is_graph_tensor(x):
    return isinstance(x, SymbolicTensor) and isinstance(getattr(x._graph, "owner", None), Graph)


__all__ = ["Graph", "Operation", "Tensor", "control_dependencies", "disable_eager_execution",
           "disable_v2_behavior", "enable_eager_execution", "enable_v2_behavior",
           "executing_eagerly", "get_default_graph", "get_default_session", "group", "no_op",
           "placeholder", "reset_default_graph"]
