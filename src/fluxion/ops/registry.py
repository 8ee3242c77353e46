"""The primitive-op registry and `bind`, the one entry point every computation goes through.

A primitive is declared once as an `OpDef`:

- `kernel(*arrays, **attrs)`: the NumPy computation;
- `infer(*specs, **attrs)`: the shape/dtype rule over `Spec`s (shape tuples may hold None); it also
  validates arguments, so its messages are the op's error messages;
- `vjp(cotangent, inputs, output, **attrs)`: the gradient rule, written with fluxion ops so that
  gradients are differentiable again. Returns one gradient (or None) per input; a costly one may
  be returned as a zero-argument function, which the tape calls only if that input needs it.
  For ops with several outputs, `cotangent` and `output` are tuples.

`bind` runs the kernel eagerly (and records the call on any tape watching an input), or hands the
call to the tracer of an enclosing `fluxion.function`. `bind_unary`/`bind_binary` are the same
for one or two inputs with attributes by position: the eager fast path of hot public functions,
which calls the kernel without keyword unpacking and builds the attribute dict only for a tape,
a trace or an error message.
"""
import types
from typing import Callable, NamedTuple, Optional

import numpy as np

from ..core.context import state
from ..core.errors import OpError, invalid_argument
from ..core.tensor import Tensor, wrap

_new_tensor = object.__new__
_UNSET = object()  # an attribute not given to bind_unary/bind_binary

REGISTRY = {}


class Spec(NamedTuple):
    """The static description of a value: its shape (None for unknown dims) and np.dtype."""
    shape: tuple
    dtype: object


class OpDef:
    """One primitive op: kernel, shape/dtype rule and gradient rule. See the module docstring."""

    __slots__ = ("name", "kernel", "infer", "vjp", "num_outputs", "differentiable", "stateful",
                 "out_kernel", "params")

    def __init__(self, name, kernel, infer, vjp=None, num_outputs=1, stateful=False,
                 out_kernel=None):
        """`num_outputs`: 1 for a single Tensor, n > 1 or None (any number) for a tuple.
        `stateful`: the kernel has effects or draws random numbers, so graph passes must neither
        merge two calls nor evaluate one ahead of time.
        `out_kernel`: the kernel with an `out=` keyword writing the result into a given array,
        which lets compiled graphs reuse buffers (NumPy ufunc kernels have it already)."""
        if name in REGISTRY:
            raise ValueError(f"Op '{name}' is already registered.")
        self.name = name
        self.kernel = kernel
        self.infer: Callable = _raising_invalid_argument(infer)
        self.vjp: Optional[Callable] = vjp
        self.num_outputs = num_outputs
        self.differentiable = vjp is not None
        self.stateful = stateful
        if out_kernel is None and isinstance(kernel, np.ufunc) and kernel.nout == 1:
            out_kernel = kernel
        self.out_kernel = out_kernel
        # The kernel's positional parameter names: they name the attributes that bind_unary
        # and bind_binary pass by position (for tapes, traces and error messages).
        self.params = _positional_params(kernel)
        REGISTRY[name] = self

    def __repr__(self):
        return f"OpDef({self.name})"

    def explain(self, exc, inputs, attrs):
        """Turns a kernel's NumPy exception into an error that names this op and its inputs.

        A kernel that checks its data (indices in range, say) raises an `InvalidArgument*Error`
        (core/errors.py) with a complete message: that error is raised as it is."""
        if isinstance(exc, OpError):
            return exc
        specs = [Spec(tuple(t._value.shape), t._value.dtype) for t in inputs]
        try:
            self.infer(*specs, **attrs)
        except (ValueError, TypeError, IndexError) as rule_error:
            return rule_error
        shapes = ", ".join(f"{tuple(s.shape)} {s.dtype}" for s in specs)
        return invalid_argument(type(exc)(f"{self.name}: failed on inputs of shapes/dtypes "
                                          f"[{shapes}] with {_attrs_str(attrs)}: {exc}"))


def _raising_invalid_argument(infer):
    """Wraps a shape/dtype rule so that its ValueError/TypeError/IndexError is raised as the
    matching `InvalidArgumentError` flavour (still a ValueError, ...): see core/errors.py."""
    def rule(*specs, **attrs):
        try:
            return infer(*specs, **attrs)
        except (ValueError, TypeError, IndexError) as error:
            raise invalid_argument(error) from None

    rule.__dict__.update(getattr(infer, "__dict__", {}))
    rule.__name__ = getattr(infer, "__name__", "infer")
    rule.__doc__ = infer.__doc__
    rule.rule = infer  # the unwrapped rule
    return rule


def _positional_params(kernel):
    """The names of `kernel`'s leading positional-or-keyword parameters (a C function: ())."""
    code = getattr(kernel, "__code__", None)  # read directly: `inspect` costs 10 ms of import
    if code is None or not isinstance(kernel, types.FunctionType) or code.co_posonlyargcount:
        return ()
    return code.co_varnames[:code.co_argcount]


def _attrs_str(attrs):
    return ", ".join(f"{k}={v!r}" for k, v in attrs.items()) or "no attributes"


def bind(op, *inputs, **attrs):
    """Applies primitive `op` to tensors `inputs`; returns a Tensor (or a tuple of them).

    Inputs must already be Tensors (public op functions convert their arguments first). Eager
    calls run the kernel and nothing else: `infer` (the validation) runs only if the kernel
    raises, to explain the error, and tapes see the call only while one is recording.
    """
    if state.tracer is not None:
        return _bind_traced(op, inputs, attrs)
    try:
        if len(inputs) == 1:
            out = op.kernel(inputs[0]._value, **attrs) if attrs else op.kernel(inputs[0]._value)
        elif len(inputs) == 2:
            out = op.kernel(inputs[0]._value, inputs[1]._value, **attrs)
        else:
            out = op.kernel(*[t._value for t in inputs], **attrs)
    except (ValueError, TypeError, IndexError) as exc:
        raise op.explain(exc, inputs, attrs) from None
    if op.num_outputs == 1:
        tensor = _new_tensor(Tensor)  # wrap(out), inlined: this is the eager hot path
        tensor._value = out
        out = tensor
    else:
        out = tuple(map(wrap, out))
    if state.tapes and op.differentiable:
        _record(op, inputs, out, attrs)
    return out


def bind_unary(op, x, a=_UNSET, b=_UNSET):
    """`bind(op, x, **attrs)` for a single-output op, with up to two attributes given by
    position in the order of the kernel's parameters (so the kernel must be a Python function).

    The eager fast path of hot public functions: it calls the kernel without keyword unpacking,
    which costs more than a tiny op's whole computation, and builds the attribute dict only for
    a tape, a trace or an error.

    Example:
    >>> bind_unary(REGISTRY["reduce_sum"], fluxion.constant([1.0, 2.0]), None, False)
    <tf.Tensor: shape=(), dtype=float32, numpy=3.0>
    """
    if state.tracer is None:
        try:
            if a is _UNSET:
                out = op.kernel(x._value)
            elif b is _UNSET:
                out = op.kernel(x._value, a)
            else:
                out = op.kernel(x._value, a, b)
        except (ValueError, TypeError, IndexError) as exc:
            raise op.explain(exc, (x,), _attrs_dict(op, 1, a, b)) from None
        tensor = _new_tensor(Tensor)
        tensor._value = out
        if not state.tapes:
            return tensor
        return _record(op, (x,), tensor, _attrs_dict(op, 1, a, b))
    return bind(op, x, **_attrs_dict(op, 1, a, b))


def bind_binary(op, x, y, a=_UNSET, b=_UNSET):
    """`bind(op, x, y, **attrs)` with up to two attributes by position: see `bind_unary`.

    Example:
    >>> m = fluxion.constant([[1.0, 2.0], [3.0, 4.0]])
    >>> bind_binary(REGISTRY["matmul"], m, m, False, True).shape
    TensorShape([2, 2])
    """
    if state.tracer is None:
        try:
            if a is _UNSET:
                out = op.kernel(x._value, y._value)
            elif b is _UNSET:
                out = op.kernel(x._value, y._value, a)
            else:
                out = op.kernel(x._value, y._value, a, b)
        except (ValueError, TypeError, IndexError) as exc:
            raise op.explain(exc, (x, y), _attrs_dict(op, 2, a, b)) from None
        tensor = _new_tensor(Tensor)
        tensor._value = out
        if not state.tapes:
            return tensor
        return _record(op, (x, y), tensor, _attrs_dict(op, 2, a, b))
    return bind(op, x, y, **_attrs_dict(op, 2, a, b))


def _attrs_dict(op, num_inputs, a, b):
    """The keyword form of attributes `a`, `b` given by position to `op`'s kernel."""
    if a is _UNSET:
        return {}
    names = op.params[num_inputs:num_inputs + (1 if b is _UNSET else 2)]
    if b is _UNSET and len(names) == 1:
        return {names[0]: a}
    if len(names) == 2:
        return {names[0]: a, names[1]: b}
    raise TypeError(f"{op.name}: its kernel does not take the attributes given by position "
                    f"(it has parameters {op.params}).")


def _record(op, inputs, out, attrs):
    if op.differentiable:
        for tape in state.tapes:
            tape._record(op, inputs, out, attrs)
    return out


def _bind_traced(op, inputs, attrs):
    out = state.tracer.bind(op, inputs, attrs)
    if state.tapes and op.differentiable:  # a tape inside a traced function
        _record(op, inputs, out, attrs)
    return out


def bind_symbolic(op, specs, attrs):
    """Applies `op`'s shape/dtype rule to input Specs; returns a Spec or a tuple of Specs."""
    return op.infer(*specs, **attrs)


def check_all_registered(names):
    """Returns the registry names not in `names` (used by the op tests' coverage check)."""
    return sorted(set(REGISTRY) - set(names))


__all__ = ["OpDef", "Spec", "bind", "bind_binary", "bind_unary", "REGISTRY", "Tensor"]
