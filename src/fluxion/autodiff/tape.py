"""`GradientTape`: records ops on watched values and computes gradients by reverse accumulation.

The tape keeps a list of records `(op, inputs, outputs, attrs)` in execution order, which is
already a topological order. `backprop` walks it backwards once: each record's `vjp` (written
with fluxion ops, so that an outer tape records the backward pass too) maps output cotangents to
input cotangents, and `unbroadcast` sums a cotangent back to its input's shape. A `vjp` may
return a zero-argument function instead of a gradient that is costly to compute: the walk calls it
only for inputs that lead to a source (e.g. no gradient for a network's input images).
"""
import enum

import numpy as np

from ..core import nest
from ..core.context import state
from ..core.tensor import Tensor, convert_to_tensor, wrap
from ..core.variable import Variable
from ..ops import array_ops, math_ops
from ..ops.registry import OpDef, Spec, bind_unary

# A variable read is recorded as this op from the Variable to the Tensor it produced.
READ_VARIABLE = OpDef("read_variable", lambda x: x,
                      lambda x: Spec(tuple(x.shape), x.dtype), lambda g, x, y: (g,))


class UnconnectedGradients(enum.Enum):
    """What `gradient` returns for a source the target does not depend on."""
    NONE = "none"
    ZERO = "zero"


_SUM = math_ops.reduce_sum.op
_LEAF = (Tensor, Variable)


def _flatten(structure):
    """`nest.flatten`, without the recursion for the usual flat list of tensors/variables."""
    if type(structure) is list or type(structure) is tuple:
        for leaf in structure:
            if not isinstance(leaf, _LEAF):
                return nest.flatten(structure)
        return structure
    if isinstance(structure, _LEAF):
        return (structure,)
    return nest.flatten(structure)


def _pack(structure, flat, values):
    """`nest.pack_sequence_as(structure, values)`, where `flat = _flatten(structure)`."""
    if flat is structure:  # a list or tuple of leaves
        return list(values) if type(structure) is list else tuple(values)
    if isinstance(structure, _LEAF):
        return values[0]
    return nest.pack_sequence_as(structure, values)


def _as_unconnected(value):
    if value is UnconnectedGradients.NONE or value is UnconnectedGradients.ZERO:
        return value
    return UnconnectedGradients(value.value if isinstance(value, UnconnectedGradients) else value)


class _Record:
    __slots__ = ("op", "inputs", "outputs", "attrs")

    def __init__(self, op, inputs, outputs, attrs):
        self.op, self.inputs, self.outputs, self.attrs = op, inputs, outputs, attrs


def _differentiable(x):
    return x._value.dtype.kind in "fc"


def unbroadcast(grad, shape):
    """Sums `grad` over the axes that broadcasting added or stretched to reach it from `shape`."""
    gshape = grad._value.shape
    if type(shape) is not tuple:
        shape = tuple(shape)
    if gshape == shape:
        return grad
    lead = len(gshape) - len(shape)
    axes = list(range(lead))
    stretched = False
    for i, d in enumerate(shape):
        if d == 1 and gshape[lead + i] != 1:
            axes.append(lead + i)
            stretched = True
    if axes:  # keepdims only to keep the stretched axes (then the added ones go by reshape)
        grad = bind_unary(_SUM, grad, tuple(axes), stretched)
    return grad if grad._value.shape == shape else array_ops.reshape(grad, shape)


def backprop(records, targets, seeds, source_keys):
    """Reverse accumulation over `records`.

    Args:
        records: `_Record`s in execution order.
        targets, seeds: the tensors to differentiate and their cotangents.
        source_keys: ids of the sources (tensors or variables) to reach.

    Returns:
        A dict from id(value) to its accumulated cotangent, for every value between the sources
        and the targets.
    """
    # Forward pass: which recorded values depend on a source.
    live = set(source_keys)
    relevant = []
    for rec in records:
        for x in rec.inputs:
            if id(x) in live:
                relevant.append(rec)
                for y in rec.outputs:
                    live.add(id(y))
                break
    cotangents = {}
    for target, seed in zip(targets, seeds):
        _accumulate(cotangents, target, seed)
    for rec in reversed(relevant):
        outs = rec.outputs
        if rec.op.num_outputs == 1:
            g = cotangents.get(id(outs[0]))
            if g is None:
                continue
            grads = rec.op.vjp(g, *rec.inputs, outs[0], **rec.attrs)
        else:
            gs = [cotangents.get(id(y)) for y in outs]
            if all(g is None for g in gs):
                continue
            gs = tuple(array_ops.zeros_like(y) if g is None else g for g, y in zip(gs, outs))
            grads = rec.op.vjp(gs, *rec.inputs, outs, **rec.attrs)
        for x, g in zip(rec.inputs, grads):
            if g is None or id(x) not in live:
                continue
            if callable(g):  # a deferred gradient: computed only when it is needed
                g = g()
            if g._value.shape != x._value.shape:
                g = unbroadcast(g, x._value.shape)
            previous = cotangents.get(id(x))
            cotangents[id(x)] = g if previous is None else math_ops.add(previous, g)
    return cotangents


def _ones_like(t):
    """The default seed of target `t`: ones (a constant; eagerly without the op's dispatch)."""
    if state.tracer is None and type(t) is Tensor:
        return wrap(np.ones(t._value.shape, t._value.dtype))
    return array_ops.ones_like(t)


def _accumulate(cotangents, x, g):
    key = id(x)
    previous = cotangents.get(key)
    cotangents[key] = g if previous is None else math_ops.add(previous, g)


class GradientTape:
    """Records operations for automatic differentiation.

    Ops run inside the `with` block are recorded when an input is watched: trainable variables
    are watched automatically (unless `watch_accessed_variables=False`), tensors through
    `watch`. `gradient` then computes derivatives by reverse-mode accumulation.

    Args:
        persistent: allow several calls of `gradient`/`jacobian` (otherwise one).
        watch_accessed_variables: watch every trainable variable read inside the block.

    Example:
    >>> x = fluxion.constant(4.0)
    >>> with fluxion.GradientTape(persistent=True) as tape:
    ...     tape.watch(x)
    ...     y = x * x
    ...     z = y * y
    >>> float(tape.gradient(z, x)), float(tape.gradient(y, x))
    (256.0, 8.0)
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = persistent
        self._watch_accessed_variables = watch_accessed_variables
        self._records = []
        self._watched = {}     # id -> watched Tensor or Variable (kept alive so ids stay unique)
        self._variables = {}   # id -> Variable, in the order they were first watched
        self._recording = False
        self._used = False

    # --- context --------------------------------------------------------------------------------
    def __enter__(self):
        self._push()
        return self

    def __exit__(self, *exc):
        self._pop()
        return False

    def _push(self):
        if self._recording:
            raise ValueError("This GradientTape is already recording; tapes cannot be nested "
                             "into themselves.")
        state.tapes.append(self)
        self._recording = True

    def _pop(self):
        if self._recording:
            state.tapes.remove(self)
            self._recording = False

    class _StopRecording:
        def __init__(self, tape):
            self.tape = tape

        def __enter__(self):
            self.tape._pop()

        def __exit__(self, *exc):
            self.tape._push()
            return False

    def stop_recording(self):
        """A context manager in which this tape records nothing.

        Example:
        >>> with fluxion.GradientTape() as tape:
        ...     with tape.stop_recording():
        ...         pass
        """
        if not self._recording:
            raise RuntimeError("GradientTape.stop_recording() called on a tape that is not "
                               "recording; use it inside the tape's `with` block.")
        return self._StopRecording(self)

    def reset(self):
        """Forgets everything recorded so far (the tape keeps recording if it was).

        Example:
        >>> with fluxion.GradientTape() as tape:
        ...     tape.reset()
        """
        self._records.clear()
        self._watched.clear()
        self._variables.clear()
        self._used = False

    # --- watching -----------------------------------------------------------------------------
    def watch(self, tensor):
        """Makes the tape record ops on `tensor` (a tensor, variable or nested structure of them).

        Example:
        >>> x = fluxion.constant(2.0)
        >>> with fluxion.GradientTape() as tape:
        ...     tape.watch(x)
        ...     y = x ** 3
        >>> float(tape.gradient(y, x))
        12.0
        """
        for t in nest.flatten(tensor):
            if isinstance(t, Variable):
                self._watch_variable(t)
            elif isinstance(t, Tensor):
                if _differentiable(t):
                    self._watched[id(t)] = t
            else:
                raise ValueError(f"GradientTape.watch: expected tensors or variables, received "
                                 f"{type(t).__name__}. Convert it with fluxion.constant first.")

    def _watch_variable(self, var):
        if id(var) not in self._watched and var._value.dtype.kind in "fc":
            self._watched[id(var)] = var
            self._variables[id(var)] = var

    def watched_variables(self):
        """Returns the variables this tape watches, in the order they were created (as
        TensorFlow, which sorts them by their unique id).

        Example:
        >>> v = fluxion.Variable(1.0)
        >>> with fluxion.GradientTape() as tape:
        ...     y = v * 2.0
        >>> tape.watched_variables()[0] is v
        True
        """
        return tuple(sorted(self._variables.values(),
                            key=lambda v: getattr(v, "_unique_id", 0)))

    # --- recording (called by ops.bind and Variable.read_value) ---------------------------------
    def _record(self, op, inputs, outputs, attrs):
        watched = self._watched
        for x in inputs:
            if id(x) in watched:
                break
        else:
            return
        outs = outputs if type(outputs) is tuple else (outputs,)
        self._records.append(_Record(op, inputs, outs, attrs))
        for y in outs:
            if y._value.dtype.kind in "fc":
                watched[id(y)] = y

    def _on_variable_read(self, var, tensor):
        if id(tensor) in self._watched:  # the same read seen again (a traced read is reused)
            return
        if id(var) not in self._watched:
            if not (self._watch_accessed_variables and var.trainable):
                return
            self._watch_variable(var)
            if id(var) not in self._watched:
                return
        self._records.append(_Record(READ_VARIABLE, (var,), (tensor,), {}))
        self._watched[id(tensor)] = tensor

    # --- differentiation ------------------------------------------------------------------------
    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE):
        """Computes the gradient of `target` with respect to each of `sources`.

        A non-scalar target is differentiated as the sum of its elements (or weighted by
        `output_gradients`).

        Args:
            target: a tensor or nested structure of tensors.
            sources: a tensor, variable or nested structure of them.
            output_gradients: cotangents of the targets (same structure), default ones.
            unconnected_gradients: 'none' (default) gives None for a source the target does not
                depend on; 'zero' gives zeros.

        Returns:
            Gradients in the structure of `sources`; None for unconnected or integer sources.

        Raises:
            RuntimeError: if a non-persistent tape is asked twice.
        """
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one "
                               "set of gradients (or jacobians). Create it with "
                               "GradientTape(persistent=True) to call gradient() several times.")
        result = self._gradient(target, sources, output_gradients, unconnected_gradients)
        if not self._persistent:
            self._used = True
            self._records = []
        return result

    def _gradient(self, target, sources, output_gradients, unconnected_gradients):
        unconnected = _as_unconnected(unconnected_gradients)
        flat_sources = _flatten(sources)
        for s in flat_sources:
            if not isinstance(s, _LEAF):
                raise ValueError(f"GradientTape.gradient: sources must be tensors or variables, "
                                 f"received {type(s).__name__}.")
        raw_targets = _flatten(target)
        flat_targets = [convert_to_tensor(t) for t in raw_targets]
        if output_gradients is None:
            seeds = [_ones_like(t) for t in flat_targets]
        else:
            seeds = [convert_to_tensor(g, dtype=t.dtype) for g, t in
                     zip(nest.flatten(output_gradients), flat_targets)]
        # As TensorFlow: an integer target has no gradient (it contributes nothing).
        kept = [i for i, t in enumerate(flat_targets) if _differentiable(t)]
        if len(kept) != len(flat_targets):
            raw_targets = [raw_targets[i] for i in kept]
            flat_targets = [flat_targets[i] for i in kept]
            seeds = [seeds[i] for i in kept]
        keys = [id(s) for s in flat_sources if s._value.dtype.kind in "fc"]
        was_recording = self._recording
        self._pop()  # the backward pass is recorded by outer tapes only
        try:
            cotangents = backprop(self._records, flat_targets, seeds, keys)
        finally:
            if was_recording:
                self._push()
        results = []
        for s in flat_sources:
            g = cotangents.get(id(s)) if s._value.dtype.kind in "fc" else None
            for t, seed in zip(raw_targets, seeds):
                if t is s and isinstance(s, Variable):  # d v / d v: its seed (ones), as TF
                    g = seed if g is None else math_ops.add(g, seed)
            if g is None and unconnected is UnconnectedGradients.ZERO:
                g = array_ops.zeros(tuple(s.shape), dtype=s.dtype)
            results.append(g)
        return _pack(sources, flat_sources, results)

    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE,
                 parallel_iterations=None, experimental_use_pfor=True):
        """The Jacobian of `target` with respect to each source: shape `target.shape +
        source.shape`.

        Example:
        >>> x = fluxion.constant([1.0, 2.0])
        >>> with fluxion.GradientTape() as tape:
        ...     tape.watch(x)
        ...     y = x * x
        >>> tape.jacobian(y, x).numpy()
        array([[2., 0.],
               [0., 4.]], dtype=float32)
        """
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one "
                               "set of gradients (or jacobians).")
        target = convert_to_tensor(target)
        flat_sources = nest.flatten(sources)
        n = int(np.prod(target.shape, dtype=np.int64))
        rows = []
        for i in range(n):
            seed = np.zeros(n, dtype=target._value.dtype)
            seed[i] = 1
            seed = convert_to_tensor(seed.reshape(target._value.shape))
            rows.append(nest.flatten(self._gradient(target, flat_sources, seed,
                                                    unconnected_gradients)))
        out = []
        for j, s in enumerate(flat_sources):
            column = [r[j] for r in rows]
            if not column or column[0] is None:
                if unconnected_gradients in ("zero", UnconnectedGradients.ZERO) or n == 0:
                    out.append(array_ops.zeros(tuple(target.shape) + tuple(s.shape), s.dtype))
                else:
                    out.append(None)
                continue
            out.append(array_ops.reshape(array_ops.stack(column),
                                         tuple(target.shape) + tuple(s.shape)))
        if not self._persistent:
            self._used = True
        return nest.pack_sequence_as(sources, out)

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        """Per-example Jacobians: for target `(b, *t)` and source `(b, *s)`, shape `(b, *t, *s)`.

        Assumes example `i` of the target depends only on example `i` of the source.

        Example:
        >>> x = fluxion.constant([[1.0, 2.0], [3.0, 4.0]])
        >>> with fluxion.GradientTape() as tape:
        ...     tape.watch(x)
        ...     y = x * x
        >>> tape.batch_jacobian(y, x).shape
        TensorShape([2, 2, 2])
        """
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one "
                               "set of gradients (or jacobians).")
        target = convert_to_tensor(target)
        tshape, sshape = tuple(target.shape), tuple(source.shape)
        if not tshape or not sshape or tshape[0] != sshape[0]:
            raise ValueError(f"batch_jacobian: target and source need the same first (batch) "
                             f"dimension, received shapes {tshape} and {sshape}.")
        b = tshape[0]
        m = int(np.prod(tshape[1:], dtype=np.int64))
        columns = []
        for j in range(m):
            seed = np.zeros((b, m), dtype=target._value.dtype)
            seed[:, j] = 1
            g = self._gradient(target, source, convert_to_tensor(seed.reshape(tshape)),
                               unconnected_gradients)
            if g is None:
                if not self._persistent:
                    self._used = True
                return None
            columns.append(g)
        if not self._persistent:
            self._used = True
        if not columns:
            return array_ops.zeros(tshape + sshape[1:], source.dtype)
        return array_ops.reshape(array_ops.stack(columns, axis=1), tshape + sshape[1:])
