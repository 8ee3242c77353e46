"""The kernels' fast paths against direct loops: the row-wise segment sum (an embedding's
gradient), `gather` into a given buffer, pooling over windows that tile the input, the
global max pooling gradient (shared among tied maxima, as TensorFlow's reduce_max), relu
and bias_add over folded rows, and softmax-style kernels over class scores by column."""
import itertools

import numpy as np
import pytest

from fluxion.kernels import conv as C
from fluxion.kernels import indexing as K
from fluxion.kernels import nn as N


def _segment_ref(data, ids, n):
    out = np.zeros((n,) + data.shape[ids.ndim:], data.dtype)
    for k in np.ndindex(*ids.shape):
        if ids[k] >= 0:
            out[ids[k]] += data[k]
    return out


@pytest.mark.parametrize("case", ["uniform", "one frequent id", "few ids", "short rows",
                                  "negative ids", "2-D ids"])
def test_unsorted_segment_sum_matches_a_loop(case):
    rng = np.random.default_rng(0)
    n, segments, row = 600, 40, (5, 7)
    ids = rng.integers(0, segments, n)
    if case == "one frequent id":  # one id more often than the cutoff: summed on its own
        ids[rng.random(n) < 0.6] = 3
    elif case == "few ids":
        ids = rng.integers(0, 2, n)
    elif case == "short rows":  # np.add.at's path
        row = (3,)
    elif case == "negative ids":
        ids[::5] = -1
    data = rng.standard_normal((n,) + row)
    if case == "2-D ids":
        ids, data = ids.reshape(30, 20), data.reshape((30, 20) + row)
    out = K.unsorted_segment_sum(data, ids.astype(np.int32), segments)
    np.testing.assert_allclose(out, _segment_ref(data, ids, segments), rtol=1e-12, atol=1e-12)
    again = np.full_like(out, 5.0)
    K.unsorted_segment_sum(data, ids.astype(np.int32), segments, out=again)
    np.testing.assert_array_equal(again, out)


def test_add_rows_adds_in_order_like_add_at():
    # Same float32 rounding as np.add.at: each id's rows are added one by one in order.
    rng = np.random.default_rng(1)
    ids = rng.integers(0, 50, 3000)
    rows = rng.standard_normal((3000, 32)).astype(np.float32)
    expected = np.zeros((50, 32), np.float32)
    np.add.at(expected, ids, rows)
    out = np.zeros((50, 32), np.float32)
    K.add_rows(out, ids, rows)
    np.testing.assert_array_equal(out, expected)


def test_gather_into_a_buffer():
    rng = np.random.default_rng(2)
    params = rng.standard_normal((10, 4)).astype(np.float32)
    ids = rng.integers(0, 10, (3, 5)).astype(np.int32)
    out = np.full((3, 5, 4), np.nan, np.float32)
    assert K.gather(params, ids, 0, 0, out=out) is out
    np.testing.assert_array_equal(out, params[ids])
    with pytest.raises(IndexError, match="not in"):
        K.gather(params, np.array([1, 10], np.int32), 0, 0, out=np.empty((2, 4), np.float32))
    batched = rng.standard_normal((2, 6, 3))
    bids = rng.integers(0, 6, (2, 4))
    out = np.empty((2, 4, 3))
    K.gather(batched, bids, 1, 1, out=out)
    np.testing.assert_array_equal(out, np.stack([batched[b, bids[b]] for b in range(2)]))


def _pool_ref(x, k):
    n, h, w, c = x.shape
    y = np.empty((n, h // k[0], w // k[1], c), x.dtype)
    route = np.zeros(x.shape + y.shape[1:3], bool)  # first maximum of each window
    for i, j in itertools.product(range(y.shape[1]), range(y.shape[2])):
        win = x[:, i * k[0]:(i + 1) * k[0], j * k[1]:(j + 1) * k[1]].reshape(n, -1, c)
        y[:, i, j] = win.max(1)
        first = win.argmax(1)
        for b, ch in itertools.product(range(n), range(c)):
            r, q = divmod(int(first[b, ch]), k[1])
            route[b, i * k[0] + r, j * k[1] + q, ch, i, j] = True
    return y, route


@pytest.mark.parametrize("ksize,ties", [((2, 2), False), ((2, 3), False), ((2, 2), True),
                                        ((3, 2), True)])
def test_max_pool_over_tiling_windows(ksize, ties):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 6, 6, 3))
    if ties:
        x = np.round(x)
    y, route = _pool_ref(x, ksize)
    np.testing.assert_array_equal(C.max_pool2d(x, ksize, ksize, "VALID"), y)
    g = rng.standard_normal(y.shape)
    expected = np.einsum("nhwcij,nijc->nhwc", route, g)
    np.testing.assert_array_equal(C.max_pool2d_grad(x, y, g, ksize, ksize, "VALID"), expected)


def test_max_pool_grad_with_nan_and_tie_windows():
    # A NaN window (no maximum) and a tied window balance the count of maxima: the tie must
    # still go to the first maximum only.
    x = np.array([[[[np.nan], [1.0]], [[0.0], [0.0]]], [[[2.0], [2.0]], [[0.0], [1.0]]]])
    y = C.max_pool2d(x, (2, 2), (2, 2), "VALID")
    g = np.ones_like(y)
    dx = C.max_pool2d_grad(x, y, g, (2, 2), (2, 2), "VALID")
    np.testing.assert_array_equal(dx[1, :, :, 0], [[1.0, 0.0], [0.0, 0.0]])


def test_global_max_grad_shares_ties_and_reuses_out():
    x = np.array([[[1.0, 4.0], [3.0, 4.0], [3.0, 0.0]]])  # (1, 3, 2): ties in both columns
    y = C.global_max(x, (1,), False)
    g = np.array([[6.0, 10.0]])
    expected = [[[0.0, 5.0], [3.0, 5.0], [3.0, 0.0]]]
    np.testing.assert_array_equal(C.global_max_grad(x, y, g, (1,), False), expected)
    out = np.full(x.shape, 7.0)
    assert C.global_max_grad(x, y, g, (1,), False, out=out) is out
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(C.global_max_grad_grad(x, y, np.ones_like(x), (1,), False),
                                  [[1.0, 1.0]])


def test_global_max_grad_of_a_nan_reduction_is_nan():
    x = np.array([[np.nan, 1.0], [2.0, 1.0]])
    y = C.global_max(x, (1,), False)
    dx = C.global_max_grad(x, y, np.ones(2), (1,), False)
    assert np.isnan(dx[0]).all()
    np.testing.assert_array_equal(dx[1], [1.0, 0.0])


def test_batch_pieces_on_threads_give_the_one_thread_results(monkeypatch):
    # Pieces of one batch element each, on 3 threads, against everything on one thread.
    from fluxion.kernels import parallel
    rng = np.random.default_rng(4)
    x4, w4 = rng.standard_normal((5, 7, 6, 6)), rng.standard_normal((3, 2, 6, 8))
    x1, w1 = rng.standard_normal((5, 7, 6, 1)), rng.standard_normal((3, 3, 1, 2))
    relu = np.maximum(np.round(rng.standard_normal((5, 4, 6, 3)), 1), 0)  # ties at 0
    seq = rng.standard_normal((5, 9, 4))
    ids = rng.integers(0, 30, 700)
    rows = rng.standard_normal((700, 40))
    params = rng.standard_normal((30, 6))
    table = rng.integers(0, 30, (9, 4))

    def run():
        out = []
        for x, w in ((x4, w4), (x1, w1)):
            y = C.conv2d(x, w, (1, 2), (1, 1), "SAME")
            out += [y, C.conv2d_backprop_input(y, w, x.shape[1:3], (1, 2), (1, 1), "SAME"),
                    C.conv2d_backprop_filter(x, y, w.shape[:2], (1, 2), (1, 1), "SAME")]
        y = C.max_pool2d(relu, (2, 3), (2, 3), "VALID")
        out += [y, C.max_pool2d_grad(relu, y, np.ones_like(y), (2, 3), (2, 3), "VALID")]
        m = C.global_max(seq, (1,), False)
        out += [m, C.global_max(seq, (1, 2), True),
                C.global_max_grad(seq, m, np.ones_like(m), (1,), False)]
        out.append(K.unsorted_segment_sum(rows, ids, 30))
        out.append(K.gather(params, table, 0, 0, out=np.empty((9, 4, 6))))
        return out

    monkeypatch.setattr(parallel, "MIN_PIECE", 1)
    parallel.set_num_threads(1)
    try:
        alone = run()
        parallel.set_num_threads(3)
        for a, b in zip(alone, run()):
            np.testing.assert_array_equal(a, b)
    finally:
        parallel.set_num_threads(0)


_ROW_SHAPES = [(128, 12, 12, 20), (3, 5, 7), (64,), (63,), (0, 128), (4, 256)]


@pytest.mark.parametrize("shape", _ROW_SHAPES)
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "into out"])
def test_relu_over_rows_is_maximum_with_zero(shape, layout):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    x.ravel()[::7] = -0.0
    x.ravel()[::11] = np.nan
    if layout == "transposed":
        x = x.T
    out = np.full(x.shape, 7.0, np.float32) if layout == "into out" else None
    got = N.relu(x, out=out)
    want = np.maximum(x, np.float32(0))
    assert got.shape == x.shape and got.dtype == np.float32
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
    assert out is None or got is out
    ints = np.arange(-60, 60, dtype=np.int32).reshape(8, 15)
    np.testing.assert_array_equal(N.relu(ints), np.maximum(ints, 0))


@pytest.mark.parametrize("shape", [(128, 24, 24, 20), (2, 3, 3, 5), (3, 4, 5), (6, 4), (0, 2, 3)])
@pytest.mark.parametrize("into_out", [False, True])
def test_bias_add_over_folded_rows_is_broadcast_add(shape, into_out):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape).astype(np.float32)
    b = rng.standard_normal(shape[-1]).astype(np.float32)
    out = np.empty_like(x) if into_out else None
    got = N.bias_add(x, b, out=out)
    assert got.shape == x.shape and (out is None or got is out)
    np.testing.assert_array_equal(got, x + b)
    np.testing.assert_array_equal(N.bias_add(x[::2], b), x[::2] + b)  # not contiguous


@pytest.mark.filterwarnings("ignore:invalid value encountered")  # the row of -inf
@pytest.mark.parametrize("shape", [(128, 10), (4, 32, 3), (512, 2)])
def test_softmax_kernels_over_class_scores_equal_the_generic_path(shape):
    # A short last axis runs on the (classes, rows) transpose; the generic path over the
    # first axis of that transpose makes the same reductions: the same bits.
    rng = np.random.default_rng(3)
    x = (rng.standard_normal(shape) * 20).astype(np.float32)
    x.reshape(-1, shape[-1])[0] = -np.inf  # a row of -inf: NaN, as in TensorFlow
    labels = rng.random(shape).astype(np.float32)
    last = len(shape) - 1

    def by_rows(kernel, *arrays):  # the generic path, over axis 0 of the (classes, rows) copy
        cols = [np.ascontiguousarray(a.reshape(-1, shape[-1]).T) for a in arrays]
        return kernel(*cols, 0)

    got = N.softmax(x, last)
    assert got.flags.c_contiguous
    np.testing.assert_array_equal(got.reshape(-1, shape[-1]), by_rows(N.softmax, x).T)
    np.testing.assert_array_equal(N.log_softmax(x, last).reshape(-1, shape[-1]),
                                  by_rows(N.log_softmax, x).T)
    np.testing.assert_array_equal(N.softmax_cross_entropy(labels, x, last).ravel(),
                                  by_rows(N.softmax_cross_entropy, labels, x))
    finite = x.reshape(-1, shape[-1])[1:].astype(np.float64)
    expected = np.exp(finite - finite.max(1, keepdims=True))
    np.testing.assert_allclose(got.reshape(-1, shape[-1])[1:],
                               expected / expected.sum(1, keepdims=True), rtol=1e-5, atol=1e-7)
    assert np.isnan(got.reshape(-1, shape[-1])[0]).all()
