"""kernels/parallel.py: pieces cover the range exactly; random draws do not depend on threads."""
import numpy as np
import pytest

import fluxion as fx
from fluxion.kernels import parallel

from ..ops.opinfo_random import sfc64_words


@pytest.fixture
def threads():
    saved = parallel.configured_threads()
    yield parallel.set_num_threads
    parallel.set_num_threads(saved)


@pytest.mark.parametrize("count", [1, 2, 3, 5])
def test_pieces_cover_the_range_once_and_aligned(threads, count):
    threads(count)
    seen = []
    parallel.for_pieces(lambda i, j: seen.append((i, j)), 1001, align=8, min_piece=10)
    seen.sort()
    assert seen[0][0] == 0 and seen[-1][1] == 1001
    assert all(a[1] == b[0] for a, b in zip(seen, seen[1:]))
    assert all(i % 8 == 0 for i, _ in seen)
    assert len(seen) == min(count, 1001 // 10)


def test_errors_from_a_piece_reach_the_caller(threads):
    threads(2)

    def piece(i, j):
        if i:
            raise ValueError("piece failed")
    with pytest.raises(ValueError, match="piece failed"):
        parallel.for_pieces(piece, 100, min_piece=10)


def test_bad_thread_count_is_refused():
    with pytest.raises(ValueError, match="non-negative int"):
        fx.config.threading.set_intra_op_parallelism_threads(-1)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_large_draws_are_the_same_with_any_thread_count(threads, dtype):
    shape = (3, (1 << 18) + 7)  # several blocks and pieces, and a ragged end
    draws = []
    for count in (1, 2, 3):
        threads(count)
        fx.random.set_seed(5)
        u = fx.random.uniform(shape, dtype=dtype, seed=1).numpy()
        m = fx.nn.dropout(fx.ones(shape, dtype=dtype), 0.3, seed=2).numpy()
        su = fx.random.stateless_uniform(shape, seed=[3, 4], dtype=dtype).numpy()
        sm = fx.nn.experimental.stateless_dropout(fx.ones(shape, dtype=dtype), 0.6,
                                                  seed=[-3, 4]).numpy()
        draws.append((u, m, su, sm))
    for draw in draws[1:]:
        for value, first in zip(draw, draws[0], strict=True):
            np.testing.assert_array_equal(value, first)
    assert abs(np.mean(draws[0][1] > 0) - 0.7) < 0.005  # about 9 standard errors
    assert abs(np.mean(draws[0][3] > 0) - 0.4) < 0.005
    # the documented stream: blocks of SFC64 words, (u32 >> 8) * 2**-24 or (u64 >> 11) * 2**-53
    count = int(np.prod(shape)) // (2 if dtype == "float32" else 1) + 1
    words = sfc64_words((5, 1), 0, 0, count)
    if dtype == "float32":
        reference = (words.view(np.uint32) >> 8) * np.float32(2 ** -24)
    else:
        reference = (words >> np.uint64(11)) * 2.0 ** -53
    np.testing.assert_array_equal(draws[0][0].ravel(), reference[:draws[0][0].size])
