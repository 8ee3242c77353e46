"""Bidirectional and TimeDistributed against direct computations."""
import numpy as np
import pytest

import fluxion
from fluxion import keras
from fluxion.keras import layers
from tests.keras.layer_testing import run_layer_test

from . import reference as ref

RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 5, 4)).astype(np.float32)


def _directions(bi, x, **kwargs):
    fw, bw = bi.forward_layer, bi.backward_layer
    return np.asarray(fw(x, **kwargs)), np.asarray(bw(x, **kwargs))


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_bidirectional_merge_modes(merge_mode, return_sequences):
    bi = layers.Bidirectional(layers.LSTM(3, return_sequences=return_sequences),
                              merge_mode=merge_mode)
    out = bi(X)
    y, y_rev = _directions(bi, X)
    if return_sequences:
        y_rev = y_rev[:, ::-1]
    want = {"concat": lambda: np.concatenate([y, y_rev], -1), "sum": lambda: y + y_rev,
            "mul": lambda: y * y_rev, "ave": lambda: (y + y_rev) / 2,
            None: lambda: [y, y_rev]}[merge_mode]()
    if merge_mode is None:
        for got, expected in zip(out, want):
            np.testing.assert_allclose(got, expected, rtol=1e-6)
    else:
        np.testing.assert_allclose(out, want, rtol=1e-6)
    assert bi.backward_layer.go_backwards and not bi.forward_layer.go_backwards
    assert len(bi.weights) == 6


def test_bidirectional_backward_direction_is_the_reversed_sequence():
    bi = layers.Bidirectional(layers.GRU(2, return_sequences=True), merge_mode=None)
    _, back = bi(X)
    forward_on_reversed = layers.GRU(2, return_sequences=True)
    forward_on_reversed(X)
    forward_on_reversed.set_weights(bi.backward_layer.get_weights())
    np.testing.assert_allclose(back, np.asarray(forward_on_reversed(X[:, ::-1]))[:, ::-1],
                               rtol=1e-5, atol=1e-6)


def test_bidirectional_return_state_mask_and_layer_test():
    bi = layers.Bidirectional(layers.LSTM(3, return_state=True))
    out = bi(X)
    assert len(out) == 5 and out[0].shape == (3, 6) and out[1].shape == (3, 3)
    mask = np.ones((3, 5), bool)
    mask[0, :3] = False
    y = bi(X, mask=fluxion.constant(mask))[0]
    y_short = bi(X[:1, 3:])[0]
    np.testing.assert_allclose(np.asarray(y)[0, :3], np.asarray(y_short)[0, :3], rtol=1e-5,
                               atol=1e-6)
    run_layer_test(layers.Bidirectional,
                   {"layer": layers.SimpleRNN(2, return_sequences=True), "merge_mode": "sum"},
                   RNG.normal(size=(2, 3, 2)).astype(np.float32),
                   expected_num_trainable_weights=6, check_json=True, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="merge mode"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="max")


def test_bidirectional_in_a_model_with_embedding_mask():
    model = keras.Sequential([keras.Input((6,), dtype="int32"),
                              layers.Embedding(10, 4, mask_zero=True),
                              layers.Bidirectional(layers.LSTM(3)),
                              layers.Dense(1)])
    ids = np.array([[0, 0, 1, 2, 3, 4], [5, 6, 7, 8, 9, 1]], np.int32)
    assert model(ids).shape == (2, 1)
    assert model.layers[1].output_shape == (None, 6)


def test_time_distributed_dense():
    dense = layers.Dense(2)
    td = layers.TimeDistributed(dense)
    out = td(X)
    k, b = (np.asarray(w) for w in dense.weights)
    np.testing.assert_allclose(out, X @ k + b, rtol=1e-5, atol=1e-6)
    run_layer_test(layers.TimeDistributed, {"layer": layers.Dense(3)},
                   RNG.normal(size=(2, 4, 2)).astype(np.float32),
                   expected_output=lambda layer, x: x @ np.asarray(layer.layer.kernel)
                   + np.asarray(layer.layer.bias),
                   expected_num_trainable_weights=2, rtol=1e-5, atol=1e-6,
                   check_gradients=False)  # the wrapped layer is shared (float32)
    model = keras.Sequential([keras.Input((5, 4)), layers.LSTM(3, return_sequences=True),
                              layers.TimeDistributed(layers.Dense(2))])
    assert model.output_shape == (None, 5, 2)
    with pytest.raises(ValueError, match="at least 3"):
        layers.TimeDistributed(layers.Dense(2))(np.ones((2, 3), np.float32))


def test_bidirectional_masked_sequences_output_zeros_in_both_directions():
    """Keras forces `zero_output_for_mask = return_sequences` on both directions: TF 2.21 gives
    [[.964, .964], [.964, .964], [0, 0]] (tanh(2) = .964) for this input."""
    x = np.ones((1, 3, 2), np.float32)
    mask = fluxion.constant(np.array([[1, 1, 0]], bool))
    bi = layers.Bidirectional(layers.SimpleRNN(1, kernel_initializer="ones",
                                               recurrent_initializer="zeros",
                                               return_sequences=True))
    t = np.tanh(2.0)
    np.testing.assert_allclose(bi(x, mask=mask)[0], [[t, t], [t, t], [0, 0]], rtol=1e-6)
    assert bi.forward_layer.zero_output_for_mask and bi.backward_layer.zero_output_for_mask
    assert bi.get_config()["layer"]["config"]["zero_output_for_mask"] is True
    last = layers.Bidirectional(layers.LSTM(2, zero_output_for_mask=True))
    assert not last.forward_layer.zero_output_for_mask
    assert not last.backward_layer.zero_output_for_mask
    # random weights and a mask with holes: each direction is the zero-output reference
    bi = layers.Bidirectional(layers.LSTM(3, return_sequences=True), merge_mode=None)
    bi(X)
    mask = np.array([[1, 1, 0, 0, 1], [0, 1, 1, 1, 1], [1, 0, 1, 0, 0]], bool)
    fw, bw = bi(X, mask=fluxion.constant(mask))
    for layer, got, backwards in ((bi.forward_layer, fw, False),
                                  (bi.backward_layer, bw, True)):
        w = [np.asarray(v, np.float64) for v in layer.get_weights()]
        want, _ = ref.run(lambda xt, s, w=w: ref.lstm_step(xt, s, w), X.astype(np.float64),
                          [np.zeros((3, 3))] * 2, mask, go_backwards=backwards,
                          return_sequences=True, zero_output_for_mask=True)
        np.testing.assert_allclose(got, want[:, ::-1] if backwards else want, rtol=1e-5,
                                   atol=1e-6)


def test_bidirectional_outputs_are_tuples():
    out = layers.Bidirectional(layers.LSTM(2), merge_mode=None)(X)
    assert isinstance(out, tuple) and len(out) == 2
    out = layers.Bidirectional(layers.LSTM(2, return_state=True))(X)
    assert isinstance(out, tuple) and [tuple(t.shape) for t in out] == [(3, 4)] + [(3, 2)] * 4
    out = layers.Bidirectional(layers.GRU(2, return_state=True), merge_mode=None)(X)
    assert isinstance(out, tuple) and len(out) == 4  # both outputs, then the states
    symbolic = layers.Bidirectional(layers.LSTM(2, return_state=True))(keras.Input((5, 4)))
    assert isinstance(symbolic, tuple) and len(symbolic) == 5
    assert layers.Bidirectional(layers.LSTM(2, return_state=True)).compute_output_shape(
        (None, 5, 4)) == ((None, 4),) + ((None, 2),) * 4


def test_bidirectional_validation_as_keras():
    with pytest.raises(ValueError, match="should have different `go_backwards` value. "
                                         "Received: forward_layer.go_backwards True, "
                                         "backward_layer.go_backwards=True"):
        layers.Bidirectional(layers.LSTM(2, go_backwards=True))
    for attr in ("return_sequences", "return_state"):
        with pytest.raises(ValueError, match=f'same value for attribute "{attr}", got "False" '
                                             'for forward layer and "True"'):
            layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(
                2, go_backwards=True, **{attr: True}))
    with pytest.raises(ValueError, match='attribute "stateful"'):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(
            2, go_backwards=True, stateful=True))
    with pytest.raises(ValueError, match="should have different `go_backwards`"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(2))
    with pytest.raises(ValueError, match="`backward_layer` need to be a `keras.layers.Layer`"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=3)
    bi = layers.Bidirectional(layers.LSTM(2, name="lx"), name="bx")
    assert (bi.forward_layer.name, bi.backward_layer.name) == ("forward_lx", "backward_lx")
    bi(X)
    assert [w.path for w in bi.weights][::3] == ["bx/forward_lx/lstm_cell/kernel",
                                                 "bx/backward_lx/lstm_cell/kernel"]
    clone = layers.Bidirectional.from_config(bi.get_config())
    assert (clone.forward_layer.name, clone.backward_layer.name) == ("forward_lx", "backward_lx")
    with pytest.raises(AttributeError, match="must be stateful"):
        bi.reset_state()


def test_time_distributed_unknown_time_dimension_in_fit_and_predict():
    td = layers.TimeDistributed(layers.Dense(3))
    assert td(keras.Input((None, 2))).shape == (None, None, 3)
    model = keras.Sequential([keras.Input((None, 2)), layers.TimeDistributed(layers.Dense(3))])
    model.compile("sgd", "mse")
    dense = model.layers[0].layer
    for steps in (4, 6):
        x = RNG.normal(size=(5, steps, 2)).astype(np.float32)
        model.fit(x, np.zeros((5, steps, 3), np.float32), epochs=1, batch_size=5, verbose=0)
        k, b = (np.asarray(w) for w in dense.weights)
        np.testing.assert_allclose(model.predict(x, verbose=0), x @ k + b, rtol=1e-5,
                                   atol=1e-6)


def test_time_distributed_batch_normalization_per_step_statistics():
    """TF 2.21: outputs -1 / 1 (per step: two samples 6 apart), moving_mean [0.149, 0.179]
    after three steps' updates, moving_variance 1.2376."""
    x = np.arange(12, dtype=np.float32).reshape(2, 3, 2)
    td = layers.TimeDistributed(layers.BatchNormalization())
    out = np.asarray(td(x, training=True))
    np.testing.assert_allclose(out[0], -3 / np.sqrt(9 + 1e-3), rtol=1e-5)
    np.testing.assert_allclose(out[1], 3 / np.sqrt(9 + 1e-3), rtol=1e-5)
    mean, var = np.zeros(2), np.ones(2)
    for t in range(3):  # one moving-average update per step (momentum 0.99)
        mean = 0.99 * mean + 0.01 * x[:, t].mean(0)
        var = 0.99 * var + 0.01 * x[:, t].var(0)
    np.testing.assert_allclose(td.layer.moving_mean, mean, rtol=1e-5)
    np.testing.assert_allclose(td.layer.moving_mean, [0.148903, 0.178604], rtol=1e-5)
    np.testing.assert_allclose(td.layer.moving_variance, var, rtol=1e-5)
    np.testing.assert_allclose(td(x), (x - mean) / np.sqrt(var + 1e-3), rtol=1e-5, atol=1e-6)


class _Center(layers.Layer):
    """Subtracts the batch mean: not per-sample (a custom layer is looped over time)."""

    def call(self, x):
        return x - fluxion.reduce_mean(x, axis=0, keepdims=True)


def test_time_distributed_loops_over_time_unless_the_layer_is_per_sample():
    x = RNG.normal(size=(3, 4, 2)).astype(np.float32)
    np.testing.assert_allclose(layers.TimeDistributed(_Center())(x),
                               x - x.mean(0, keepdims=True), rtol=1e-5, atol=1e-6)
    dense = layers.Dense(2)
    calls = []
    original = dense.call
    dense.call = lambda inputs: calls.append(tuple(inputs.shape)) or original(inputs)
    layers.TimeDistributed(dense)(x)
    assert calls == [(12, 2)]  # one call on the merged batch and time axes
    seq = keras.Sequential([layers.Dense(3), layers.BatchNormalization()])
    td = layers.TimeDistributed(seq)
    out = np.asarray(td(x, training=True))
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-5)  # per-step batch statistics
