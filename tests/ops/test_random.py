"""fluxion.random: TensorFlow's seed semantics, and the distributions the samplers draw from.

Values against exact references (the streams) are in opinfo_random.py; here: which calls repeat
and which differ, and statistics of large samples (tolerances are several standard errors wide,
and every sample is seeded, so the tests are deterministic).
"""
import math
import subprocess
import sys

import numpy as np
import pytest

import fluxion as fx
from fluxion import random as fr
from fluxion.ops import random_ops
from fluxion.ops.registry import bind


@pytest.fixture(autouse=True)
def _unseeded():
    fr.set_seed(None)
    yield
    fr.set_seed(None)


def same(a, b):
    return a.dtype == b.dtype and np.array_equal(a.numpy(), b.numpy())


# --- seed semantics -------------------------------------------------------------------------------
def test_no_seed_gives_different_values_every_call():
    assert not same(fr.uniform([8]), fr.uniform([8]))
    assert not same(fr.normal([8]), fr.normal([8]))


def test_global_seed_gives_a_sequence_that_set_seed_restarts():
    fr.set_seed(1234)
    a1, a2, n1 = fr.uniform([5]), fr.uniform([5]), fr.normal([5])
    assert not same(a1, a2)
    fr.set_seed(1234)
    b1, b2, m1 = fr.uniform([5]), fr.uniform([5]), fr.normal([5])
    assert same(a1, b1) and same(a2, b2) and same(n1, m1)
    fr.set_seed(4321)
    assert not same(a1, fr.uniform([5]))


def test_op_seed_repeats_its_sequence_after_set_seed():
    fr.set_seed(1234)
    a1, a2 = fr.uniform([5], seed=1), fr.uniform([5], seed=1)
    assert not same(a1, a2)
    fr.set_seed(1234)
    assert same(fr.uniform([5], seed=1), a1)
    assert same(fr.uniform([5], seed=1), a2)
    assert not same(fr.uniform([5], seed=2), a1)


def test_op_seed_without_global_seed_uses_the_default_global_seed():
    a1, a2 = fr.uniform([5], seed=7), fr.uniform([5], seed=7)
    assert not same(a1, a2)
    fr.set_seed(None)
    assert same(fr.uniform([5], seed=7), a1)
    fr.set_seed(random_ops.DEFAULT_GLOBAL_SEED)
    assert same(fr.uniform([5], seed=7), a1)


def test_each_op_has_its_own_stream():
    fr.set_seed(1)
    n = fr.normal([4], seed=3)
    fr.set_seed(1)
    fr.uniform([4], seed=3)  # a draw of another op does not move normal's stream
    assert same(fr.normal([4], seed=3), n)


def test_the_kernel_advances_the_state_so_a_replayed_primitive_draws_anew():
    # A traced graph replays the primitive with the attributes fixed at trace time.
    attrs = dict(shape=(4,), dtype=np.dtype(np.float32), seed=(5, 6))
    first, second = bind(random_ops._UNIFORM[0], **attrs), bind(random_ops._UNIFORM[0], **attrs)
    assert not same(first, second)
    fr.set_seed(None)
    assert same(bind(random_ops._UNIFORM[0], **attrs), first)
    unseeded = dict(attrs, seed=None)
    assert not same(bind(random_ops._UNIFORM[0], **unseeded),
                    bind(random_ops._UNIFORM[0], **unseeded))


def test_a_traced_function_draws_anew_on_every_call():
    fr.set_seed(3)
    f = fx.function(lambda: fr.uniform([3]) + fr.normal([3], seed=1))
    first, second = f(), f()
    assert not same(first, second)
    fr.set_seed(3)
    assert same(f(), first) and same(f(), second)


_PROGRAM = """
import fluxion.random as fr
print(fr.uniform([3], seed=5).numpy().tolist())
fr.set_seed(99)
print(fr.normal([3]).numpy().tolist(), fr.categorical([[0.0, 1.0, 2.0]], 5).numpy().tolist())
"""


def test_a_rerun_program_gives_the_same_values():
    runs = [subprocess.run([sys.executable, "-c", _PROGRAM], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)]
    assert runs[0] == runs[1] and runs[0].count("[") >= 4


def test_stateless_ops_depend_on_the_seed_alone():
    a = fr.stateless_uniform([6], seed=[3, 4])
    fr.set_seed(1)
    fr.uniform([3])
    assert same(fr.stateless_uniform([6], seed=[3, 4]), a)
    assert same(fr.stateless_uniform([6], seed=fx.constant([3, 4])), a)
    assert not same(fr.stateless_uniform([6], seed=[4, 3]), a)
    assert same(fr.stateless_normal([6], seed=(1, 2)), fr.stateless_normal([6], seed=(1, 2)))
    ints = fr.stateless_uniform([100], seed=[1, 2], minval=5, maxval=9, dtype="int64")
    assert ints.dtype == fx.int64 and set(ints.numpy().tolist()) == {5, 6, 7, 8}


def test_stateless_seed_must_be_two_integers():
    with pytest.raises(ValueError, match=r"stateless_normal: seed must be two integers"):
        fr.stateless_normal([2], seed=3)
    with pytest.raises(ValueError, match=r"stateless_uniform: seed must be two integers"):
        fr.stateless_uniform([2], seed=[1.5, 2.0])


def test_set_seed_rejects_a_non_integer():
    with pytest.raises(TypeError, match="set_seed: a seed must be an integer"):
        fr.set_seed("abc")


# --- distributions --------------------------------------------------------------------------------
N = 200_000


def test_uniform_range_moments_and_dtypes():
    for dtype in ("float16", "float32", "float64"):
        x = fr.uniform([N], dtype=dtype, seed=1)
        assert x.dtype == dtype and x.shape == (N,)
        v = x.numpy().astype(np.float64)
        assert v.min() >= 0.0 and v.max() < 1.0
        assert abs(v.mean() - 0.5) < 0.005 and abs(v.var() - 1 / 12) < 0.002
    x = fr.uniform([N, 2], minval=[-3.0, 10.0], maxval=[-1.0, 20.0], seed=2).numpy()
    assert x.dtype == np.float32
    np.testing.assert_allclose(x.mean(0), [-2.0, 15.0], atol=0.05)
    assert x[:, 0].min() >= -3 and x[:, 0].max() < -1 and x[:, 1].min() >= 10


def test_uniform_integers_cover_the_range_evenly():
    x = fr.uniform([N], minval=-2, maxval=3, dtype="int32", seed=3)
    assert x.dtype == fx.int32
    counts = np.bincount(x.numpy() + 2, minlength=5)
    assert len(counts) == 5
    np.testing.assert_allclose(counts / N, 0.2, atol=0.005)
    with pytest.raises(ValueError, match="uniform: maxval must be given for integer dtype int64"):
        fr.uniform([2], dtype="int64")


def test_normal_moments():
    for dtype in ("float16", "float32", "float64"):
        x = fr.normal([N], mean=3.0, stddev=2.0, dtype=dtype, seed=4)
        assert x.dtype == dtype
        v = x.numpy().astype(np.float64)
        assert abs(v.mean() - 3.0) < 0.03 and abs(v.std() - 2.0) < 0.03
    z = fr.stateless_normal([N], seed=[5, 6]).numpy().astype(np.float64)
    assert abs(z.mean()) < 0.015 and abs(z.std() - 1.0) < 0.015
    # fourth moment of a normal: 3
    assert abs(np.mean(z ** 4) - 3.0) < 0.1


def test_truncated_normal_bounds_and_moments():
    # A standard normal cut at +-2 has variance 1 - 4 phi(2) / (Phi(2) - Phi(-2)).
    phi2 = math.exp(-2.0) / math.sqrt(2 * math.pi)
    std = math.sqrt(1 - 4 * phi2 / math.erf(2 / math.sqrt(2)))
    for make in (lambda: fr.truncated_normal([N], mean=-1.0, stddev=0.5, seed=5),
                 lambda: fr.stateless_truncated_normal([N], seed=[7, 8], mean=-1.0, stddev=0.5)):
        v = make().numpy().astype(np.float64)
        assert v.min() >= -2.0 and v.max() <= 0.0
        assert abs(v.mean() + 1.0) < 0.01 and abs(v.std() - 0.5 * std) < 0.01
        # mass right up to the cut: P(1.8 < |z| <= 2) for the truncated standard normal
        edge = (math.erf(2 / math.sqrt(2)) - math.erf(1.8 / math.sqrt(2))) / \
            math.erf(2 / math.sqrt(2))
        assert abs(np.mean(np.abs(v + 1.0) > 0.9) - edge) < 0.003


def test_categorical_frequencies_match_softmax():
    logits = np.array([[1.0, 2.0, 3.0, 0.0], [0.0, 0.0, -np.inf, 0.5]], np.float32)
    samples = fr.categorical(logits, 50_000, seed=6)
    assert samples.dtype == fx.int64 and samples.shape == (2, 50_000)
    probs = np.exp(logits - logits.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    for row in range(2):
        freq = np.bincount(samples.numpy()[row], minlength=4) / 50_000
        np.testing.assert_allclose(freq, probs[row], atol=0.01)
    assert not np.any(samples.numpy()[1] == 2)  # zero probability is never drawn
    stateless = fr.stateless_categorical(logits, 10, seed=[1, 1], dtype="int32")
    assert stateless.dtype == fx.int32 and same(
        stateless, fr.stateless_categorical(logits, 10, seed=[1, 1], dtype="int32"))


def test_shuffle_is_a_permutation_of_the_rows():
    x = np.arange(200).reshape(100, 2)
    y = fr.shuffle(x, seed=7).numpy()
    assert y.shape == x.shape and not np.array_equal(y, x)
    np.testing.assert_array_equal(np.sort(y[:, 0]), x[:, 0])
    np.testing.assert_array_equal(y[:, 1], y[:, 0] + 1)  # rows move whole
    fr.set_seed(3)
    a = fr.shuffle(x).numpy()
    fr.set_seed(3)
    np.testing.assert_array_equal(fr.shuffle(x).numpy(), a)


def test_random_ops_are_not_recorded_but_mean_and_stddev_get_gradients():
    mean, stddev = fx.constant(1.0), fx.constant(2.0)
    with fx.GradientTape(persistent=True) as tape:
        tape.watch([mean, stddev])
        z = fr.normal([1000], mean=mean, stddev=stddev, seed=8)
        total = fx.reduce_sum(z)
    assert float(tape.gradient(total, mean)) == 1000.0
    np.testing.assert_allclose(float(tape.gradient(total, stddev)),
                               (z.numpy().sum() - 1000.0) / 2.0, rtol=1e-4)


# --- uniforms and dropout masks: SFC64 blocks ---------------------------------------------------
def _keep_mask(key, stream, draw, size, rate=0.3):
    return random_ops._draw_keep_mask(random_ops._Stream(key, stream, draw), (size,), np.float32,
                                      rate)


def _within(observed, p, n, sigmas=4.0):
    return abs(observed - p) <= sigmas * math.sqrt(p * (1 - p) / n)


def test_neighbouring_seeds_draws_streams_and_blocks_give_independent_masks():
    rate, n, block = 0.3, 128 * 128, 2 * random_ops.BLOCK_WORDS  # 32-bit values per block
    base = _keep_mask((7, 11), 0, 3, n)
    two_blocks = _keep_mask((7, 11), 0, 3, 2 * block)
    neighbours = {
        "seed a + 1": _keep_mask((8, 11), 0, 3, n),
        "seed b + 1": _keep_mask((7, 12), 0, 3, n),
        "seed a high bit": _keep_mask((7 + 2 ** 63, 11), 0, 3, n),
        "stream": _keep_mask((7, 11), 1, 3, n),
        "draw + 1": _keep_mask((7, 11), 0, 4, n),
        "draw - 1": _keep_mask((7, 11), 0, 2, n),
        "block 1": two_blocks[block:block + n],
        "swapped seed": _keep_mask((11, 7), 0, 3, n),
    }
    np.testing.assert_array_equal(two_blocks[:n], base)  # a longer draw extends a shorter one
    keep, agree = 1 - rate, (1 - rate) ** 2 + rate ** 2
    assert _within(np.mean(base > 0), keep, n)
    for name, mask in neighbours.items():
        assert set(np.unique(mask).tolist()) == {0.0, np.float32(1 / (1 - rate))}, name
        assert _within(np.mean(mask > 0), keep, n), name
        assert _within(np.mean((mask > 0) == (base > 0)), agree, n), name
    # and the neighbours among themselves (a few pairs)
    masks = list(neighbours.values())
    for first, second in zip(masks, masks[1:]):
        assert _within(np.mean((first > 0) == (second > 0)), agree, n)


def test_neighbouring_uniform_words_are_uncorrelated():
    n = 1 << 14
    draws = [random_ops._draw_uniform(random_ops._Stream(key, 1, 0), (n,), np.float64)
             for key in [(0, 0), (1, 0), (0, 1), (2, 0)]]
    for i, u in enumerate(draws):
        assert abs(u.mean() - 0.5) < 4 * math.sqrt(1 / 12 / n)
        for v in draws[i + 1:]:
            assert abs(np.corrcoef(u, v)[0, 1]) < 4 / math.sqrt(n)
        assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 4 / math.sqrt(n)  # successive values


@pytest.mark.parametrize("rate", [0.05, 0.5, 0.9])
def test_keep_mask_rate_and_scale(rate):
    n = 200_003  # odd: the last 32-bit value is half of a word
    mask = fx.nn.experimental.stateless_dropout(fx.ones([n]), rate, seed=[3, 9]).numpy()
    scale = np.float32(1 / (1 - rate))
    assert set(np.unique(mask).tolist()) <= {0.0, scale}
    assert _within(np.mean(mask == scale), 1 - rate, n)
    fr.set_seed(2)
    stateful = fx.nn.dropout(fx.ones([n], dtype="float64"), rate).numpy()
    assert _within(np.mean(stateful > 0), 1 - rate, n)
    np.testing.assert_array_equal(stateful[stateful > 0], 1 / (1 - rate))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_draw_is_a_prefix_of_any_longer_draw_of_its_stream(dtype):
    per_block = random_ops.BLOCK_WORDS * (2 if dtype == "float32" else 1)
    long = fr.stateless_uniform([2 * per_block + 5], seed=[1, -1], dtype=dtype).numpy()
    for size in (1, 7, 1000, per_block - 1, per_block, per_block + 3):
        np.testing.assert_array_equal(
            fr.stateless_uniform([size], seed=[1, -1], dtype=dtype).numpy(), long[:size])
    assert 0.0 <= long.min() and long.max() < 1.0


def test_first_values_of_consecutive_seeds_draws_and_blocks_look_independent():
    # A weak derivation shows first: the first values of neighbouring streams would agree.
    rate, n = 0.3, 3000
    drop = round(rate * 2 ** 32)
    first_words = {
        "seed a": [random_ops._block_words((i, 11, 0, 3), 0, 1) for i in range(n)],
        "seed b": [random_ops._block_words((7, i, 1, 0), 0, 1) for i in range(n)],
        "draw": [random_ops._block_words((7, 11, 0, i), 0, 1) for i in range(n)],
        "block": [random_ops._block_words((7, 11, 0, 3), i, 1) for i in range(n)],
    }
    keep, agree = 1 - rate, (1 - rate) ** 2 + rate ** 2
    for name, words in first_words.items():
        kept = np.stack(words)[:, random_ops._WARM_UP].copy().view(np.uint32).reshape(n, 2) >= drop
        assert _within(kept.mean(), keep, 2 * n), name
        assert _within(np.mean(kept[1:] == kept[:-1]), agree, 2 * (n - 1)), name
        assert _within(np.mean(kept[:, 0] == kept[:, 1]), agree, n), name
    mask = [_keep_mask((i, 0), 1, 0, 1)[0] > 0 for i in range(n)]  # through the sampler
    assert _within(np.mean(mask), keep, n)
