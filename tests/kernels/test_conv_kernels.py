"""Max pooling kernels against a direct loop over windows, on random and tie-heavy inputs.

The windows-tile-the-input fast path (stride = window, no padding, no remainder) and the general
path must agree with TensorFlow's rule: each window's cotangent goes to its first maximum in
row-major order; a window holding a NaN (whose maximum is NaN) sends nothing.
"""
import itertools

import numpy as np
import pytest

from fluxion.kernels import conv as C


def _pool_loop(x, g, ksize, strides, padding):
    """(y, dx) by a loop over windows: max over the real elements, first maximum gets g."""
    pads, (oh, ow) = C._geometry(x.shape, ksize, strides, (1, 1), padding)
    (pt, _), (pl, _) = pads
    n, h, w, c = x.shape
    y = np.empty((n, oh, ow, c), x.dtype)
    dx = np.zeros(x.shape, g.dtype)
    for b, r, s, ch in itertools.product(range(n), range(oh), range(ow), range(c)):
        rows = range(max(r * strides[0] - pt, 0), min(r * strides[0] - pt + ksize[0], h))
        cols = range(max(s * strides[1] - pl, 0), min(s * strides[1] - pl + ksize[1], w))
        taps = [(i, j) for i in rows for j in cols]
        values = [x[b, i, j, ch] for i, j in taps]
        best = np.nan if any(v != v for v in values) else max(values)
        y[b, r, s, ch] = best
        for (i, j), v in zip(taps, values):
            if v == best:
                dx[b, i, j, ch] += g[b, r, s, ch]
                break
    return y, dx


def _inputs(kind, shape, dtype, rng):
    if kind == "random":
        x = rng.standard_normal(shape)
    elif kind == "relu ties":  # many all-zero windows
        x = np.maximum(rng.standard_normal(shape), 0)
    elif kind == "few values":  # equal maxima at different positions of a window
        x = rng.integers(0, 3, shape).astype(float)
    elif kind == "all zero":
        x = np.zeros(shape)
    else:  # "nan": a few NaNs among ties
        x = rng.integers(0, 2, shape).astype(float)
        x.reshape(-1)[rng.choice(x.size, max(x.size // 15, 1), replace=False)] = np.nan
    return x.astype(dtype)


@pytest.mark.parametrize("kind", ["random", "relu ties", "few values", "all zero", "nan"])
@pytest.mark.parametrize("shape,ksize,strides,padding", [
    ((3, 8, 6, 5), (2, 2), (2, 2), "VALID"),   # tiles: the fast path
    ((2, 6, 9, 4), (2, 3), (2, 3), "SAME"),    # tiles, SAME without padding
    ((2, 9, 6, 3), (3, 1), (3, 1), "VALID"),   # one-column windows
    ((2, 4, 4, 33), (2, 2), (2, 2), "VALID"),  # wide channels
    ((2, 7, 7, 3), (2, 2), (2, 2), "VALID"),   # odd sizes: a remainder, not tiling
    ((2, 7, 5, 3), (2, 2), (2, 2), "SAME"),    # odd sizes: padded windows
    ((2, 6, 6, 3), (3, 3), (2, 2), "VALID"),   # overlapping windows
])
def test_max_pool_and_its_gradient_match_a_loop(kind, shape, ksize, strides, padding):
    rng = np.random.default_rng(sum(shape) + len(kind))
    x = _inputs(kind, shape, np.float32, rng)
    out_hw = C._geometry(shape, ksize, strides, (1, 1), padding)[1]
    g = rng.standard_normal((shape[0],) + out_hw + (shape[3],)).astype(np.float32)
    y_ref, dx_ref = _pool_loop(x, g, ksize, strides, padding)
    y = C.max_pool2d(x, ksize, strides, padding)
    np.testing.assert_array_equal(y, y_ref)
    dx = C.max_pool2d_grad(x, y, g, ksize, strides, padding)
    if strides[0] < ksize[0]:  # overlapping windows: the kernel sums in another order
        np.testing.assert_allclose(dx, dx_ref, rtol=1e-6, atol=1e-6)
    else:
        np.testing.assert_array_equal(dx, dx_ref)


@pytest.mark.parametrize("dtype", [np.int32, np.float64])
def test_tiling_max_pool_in_other_dtypes(dtype):
    rng = np.random.default_rng(5)
    x = rng.integers(-3, 3, (2, 6, 4, 3)).astype(dtype)
    g = rng.integers(1, 9, (2, 3, 2, 3)).astype(dtype)
    y_ref, dx_ref = _pool_loop(x, g, (2, 2), (2, 2), "VALID")
    y = C.max_pool2d(x, (2, 2), (2, 2), "VALID")
    assert y.dtype == dtype
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_array_equal(C.max_pool2d_grad(x, y, g, (2, 2), (2, 2), "VALID"), dx_ref)


def test_tied_maxima_go_to_the_first_in_row_major_order():
    # One 2x2 window per case: ties in the same row, the same column, the diagonal, all four.
    cases = [([[5, 5], [1, 1]], (0, 0)), ([[1, 5], [1, 5]], (0, 1)), ([[1, 5], [5, 1]], (0, 1)),
             ([[1, 2], [5, 5]], (1, 0)), ([[0, 0], [0, 0]], (0, 0))]
    for window, key in cases:
        x = np.array(window, np.float32)[None, :, :, None]
        y = C.max_pool2d(x, (2, 2), (2, 2), "VALID")
        dx = C.max_pool2d_grad(x, y, np.full_like(y, 3.0), (2, 2), (2, 2), "VALID")
        expected = np.zeros((2, 2), np.float32)
        expected[key[0], key[1]] = 3.0
        np.testing.assert_array_equal(dx[0, :, :, 0], expected, err_msg=str(window))


def test_keep_first_over_many_window_shapes():
    # The row-wise tie breaking against a loop, for window shapes with 1 to 4 rows and columns.
    rng = np.random.default_rng(6)
    for kh, kw, c in itertools.product((1, 2, 3), (1, 2, 4), (1, 3, 8)):
        n, oh, ow = 2, 3, 2
        hit = rng.random((n, oh, kh, ow * kw * c)) < 0.5
        expected = np.zeros_like(hit)
        taps = hit.reshape(n, oh, kh, ow, kw, c)
        first = expected.reshape(taps.shape)
        for b, r, s, ch in itertools.product(range(n), range(oh), range(ow), range(c)):
            window = taps[b, r, :, s, :, ch]
            if window.any():
                i, j = divmod(int(np.argmax(window)), kw)
                first[b, r, i, s, j, ch] = True
        C._keep_first(hit, kw, c)
        np.testing.assert_array_equal(hit, expected, err_msg=str((kh, kw, c)))
