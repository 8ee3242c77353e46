"""`fluxion.debugging`: run-time assertions and numeric checks, as `tf.debugging`.

Value checks (`assert_equal`, `assert_positive`, `check_numerics`, ...) are stateful ops: inside
a `fluxion.function` they stay in the graph and check the actual values on every call, raising
`fluxion.errors.InvalidArgumentError`. Static checks (`assert_rank`, `assert_type`,
`assert_shapes`) look at shapes and dtypes and raise ValueError/TypeError when called, as
TensorFlow does when the shape is known.
"""
import numpy as np

from ..core import dtypes
from ..core.errors import InvalidArgumentError
from ..core.tensor import Tensor, TensorShape, convert_to_tensor
from ..core.variable import Variable
from .math_ops import binary_args
from .registry import OpDef, Spec, bind

__all__ = [
    "Assert", "assert_all_finite", "assert_equal", "assert_greater", "assert_greater_equal",
    "assert_integer", "assert_less", "assert_less_equal", "assert_near", "assert_negative",
    "assert_non_negative", "assert_non_positive", "assert_none_equal", "assert_positive",
    "assert_rank", "assert_rank_at_least", "assert_rank_in", "assert_scalar", "assert_shapes",
    "assert_type", "check_numerics", "get_log_device_placement", "is_numeric_tensor",
    "set_log_device_placement",
]

_COMPARE = {"==": np.equal, "!=": np.not_equal, "<": np.less, "<=": np.less_equal,
            ">": np.greater, ">=": np.greater_equal}


def _text(array):
    return np.array2string(np.asarray(array), separator=" ")


def _described(name, x):
    values = [str(v) for v in np.asarray(x).reshape(-1).tolist()]
    return f"{name} (shape={np.shape(x)} dtype={np.asarray(x).dtype.name}) = \n{values}"


def _assert_kernel(x, y, check, message, summarize, rtol=None, atol=None):
    prefix = f"{message}\n" if message else ""
    if check == "near":
        ok = np.all(np.abs(x - y) <= atol + rtol * np.abs(y))
        if not ok:
            raise InvalidArgumentError(None, None, (
                f"{prefix}x and y not equal to tolerance rtol = {x.dtype.type(rtol)}, atol = "
                f"{x.dtype.type(atol)}\n"
                f"{_described('x', x)}\n{_described('y', y)}"))
        return ()
    holds = _COMPARE[check](x, y)
    if np.all(holds):
        return ()
    text = f"{prefix}Condition x {check} y did not hold.\n"
    if check == "==" and np.ndim(holds) > 0:
        bad = np.argwhere(~np.broadcast_to(holds, np.broadcast_shapes(np.shape(x),
                                                                       np.shape(y))))
        bad = bad[:summarize]
        xb, yb = np.broadcast_arrays(x, y)
        text += (f"Indices of first {len(bad)} different values:\n{_text(bad)}\n"
                 f"Corresponding x values:\n{_text(xb[tuple(bad.T)])}\n"
                 f"Corresponding y values:\n{_text(yb[tuple(bad.T)])}\n")
    xs, ys = np.reshape(x, -1)[:summarize], np.reshape(y, -1)[:summarize]
    text += (f"First {xs.size} elements of x:\n{_text(xs)}\n"
             f"First {ys.size} elements of y:\n{_text(ys)}")
    raise InvalidArgumentError(None, None, text)


def _sign_kernel(x, check, message, summarize):
    if np.all(_COMPARE[check](x, 0)):
        return ()
    prefix = f"{message}\n" if message else "\n"
    raise InvalidArgumentError(None, None, f"{prefix}Condition x {check} 0 did not hold "
                               f"element-wise:\n{_described('x', x)}")


def _no_outputs(*specs, **attrs):
    return ()


_ASSERT = OpDef("assert_compare", _assert_kernel, _no_outputs, num_outputs=None, stateful=True)
_ASSERT_SIGN = OpDef("assert_sign", _sign_kernel, _no_outputs, num_outputs=None, stateful=True)


def _prepare(op_name, x, y):
    x = x.read_value() if isinstance(x, Variable) else x
    y = y.read_value() if isinstance(y, Variable) else y
    if not isinstance(x, Tensor) and isinstance(y, Tensor):
        y, x = binary_args(op_name, y, x)
    else:
        x, y = binary_args(op_name, x, y)
    shape_x, shape_y = x.shape.as_list(), y.shape.as_list()
    try:
        np.broadcast_shapes(*[tuple(d if d is not None else 1 for d in s)
                              for s in (shape_x, shape_y)])
    except ValueError:
        raise InvalidArgumentError(None, None, f"{op_name}: incompatible shapes: {shape_x} vs. "
                                   f"{shape_y}.") from None
    return x, y


def _compare(check, op_name):
    def assert_fn(x, y, message=None, summarize=None, name=None):
        x, y = _prepare(op_name, x, y)
        bind(_ASSERT, x, y, check=check, message=message or "",
             summarize=3 if summarize is None else int(summarize))

    assert_fn.__name__ = op_name
    assert_fn.__doc__ = f"""Raises InvalidArgumentError unless `x {check} y` holds element-wise.

    Args:
        x, y: tensors (broadcast against each other).
        message: text put before the error message.
        summarize: how many entries of x and y the message shows.

    Returns:
        None; inside a `fluxion.function` the check runs on every call.

    Example:
    >>> fluxion.debugging.{op_name}(fluxion.constant([1, 2]), fluxion.constant([1, 2]))
    """
    return assert_fn


assert_equal = _compare("==", "assert_equal")
assert_none_equal = _compare("!=", "assert_none_equal")
assert_less = _compare("<", "assert_less")
assert_less_equal = _compare("<=", "assert_less_equal")
assert_greater = _compare(">", "assert_greater")
assert_greater_equal = _compare(">=", "assert_greater_equal")


def _sign(check, op_name):
    def assert_fn(x, message=None, summarize=None, name=None):
        x = convert_to_tensor(x)
        if x._value.dtype.kind not in "iuf":
            raise TypeError(f"{op_name}: x must be a real numeric tensor, received dtype "
                            f"{x._value.dtype.name}.")
        bind(_ASSERT_SIGN, x, check=check, message=message or "",
             summarize=3 if summarize is None else int(summarize))

    assert_fn.__name__ = op_name
    assert_fn.__doc__ = f"""Raises InvalidArgumentError unless `x {check} 0` element-wise.

    Args:
        x: a real tensor.
        message: text put before the error message.

    Example:
    >>> fluxion.debugging.{op_name}(fluxion.constant([{"-" if "<" in check else ""}1.0]))
    """
    return assert_fn


assert_positive = _sign(">", "assert_positive")
assert_negative = _sign("<", "assert_negative")
assert_non_negative = _sign(">=", "assert_non_negative")
assert_non_positive = _sign("<=", "assert_non_positive")


def assert_near(x, y, rtol=None, atol=None, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless `|x - y| <= atol + rtol * |y|` element-wise.

    `rtol` and `atol` default to 10 times the dtype's machine epsilon.

    Example:
    >>> fluxion.debugging.assert_near(fluxion.constant(1.0), 1.0 + 1e-7)
    """
    x, y = _prepare("assert_near", x, y)
    if x._value.dtype.kind not in "fc":
        raise TypeError(f"assert_near: x must be a floating tensor, received dtype "
                        f"{x._value.dtype.name}.")
    eps = 10 * np.finfo(x._value.dtype).eps
    rtol = x._value.dtype.type(eps if rtol is None else rtol)
    atol = x._value.dtype.type(eps if atol is None else atol)
    bind(_ASSERT, x, y, check="near", message=message or "",
         summarize=3 if summarize is None else int(summarize), rtol=rtol, atol=atol)


# --- check_numerics ------------------------------------------------------------------------------
def _check_kernel(x, message):
    nan, inf = np.isnan(x).any(), np.isinf(x).any()
    if nan or inf:
        what = "Inf and NaN" if nan and inf else "NaN" if nan else "Inf"
        raise InvalidArgumentError(None, None, f"{message} : Tensor had {what} values")
    return x.copy()


def _check_infer(x, message):
    if x.dtype.kind != "f":
        raise TypeError(f"check_numerics: the dtype {x.dtype.name} is not in the list of "
                        "allowed values: half, float, double.")
    return Spec(x.shape, x.dtype)


def _check_vjp(g, x, out, message):
    return (check_numerics(g, "Not a number (NaN) or infinity (Inf) values detected in "
                              "gradient. " + message),)


_CHECK = OpDef("check_numerics", _check_kernel, _check_infer, _check_vjp, stateful=True)


def check_numerics(tensor, message, name=None):
    """Returns `tensor`, raising InvalidArgumentError if it holds a NaN or an infinity.

    Example:
    >>> fluxion.debugging.check_numerics(fluxion.constant([1.0]), "x")
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([1.], dtype=float32)>
    """
    tensor = convert_to_tensor(tensor)
    _check_infer(Spec(tensor._value.shape, tensor._value.dtype), message)
    return bind(_CHECK, tensor, message=str(message))


def assert_all_finite(t, msg, name=None, x=None, message=None):
    """`check_numerics(t, msg)`: returns `t`, raising if it holds NaN or Inf."""
    return check_numerics(t if x is None else x, msg if message is None else message)


# --- Assert ---------------------------------------------------------------------------------------
def _assert_data_kernel(condition, *data, template, summarize):
    if np.all(condition):
        return ()
    values = iter(data)
    parts = [_text(np.reshape(next(values), -1)[:summarize]) if is_tensor else text
             for is_tensor, text in template]
    raise InvalidArgumentError(None, None, "assertion failed: " + " ".join(
        f"[{p}]" for p in parts))


_ASSERT_DATA = OpDef("assert", _assert_data_kernel, _no_outputs, num_outputs=None,
                     stateful=True)


def Assert(condition, data, summarize=None, name=None):  # noqa: N802 - TensorFlow's name
    """Raises InvalidArgumentError showing `data` (tensors and strings) if `condition` is False.

    Example:
    >>> fluxion.debugging.Assert(fluxion.constant(True), ["x is", fluxion.constant(1.0)])
    """
    condition = convert_to_tensor(condition)
    if condition._value.dtype != np.bool_:
        raise TypeError(f"Assert: condition must be a bool tensor, received dtype "
                        f"{condition._value.dtype.name}.")
    template, tensors = [], []
    for value in data:
        if isinstance(value, str):
            template.append((False, value))
        else:
            tensors.append(convert_to_tensor(value))
            template.append((True, ""))
    bind(_ASSERT_DATA, condition, *tensors, template=tuple(template),
         summarize=3 if summarize is None else int(summarize))


# --- static checks --------------------------------------------------------------------------------
def _prefix(message):
    return f"{message}.  " if message else ""


def _static_shape(x):
    return x.shape if isinstance(x, (Tensor, Variable)) else convert_to_tensor(x).shape


def assert_rank(x, rank, message=None, name=None):
    """Raises ValueError unless `x` has rank `rank`.

    Example:
    >>> fluxion.debugging.assert_rank(fluxion.zeros((2, 3)), 2)
    """
    shape = _static_shape(x)
    if len(shape) != int(rank):
        raise ValueError(f"{_prefix(message)}Tensor  must have rank {int(rank)}.  Received "
                         f"rank {len(shape)}, shape {tuple(shape.as_list())}")


def assert_rank_at_least(x, rank, message=None, name=None):
    """Raises ValueError unless `x` has rank `rank` or more.

    Example:
    >>> fluxion.debugging.assert_rank_at_least(fluxion.zeros((2, 3)), 1)
    """
    shape = _static_shape(x)
    if len(shape) < int(rank):
        raise ValueError(f"{_prefix(message)}Tensor  must have rank at least {int(rank)}.  "
                         f"Received rank {len(shape)}, shape {tuple(shape.as_list())}")


def assert_rank_in(x, ranks, message=None, name=None):
    """Raises ValueError unless the rank of `x` is one of `ranks`.

    Example:
    >>> fluxion.debugging.assert_rank_in(fluxion.zeros((2,)), [1, 2])
    """
    shape = _static_shape(x)
    ranks = tuple(int(r) for r in ranks)
    if len(shape) not in ranks:
        raise ValueError(f"{_prefix(message)}Tensor  must have rank in {ranks}.  Received rank "
                         f"{len(shape)}, shape {tuple(shape.as_list())}")


def assert_type(tensor, tf_type, message=None, name=None):
    """Raises TypeError unless `tensor` has dtype `tf_type`.

    Example:
    >>> fluxion.debugging.assert_type(fluxion.constant(1.0), fluxion.float32)
    """
    expected = dtypes.as_dtype(tf_type)
    dtype = tensor.dtype if isinstance(tensor, (Tensor, Variable)) else \
        convert_to_tensor(tensor).dtype
    if dtype != expected:
        raise TypeError(f"{_prefix(message)}tensor must be of type {expected!r}; got "
                        f"{dtype!r}")


def assert_integer(x, message=None, name=None):
    """Raises TypeError unless `x` has an integer dtype.

    Example:
    >>> fluxion.debugging.assert_integer(fluxion.constant(1))
    """
    dtype = _static_dtype(x)
    if not dtype.is_integer:
        raise TypeError(f'{_prefix(message)}Expected "x" to be integer type.  Found: tensor of '
                        f"dtype {dtype}")


def _static_dtype(x):
    return x.dtype if isinstance(x, (Tensor, Variable)) else convert_to_tensor(x).dtype


def assert_scalar(tensor, message=None, name=None):
    """Returns `tensor`, raising ValueError unless it is a scalar.

    Example:
    >>> fluxion.debugging.assert_scalar(fluxion.constant(1.0))
    <tf.Tensor: shape=(), dtype=float32, numpy=1.0>
    """
    tensor = convert_to_tensor(tensor)
    if len(tensor.shape) != 0:
        raise ValueError(f"{_prefix(message)}Expected scalar shape, saw shape: "
                         f"{tuple(tensor.shape.as_list())}.")
    return tensor


def assert_shapes(shapes, data=None, summarize=None, message=None, name=None):
    """Raises ValueError unless the tensors' shapes match the given specs and each other.

    `shapes` is a list of `(tensor, shape)` pairs (or a dict). Each shape lists one entry per
    axis: an int (that size), a string (a symbol: every axis with that symbol has one size),
    or None / '.' (any size). Dims unknown while tracing are not checked.

    Example:
    >>> fluxion.debugging.assert_shapes([(fluxion.zeros((2, 3)), ("N", "Q")),
    ...                                  (fluxion.zeros((2,)), ("N",))])
    """
    pairs = list(shapes.items()) if isinstance(shapes, dict) else list(shapes)
    sizes = {}  # symbol -> (size, tensor description, axis)
    for tensor, spec in pairs:
        shape = _static_shape(tensor)
        desc = f"shape={tuple(shape.as_list())} dtype={_static_dtype(tensor).name}"
        spec = list(spec) if isinstance(spec, (list, tuple, TensorShape)) else [spec]
        if len(spec) != len(shape):
            raise ValueError(f"{_prefix(message)}Tensor {desc} must have rank {len(spec)}.  "
                             f"Received rank {len(shape)}, shape {tuple(shape.as_list())}")
        for axis, (want, got) in enumerate(zip(spec, shape.as_list())):
            if want is None or want == "." or got is None:
                continue
            if isinstance(want, str):
                known = sizes.setdefault(want, (got, desc, axis))
                if known[0] != got:
                    raise ValueError(
                        f"{_prefix(message)}Specified by tensor {known[1]} dimension {known[2]}.  "
                        f"Tensor {desc} dimension {axis} must have size {known[0]}.  "
                        f"Received size {got}, shape {tuple(shape.as_list())}")
            elif int(want) != got:
                raise ValueError(f"{_prefix(message)}Specified explicitly.  Tensor {desc} "
                                 f"dimension {axis} must have size {int(want)}.  Received "
                                 f"size {got}, shape {tuple(shape.as_list())}")


def is_numeric_tensor(tensor):
    """Returns True if `tensor` is a Tensor of a numeric dtype (not bool or string).

    Example:
    >>> fluxion.debugging.is_numeric_tensor(fluxion.constant(1)), \
fluxion.debugging.is_numeric_tensor(1)
    (True, False)
    """
    return isinstance(tensor, Tensor) and tensor._value.dtype.kind in "iufc"


_LOG_DEVICE_PLACEMENT = [False]


def set_log_device_placement(enabled):
    """Accepted for compatibility: Fluxion runs every op on the CPU, so there is nothing to
    log. `get_log_device_placement()` returns the last value set.

    Example:
    >>> fluxion.debugging.set_log_device_placement(False)
    """
    _LOG_DEVICE_PLACEMENT[0] = bool(enabled)


def get_log_device_placement():
    """Returns the value last given to `set_log_device_placement` (False by default)."""
    return _LOG_DEVICE_PLACEMENT[0]
