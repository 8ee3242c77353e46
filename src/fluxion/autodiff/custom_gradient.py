"""`custom_gradient`: define a function's gradient by hand (TensorFlow's decorator)."""
import functools

from ..core import nest
from ..core.context import state
from ..core.tensor import Tensor, convert_to_tensor
from ..core.variable import Variable
from .tape import GradientTape


class _CustomOp:
    """A one-off op recorded on the tape for one call of a `custom_gradient` function."""

    __slots__ = ("name", "num_outputs", "vjp", "differentiable")

    def __init__(self, name, num_outputs, vjp):
        self.name, self.num_outputs, self.vjp = name, num_outputs, vjp
        self.differentiable = True


def custom_gradient(f):
    """Decorator: `f(*x)` returns `(y, grad_fn)`, and `grad_fn(*dy)` gives the gradients of x.

    If `f` reads trainable variables, `grad_fn` must take a `variables=` keyword argument and
    return `(input_gradients, variable_gradients)`.

    Example:
    >>> @fluxion.custom_gradient
    ... def clipped_identity(x):
    ...     def grad(dy):
    ...         return fluxion.clip_by_value(dy, -1.0, 1.0)
    ...     return fluxion.identity(x), grad
    >>> x = fluxion.constant(2.0)
    >>> with fluxion.GradientTape() as tape:
    ...     tape.watch(x)
    ...     y = clipped_identity(x) * 10.0
    >>> tape.gradient(y, x)
    <tf.Tensor: shape=(), dtype=float32, numpy=1.0>
    """

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        args = nest.map_structure(
            lambda a: convert_to_tensor(a) if isinstance(a, (Variable,)) else a, args)
        inputs = [a for a in nest.flatten(args) if isinstance(a, Tensor)]
        outer_tapes = state.tapes
        state.tapes = []
        try:
            with GradientTape() as variable_watcher:
                result, grad_fn = f(*args, **kwargs)
        finally:
            state.tapes = outer_tapes
        variables = list(variable_watcher.watched_variables())
        flat_outputs = [convert_to_tensor(y) for y in nest.flatten(result)]
        if not outer_tapes:
            return result

        def vjp(cotangents, *inputs_and_outputs):
            cots = cotangents if isinstance(cotangents, tuple) else (cotangents,)
            if variables:
                input_grads, variable_grads = grad_fn(*cots, variables=variables)
            else:
                input_grads, variable_grads = grad_fn(*cots), []
            input_grads = list(input_grads) if isinstance(input_grads, (list, tuple)) \
                else [input_grads]
            if len(input_grads) != len(inputs):
                raise ValueError(f"custom_gradient '{f.__name__}': the gradient function "
                                 f"returned {len(input_grads)} gradients for {len(inputs)} "
                                 "tensor inputs.")
            return input_grads + list(variable_grads)

        op = _CustomOp(f.__name__, 1 if len(flat_outputs) == 1 else None, vjp)
        recorded_outputs = flat_outputs[0] if len(flat_outputs) == 1 else tuple(flat_outputs)
        for tape in outer_tapes:
            for v in variables:
                if tape._watch_accessed_variables and v.trainable:
                    tape._watch_variable(v)
            tape._record(op, tuple(inputs) + tuple(variables), recorded_outputs, {})
        return nest.pack_sequence_as(result, flat_outputs)

    return wrapper
