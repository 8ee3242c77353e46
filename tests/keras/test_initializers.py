"""`keras.initializers`: Keras's defaults and distributions, seeds, aliases, errors."""
import numpy as np
import pytest

import fluxion
from fluxion.keras import initializers

SHAPE = (200, 300)


def draw(name_or_obj, shape=SHAPE):
    return np.asarray(initializers.get(name_or_obj)(shape))


def test_constant_family():
    assert np.all(draw("zeros") == 0) and np.all(draw("ones") == 1)
    assert np.all(draw(initializers.Constant(3.0), (2,)) == 3.0)
    assert draw("zeros").dtype == np.float32
    assert initializers.get("zeros")((2,), dtype="float64").dtype == fluxion.float64


def test_random_uniform_and_normal_keras_defaults():
    u = draw("random_uniform")
    assert -0.05 <= u.min() and u.max() < 0.05 and abs(u.std() - 0.1 / np.sqrt(12)) < 0.002
    n = draw("random_normal")
    assert abs(n.mean()) < 0.002 and abs(n.std() - 0.05) < 0.002
    t = draw("truncated_normal")
    assert np.abs(t).max() <= 0.1 + 1e-7
    assert draw("uniform").max() < 0.05  # Keras 2 alias


@pytest.mark.parametrize("name, bound", [
    ("glorot_uniform", np.sqrt(6 / 500)), ("he_uniform", np.sqrt(6 / 200)),
    ("lecun_uniform", np.sqrt(3 / 200)),
])
def test_uniform_variance_scaling(name, bound):
    w = draw(name)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.98 * bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.01 * bound


@pytest.mark.parametrize("name, std", [
    ("glorot_normal", np.sqrt(2 / 500)), ("he_normal", np.sqrt(2 / 200)),
    ("lecun_normal", np.sqrt(1 / 200)),
])
def test_truncated_normal_variance_scaling(name, std):
    w = draw(name)
    assert abs(w.std() - std) < 0.03 * std  # the truncation is compensated
    assert np.abs(w).max() <= 2 * std / 0.87962566103423978 + 1e-6


def test_variance_scaling_modes_and_fans():
    assert initializers.compute_fans((3, 3, 16, 32)) == (144, 288)
    w = np.asarray(initializers.VarianceScaling(2.0, "fan_out", "uniform", seed=1)((100, 50)))
    assert np.abs(w).max() <= np.sqrt(3 * 2.0 / 50)
    with pytest.raises(ValueError, match="mode must be one of"):
        initializers.VarianceScaling(mode="fan_sideways")


def test_orthogonal_and_identity():
    w = draw(initializers.Orthogonal(gain=2.0, seed=3), (6, 4))
    np.testing.assert_allclose(w.T @ w, 4 * np.eye(4), atol=1e-5)
    np.testing.assert_array_equal(draw("identity", (2, 3)), np.eye(2, 3))
    with pytest.raises(ValueError, match="2-D"):
        draw("identity", (2, 2, 2))


def test_seeded_initializers_repeat_unseeded_ones_do_not():
    init = initializers.GlorotUniform(seed=42)
    np.testing.assert_array_equal(np.asarray(init((3, 3))), np.asarray(init((3, 3))))
    np.testing.assert_array_equal(np.asarray(init((3, 3))),
                                  np.asarray(initializers.GlorotUniform(seed=42)((3, 3))))
    other = initializers.GlorotUniform()
    assert not np.array_equal(np.asarray(other((3, 3))), np.asarray(other((3, 3))))


def test_set_seed_makes_unseeded_initializers_reproducible():
    fluxion.random.set_seed(5)
    a = draw("he_normal", (4, 4))
    fluxion.random.set_seed(5)
    np.testing.assert_array_equal(a, draw("he_normal", (4, 4)))


def test_serialize_round_trip_and_unknown_name():
    config = initializers.serialize(initializers.RandomUniform(-1.0, 1.0, seed=3))
    assert config == {"module": "keras.initializers", "class_name": "RandomUniform",
                      "config": {"seed": 3, "minval": -1.0, "maxval": 1.0},
                      "registered_name": None}
    clone = initializers.deserialize(config)
    np.testing.assert_array_equal(np.asarray(clone((3,))),
                                  np.asarray(initializers.RandomUniform(-1.0, 1.0, seed=3)((3,))))
    with pytest.raises(ValueError, match="Could not interpret initializer identifier: 'glorot'. "
                                         "Valid names are: .*glorot_uniform"):
        initializers.get("glorot")
