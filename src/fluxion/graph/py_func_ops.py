"""`py_function` and `numpy_function`: Python code as an op of a traced function.

Eagerly both simply call the Python function. Inside a `fluxion.function` they add a stateful
node whose kernel calls the Python function on every call of the graph (never only while
tracing). `py_function` passes Tensors and is differentiable (eagerly the tape sees the ops the
function runs; in a graph the gradient node runs the function again under a tape);
`numpy_function` passes NumPy arrays and has no gradient.

Inside a graph the outputs' static shapes are not known before the function runs: give `Tout`
as `TensorSpec`s to state them; otherwise each output is given the rank of the first input with
unknown sizes (a scalar if there are no inputs).
"""
import numpy as np

from ..autodiff.tape import GradientTape
from ..core import dtypes
from ..core.context import state
from ..core.tensor import Tensor, convert_to_tensor, wrap
from ..core.tensor_spec import TensorSpec
from ..ops.registry import OpDef, Spec, bind

__all__ = ["numpy_function", "py_function"]


def _out_array(value, dtype, op_name):
    array = np.asarray(value._value if isinstance(value, Tensor) else value)
    if isinstance(value, Tensor) and array.dtype != dtype:
        raise TypeError(f"{op_name}: the function returned a {array.dtype.name} tensor where "
                        f"Tout says {np.dtype(dtype).name}.")
    return np.asarray(array, dtype)


def _call(func, arrays, out_dtypes, as_tensors, op_name):
    args = [wrap(np.asarray(a)) if as_tensors else a for a in arrays]
    results = _results(func(*args), len(out_dtypes), op_name)
    return tuple(_out_array(r, d, op_name) for r, d in zip(results, out_dtypes))


def _results(result, count, op_name):
    """The function's return value as a list of `count` values (Tout's length)."""
    results = [] if result is None and not count else \
        list(result) if isinstance(result, (list, tuple)) else [result]
    if len(results) != count:
        raise ValueError(f"{op_name}: the function returned {len(results)} values but Tout "
                         f"lists {count}.")
    return results


def _kernel(*arrays, func, out_specs, op_name):
    return _call(func, arrays, [s.dtype for s in out_specs], op_name == "py_function", op_name)


def _infer(*specs, func, out_specs, op_name):
    return tuple(out_specs)


def _py_vjp(cotangents, *rest, func, out_specs, op_name):
    inputs = rest[:-1]
    floats = [i for i, x in enumerate(inputs) if x._value.dtype.kind in "fc"]
    n = len(inputs)

    def grad_func(*args):
        xs, gs = list(args[:n]), list(args[n:])
        with GradientTape() as tape:
            tape.watch([xs[i] for i in floats])
            ys = func(*xs)
        ys = [] if ys is None else list(ys) if isinstance(ys, (list, tuple)) else [ys]
        pairs = [(y, g) for y, g in zip(ys, gs) if isinstance(y, Tensor) and
                 y._value.dtype.kind in "fc"]
        grads = tape.gradient([y for y, _ in pairs], [xs[i] for i in floats],
                              output_gradients=[g for _, g in pairs],
                              unconnected_gradients="zero") if pairs else \
            [convert_to_tensor(np.zeros_like(xs[i]._value)) for i in floats]
        return grads

    specs = tuple(Spec(tuple(inputs[i]._value.shape), inputs[i]._value.dtype) for i in floats)
    grads = iter(bind(_PY_FUNCTION, *inputs, *cotangents, func=grad_func, out_specs=specs,
                      op_name="py_function")) if floats else iter(())
    return tuple(next(grads) if i in floats else None for i in range(n))


_PY_FUNCTION = OpDef("py_function", _kernel, _infer, _py_vjp, num_outputs=None, stateful=True)
_NUMPY_FUNCTION = OpDef("numpy_function", _kernel, _infer, num_outputs=None, stateful=True)


def _specs(op_name, Tout, inputs):  # noqa: N803 - TensorFlow's argument name
    single = not isinstance(Tout, (list, tuple))
    touts = [Tout] if single else list(Tout)
    rank = len(inputs[0]._value.shape) if inputs else 0
    specs = []
    for t in touts:
        if isinstance(t, TensorSpec):
            specs.append(Spec(tuple(t.shape.as_list()), t.dtype._np))
        else:
            specs.append(Spec((None,) * rank, dtypes.as_dtype(t)._np))
    return single, specs


def _run(op, op_name, func, inp, Tout):  # noqa: N803
    inputs = [convert_to_tensor(x) for x in inp]
    single, specs = _specs(op_name, Tout, inputs)
    if state.tracer is None:
        if op is _PY_FUNCTION:  # eager: the tape sees the function's own ops
            results = _results(func(*inputs), len(specs), op_name)
            outs = []
            for r, s in zip(results, specs):
                if isinstance(r, Tensor) and r._value.dtype != s.dtype:
                    raise TypeError(f"{op_name}: the function returned a "
                                    f"{r._value.dtype.name} tensor where Tout says "
                                    f"{np.dtype(s.dtype).name}.")
                outs.append(convert_to_tensor(r, dtype=dtypes.as_dtype(s.dtype)))
        else:
            outs = [wrap(a) for a in _call(func, [x._value for x in inputs],
                                           [s.dtype for s in specs], False, op_name)]
    else:
        outs = list(bind(op, *inputs, func=func, out_specs=tuple(specs), op_name=op_name))
    return outs[0] if single else outs


def py_function(func=None, inp=None, Tout=None, name=None):  # noqa: N803
    """Calls `func(*inp)` on Tensors, also inside a `fluxion.function` (on every call).

    Args:
        func: a Python function of Tensors returning a tensor or a list of them.
        inp: the input tensors.
        Tout: the output dtype (one tensor returned) or a list of dtypes (a list returned);
            `TensorSpec`s also give the static shapes in a graph.

    Gradients flow through it to `inp`.

    Example:
    >>> fluxion.py_function(lambda a: a * 2.0, [fluxion.constant(3.0)], fluxion.float32)
    <tf.Tensor: shape=(), dtype=float32, numpy=6.0>
    """
    return _run(_PY_FUNCTION, "py_function", func, inp or [], Tout)


def numpy_function(func=None, inp=None, Tout=None, stateful=True, name=None):  # noqa: N803
    """Calls `func(*arrays)` on NumPy arrays, also inside a `fluxion.function` (on every call).

    Args:
        func: a Python function of ndarrays returning an array or a list of them.
        inp: the input tensors (or arrays).
        Tout: the output dtype or a list of dtypes; results are converted to them.
        stateful: accepted (the call is always kept and never merged with another).

    No gradient flows through it.

    Example:
    >>> fluxion.numpy_function(lambda a: a * 2, [np.float32(3.0)], fluxion.float32)
    <tf.Tensor: shape=(), dtype=float32, numpy=6.0>
    """
    return _run(_NUMPY_FUNCTION, "numpy_function", func, inp or [], Tout)
