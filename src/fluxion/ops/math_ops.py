"""Elementwise math, comparisons, matmul, reductions, cumulative ops and casts (`fluxion.math`).

Binary ops follow TensorFlow's dtype rules: two tensors must share a dtype; a Python number, list
or NumPy array beside a tensor is converted to that tensor's dtype.
"""
import math

import numpy as np

from ..core import dtypes
from ..core.errors import InvalidArgumentTypeError, InvalidArgumentValueError
from ..core.tensor import Tensor, convert_to_tensor, wrap
from ..core.variable import Variable
from ..kernels import compiled
from ..kernels.reduce import last_axis as reduce_last_axis
from ..kernels.shapes import fold_rows
from . import rules
from .registry import OpDef, Spec, bind, bind_binary, bind_unary

_F, _NUM, _INT, _BOOL, _ANY = "f", "iufc", "iu", "b", "iufcb"


# --- argument conversion ----------------------------------------------------------------------
def dtypes_of(kinds):
    """The NumPy dtypes of the kinds letters `kinds`: `t._value.dtype in dtypes_of("f")` is the
    fast form of `t._value.dtype.kind in "f"` (other byte orders are not in the set)."""
    return frozenset(np.dtype(c) for c in np.typecodes["All"] if np.dtype(c).kind in kinds)


def unary_arg(op_name, x, kinds):
    """Converts `x` (Python numbers default to float32 for float-only ops) and checks its dtype."""
    if type(x) is not Tensor:
        x = convert_to_tensor(x, dtype_hint=dtypes.float32 if kinds == _F else None)
    if x._value.dtype.kind not in kinds:
        rules.check_dtype(op_name, x._value.dtype, kinds)
    return x


_SCALARS = {}  # (Python number, np.dtype) -> a read-only 0-d tensor: `t * 2.0` reuses one


def _scalar_like(value, np_dtype, op_name):
    key = (value, np_dtype)
    tensor = _SCALARS.get(key)
    if tensor is not None:
        return tensor
    if np_dtype.kind in "iu" and type(value) is float and not value.is_integer():
        raise InvalidArgumentTypeError(
            f"{op_name}: cannot convert {value!r} to {np_dtype.name} to combine it with an "
            "integer tensor. Cast the tensor with fluxion.cast first.")
    try:
        array = np.array(value, dtype=np_dtype)  # 0-d: NumPy combines it faster than a scalar
    except OverflowError:
        raise InvalidArgumentValueError(
            f"{op_name}: the Python integer {value} is out of range for the {np_dtype.name} "
            "tensor it is combined with. Cast the tensor to a dtype that holds it (e.g. "
            "int64) first.") from None
    array.flags.writeable = False
    if len(_SCALARS) > 4096:
        _SCALARS.clear()
    tensor = _SCALARS[key] = wrap(array)
    return tensor


def binary_args(op_name, x, y):
    """Converts a pair of op arguments to Tensors of one dtype (TensorFlow's rules)."""
    if type(x) is Variable:  # `x @ W + b`: read variables first, then the Tensor cases apply
        x = x.read_value()
    if type(y) is Variable:
        y = y.read_value()
    tx, ty = type(x) is Tensor, type(y) is Tensor
    if tx:
        if ty:
            if x._value.dtype != y._value.dtype:
                rules.binary(op_name)(x._value, y._value)  # raises the dtype error
            return x, y
        if type(y) is float or type(y) is int:  # the common `t * 2.0`
            return x, _scalar_like(y, x._value.dtype, op_name)
    elif ty and (type(x) is float or type(x) is int):  # and `2.0 * t`
        return _scalar_like(x, y._value.dtype, op_name), y
    if not tx and not isinstance(x, Tensor):
        if ty or isinstance(y, Tensor) or hasattr(y, "read_value"):
            y = convert_to_tensor(y)
            dt = y._value.dtype
            x = _scalar_like(x, dt, op_name) if type(x) in (float, int, bool) else \
                _convert_beside(x, dt, op_name)
        else:
            x = convert_to_tensor(x)
    if not (type(y) is Tensor or isinstance(y, Tensor)):
        dt = x._value.dtype
        y = _scalar_like(y, dt, op_name) if type(y) in (float, int, bool) else \
            _convert_beside(y, dt, op_name)
    if x._value.dtype != y._value.dtype:
        rules.binary(op_name)(x._value, y._value)
    return x, y


def _convert_beside(value, np_dtype, op_name):
    """Converts `value` (not a Python scalar) to the dtype of the tensor it is combined with.

    A Python list of floats beside an integer tensor is an error, as in TensorFlow (which gives
    the list its own float dtype, then refuses the mix); NumPy arrays convert."""
    if hasattr(value, "read_value"):
        return convert_to_tensor(value)
    if type(value) in (list, tuple) and np_dtype.kind in "iub":
        own = convert_to_tensor(value)
        if own._value.dtype.kind in "fc":
            raise InvalidArgumentTypeError(
                f"{op_name}: cannot combine a {np_dtype.name} tensor with {value!r}, which is "
                f"{own._value.dtype.name}. Cast the tensor (or write integers).")
        if own._value.dtype == np_dtype:
            return own
    return convert_to_tensor(value, dtype=np_dtype)


def _doc(summary, example):
    return f"{summary}\n\nExample:\n>>> {example}\n"


def _unary_op(name, kernel, vjp, kinds=_F, summary=None, out_dtype=None):
    """Defines primitive `name` and returns its public function `fn(x, name=None)`."""
    rule = rules.same(kinds) if out_dtype is None else \
        (lambda x: Spec(tuple(x.shape), np.dtype(out_dtype)))
    op = OpDef(name, kernel, rule, vjp)
    accepted = dtypes_of(kinds)

    def fn(x, name=None):
        if type(x) is not Tensor or x._value.dtype not in accepted:
            x = unary_arg(op.name, x, kinds)
        return bind_unary(op, x)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = _doc(summary or f"Computes `{name}(x)` element-wise.",
                      f"fluxion.math.{name}([0.5, 1.0])")
    fn.op = op
    return fn


def _binary_op(name, kernel, vjp, kinds=_NUM, summary=None, out_dtype=None):
    """Defines primitive `name` and returns its public function `fn(x, y, name=None)`."""
    op = OpDef(name, kernel, rules.binary(name, out_dtype), vjp)

    def fn(x, y, name=None):
        if type(x) is Tensor and type(y) is Tensor and x._value.dtype is y._value.dtype:
            dtype = x._value.dtype  # the common case, without a call to binary_args
        else:
            x, y = binary_args(op.name, x, y)
            dtype = x._value.dtype
        if dtype.kind not in kinds:
            rules.check_dtype(op.name, dtype, kinds)
        return bind_binary(op, x, y)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = _doc(summary or f"Computes `{name}(x, y)` element-wise, with broadcasting.",
                      f"fluxion.math.{name}([1.0, 2.0], 2.0)")
    fn.op = op
    return fn


# --- elementwise unary --------------------------------------------------------------------------
def _erf_kernel(x):
    return _erf_vec(x).astype(x.dtype, copy=False)


_erf_vec = np.vectorize(__import__("math").erf, otypes=[np.float64])
_TWO_OVER_SQRT_PI = 2.0 / np.sqrt(np.pi)

negative = _unary_op("negative", np.negative, lambda g, x, y: (negative(g),), _NUM,
                     "Computes `-x` element-wise.")
abs = _unary_op("abs", np.abs, lambda g, x, y: (g * sign(x),), "iuf",  # noqa: A001
                "Computes `|x|` element-wise.")
sign = _unary_op("sign", np.sign, lambda g, x, y: (zeros_like(g),), "iuf",
                 "Returns -1, 0 or 1 by the sign of each element (its gradient is zero).")
square = _unary_op("square", np.square, lambda g, x, y: (g * (x * 2),),
                   _NUM, "Computes `x * x` element-wise.")
exp = _unary_op("exp", np.exp, lambda g, x, y: (g * y,))
expm1 = _unary_op("expm1", np.expm1, lambda g, x, y: (g * (y + 1),))
log = _unary_op("log", np.log, lambda g, x, y: (g / x,), summary="Natural logarithm.")
log1p = _unary_op("log1p", np.log1p, lambda g, x, y: (g / (x + 1),))


def _output_grad_kernel(y, g, kind):
    """The gradient of sqrt, rsqrt or reciprocal from its output `y` and cotangent `g`, and 0
    wherever `g` is 0 (even where y is 0, inf or NaN), as TensorFlow's SqrtGrad, RsqrtGrad and
    ReciprocalGrad: a masked `where` branch then contributes no NaN. The plain formula serves
    when it has no 0 * inf to fear; checking that costs a min-reduction (about a third of the
    formula's time), the masked form three times the formula."""
    if kind == "sqrt":  # 0.5 * g / y, where y >= 0 or NaN
        if y.size and np.minimum.reduce(y, axis=None) > 0:  # no 0 and no NaN in y
            out = np.multiply(g, 0.5, dtype=g.dtype)
            return np.divide(out, y, out=out) if out.ndim and out.shape == y.shape else out / y
        out = np.divide(g, y, out=np.zeros(np.broadcast_shapes(y.shape, g.shape), g.dtype),
                        where=g != 0)
        out *= 0.5
        return out
    scale = y * y  # reciprocal: -g y^2; rsqrt: -0.5 g y^3 (so scale <= 0, or NaN)
    if kind == "rsqrt":
        scale *= y
    scale *= -1.0 if kind == "reciprocal" else -0.5
    if scale.size and np.isfinite(np.minimum.reduce(scale, axis=None)):  # no inf, no NaN
        return np.multiply(g, scale, out=scale) if scale.ndim and scale.shape == g.shape \
            else g * scale
    shape = np.broadcast_shapes(scale.shape, g.shape)
    return np.multiply(g, scale, out=np.zeros(shape, g.dtype), where=g != 0)


def _output_grad_vjp(gg, y, g, out, kind):
    # Second derivatives (plain formulas, as TensorFlow's SqrtGradGrad and the like).
    if kind == "sqrt":
        return -gg * out / y, gg * 0.5 / y
    if kind == "rsqrt":
        return gg * g * y * y * -1.5, gg * y * y * y * -0.5
    return gg * g * y * -2.0, -gg * y * y


_OUTPUT_GRAD = OpDef("unary_output_grad", _output_grad_kernel,
                     lambda y, g, kind: Spec(rules.broadcast_shapes(
                         "unary_output_grad", y.shape, g.shape), g.dtype), _output_grad_vjp)
sqrt = _unary_op("sqrt", np.sqrt, lambda g, x, y: (bind(_OUTPUT_GRAD, y, g, kind="sqrt"),))
rsqrt = _unary_op("rsqrt", lambda x: 1 / np.sqrt(x),
                  lambda g, x, y: (bind(_OUTPUT_GRAD, y, g, kind="rsqrt"),),
                  summary="Computes `1 / sqrt(x)` element-wise.")
reciprocal = _unary_op("reciprocal", np.reciprocal,
                       lambda g, x, y: (bind(_OUTPUT_GRAD, y, g, kind="reciprocal"),), _F,
                       "Computes `1 / x` element-wise.")
sin = _unary_op("sin", np.sin, lambda g, x, y: (g * cos(x),))
cos = _unary_op("cos", np.cos, lambda g, x, y: (-g * sin(x),))
tan = _unary_op("tan", np.tan, lambda g, x, y: (g * (1 + y * y),))
asin = _unary_op("asin", np.arcsin, lambda g, x, y: (g * rsqrt(1 - x * x),))
acos = _unary_op("acos", np.arccos, lambda g, x, y: (-g * rsqrt(1 - x * x),))
atan = _unary_op("atan", np.arctan, lambda g, x, y: (g / (1 + x * x),))
sinh = _unary_op("sinh", np.sinh, lambda g, x, y: (g * cosh(x),))
cosh = _unary_op("cosh", np.cosh, lambda g, x, y: (g * sinh(x),))
tanh = _unary_op("tanh", np.tanh, lambda g, x, y: (g * (1 - y * y),))
asinh = _unary_op("asinh", np.arcsinh, lambda g, x, y: (g * rsqrt(x * x + 1),))
acosh = _unary_op("acosh", np.arccosh, lambda g, x, y: (g * rsqrt(x * x - 1),))
atanh = _unary_op("atanh", np.arctanh, lambda g, x, y: (g / (1 - x * x),))
erf = _unary_op("erf", _erf_kernel, lambda g, x, y: (g * _TWO_OVER_SQRT_PI * exp(-x * x),),
                summary="The Gauss error function, element-wise.")


def _sigmoid_kernel(x):
    # Split by sign so that exp never overflows.
    out = np.empty_like(x)
    pos = x >= 0
    np.divide(1, 1 + np.exp(-x, where=pos, out=np.zeros_like(x)), where=pos, out=out)
    ex = np.exp(x, where=~pos, out=np.zeros_like(x))
    np.divide(ex, 1 + ex, where=~pos, out=out)
    return out


sigmoid = _unary_op("sigmoid", _sigmoid_kernel, lambda g, x, y: (g * y * (1 - y),),
                    summary="Computes `1 / (1 + exp(-x))` element-wise, without overflow.")
floor = _unary_op("floor", np.floor, None, summary="Rounds down (not differentiable).")
ceil = _unary_op("ceil", np.ceil, None, summary="Rounds up (not differentiable).")
round = _unary_op("round", np.round, None, "iuf",  # noqa: A001
                  summary="Rounds half to even, as TensorFlow (integers are unchanged; not "
                          "differentiable).")
logical_not = _unary_op("logical_not", np.logical_not, None, _BOOL, "Boolean NOT.")
is_nan = _unary_op("is_nan", np.isnan, None, _F, "True where x is NaN.", out_dtype=np.bool_)
is_inf = _unary_op("is_inf", np.isinf, None, _F, "True where x is ±inf.", out_dtype=np.bool_)
is_finite = _unary_op("is_finite", np.isfinite, None, _F, "True where x is finite.",
                      out_dtype=np.bool_)
bitwise_not = _unary_op("invert", np.invert, None, "iub", "Bitwise NOT of an integer tensor.")

# --- elementwise binary ------------------------------------------------------------------------
add = _binary_op("add", np.add, lambda g, x, y, out: (g, g), summary="Computes `x + y`.")
subtract = _binary_op("subtract", np.subtract, lambda g, x, y, out: (g, -g),
                      summary="Computes `x - y`.")
multiply = _binary_op("multiply", np.multiply, lambda g, x, y, out: (g * y, g * x),
                      summary="Computes `x * y`.")


_divide = _binary_op("divide", np.true_divide,
                     lambda g, x, y, out: (g / y, -g * out / y), _F)


def divide(x, y, name=None):
    """Computes `x / y`. Integer tensors are divided as float64, as in TensorFlow.

    Example:
    >>> fluxion.math.divide([1.0, 3.0], 2.0)
    """
    return _true_division(_divide.op, x, y)


def _true_division(op, x, y):
    """`op` (divide or divide_no_nan) on x, y; integers are divided as TensorFlow's truediv
    table says: as float64 for 32- and 64-bit integers, as float32 for smaller ones."""
    if type(x) is not Tensor or type(y) is not Tensor or x._value.dtype is not y._value.dtype:
        x, y = binary_args(op.name, x, y)
    kind = x._value.dtype.kind
    if kind in "fc":
        return bind_binary(op, x, y)
    if kind in "iu":
        target = dtypes.float64 if x._value.dtype.itemsize >= 4 else dtypes.float32
        x, y = cast(x, target), cast(y, target)
    else:
        rules.check_dtype(op.name, x._value.dtype, "iufc")
    return bind_binary(op, x, y)


truediv = divide


_floordiv = _binary_op("floordiv", np.floor_divide, None, "iuf")
_floormod = _binary_op("floormod", np.mod, lambda g, x, y, out: (g, -g * floor(x / y)), "iuf")


def _nonzero_divisor_kernel(y, op_name):
    """Returns the integer divisor `y` itself, having checked that it holds no 0."""
    if not y.all():
        raise InvalidArgumentValueError(f"{op_name}: integer division by zero.")
    return y


_NONZERO_DIVISOR = OpDef("check_nonzero_divisor", _nonzero_divisor_kernel,
                         lambda y, op_name: Spec(tuple(y.shape), y.dtype))


def _integer_division(fn, x, y):
    """`fn` (floordiv or floormod); an integer division by zero raises, as TensorFlow's (NumPy
    gives 0 with a warning). The divisor passes through `check_nonzero_divisor` (integers only),
    so a traced function checks on every call too, while the division kernels stay NumPy's
    ufuncs, which compiled graphs fuse and the ONNX export converts."""
    if type(x) is not Tensor or type(y) is not Tensor:
        x, y = binary_args(fn.op.name, x, y)
    if y._value.dtype.kind in "iu":
        y = bind_unary(_NONZERO_DIVISOR, y, fn.op.name)
    return fn(x, y)


def floordiv(x, y, name=None):
    """Computes `floor(x / y)` element-wise (not differentiable).

    Raises:
        ValueError: for an integer division by zero (an InvalidArgumentError).

    Example:
    >>> fluxion.math.floordiv([7, -7], 2)
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([ 3, -4], dtype=int32)>
    """
    return _integer_division(_floordiv, x, y)


def floormod(x, y, name=None):
    """Computes the remainder of floor division, `x - floor(x / y) * y` (the sign of `y`).

    Raises:
        ValueError: for an integer division by zero (an InvalidArgumentError).

    Example:
    >>> fluxion.math.floormod([7, -7], 3)
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([1, 2], dtype=int32)>
    """
    return _integer_division(_floormod, x, y)


mod = floormod


def _pow_vjp(g, x, y, out):
    gx = g * y * pow(x, y - 1)
    safe_log = log(where(x > 0, x, ones_like(x)))
    gy = g * out * where(x > 0, safe_log, zeros_like(x))
    return gx, gy


pow = _binary_op("pow", np.power, _pow_vjp, summary="Computes `x ** y`.")  # noqa: A001
maximum = _binary_op("maximum", np.maximum,
                     lambda g, x, y, out: (g * cast(x >= y, g.dtype), g * cast(x < y, g.dtype)),
                     "iuf", "Element-wise maximum (the gradient goes to `x` on ties).")
minimum = _binary_op("minimum", np.minimum,
                     lambda g, x, y, out: (g * cast(x <= y, g.dtype), g * cast(x > y, g.dtype)),
                     "iuf", "Element-wise minimum (the gradient goes to `x` on ties).")


def _sqdiff_vjp(g, x, y, out):
    d = g * 2 * (x - y)
    return d, -d


squared_difference = _binary_op("squared_difference", lambda x, y: np.square(x - y),
                                _sqdiff_vjp, "iuf", "Computes `(x - y) ** 2`.")


def _divide_no_nan_kernel(x, y):
    zero = y == 0
    return np.where(zero, np.zeros((), x.dtype), x / np.where(zero, np.ones((), y.dtype), y))


def _divide_no_nan_vjp(g, x, y, out):
    nonzero = cast(not_equal(y, 0), g.dtype)
    safe_y = where(equal(y, 0), ones_like(y), y)
    return g * nonzero / safe_y, -g * out / safe_y


_divide_no_nan = _binary_op("divide_no_nan", _divide_no_nan_kernel, _divide_no_nan_vjp, _F)


def divide_no_nan(x, y, name=None):
    """Computes `x / y`, and 0 where `y` is 0. Integers are divided as float64 (as `divide`).

    Example:
    >>> fluxion.math.divide_no_nan([1.0, 3.0], [0.0, 2.0])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0. , 1.5], dtype=float32)>
    """
    return _true_division(_divide_no_nan.op, x, y)
atan2 = _binary_op("atan2", np.arctan2,
                   lambda g, y, x, out: (g * x / (x * x + y * y), -g * y / (x * x + y * y)),
                   _F, "Computes `atan(y / x)` with the quadrant of (x, y).")

equal = _binary_op("equal", np.equal, None, _ANY, "True where `x == y`.", np.bool_)
not_equal = _binary_op("not_equal", np.not_equal, None, _ANY, "True where `x != y`.", np.bool_)
less = _binary_op("less", np.less, None, "iuf", "True where `x < y`.", np.bool_)
less_equal = _binary_op("less_equal", np.less_equal, None, "iuf", "True where `x <= y`.",
                        np.bool_)
greater = _binary_op("greater", np.greater, None, "iuf", "True where `x > y`.", np.bool_)
greater_equal = _binary_op("greater_equal", np.greater_equal, None, "iuf",
                           "True where `x >= y`.", np.bool_)
logical_and = _binary_op("logical_and", np.logical_and, None, _BOOL, "Boolean AND.")
logical_or = _binary_op("logical_or", np.logical_or, None, _BOOL, "Boolean OR.")
logical_xor = _binary_op("logical_xor", np.logical_xor, None, _BOOL, "Boolean XOR.")
bitwise_and = _binary_op("bitwise_and", np.bitwise_and, None, "iub", "Bitwise AND.")
bitwise_or = _binary_op("bitwise_or", np.bitwise_or, None, "iub", "Bitwise OR.")
bitwise_xor = _binary_op("bitwise_xor", np.bitwise_xor, None, "iub", "Bitwise XOR.")


def add_n(inputs, name=None):
    """Adds a list of tensors of the same shape and dtype (a tensor: its rows, as TF).

    Example:
    >>> fluxion.math.add_n([[1.0], [2.0], [3.0]])
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([6.], dtype=float32)>
    """
    if isinstance(inputs, (Tensor, Variable, np.ndarray, np.generic)):  # TF: its first axis
        inputs = convert_to_tensor(inputs)
        if inputs.ndim == 0 or not inputs.shape[0]:
            raise ValueError(f"add_n: expected a list of tensors or a tensor to add the rows "
                             f"of, received a tensor of shape {tuple(inputs.shape)}.")
        return reduce_sum(inputs, axis=0)
    if not inputs:
        raise ValueError("add_n: expected a non-empty list of tensors, received [].")
    total = convert_to_tensor(inputs[0])
    for t in inputs[1:]:
        total = add(total, t)
    return total


# --- matmul ------------------------------------------------------------------------------------
def _matmul_kernel(a, b, transpose_a=False, transpose_b=False, out=None):
    if a.ndim == 2 and b.ndim == 2 and out is None:
        # The same BLAS call as np.matmul, with the least overhead (a method, no dispatch).
        return (a.T if transpose_a else a).dot(b.T if transpose_b else b)
    if transpose_a:
        a = np.swapaxes(a, -1, -2)
    if transpose_b:
        b = np.swapaxes(b, -1, -2)
    return np.matmul(a, b, out=out)


def _matmul_infer(a, b, transpose_a=False, transpose_b=False):
    if np.dtype(a.dtype) != np.dtype(b.dtype):
        rules.binary("matmul")(a, b)
    rules.check_dtype("matmul", a.dtype, "iufc", "a")
    sa, sb = tuple(a.shape), tuple(b.shape)
    if len(sa) < 2 or len(sb) < 2:
        raise ValueError(f"matmul: both arguments must have rank >= 2, received shapes {sa} and "
                         f"{sb}. Use fluxion.expand_dims for vectors, or fluxion.tensordot.")
    m, k1 = (sa[-1], sa[-2]) if transpose_a else (sa[-2], sa[-1])
    k2, n = (sb[-1], sb[-2]) if transpose_b else (sb[-2], sb[-1])
    if k1 is not None and k2 is not None and k1 != k2:
        raise ValueError(f"matmul: the inner dimensions do not match: a has shape {sa} "
                         f"({k1} columns{' after transpose' if transpose_a else ''}), b has "
                         f"shape {sb} ({k2} rows{' after transpose' if transpose_b else ''}). "
                         "Check the layer sizes, or transpose one argument.")
    batch = rules.broadcast_shapes("matmul", sa[:-2], sb[:-2])
    return Spec(batch + (m, n), a.dtype)


def _matmul_vjp(g, a, b, out, transpose_a=False, transpose_b=False):
    # Deferred: the tape computes only the gradients it needs (never the data's, say).
    if not transpose_a and not transpose_b:
        return (lambda: matmul(g, b, transpose_b=True)), (lambda: matmul(a, g, transpose_a=True))
    if transpose_a and not transpose_b:
        return (lambda: matmul(b, g, transpose_b=True)), (lambda: matmul(a, g))
    if not transpose_a and transpose_b:
        return (lambda: matmul(g, b)), (lambda: matmul(g, a, transpose_a=True))
    return (lambda: matmul(b, g, transpose_a=True, transpose_b=True),
            lambda: matmul(g, a, transpose_a=True, transpose_b=True))


_MATMUL = OpDef("matmul", _matmul_kernel, _matmul_infer, _matmul_vjp,
                out_kernel=_matmul_kernel)


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, name=None):
    """Multiplies matrices `a @ b`; leading (batch) dimensions broadcast.

    Args:
        a, b: tensors of rank >= 2 and the same dtype.
        transpose_a, transpose_b: transpose the last two axes of an argument first.
        adjoint_a, adjoint_b: the same as transposing, for real tensors.

    Example:
    >>> fluxion.matmul([[1.0, 2.0]], [[3.0], [4.0]])
    <tf.Tensor: shape=(1, 1), dtype=float32, numpy=array([[11.]], dtype=float32)>
    """
    if type(a) is not Tensor or type(b) is not Tensor or a._value.dtype is not b._value.dtype:
        a, b = binary_args("matmul", a, b)
    if a._value.ndim < 2 or b._value.ndim < 2:  # NumPy would accept vectors; TensorFlow does not
        _MATMUL.infer(Spec(a._value.shape, a._value.dtype), Spec(b._value.shape, b._value.dtype))
    return bind_binary(_MATMUL, a, b, True if transpose_a or adjoint_a else False,
                       True if transpose_b or adjoint_b else False)


# --- reductions --------------------------------------------------------------------------------
def _expand_to(g, x, axis, keepdims):
    """Broadcasts a reduction's cotangent `g` back to the shape of its input `x` (whose shape
    may hold None while tracing with an input_signature)."""
    shape = x._value.shape
    if None in shape:
        if not keepdims:
            for a in (range(len(shape)) if axis is None else axis):
                g = expand_dims(g, a)
        return g * ones_like(x)
    if not keepdims and axis is not None and axis != tuple(range(len(axis))):
        # Reduced axes that are not leading come back as size 1 (leading ones by broadcasting).
        g = bind_unary(_RESHAPE, g, rules.reduced_shape(shape, axis, True))
    if g._value.shape == shape:
        return g
    if not g._value.shape:  # a scalar: filling is one NumPy call, broadcast_to several
        return bind_unary(_FILL, g, shape)
    return bind_unary(_BROADCAST_TO, g, shape)


def _count(x, axis):
    """How many elements a reduction over `axis` combines (an int, or a tensor when the shape
    has unknown dimensions). `x` is a tensor, or an array in a kernel."""
    shape = tuple((x._value if isinstance(x, Tensor) else x).shape)
    dims = [shape[a] for a in axis] if axis is not None else shape
    if None in dims:
        full = cast(size(x), x.dtype)
        kept = [d for i, d in enumerate(shape) if axis is not None and i not in axis]
        if axis is None:
            return full
        return full / cast(size(reduce_sum(x, axis)), x.dtype) if None in kept else \
            full / float(np.prod(kept))
    return math.prod(dims)


def _sum_kernel(x, axis=None, keepdims=False):
    if axis is None:
        if not keepdims and x.dtype.kind == "f":  # floats keep their dtype: the fewest args
            return _add_reduce(x, None)
    elif len(axis) < x.ndim and axis == tuple(range(len(axis))) and x.flags.c_contiguous:
        inner = x.size // max(math.prod(x.shape[:len(axis)]), 1)
        if inner < 512 and x.size >= 1024 * inner > 0:
            return _sum_leading(x, len(axis), inner, keepdims)
        fast = compiled.kernel("sum_rows", x.dtype) if axis == (0,) and x.size else None
        if fast is not None and inner < 4096:  # e.g. a bias gradient: NumPy's order, one pass
            out = np.empty(x.shape[1:], x.dtype)
            fast(x.reshape(x.shape[0], inner), out.reshape(-1))
            return out[None] if keepdims else out
    elif axis == (x.ndim - 1,) and x.dtype.kind == "f":
        return reduce_last_axis(_add_reduce, x, keepdims)
    return _add_reduce(x, axis, x.dtype, None, keepdims)  # positional: the least overhead


def _sum_leading(x, k, inner, keepdims):
    """Sums the first `k` axes of a C-contiguous `x` whose rows (the other axes, `inner`
    elements) are short, e.g. a bias gradient over (batch, height, width): NumPy would add one
    short row at a time; folding `fold` rows side by side first gives long inner loops (about
    9x faster on (128, 24, 24, 20)) and sums fewer terms in sequence."""
    lead = x.size // inner
    fold = fold_rows(lead, inner, 4096)
    part = _add_reduce(x.reshape(lead // fold, fold * inner), 0, x.dtype)
    total = _add_reduce(part.reshape(fold, inner), 0, x.dtype)
    return total.reshape((1,) * k + x.shape[k:] if keepdims else x.shape[k:])


_add_reduce = np.add.reduce


def _extreme_kernel(ufunc):
    """The kernel of reduce_max (`np.maximum`) or reduce_min (`np.minimum`). An empty
    reduction gives the identity, as TensorFlow: -inf (the lowest integer) for max, +inf (the
    highest integer) for min."""
    def kernel(x, axis=None, keepdims=False):
        if not x.size:
            return ufunc.reduce(x, axis, keepdims=keepdims, initial=_identity(ufunc, x.dtype))
        if axis == (x.ndim - 1,):
            return reduce_last_axis(ufunc.reduce, x, keepdims)
        return ufunc.reduce(x, axis, keepdims=keepdims)
    return kernel


def _identity(ufunc, dtype):
    """The identity of np.maximum (`lowest`) or np.minimum (`highest`) in `dtype`."""
    info = np.finfo(dtype) if dtype.kind == "f" else np.iinfo(dtype)
    if ufunc is np.maximum:
        return -np.inf if dtype.kind == "f" else info.min
    return np.inf if dtype.kind == "f" else info.max


def _mean_kernel(x, axis=None, keepdims=False):
    if x.dtype.kind in "iu":  # integer mean truncates toward zero, as TensorFlow's
        total = np.sum(x, axis=axis, keepdims=keepdims, dtype=np.int64)
        return np.trunc(total / max(_count(x, axis), 1)).astype(x.dtype)
    n = x.size if axis is None else math.prod([x.shape[a] for a in axis])
    if x.dtype.kind == "f" and x.dtype.itemsize >= 4 and 0 < n <= 1 << 24:
        # np.mean's own sum and division (by the count in float64, rounded to float32: the
        # same as dividing in float32 by the exactly representable count), in two ufunc calls.
        return _add_reduce(x, axis, x.dtype, None, keepdims) / x.dtype.type(n)
    return np.mean(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


def _prod_kernel(x, axis=None, keepdims=False):
    return np.prod(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


def _extreme_vjp(g, x, y, axis=None, keepdims=False):
    y = _expand_to(y, x, axis, keepdims)
    mask = cast(equal(x, y), g.dtype)
    count = _expand_to(reduce_sum(mask, axis, keepdims=True), x, axis, True)
    return (_expand_to(g, x, axis, keepdims) * mask / count,)


def _prod_vjp(g, x, y, axis=None, keepdims=False):
    # d prod / d x_i = product of the others: exclusive cumulative products from both ends.
    # Written without division so that zeros in x are handled exactly (TensorFlow's method).
    ndim = len(x.shape)
    axes = tuple(range(ndim)) if axis is None else axis
    others = tuple(i for i in range(ndim) if i not in axes)
    perm = others + axes
    xt = transpose(x, perm)
    kept = tuple(xt.shape)[:len(others)]
    flat = reshape(xt, kept + (-1,))
    left = cumprod(flat, axis=-1, exclusive=True)
    right = cumprod(flat, axis=-1, exclusive=True, reverse=True)
    grad_t = reshape(left * right, tuple(xt.shape))
    inverse = tuple(np.argsort(perm))
    return (_expand_to(g, x, axis, keepdims) * transpose(grad_t, inverse),)


_REDUCTIONS = {
    "reduce_sum": (_sum_kernel, lambda g, x, y, axis=None, keepdims=False:
                   (_expand_to(g, x, axis, keepdims),), _NUM),
    "reduce_mean": (_mean_kernel, lambda g, x, y, axis=None, keepdims=False:
                    (_expand_to(g / _count(x, axis), x, axis, keepdims),), _NUM),
    "reduce_max": (_extreme_kernel(np.maximum), _extreme_vjp, "iuf"),
    "reduce_min": (_extreme_kernel(np.minimum), _extreme_vjp, "iuf"),
    "reduce_prod": (_prod_kernel, _prod_vjp, _NUM),
    "reduce_any": (lambda x, axis=None, keepdims=False: np.any(x, axis, keepdims=keepdims),
                   None, _BOOL),
    "reduce_all": (lambda x, axis=None, keepdims=False: np.all(x, axis, keepdims=keepdims),
                   None, _BOOL),
}


def _reduction_op(name, kernel, vjp, kinds):
    op = OpDef(name, kernel, rules.reduction(name), vjp)
    accepted = dtypes_of(kinds)

    def fn(input_tensor, axis=None, keepdims=False, name=None):
        x = input_tensor
        if type(x) is not Tensor or x._value.dtype not in accepted:
            x = unary_arg(op.name, x, kinds)
        axes = None if axis is None else \
            rules.normalize_axis(op.name, _static_axis(axis), x._value.ndim)
        return bind_unary(op, x, axes, True if keepdims else False)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = _doc(f"`{name}` over `axis` (None: all axes); `keepdims` keeps reduced axes "
                      "as size 1.", f"fluxion.{name}([[1.0, 2.0], [3.0, 4.0]], axis=1)")
    fn.op = op
    return fn


def _static_axis(axis):
    if isinstance(axis, Tensor):
        axis = axis._value.tolist()
    return axis


reduce_sum, reduce_mean, reduce_max, reduce_min, reduce_prod, reduce_any, reduce_all = (
    _reduction_op(name, *spec) for name, spec in _REDUCTIONS.items())


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    """Variance over `axis` (the population variance, as TensorFlow).

    Example:
    >>> fluxion.math.reduce_variance([1.0, 2.0, 3.0, 4.0])
    """
    x = unary_arg("reduce_variance", input_tensor, _F)
    rules.normalize_axis("reduce_variance", _static_axis(axis), x._value.ndim)
    mean = reduce_mean(x, axis, keepdims=True)
    return reduce_mean(square(x - mean), axis, keepdims=keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    """Standard deviation over `axis`.

    Example:
    >>> fluxion.math.reduce_std([1.0, 2.0, 3.0, 4.0])
    """
    x = unary_arg("reduce_std", input_tensor, _F)
    rules.normalize_axis("reduce_std", _static_axis(axis), x._value.ndim)
    return sqrt(reduce_variance(x, axis, keepdims))


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None):
    """Computes `log(sum(exp(x)))` over `axis` without overflow.

    Example:
    >>> fluxion.math.reduce_logsumexp([0.0, 0.0])
    """
    x = unary_arg("reduce_logsumexp", input_tensor, _F)
    top = stop_gradient(reduce_max(x, axis, keepdims=True))
    top = where(is_finite(top), top, zeros_like(top))
    out = log(reduce_sum(exp(x - top), axis, keepdims=True)) + top
    if not keepdims:
        out = reshape(out, rules.reduced_shape(tuple(x.shape), rules.normalize_axis(
            "reduce_logsumexp", _static_axis(axis), x.ndim), False))
    return out


def count_nonzero(input, axis=None, keepdims=False, dtype=dtypes.int64, name=None):
    """Counts the non-zero elements over `axis`.

    Example:
    >>> fluxion.math.count_nonzero([0, 1, 2])
    """
    x = convert_to_tensor(input)
    return reduce_sum(cast(not_equal(x, 0), dtype), axis, keepdims)


# --- cumulative ops (argmax/argmin: index_ops.py) -----------------------------------------------
def _cumulative_kernel(ufunc):
    def kernel(x, axis=0, exclusive=False, reverse=False):
        if reverse:
            x = np.flip(x, axis)
        out = ufunc.accumulate(x, axis=axis, dtype=x.dtype)
        if exclusive:
            identity = np.full_like(np.take(out, [0], axis=axis), ufunc.identity)
            out = np.concatenate([identity, np.take(out, np.arange(out.shape[axis] - 1),
                                                    axis=axis)], axis=axis)
        return np.flip(out, axis) if reverse else out
    return kernel


def _cumsum_vjp(g, x, y, axis=0, exclusive=False, reverse=False):
    return (cumsum(g, axis, exclusive=exclusive, reverse=not reverse),)


def _cumprod_vjp(g, x, y, axis=0, exclusive=False, reverse=False):
    # TensorFlow's rule: it divides by x with divide_no_nan, so a zero in x gets gradient 0
    # (not the true product of the other factors) and nothing is NaN.
    return (divide_no_nan(cumsum(g * y, axis, exclusive=exclusive, reverse=not reverse), x),)


def _cumulative_infer(name):
    def infer(x, axis=0, exclusive=False, reverse=False):
        rules.normalize_axis(name, axis, len(x.shape))
        return Spec(tuple(x.shape), x.dtype)
    return infer


_CUMSUM = OpDef("cumsum", _cumulative_kernel(np.add), _cumulative_infer("cumsum"), _cumsum_vjp)
_CUMPROD = OpDef("cumprod", _cumulative_kernel(np.multiply), _cumulative_infer("cumprod"),
                 _cumprod_vjp)


def _cumulative(op, x, axis, exclusive, reverse):
    x = unary_arg(op.name, x, _NUM)
    (axis,) = rules.normalize_axis(op.name, int(_static_axis(axis)), x._value.ndim)
    return bind(op, x, axis=axis, exclusive=bool(exclusive), reverse=bool(reverse))


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Cumulative sum along `axis`.

    Example:
    >>> fluxion.math.cumsum([1, 2, 3])
    <tf.Tensor: shape=(3,), dtype=int32, numpy=array([1, 3, 6], dtype=int32)>
    """
    return _cumulative(_CUMSUM, x, axis, exclusive, reverse)


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """Cumulative product along `axis`.

    Example:
    >>> fluxion.math.cumprod([1, 2, 3])
    <tf.Tensor: shape=(3,), dtype=int32, numpy=array([1, 2, 6], dtype=int32)>
    """
    return _cumulative(_CUMPROD, x, axis, exclusive, reverse)


# --- casts (clipping: clip_ops.py) ---------------------------------------------------------------
def _cast_kernel(x, dtype):
    return x.astype(dtype)


def _cast_vjp(g, x, y, dtype):
    if x.dtype.is_floating or x.dtype.is_complex:
        return (cast(g, x.dtype),)
    return (None,)


_CAST = OpDef("cast", _cast_kernel, lambda x, dtype: Spec(tuple(x.shape), np.dtype(dtype)),
              _cast_vjp)


def cast(x, dtype, name=None):
    """Converts `x` to `dtype` (floats to integers truncate toward zero).

    Example:
    >>> fluxion.cast([1.7, -1.7], "int32")
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([ 1, -1], dtype=int32)>
    """
    dtype = dtypes.as_dtype(dtype)
    x = convert_to_tensor(x)
    if x._value.dtype == dtype._np:
        return x
    return bind_unary(_CAST, x, dtype._np)


from .array_ops import (  # noqa: E402  (array_ops builds on this module's functions)
    _BROADCAST_TO,
    _FILL,
    _RESHAPE,
    expand_dims,
    ones_like,
    reshape,
    size,
    stop_gradient,
    transpose,
    where,
    zeros_like,
)
from .clip_ops import clip_by_norm, clip_by_value  # noqa: E402, F401  (built on this module)


def __getattr__(name):
    """`math_ops.argmax` and `argmin` live in index_ops (which imports this module)."""
    if name in ("argmax", "argmin"):
        from . import index_ops
        return getattr(index_ops, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
