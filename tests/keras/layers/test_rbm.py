"""RBM (contrastive divergence, free energy, reconstruction error) and DBN (pre-training and
conversion into a Keras classifier)."""
import numpy as np
import pytest

import fluxion
from fluxion import keras
from fluxion.keras import layers
from tests.keras.layer_testing import run_layer_test

RNG = np.random.default_rng(0)
V = (RNG.random((5, 6)) < 0.5).astype("float32")
SEED = 11


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _rbm(units=4, n_visible=6, **kwargs):
    """An RBM with random (non-trivial) weights."""
    rbm = layers.RBM(units, seed=SEED, **kwargs)
    rbm.build((None, n_visible))
    rng = np.random.default_rng(1)
    rbm.set_weights([rng.normal(0, 0.5, (n_visible, units)), rng.normal(0, 0.5, units),
                     rng.normal(0, 0.5, n_visible)])
    return rbm


def _uniforms(shapes, global_seed=3):
    """The uniform numbers the RBM's Bernoulli samplers draw, in order, after set_seed."""
    fluxion.random.set_seed(global_seed)
    draws = [fluxion.random.uniform(s, seed=SEED).numpy() for s in shapes]
    fluxion.random.set_seed(global_seed)
    return draws


def _cd_reference(w, bh, bv, v0, uniforms, k, lr, sample_visible=False):
    """CD-k by hand in NumPy with the given uniform numbers."""
    uniforms = list(uniforms)
    ph0 = _sigmoid(v0 @ w + bh)
    h = (uniforms.pop(0) < ph0).astype(np.float32)
    for step in range(k):
        v = _sigmoid(h @ w.T + bv)
        if sample_visible:
            v = (uniforms.pop(0) < v).astype(np.float32)
        ph = _sigmoid(v @ w + bh)
        if step < k - 1:
            h = (uniforms.pop(0) < ph).astype(np.float32)
    n = len(v0)
    return (w + lr * (v0.T @ ph0 - v.T @ ph) / n, bh + lr * (ph0 - ph).mean(0),
            bv + lr * (v0 - v).mean(0), np.mean((v0 - v) ** 2))


def test_rbm_layer_is_propup():
    def reference(layer, x):
        w, bh, _ = layer.get_weights()
        return _sigmoid(x @ w + bh)
    layer = run_layer_test(layers.RBM, {"units": 3, "seed": 1}, V, expected_output=reference,
                           expected_output_shape=(5, 3), expected_num_trainable_weights=2,
                           expected_num_non_trainable_weights=1)
    assert [w.path for w in layer.weights] == [f"{layer.name}/kernel",
                                               f"{layer.name}/hidden_bias",
                                               f"{layer.name}/visible_bias"]


def test_rbm_propdown_and_samples():
    rbm = _rbm()
    w, bh, bv = rbm.get_weights()
    h = V[:, :4]
    np.testing.assert_allclose(rbm.propdown(h).numpy(), _sigmoid(h @ w.T + bv), rtol=1e-6)
    u_h, u_v = _uniforms([(5, 4), (5, 6)])
    probs, sample = rbm.sample_h_given_v(V)
    np.testing.assert_allclose(probs.numpy(), _sigmoid(V @ w + bh), rtol=1e-6)
    np.testing.assert_array_equal(sample.numpy(), (u_h < probs.numpy()).astype(np.float32))
    probs, sample = rbm.sample_v_given_h(h)
    np.testing.assert_array_equal(sample.numpy(), (u_v < probs.numpy()).astype(np.float32))
    assert sample.dtype == fluxion.float32


@pytest.mark.parametrize("k, sample_visible", [(1, False), (1, True), (3, False)])
def test_cd_update_matches_hand_computation(k, sample_visible):
    rbm = _rbm(sample_visible=sample_visible)
    w, bh, bv = (x.astype(np.float64) for x in rbm.get_weights())
    # draw order: h0, then per step (v if sampled), then h unless last step
    order = [(5, 4)]
    for step in range(k):
        if sample_visible:
            order.append((5, 6))
        if step < k - 1:
            order.append((5, 4))
    uniforms = _uniforms(order)
    error = rbm.contrastive_divergence(V, k=k, learning_rate=0.5)
    ref_w, ref_bh, ref_bv, ref_error = _cd_reference(w, bh, bv, V, uniforms, k, 0.5,
                                                     sample_visible)
    new_w, new_bh, new_bv = rbm.get_weights()
    np.testing.assert_allclose(new_w, ref_w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(new_bh, ref_bh, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(new_bv, ref_bv, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(float(error), ref_error, rtol=1e-5)
    assert rbm.kernel.dtype == fluxion.float32


def test_persistent_cd_continues_its_chain():
    rbm = _rbm(persistent=True)
    w, bh, bv = (x.astype(np.float64) for x in rbm.get_weights())
    u_h, u_v = _uniforms([(5, 4), (5, 6)])
    rbm.contrastive_divergence(V, learning_rate=0.5)
    # the chain starts at zeros: h ~ p(h | 0), v ~ p(v | h), and v becomes the new chain
    h = (u_h < _sigmoid(np.zeros((5, 6)) @ w + bh)).astype(np.float64)
    v = (u_v < _sigmoid(h @ w.T + bv)).astype(np.float64)
    ph0, ph = _sigmoid(V @ w + bh), _sigmoid(v @ w + bh)
    np.testing.assert_allclose(rbm.kernel.numpy(), w + 0.5 * (V.T @ ph0 - v.T @ ph) / 5,
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(rbm._chain.variable.numpy(), v)
    assert len(rbm.weights) == 3  # the chain is not a weight


def test_free_energy_formula():
    rbm = _rbm()
    w, bh, bv = rbm.get_weights()
    expected = -V @ bv - np.log1p(np.exp(V @ w + bh)).sum(-1)
    np.testing.assert_allclose(rbm.free_energy(V).numpy(), expected, rtol=1e-5)


def test_reconstruction_error_formula():
    rbm = _rbm()
    w, bh, bv = rbm.get_weights()
    recon = _sigmoid(_sigmoid(V @ w + bh) @ w.T + bv)
    np.testing.assert_allclose(float(rbm.reconstruction_error(V)), np.mean((V - recon) ** 2),
                               rtol=1e-5)


def test_fit_reduces_reconstruction_error():
    patterns = np.array([[1, 1, 1, 0, 0, 0, 0, 0], [0, 0, 0, 1, 1, 1, 0, 0],
                         [0, 0, 0, 0, 0, 1, 1, 1], [1, 0, 1, 0, 1, 0, 1, 0]], np.float32)
    x = patterns[np.random.default_rng(2).integers(0, 4, 200)]
    keras.utils.set_random_seed(0)
    rbm = layers.RBM(6, seed=0)
    rbm.build((None, 8))
    before = float(rbm.reconstruction_error(x))
    history = rbm.fit(x, epochs=15, batch_size=10, learning_rate=0.5, verbose=0)
    errors = history.history["reconstruction_error"]
    assert len(errors) == 15 and errors[-1] < 0.5 * errors[0]
    assert float(rbm.reconstruction_error(x)) < 0.25 * before
    # the data's patterns have lower free energy than random vectors
    noise = (np.random.default_rng(3).random((50, 8)) < 0.5).astype(np.float32)
    assert np.mean(rbm.free_energy(x).numpy()) < np.mean(rbm.free_energy(noise).numpy())


def test_compiled_cd_step_equals_eager():
    eager, compiled = _rbm(), _rbm()
    step = fluxion.function(lambda v: compiled.contrastive_divergence(v, k=2, learning_rate=0.3))
    fluxion.random.set_seed(5)
    eager_errors = [float(eager.contrastive_divergence(V, k=2, learning_rate=0.3))
                    for _ in range(3)]
    fluxion.random.set_seed(5)  # same streams: the graph draws new numbers on each run
    compiled_errors = [float(step(V)) for _ in range(3)]
    np.testing.assert_allclose(compiled_errors, eager_errors, rtol=1e-6)
    assert len(set(eager_errors)) > 1
    for a, b in zip(compiled.get_weights(), eager.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert step.experimental_get_tracing_count() == 1


def test_rbm_errors():
    with pytest.raises(ValueError, match="Received: units=0"):
        layers.RBM(0)
    rbm = _rbm()
    with pytest.raises(ValueError, match=r"RBM\) free_energy: expected visible vectors of "
                                         r"shape \(batch_size, 6\)"):
        rbm.free_energy(np.ones((2, 5), np.float32))
    with pytest.raises(ValueError, match="k must be a positive int"):
        rbm.contrastive_divergence(V, k=0)
    with pytest.raises(ValueError, match="fit: expected a non-empty 2-D array"):
        rbm.fit(np.ones((3, 2, 6)))


def test_dbn_pretrains_greedily_and_converts_to_keras():
    x = (np.random.default_rng(4).random((40, 8)) < 0.3).astype(np.float32)
    dbn = layers.DBN([8, 6, 4], seed=0)
    assert [(r.n_visible, r.n_hidden) for r in dbn.rbms] == [(8, 6), (6, 4)]
    histories = dbn.fit(x, epochs=[2, 3], batch_size=10, verbose=0)
    assert [len(h.history["reconstruction_error"]) for h in histories] == [2, 3]
    model = dbn.to_keras_model(3)
    assert isinstance(model, keras.Sequential)
    dense = model.layers
    assert [d.units for d in dense] == [6, 4, 3]
    np.testing.assert_array_equal(dense[0].kernel.numpy(), dbn.rbms[0].kernel.numpy())
    np.testing.assert_array_equal(dense[0].bias.numpy(), dbn.rbms[0].hidden_bias.numpy())
    np.testing.assert_array_equal(dense[1].kernel.numpy(), dbn.rbms[1].kernel.numpy())
    # the hidden layers reproduce the RBMs' upward pass; the output is a softmax
    features = model.layers[1](model.layers[0](x)).numpy()
    np.testing.assert_allclose(features, dbn.transform(x), rtol=1e-5, atol=1e-6)
    probs = model.predict(x, verbose=0)
    np.testing.assert_allclose(probs.sum(-1), 1, rtol=1e-5)
    # ready for supervised fine-tuning
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    y = np.random.default_rng(5).integers(0, 3, 40)
    model.fit(x, y, epochs=1, batch_size=10, verbose=0)


def test_dbn_errors():
    with pytest.raises(ValueError, match="at least two positive ints"):
        layers.DBN([784])
    dbn = layers.DBN([4, 3])
    with pytest.raises(ValueError, match=r"expected data of shape \(num_samples, 4\)"):
        dbn.fit(np.ones((2, 5)))
    with pytest.raises(ValueError, match="epochs must be one value or a list of 1"):
        dbn.fit(np.ones((2, 4)), epochs=[1, 2])
