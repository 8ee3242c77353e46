"""Fused optimizer updates of many variables at once (as TensorFlow's `ResourceApply*` ops).

Eagerly they update the variables' arrays in place; inside a traced function they become one
`VariableUpdate` node, which the executor runs the same way. Every built-in Keras optimizer
updates its variables through `apply_update`, one call per dtype.
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


def _update_kernel(rule):
    def kernel(arrays, *inputs, slot_names, scalar_names, **hyper):
        count = len(inputs) - len(scalar_names)
        roles = [arrays[i:i + count] for i in range(0, len(arrays), count)]
        K.update(rule, roles[0], inputs[:count], dict(zip(slot_names, roles[1:])),
                 dict(zip(scalar_names, inputs[count:])), hyper)
    return kernel


UPDATES = {rule: VariableUpdate(f"apply_{rule}", _update_kernel(rule)) for rule in K.RULES}


def apply_update(rule, variables, grads, slots, scalars, **hyper):
    """One optimizer step of every variable, in place: `kernels.training.RULES[rule]`.

    Args:
        rule: "sgd", "rmsprop", "adagrad", "adadelta", "adam", "adamax" or "nadam".
        variables: a list of Variables of one float dtype.
        grads: one gradient per variable, of its shape and dtype.
        slots: dict slot name -> list of Variables, one per variable, of its shape and dtype
            (the optimizer's state, e.g. Adam's "momentum" and "velocity").
        scalars: dict name -> scalar tensor that may change from step to step (e.g. "lr").
        **hyper: the rule's constant hyper-parameters (Python floats and bools).

    Raises:
        ValueError: if a gradient or slot has another shape or dtype than its variable.

    Example:
    >>> w, m = fluxion.Variable([1.0]), fluxion.Variable([0.0])
    >>> apply_update("sgd", [w], [fluxion.constant([1.0])], {"momentum": [m]},
    ...              {"lr": fluxion.constant(0.1)}, momentum_rate=0.9, nesterov=False)
    >>> w.numpy()
    array([0.9], dtype=float32)
    """
    op = UPDATES[rule]
    variables = list(variables)
    dtype = variables[0].dtype
    grads = [convert_to_tensor(g, dtype=dtype) for g in grads]
    _check_like(op, "gradient", variables, grads)
    for name, values in slots.items():
        _check_like(op, f"{name!r} slot", variables, values)
    everything = variables + [v for values in slots.values() for v in values]
    inputs = (*grads, *(convert_to_tensor(x, dtype=dtype) for x in scalars.values()))
    attrs = {"slot_names": tuple(slots), "scalar_names": tuple(scalars), **hyper}
    if state.tracer is not None:
        state.tracer.update_variables(op, everything, inputs, attrs)
        return
    op.kernel(writable_arrays(everything), *[np.asarray(x._value) for x in inputs], **attrs)


def _check_like(op, what, variables, values):
    if len(values) != len(variables):
        raise ValueError(f"{op.name}: expected one {what} per variable ({len(variables)}), "
                         f"received {len(values)}.")
    for var, value in zip(variables, values):
        if tuple(value.shape) != tuple(var.shape) or value.dtype != var.dtype:
            raise ValueError(f"{op.name}: the {what} of variable '{var.name}' must have "
                             f"shape {tuple(var.shape)} and dtype {var.dtype.name}, received "
                             f"shape {tuple(value.shape)} and dtype {value.dtype.name}.")
