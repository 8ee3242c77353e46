"""`Session`: runs parts of a TF 1.x graph.

`sess.run(fetches, feed_dict)` prunes the graph to the nodes the fetches need (following data
inputs and control dependencies, stopping at fed tensors), keeps them in build order (so reads and
assignments of a variable happen in the order the program built them), re-derives every shape from
the fed arrays' shapes, optimises that subgraph with the ordinary passes and compiles it into an
`Executable`. The compiled program is cached per (fetches, fed tensors and their shapes).
"""
import collections
import contextlib

import numpy as np

from ...core.dtypes import as_dtype
from ...core.tensor import AbstractArray, SymbolicTensor, Tensor, TensorShape
from ...core.variable import Variable as _CoreVariable
from ...graph import ir
from ...graph.executor import Executable
from ...graph.passes import optimize
from ...ops.registry import Spec
from .errors import FailedPreconditionError, InvalidArgumentValueError
from .graph import (
    Graph,
    Operation,
    _set_default_session,
    get_default_graph,
    get_default_session,
    placeholder_name,
)

_Compiled = collections.namedtuple("_Compiled", "executable must_initialize copies")


def _map_structure(fn, fetches):
    if isinstance(fetches, dict):
        return type(fetches)((k, _map_structure(fn, v)) for k, v in fetches.items())
    if isinstance(fetches, tuple) and hasattr(fetches, "_fields"):
        return type(fetches)(*[_map_structure(fn, v) for v in fetches])
    if isinstance(fetches, (list, tuple)):
        return type(fetches)(_map_structure(fn, v) for v in fetches)
    return fn(fetches)


def _tensor_name(t):
    node = t._producer
    if node is not None and node.op is ir.PLACEHOLDER:
        return placeholder_name(t) + ":0"
    return f"{getattr(node.op, 'name', 'Tensor') if node is not None else 'Tensor'}:0"


def _shape_text(shape):
    return str(TensorShape(shape))


class Session:
    """Runs operations and evaluates tensors of a graph.

    Args:
        target, config: accepted for compatibility (everything runs in this process).
        graph: the graph to run (default: the default graph).

    Example:
    >>> with tf.Session() as sess:  # doctest: +SKIP
    ...     sess.run(tf.global_variables_initializer())
    ...     print(sess.run([out_a], feed_dict={in_a: [1, 0]}))
    [array([[1., 0.],
           [1., 0.]], dtype=float32)]
    """

    def __init__(self, target="", graph=None, config=None):
        self._graph = graph if graph is not None else get_default_graph()
        self._cache = {}
        self._closed = False
        self._contexts = []

    @property
    def graph(self):
        """The graph this session runs."""
        return self._graph

    @property
    def sess_str(self):
        return ""

    # --- context management ----------------------------------------------------------------
    def __enter__(self):
        graph_context = self._graph.as_default()
        graph_context.__enter__()
        self._contexts.append((graph_context, _set_default_session(self)))
        return self

    def __exit__(self, *exc):
        graph_context, previous = self._contexts.pop()
        _set_default_session(previous)
        graph_context.__exit__(*exc)
        self.close()
        return False

    @contextlib.contextmanager
    def as_default(self):
        """Makes this the default session (for `Operation.run`, `Variable.eval`) in the block."""
        previous = _set_default_session(self)
        try:
            yield self
        finally:
            _set_default_session(previous)

    def close(self):
        """Frees the compiled programs; later `run` calls raise RuntimeError."""
        self._closed = True
        self._cache.clear()

    # --- running -------------------------------------------------------------------------------
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Computes `fetches` with the placeholders (or any tensors) in `feed_dict` replaced by
        the fed values.

        Args:
            fetches: a graph tensor, a variable, an operation, or a list/tuple/dict/namedtuple
                (nested) of them.
            feed_dict: maps graph tensors (usually placeholders) to values (arrays, lists,
                numbers), converted to the tensor's dtype.

        Returns:
            The fetches' values in the same structure: NumPy arrays (NumPy scalars for 0-d
            values), None for operations.

        Raises:
            InvalidArgumentError: a placeholder the fetches need was not fed.
            FailedPreconditionError: an uninitialized variable was read.
            ValueError: a fed value's shape does not match its tensor's.

        Example:
        >>> sess.run(out_a, feed_dict={in_a: [1, 0]})  # doctest: +SKIP
        """
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        leaves = []
        with self._graph.as_default():
            structure = _map_structure(lambda f: self._fetch_leaf(f, leaves), fetches)
            feeds = self._feeds(feed_dict)
        tensors = [x for kind, x in leaves if kind == "tensor"]
        targets = [n for kind, x in leaves if kind == "op" for n in x]
        key = (tuple(id(t) for t in tensors), tuple(id(n) for n in targets),
               tuple((id(t), a.shape, a.dtype.str) for t, a in feeds))
        compiled = self._cache.get(key)
        if compiled is None:
            compiled = self._cache[key] = self._compile(tensors, targets, feeds)
        for var in compiled.must_initialize:
            if isinstance(var._value, AbstractArray):
                raise FailedPreconditionError(
                    f"Attempting to use uninitialized value {var._name}. Run "
                    "sess.run(tf.global_variables_initializer()) (or the variable's "
                    "initializer) first.")
        results = iter(compiled.executable([a for _, a in feeds]))
        copies = iter(compiled.copies)
        values = []
        for kind, x in leaves:
            if kind == "op":
                values.append(None)
            elif kind == "value":
                values.append(x)
            else:
                r = next(results)
                r = np.array(r) if next(copies) else r
                values.append(r[()] if isinstance(r, np.ndarray) and r.ndim == 0 else r)
        values = iter(values)
        return _map_structure(lambda _: next(values), structure)

    def _fetch_leaf(self, fetch, leaves):
        if isinstance(fetch, Operation):
            leaves.append(("op", fetch._nodes))
        elif isinstance(fetch, _CoreVariable):
            leaves.append(("tensor", fetch.read_value()))
        elif isinstance(fetch, SymbolicTensor):
            if getattr(fetch._graph, "owner", None) is not self._graph:
                raise ValueError(f"Fetch argument {fetch!r} cannot be interpreted as a Tensor: "
                                 "it is not an element of this session's graph.")
            leaves.append(("tensor", fetch))
        elif isinstance(fetch, Tensor):
            leaves.append(("value", fetch.numpy()))
        else:
            raise TypeError(f"Fetch argument {fetch!r} has invalid type {type(fetch)}, must be "
                            "a tensor, variable or operation of the graph (or a list, tuple or "
                            "dict of them).")
        return None

    def _feeds(self, feed_dict):
        feeds = []
        for key, value in (feed_dict or {}).items():
            if isinstance(key, _CoreVariable):
                raise TypeError(f"feed_dict: cannot feed variable '{key._name}'; feed a "
                                "placeholder or a tensor, or assign the variable.")
            if not isinstance(key, SymbolicTensor) or \
                    getattr(key._graph, "owner", None) is not self._graph:
                raise TypeError(f"feed_dict: the key {key!r} is not a tensor of this session's "
                                "graph; keys must be placeholders (or other graph tensors).")
            dtype = key._value.dtype
            try:
                array = np.asarray(value.numpy() if isinstance(value, (Tensor, _CoreVariable))
                                   else value, dtype=dtype)
            except (TypeError, ValueError) as exc:
                raise TypeError(f"feed_dict: cannot convert the value fed for "
                                f"{_tensor_name(key)} to {as_dtype(dtype).name}: {exc}") from None
            shape = key._value.shape
            if len(shape) != array.ndim or any(d is not None and d != s
                                               for d, s in zip(shape, array.shape)):
                raise ValueError(f"Cannot feed value of shape {_shape_text(array.shape)} for "
                                 f"Tensor {_tensor_name(key)}, which has shape "
                                 f"{_shape_text(shape)}")
            feeds.append((key, array))
        return feeds

    def _compile(self, tensors, targets, feeds):
        ir_graph = self._graph.ir
        fed = {id(t): i for i, (t, _) in enumerate(feeds)}
        needed = {}
        stack = [t._producer for t in tensors if id(t) not in fed] + list(targets)
        while stack:
            node = stack.pop()
            if id(node) in needed:
                continue
            needed[id(node)] = node
            stack.extend(v._producer for v in node.inputs if id(v) not in fed)
            stack.extend(self._graph._control.get(id(node), ()))
        order = {id(n): i for i, n in enumerate(ir_graph.nodes)}
        nodes = sorted(needed.values(), key=lambda n: order[id(n)])

        sub = ir.Graph("session_run")
        mapping = {}
        for i, (t, array) in enumerate(feeds):
            value = SymbolicTensor(array.shape, array.dtype)
            sub.add(ir.Node(ir.PLACEHOLDER, (), {"index": i}, (value,)))
            sub.inputs.append(value)
            mapping[id(t)] = value
        assigned, must_initialize = set(), {}
        for node in nodes:
            outs = _rebuild(node, mapping)
            if outs is None:
                continue
            var = node.attrs.get("variable") if isinstance(node.op, ir.Special) else None
            if var is not None:
                if node.op is ir.ASSIGN["assign"]:
                    assigned.add(id(var))
                elif id(var) not in assigned:
                    must_initialize.setdefault(id(var), var)
            sub.add(ir.Node(node.op, tuple(mapping[id(v)] for v in node.inputs),
                            dict(node.attrs), outs))
            for old, new in zip(node.outputs, outs):
                mapping.setdefault(id(old), new)
        sub.outputs = [mapping[id(t)] for t in tensors]
        optimize(sub)
        copies = tuple(v._producer is not None and v._producer.op in
                       (ir.PLACEHOLDER, ir.CONSTANT, ir.READ_VARIABLE) for v in sub.outputs)
        return _Compiled(Executable(sub), tuple(must_initialize.values()), copies)


def _rebuild(node, mapping):
    """The outputs of `node` re-derived from its (mapped) inputs, or None to skip the node."""
    op = node.op
    if op is ir.PLACEHOLDER:
        value = node.outputs[0]
        if id(value) in mapping:
            return None
        raise InvalidArgumentValueError(
            f"You must feed a value for placeholder tensor '{placeholder_name(value)}' with "
            f"dtype {as_dtype(value._value.dtype).name} and shape "
            f"{_shape_text(value._value.shape)}. Pass it in feed_dict.")
    if op is ir.CONSTANT:
        array = node.attrs["value"]
        return (SymbolicTensor(np.shape(array), np.asarray(array).dtype),)
    if op is ir.READ_VARIABLE:
        var = node.attrs["variable"]
        return (SymbolicTensor(var._value.shape, var._value.dtype),)
    if isinstance(op, ir.Special):
        return ()
    specs = [Spec(mapping[id(v)]._value.shape, mapping[id(v)]._value.dtype) for v in node.inputs]
    spec = op.infer(*specs, **node.attrs)
    if isinstance(spec, Spec):
        return (SymbolicTensor(spec.shape, spec.dtype),)
    return tuple(SymbolicTensor(s.shape, s.dtype) for s in spec)


class InteractiveSession(Session):
    """A session that makes itself the default session when created (for shells and notebooks).

    Example:
    >>> sess = tf.InteractiveSession()  # doctest: +SKIP
    """

    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config)
        self._previous = _set_default_session(self)

    def close(self):
        if get_default_session() is self:
            _set_default_session(self._previous)
        super().close()


def _session_or_default(session, what):
    session = session or get_default_session()
    if session is None:
        raise ValueError(f"{what}: no default session is registered. Use `with "
                         "sess.as_default():` or pass `session=sess`.")
    return session


__all__ = ["Graph", "InteractiveSession", "Session"]
