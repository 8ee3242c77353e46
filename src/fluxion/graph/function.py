"""`fluxion.function`: trace a Python function into a graph once per input signature, optimise it,
and run the compiled graph on later calls.

The cache key of a call holds, for each argument leaf: shape and dtype for tensors and NumPy arrays,
identity for variables and other objects, the value itself for Python numbers, strings and None.
Anything else that could make the compiled result differ from running the function eagerly raises
an error while tracing (see tests/graph/test_footguns.py).
"""
import functools
import warnings

import numpy as np

from ..core import nest
from ..core.context import state
from ..core.errors import TracingError
from ..core.tensor import Tensor, TensorShape, convert_to_tensor, wrap
from ..core.tensor_spec import TensorSpec
from ..core.variable import Variable
from . import autograph
from .executor import compile_graph
from .ir import Graph
from .passes import optimize
from .tracer import GraphTracer

RETRACE_WARNING_THRESHOLD = 5
_run_functions_eagerly = False  # fluxion.config.run_functions_eagerly


def set_run_eagerly(flag):
    """Makes every `Function` call run its Python body eagerly (`config.run_functions_eagerly`).

    Example:
    >>> set_run_eagerly(False)
    """
    global _run_functions_eagerly
    _run_functions_eagerly = flag


def run_eagerly():
    """Whether `set_run_eagerly(True)` is in effect.

    Example:
    >>> run_eagerly()
    False
    """
    return _run_functions_eagerly


def _leaf_key(leaf):
    if isinstance(leaf, (Tensor, np.ndarray)):
        return ("tensor", tuple(leaf._value.shape if isinstance(leaf, Tensor) else leaf.shape),
                (leaf._value.dtype if isinstance(leaf, Tensor) else leaf.dtype).str)
    if isinstance(leaf, TensorSpec):
        return ("tensor", tuple(leaf.shape), leaf.dtype._np.str)
    if isinstance(leaf, Variable):
        return ("variable", id(leaf))
    if leaf is None or isinstance(leaf, (bool, int, float, str)):
        # By value, as TensorFlow: calls with 2, 2.0 and True == 1 share a trace.
        return ("value", "", leaf)
    if isinstance(leaf, np.generic):
        return ("value", type(leaf).__name__, leaf)
    return ("object", id(leaf))


_NONE_KEY = _leaf_key(None)


def _structure_key(obj, leaves):
    """The cache key of `obj`'s structure and leaves; appends its tensor leaves (tensors,
    arrays, TensorSpecs) to `leaves` in `nest.flatten` order. One walk for both: a compiled
    training step is called thousands of times an epoch."""
    kind = type(obj)
    if kind is np.ndarray:
        leaves.append(obj)
        return ("tensor", obj.shape, obj.dtype.str)
    if kind is tuple or kind is list:
        return (kind.__name__, tuple([_structure_key(v, leaves) for v in obj]))
    if obj is None:
        return _NONE_KEY
    if isinstance(obj, dict):
        return ("dict", tuple([(k, _structure_key(obj[k], leaves)) for k in sorted(obj)]))
    if isinstance(obj, (list, tuple)):
        return (kind.__name__, tuple([_structure_key(v, leaves) for v in obj]))
    if _is_tensor_leaf(obj):
        leaves.append(obj)
    return _leaf_key(obj)


_SMALL_ARRAY = 1 << 16  # elements: captured arrays up to this size are keyed by content


def _captured_python_state(fn):
    """The Python numbers, strings and NumPy arrays `fn` reads from its closure and globals.

    They are baked into the graph at trace time, so they enter the cache key: changing one
    retraces instead of silently running with the old value. Larger arrays are keyed by
    identity and made read-only, so that changing them in place raises an error.
    """
    fn = getattr(fn, "__func__", fn)
    code = getattr(fn, "__code__", None)
    if code is None:
        return ()
    items = []
    cells = zip(code.co_freevars, fn.__closure__ or ())
    named = [(name, cell.cell_contents) for name, cell in cells
             if _cell_is_set(cell)]
    globals_ = getattr(fn, "__globals__", {})
    named += [(name, globals_[name]) for name in code.co_names if name in globals_]
    for name, value in named:
        if value is None or isinstance(value, (bool, int, float, str, np.generic)):
            items.append((name, type(value).__name__, value))
        elif isinstance(value, np.ndarray):
            if value.size <= _SMALL_ARRAY:
                items.append((name, "array", value.shape, value.dtype.str, value.tobytes()))
            else:
                value.flags.writeable = False
                items.append((name, "array", id(value)))
    return tuple(items)


def _cell_is_set(cell):
    try:
        _ = cell.cell_contents
    except ValueError:
        return False
    return True


def _is_tensor_leaf(leaf):
    return isinstance(leaf, (Tensor, np.ndarray, TensorSpec))


def _describe_retrace(old, new):
    """Says why call key `new` missed the cache, compared with the previous call's key."""
    if old[0] != "call" or new[0] != "call":
        return "the input signature's captured Python state changed"
    (old_args, old_captured), (new_args, new_captured) = old[1], new[1]
    if old_args != new_args:
        return _describe_change(old_args, new_args)
    before = {item[0]: item for item in old_captured}
    for item in new_captured:
        if before.get(item[0]) != item:
            shown = f"{item[2]!r}" if item[1] != "array" else "new array contents"
            return f"the captured Python value '{item[0]}' changed (now {shown})"
    return "the captured Python state changed"


def _describe_change(old, new, path="arguments"):
    """Names the first difference between two argument keys."""
    if old == new:
        return None
    if old[0] != new[0] or old[0] in ("tensor", "value", "variable", "object"):
        return f"{path} changed from {_key_text(old)} to {_key_text(new)}"
    if old[0] == "dict":
        for (k1, v1), (k2, v2) in zip(old[1], new[1]):
            if k1 != k2:
                return f"{path} keys changed ({k1!r} vs {k2!r})"
            found = _describe_change(v1, v2, f"{path}[{k1!r}]")
            if found:
                return found
    elif len(old[1]) != len(new[1]):
        return f"{path} changed length from {len(old[1])} to {len(new[1])}"
    for i, (a, b) in enumerate(zip(old[1], new[1])):
        found = _describe_change(a, b, f"{path}[{i}]")
        if found:
            return found
    return f"{path} changed"


def _key_text(key):
    if key[0] == "tensor":
        return f"a tensor of shape {key[1]} and dtype {np.dtype(key[2]).name}"
    if key[0] == "value":
        return f"the Python value {key[2]!r}"
    if key[0] == "variable":
        return "another variable"
    return key[0]


class ConcreteFunction:
    """One traced and compiled signature of a `function`. `graph` holds its (optimised) IR.

    Example:
    >>> f = fluxion.function(lambda x: x * 2.0)
    >>> print(f.get_concrete_function(fluxion.TensorSpec((3,))).graph)  # doctest: +SKIP
    """

    def __init__(self, graph, structure_out, positions):
        self.graph = graph
        self._executable = compile_graph(graph)
        self._structure_out = structure_out  # the traced result: a template for packing
        self._positions = positions  # per output leaf: _TENSOR, or the Python value returned

    def _call_flat(self, tensor_leaves):
        arrays = [t if type(t) is np.ndarray else t._value if isinstance(t, Tensor) else
                  (t.read_value()._value if isinstance(t, Variable) else np.asarray(t))
                  for t in tensor_leaves]
        results = iter(self._executable(arrays))
        flat = [wrap(next(results)) if p is _TENSOR else p for p in self._positions]
        return nest.pack_sequence_as(self._structure_out, flat)

    def __call__(self, *args, **kwargs):
        leaves = [x for x in nest.flatten((args, kwargs)) if _is_tensor_leaf(x)]
        return self._call_flat(leaves)

    @property
    def structured_outputs(self):
        """The traced result: its structure with the graph's symbolic output tensors."""
        outputs = iter(self.graph.outputs)
        return nest.pack_sequence_as(self._structure_out, [
            next(outputs) if p is _TENSOR else p for p in self._positions])

    @property
    def structured_input_signature(self):
        """`(args, kwargs)` of the trace, each tensor argument as a `TensorSpec`."""
        return getattr(self, "_input_signature", ((), {}))

    def pretty_printed_graph(self):
        return self.graph.pretty()


_TENSOR = object()  # marks a tensor position in a ConcreteFunction's output


class Function:
    """A Python function compiled to graphs; see `function`."""

    def __init__(self, python_function, input_signature=None, reduce_retracing=False,
                 name=None, autograph=True):
        self._python_function = python_function
        self._autograph = autograph
        self._input_signature = None if input_signature is None else list(input_signature)
        self._reduce_retracing = reduce_retracing
        self._concrete = {}
        self._last_key = None
        self._tracing_count = 0
        self.retrace_reasons = []
        self.__name__ = name or getattr(python_function, "__name__", "function")
        functools.update_wrapper(self, python_function, updated=())

    @property
    def python_function(self):
        return self._python_function

    def experimental_get_tracing_count(self):
        """How many times this function has been traced.

        Example:
        >>> f = fluxion.function(lambda x: x + 1)
        >>> _ = f(fluxion.constant(1)); _ = f(fluxion.constant(2))
        >>> f.experimental_get_tracing_count()
        1
        """
        return self._tracing_count

    def __get__(self, instance, owner):
        """Binds a decorated method: one Function per instance, as tf.function does."""
        if instance is None:
            return self
        cache = instance.__dict__.setdefault("_fluxion_bound_functions", {})
        bound = cache.get(id(self))
        if bound is None:
            bound = cache[id(self)] = Function(
                self._python_function.__get__(instance, owner), self._input_signature,
                self._reduce_retracing, self.__name__, self._autograph)
        return bound

    def __call__(self, *args, **kwargs):
        if state.tracer is not None or state.tapes or _run_functions_eagerly:
            # Inside another trace the body is inlined; under an active GradientTape it runs
            # eagerly so that the tape records every op.
            return self._python_function(*args, **kwargs)
        key, leaves = self._key(args, kwargs)
        return self._concrete_for(args, kwargs, key)._call_flat(leaves)

    def _key(self, args, kwargs):
        """(the cache key of a call, the call's tensor leaves)."""
        captured = _captured_python_state(self._python_function)
        leaves = []
        if self._input_signature is not None:
            self._check_signature(args)
            _structure_key((args, kwargs), leaves)
            return ("signature", captured), leaves
        return ("call", (_structure_key((list(args), kwargs), leaves), captured)), leaves

    def _check_signature(self, args):
        leaves = nest.flatten(list(args))
        specs = nest.flatten(self._input_signature)
        if len(leaves) != len(specs):
            raise ValueError(f"{self.__name__}: input_signature has {len(specs)} tensors, but "
                             f"the call passed {len(leaves)}.")
        for i, (leaf, spec) in enumerate(zip(leaves, specs)):
            if not spec.is_compatible_with(leaf):
                raise ValueError(f"{self.__name__}: argument {i} of shape {tuple(np.shape(leaf))}"
                                 f" and dtype {np.asarray(leaf).dtype.name} does not match the "
                                 f"input_signature {spec}.")

    def _concrete_for(self, args, kwargs, key):
        concrete = self._concrete.get(key)
        if concrete is None and self._reduce_retracing:
            key, concrete = self._relaxed_match(key)
        if concrete is None:
            concrete = self._trace(args, kwargs, key)
        self._last_key = key
        return concrete

    def _relaxed_match(self, key):
        """reduce_retracing: reuse or create a trace with the differing dims unknown (None)."""
        for cached in self._concrete:
            if cached[0] != "call" or key[0] != "call" or cached[1][1] != key[1][1]:
                continue
            relaxed = _relax(cached[1][0], key[1][0])
            if relaxed is not None:
                relaxed = ("call", (relaxed, key[1][1]))
                return relaxed, self._concrete.get(relaxed)
        return key, None

    def _trace(self, args, kwargs, key):
        if self._last_key is not None:
            reason = _describe_retrace(self._last_key, key)
            self.retrace_reasons.append(reason)
            if len(self._concrete) + 1 >= RETRACE_WARNING_THRESHOLD:
                warnings.warn(f"fluxion.function '{self.__name__}' has been traced "
                              f"{len(self._concrete) + 1} times; the last retrace happened "
                              f"because {reason}. Pass tensors instead of Python numbers, use "
                              "input_signature, or reduce_retracing=True.", stacklevel=3)
        graph = Graph(self.__name__)
        leaf_specs = self._leaf_specs(args, kwargs, key)
        with GraphTracer(graph) as tracer:
            specs = iter(leaf_specs)
            flat = [tracer.placeholder(*next(specs)) if _is_tensor_leaf(x) else x
                    for x in nest.flatten((list(args), kwargs))]
            call_args, call_kwargs = nest.pack_sequence_as((list(args), kwargs), flat)
            traced = autograph.convert(self._python_function) if self._autograph \
                else self._python_function
            result = traced(*call_args, **call_kwargs)
            if tracer.created_variables and self._tracing_count:
                raise TracingError(
                    f"fluxion.function '{self.__name__}' created variables on a retrace. "
                    "Variables may be created only on the first call (as in TensorFlow); create "
                    "them outside the function and reuse them.")
            result = _shapes_as_tensors(result)
            flat_out = nest.flatten(result)
            positions = []
            for leaf in flat_out:
                if isinstance(leaf, autograph.Undefined):
                    raise leaf.error()
                if isinstance(leaf, Variable):
                    leaf = leaf.read_value()
                elif isinstance(leaf, (bool, int, float, np.generic, np.ndarray)):
                    leaf = convert_to_tensor(leaf)  # as TensorFlow: numbers come back as tensors
                if isinstance(leaf, Tensor):
                    graph.outputs.append(tracer.lift(leaf))
                    positions.append(_TENSOR)
                else:
                    positions.append(leaf)
        optimize(graph)
        concrete = ConcreteFunction(graph, result, positions)
        specs = iter(leaf_specs)
        concrete._input_signature = nest.pack_sequence_as((tuple(args), kwargs), [
            TensorSpec(*next(specs)) if _is_tensor_leaf(x) else x
            for x in nest.flatten((list(args), kwargs))])
        self._concrete[key] = concrete
        self._tracing_count += 1
        return concrete

    def _leaf_specs(self, args, kwargs, key):
        if self._input_signature is not None:
            specs = nest.flatten(self._input_signature)
            for s in specs:
                if s.shape.rank is None:
                    raise TracingError(
                        f"fluxion.function '{self.__name__}': an input_signature TensorSpec of "
                        f"unknown rank ({s}) is not supported. Give the rank, with None for "
                        "the unknown sizes: TensorSpec([None, None]).")
            return [(tuple(s.shape), s.dtype._np) for s in specs]
        leaf_keys = [k for k in _flat_keys(key[1][0]) if k[0] == "tensor"]
        return [(k[1], np.dtype(k[2])) for k in leaf_keys]

    def get_concrete_function(self, *args, **kwargs):
        """Traces (if needed) for these arguments — tensors or `TensorSpec`s — and returns the
        `ConcreteFunction`, whose `graph` prints the optimised IR.

        Example:
        >>> f = fluxion.function(lambda x: x * 2.0)
        >>> f.get_concrete_function(fluxion.TensorSpec((3,))).graph.inputs[0].shape
        TensorShape([3])
        """
        if not args and not kwargs and self._input_signature is not None:
            args = tuple(self._input_signature)
        key = self._key(args, kwargs)[0] if self._input_signature is None else \
            ("signature", _captured_python_state(self._python_function))
        concrete = self._concrete.get(key)
        if concrete is None:
            concrete = self._trace(args, kwargs, key)
        return concrete


def _shapes_as_tensors(result):
    """`result` with each TensorShape replaced by an int32 tensor of its dims (TensorFlow returns
    a traced function's `x.shape` so); `nest` would otherwise flatten it into Python ints."""
    if isinstance(result, TensorShape):
        if not result.is_fully_defined():
            raise TracingError(f"A traced function returned the partially known shape {result}, "
                               "which cannot become a tensor. Return fluxion.shape(x) instead.")
        return convert_to_tensor(list(result), dtype="int32")
    if type(result) is list or type(result) is tuple:
        return type(result)(_shapes_as_tensors(v) for v in result)
    if type(result) is dict:
        return {k: _shapes_as_tensors(v) for k, v in result.items()}
    return result


def _flat_keys(key):
    if key[0] in ("tensor", "value", "variable", "object"):
        return [key]
    if key[0] == "dict":
        return [k for _, v in key[1] for k in _flat_keys(v)]
    return [k for v in key[1] for k in _flat_keys(v)]


def _relax(a, b):
    """A key matching both `a` and `b` with unequal tensor dims set to None, if ranks agree."""
    if a[0] != b[0]:
        return None
    if a[0] == "tensor":
        if len(a[1]) != len(b[1]) or a[2] != b[2]:
            return None
        return ("tensor", tuple(x if x == y else None for x, y in zip(a[1], b[1])), a[2])
    if a[0] in ("value", "variable", "object"):
        return a if a == b else None
    if len(a[1]) != len(b[1]):
        return None
    if a[0] == "dict":
        parts = []
        for (k1, v1), (k2, v2) in zip(a[1], b[1]):
            r = _relax(v1, v2) if k1 == k2 else None
            if r is None:
                return None
            parts.append((k1, r))
        return ("dict", tuple(parts))
    parts = [_relax(x, y) for x, y in zip(a[1], b[1])]
    return None if any(p is None for p in parts) else (a[0], tuple(parts))


def function(func=None, input_signature=None, autograph=True, jit_compile=None,
             reduce_retracing=False, experimental_relax_shapes=None, name=None, **unused):
    """Compiles a Python function into a graph that runs faster on later calls.

    The function is traced once per input signature (tensor shapes and dtypes, Python argument
    values), optimised (constant folding, common-subexpression and dead-code elimination) and run
    as a flat list of kernel calls. Variables are captured by reference; Python side effects run
    only while tracing.

    Args:
        func: the function; `function` also works as a decorator with or without arguments.
        input_signature: a list of `TensorSpec`s fixing the tensor arguments (None dims accept
            any size), so that the function is traced once.
        reduce_retracing: on a shape change, retrace once with the changed dims unknown.
        autograph: convert Python `if`/`while`/`for` statements on tensors into `cond` and
            `while_loop` (see `fluxion.graph.autograph`); False leaves the code as written.
        jit_compile, experimental_relax_shapes: accepted for compatibility.

    Returns:
        A `Function`.

    Example:
    >>> @fluxion.function
    ... def f(x):
    ...     return x * x + 1.0
    >>> f(fluxion.constant([1.0, 2.0]))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([2., 5.], dtype=float32)>
    """
    relax = reduce_retracing or bool(experimental_relax_shapes)

    def decorate(f):
        return Function(f, input_signature, relax, name, autograph)

    return decorate if func is None else decorate(func)


__all__ = ["function", "Function", "ConcreteFunction"]
