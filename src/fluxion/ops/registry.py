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
call to the tracer of an enclosing `fluxion.function`.
"""
from typing import Callable, NamedTuple, Optional

import numpy as np

from ..core.context import state
from ..core.tensor import Tensor, wrap

_new_tensor = object.__new__

REGISTRY = {}


class Spec(NamedTuple):
    """The static description of a value: its shape (None for unknown dims) and np.dtype."""
    shape: tuple
    dtype: object


class OpDef:
    """One primitive op: kernel, shape/dtype rule and gradient rule. See the module docstring."""

    __slots__ = ("name", "kernel", "infer", "vjp", "num_outputs", "differentiable", "stateful",
                 "out_kernel")

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
        self.infer: Callable = infer
        self.vjp: Optional[Callable] = vjp
        self.num_outputs = num_outputs
        self.differentiable = vjp is not None
        self.stateful = stateful
        if out_kernel is None and isinstance(kernel, np.ufunc) and kernel.nout == 1:
            out_kernel = kernel
        self.out_kernel = out_kernel
        REGISTRY[name] = self

    def __repr__(self):
        return f"OpDef({self.name})"

    def explain(self, exc, inputs, attrs):
        """Turns a kernel's NumPy exception into an error that names this op and its inputs."""
        specs = [Spec(tuple(t._value.shape), t._value.dtype) for t in inputs]
        try:
            self.infer(*specs, **attrs)
        except (ValueError, TypeError, IndexError) as rule_error:
            return rule_error
        shapes = ", ".join(f"{tuple(s.shape)} {s.dtype}" for s in specs)
        return type(exc)(f"{self.name}: failed on inputs of shapes/dtypes [{shapes}] "
                         f"with {_attrs_str(attrs)}: {exc}")


def _attrs_str(attrs):
    return ", ".join(f"{k}={v!r}" for k, v in attrs.items()) or "no attributes"


def bind(op, *inputs, **attrs):
    """Applies primitive `op` to tensors `inputs`; returns a Tensor (or a tuple of them).

    Inputs must already be Tensors (public op functions convert their arguments first).
    """
    if state.tracer is not None:
        out = state.tracer.bind(op, inputs, attrs)
        if state.tapes and op.differentiable:  # a tape inside a traced function
            for tape in state.tapes:
                tape._record(op, inputs, out, attrs)
        return out
    try:
        if len(inputs) == 1:
            out = op.kernel(inputs[0]._value, **attrs)
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
        for tape in state.tapes:
            tape._record(op, inputs, out, attrs)
    return out


def bind_symbolic(op, specs, attrs):
    """Applies `op`'s shape/dtype rule to input Specs; returns a Spec or a tuple of Specs."""
    return op.infer(*specs, **attrs)


def check_all_registered(names):
    """Returns the registry names not in `names` (used by the op tests' coverage check)."""
    return sorted(set(REGISTRY) - set(names))


__all__ = ["OpDef", "Spec", "bind", "REGISTRY", "Tensor"]
