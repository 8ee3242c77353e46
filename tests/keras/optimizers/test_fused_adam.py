"""The fused Adam update (ops/training_ops.apply_adam) equals Adam's per-variable formula."""
import numpy as np
import pytest

import fluxion as fx
from fluxion import keras
from fluxion.kernels import parallel
from fluxion.ops import training_ops


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(300, 130), (130,), (7, 3), ()]   # one variable big enough to be cut in pieces
    weights = [fx.Variable(rng.standard_normal(s).astype(np.float32)) for s in shapes]
    grads = [[rng.standard_normal(s).astype(np.float32) for s in shapes] for _ in range(3)]
    return weights, grads


class PerVariableAdam(keras.optimizers.Adam):
    """Adam through `update_step`, one variable at a time (the unfused formula)."""

    def update_step(self, gradient, variable, learning_rate):
        super().update_step(gradient, variable, learning_rate)


def _train(optimizer, compiled=False, seed=0):
    weights, grads = _problem(seed)
    step = optimizer.apply_gradients
    if compiled:
        step = fx.function(lambda pairs: optimizer.apply_gradients(pairs))
    for gs in grads:
        step([(fx.constant(g), w) for g, w in zip(gs, weights)])
    return [w.numpy() for w in weights] + [v.numpy() for v in optimizer.variables]


@pytest.mark.parametrize("compiled", [False, True])
def test_fused_equals_per_variable_formula(compiled):
    fused = _train(keras.optimizers.Adam(learning_rate=0.01), compiled)
    reference = _train(PerVariableAdam(learning_rate=0.01), compiled)
    for a, b in zip(fused, reference):
        np.testing.assert_allclose(a, b, rtol=2e-6, atol=1e-7)


def test_fused_matches_hand_computation():
    w, m, v = fx.Variable([1.0, -2.0]), fx.Variable([0.5, 0.0]), fx.Variable([0.25, 1.0])
    g = np.array([2.0, -1.0], np.float32)
    training_ops.apply_adam([w], [m], [v], [g], fx.constant(0.1), 0.9, 0.999, 1e-7)
    m_ref = np.array([0.5, 0.0]) + (g - np.array([0.5, 0.0])) * 0.1
    v_ref = np.array([0.25, 1.0]) + (g ** 2 - np.array([0.25, 1.0])) * 0.001
    w_ref = np.array([1.0, -2.0]) - 0.1 * m_ref / (np.sqrt(v_ref) + 1e-7)
    np.testing.assert_allclose(m.numpy(), m_ref, rtol=1e-6)
    np.testing.assert_allclose(v.numpy(), v_ref, rtol=1e-6)
    np.testing.assert_allclose(w.numpy(), w_ref, rtol=1e-6)


def test_thread_count_does_not_change_results(monkeypatch):
    from fluxion.kernels import training
    monkeypatch.setattr(training, "UNIT", 1000)            # small pieces, so that these
    monkeypatch.setattr(training, "MIN_PER_THREAD", 1000)  # variables are split over threads
    saved = parallel.configured_threads()
    try:
        results = []
        for threads in (1, 2, 3):
            parallel.set_num_threads(threads)
            results.append(_train(keras.optimizers.Adam(learning_rate=0.01), compiled=True))
    finally:
        parallel.set_num_threads(saved)
    for other in results[1:]:
        for a, b in zip(results[0], other):
            np.testing.assert_array_equal(a, b)


def test_a_value_read_before_the_update_keeps_its_value():
    w, m, v = fx.Variable([1.0]), fx.Variable([0.0]), fx.Variable([0.0])

    @fx.function
    def step():
        before = w.read_value() * 1.0
        held = w.read_value()
        training_ops.apply_adam([w], [m], [v], [fx.constant([1.0])], fx.constant(0.5),
                                0.9, 0.999, 1e-7)
        return before, held, w.read_value()

    before, held, after = step()
    first = 1.0 - 0.5 * 0.1 / (np.sqrt(0.001) + 1e-7)   # m = 0.1, v = 0.001 after one step
    assert float(before[0]) == 1.0 and float(held[0]) == 1.0
    assert float(after[0]) == pytest.approx(first, rel=1e-5)
    eager_held = w.read_value()
    training_ops.apply_adam([w], [m], [v], [fx.constant([1.0])], fx.constant(0.5),
                            0.9, 0.999, 1e-7)
    assert float(eager_held[0]) == pytest.approx(first, rel=1e-5)
    assert float(w.numpy()[0]) < first


def test_compiled_step_records_one_fused_node():
    weights, grads = _problem()
    opt = keras.optimizers.Adam()
    step = fx.function(lambda pairs: opt.apply_gradients(pairs))
    pairs = [(fx.constant(g), w) for g, w in zip(grads[0], weights)]
    text = str(step.get_concrete_function(pairs).graph)
    assert text.count("apply_adam") == 1


def test_mismatched_gradient_is_named():
    w = fx.Variable(np.zeros((2, 3), np.float32), name="kernel")
    with pytest.raises(ValueError, match=r"apply_adam: the gradient of variable 'kernel:0'.*"
                                         r"shape \(2, 3\).*received shape \(3, 2\)"):
        training_ops.apply_adam([w], [fx.Variable(np.zeros((2, 3), np.float32))],
                                [fx.Variable(np.zeros((2, 3), np.float32))],
                                [np.zeros((3, 2), np.float32)], 0.1, 0.9, 0.999, 1e-7)
