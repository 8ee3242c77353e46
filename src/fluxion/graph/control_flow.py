"""Control flow on tensor values: `cond`, `while_loop`, `scan`.

Eagerly they are plain Python (`if`, `while`, `for`), so a tape records what actually runs. While
tracing, each branch or loop body is traced into a sub-graph; the parent graph gets one node whose
kernel runs the compiled sub-graph(s), and whose inputs are the parent values the bodies use
("captures"). Variables a body reads are read in the parent graph before the node (so a tape
sees them and gradients reach them), unless the body assigns them first.

Gradients: `cond`'s rule is a `cond` over the gradients of the two branches. `scan` keeps every
step's carry, and its rule applies the body's gradient step by step in reverse. A traced
`while_loop` under a tape keeps each iteration's loop variables; its rule is a `while_loop` that
applies the body's gradient to them newest first.
"""
import numpy as np

from ..autodiff.tape import GradientTape
from ..core import nest
from ..core.context import state
from ..core.tensor import SymbolicTensor, TensorShape, convert_to_tensor
from ..ops import array_ops, index_ops
from ..ops.registry import OpDef, Spec, bind
from ..ops.tensor_array import TensorArray, resize_like
from .executor import compile_graph
from .ir import Graph
from .passes import optimize
from .tracer import GraphTracer


class _BodyTracer(GraphTracer):
    """Traces a branch or loop body; values of enclosing graphs become captured placeholders."""

    def __init__(self, parent):
        super().__init__(Graph("body"))
        self.parent = parent
        self.captures = []       # parent values, in placeholder order
        self._captured = {}      # id(parent value) -> placeholder
        self._assigned = set()   # ids of variables this body writes

    def capture(self, value, shape=None):
        known = self._captured.get(id(value))
        if known is None:
            known = self.placeholder(value._value.shape if shape is None else shape,
                                     value._value.dtype)
            self._captured[id(value)] = known
            self.captures.append(value)
        return known

    def lift(self, tensor):
        if isinstance(tensor, SymbolicTensor) and tensor._graph is not self.graph:
            return self.capture(self.parent.lift(tensor))
        return super().lift(tensor)

    def read_variable(self, var):
        if id(var) in self._assigned:
            return super().read_variable(var)
        # The parent's value is returned (ops lift it into a capture when they use it), so
        # that tapes see the same value inside and outside the body.
        outer = self.parent.read_variable(var)
        for tape in self._outer_tapes:
            tape._on_variable_read(var, outer)
        return outer

    def assign_variable(self, var, mode, value):
        self._assigned.add(id(var))
        self.parent.invalidate_reads(var)
        return super().assign_variable(var, mode, value)

    def invalidate_reads(self, var):
        super().invalidate_reads(var)
        self.parent.invalidate_reads(var)


def _flatten_values(structure):
    """The tensors of `structure`'s leaves, a TensorArray contributing its buffer (if any)."""
    flat = []
    for leaf in nest.flatten(structure):
        if isinstance(leaf, TensorArray):
            flat.extend(leaf._components())
        else:
            flat.append(convert_to_tensor(leaf))
    return flat


def _pack_values(structure, flat):
    """Inverse of `_flatten_values`: `structure` with its leaves replaced by `flat`'s tensors
    (the TensorArrays rebuilt over theirs)."""
    values, leaves = iter(flat), []
    for leaf in nest.flatten(structure):
        if isinstance(leaf, TensorArray):
            leaves.append(leaf._with_components([next(values) for _ in leaf._components()]))
        else:
            leaves.append(next(values))
    return nest.pack_sequence_as(structure, leaves)


def _trace_body(fn, args, parent, outer_tapes, shapes=None):
    """Traces `fn(*args)` (args: lists of parent values) into a sub-graph; `shapes`, if given,
    are the argument placeholders' shapes (None for unknown dims).

    Returns (tracer, flat outputs, output structure). The first len(args) placeholders are the
    arguments; further ones are captures.
    """
    tracer = _BodyTracer(parent)
    tracer._outer_tapes = outer_tapes
    saved_tapes, state.tapes = state.tapes, []
    shapes = shapes or [None] * len(args)
    try:
        with tracer:
            inner_args = [tracer.capture(parent.lift(a), shape) for a, shape in zip(args, shapes)]
            result = fn(*inner_args)
            flat = [tracer.lift(r) for r in _flatten_values(result)]
    finally:
        state.tapes = saved_tapes
    tracer.graph.outputs = flat
    return tracer, flat, result


def _compile(tracer, captures):
    """Compiles a body graph whose placeholders are reordered to match `captures`."""
    graph = tracer.graph
    order = {id(v): i for i, v in enumerate(tracer.captures)}
    graph.inputs = [tracer._captured[id(c)] if id(c) in order else None for c in captures]
    missing = [i for i, v in enumerate(graph.inputs) if v is None]
    for i in missing:  # a capture only the other branch uses: an unused input here
        graph.inputs[i] = SymbolicTensor(captures[i]._value.shape, captures[i]._value.dtype)
    return compile_graph(optimize(graph))


def _effects(*tracers):
    """Whether any of the bodies has effects (assigns a variable, prints, asserts ...): the
    node is then kept by the passes, in program order, even if its outputs are unused."""
    return any(node.stateful for t in tracers for node in t.graph.nodes)


def _merged_captures(*tracers):
    merged, seen = [], set()
    for t in tracers:
        for c in t.captures:
            if id(c) not in seen:
                seen.add(id(c))
                merged.append(c)
    return merged


# --- cond ----------------------------------------------------------------------------------------
def _cond_kernel(pred, *captures, branches, out_specs, fns, effects=False):
    return tuple(branches[0 if pred else 1](list(captures)))


def _cond_infer(pred, *captures, branches, out_specs, fns, effects=False):
    return tuple(Spec(s.shape, s.dtype) for s in out_specs)


def _cond_vjp(cotangents, pred, *rest, branches, out_specs, fns, effects=False):
    captures = rest[:-1]

    def grad_of(fn):
        def branch():
            with GradientTape() as tape:
                tape.watch(list(captures))
                outs = _flatten_values(fn())
            grads = tape.gradient(outs, list(captures), output_gradients=list(cotangents),
                                  unconnected_gradients="zero")
            return grads
        return branch

    grads = cond(pred, grad_of(fns[0]), grad_of(fns[1]))
    return (None,) + tuple(grads)


_COND = OpDef("cond", _cond_kernel, _cond_infer, _cond_vjp, num_outputs=None)


def cond(pred, true_fn=None, false_fn=None, name=None):
    """Runs `true_fn()` if `pred` is true, else `false_fn()`; both must return the same structure.

    Inside a `fluxion.function` only the chosen branch runs on each call; gradients flow through
    the branch taken.

    Example:
    >>> x = fluxion.constant(2.0)
    >>> fluxion.cond(x > 0, lambda: x * 10.0, lambda: -x)
    <tf.Tensor: shape=(), dtype=float32, numpy=20.0>
    """
    if true_fn is None or false_fn is None:
        raise ValueError("cond: both true_fn and false_fn must be given.")
    pred = convert_to_tensor(pred)
    if pred._value.dtype != np.bool_ or pred._value.ndim != 0:
        raise ValueError(f"cond: pred must be a scalar bool tensor, received shape "
                         f"{tuple(pred._value.shape)} and dtype {pred._value.dtype.name}.")
    if not isinstance(pred, SymbolicTensor):
        return true_fn() if bool(pred._value) else false_fn()
    parent = state.tracer
    t_true, flat_true, result = _trace_body(true_fn, [], parent, state.tapes)
    t_false, flat_false, _ = _trace_body(false_fn, [], parent, state.tapes)
    if len(flat_true) != len(flat_false):
        raise ValueError(f"cond: true_fn returns {len(flat_true)} tensors but false_fn returns "
                         f"{len(flat_false)}; both branches must return the same structure.")
    specs = []
    for i, (a, b) in enumerate(zip(flat_true, flat_false)):
        if a._value.dtype != b._value.dtype:
            raise TypeError(f"cond: output {i} is {a._value.dtype.name} in true_fn but "
                            f"{b._value.dtype.name} in false_fn.")
        shape = tuple(x if x == y else None for x, y in zip(a._value.shape, b._value.shape)) \
            if len(a._value.shape) == len(b._value.shape) else None
        if shape is None:
            raise ValueError(f"cond: output {i} has rank {len(a._value.shape)} in true_fn but "
                             f"{len(b._value.shape)} in false_fn.")
        specs.append(Spec(shape, a._value.dtype))
    captures = _merged_captures(t_true, t_false)
    branches = (_compile(t_true, captures), _compile(t_false, captures))
    outs = bind(_COND, pred, *captures, branches=branches, out_specs=tuple(specs),
                fns=(true_fn, false_fn), effects=_effects(t_true, t_false))
    return _pack_values(result, list(outs))


# --- scan ----------------------------------------------------------------------------------------
def _scan_kernel(elems, init, *captures, body, reverse, fn):
    n = elems.shape[0]
    carry, history = init, []
    for i in (range(n - 1, -1, -1) if reverse else range(n)):
        carry = body([carry, elems[i]] + list(captures))[0]
        history.append(carry)
    stacked = np.stack(history) if history else np.zeros((0,) + np.shape(init), init.dtype)
    return stacked[::-1] if reverse else stacked


def _scan_infer(elems, init, *captures, body, reverse, fn):
    return Spec((elems.shape[0],) + tuple(init.shape), init.dtype)


def _scan_vjp(g, elems, init, *rest, body, reverse, fn):
    captures, out = rest[:-1], rest[-1]
    # carry before step i: init for the first step, else the previous output.
    if reverse:
        prev = array_ops.concat([out[1:], array_ops.expand_dims(init, 0)], axis=0)
    else:
        prev = array_ops.concat([array_ops.expand_dims(init, 0), out[:-1]], axis=0)

    def step_grad(acc, xs):
        carry_grad, capture_grads = acc[0], acc[1:]
        g_i, elem_i, prev_i = xs
        with GradientTape() as tape:
            tape.watch([prev_i, elem_i] + list(captures))
            new = convert_to_tensor(fn(prev_i, elem_i))
        grads = tape.gradient(new, [prev_i, elem_i] + list(captures),
                              output_gradients=g_i + carry_grad, unconnected_gradients="zero")
        return [grads[0]] + [a + b for a, b in zip(capture_grads, grads[2:])], grads[1]

    zero_captures = [array_ops.zeros_like(c) for c in captures]
    carry_grad, capture_grads, elem_grads = _python_scan_backward(
        step_grad, g, elems, prev, array_ops.zeros_like(init), zero_captures, not reverse)
    return (elem_grads, carry_grad) + tuple(capture_grads)


def _python_scan_backward(step, g, elems, prev, carry_grad, capture_grads, reverse):
    """Runs `step` over the steps in backward order with plain ops (traced as an unrolled graph
    when under a trace; eager otherwise)."""
    n = elems.shape[0]
    order = range(n - 1, -1, -1) if reverse else range(n)
    acc = [carry_grad] + list(capture_grads)
    elem_grads = [None] * n
    for i in order:
        acc, elem_grads[i] = step(acc, (g[i], elems[i], prev[i]))
    stacked = array_ops.stack(elem_grads) if n else array_ops.zeros_like(elems)
    return acc[0], acc[1:], stacked


_SCAN = OpDef("scan", _scan_kernel, _scan_infer, _scan_vjp)


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
         swap_memory=False, infer_shape=True, reverse=False, name=None):
    """Applies `fn(carry, x)` over the first axis of `elems`, returning every step's result.

    `fn` returns the new carry (a tensor of the carry's shape and dtype); the result stacks
    them, with shape `(len(elems),) + carry.shape`. Without `initializer`, the first element is
    the initial carry.

    Example:
    >>> fluxion.scan(lambda acc, x: acc + x, fluxion.constant([1.0, 2.0, 3.0]),
    ...              initializer=fluxion.constant(0.0))
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([1., 3., 6.], dtype=float32)>
    """
    elems = convert_to_tensor(elems)
    if elems._value.ndim == 0:
        raise ValueError("scan: elems must have at least one dimension to scan over.")
    if initializer is None:
        if elems._value.shape[0] == 0:
            raise ValueError("scan: elems is empty and no initializer was given.")
        initializer, elems = elems[0], elems[1:]
    init = convert_to_tensor(initializer)
    if not isinstance(elems, SymbolicTensor) and not isinstance(init, SymbolicTensor) and \
            state.tracer is None:
        carry, out = init, []
        n = elems._value.shape[0]
        for i in (range(n - 1, -1, -1) if reverse else range(n)):
            carry = convert_to_tensor(fn(carry, elems[i]))
            out.append(carry)
        if reverse:
            out = out[::-1]
        return array_ops.stack(out) if out else array_ops.zeros(
            (0,) + tuple(init.shape), init.dtype)
    parent = state.tracer
    example = elems[0] if elems._value.shape[0] else array_ops.zeros(
        tuple(elems.shape)[1:], elems.dtype)
    tracer, flat, _ = _trace_body(fn, [init, example], parent, state.tapes)
    if len(flat) != 1:
        raise ValueError("scan: fn must return a single tensor (the new carry).")
    new = flat[0]
    if new._value.dtype != init._value.dtype or tuple(new._value.shape) != tuple(
            init._value.shape):
        raise ValueError(f"scan: fn must return the carry's shape {tuple(init._value.shape)} "
                         f"and dtype {init._value.dtype.name}, received "
                         f"{tuple(new._value.shape)} {new._value.dtype.name}.")
    captures = tracer.captures[2:]
    body = _compile(tracer, tracer.captures)
    return bind(_SCAN, elems, init, *captures, body=body, reverse=reverse, fn=fn)


# --- while_loop ----------------------------------------------------------------------------------
def _stack_history(h, final):
    """Stacks one loop variable's per-iteration values, zero-padding each to the final value's
    shape (a TensorArray's buffer grows as the loop writes)."""
    final = np.asarray(final)
    if not h:
        return np.zeros((0,) + final.shape, final.dtype)
    if all(np.shape(v) == final.shape for v in h):
        return np.stack(h)
    out = np.zeros((len(h),) + final.shape, final.dtype)
    for i, v in enumerate(h):
        out[(i,) + tuple(slice(0, d) for d in np.shape(v))] = v
    return out


def _while_kernel(*values, cond_exe, body_exe, num_vars, maximum_iterations, keep_history,
                  fn, out_shapes, effects=False):
    loop_vars, captures = list(values[:num_vars]), list(values[num_vars:])
    history = [[] for _ in range(num_vars)] if keep_history else None
    i = 0
    while cond_exe(loop_vars + captures)[0]:
        if maximum_iterations is not None and i >= maximum_iterations:
            break
        if keep_history:
            for h, v in zip(history, loop_vars):
                h.append(v)
        loop_vars = list(body_exe(loop_vars + captures))
        i += 1
    if not keep_history:
        return tuple(loop_vars)
    return tuple(loop_vars) + tuple(_stack_history(h, v) for h, v in zip(history, loop_vars))


def _while_infer(*specs, cond_exe, body_exe, num_vars, maximum_iterations, keep_history, fn,
                 out_shapes, effects=False):
    finals = tuple(Spec(shape, s.dtype) for shape, s in zip(out_shapes, specs[:num_vars]))
    if not keep_history:
        return finals
    return finals + tuple(Spec((None,) + tuple(s.shape), s.dtype) for s in finals)


def _while_vjp(cotangents, *rest, cond_exe, body_exe, num_vars, maximum_iterations,
               keep_history, fn, out_shapes, effects=False):
    """Back-propagation through the recorded iterations, newest first, as a while_loop."""
    inputs, outs = rest[:-1], rest[-1]
    captures = list(inputs[num_vars:])
    histories = outs[num_vars:]
    floats = [v._value.dtype.kind in "fc" for v in inputs[:num_vars]]
    count = array_ops.shape(histories[0])[0]

    def step(i, *acc):
        carry, capture_grads = list(acc[:num_vars]), list(acc[num_vars:])
        states = [index_ops.gather(h, i) for h in histories]
        sources = [s for s, f in zip(states, floats) if f] + captures
        with GradientTape() as tape:
            tape.watch(sources)
            new = [convert_to_tensor(v) for v in fn(*states)]
        targets = [v for v, f in zip(new, floats) if f]
        seeds = [c for c, f in zip(carry, floats) if f]
        grads = tape.gradient(targets, sources, output_gradients=seeds,
                              unconnected_gradients="zero")
        n_float = sum(floats)
        state_grads = iter(grads[:n_float])
        carry = [next(state_grads) if f else c for c, f in zip(carry, floats)]
        capture_grads = [a + g for a, g in zip(capture_grads, grads[n_float:])]
        return (i - 1, *carry, *capture_grads)

    init = [c if f else array_ops.zeros_like(c) for c, f in zip(cotangents[:num_vars], floats)]
    zeros = [array_ops.zeros_like(c) for c in captures]
    result = _while_loop(lambda i, *acc: i >= 0, step, (count - 1, *init, *zeros), None, True)
    carry, capture_grads = result[1:1 + num_vars], result[1 + num_vars:]
    # a variable whose shape changed in the loop (a TensorArray's buffer): back to its shape
    carry = [c if tuple(c.shape) == tuple(v.shape) and None not in tuple(c.shape)
             else resize_like(c, v) for c, v in zip(carry, inputs[:num_vars])]
    return tuple(c if f else None for c, f in zip(carry, floats)) + tuple(capture_grads)


_WHILE = OpDef("while_loop", _while_kernel, _while_infer, _while_vjp, num_outputs=None)


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10,
               back_prop=True, swap_memory=False, maximum_iterations=None, name=None):
    """Repeats `loop_vars = body(*loop_vars)` while `cond(*loop_vars)` is true.

    Eagerly it is a Python loop, recorded by any tape. Traced, the loop runs inside one graph
    node; under a GradientTape that node keeps each iteration's loop variables, and its gradient
    runs the body's gradient over them newest first. The result has the structure `body`
    returns (a list or tuple of loop variables, as TensorFlow). Loop variables may be
    `TensorArray`s; `shape_invariants` (TensorShapes with None for the dims that change) lets
    a tensor's shape change across iterations.

    Example:
    >>> fluxion.while_loop(lambda i, x: i < 3, lambda i, x: (i + 1, x * 2.0),
    ...                    (fluxion.constant(0), fluxion.constant(1.0)))
    (<tf.Tensor: shape=(), dtype=int32, numpy=3>, <tf.Tensor: shape=(), dtype=float32, numpy=8.0>)
    """
    return _while_loop(cond, body, loop_vars, shape_invariants, False, maximum_iterations)


def _relaxed(a, b):
    """The most specific shape both `a` and `b` fit, or None if their ranks differ."""
    if len(a) != len(b):
        return None
    return tuple(x if x == y else None for x, y in zip(a, b))


def _fits(shape, invariant):
    return len(shape) == len(invariant) and all(
        i is None or s == i for s, i in zip(shape, invariant))


def _while_loop(cond, body, loop_vars, shape_invariants, relax, maximum_iterations=None):
    """`while_loop`; `relax`: let every loop variable's shape change (for gradient loops)."""
    if loop_vars is None or isinstance(loop_vars, (list, tuple)) and not loop_vars:
        raise ValueError("while_loop: 'loop_vars' must be provided.")
    structure = loop_vars

    def call(fn, values, template):
        packed = _pack_values(template, list(values))
        return fn(*packed) if isinstance(template, (list, tuple)) else fn(packed)

    if state.tracer is None:
        i, current = 0, structure
        while bool(convert_to_tensor(call(cond, _flatten_values(current), current))._value):
            if maximum_iterations is not None and i >= maximum_iterations:
                break
            current = _as_loop_result(call(body, _flatten_values(current), current), structure)
            i += 1
        return current
    parent = state.tracer
    template = structure
    flat = _flatten_values(template)
    if shape_invariants is not None:
        invariants = [tuple(TensorShape(s).as_list()) for s in nest.flatten(shape_invariants)]
        if len(invariants) != len(flat):
            raise ValueError(f"while_loop: shape_invariants has {len(invariants)} shapes for "
                             f"{len(flat)} loop variables.")
    else:
        invariants = [tuple(v._value.shape) for v in flat]
    for _ in range(4):  # retraces: a TensorArray's first write, then relaxed shapes
        body_tracer, body_out, result = _trace_body(
            lambda *v, t=template: call(body, v, t), flat, parent, state.tapes, invariants)
        changed = _unknown_arrays(template, result)
        if changed is not None:
            template = changed
            flat = _flatten_values(template)
            invariants = [tuple(v._value.shape) for v in flat]
            continue
        if len(body_out) != len(flat):
            raise ValueError(f"while_loop: body returns {len(body_out)} values for {len(flat)} "
                             "loop variables.")
        arrays = _array_positions(template)
        new = list(invariants)
        for i, (a, b, shape) in enumerate(zip(flat, body_out, invariants)):
            out = tuple(b._value.shape)
            if a._value.dtype != b._value.dtype or _relaxed(shape, out) is None:
                raise ValueError(f"while_loop: loop variable {i} enters as {shape} "
                                 f"{a._value.dtype.name} but body returns {out} "
                                 f"{b._value.dtype.name}.")
            if not _fits(out, shape):
                if not (relax or i in arrays):
                    raise ValueError(
                        f"while_loop: loop variable {i} enters the loop with shape {shape}, "
                        f"but has shape {out} after one iteration. To allow the shape to vary "
                        "across iterations, use the `shape_invariants` argument.")
                new[i] = _relaxed(shape, out)
        if new == invariants:
            break
        invariants = new
    cond_tracer, _, _ = _trace_body(lambda *v: call(cond, v, template), flat, parent,
                                    state.tapes, invariants)
    n = len(flat)
    lifted = [parent.lift(v) for v in flat]
    captures = [c for c in _merged_captures(cond_tracer, body_tracer)
                if not any(c is v for v in lifted)]
    order = lifted + captures
    outs = bind(_WHILE, *flat, *captures, cond_exe=_compile(cond_tracer, order),
                body_exe=_compile(body_tracer, order), num_vars=n,
                maximum_iterations=maximum_iterations, keep_history=bool(state.tapes),
                fn=lambda *v: _flatten_values(call(body, v, template)),
                out_shapes=tuple(invariants), effects=_effects(cond_tracer, body_tracer))
    return _pack_values(_as_loop_result(result, template), list(outs[:n]))


def _as_loop_result(result, structure):
    """The body's result in the loop's structure: a single loop variable stays single; a body
    returning one value for a one-element list or tuple is wrapped as that sequence."""
    if isinstance(structure, (list, tuple)) and len(structure) == 1 and not (
            isinstance(result, (list, tuple)) and len(result) == 1):
        return type(structure)([result]) if not hasattr(structure, "_fields") else result
    return result


def _array_positions(template):
    """Flat positions of the TensorArray buffers among the loop's tensors."""
    positions, i = set(), 0
    for leaf in nest.flatten(template):
        if isinstance(leaf, TensorArray):
            positions.update(range(i, i + len(leaf._components())))
            i += len(leaf._components())
        else:
            i += 1
    return positions


def _unknown_arrays(template, result):
    """`template` with each TensorArray of unknown element shape given the element shape its
    body output has (so the loop can carry its buffer), or None if there are none."""
    leaves, outs = nest.flatten(template), nest.flatten(result)
    if len(leaves) != len(outs):
        return None
    changed = False
    new = []
    for leaf, out in zip(leaves, outs):
        if isinstance(leaf, TensorArray) and not leaf._components() and \
                isinstance(out, TensorArray) and out._components():
            elem = out._components()[0].shape.as_list()[1:]
            leaf = leaf._with_components([leaf._allocate(tuple(
                d if d is not None else 0 for d in elem))])
            leaf._element_shape = TensorShape(elem)
            changed = True
        new.append(leaf)
    return nest.pack_sequence_as(template, new) if changed else None


__all__ = ["cond", "scan", "while_loop"]
