"""The compiled (numba) kernels give NumPy's bits, so a seed gives the same run with or without
them. numba comes with the `test` extra: these tests fail, not skip, without it."""
import numpy as np
import pytest

from fluxion import keras
from fluxion.kernels import compiled, training
from fluxion.ops import random_ops


@pytest.fixture(scope="module", autouse=True)
def loaded():
    assert compiled.wait() == ["adam", "keep_mask", "sgd"], "numba is missing: pip install numba"


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
