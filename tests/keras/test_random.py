"""keras.random: SeedGenerator (state, traced functions, global seed) and the random ops."""
import numpy as np
import pytest

import fluxion
from fluxion import keras


def test_seed_generator_state_and_next():
    gen = keras.random.SeedGenerator(seed=11)
    assert gen.state.dtype == fluxion.int64 and tuple(gen.state.shape) == (2,)
    assert gen.state.name == "seed_generator_state" and not gen.state.trainable
    assert gen.state.path.endswith("/seed_generator_state")
    assert gen.next().numpy().tolist() == [11, 0]
    assert gen.next().numpy().tolist() == [11, 1]
    assert gen.state.numpy().tolist() == [11, 2]
    assert gen.get_config()["seed"] == 11
    with pytest.raises(ValueError, match="must be an integer"):
        keras.random.SeedGenerator(seed=1.5)


def test_seed_generator_advances_inside_traced_functions():
    gen = keras.random.SeedGenerator(seed=5)

    @fluxion.function
    def draw():
        return keras.random.uniform((3,), seed=gen)

    traced = [draw().numpy() for _ in range(3)]
    assert gen.state.numpy().tolist() == [5, 3]
    eager = keras.random.SeedGenerator(seed=5)
    for values in traced:
        np.testing.assert_array_equal(values, keras.random.uniform((3,), seed=eager).numpy())
    assert not np.array_equal(traced[0], traced[1])


def test_int_seeds_are_stateless_and_none_follows_the_global_seed():
    a = keras.random.normal((4,), seed=3).numpy()
    np.testing.assert_array_equal(a, keras.random.normal((4,), seed=3).numpy())
    assert not np.array_equal(a, keras.random.normal((4,), seed=4).numpy())
    keras.utils.set_random_seed(7)
    first = [keras.random.uniform((3,)).numpy(), keras.random.SeedGenerator().state.numpy()]
    keras.utils.set_random_seed(7)
    second = [keras.random.uniform((3,)).numpy(), keras.random.SeedGenerator().state.numpy()]
    for x, y in zip(first, second):
        np.testing.assert_array_equal(x, y)
    with pytest.raises(ValueError, match="SeedGenerator"):
        keras.random.uniform((2,), seed="x")


def test_distributions():
    gen = keras.random.SeedGenerator(1)
    u = keras.random.uniform((20000,), minval=-2.0, maxval=2.0, seed=gen).numpy()
    assert u.dtype == np.float32 and u.min() >= -2 and u.max() < 2
    assert abs(u.mean()) < 0.05
    n = keras.random.normal((20000,), mean=1.0, stddev=2.0, seed=gen).numpy()
    assert abs(n.mean() - 1) < 0.06 and abs(n.std() - 2) < 0.06
    t = keras.random.truncated_normal((20000,), stddev=0.5, seed=gen).numpy()
    assert np.abs(t).max() <= 1.0
    r = keras.random.randint((1000,), 2, 5, seed=gen).numpy()
    assert r.dtype == np.int32 and set(np.unique(r)) == {2, 3, 4}
    d = keras.random.dropout(fluxion.ones((20000,)), 0.25, seed=gen).numpy()
    assert set(np.unique(d)) == {0.0, np.float32(1 / 0.75)}
    assert abs((d == 0).mean() - 0.25) < 0.02
    wide = keras.random.dropout(fluxion.ones((50, 4)), 0.5, noise_shape=(1, 4), seed=gen).numpy()
    assert (wide == wide[:1]).all()  # noise_shape: one decision per column


def test_dropout_layer_masks_come_from_its_generator():
    layer = keras.layers.Dropout(0.5, seed=9)
    x = fluxion.ones((4, 8))
    a, b = layer(x, training=True).numpy(), layer(x, training=True).numpy()
    assert not np.array_equal(a, b)
    assert layer.seed_generator.state.numpy().tolist() == [9, 2]
    assert layer.weights == []
    again = keras.layers.Dropout(0.5, seed=9)
    np.testing.assert_array_equal(again(x, training=True).numpy(), a)
    np.testing.assert_array_equal(layer(x).numpy(), x.numpy())  # inference: identity
