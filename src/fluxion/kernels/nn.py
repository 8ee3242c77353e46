"""NumPy kernels of the fused neural-network primitives (`fluxion.nn`), and the compiled ones
(`kernels.compiled`) where they are installed. No imports from outside `kernels`.

Every kernel keeps its input's dtype (Python scalars are weak under NumPy 2, so `x * 0.5` stays
float32) and is written to stay finite for any finite input: softmax-style kernels subtract the
row maximum before `exp`, sigmoid-style kernels only ever exponentiate `-|x|`.
"""
import numpy as np

from . import compiled
from .reduce import last_axis as reduce_last_axis
from .reduce import short_last_axis
from .shapes import fold_rows

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


_LONG_ROW = 16384  # elements: rows from this long run as fast as one long array
_MIN_ROW = 64  # elements: shorter rows of zeros gain nothing over a 0-d zero
_ZEROS = {}  # (np.dtype, length) -> a read-only row of zeros (length 0: a 0-d zero)


def _zeros(dtype, length):
    zeros = _ZEROS.get((dtype, length))
    if zeros is None:
        zeros = np.zeros(length or (), dtype)
        zeros.flags.writeable = False
        _ZEROS[dtype, length] = zeros
    return zeros


def relu(x, out=None):
    """`max(x, 0)`, element-wise (relu is on every training step's hot path).

    NumPy's maximum against a scalar runs a slow loop; against a contiguous row of zeros a
    vectorised one, 2-3x faster. So a contiguous `x` is seen as rows of a power-of-two width
    (one of a few: the rows of zeros are kept).
    """
    result = _compiled_elementwise("relu", out, x)
    if result is not None:
        return result
    width = fold_rows(x.size, 1, _LONG_ROW) if x.flags.c_contiguous else 1
    if width < _MIN_ROW or (out is not None and not out.flags.c_contiguous):
        return np.maximum(x, _zeros(x.dtype, 0), out=out)
    return _by_rows(np.maximum, x, _zeros(x.dtype, width), out)


def _by_rows(ufunc, x, row, out):
    """`ufunc(x, row)` with the C-contiguous `x` (and `out`) seen as rows as long as `row`."""
    rows = (-1, row.shape[0])
    result = ufunc(x.reshape(rows), row, out=None if out is None else out.reshape(rows))
    return result.reshape(x.shape) if out is None else out


def bias_add(x, b, out=None):
    """`x + b` for a 1-D `b` along the last axis of `x`.

    A few channels make short rows, one NumPy inner loop each; rows folded side by side (with
    `b` repeated to match) add in long loops: (128, 24, 24, 20) + (20,) 0.87 -> 0.31 ms.
    """
    width = b.shape[0]
    if x.ndim > 2 and x.flags.c_contiguous and (out is None or out.flags.c_contiguous):
        fold = fold_rows(x.size // max(width, 1), width, _LONG_ROW)
        if fold > 1:
            return _by_rows(np.add, x, np.tile(b, fold), out)
    return np.add(x, b, out=out)


def relu_grad(g, y, out=None):
    """The cotangent of relu: `g` where relu's output `y` is positive, else 0."""
    result = _compiled_elementwise("relu_grad", out, g, y)
    if result is not None:
        return result
    return np.multiply(g, y > 0, out=out)


def _compiled_elementwise(name, out, x, *others):
    """Runs the compiled kernel `name` over flat views of `x, *others` into `out` (a new array
    if None) and returns it; None, having done nothing, unless there is such a kernel for `x`'s
    dtype and every array is C-contiguous with `x`'s shape."""
    kernel = compiled.kernel(name, x.dtype)
    arrays = (x, *others) if out is None else (x, *others, out)
    if kernel is None or any(a.shape != x.shape or not a.flags.c_contiguous for a in arrays):
        return None
    out = np.empty_like(x) if out is None else out
    kernel(*(a.reshape(-1) for a in (x, *others, out)))
    return out


def relu6(x):
    """`min(max(x, 0), 6)`, element-wise."""
    return np.clip(x, 0, 6).astype(x.dtype, copy=False)


def leaky_relu(x, alpha):
    """`x` where `x > 0`, else `alpha * x`."""
    return np.where(x > 0, x, x * x.dtype.type(alpha))


def elu(x):
    """`x` where `x > 0`, else `exp(x) - 1` (exp only of non-positive values)."""
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))


def selu(x):
    """`scale * elu(x)` with `alpha` on the negative branch (Klambauer et al., 2017)."""
    neg = np.expm1(np.minimum(x, 0)) * x.dtype.type(SELU_ALPHA)
    return np.where(x > 0, x, neg) * x.dtype.type(SELU_SCALE)


def softplus(x):
    """`log(1 + exp(x))` as `max(x, 0) + log1p(exp(-|x|))`: no overflow, exact for large |x|."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def _reduce(reduce, x, axis):
    """`reduce` over `axis`, keeping it as size 1; a short last axis the fast way."""
    if axis == x.ndim - 1:
        return reduce_last_axis(reduce, x, keepdims=True)
    return reduce(x, axis, keepdims=True)


def _shifted(x, axis):
    """`x - max(x, axis)`, a new array. (A row of all -inf gives NaN, as in TensorFlow.)"""
    return x - _reduce(np.maximum.reduce, x, axis)


def _by_column(x, axis):
    """The contiguous (classes, rows) transpose of `x` when `axis` is a short last axis (class
    scores): every step then runs over long rows, with the reductions `reduce.last_axis` makes,
    so results are the same bits; else None."""
    if axis != x.ndim - 1 or not short_last_axis(x):
        return None
    return np.ascontiguousarray(x.reshape(-1, x.shape[-1]).T)


def _from_columns(t, shape):
    return np.ascontiguousarray(t.T).reshape(shape)


def _compiled_columns(x, axis, last):
    """The compiled kernels `shifted_columns`, `sum_rows` and `last` when `x` goes through
    `_by_column`, is C-contiguous and they exist for its dtype; else None."""
    kernels = [compiled.kernel(name, x.dtype) for name in ("shifted_columns", "sum_rows", last)]
    if None in kernels or axis != x.ndim - 1 or not short_last_axis(x) or \
            not x.flags.c_contiguous:
        return None
    return kernels


def _exp_sums(kernels, x):
    """`(t, exp(t), sum(exp(t), 0))` for `t` the shifted (classes, rows) transpose of `x`,
    as `_by_column`, `-= max` and NumPy's `exp` and column sums make them."""
    shift, sum_rows, _ = kernels
    rows = x.reshape(-1, x.shape[-1])
    t = np.empty(rows.shape[::-1], x.dtype)
    shift(rows, t)
    e = np.exp(t)
    total = np.empty(rows.shape[0], x.dtype)
    sum_rows(e, total)
    return t, e, total


def softmax(x, axis):
    """`exp(x) / sum(exp(x), axis)`, computed on `x - max(x)` so that exp never overflows."""
    if x.size == 0:
        return x.copy()
    fast = _compiled_columns(x, axis, "divide_columns")
    if fast is not None:
        _, e, total = _exp_sums(fast, x)
        out = np.empty_like(x)
        fast[2](e, total, out.reshape(-1, x.shape[-1]))
        return out
    t = _by_column(x, axis)
    if t is not None:
        t -= np.maximum.reduce(t, 0)
        np.exp(t, out=t)
        t /= np.add.reduce(t, 0)
        return _from_columns(t, x.shape)
    e = _shifted(x, axis)
    np.exp(e, out=e)
    e /= _reduce(np.add.reduce, e, axis)
    return e


def _log_softmax_by_column(t):
    t -= np.maximum.reduce(t, 0)
    t -= np.log(np.add.reduce(np.exp(t), 0))
    return t


def log_softmax(x, axis):
    """`x - logsumexp(x, axis)`, computed on `x - max(x)`."""
    if x.size == 0:
        return x.copy()
    t = _by_column(x, axis)
    if t is not None:
        return _from_columns(_log_softmax_by_column(t), x.shape)
    s = _shifted(x, axis)
    s -= np.log(_reduce(np.add.reduce, np.exp(s), axis))
    return s


def softmax_cross_entropy(labels, logits, axis):
    """`-sum(labels * log_softmax(logits), axis)`: one loss per example."""
    alike = labels.shape == logits.shape and labels.dtype == logits.dtype
    fast = _compiled_columns(logits, axis, "cross_entropy_columns") \
        if alike and labels.flags.c_contiguous else None
    if fast is not None:
        t, _, total = _exp_sums(fast, logits)
        out = np.empty(logits.shape[:-1], logits.dtype)
        fast[2](t, np.log(total), labels.reshape(-1, labels.shape[-1]), out.reshape(-1))
        return out
    t = _by_column(logits, axis) if alike else None
    if t is not None:
        terms = _log_softmax_by_column(t)
        terms *= labels.reshape(t.shape[::-1]).T
        return np.negative(np.add.reduce(terms, 0)).reshape(logits.shape[:-1])
    terms = labels * log_softmax(logits, axis)
    return -np.squeeze(_reduce(np.add.reduce, terms, axis), axis)


SPARSE_XENT = "sparse_softmax_cross_entropy_with_logits"


def sparse_label_error(labels, num_classes):
    """Returns a message about the first label outside [0, num_classes), or None if all fit."""
    if labels.size == 0 or (labels.min() >= 0 and labels.max() < num_classes):
        return None
    bad = (labels < 0) | (labels >= num_classes)
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    return (f"{SPARSE_XENT}: received label value {int(labels[index])} at index {index}, which is "
            f"outside the valid range [0, {num_classes}) for logits with {num_classes} classes. "
            "Labels must be class indices in [0, num_classes).")


def sparse_softmax_cross_entropy(labels, logits):
    """`logsumexp(logits) - logits[..., labels]`: one loss per example; checks the label range."""
    num_classes = logits.shape[-1]
    message = sparse_label_error(labels, num_classes)
    if message:
        raise ValueError(message)
    if labels.size == 0:
        return np.zeros(labels.shape, logits.dtype)
    rows = logits.reshape(-1, num_classes)
    top = reduce_last_axis(np.maximum.reduce, rows)
    picked = rows[np.arange(rows.shape[0]), labels.reshape(-1)]
    total = reduce_last_axis(np.add.reduce, np.exp(rows - top[:, None]))
    return ((top - picked) + np.log(total)).reshape(labels.shape)


def sigmoid_cross_entropy(labels, logits):
    """`-z log(sigmoid(x)) - (1 - z) log(1 - sigmoid(x))` as
    `max(x, 0) - x z + log1p(exp(-|x|))`, finite for any finite logits."""
    return np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-np.abs(logits)))
