"""The compiled (numba) kernels give NumPy's bits, so a seed gives the same run with or without
them. numba comes with the `test` extra: these tests fail, not skip, without it."""
import numpy as np
import pytest

from fluxion import keras
from fluxion.kernels import compiled, nn, training
from fluxion.ops import index_ops, math_ops, random_ops


@pytest.fixture(scope="module", autouse=True)
def loaded():
    assert compiled.wait() == ["adam", "argmax_rows", "cross_entropy_columns", "divide_columns",
                               "keep_mask", "relu", "relu_grad", "sgd", "shifted_columns",
                               "sum_rows"], "numba is missing: pip install numba"


@pytest.fixture
def use_compiled(monkeypatch):
    def set_enabled(flag):
        monkeypatch.setattr(compiled, "ENABLED", flag)
    return set_enabled


def _arrays(rng, dtype, special):
    shapes = [(300, 7), (5,), (1000,), (1,)]
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    if special:  # zeros, NaN, infinities, subnormals and huge values go through unchanged
        flat = arrays[2]
        flat[:6] = [0.0, np.nan, np.inf, -np.inf, 1e-40, 3e38]
    return arrays


RULES = [
    ("adam", ("momentum", "velocity"), {"alpha": 0.01},
     {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}),
    ("adam", ("momentum", "velocity", "velocity_hat"), {"alpha": 0.01},
     {"beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-3}),
    ("sgd", (), {"lr": 0.1}, {}),
    ("sgd", ("momentum",), {"lr": 0.1}, {"momentum_rate": 0.9}),
    ("sgd", ("momentum",), {"lr": 0.1}, {"momentum_rate": 0.9, "nesterov": True}),
]


@pytest.mark.parametrize("rule, slots, scalars, hyper", RULES)
@pytest.mark.parametrize("special", [False, True])
def test_optimizer_rules_are_numpys_bit_for_bit(use_compiled, rule, slots, scalars, hyper,
                                               special):
    rng = np.random.default_rng(7)
    params, grads = _arrays(rng, np.float32, False), _arrays(rng, np.float32, special)
    state = {k: [np.abs(a) for a in _arrays(rng, np.float32, False)] for k in slots}
    runs = {}
    for flag in (False, True):
        use_compiled(flag)
        p, s = [a.copy() for a in params], {k: [a.copy() for a in v] for k, v in state.items()}
        with np.errstate(all="ignore"):
            for _ in range(3):
                training.update(rule, p, grads, s, scalars, hyper)
        runs[flag] = p + [a for k in slots for a in s[k]]
    assert compiled.kernel(rule) is not None
    for numpy_result, compiled_result in zip(runs[False], runs[True]):
        np.testing.assert_array_equal(compiled_result, numpy_result)  # NaN == NaN here


def test_float64_runs_numpy():
    assert compiled.kernel("adam", np.float64) is None
    assert compiled.kernel("adam", np.float32) is not None
    assert compiled.kernel("no_such_kernel") is None


@pytest.mark.parametrize("size, rate", [(128 * 128, 0.3), (7, 0.5), (1, 0.1), (0, 0.3),
                                        (25, 0.0), (6, 0.9999), (3 * 262_144 + 5, 0.3)])
def test_keep_mask_is_numpys_bit_for_bit(use_compiled, size, rate):
    masks = []
    for flag in (False, True):
        use_compiled(flag)
        stream = random_ops._Stream((1, 2), random_ops._STATELESS, 3)
        masks.append(random_ops._draw_keep_mask(stream, (size,), np.float32, rate))
    np.testing.assert_array_equal(masks[1], masks[0])
    if size > 1000:
        assert abs(np.mean(masks[1] == 0) - rate) < 0.02


def _specials(shape, seed=0):
    """float32 values of `shape` with zeros of both signs, NaN, infinities and subnormals."""
    x = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    flat = x.reshape(-1)
    specials = [0.0, -0.0, np.nan, np.inf, -np.inf, 1e-40, -1e-40, 3e38]
    flat[:8] = specials[:flat.size]
    return x


def _both_ways(use_compiled, fn):
    results = []
    for flag in (False, True):
        use_compiled(flag)
        with np.errstate(all="ignore"):
            results.append(fn())
    return results


def _assert_same_bits(numpy_result, compiled_result):
    assert compiled_result.dtype == numpy_result.dtype
    assert compiled_result.shape == numpy_result.shape
    np.testing.assert_array_equal(compiled_result.view(np.uint8), numpy_result.view(np.uint8))


@pytest.mark.parametrize("shape", [(128, 128), (3, 5, 7), (1, 1), (70000, 1)])
def test_relu_and_its_gradient_are_numpys_bit_for_bit(use_compiled, shape):
    x, g = _specials(shape, 1), _specials(shape, 2)
    _assert_same_bits(*_both_ways(use_compiled, lambda: nn.relu(x)))
    out = np.empty_like(x)
    _assert_same_bits(*_both_ways(use_compiled, lambda: nn.relu(x, out=out).copy()))
    y = nn.relu(x)
    _assert_same_bits(*_both_ways(use_compiled, lambda: nn.relu_grad(g, y)))
    x_strided = _specials((shape[0], 2 * shape[-1]), 3)[:, ::2]  # not contiguous: NumPy runs
    _assert_same_bits(*_both_ways(use_compiled, lambda: nn.relu(x_strided)))


@pytest.mark.parametrize("shape", [(128, 10), (4, 3, 6), (7, 1), (2, 3000)])
@pytest.mark.parametrize("output_type", [np.int64, np.int32])
def test_argmax_is_numpys_with_nan_never_winning(use_compiled, shape, output_type):
    with np.errstate(over="ignore"):
        x = np.round(_specials(shape) * 2) / 2  # ties, which the first index wins
    x.reshape(-1, shape[-1])[1, :] = np.nan  # an all-NaN row gives 0
    kernel = index_ops._ARGMAX.kernel
    results = _both_ways(use_compiled, lambda: kernel(x, axis=x.ndim - 1,
                                                       output_type=output_type))
    _assert_same_bits(*results)
    assert results[1].reshape(-1)[1] == 0


@pytest.mark.parametrize("shape", [(128, 128), (1000, 7), (3, 100000), (1, 9), (40, 3, 5)])
def test_sum_over_the_first_axis_is_numpys_bit_for_bit(use_compiled, shape):
    x = np.random.default_rng(4).standard_normal(shape).astype(np.float32) * 1000
    for keepdims in (False, True):
        _assert_same_bits(*_both_ways(use_compiled,
                                      lambda: math_ops._sum_kernel(x, (0,), keepdims)))


@pytest.mark.parametrize("shape", [(128, 10), (64, 2), (5, 30, 7), (200, 32)])
def test_softmax_and_cross_entropy_are_numpys_bit_for_bit(use_compiled, shape):
    logits = np.random.default_rng(5).standard_normal(shape).astype(np.float32) * 30
    flat = logits.reshape(-1, shape[-1])
    flat[0, :] = -np.inf  # a row of -inf gives NaN, as in TensorFlow
    flat[1, 0], flat[2, :] = np.nan, 1e30
    labels = np.random.default_rng(6).dirichlet(np.ones(shape[-1]), flat.shape[0])
    labels = labels.astype(np.float32).reshape(shape)
    assert nn._compiled_columns(logits, logits.ndim - 1, "divide_columns") is not None
    _assert_same_bits(*_both_ways(use_compiled, lambda: nn.softmax(logits, logits.ndim - 1)))
    _assert_same_bits(*_both_ways(use_compiled, lambda: nn.softmax_cross_entropy(
        labels, logits, logits.ndim - 1)))


def test_training_with_and_without_compiled_kernels_is_bit_identical(use_compiled):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 20)).astype(np.float32)
    y = keras.utils.to_categorical(rng.integers(0, 3, 256), 3)
    weights = []
    for flag in (False, True):
        use_compiled(flag)
        keras.utils.set_random_seed(3)
        model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(16, activation="relu"),
                                  keras.layers.Dropout(0.3),
                                  keras.layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        model.fit(x, y, batch_size=32, epochs=2, verbose=0)
        weights.append(model.get_weights())
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)
