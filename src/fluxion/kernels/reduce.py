"""Reductions over a short last axis (class scores, a few features): NumPy reduces such an axis
one short row at a time (8 µs for the row maxima of a (128, 10) float32 array on this project's
machines); reducing the contiguous transpose over its first axis runs long inner loops instead
(3 µs, the copy included). Maxima are exactly NumPy's; sums add the same terms in another
(fixed) order. (`np.argmax` has a fast loop of its own over the last axis: not for it.)
"""
import numpy as np

SHORT = 32       # last axes up to this long go through the transpose
MIN_ROWS = 64    # below this many rows the copy costs more than it saves


def last_axis(reduce, x, keepdims=False):
    """`reduce(x, -1)`, with the last axis kept as size 1 if `keepdims`.

    Args:
        reduce: a ufunc's `reduce` (`np.maximum.reduce`, `np.add.reduce`) or another function
            `(array, axis) -> array` reducing `axis`.
        x: an array of rank >= 1.

    Example:
    >>> x = np.arange(6.0).reshape(3, 2)
    >>> last_axis(np.maximum.reduce, x, keepdims=True).ravel()
    array([1., 3., 5.])
    """
    n = x.shape[-1]
    if short_last_axis(x):
        rows = np.ascontiguousarray(x.reshape(-1, n).T)
        result = reduce(rows, 0).reshape(x.shape[:-1])
    else:
        result = reduce(x, -1)
    return result[..., None] if keepdims else result


def short_last_axis(x):
    """Whether `last_axis` reduces `x` through its contiguous transpose (a short last axis, rows
    enough to pay for the copy).

    Example:
    >>> short_last_axis(np.zeros((128, 10))), short_last_axis(np.zeros((128, 100)))
    (True, False)
    """
    n = x.shape[-1]
    return x.ndim >= 2 and 1 < n <= SHORT and x.size >= MIN_ROWS * n
