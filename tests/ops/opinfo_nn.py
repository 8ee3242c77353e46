"""OpInfo entries for fluxion.nn (activations, softmax, cross-entropies, moments, normalization).

NumPy references are written here from the textbook formulas, independently of the kernels.
Stable ops also get value-only entries with extreme logits (±1000), run with NumPy's overflow /
invalid / divide-by-zero warnings turned into errors, so a kernel that overflows fails.
"""
import math

import numpy as np

from fluxion import nn
from fluxion.ops import nn_ops
from fluxion.ops.registry import bind

from .opinfo import UNARY_SHAPES, ErrorCase, OpInfo, Sample, away_from, rand

_erf = np.vectorize(math.erf, otypes=[np.float64])
SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
_F32 = lambda dt: np.float32  # noqa: E731
_INT_INPUT = [ErrorCase((np.array([1, 2], np.int32),), {}, TypeError, "int32")]


def strict(fn):
    """`fn` run with NumPy's floating-point warnings raised as errors; checks the result is
    finite."""
    def call(*args, **kwargs):
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            out = fn(*args, **kwargs)
        assert np.all(np.isfinite(out.numpy())), f"non-finite result: {out.numpy()}"
        return out
    return call


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _lse(x):
    """log(sum(exp(x))) over the last axis in float64, by NumPy's logaddexp (no max shift)."""
    return np.logaddexp.reduce(np.asarray(x, np.float64), axis=-1, keepdims=True)


def _log_softmax_ref(x, axis):
    # log(exp(x_i) / sum_j exp(x_j)) via the max shift, written out independently
    m = np.max(x, axis=axis, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))


# --- elementwise activations ------------------------------------------------------------------
def activation_samples(low=-2.0, high=2.0, kinks=None, **kwargs):
    def samples(rng, dtype):
        for shape in UNARY_SHAPES:
            x = away_from(rng, shape, dtype, kinks, 0.1, low, high) if kinks else \
                rand(rng, shape, dtype, low, high)
            yield Sample((x,), dict(kwargs))
    return samples


def activation(name, ref, low=-2.0, high=2.0, kinks=None, fn=None, kwargs=None, **kw):
    kwargs = kwargs or {}
    return OpInfo(name, fn or getattr(nn, name.split("(")[0]), ref,
                  activation_samples(low, high, kinks, **kwargs),
                  errors=kw.pop("errors", lambda: _INT_INPUT), **kw)


def int_samples(rng, dtype):
    yield Sample((np.array([[-3, 0, 2], [7, -1, 5]], np.int32),))


def relu_vjp(x, g):
    """relu's backward primitive: the cotangent `g` where relu(x) > 0, else 0. (relu's own
    gradient test reaches it through the tape; this entry checks its value and derivatives.)"""
    return bind(nn_ops._RELU_GRAD, g, nn.relu(x))


def relu_vjp_samples(rng, dtype):
    for shape in ((4,), (2, 3), (), (0,)):
        yield Sample((away_from(rng, shape, dtype), rand(rng, shape, dtype)))


def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


def extreme(name, ref, values=(-1000.0, -30.0, -1.0, 0.0, 1.0, 30.0, 1000.0)):
    fn = getattr(nn, name)
    return OpInfo(f"{name}(extreme)", strict(fn), ref,
                  lambda rng, dt: [Sample((np.array(values, dt),))], grad=False)


ACTIVATIONS = [
    activation("relu", lambda x: np.maximum(x, 0), kinks=(0.0,), errors=lambda: [
        ErrorCase((np.array([True, False]),), {}, TypeError, "bool")]),
    OpInfo("relu(int)", nn.relu, lambda x: np.maximum(x, 0), int_samples, dtypes=("int32",),
           grad=False),
    OpInfo("relu_grad", relu_vjp, lambda x, g: np.where(x > 0, g, 0).astype(x.dtype),
           relu_vjp_samples),
    activation("relu6", lambda x: np.minimum(np.maximum(x, 0), 6), -2.0, 8.0, (0.0, 6.0),
               errors=lambda: ()),
    OpInfo("relu6(int)", nn.relu6, lambda x: np.clip(x, 0, 6), int_samples, dtypes=("int32",),
           grad=False),
    activation("leaky_relu", lambda x: np.where(x > 0, x, 0.2 * x), kinks=(0.0,),
               errors=lambda: ()),
    activation("leaky_relu(alpha)", lambda x, alpha: np.where(x > 0, x, alpha * x),
               kinks=(0.0,), kwargs={"alpha": 0.01}, errors=lambda: ()),
    OpInfo("leaky_relu(int)", nn.leaky_relu,  # integers become float32, as in TensorFlow
           lambda x: np.where(x > 0, x, 0.2 * x).astype(np.float32), int_samples,
           dtypes=("int32",), grad=False, out_dtype=_F32),
    activation("elu", lambda x: np.where(x > 0, x, np.exp(x) - 1), kinks=(0.0,)),
    activation("selu", lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * (np.exp(x) - 1)),
               kinks=(0.0,)),
    activation("softplus", lambda x: np.log(1 + np.exp(x)), -10.0, 10.0),
    extreme("softplus", lambda x: np.logaddexp(0, x)),
    extreme("elu", lambda x: x * (x > 0) + (np.exp(np.minimum(x, 0)) - 1) * (x <= 0)),
    activation("softsign", lambda x: x / (1 + np.abs(x)), kinks=(0.0,)),
    activation("gelu", lambda x: x * 0.5 * (1 + _erf(x / np.sqrt(2))).astype(x.dtype),
               rtol={"float32": 1e-5}),
    activation("gelu(approximate)", lambda x, approximate: _gelu_tanh(x),
               kwargs={"approximate": True}, errors=lambda: ()),
    activation("silu", lambda x: x * _sigmoid(x)),
    activation("silu(beta)", lambda x, beta: x * _sigmoid(beta * x), kwargs={"beta": 2.0},
               errors=lambda: ()),
    activation("swish", lambda x: x / (1 + np.exp(-x)), errors=lambda: ()),  # silu's alias
    activation("sigmoid", _sigmoid, -6.0, 6.0),
    activation("tanh", np.tanh),
]


# --- softmax, log_softmax ---------------------------------------------------------------------
def softmax_samples(rng, dtype):
    for shape, axis in [((5,), None), ((3, 4), None), ((3, 4), 0), ((3, 4), -1),
                        ((2, 3, 4), 1), ((0, 3), -1), ((3, 0), -1)]:
        kwargs = {} if axis is None else {"axis": axis}
        yield Sample((rand(rng, shape, dtype, -3.0, 3.0),), kwargs)


def softmax_ref(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True)) if x.size else x
    return e / np.sum(e, axis=axis, keepdims=True) if x.size else x


def log_softmax_ref(x, axis=-1):
    return _log_softmax_ref(x, axis) if x.size else x


EXTREME_LOGITS = [[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0], [1000.0, 1000.0, 999.0]]


def _softmax_errors(name):
    return lambda: [ErrorCase((np.array([1, 2], np.int32),), {}, TypeError, "int32"),
                    ErrorCase((np.float32(1.0),), {}, ValueError, "rank >= 1"),
                    ErrorCase((np.ones((2, 3), np.float32),), {"axis": 2}, ValueError,
                              "axis 2 is out of range")]


SOFTMAX = [
    OpInfo("softmax", nn.softmax, softmax_ref, softmax_samples, errors=_softmax_errors("softmax")),
    OpInfo("log_softmax", nn.log_softmax, log_softmax_ref, softmax_samples,
           errors=_softmax_errors("log_softmax")),
    OpInfo("softmax(extreme)", strict(nn.softmax), softmax_ref,
           lambda rng, dt: [Sample((np.array(EXTREME_LOGITS, dt),))], grad=False),
    OpInfo("log_softmax(extreme)", strict(nn.log_softmax),
           lambda x: x - _lse(x),
           lambda rng, dt: [Sample((np.array(EXTREME_LOGITS, dt),))], grad=False),
]


# --- cross-entropies --------------------------------------------------------------------------
def _distribution(rng, shape, axis, dtype):
    p = rng.uniform(0.1, 1.0, size=shape)
    return (p / np.sum(p, axis=axis, keepdims=True)).astype(dtype) if p.size else \
        p.astype(dtype)


def xent_samples(rng, dtype):
    for shape, axis in [((3, 4), None), ((3, 4), 0), ((2, 3, 4), 1), ((5,), -1), ((0, 4), -1)]:
        kwargs = {} if axis is None else {"axis": axis}
        labels = _distribution(rng, shape, -1 if axis is None else axis, dtype)
        yield Sample((labels, rand(rng, shape, dtype, -3.0, 3.0)), kwargs)
    # labels that do not sum to 1: the gradient is still that of the returned loss
    yield Sample((rand(rng, (2, 3), dtype, 0.0, 1.0), rand(rng, (2, 3), dtype, -3.0, 3.0)))


def xent_ref(labels, logits, axis=-1):
    return -np.sum(labels * _log_softmax_ref(logits, axis), axis=axis) if logits.size else \
        np.sum(labels * logits, axis=axis)


def sparse_samples(rng, dtype):
    for shape, label_dtype in [((4, 5), np.int32), ((2, 3, 5), np.int64), ((5,), np.int32),
                               ((0, 5), np.int32)]:
        labels = rng.integers(0, shape[-1], size=shape[:-1]).astype(label_dtype)
        yield Sample((labels, rand(rng, shape, dtype, -3.0, 3.0)))


def sparse_ref(labels, logits):
    if logits.size == 0:
        return np.zeros(labels.shape, logits.dtype)
    lsm = _log_softmax_ref(logits, -1)
    return -np.take_along_axis(lsm, labels[..., None].astype(np.int64), -1)[..., 0]


def sigmoid_xent_samples(rng, dtype):
    for shape in [(4,), (2, 3), (), (0,)]:
        yield Sample((rand(rng, shape, dtype, 0.0, 1.0), rand(rng, shape, dtype, -4.0, 4.0)))
    yield Sample((), {"labels": rand(rng, (3,), dtype, 0.0, 1.0),
                      "logits": rand(rng, (3,), dtype, -4.0, 4.0)}, grad_args=())


def sigmoid_xent_ref(labels=None, logits=None):
    p = _sigmoid(logits)
    return -labels * np.log(p) - (1 - labels) * np.log(1 - p)


_F32_2x3 = np.ones((2, 3), np.float32)
EXTREME_PAIR = np.array([[-1000.0, 1000.0, 0.0], [1000.0, -1000.0, 30.0]])
EXTREME_LABELS = np.array([[0.0, 1.0, 0.0], [0.5, 0.25, 0.25]])


def xent_errors():
    return [ErrorCase((_F32_2x3, np.ones((2, 4), np.float32)), {}, ValueError,
                      r"same shape.*\(2, 3\).*\(2, 4\)"),
            ErrorCase((np.ones((2, 3), np.int32), np.ones((2, 3), np.int32)), {}, TypeError,
                      "int32"),
            ErrorCase((_F32_2x3, np.ones((2, 3), np.float64)), {}, TypeError, "same dtype")]


def sparse_errors():
    logits = np.zeros((2, 3), np.float32)
    return [ErrorCase((np.array([0, 3], np.int32), logits), {}, ValueError,
                      r"label value 3 .*\[0, 3\).*3 classes"),
            ErrorCase((np.array([-1, 0], np.int64), logits), {}, ValueError,
                      r"label value -1 at index \(0,\)"),
            ErrorCase((np.zeros((2, 3), np.int32), logits), {}, ValueError,
                      r"labels of shape \(2, 3\).*expected labels of shape \(2,\)"),
            ErrorCase((np.array([0.0, 1.0], np.float32), logits), {}, TypeError, "labels"),
            ErrorCase((np.array([0, 1], np.int32), np.zeros((2, 3), np.int32)), {}, TypeError,
                      "logits")]


def sigmoid_xent_errors():
    return [ErrorCase((_F32_2x3, np.ones((3,), np.float32)), {}, ValueError,
                      r"same shape.*\(2, 3\).*\(3,\)"),
            ErrorCase((np.ones(2, np.int32), np.ones(2, np.int32)), {}, TypeError, "int32"),
            ErrorCase((None, _F32_2x3), {}, ValueError, "labels and logits are required")]


CROSS_ENTROPIES = [
    OpInfo("softmax_cross_entropy_with_logits", nn.softmax_cross_entropy_with_logits,
           xent_ref, xent_samples, errors=xent_errors),
    OpInfo("sparse_softmax_cross_entropy_with_logits",
           nn.sparse_softmax_cross_entropy_with_logits, sparse_ref, sparse_samples,
           errors=sparse_errors),
    OpInfo("sigmoid_cross_entropy_with_logits", nn.sigmoid_cross_entropy_with_logits,
           sigmoid_xent_ref, sigmoid_xent_samples, errors=sigmoid_xent_errors),
    OpInfo("softmax_cross_entropy_with_logits(extreme)",
           strict(nn.softmax_cross_entropy_with_logits),
           lambda z, x: -np.sum(z * (x - _lse(x)), axis=-1),
           lambda rng, dt: [Sample((EXTREME_LABELS.astype(dt), EXTREME_PAIR.astype(dt)))],
           grad=False),
    OpInfo("sparse_softmax_cross_entropy_with_logits(extreme)",
           strict(nn.sparse_softmax_cross_entropy_with_logits),
           lambda z, x: np.array([2000.0, 0.0]),
           lambda rng, dt: [Sample((np.array([0, 0], np.int32), EXTREME_PAIR.astype(dt)))],
           grad=False),
    OpInfo("sigmoid_cross_entropy_with_logits(extreme)",
           strict(nn.sigmoid_cross_entropy_with_logits),
           # -z log σ(x) - (1 - z) log(1 - σ(x)) = z softplus(-x) + (1 - z) softplus(x)
           lambda z, x: z * np.logaddexp(0, -x) + (1 - z) * np.logaddexp(0, x),
           lambda rng, dt: [Sample((EXTREME_LABELS.astype(dt), EXTREME_PAIR.astype(dt)))],
           grad=False),
]


# --- statistics, normalization, losses --------------------------------------------------------
def moments_samples(rng, dtype):
    for axes in ([0], [0, 1], [1, 2], [2], 1):
        for keepdims in (False, True):
            yield Sample((rand(rng, (2, 3, 4), dtype),), {"axes": axes, "keepdims": keepdims})


def moments_ref(x, axes, keepdims=False):
    axes = tuple(axes) if isinstance(axes, list) else axes
    return np.mean(x, axis=axes, keepdims=keepdims), np.var(x, axis=axes, keepdims=keepdims)


def batch_norm_samples(rng, dtype):
    x = rand(rng, (2, 3, 4), dtype, -3.0, 3.0)
    stats = lambda: rand(rng, (4,), dtype)  # noqa: E731
    yield Sample((x, stats(), rand(rng, (4,), dtype, 0.5, 2.0), stats(), stats(), 1e-3))
    yield Sample((x, stats(), rand(rng, (4,), dtype, 0.5, 2.0), None, None, 1e-3))
    yield Sample((x, rand(rng, (3, 1), dtype), rand(rng, (3, 1), dtype, 0.5, 2.0), 0.5, 2.0,
                  0.0))


def batch_norm_ref(x, mean, variance, offset, scale, eps):
    y = (x - mean) / np.sqrt(variance + eps)
    if scale is not None:
        y = y * scale
    return y + offset if offset is not None else y


def l2_normalize_samples(rng, dtype):
    for axis in (None, 0, 1, -1, [0, 1]):
        yield Sample((rand(rng, (3, 4), dtype),), {} if axis is None else {"axis": axis})


def l2_normalize_ref(x, axis=None, epsilon=1e-12):
    axis = tuple(axis) if isinstance(axis, list) else axis
    return x / np.sqrt(np.maximum(np.sum(x ** 2, axis=axis, keepdims=True), epsilon))


def bias_add_samples(rng, dtype):
    yield Sample((rand(rng, (2, 3), dtype), rand(rng, (3,), dtype)))
    yield Sample((rand(rng, (2, 3, 4, 5), dtype), rand(rng, (5,), dtype)))
    yield Sample((rand(rng, (2, 3, 4, 5), dtype), rand(rng, (3,), dtype)),
                 {"data_format": "NCHW"})
    yield Sample((rand(rng, (2, 3), dtype), rand(rng, (3,), dtype)), {"data_format": "NC"})
    yield Sample((rand(rng, (0, 3), dtype), rand(rng, (3,), dtype)))
    # Rows folded side by side (64 rows of 3 become 1 of 192), none foldable, none at all.
    yield Sample((rand(rng, (4, 4, 4, 3), dtype), rand(rng, (3,), dtype)))
    yield Sample((rand(rng, (3, 3, 3, 5), dtype), rand(rng, (5,), dtype)))
    yield Sample((rand(rng, (0, 2, 2, 3), dtype), rand(rng, (3,), dtype)))


def bias_add_ref(value, bias, data_format=None):
    if data_format is not None and data_format.startswith("NC"):
        return value + bias.reshape((-1,) + (1,) * (value.ndim - 2))
    return value + bias


def bias_add_errors():
    return [ErrorCase((_F32_2x3, np.ones((4,), np.float32)), {}, ValueError,
                      r"bias of shape \(4,\) does not match the 3 channels"),
            ErrorCase((_F32_2x3, np.ones((1, 3), np.float32)), {}, ValueError, "must be 1-D"),
            ErrorCase((np.ones(3, np.float32), np.ones(3, np.float32)), {}, ValueError,
                      "rank >= 2"),
            ErrorCase((_F32_2x3, np.ones(3, np.float64)), {}, TypeError, "same dtype")]


def dropout_errors():
    x = np.ones((2, 3), np.float32)
    return [ErrorCase((x, 1.0), {}, ValueError, r"rate must be a scalar in the range \[0, 1\)"),
            ErrorCase((x, -0.1), {}, ValueError, "rate=-0.1"),
            ErrorCase((x, 0.5), {"noise_shape": [2]}, ValueError, "noise_shape"),
            ErrorCase((x, 0.5), {"noise_shape": [2, 4]}, ValueError, "incompatible shapes"),
            ErrorCase((np.ones(3, np.int32), 0.5), {}, TypeError, "int32")]


NORMALIZATION = [
    OpInfo("moments", nn.moments, moments_ref, moments_samples, errors=lambda: [
        ErrorCase((np.ones(3, np.int32), [0]), {}, TypeError, "int32"),
        ErrorCase((np.ones((2, 3), np.float32), [2]), {}, ValueError, "axis 2 is out of range")]),
    OpInfo("batch_normalization", nn.batch_normalization, batch_norm_ref, batch_norm_samples,
           errors=lambda: [ErrorCase((np.ones(3, np.int32), 0.0, 1.0, None, None, 1e-3), {},
                                     TypeError, "int32")]),
    OpInfo("l2_loss", nn.l2_loss, lambda t: np.sum(t ** 2) / 2,
           activation_samples(), errors=lambda: _INT_INPUT),
    OpInfo("l2_normalize", nn.l2_normalize, l2_normalize_ref, l2_normalize_samples,
           errors=lambda: _INT_INPUT),
    OpInfo("l2_normalize(zeros)", nn.l2_normalize, lambda x: x,
           lambda rng, dt: [Sample((np.zeros((2, 3), dt),))], grad=False),
    OpInfo("bias_add", nn.bias_add, bias_add_ref, bias_add_samples, errors=bias_add_errors),
    OpInfo("bias_add(int)", nn.bias_add, lambda v, b: v + b,
           lambda rng, dt: [Sample((np.arange(6, dtype=np.int32).reshape(2, 3),
                                    np.array([1, 2, 3], np.int32)))],
           dtypes=("int32",), grad=False),
    # rate=0 returns x; the random masks are tested in test_dropout.py
    OpInfo("dropout", nn.dropout, lambda x, rate: x,
           lambda rng, dt: [Sample((rand(rng, (2, 3), dt), 0.0))], errors=dropout_errors),
]

OPS = ACTIVATIONS + SOFTMAX + CROSS_ENTROPIES + NORMALIZATION
