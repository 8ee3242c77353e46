"""Fused optimizer updates of many variables at once (as TensorFlow's `ResourceApply*` ops).

Eagerly they update the variables' arrays in place; inside a traced function they become one
`VariableUpdate` node, which the executor runs the same way. Optimizers use them when every
variable has the same dtype (Keras's `Adam` does).
"""
import numpy as np

from ..core.context import state
from ..core.tensor import convert_to_tensor
from ..core.variable import writable_arrays
from ..kernels import training as K


class VariableUpdate:
    """An op that updates variables in place: `kernel(arrays, *inputs, **attrs)`, `arrays` those
    of the node's attr `variables`. Stateful, so graph passes keep it and its order."""

    stateful = True

    def __init__(self, name, kernel):
        self.name = name
        self.kernel = kernel

    def __repr__(self):
        return self.name


def _adam_kernel(arrays, *inputs, beta_1, beta_2, epsilon):
    count = len(inputs) - 1
    K.adam(arrays[:count], arrays[count:2 * count], arrays[2 * count:], inputs[:count],
           inputs[count], beta_1, beta_2, epsilon)


APPLY_ADAM = VariableUpdate("apply_adam", _adam_kernel)


def apply_adam(variables, moments, velocities, grads, alpha, beta_1, beta_2, epsilon):
    """One Adam step for every variable (see `kernels.training.adam`), in place.

    Args:
        variables, moments, velocities: lists of Variables of one float dtype and matching
            shapes (the weights and their two slots).
        grads: one gradient per variable, of its shape and dtype.
        alpha: the bias-corrected learning rate, a scalar tensor.
        beta_1, beta_2, epsilon: Python floats.

    Raises:
        ValueError: if the lists differ in length, or a gradient's shape or dtype differs from
            its variable's.

    Example:
    >>> w, m, v = (fluxion.Variable([1.0]) for _ in range(3))
    >>> apply_adam([w], [m], [v], [fluxion.constant([1.0])], fluxion.constant(0.1),
    ...            0.9, 0.999, 1e-7)
    """
    variables, moments, velocities = list(variables), list(moments), list(velocities)
    if not len(variables) == len(moments) == len(velocities) == len(grads):
        raise ValueError(f"apply_adam: expected as many moments, velocities and gradients as "
                         f"variables ({len(variables)}), received {len(moments)}, "
                         f"{len(velocities)} and {len(grads)}.")
    dtype = variables[0].dtype
    grads = [convert_to_tensor(g, dtype=dtype) for g in grads]
    for var, grad in zip(variables, grads):
        if tuple(grad.shape) != tuple(var.shape) or grad.dtype != var.dtype:
            raise ValueError(f"apply_adam: the gradient of variable '{var.name}' must have "
                             f"shape {tuple(var.shape)} and dtype {var.dtype.name}, received "
                             f"shape {tuple(grad.shape)} and dtype {grad.dtype.name}.")
    alpha = convert_to_tensor(alpha, dtype=dtype)
    everything = variables + moments + velocities
    attrs = {"beta_1": float(beta_1), "beta_2": float(beta_2), "epsilon": float(epsilon)}
    if state.tracer is not None:
        state.tracer.update_variables(APPLY_ADAM, everything, (*grads, alpha), attrs)
        return
    _adam_kernel(writable_arrays(everything), *[np.asarray(g._value) for g in grads],
                 alpha._value, **attrs)
