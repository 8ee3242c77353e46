"""The OpInfo table format (in the manner of PyTorch's OpInfo).

Each public op declares sample inputs, a NumPy reference and error inputs; `test_opinfo.py` runs the
generic checks over every entry of every `tests/ops/opinfo_*.py` module (each exports `OPS`, a list
of `OpInfo`):

- value against the NumPy reference, in every declared dtype, with the expected result dtype;
- the primitive's shape/dtype rule (`infer`) against what the kernel produced, for every primitive
  the sample reaches;
- gradient against central finite differences in float64;
- second derivative against finite differences of the tape's first derivative;
- each error input raises the declared exception, with a message naming the op;
- every registered primitive is reached by some sample (adding an op without an entry fails).
"""
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np


@dataclass
class Sample:
    """One call: positional `args` and keyword `kwargs`.

    NumPy arrays in `args` become tensors (of the dtype under test when they are floating and
    `cast` is True); everything else is passed as it is. `grad_args` lists the positions to
    differentiate; by default every floating array argument.
    """
    args: tuple
    kwargs: dict = field(default_factory=dict)
    grad_args: Optional[tuple] = None
    cast: bool = True


@dataclass
class ErrorCase:
    """A call that must raise `error` with a message matching the regex `match`."""
    args: tuple
    kwargs: dict = field(default_factory=dict)
    error: type = ValueError
    match: str = ""


@dataclass
class OpInfo:
    """One public op.

    Args:
        name: the op's name, as error messages spell it.
        fn: the fluxion function.
        ref: NumPy reference, called with the same arguments (arrays as ndarrays).
        samples: `samples(rng, dtype)` yields `Sample`s; `dtype` is a NumPy dtype.
        dtypes: dtypes to test values in.
        grad: whether to check gradients (float64, finite differences).
        second_order: whether to check second derivatives too.
        errors: `errors()` yields `ErrorCase`s.
        out_dtype: `out_dtype(dtype)` is the expected result dtype (default: `dtype`).
        rtol, atol: value tolerances per dtype name (defaults suit float32/float64).
        grad_atol, grad_rtol: finite-difference tolerances.
    """
    name: str
    fn: Callable
    ref: Callable
    samples: Callable
    dtypes: tuple = ("float32", "float64")
    grad: bool = True
    second_order: bool = True
    errors: Callable = lambda: ()
    out_dtype: Optional[Callable] = None
    rtol: dict = field(default_factory=dict)
    atol: dict = field(default_factory=dict)
    grad_atol: float = 1e-5
    grad_rtol: float = 1e-4

    def __repr__(self):
        return self.name


def rand(rng, shape, dtype, low=-1.0, high=1.0):
    """Uniform random values in [low, high) of `shape` and `dtype`."""
    return rng.uniform(low, high, size=shape).astype(dtype)


def away_from(rng, shape, dtype, points=(0.0,), gap=0.1, low=-2.0, high=2.0):
    """Random values at least `gap` away from each of `points` (kinks of non-smooth ops)."""
    x = rng.uniform(low, high, size=shape)
    for p in points:
        near = np.abs(x - p) < gap
        x = np.where(near, p + np.sign(x - p + 1e-12) * (gap + np.abs(x - p)), x)
    return x.astype(dtype)


def distinct(rng, shape, dtype, low=-2.0, high=2.0):
    """Random values with no two closer than ~1e-2 (no ties for max/min/sort)."""
    n = int(np.prod(shape))
    values = np.linspace(low, high, max(n, 1))[:n]
    return rng.permutation(values).reshape(shape).astype(dtype)


BROADCAST_PAIRS = [((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 2)),
                   ((4, 1, 3), (2, 1)), ((0,), (0,)), ((2, 0), (1,))]
UNARY_SHAPES = [(), (4,), (2, 3), (2, 1, 3), (0,), (3, 0)]
