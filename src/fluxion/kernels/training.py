"""Fused optimizer updates (as TensorFlow's `ResourceApply*` kernels): NumPy only.

Each kernel updates the variables' arrays in place, all variables in one call, in pieces spread
over the cores (`kernels.parallel`). Every element gets the same arithmetic as the unfused
formula, in the same order, so results do not depend on the number of threads.
"""
import numpy as np

from . import parallel

# Elements updated at a time: each array's slice (0.5 MB of float32) stays in a core's cache
# through the update's passes. Measured on 2 cores: a second thread pays off from about
# 2**18 elements per thread (1.7x at 2.6M elements); below that, handing work over costs more
# than it saves (and competes with BLAS's threads right after a matmul).
UNIT = 1 << 17
MIN_PER_THREAD = 1 << 18


def _units(arrays):
    return [(k, i, min(i + UNIT, a.size)) for k, a in enumerate(arrays)
            for i in range(0, a.size, UNIT)]


def _for_all(update, arrays):
    """Runs `update(k, start, stop)` over every element range of `arrays[k]`, in parallel."""
    units = _units(arrays)
    runs = parallel.balanced([stop - start for _, start, stop in units],
                             min_piece=MIN_PER_THREAD)

    def run(first, last):
        for k, start, stop in units[first:last]:
            update(k, start, stop)
    parallel.run([lambda first=first, last=last: run(first, last) for first, last in runs])


def adam(params, moments, velocities, grads, alpha, beta_1, beta_2, epsilon):
    """Keras's Adam step, in place, for lists of arrays of one float dtype:
    `m += (g - m) * (1 - beta_1)`, `v += (g**2 - v) * (1 - beta_2)`,
    `p -= alpha * m / (sqrt(v) + epsilon)`, `alpha` the bias-corrected learning rate.

    Example:
    >>> p, m, v = np.ones(3, np.float32), np.zeros(3, np.float32), np.zeros(3, np.float32)
    >>> adam([p], [m], [v], [np.ones(3, np.float32)], np.float32(0.1), 0.9, 0.999, 1e-7)
    >>> m
    array([0.1, 0.1, 0.1], dtype=float32)
    """
    dtype = params[0].dtype.type
    keep_1, keep_2 = dtype(1 - beta_1), dtype(1 - beta_2)
    alpha, epsilon = dtype(alpha), dtype(epsilon)
    flat = [[a.reshape(-1) for a in arrays] for arrays in (params, moments, velocities, grads)]

    def update(k, i, j):
        p, m, v, g = (arrays[k][i:j] for arrays in flat)
        t = np.subtract(g, m)
        t *= keep_1
        m += t
        np.square(g, out=t)
        t -= v
        t *= keep_2
        v += t
        np.sqrt(v, out=t)
        t += epsilon
        step = np.multiply(m, alpha)
        step /= t
        p -= step
    _for_all(update, params)
