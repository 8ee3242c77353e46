"""Generic op tests, run over every entry of the OpInfo tables (see opinfo.py)."""
import importlib
import pathlib
import re

import numpy as np
import pytest

import fluxion as fx
from fluxion.core.context import state
from fluxion.core.tensor import Tensor
from fluxion.ops.registry import REGISTRY, Spec, bind

from .opinfo import OpInfo

_HERE = pathlib.Path(__file__).parent
TABLE = []
for _path in sorted(_HERE.glob("opinfo_*.py")):
    TABLE.extend(importlib.import_module(f"tests.ops.{_path.stem}").OPS)

# Primitives that only exist inside traced graphs or have no NumPy value to compare with; each
# has tests of its own: read_variable (tests/autodiff/test_tape.py), print
# (tests/ops/test_logging.py), cond/scan/while_loop (tests/graph/test_control_flow.py: values
# and gradients against eager execution and finite differences).
NOT_IN_TABLE = {"read_variable", "print", "cond", "scan", "while_loop"}


def _cases(require_grad=False):
    out = []
    for info in TABLE:
        if require_grad and not info.grad:
            continue
        dts = ("float64",) if require_grad else info.dtypes
        for dt in dts:
            out.append(pytest.param(info, np.dtype(dt), id=f"{info.name}-{dt}"))
    return out


def _to_call(sample, dtype):
    args = []
    for a in sample.args:
        if isinstance(a, np.ndarray):
            if sample.cast and a.dtype.kind == "f":
                a = a.astype(dtype)
            args.append(fx.constant(a))
        else:
            args.append(a)
    return args


def _np_args(sample, dtype):
    return [a.astype(dtype) if isinstance(a, np.ndarray) and sample.cast and a.dtype.kind == "f"
            else a for a in sample.args]


def _flat(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


class InferChecker:
    """A stand-in tracer: runs each primitive eagerly and checks its shape/dtype rule."""

    def __init__(self):
        self.seen = set()

    def bind(self, op, inputs, attrs):
        # bind records the call on active tapes itself: run the kernel with none active.
        state.tracer, saved_tapes, state.tapes = None, state.tapes, []
        try:
            out = bind(op, *inputs, **attrs)
        finally:
            state.tracer, state.tapes = self, saved_tapes
        specs = [Spec(tuple(t._value.shape), t._value.dtype) for t in inputs]
        inferred = op.infer(*specs, **attrs)
        outs = out if isinstance(out, tuple) else (out,)
        inferred = inferred if isinstance(inferred, tuple) and not isinstance(inferred, Spec) \
            else (inferred,)
        assert len(outs) == len(inferred), f"{op.name}: infer gave {len(inferred)} outputs"
        for o, s in zip(outs, inferred):
            assert np.dtype(s.dtype) == o._value.dtype, \
                f"{op.name}: infer says dtype {s.dtype}, kernel gave {o._value.dtype}"
            got = tuple(o._value.shape)
            assert len(s.shape) == len(got) and all(a is None or a == b for a, b in
                                                    zip(s.shape, got)), \
                f"{op.name}: infer says shape {s.shape}, kernel gave {got}"
        self.seen.add(op.name)
        return out

    def read_variable(self, var):
        from fluxion.core.tensor import wrap
        return wrap(var._value)


@pytest.mark.parametrize("info,dtype", _cases())
def test_value_matches_numpy(info: OpInfo, dtype):
    rng = np.random.default_rng(0)
    checker = InferChecker()
    for sample in info.samples(rng, dtype):
        state.tracer = checker
        try:
            out = info.fn(*_to_call(sample, dtype), **sample.kwargs)
        finally:
            state.tracer = None
        expected = info.ref(*_np_args(sample, dtype), **sample.kwargs)
        outs, refs = _flat(out), _flat(expected)
        assert len(outs) == len(refs)
        want = info.out_dtype(dtype) if info.out_dtype else dtype
        for o, r in zip(outs, refs):
            assert isinstance(o, Tensor), f"{info.name} returned {type(o).__name__}"
            r = np.asarray(r)
            want_dtype = r.dtype if want is None else want
            assert o.shape == r.shape, f"{info.name}{sample.args!r}: shape {o.shape} != {r.shape}"
            assert o.dtype == np.dtype(want_dtype), \
                f"{info.name}: result dtype {o.dtype.name}, expected {np.dtype(want_dtype).name}"
            np.testing.assert_allclose(
                o.numpy().astype(np.float64) if r.dtype.kind in "fc" else o.numpy(), r,
                rtol=info.rtol.get(dtype.name, 1e-5 if dtype == np.float32 else 1e-12),
                atol=info.atol.get(dtype.name, 1e-6 if dtype == np.float32 else 1e-12),
                err_msg=f"{info.name} with args {sample.args!r} {sample.kwargs!r}")


def _grad_positions(sample):
    if sample.grad_args is not None:
        return sample.grad_args
    return tuple(i for i, a in enumerate(sample.args)
                 if isinstance(a, np.ndarray) and a.dtype.kind == "f")


def _weights(outs, rng):
    return [rng.standard_normal(np.shape(o)) for o in outs]


def _objective(info, args, sample, weights):
    outs = _flat(info.fn(*args, **sample.kwargs))
    total = fx.constant(0.0, dtype=fx.float64)
    for o, w in zip(outs, weights):
        if o.dtype.is_floating:
            total = total + fx.reduce_sum(fx.cast(o, fx.float64) * w)
    return total


def _numeric_grad(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    flat = x.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        plus = f(x)
        flat[i] = old - eps
        minus = f(x)
        flat[i] = old
        grad.reshape(-1)[i] = (plus - minus) / (2 * eps)
    return grad


@pytest.mark.parametrize("info,dtype", _cases(require_grad=True))
def test_gradient_matches_finite_differences(info: OpInfo, dtype):
    rng = np.random.default_rng(1)
    for sample in info.samples(rng, dtype):
        np_args = _np_args(sample, dtype)
        weights = _weights(_flat(info.ref(*np_args, **sample.kwargs)), rng)
        for pos in _grad_positions(sample):
            args = _to_call(sample, dtype)
            with fx.GradientTape() as tape:
                tape.watch(args[pos])
                y = _objective(info, args, sample, weights)
            grad = tape.gradient(y, args[pos])

            def f(x, pos=pos):
                call = list(_to_call(sample, dtype))
                call[pos] = fx.constant(x)
                return float(_objective(info, call, sample, weights))

            numeric = _numeric_grad(f, np.array(np_args[pos], dtype=np.float64))
            got = np.zeros_like(numeric) if grad is None else grad.numpy()
            np.testing.assert_allclose(got, numeric, atol=info.grad_atol, rtol=info.grad_rtol,
                                       err_msg=f"{info.name}: d/d arg {pos} of {sample!r}")


@pytest.mark.parametrize("info,dtype", [c for c in _cases(require_grad=True)
                                        if c.values[0].second_order])
def test_second_derivative_matches_finite_differences(info: OpInfo, dtype):
    rng = np.random.default_rng(2)
    for sample in list(info.samples(rng, dtype))[:3]:
        np_args = _np_args(sample, dtype)
        weights = _weights(_flat(info.ref(*np_args, **sample.kwargs)), rng)
        for pos in _grad_positions(sample)[:1]:
            if np.size(np_args[pos]) == 0:
                continue
            direction = rng.standard_normal(np.shape(np_args[pos]))

            def first(x_tensor, pos=pos):
                call = list(_to_call(sample, dtype))
                call[pos] = x_tensor
                with fx.GradientTape() as inner:
                    inner.watch(x_tensor)
                    y = _objective(info, call, sample, weights)
                g = inner.gradient(y, x_tensor)
                return fx.constant(0.0, fx.float64) if g is None else \
                    fx.reduce_sum(g * direction)

            x = fx.constant(np.array(np_args[pos], dtype=np.float64))
            with fx.GradientTape() as outer:
                outer.watch(x)
                s = first(x)
            second = outer.gradient(s, x)
            numeric = _numeric_grad(lambda v: float(first(fx.constant(v))),
                                    np.array(np_args[pos], dtype=np.float64))
            got = np.zeros_like(numeric) if second is None else second.numpy()
            np.testing.assert_allclose(got, numeric, atol=1e-4, rtol=1e-3,
                                       err_msg=f"{info.name}: second derivative, {sample!r}")


@pytest.mark.parametrize("info", TABLE, ids=lambda i: i.name)
def test_errors_name_the_op(info: OpInfo):
    for case in info.errors():
        args = [fx.constant(a) if isinstance(a, np.ndarray) else a for a in case.args]
        with pytest.raises(case.error, match=case.match) as caught:
            info.fn(*args, **case.kwargs)
        message = str(caught.value)
        op_name = re.sub(r"\(.*\)$", "", info.name.split(".")[-1])  # "floordiv(int)"
        assert re.search(re.escape(op_name), message), \
            f"error message does not name the op '{info.name}': {message}"


def test_every_primitive_has_an_entry():
    checker = InferChecker()
    for info in TABLE:
        dtype = np.dtype(info.dtypes[0])
        for sample in info.samples(np.random.default_rng(0), dtype):
            state.tracer = checker
            try:
                info.fn(*_to_call(sample, dtype), **sample.kwargs)
            finally:
                state.tracer = None
    missing = sorted(set(REGISTRY) - checker.seen - NOT_IN_TABLE)
    assert not missing, f"primitives with no OpInfo entry reaching them: {missing}"
