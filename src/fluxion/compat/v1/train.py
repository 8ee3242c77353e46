"""TF 1.x symbolic gradients and optimizers (`tf.gradients`, `tf.train.*Optimizer`).

`gradients(ys, xs)` differentiates the graph itself: its nodes, in build order, are exactly the
records a GradientTape would have kept, so the tape's reverse walk (`autodiff.tape.backprop`) runs
over them, and the vjp rules (written with fluxion ops) add the backward nodes to the same graph.
A variable's gradient sums the cotangents of all its reads.
"""
import numpy as np

from ...autodiff.tape import backprop
from ...core.dtypes import int64
from ...core.tensor import SymbolicTensor, Tensor, convert_to_tensor
from ...core.variable import Variable as _CoreVariable
from ...graph import ir
from ...ops import array_ops, math_ops
from .graph import Operation, building_graph
from .variables import Variable, trainable_variables

GLOBAL_STEP = "global_step"


def _graph_or_raise(what):
    graph = building_graph()
    if graph is None:
        raise RuntimeError(f"{what} is not supported when eager execution is enabled. Use "
                           "tf.GradientTape instead, or call tf.disable_eager_execution() first.")
    return graph


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def gradients(ys, xs, grad_ys=None, name="gradients", colocate_gradients_with_ops=False,
              gate_gradients=False, aggregation_method=None, stop_gradients=None,
              unconnected_gradients="none"):
    """Symbolic derivatives of `sum(ys)` with respect to each of `xs`, as graph tensors.

    Args:
        ys: a graph tensor or a list of them.
        xs: graph tensors and/or variables (one or a list).
        grad_ys: the cotangents of `ys` (default ones).
        unconnected_gradients: 'none' (default: None for an x that ys do not depend on) or
            'zero'.

    Returns:
        A list with one gradient tensor (or None) per x.

    Example:
    >>> x = tf.placeholder(tf.float32, shape=())  # doctest: +SKIP
    >>> (g,) = tf.gradients(x * x, [x])  # doctest: +SKIP
    >>> sess.run(g, {x: 3.0})  # doctest: +SKIP
    np.float32(6.0)
    """
    graph = _graph_or_raise("tf.gradients")
    targets = [convert_to_tensor(y) for y in _as_list(ys)]
    seeds = [array_ops.ones_like(t) for t in targets] if grad_ys is None else \
        [convert_to_tensor(g, dtype=t.dtype) for g, t in zip(_as_list(grad_ys), targets)]
    nodes = list(graph.ir.nodes)
    keys = []
    for x in _as_list(xs):
        if isinstance(x, _CoreVariable):
            keys.append([id(n.outputs[0]) for n in nodes if n.op is ir.READ_VARIABLE
                         and n.attrs["variable"] is x])
        elif isinstance(x, SymbolicTensor):
            keys.append([id(x)])
        else:
            raise TypeError(f"tf.gradients: xs must be graph tensors or variables, received "
                            f"{x!r}.")
    live = {k for ks in keys for k in ks}
    records = []
    for node in nodes:
        if isinstance(node.op, ir.Special) or not node.op.differentiable:
            continue
        if any(id(v) in live for v in node.inputs):
            records.append(node)
            live.update(id(v) for v in node.outputs if v._value.dtype.kind in "fc")
    cotangents = backprop(records, targets, seeds, {k for ks in keys for k in ks})
    results = []
    for x, ks in zip(_as_list(xs), keys):
        parts = [cotangents[k] for k in ks if k in cotangents]
        if not parts:
            g = array_ops.zeros_like(x) if unconnected_gradients == "zero" else None
        else:
            g = parts[0] if len(parts) == 1 else math_ops.add_n(parts)
        results.append(g)
    return results


class Optimizer:
    """The TF 1.x optimizer interface: `compute_gradients`, `apply_gradients`, `minimize`.

    Subclasses implement `_create_slots(var_list)`, `_apply_dense(grad, var)` (adding
    assignments through `self._assign`) and optionally `_finish()`.
    """

    def __init__(self, use_locking=False, name="Optimizer"):
        self._name = name
        self._slots = {}

    def get_name(self):
        return self._name

    def _assign(self, var, mode, value):
        var.graph._builder.assign_variable(var, mode, value)

    def _zeros_slot(self, var, slot_name, op_name):
        key = (slot_name, id(var))
        if key not in self._slots:
            graph = var.graph
            self._slots[key] = Variable(np.zeros(var.shape, var.dtype._np), trainable=False,
                                        name=graph.unique_name(f"{var._name}/{op_name}"),
                                        _exact_name=True)
        return self._slots[key]

    def get_slot(self, var, name):
        """The slot variable `name` (e.g. 'm', 'v', 'momentum') kept for `var`, or None."""
        return self._slots.get((name, id(var)))

    def get_slot_names(self):
        return sorted({name for name, _ in self._slots})

    def compute_gradients(self, loss, var_list=None, gate_gradients=1, aggregation_method=None,
                          colocate_gradients_with_ops=False, grad_loss=None):
        """A list of (gradient, variable) pairs for `var_list` (default: the trainable
        variables); gradients are graph tensors, None where `loss` does not depend on a
        variable."""
        _graph_or_raise("Optimizer.compute_gradients")
        var_list = trainable_variables() if var_list is None else list(var_list)
        if not var_list:
            raise ValueError("No variables to optimize.")
        grads = gradients(loss, var_list, grad_ys=None if grad_loss is None else [grad_loss])
        return list(zip(grads, var_list))

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """An operation that applies the gradients (and increments `global_step`)."""
        graph = _graph_or_raise("Optimizer.apply_gradients")
        pairs = [(g, v) for g, v in grads_and_vars if g is not None]
        if not pairs:
            raise ValueError("No gradients provided for any variable: "
                             f"{[v.name for _, v in grads_and_vars]}.")
        for _, v in pairs:
            if getattr(v, "graph", None) is not graph:
                raise TypeError(f"{self._name}: variable '{v.name}' is not a variable of the "
                                "current graph (use tf.Variable or tf.get_variable in graph "
                                "mode).")
        self._create_slots([v for _, v in pairs])
        start = len(graph.ir.nodes)
        for g, v in pairs:
            self._apply_dense(math_ops.cast(g, v.dtype) if g.dtype != v.dtype else g, v)
        self._finish()
        if global_step is not None:
            self._assign(global_step, "assign_add",
                         convert_to_tensor(1, dtype=global_step.dtype))
        nodes = [n for n in graph.ir.nodes[start:] if n.op in ir.ASSIGN.values()]
        return Operation(nodes, graph.unique_name(name or self._name), graph)

    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=1,
                 aggregation_method=None, colocate_gradients_with_ops=False, name=None,
                 grad_loss=None):
        """An operation that takes one optimisation step on `loss`: `compute_gradients`, then
        `apply_gradients`.

        Raises:
            ValueError: if no variable in `var_list` gets a gradient.

        Example:
        >>> train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)  # doctest: +SKIP
        >>> sess.run(train_op, feed_dict={x: xs, y: ys})  # doctest: +SKIP
        """
        pairs = self.compute_gradients(loss, var_list, grad_loss=grad_loss)
        if all(g is None for g, _ in pairs):
            raise ValueError("No gradients provided for any variable, check your graph for ops "
                             "that do not support gradients, between variables "
                             f"{[v.name for _, v in pairs]} and loss {loss!r}.")
        return self.apply_gradients(pairs, global_step=global_step, name=name)

    def _create_slots(self, var_list):
        pass

    def _finish(self):
        pass

    def _lr(self, var):
        lr = self._learning_rate
        if isinstance(lr, Tensor):
            return lr if lr.dtype == var.dtype else math_ops.cast(lr, var.dtype)
        return convert_to_tensor(lr, dtype=var.dtype)


class GradientDescentOptimizer(Optimizer):
    """Plain gradient descent: `var -= learning_rate * grad`.

    Example:
    >>> opt = tf.train.GradientDescentOptimizer(learning_rate=0.01)  # doctest: +SKIP
    """

    def __init__(self, learning_rate, use_locking=False, name="GradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate

    def _apply_dense(self, grad, var):
        self._assign(var, "assign_sub", self._lr(var) * grad)


class MomentumOptimizer(Optimizer):
    """Momentum: `accum = momentum * accum + grad; var -= lr * accum` (Nesterov:
    `var -= lr * (grad + momentum * accum)`)."""

    def __init__(self, learning_rate, momentum, use_locking=False, name="Momentum",
                 use_nesterov=False):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._momentum = momentum
        self._nesterov = use_nesterov

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "momentum", self._name)

    def _apply_dense(self, grad, var):
        accum = self._momentum * self.get_slot(var, "momentum") + grad
        self._assign(self.get_slot(var, "momentum"), "assign", accum)
        step = grad + self._momentum * accum if self._nesterov else accum
        self._assign(var, "assign_sub", self._lr(var) * step)


class AdamOptimizer(Optimizer):
    """Adam as TF 1.x computes it: `lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)`,
    `m = beta1 m + (1 - beta1) g`, `v = beta2 v + (1 - beta2) g^2`,
    `var -= lr_t m / (sqrt(v) + epsilon)`; slots 'm' and 'v', and the variables
    beta1_power/beta2_power.

    Example:
    >>> train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)  # doctest: +SKIP
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08,
                 use_locking=False, name="Adam"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._beta1, self._beta2, self._epsilon = beta1, beta2, epsilon
        self._powers = None

    def _create_slots(self, var_list):
        first = var_list[0]
        if self._powers is None:
            graph = first.graph
            self._powers = tuple(
                Variable(np.asarray(beta, first.dtype._np), trainable=False,
                         name=graph.unique_name(f"{name}"), _exact_name=True)
                for beta, name in ((self._beta1, "beta1_power"), (self._beta2, "beta2_power")))
        for v in var_list:
            self._zeros_slot(v, "m", self._name)
            self._zeros_slot(v, "v", self._name)

    def _apply_dense(self, grad, var):
        b1, b2 = self._beta1, self._beta2
        b1_power, b2_power = (math_ops.cast(p.read_value(), var.dtype) for p in self._powers)
        lr_t = self._lr(var) * math_ops.sqrt(1.0 - b2_power) / (1.0 - b1_power)
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        m_t = b1 * m + (1.0 - b1) * grad
        v_t = b2 * v + (1.0 - b2) * grad * grad
        self._assign(m, "assign", m_t)
        self._assign(v, "assign", v_t)
        self._assign(var, "assign_sub", lr_t * m_t / (math_ops.sqrt(v_t) + self._epsilon))

    def _finish(self):
        for p, beta in zip(self._powers, (self._beta1, self._beta2)):
            self._assign(p, "assign", p.read_value() * beta)


def get_global_step(graph=None):
    """The graph's global step variable, or None."""
    graph = graph or building_graph()
    steps = graph.get_collection(GLOBAL_STEP) if graph is not None else []
    return steps[0] if steps else None


def get_or_create_global_step(graph=None):
    """The graph's global step (an int64 counter that `minimize(global_step=...)` increments),
    created at 0 on first use."""
    graph = graph or _graph_or_raise("get_or_create_global_step")
    step = get_global_step(graph)
    if step is None:
        step = Variable(np.asarray(0, np.int64), trainable=False, dtype=int64,
                        name=graph.unique_name("global_step"), _exact_name=True)
        graph.add_to_collection(GLOBAL_STEP, step)
    return step


create_global_step = get_or_create_global_step

__all__ = ["AdamOptimizer", "GradientDescentOptimizer", "MomentumOptimizer", "Optimizer",
           "create_global_step", "get_global_step", "get_or_create_global_step"]
