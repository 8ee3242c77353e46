"""Bidirectional and TimeDistributed against direct computations."""
import numpy as np
import pytest

import fluxion
from fluxion import keras
from fluxion.keras import layers
from tests.keras.layer_testing import run_layer_test

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
