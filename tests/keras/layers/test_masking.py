"""Masking: zeroes the padded steps and masks them for the layers after it (Keras semantics)."""
import numpy as np
import pytest

import fluxion
from fluxion import keras
from fluxion.keras.layers.masking import Masking
from tests.keras.layer_testing import run_layer_test
from tests.keras.layers.rnn import reference as ref

RNG = np.random.default_rng(0)


def _padded(value):
    x = RNG.normal(size=(3, 5, 4)).astype(np.float32)
    x[0, :2] = value          # leading padding
    x[1, 3:] = value          # trailing padding
    x[2, 2] = value           # a hole
    x[2, 4, :2] = value       # only some features equal the value: not masked
    return x


@pytest.mark.parametrize("mask_value", [0.0, -1.0])
def test_masking_values_and_mask(mask_value):
    x = _padded(mask_value)
    keep = np.any(x != mask_value, axis=-1)
    layer = Masking(mask_value=mask_value)
    out = layer(x)
    np.testing.assert_array_equal(out, x * keep[..., None])
    np.testing.assert_array_equal(layer.compute_mask(fluxion.constant(x)), keep)
    assert keep.tolist() == [[False, False, True, True, True], [True, True, True, False, False],
                             [True, True, False, True, True]]
    run_layer_test(Masking, {"mask_value": mask_value}, x,
                   expected_output=lambda layer, inputs: np.asarray(inputs) * np.any(
                       np.asarray(inputs) != mask_value, axis=-1, keepdims=True),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   check_gradients=False)  # finite differences unmask the padded steps
    xt = fluxion.constant(x)
    cot = RNG.normal(size=x.shape).astype(np.float32)
    with fluxion.GradientTape() as tape:
        tape.watch(xt)
        loss = fluxion.reduce_sum(layer(xt) * cot)
    np.testing.assert_array_equal(tape.gradient(loss, xt), cot * keep[..., None])
    assert Masking().get_config()["mask_value"] == 0.0


@pytest.mark.parametrize("unroll", [False, True])
def test_masking_in_front_of_an_lstm(unroll):
    x = _padded(0.0)
    keep = np.any(x != 0.0, axis=-1)
    model = keras.Sequential([keras.Input((5, 4)), Masking(mask_value=0.0),
                              keras.layers.LSTM(3, return_sequences=True, unroll=unroll)])
    out = model(x)
    lstm = model.layers[1]
    w = [np.asarray(v, np.float64) for v in lstm.get_weights()]
    want, _ = ref.run(lambda xt, s: ref.lstm_step(xt, s, w), x.astype(np.float64),
                      [np.zeros((3, 3))] * 2, keep, return_sequences=True)
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(np.asarray(out)[0, :2], 0)  # leading padding: zeros
    np.testing.assert_allclose(np.asarray(out)[1, 3:], np.asarray(out)[1, 2:3].repeat(2, 0))
    # the masked model trains and predicts like the unmasked one on the unpadded part
    model.compile("sgd", "mse")
    model.fit(x, np.zeros((3, 5, 3), np.float32), epochs=1, verbose=0)
    short = keras.Sequential([keras.Input((3, 4)), keras.layers.LSTM(3, unroll=unroll)])
    short.layers[0].set_weights(lstm.get_weights())
    np.testing.assert_allclose(model.predict(x, verbose=0)[0, -1], short(x[:1, 2:])[0],
                               rtol=1e-5, atol=1e-6)


def test_eager_outputs_carry_keras_mask():
    # Keras 3: in eager mode a layer's output carries the mask it computed as `_keras_mask`
    out = keras.layers.Embedding(10, 4, mask_zero=True)(np.array([[1, 0, 3]]))
    np.testing.assert_array_equal(out._keras_mask, [[True, False, True]])
    assert out._keras_mask.dtype == "bool"
    x = _padded(0.0)
    masked = Masking()(x)
    np.testing.assert_array_equal(masked._keras_mask, np.any(x != 0.0, axis=-1))
    dense = keras.layers.Dense(2)(masked)  # layers that support masking pass it on
    np.testing.assert_array_equal(dense._keras_mask, masked._keras_mask)
    # a tensor without a mask has no `_keras_mask` attribute, as in Keras 3
    assert not hasattr(fluxion.constant([1.0]), "_keras_mask")
    assert not hasattr(keras.layers.Dense(2)(x), "_keras_mask")
    with pytest.warns(UserWarning, match="does not support masking"):
        assert not hasattr(keras.layers.Flatten()(masked), "_keras_mask")


def test_keras_mask_set_by_hand_is_used():
    x = fluxion.constant(np.arange(24, dtype=np.float32).reshape(2, 3, 4))
    keep = np.array([[True, False, True], [False, False, True]])
    x._keras_mask = fluxion.constant(keep)
    want = (x.numpy() * keep[..., None]).sum(1) / keep.sum(1, keepdims=True)
    np.testing.assert_allclose(keras.layers.GlobalAveragePooling1D()(x), want)
    np.testing.assert_array_equal(keras.layers.Dense(2)(x)._keras_mask, keep)
    x._keras_mask = None  # removes it
    np.testing.assert_allclose(keras.layers.GlobalAveragePooling1D()(x), x.numpy().mean(1))


def test_a_layer_without_mask_support_warns_that_it_drops_the_mask():
    masked = Masking()(_padded(0.0))
    with pytest.warns(UserWarning, match="does not support masking"):
        out = keras.layers.Conv1D(2, 1)(masked)
    assert not hasattr(out, "_keras_mask")
    ids = keras.Input((3,), dtype="int32")
    with pytest.warns(UserWarning, match="Flatten"):
        keras.layers.Flatten()(keras.layers.Embedding(4, 2, mask_zero=True)(ids))
