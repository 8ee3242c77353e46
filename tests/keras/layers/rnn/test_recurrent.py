"""SimpleRNN, LSTM, GRU (fused kernels and step-by-step path) against NumPy references of
Keras's equations, finite differences, masking, statefulness and compiled execution."""
import numpy as np
import pytest

import fluxion
from fluxion import keras
from fluxion.keras import layers
from tests.keras.layer_testing import run_layer_test

from . import reference as ref

RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 5, 4)).astype(np.float32)
MASK = np.ones((3, 5), bool)
MASK[0, :2] = False   # pre-padding
MASK[1, 3:] = False   # post-padding
MASK[2, 2] = False    # a hole

LAYERS = {"lstm": (layers.LSTM, ref.lstm_step, 2),
          "gru": (layers.GRU, ref.gru_step, 1),
          "simple_rnn": (layers.SimpleRNN, ref.simple_step, 1)}


def _weights(layer):
    return [np.asarray(w, np.float64) for w in layer.get_weights()]


def _randomize(layer, scale=0.5):
    layer.set_weights([RNG.normal(scale=scale, size=w.shape).astype(w.dtype)
                       for w in layer.get_weights()])


def _reference(kind, layer, x, mask=None, states=None, **kw):
    cls, step, n_states = LAYERS[kind]
    w = _weights(layer)
    if states is None:
        states = [np.zeros((x.shape[0], layer.units))] * n_states
    states = [np.asarray(s, np.float64) for s in states]
    return ref.run(lambda xt, s: step(xt, s, w), x.astype(np.float64), states, mask, **kw)


@pytest.mark.parametrize("kind", sorted(LAYERS))
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("unroll", [False, True])
def test_values_against_numpy_reference(kind, go_backwards, return_sequences, masked, unroll):
    cls = LAYERS[kind][0]
    layer = cls(3, return_sequences=return_sequences, return_state=True,
                go_backwards=go_backwards, unroll=unroll)
    layer(X)
    _randomize(layer)
    mask = MASK if masked else None
    out = layer(X, mask=None if mask is None else fluxion.constant(mask))
    want, states = _reference(kind, layer, X, mask, go_backwards=go_backwards,
                              return_sequences=return_sequences)
    np.testing.assert_allclose(out[0], want, rtol=1e-5, atol=1e-5)
    for got, expected in zip(out[1:], states):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_zero_output_for_mask():
    layer = layers.LSTM(3, return_sequences=True, zero_output_for_mask=True)
    layer(X)
    out = layer(X, mask=fluxion.constant(MASK))
    want, _ = _reference("lstm", layer, X, MASK, return_sequences=True,
                         zero_output_for_mask=True)
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6)
    assert np.all(np.asarray(out)[~MASK] == 0)


def test_gru_reset_before_uses_step_path():
    layer = layers.GRU(3, reset_after=False, return_sequences=True)
    layer(X)
    assert layer.cell.bias.shape == (9,)
    _randomize(layer)
    w = _weights(layer)
    want, _ = ref.run(lambda xt, s: ref.gru_step(xt, s, w, reset_after=False),
                      X.astype(np.float64), [np.zeros((3, 3))], return_sequences=True)
    np.testing.assert_allclose(layer(X), want, rtol=1e-5, atol=1e-6)


def test_weights_shapes_order_and_defaults():
    lstm = layers.LSTM(6)
    lstm(X)
    assert [tuple(w.shape) for w in lstm.weights] == [(4, 24), (6, 24), (24,)]
    assert [w.path.split("/")[-1] for w in lstm.weights] == ["kernel", "recurrent_kernel",
                                                             "bias"]
    bias = np.asarray(lstm.cell.bias)   # unit_forget_bias: the forget gate's bias is 1
    np.testing.assert_array_equal(bias, np.r_[np.zeros(6), np.ones(6), np.zeros(12)])
    rec = np.asarray(lstm.cell.recurrent_kernel)
    np.testing.assert_allclose(rec @ rec.T, np.eye(6), atol=1e-5)  # orthogonal
    gru = layers.GRU(6)
    gru(X)
    assert [tuple(w.shape) for w in gru.weights] == [(4, 18), (6, 18), (2, 18)]
    simple = layers.SimpleRNN(6)
    simple(X)
    assert [tuple(w.shape) for w in simple.weights] == [(4, 6), (6, 6), (6,)]
    assert lstm.units == 6 and lstm.activation is keras.activations.tanh
    assert lstm.recurrent_activation is keras.activations.sigmoid


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_run_layer_test(kind):
    cls = LAYERS[kind][0]
    x = RNG.normal(size=(2, 3, 2)).astype(np.float32)

    def expected(layer, inputs):
        return _reference(kind, layer, inputs, return_sequences=True)[0]
    run_layer_test(cls, {"units": 3, "return_sequences": True}, x, expected_output=expected,
                   expected_num_trainable_weights=3, expected_num_non_trainable_weights=0,
                   rtol=1e-5, atol=1e-5)


GRAD_MASKS = {
    "holes": np.array([[False, True, True, True], [True, True, False, True]]),
    # processed backwards: row 0 starts with two padded steps (outputs zeros, not the initial
    # state: no gradient flows from them to it), row 1 is all padding
    "leading": np.array([[True, True, False, False], [False, False, False, False]]),
}


@pytest.mark.parametrize("kind", sorted(LAYERS))
@pytest.mark.parametrize("masks, return_sequences", [("holes", True), ("leading", True),
                                                     ("leading", False)])
def test_gradients_with_mask_go_backwards_and_states_vs_finite_differences(
        kind, masks, return_sequences):
    cls = LAYERS[kind][0]
    x = RNG.normal(size=(2, 4, 2))
    mask = GRAD_MASKS[masks]
    layer = cls(3, return_sequences=return_sequences, return_state=True, go_backwards=True,
                dtype="float64")
    layer(x)
    _randomize(layer)
    h0 = [RNG.normal(size=(2, 3)) for _ in range(LAYERS[kind][2])]
    cots = [RNG.normal(size=s) for s in [(2, 4, 3) if return_sequences else (2, 3)]
            + [(2, 3)] * len(h0)]

    def loss(xv, states):
        outs = layer(xv, initial_state=states, mask=fluxion.constant(mask))
        return sum(fluxion.reduce_sum(o * c) for o, c in zip(outs, cots))

    xt = fluxion.constant(x)
    st = [fluxion.constant(s) for s in h0]
    with fluxion.GradientTape() as tape:
        tape.watch([xt] + st)
        value = loss(xt, st)
    grads = tape.gradient(value, [xt] + st + layer.trainable_weights)
    bases = [x] + h0 + [np.asarray(w) for w in layer.trainable_weights]
    for k, (g, base) in enumerate(zip(grads, bases)):
        numeric = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            vals = []
            for sign in (1, -1):
                b = base.copy()
                b[idx] += sign * 1e-6
                args = [bb if j != k else b for j, bb in enumerate(bases)]
                variables = layer.trainable_weights
                for v, val in zip(variables, args[1 + len(h0):]):
                    v.assign(val)
                vals.append(float(loss(fluxion.constant(args[0]),
                                       [fluxion.constant(s) for s in args[1:1 + len(h0)]])))
            numeric[idx] = (vals[0] - vals[1]) / 2e-6
        for v, val in zip(layer.trainable_weights, bases[1 + len(h0):]):
            v.assign(val)
        np.testing.assert_allclose(np.asarray(g), numeric, rtol=1e-5, atol=1e-7)


def test_fused_equals_step_path_for_gradients():
    x = RNG.normal(size=(2, 4, 3)).astype(np.float32)
    results = []
    for unroll in (False, True):
        layer = layers.LSTM(3, return_sequences=True, unroll=unroll, seed=1)
        layer(x)
        layer.set_weights([np.full(w.shape, 0.1, np.float32) + 0.01 * np.arange(w.size)
                           .reshape(w.shape).astype(np.float32) for w in layer.get_weights()])
        xt = fluxion.constant(x)
        with fluxion.GradientTape() as tape:
            tape.watch(xt)
            y = layer(xt, mask=fluxion.constant(MASK[:2, :4]))
        results.append([y] + tape.gradient(y, [xt] + layer.trainable_weights))
    for a, b in zip(*results):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)


def test_second_derivative_raises_clear_error():
    layer = layers.SimpleRNN(2)
    x = fluxion.constant(X)
    with fluxion.GradientTape() as outer:
        outer.watch(x)
        with fluxion.GradientTape() as inner:
            inner.watch(x)
            y = fluxion.reduce_sum(layer(x))
        g = inner.gradient(y, x)
        s = fluxion.reduce_sum(g * g)
    with pytest.raises(NotImplementedError, match="rnn_sequence_grad.*unroll=True"):
        outer.gradient(s, x)


def _squares_and_gradients(layer, x, mask):
    """(loss, output, gradients) of `sum(layer(x, mask=mask) ** 2)`."""
    with fluxion.GradientTape() as tape:
        y = layer(x, mask=mask)
        loss = fluxion.reduce_sum(y * y)
    return loss, y, tape.gradient(loss, layer.trainable_weights)


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_eager_equals_compiled(kind):
    cls = LAYERS[kind][0]
    layer = cls(3, return_sequences=True)
    layer(X)
    mask = fluxion.constant(MASK)

    def step(x):
        _, y, grads = _squares_and_gradients(layer, x, mask)
        return [y] + grads
    eager = step(fluxion.constant(X))
    compiled = fluxion.function(step)(fluxion.constant(X))
    for a, b in zip(eager, compiled):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", sorted(LAYERS))
@pytest.mark.parametrize("return_sequences, go_backwards", [(True, False), (False, True)])
def test_compiled_step_reusing_buffers_equals_eager_call_after_call(kind, return_sequences,
                                                                   go_backwards):
    """Values the compiled step keeps inside (the sequence kernels' outputs, the gradients) are
    written into buffers reused from call to call: each call must still give eager's values."""
    layer = LAYERS[kind][0](3, return_sequences=return_sequences, go_backwards=go_backwards,
                            zero_output_for_mask=True) if kind != "lstm" else \
        layers.LSTM(3, return_sequences=return_sequences, go_backwards=go_backwards)
    layer(X)
    _randomize(layer)
    mask = fluxion.constant(MASK)

    def step(x):  # the kernels' outputs and gradients are used inside only
        loss, y, grads = _squares_and_gradients(layer, x, mask)
        return [loss, y + 0.5] + [g * 2.0 for g in grads]
    compiled = fluxion.function(step)
    inputs = [X, RNG.normal(size=X.shape).astype(np.float32), X[::-1].copy()]
    for x in inputs:
        for a, b in zip(step(fluxion.constant(x)), compiled(fluxion.constant(x))):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    program = compiled.get_concrete_function(fluxion.constant(X))._executable._program
    sequence_ops = [attrs for _, _, attrs, _, _, node in program
                    if node.op.name.startswith("rnn_sequence")]
    assert len(sequence_ops) == 2 and all("out" in attrs for attrs in sequence_ops)


def test_stateful_carries_states_between_calls_and_resets():
    layer = layers.LSTM(3, stateful=True, return_state=True)
    layer(X)
    layer.reset_states()
    first = layer(X)
    second = layer(X)
    want, states = _reference("lstm", layer, np.concatenate([X, X], axis=1))
    np.testing.assert_allclose(second[0], want, rtol=1e-5, atol=1e-5)
    assert len(layer.non_trainable_weights) == 0 and len(layer.states) == 2
    layer.reset_states()
    np.testing.assert_allclose(layer(X)[0], first[0], rtol=1e-6)
    with pytest.raises(ValueError, match="batch size must be static"):
        keras.Sequential([keras.Input((5, 4)), layers.LSTM(2, stateful=True)])


def test_embedding_mask_zero_reaches_the_lstm():
    ids = np.array([[0, 0, 3, 4, 5], [1, 2, 3, 0, 0]], np.int32)
    model = keras.Sequential([keras.Input((5,), dtype="int32"),
                              layers.Embedding(10, 4, mask_zero=True),
                              layers.LSTM(3, return_sequences=True)])
    out = model(ids)
    emb = np.asarray(model.layers[0].embeddings)[ids]
    want, _ = _reference("lstm", model.layers[1], emb, ids != 0, return_sequences=True)
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out[0, :2], 0, atol=0)  # leading pads carry the zero state


def test_dropout_masks_fixed_across_steps_and_fused_equals_step_path():
    x = RNG.normal(size=(2, 4, 3)).astype(np.float32)
    for kwargs in ({"dropout": 0.5}, {"dropout": 0.3, "recurrent_dropout": 0.4}):
        outs = []
        for unroll in (False, True):
            fluxion.random.set_seed(3)
            layer = layers.LSTM(3, return_sequences=True, unroll=unroll, **kwargs)
            layer(x)
            layer.set_weights([np.full(w.shape, 0.2, np.float32) for w in layer.get_weights()])
            fluxion.random.set_seed(7)
            outs.append(np.asarray(layer(x, training=True)))
            np.testing.assert_allclose(layer(x), _reference("lstm", layer, x,
                                                            return_sequences=True)[0],
                                       rtol=1e-5, atol=1e-6)  # inference: no dropout
        np.testing.assert_allclose(outs[0], outs[1], rtol=1e-5, atol=1e-6)
    cell = layers.LSTMCell(3, dropout=0.5, recurrent_dropout=0.5)
    cell(x[:, 0], [np.zeros((2, 3), np.float32)] * 2, training=True)
    assert tuple(cell.get_dropout_mask(x[:, 0]).shape) == (4, 2, 3)  # one mask per gate
    keep = np.asarray(cell.get_dropout_mask(x[:, 0]))
    assert set(np.unique(keep)) <= {0.0, 2.0}


def test_cells_and_rnn_wrapper():
    cell = layers.LSTMCell(3)
    out, (h, c) = cell(X[:, 0], [np.zeros((3, 3), np.float32)] * 2)
    want, (wh, wc) = ref.lstm_step(X[:, 0].astype(np.float64), [np.zeros((3, 3))] * 2,
                                   _weights(cell))
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c, wc, rtol=1e-5, atol=1e-6)
    layer = layers.RNN(cell, return_sequences=True)
    want, _ = _reference("lstm", layer.cell, X, return_sequences=True)
    np.testing.assert_allclose(layer(X), want, rtol=1e-5, atol=1e-6)
    out, h = layers.GRUCell(2)(X[:, 0], np.zeros((3, 2), np.float32))
    assert out.shape == (3, 2) and h.shape == (3, 2)


def test_custom_cell_and_stacked_cells():
    class MinimalCell(layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
            self.recurrent = self.add_weight(shape=(self.units, self.units), name="recurrent")

        def call(self, inputs, states):
            out = fluxion.matmul(inputs, self.kernel) + fluxion.matmul(states[0],
                                                                       self.recurrent)
            return out, [out]

    layer = layers.RNN(MinimalCell(3), return_sequences=True)
    y = layer(X)
    k, r = _weights(layer)
    want, _ = ref.run(lambda xt, s: (xt @ k + s[0] @ r, [xt @ k + s[0] @ r]),
                      X.astype(np.float64), [np.zeros((3, 3))], return_sequences=True)
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-5)
    stacked = layers.RNN([layers.SimpleRNNCell(4), layers.GRUCell(2)], return_state=True)
    out, (h1,), (h2,) = stacked(X)  # the states nest per cell, as Keras
    assert out.shape == (3, 2) and h1.shape == (3, 4)
    np.testing.assert_allclose(out, h2)
    s1, s2 = stacked.cell.cells
    w1, w2 = _weights(s1), _weights(s2)

    def step(xt, s):
        a, _ = ref.simple_step(xt, [s[0]], w1)
        b, _ = ref.gru_step(a, [s[1]], w2)
        return b, [a, b]
    want, _ = ref.run(step, X.astype(np.float64), [np.zeros((3, 4)), np.zeros((3, 2))])
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-5)


def test_stacked_cells_states_nest_per_cell():
    cells = [layers.LSTMCell(2), layers.GRUCell(3)]
    layer = layers.RNN(cells, return_sequences=True, return_state=True)
    assert layer.cell.state_size == [[2, 2], 3] and layer.state_size == [[2, 2], 3]
    assert layer.compute_output_shape((None, 5, 4)) == \
        ((None, 5, 3), [(None, 2), (None, 2)], (None, 3))
    out, (h, c), (g,) = layer(X)
    assert (h.shape, c.shape, g.shape) == ((3, 2), (3, 2), (3, 3))
    _randomize(layer)
    init = [[RNG.normal(size=(3, 2)).astype(np.float32) for _ in range(2)],
            [RNG.normal(size=(3, 3)).astype(np.float32)]]
    out, (h, c), (g,) = layer(X, initial_state=init, mask=fluxion.constant(MASK))
    w1, w2 = _weights(cells[0]), _weights(cells[1])

    def step(xt, s):
        a, (h1, c1) = ref.lstm_step(xt, s[:2], w1)
        b, _ = ref.gru_step(a, [s[2]], w2)
        return b, [h1, c1, b]
    want, states = ref.run(step, X.astype(np.float64),
                           [v.astype(np.float64) for v in init[0] + init[1]], MASK,
                           return_sequences=True)
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-5)
    for got, expected in zip([h, c, g], states):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    # a flat list is not the nested structure: the LSTM cell gets one state (Keras: an error)
    with pytest.raises(IndexError):
        layer(X, initial_state=[init[0][0], init[0][1], init[1][0]])
    symbolic = layer(keras.Input((5, 4)))
    assert isinstance(symbolic, tuple) and isinstance(symbolic[1], list)
    assert [tuple(v.shape) for v in symbolic[1]] == [(None, 2), (None, 2)]
    stateful = layers.RNN([layers.LSTMCell(2), layers.GRUCell(3)], stateful=True)
    first = np.asarray(stateful(X))
    assert [[tuple(v.shape) for v in s] for s in stateful.states] == [[(3, 2), (3, 2)], [(3, 3)]]
    assert not np.allclose(stateful(X), first)  # started from the carried states
    stateful.reset_states()
    assert all(np.all(np.asarray(v) == 0) for s in stateful.states for v in s)
    np.testing.assert_allclose(stateful(X), first, rtol=1e-6)


def test_config_round_trip_and_errors():
    layer = layers.LSTM(5, return_sequences=True, go_backwards=True, dropout=0.1)
    config = layer.get_config()
    assert config["units"] == 5 and config["unit_forget_bias"] is True
    assert config["recurrent_initializer"]["class_name"] == "Orthogonal"
    clone = layers.LSTM.from_config(config)
    assert clone.get_config() == config
    rnn = layers.RNN(layers.GRUCell(2), return_state=True)
    restored = layers.deserialize(layers.serialize(rnn))
    assert isinstance(restored.cell, layers.GRUCell) and restored.return_state
    with pytest.raises(ValueError, match="units"):
        layers.LSTM(0)
    with pytest.raises(ValueError, match=r"\(batch, timesteps, features\)"):
        layers.LSTM(2)(np.ones((2, 3), np.float32))


def test_fit_learns_a_masked_sequence_task():
    rng = np.random.default_rng(1)
    ids = rng.integers(1, 20, size=(256, 8)).astype(np.int32)
    lengths = rng.integers(3, 9, size=256)
    ids[np.arange(8)[None, :] < (8 - lengths)[:, None]] = 0
    labels = (np.isin(ids, [1, 2, 3]).any(axis=1)).astype(np.float32)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8,), dtype="int32"),
                              layers.Embedding(20, 8, mask_zero=True), layers.GRU(8),
                              layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.03), "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(ids, labels, epochs=15, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] > 0.9


# A row padded at the start (in processing order for both directions), a fully padded row, a
# row with holes: masked steps output the previous *output*, which starts at zeros (Keras's
# `rnn`), not the initial state; the final states still carry the initial state.
LEAD_MASK = np.array([[False, False, True, True, False],
                      [False] * 5,
                      [False, True, True, False, False]])


@pytest.mark.parametrize("kind", sorted(LAYERS))
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("unroll", [False, True])
def test_masked_outputs_start_at_zeros_with_an_initial_state(kind, go_backwards, unroll):
    cls, _, n_states = LAYERS[kind]
    h0 = [RNG.normal(size=(3, 3)).astype(np.float32) for _ in range(n_states)]
    for return_sequences in (False, True):
        layer = cls(3, return_sequences=return_sequences, return_state=True,
                    go_backwards=go_backwards, unroll=unroll)
        layer(X)
        _randomize(layer)
        out = layer(X, initial_state=h0, mask=fluxion.constant(LEAD_MASK))
        want, states = _reference(kind, layer, X, LEAD_MASK, states=h0,
                                  go_backwards=go_backwards, return_sequences=return_sequences)
        np.testing.assert_allclose(out[0], want, rtol=1e-5, atol=1e-5)
        for got, expected in zip(out[1:], states):
            np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
        np.testing.assert_array_equal(np.asarray(out[0])[1], 0)  # the fully padded row
        np.testing.assert_allclose(out[1][1], h0[0][1], rtol=1e-6)  # ... keeps its state


@pytest.mark.parametrize("unroll", [False, True])
def test_masked_leading_steps_match_keras_values(unroll):
    """TF 2.21 / Keras 3.15: [[0, .964, .964], [0, 0, 0]] (tanh(2) = .964), not 0.5."""
    x = np.ones((2, 3, 2), np.float32)
    mask = fluxion.constant(np.array([[0, 1, 1], [0, 0, 0]], bool))
    h0 = [np.full((2, 2), 0.5, np.float32)]
    t = np.tanh(2.0)
    for return_sequences, want in ((True, [[0, t, t], [0, 0, 0]]), (False, [t, 0])):
        layer = layers.SimpleRNN(2, kernel_initializer="ones", recurrent_initializer="zeros",
                                 return_sequences=return_sequences, return_state=True,
                                 unroll=unroll)
        out, h = layer(x, mask=mask, initial_state=h0)
        np.testing.assert_allclose(np.asarray(out)[..., 0], want, rtol=1e-6)
        np.testing.assert_allclose(h, [[t, t], [0.5, 0.5]], rtol=1e-6)
    # a stateful layer whose next batch starts with padding outputs zeros there too
    layer = layers.SimpleRNN(2, kernel_initializer="ones", recurrent_initializer="zeros",
                             return_sequences=True, stateful=True, unroll=unroll)
    layer(x)
    np.testing.assert_allclose(np.asarray(layer(x, mask=mask))[..., 0], [[0, t, t], [0, 0, 0]],
                               rtol=1e-6)
    np.testing.assert_allclose(layer.states[0], [[t, t], [t, t]], rtol=1e-6)


class _DoubleCell(layers.Layer):
    """Outputs 2 * state (not the state): masked steps must repeat the previous output."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.state_size = 1

    def call(self, inputs, states):
        s = states[0] + 1.0
        return 2.0 * s, [s]


class _WideStateCell(layers.Layer):
    """A state of 3 and an output of 2 (output_size != state_size)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.state_size = [3]
        self.output_size = 2

    def call(self, inputs, states):
        s = states[0] + 1.0
        return s[:, :2] * 10.0, [s]


@pytest.mark.parametrize("unroll", [False, True])
def test_custom_cell_output_differs_from_its_state_under_a_mask(unroll):
    x = np.ones((1, 3, 2), np.float32)
    layer = layers.RNN(_DoubleCell(), return_sequences=True, unroll=unroll)
    out = layer(x, mask=fluxion.constant(np.array([[1, 1, 0]], bool)))
    np.testing.assert_allclose(np.asarray(out)[0, :, 0], [2, 4, 4])  # TF: [2, 4, 4]
    x = np.ones((2, 3, 2), np.float32)
    mask = fluxion.constant(np.array([[0, 1, 1], [0, 0, 0]], bool))
    layer = layers.RNN(_WideStateCell(), return_sequences=True, return_state=True,
                       unroll=unroll)
    out, s = layer(x, mask=mask)
    np.testing.assert_allclose(np.asarray(out)[:, :, 0], [[0, 10, 20], [0, 0, 0]])  # TF
    np.testing.assert_allclose(s, [[2, 2, 2], [0, 0, 0]])
    last = layers.RNN(_WideStateCell(), zero_output_for_mask=True, unroll=unroll)
    np.testing.assert_allclose(last(x, mask=mask), [[20, 20], [0, 0]])


@pytest.mark.parametrize("cls", [layers.LSTM, layers.GRU, layers.SimpleRNN])
def test_return_state_is_a_tuple_eager_and_symbolic(cls):
    n = 3 if cls is layers.LSTM else 2
    out = cls(2, return_state=True)(X)
    assert isinstance(out, tuple) and len(out) == n
    symbolic = cls(2, return_state=True)(keras.Input((5, 4)))
    assert isinstance(symbolic, tuple) and [tuple(t.shape) for t in symbolic] == \
        [(None, 2)] * n
    assert cls(2, return_state=True).compute_output_shape((None, 5, 4)) == ((None, 2),) * n
    out = layers.RNN(layers.GRUCell(2), return_state=True)(X)
    assert isinstance(out, tuple) and len(out) == 2


def test_cell_names_and_weight_paths_as_keras():
    for cls, cell_name in ((layers.LSTM, "lstm_cell"), (layers.GRU, "gru_cell"),
                           (layers.SimpleRNN, "simple_rnn_cell")):
        layer = cls(2, name="enc")
        layer(X)
        assert layer.cell.name == cell_name
        assert [w.path for w in layer.weights] == \
            [f"enc/{cell_name}/{n}" for n in ("kernel", "recurrent_kernel", "bias")]
    layer = layers.RNN([layers.LSTMCell(2, name="a"), layers.GRUCell(3, name="b")], name="rr")
    layer(X)
    stack = layer.cell.name  # "stacked_rnn_cells" made unique, as Keras
    assert [w.path for w in layer.weights][::3] == [f"rr/{stack}/a/kernel", f"rr/{stack}/b/kernel"]


def test_config_keys_as_keras():
    lstm = layers.LSTM(2).get_config()
    assert list(lstm)[9:] == [
        "units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
        "recurrent_initializer", "bias_initializer", "unit_forget_bias", "kernel_regularizer",
        "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
        "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
        "recurrent_dropout", "seed"]
    assert lstm["activity_regularizer"] is None
    gru = layers.GRU(2).get_config()
    assert gru["activity_regularizer"] is None and list(gru)[-2:] == ["reset_after", "seed"]
    simple = layers.SimpleRNN(2, seed=3).get_config()
    assert "seed" not in simple and simple["activity_regularizer"] is None
    regularized = layers.LSTM(2, activity_regularizer="l2")
    assert regularized.get_config()["activity_regularizer"]["class_name"] == "L2"
    clone = layers.LSTM.from_config(regularized.get_config())
    assert clone.get_config() == regularized.get_config()


def test_stateful_layer_called_with_another_batch_size():
    layer = layers.LSTM(3, stateful=True)
    layer(X)
    with pytest.raises(ValueError, match=r"(?s)If an RNN is stateful, the batch size of the "
                                         r"input sequences must be the same.*Expected batch "
                                         r"size: 3\n- Received batch size: 2"):
        layer(X[:2])


def test_keras_implementation_and_use_cudnn_attributes():
    # TF 2.21: LSTMCell/GRUCell keep `implementation` (default 2), LSTM/GRU `use_cudnn` ("auto")
    assert layers.LSTMCell(3).implementation == 2 and layers.GRUCell(3).implementation == 2
    assert layers.LSTMCell(3, implementation=1).implementation == 1
    assert not hasattr(layers.SimpleRNNCell(3), "implementation")
    assert layers.LSTM(3).use_cudnn == "auto" and layers.GRU(3, use_cudnn=False).use_cudnn is False
    assert not hasattr(layers.SimpleRNN(3), "use_cudnn")
    assert "implementation" not in layers.LSTMCell(3).get_config()
    assert "use_cudnn" not in layers.LSTM(3).get_config()
