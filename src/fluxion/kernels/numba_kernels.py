"""The compiled kernels themselves (numba); `kernels.compiled` imports this module on a thread.

Each loop does an element's arithmetic as its NumPy counterpart does, in the same order and
precision: no fused multiply-add, no reassociation (numba's defaults), `error_model="numpy"` so
that a division by zero gives inf/nan as NumPy does (and lets LLVM vectorise the loop). The
results are therefore bit-identical to NumPy's (tests/kernels/test_compiled.py).

Signatures are explicit, so everything compiles when this module is imported, and `cache=True`
keeps the machine code on disk for the next process.
"""
import numba
import numpy as np

_options = dict(cache=True, nogil=True, error_model="numpy")

# Signatures are float32 only, because each costs about 5 ms to load from the cache (float64
# runs NumPy); arrays the kernels only read are typed read-only, which writable ones also fit.
F = numba.float32
OUT = numba.types.Array(F, 1, "C")
IN = numba.types.Array(F, 1, "C", readonly=True)
OUT2 = numba.types.Array(F, 2, "C")
IN2 = numba.types.Array(F, 2, "C", readonly=True)
void = numba.types.void


# --- optimizer rules: the same arguments as kernels.training's NumPy rules ---------------------
@numba.njit(void(OUT, IN, OUT, OUT, F, F, F, F), **_options)
def _adam(p, g, m, v, keep_1, keep_2, alpha, epsilon):
    for i in range(p.size):
        gi = g[i]
        mi = m[i] + (gi - m[i]) * keep_1
        vi = v[i] + (gi * gi - v[i]) * keep_2
        m[i] = mi
        v[i] = vi
        p[i] = p[i] - (mi * alpha) / (np.sqrt(vi) + epsilon)


@numba.njit(void(OUT, IN, OUT, OUT, OUT, F, F, F, F), **_options)
def _amsgrad(p, g, m, v, v_hat, keep_1, keep_2, alpha, epsilon):
    for i in range(p.size):
        gi = g[i]
        mi = m[i] + (gi - m[i]) * keep_1
        vi = v[i] + (gi * gi - v[i]) * keep_2
        hi = v_hat[i]
        if vi > hi or vi != vi:  # np.maximum: the larger, NaN if either is
            hi = vi
        m[i] = mi
        v[i] = vi
        v_hat[i] = hi
        p[i] = p[i] - (mi * alpha) / (np.sqrt(hi) + epsilon)


def adam(p, g, alpha, momentum, velocity, beta_1, beta_2, epsilon, velocity_hat=None):
    """`kernels.training.adam` in one pass."""
    dtype = p.dtype.type
    # As NumPy applies a Python float to an array: computed in double, then rounded once.
    keep_1, keep_2, epsilon = dtype(1 - beta_1), dtype(1 - beta_2), dtype(epsilon)
    if velocity_hat is None:
        _adam(p, g, momentum, velocity, keep_1, keep_2, alpha, epsilon)
    else:
        _amsgrad(p, g, momentum, velocity, velocity_hat, keep_1, keep_2, alpha, epsilon)


@numba.njit(void(OUT, IN, F), **_options)
def _sgd(p, g, lr):
    for i in range(p.size):
        p[i] = p[i] - g[i] * lr


@numba.njit(void(OUT, IN, OUT, F, F, numba.boolean), **_options)
def _sgd_momentum(p, g, m, lr, rate, nesterov):
    for i in range(p.size):
        step = g[i] * lr
        mi = m[i] * rate - step
        m[i] = mi
        p[i] = p[i] + (mi * rate - step if nesterov else mi)


def sgd(p, g, lr, momentum=None, momentum_rate=0.0, nesterov=False):
    """`kernels.training.sgd` in one pass."""
    if momentum is None:
        _sgd(p, g, lr)
    else:
        _sgd_momentum(p, g, momentum, lr, p.dtype.type(momentum_rate), bool(nesterov))


# --- dropout's keep mask from SFC64 words (ops.random_ops) -----------------------------------
@numba.njit(inline="always")
def _sfc64(a, b, c, counter):
    """One step of NumPy's SFC64: (output word, next a, b, c, counter)."""
    word = a + b + counter
    return (word, b ^ (b >> np.uint64(11)), c + (c << np.uint64(3)),
            ((c << np.uint64(24)) | (c >> np.uint64(40))) + word, counter + np.uint64(1))


@numba.njit(void(numba.types.Array(numba.uint64, 1, "C", readonly=True), numba.int64,
                 numba.uint32, F, OUT), **_options)
def keep_mask(state, skip, threshold, scale, out):
    """`out[i] = scale` where the stream's i-th 32-bit value is at least `threshold`, else 0.

    The stream is NumPy's SFC64 started at `state` (four words), its first `skip` 64-bit words
    dropped, each word giving its two 32-bit halves in memory order (low then high here).
    """
    a, b, c, counter = state[0], state[1], state[2], state[3]
    for _ in range(skip):
        _, a, b, c, counter = _sfc64(a, b, c, counter)
    # Words a chunk at a time, then the chunk's comparisons in a loop of their own, which
    # vectorises (one loop doing both branches on random bits: 3x slower).
    words = np.empty(256, np.uint64)
    halves = words.view(np.uint32)  # the 32-bit halves in memory order, as the NumPy path
    zero = np.float32(0)
    for start in range(0, out.size, halves.size):
        for k in range(words.size):
            words[k], a, b, c, counter = _sfc64(a, b, c, counter)
        for k in range(min(halves.size, out.size - start)):
            out[start + k] = scale if halves[k] >= threshold else zero


# --- small element-wise kernels and reductions of a training step (kernels.nn, ops) ----------
@numba.njit(void(IN, OUT), **_options)
def relu(x, out):
    """`np.maximum(x, 0)`: NaN stays NaN, -0.0 becomes +0.0 (as NumPy's vectorised loop)."""
    zero = np.float32(0)
    for i in range(x.size):
        v = x[i]
        out[i] = v if v > zero or v != v else zero


@numba.njit(void(IN, IN, OUT), **_options)
def relu_grad(g, y, out):
    """`g * (y > 0)`: a product with 1 or 0, so `-g` and NaN give what NumPy's product gives."""
    zero = np.float32(0)
    for i in range(g.size):
        out[i] = g[i] * np.float32(y[i] > zero)


@numba.njit(void(IN2, numba.types.Array(numba.int64, 1, "C")), **_options)
def argmax_rows(x, out):
    """The index of each row's first maximum; NaN never wins (an all-NaN row gives 0), as in
    TensorFlow."""
    for r in range(x.shape[0]):
        best, index = x[r, 0], 0
        if best != best:
            best = -np.inf
        for j in range(1, x.shape[1]):
            if x[r, j] > best:
                best, index = x[r, j], j
        out[r] = index


@numba.njit(void(IN2, OUT), **_options)
def sum_rows(x, out):
    """`np.add.reduce(x, 0)`: the rows added one after another, as NumPy adds them."""
    for j in range(x.shape[1]):
        out[j] = x[0, j]
    for r in range(1, x.shape[0]):
        for j in range(x.shape[1]):
            out[j] += x[r, j]


# Softmax and its cross-entropy over a short last axis (class scores), as kernels.nn computes
# them on the (classes, rows) transpose; `exp` and `log` stay NumPy's calls (their bits).


@numba.njit(void(IN2, OUT2), **_options)
def shifted_columns(x, t):
    """`t[c, r] = x[r, c] - max(x[r])`: the transpose less each row's maximum (NaN spreads)."""
    for r in range(x.shape[0]):
        top = x[r, 0]
        for c in range(1, x.shape[1]):
            if x[r, c] > top or x[r, c] != x[r, c]:
                top = x[r, c]
        for c in range(x.shape[1]):
            t[c, r] = x[r, c] - top


@numba.njit(void(IN2, IN, OUT2), **_options)
def divide_columns(e, total, out):
    """`out[r, c] = e[c, r] / total[r]`: softmax from the exponentials and their sums."""
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = e[c, r] / total[r]


@numba.njit(void(IN2, IN, IN2, OUT), **_options)
def cross_entropy_columns(t, log_total, labels, out):
    """`out[r] = -sum_c (t[c, r] - log_total[r]) * labels[r, c]`, classes added in order."""
    for r in range(labels.shape[0]):
        total = (t[0, r] - log_total[r]) * labels[r, 0]
        for c in range(1, labels.shape[1]):
            total += (t[c, r] - log_total[r]) * labels[r, c]
        out[r] = -total


RULES = {"adam": adam, "sgd": sgd}
KERNELS = {"relu": relu, "relu_grad": relu_grad, "argmax_rows": argmax_rows,
           "sum_rows": sum_rows, "keep_mask": keep_mask, "shifted_columns": shifted_columns,
           "divide_columns": divide_columns, "cross_entropy_columns": cross_entropy_columns}
