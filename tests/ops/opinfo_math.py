"""OpInfo entries for fluxion.math: element-wise, matmul, reductions, cumulative ops, casts."""
import math

import numpy as np

import fluxion as fx
from fluxion import math as fm

from .opinfo import (
    BROADCAST_PAIRS,
    UNARY_SHAPES,
    ErrorCase,
    OpInfo,
    Sample,
    away_from,
    distinct,
    rand,
)


def unary_samples(low=-1.0, high=1.0, kinks=None):
    def samples(rng, dtype):
        for shape in UNARY_SHAPES:
            x = away_from(rng, shape, dtype, kinks, 0.1, low, high) if kinks else \
                rand(rng, shape, dtype, low, high)
            yield Sample((x,))
    return samples


def binary_samples(low=-1.0, high=1.0, y_low=None, y_high=None, kinks_y=None):
    def samples(rng, dtype):
        for sx, sy in BROADCAST_PAIRS:
            x = rand(rng, sx, dtype, low, high)
            y = away_from(rng, sy, dtype, kinks_y, 0.2, y_low, y_high) if kinks_y else \
                rand(rng, sy, dtype, low if y_low is None else y_low,
                     high if y_high is None else y_high)
            yield Sample((x, y))
        # a Python scalar on either side takes the tensor's dtype
        yield Sample((rand(rng, (3,), dtype, low, high), 0.75 if y_low is None or y_low > 0
                      else 1.25))
    return samples


def _bad_shapes(name):
    return lambda: [ErrorCase((np.ones((2, 3), np.float32), np.ones((4,), np.float32)), {},
                              ValueError, r"incompatible shapes \(2, 3\) and \(4,\)"),
                    ErrorCase((np.ones(2, np.float32), np.ones(2, np.float64)), {},
                              TypeError, "same dtype"),
                    ErrorCase((np.ones(2, np.int32), 2**40), {},  # TF wraps it around silently
                              ValueError, "integer 1099511627776 is out of range for the int32")]


def unary(name, ref, low=-1.0, high=1.0, kinks=None, **kw):
    fn = getattr(fm, name)
    errors = (lambda: [ErrorCase((np.array([1, 2], np.int32),), {}, TypeError, "int32")]) \
        if kw.pop("float_only", True) else (lambda: ())
    return OpInfo(name, fn, ref, unary_samples(low, high, kinks), errors=errors, **kw)


def binary(name, ref, **kw):
    sample_kw = {k: kw.pop(k) for k in ("low", "high", "y_low", "y_high", "kinks_y") if k in kw}
    return OpInfo(name, getattr(fm, name), ref, binary_samples(**sample_kw),
                  errors=_bad_shapes(name), **kw)


_erf = np.vectorize(math.erf, otypes=[np.float64])
_BOOL = lambda dt: np.bool_  # noqa: E731


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def bool_samples(rng, dtype):
    for sx, sy in BROADCAST_PAIRS[:4]:
        yield Sample((rng.uniform(size=sx) > 0.5, rng.uniform(size=sy) > 0.5))


def int_samples(rng, dtype):
    yield Sample((rng.integers(-5, 5, (2, 3)).astype(np.int32),
                  rng.integers(1, 4, (3,)).astype(np.int32)))


def compare(name, ref):
    return OpInfo(name, getattr(fm, name), ref, binary_samples(y_low=-1.0), grad=False,
                  out_dtype=_BOOL, errors=_bad_shapes(name))


def logical(name, ref, fn=None):
    return OpInfo(name, fn or getattr(fm, name), ref, bool_samples, dtypes=("bool",),
                  grad=False)


def matmul_samples(rng, dtype):
    for sa, sb, kw in [((2, 3), (3, 4), {}), ((3, 2), (3, 4), {"transpose_a": True}),
                       ((2, 3), (4, 3), {"transpose_b": True}),
                       ((3, 2), (4, 3), {"transpose_a": True, "transpose_b": True}),
                       ((5, 2, 3), (3, 4), {}), ((2, 1, 2, 3), (4, 3, 2), {}),
                       ((0, 3), (3, 2), {}), ((2, 0), (0, 2), {})]:
        yield Sample((rand(rng, sa, dtype), rand(rng, sb, dtype)), kw)


def matmul_ref(a, b, transpose_a=False, transpose_b=False):
    if transpose_a:
        a = np.swapaxes(a, -1, -2)
    if transpose_b:
        b = np.swapaxes(b, -1, -2)
    return np.matmul(a, b)


def matmul_errors():
    return [ErrorCase((np.ones((2, 3), np.float32), np.ones((4, 5), np.float32)), {},
                      ValueError, r"matmul: the inner dimensions do not match.*\(2, 3\).*\(4, 5\)"),
            ErrorCase((np.ones(3, np.float32), np.ones((3, 2), np.float32)), {},
                      ValueError, "rank >= 2"),
            ErrorCase((np.ones((2, 2), np.float32), np.ones((2, 2), np.int32)), {},
                      TypeError, "same dtype")]


AXES = [None, 0, 1, -1, (0, 2), [1, 2]]


def reduction_samples(values=rand, scalar=True):
    def samples(rng, dtype):
        for axis in AXES:
            for keepdims in (False, True):
                yield Sample((values(rng, (2, 3, 4), dtype),), {"axis": axis,
                                                                  "keepdims": keepdims})
        yield Sample((values(rng, (5,), dtype),), {})
        if scalar:
            yield Sample((values(rng, (), dtype),), {})
    return samples


def reduction(name, ref, values=rand, scalar=True, **kw):
    errors = lambda: [ErrorCase((np.ones((2, 3), np.float32),), {"axis": 2}, ValueError,  # noqa
                                rf"{name}: axis 2 is out of range for a tensor of rank 2")]
    return OpInfo(name, getattr(fm, name),
                  lambda x, axis=None, keepdims=False: ref(
                      x, axis=tuple(axis) if isinstance(axis, list) else axis,
                      keepdims=keepdims),
                  reduction_samples(values, scalar), errors=errors, **kw)


def empty_sum_samples(rng, dtype):
    yield Sample((rand(rng, (0, 3), dtype),), {"axis": 0})
    yield Sample((rand(rng, (2, 0), dtype),), {"axis": None})


def int_reduction_samples(rng, dtype):
    yield Sample((rng.integers(-9, 9, (3, 4)).astype(np.int32),), {"axis": 1})
    yield Sample((rng.integers(-9, 9, (3, 4)).astype(np.int32),), {})


def cumulative_samples(rng, dtype):
    for axis in (0, 1, -1):
        for exclusive in (False, True):
            for reverse in (False, True):
                yield Sample((rand(rng, (3, 4), dtype, 0.5, 1.5),),
                             {"axis": axis, "exclusive": exclusive, "reverse": reverse})


def cumulative_ref(ufunc):
    def ref(x, axis=0, exclusive=False, reverse=False):
        if reverse:
            x = np.flip(x, axis)
        out = ufunc.accumulate(x, axis=axis)
        if exclusive:
            out = np.concatenate([np.full_like(np.take(out, [0], axis), ufunc.identity),
                                  np.delete(out, -1, axis)], axis)
        return np.flip(out, axis) if reverse else out
    return ref


def arg_samples(rng, dtype):
    for axis in (None, 0, 1):
        yield Sample((distinct(rng, (3, 4), dtype),), {"axis": axis})


def cast_samples(rng, dtype):
    x = rand(rng, (2, 3), dtype, -3, 3)
    for target in ("float64", "float32", "float16"):
        yield Sample((x,), {"dtype": target})


def cast_int_samples(rng, dtype):
    yield Sample((np.array([1.7, -1.7, 2.5, 0.0], dtype),), {"dtype": "int32"})
    yield Sample((np.array([0.0, 2.0], dtype),), {"dtype": "bool"})


def clip_samples(rng, dtype):
    x = away_from(rng, (3, 4), dtype, (-0.5, 0.5), 0.05)
    yield Sample((x, -0.5, 0.5))
    yield Sample((x, away_from(rng, (4,), dtype, (0.0,), 0.6, -1.5, -0.5),
                  away_from(rng, (3, 1), dtype, (0.0,), 0.6, 0.5, 1.5)))


def clip_by_norm_samples(rng, dtype):
    yield Sample((rand(rng, (3, 4), dtype), 0.5))
    yield Sample((rand(rng, (3, 4), dtype), 0.5), {"axes": [1]})
    yield Sample((rand(rng, (3,), dtype) * 0.01, 5.0))


def clip_by_norm_ref(t, clip_norm, axes=None):
    norm = np.sqrt(np.sum(t * t, axis=None if axes is None else tuple(axes), keepdims=True))
    return t * clip_norm / np.maximum(norm, clip_norm)


def _pow_samples(rng, dtype):
    for sx, sy in BROADCAST_PAIRS:
        yield Sample((rand(rng, sx, dtype, 0.5, 2.0), rand(rng, sy, dtype, -2.0, 2.0)))


def add_n_samples(rng, dtype):
    yield Sample(([rand(rng, (2, 3), dtype) for _ in range(3)],), grad_args=())
    yield Sample((rand(rng, (3, 2, 3), dtype),))  # a tensor: TF adds its rows


def logsumexp_samples(rng, dtype):
    for axis in (None, 0, 1):
        for keepdims in (False, True):
            yield Sample((rand(rng, (3, 4), dtype, -3, 3),), {"axis": axis, "keepdims": keepdims})
    yield Sample((np.array([1000.0, 1000.0], dtype),), {})


def grad_of_sum(f):
    """`x -> d/dx sum(f(x))`: reaches the gradient primitives (unary_output_grad, ...), whose
    own gradients the second-derivative check then tests."""
    def fn(x):
        with fx.GradientTape() as tape:
            tape.watch(x)
            y = fx.reduce_sum(f(x))
        return tape.gradient(y, x)
    return fn


def masked_grad(f, keep):
    """`x -> d/dx sum(where(keep(x), f(x), 0))`: TensorFlow's SqrtGrad, RsqrtGrad and
    ReciprocalGrad give 0 where the upstream gradient is 0, even where f(x) is 0, inf or NaN."""
    def fn(x):
        with fx.GradientTape() as tape:
            tape.watch(x)
            y = fx.reduce_sum(fx.where(keep(x), f(x), fx.zeros_like(x)))
        return tape.gradient(y, x)
    return fn


def masked_samples(rng, dtype):
    # TF 2.21, x = [0, -1, 4]: sqrt [0, 0, 0.25]; rsqrt [0, 0, -0.0625]; reciprocal [0, -1, ...]
    yield Sample((np.array([0.0, -1.0, 4.0, 0.25], dtype),), grad_args=())


def empty_extreme_samples(rng, dtype):
    yield Sample((np.zeros((0, 3), dtype),), {"axis": 0})
    yield Sample((np.zeros((0, 3), dtype),), {})
    yield Sample((np.zeros((2, 0), dtype),), {"axis": 1, "keepdims": True})


def empty_extreme_ref(identity):
    def ref(x, axis=None, keepdims=False):
        out = np.full(np.sum(x, axis=axis, keepdims=keepdims).shape, identity(x.dtype), x.dtype)
        return out
    return ref


def _lowest(dt):
    return -np.inf if np.dtype(dt).kind == "f" else np.iinfo(dt).min


def _highest(dt):
    return np.inf if np.dtype(dt).kind == "f" else np.iinfo(dt).max


def nan_arg_samples(rng, dtype):
    nan = np.nan
    # TF 2.21: argmax([1, nan, 3]) = 2, argmin = 0; an all-NaN row gives 0; NaN never wins.
    yield Sample((np.array([1.0, nan, 3.0], dtype),), {})
    yield Sample((np.array([nan, 1.0, 3.0], dtype),), {})
    yield Sample((np.array([[nan, nan], [1.0, nan], [nan, -1.0], [-np.inf, nan]], dtype),),
                 {"axis": 1})


def nan_arg_ref(np_arg, fill):
    def ref(x, axis=None):
        return np_arg(np.where(np.isnan(x), fill, x), axis=0 if axis is None else axis)
    return ref


def logsumexp_ref(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


OPS = [
    unary("negative", np.negative, float_only=False),
    unary("abs", np.abs, kinks=(0.0,), float_only=False),
    unary("sign", np.sign, kinks=(0.0,), float_only=False),
    unary("square", np.square, float_only=False),
    unary("exp", np.exp),
    unary("expm1", np.expm1),
    unary("log", np.log, 0.2, 2.0),
    unary("log1p", np.log1p, -0.5, 1.0),
    unary("sqrt", np.sqrt, 0.2, 2.0),
    unary("rsqrt", lambda x: 1 / np.sqrt(x), 0.2, 2.0),
    unary("reciprocal", np.reciprocal, 0.5, 2.0),
    unary("sin", np.sin), unary("cos", np.cos), unary("tan", np.tan),
    unary("asin", np.arcsin, -0.8, 0.8), unary("acos", np.arccos, -0.8, 0.8),
    unary("atan", np.arctan), unary("sinh", np.sinh), unary("cosh", np.cosh),
    unary("tanh", np.tanh), unary("asinh", np.arcsinh), unary("acosh", np.arccosh, 1.2, 2.0),
    unary("atanh", np.arctanh, -0.8, 0.8),
    unary("erf", lambda x: _erf(x).astype(x.dtype)),
    unary("sigmoid", _sigmoid, -8.0, 8.0),
    unary("floor", np.floor, -3.0, 3.0, grad=False),
    unary("ceil", np.ceil, -3.0, 3.0, grad=False),
    unary("round", np.round, -3.0, 3.0, grad=False, float_only=False),
    OpInfo("is_nan", fm.is_nan, np.isnan, unary_samples(), grad=False, out_dtype=_BOOL),
    OpInfo("is_inf", fm.is_inf, np.isinf, unary_samples(), grad=False, out_dtype=_BOOL),
    OpInfo("is_finite", fm.is_finite, np.isfinite, unary_samples(), grad=False,
           out_dtype=_BOOL),
    binary("add", np.add), binary("subtract", np.subtract), binary("multiply", np.multiply),
    binary("divide", np.divide, kinks_y=(0.0,), y_low=-2.0, y_high=2.0),
    OpInfo("truediv", fm.divide, lambda x, y: x / y, int_samples, dtypes=("int32",),
           grad=False, out_dtype=lambda dt: np.float64),
    binary("floordiv", np.floor_divide, kinks_y=(0.0,), y_low=-2.0, y_high=2.0, grad=False),
    binary("floormod", np.mod, y_low=0.5, y_high=2.0, second_order=False),
    OpInfo("pow", fm.pow, np.power, _pow_samples, errors=_bad_shapes("pow")),
    binary("maximum", np.maximum), binary("minimum", np.minimum),
    binary("squared_difference", lambda x, y: (x - y) ** 2),
    binary("divide_no_nan", lambda x, y: np.where(y == 0, 0, x / np.where(y == 0, 1, y)),
           kinks_y=(0.0,), y_low=-2.0, y_high=2.0),
    OpInfo("divide_no_nan(zero)", fm.divide_no_nan, lambda x, y: np.zeros_like(x),
           lambda rng, dt: [Sample((rand(rng, (3,), dt), np.zeros(3, dt)), grad_args=(0,))]),
    binary("atan2", np.arctan2, kinks_y=(0.0,), y_low=-2.0, y_high=2.0),
    compare("equal", np.equal), compare("not_equal", np.not_equal),
    compare("less", np.less), compare("less_equal", np.less_equal),
    compare("greater", np.greater), compare("greater_equal", np.greater_equal),
    logical("logical_and", np.logical_and), logical("logical_or", np.logical_or),
    logical("logical_xor", np.logical_xor),
    logical("logical_not", lambda x, y: np.logical_not(x), lambda x, y: fm.logical_not(x)),
    OpInfo("bitwise", lambda x, y: (x & y, x | y, x ^ y, ~x),
           lambda x, y: (x & y, x | y, x ^ y, ~x), int_samples, dtypes=("int32",),
           grad=False),
    OpInfo("add_n", fm.add_n, lambda xs: np.sum(xs, axis=0), add_n_samples,
           errors=lambda: [ErrorCase((np.array(1.0, np.float32),), {}, ValueError,
                                     r"add_n: .* received a tensor of shape \(\)")]),
    OpInfo("matmul", fx.matmul, matmul_ref, matmul_samples, errors=matmul_errors),
    reduction("reduce_sum", np.sum), reduction("reduce_mean", np.mean),
    reduction("reduce_max", np.max, distinct), reduction("reduce_min", np.min, distinct),
    reduction("reduce_prod", np.prod, lambda rng, s, dt: rand(rng, s, dt, 0.5, 1.5)),
    OpInfo("reduce_prod(zeros)", fm.reduce_prod, lambda x, axis=None: np.prod(x, axis),
           lambda rng, dt: [Sample((np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 1.5]], dt),),
                                   {"axis": 1})],
           second_order=False),  # the second derivative divides by x, as TensorFlow's
    reduction("reduce_variance", np.var),
    reduction("reduce_std", np.std, scalar=False, grad_atol=1e-4),
    OpInfo("reduce_sum(empty)", fm.reduce_sum, lambda x, axis=None: np.sum(x, axis),
           empty_sum_samples),
    OpInfo("reduce_sum(int)", fm.reduce_sum, lambda x, axis=None: np.sum(x, axis, np.int32),
           int_reduction_samples, dtypes=("int32",), grad=False),
    OpInfo("reduce_mean(int)", fm.reduce_mean,  # integer mean truncates toward zero
           lambda x, axis: np.array([2, -2, 3], np.int32),
           lambda rng, dt: [Sample((np.array([[1, 2, 4], [-1, -2, -4], [3, 3, 4]], np.int32),),
                                   {"axis": 1})], dtypes=("int32",), grad=False),
    OpInfo("reduce_any", fm.reduce_any, lambda x, axis=None: np.any(x, axis),
           lambda rng, dt: [Sample((rng.uniform(size=(3, 4)) > 0.7,), {"axis": a})
                            for a in (None, 0, 1)], dtypes=("bool",), grad=False),
    OpInfo("reduce_all", fm.reduce_all, lambda x, axis=None: np.all(x, axis),
           lambda rng, dt: [Sample((rng.uniform(size=(3, 4)) > 0.3,), {"axis": a})
                            for a in (None, 0, 1)], dtypes=("bool",), grad=False),
    OpInfo("reduce_logsumexp", fm.reduce_logsumexp, logsumexp_ref, logsumexp_samples),
    OpInfo("count_nonzero", fm.count_nonzero,
           lambda x, axis=None: np.count_nonzero(x, axis).astype(np.int64),
           lambda rng, dt: [Sample((np.array([[0.0, 1.0], [2.0, 0.0]], dt),), {"axis": a})
                            for a in (None, 1)], grad=False, out_dtype=lambda dt: np.int64),
    OpInfo("argmax", fm.argmax, lambda x, axis=None: np.argmax(x, 0 if axis is None else axis),
           arg_samples, grad=False, out_dtype=lambda dt: np.int64),
    OpInfo("argmin", fm.argmin, lambda x, axis=None: np.argmin(x, 0 if axis is None else axis),
           arg_samples, grad=False, out_dtype=lambda dt: np.int64),
    OpInfo("cumsum", fm.cumsum, cumulative_ref(np.add), cumulative_samples),
    OpInfo("cumprod", fm.cumprod, cumulative_ref(np.multiply), cumulative_samples),
    # Gradients through a float32 cast are below finite-difference resolution: see
    # tests/autodiff/test_tape.py for the cast gradient.
    OpInfo("cast", fx.cast, lambda x, dtype: x.astype(dtype), cast_samples, grad=False,
           out_dtype=lambda dt: None, rtol={"float32": 1e-3, "float64": 1e-3},
           atol={"float32": 1e-3, "float64": 1e-3}),
    OpInfo("cast(int)", fx.cast, lambda x, dtype: x.astype(dtype), cast_int_samples,
           grad=False, out_dtype=lambda dt: None),
    OpInfo("clip_by_value", fx.clip_by_value, lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi),
           clip_samples,
           errors=lambda: [ErrorCase((np.ones((2, 3), np.float32), np.ones((4,), np.float32),
                                      1.0), {}, ValueError, "clip_by_value")]),
    OpInfo("clip_by_norm", fx.clip_by_norm, clip_by_norm_ref, clip_by_norm_samples),
    # TF 2.21: clip_by_value([1, 5, 10], 6, 2) = [6, 6, 6] (maximum(minimum(t, max), min)).
    OpInfo("clip_by_value(min > max)", fx.clip_by_value,
           lambda x, lo, hi: np.maximum(np.minimum(x, hi), lo),
           lambda rng, dt: [Sample((np.array([1.0, 5.0, 10.0], dt), 6.0, 2.0)),
                            Sample((away_from(rng, (3, 4), dt, (0.3, 0.7)),
                                    away_from(rng, (4,), dt, (0.3, 0.7), 0.05, 0.5, 1.0),
                                    away_from(rng, (3, 1), dt, (0.3, 0.7), 0.05, 0.0, 0.5)))]),
    OpInfo("sqrt(gradient)", grad_of_sum(fm.sqrt), lambda x: 0.5 / np.sqrt(x),
           unary_samples(0.2, 2.0)),
    OpInfo("rsqrt(gradient)", grad_of_sum(fm.rsqrt), lambda x: -0.5 * x ** -1.5,
           unary_samples(0.2, 2.0)),
    OpInfo("reciprocal(gradient)", grad_of_sum(fm.reciprocal), lambda x: -1 / (x * x),
           unary_samples(0.5, 2.0)),
    OpInfo("sqrt(masked gradient)", masked_grad(fm.sqrt, lambda x: x > 0),
           lambda x: np.where(x > 0, 0.5 / np.sqrt(np.abs(x)), 0), masked_samples),
    OpInfo("rsqrt(masked gradient)", masked_grad(fm.rsqrt, lambda x: x > 0),
           lambda x: np.where(x > 0, -0.5 * np.abs(x) ** -1.5, 0), masked_samples),
    OpInfo("reciprocal(masked gradient)", masked_grad(fm.reciprocal, lambda x: x != 0),
           lambda x: np.where(x != 0, -1 / np.where(x == 0, 1, x) ** 2, 0), masked_samples),
    # TF 2.21: y = reduce_sum(cumprod(v)), v = [2, 0, 3] -> [1, 0, 0] (div_no_nan by v).
    OpInfo("cumprod(gradient at zeros)", grad_of_sum(fm.cumprod), lambda x: np.array(
           [1.0, 0.0, 0.0], x.dtype), lambda rng, dt: [Sample((np.array([2.0, 0.0, 3.0], dt),),
                                                              grad_args=())]),
    OpInfo("reduce_max(empty)", fm.reduce_max, empty_extreme_ref(_lowest),
           empty_extreme_samples, dtypes=("float32", "float64", "int32")),
    OpInfo("reduce_min(empty)", fm.reduce_min, empty_extreme_ref(_highest),
           empty_extreme_samples, dtypes=("float32", "int32")),
    OpInfo("reduce_logsumexp(empty)", fm.reduce_logsumexp, empty_extreme_ref(_lowest),
           lambda rng, dt: list(empty_extreme_samples(rng, dt))[:2], grad=False),
    OpInfo("argmax(nan)", fm.argmax, nan_arg_ref(np.argmax, -np.inf), nan_arg_samples,
           grad=False, out_dtype=lambda dt: np.int64),
    OpInfo("argmin(nan)", fm.argmin, nan_arg_ref(np.argmin, np.inf), nan_arg_samples,
           grad=False, out_dtype=lambda dt: np.int64),
    OpInfo("floordiv(int)", fm.floordiv, np.floor_divide, int_samples, dtypes=("int32",),
           grad=False, errors=lambda: [  # TF: InvalidArgumentError "Integer division by zero"
               ErrorCase((np.array([1, 2], np.int32), np.array([1, 0], np.int32)), {},
                         fx.errors.InvalidArgumentError, "floordiv: integer division by zero"),
               ErrorCase((np.array([1], np.uint8), np.array([0], np.uint8)), {},
                         ValueError, "integer division by zero")]),
    OpInfo("floormod(int)", fm.floormod, np.mod, int_samples, dtypes=("int32",), grad=False,
           errors=lambda: [ErrorCase((np.array([1, 2], np.int32), 0), {},
                                     fx.errors.InvalidArgumentError,
                                     "floormod: integer division by zero")]),
    OpInfo("round(int)", fm.round, lambda x: x,  # TF: rounding an integer is the identity
           lambda rng, dt: [Sample((np.array([-3, 0, 7], np.int32),))], dtypes=("int32",),
           grad=False),
    OpInfo("divide_no_nan(int)", fm.divide_no_nan,  # TF: int32 -> float64, 0 where y is 0
           lambda x, y: np.where(y == 0, 0.0, x / np.where(y == 0, 1, y)),
           lambda rng, dt: [Sample((np.array([1, 2, -3], np.int32), np.array([0, 2, 2],
                                                                            np.int32)))],
           dtypes=("int32",), grad=False, out_dtype=lambda dt: np.float64),
]
