"""The fused optimizer updates (ops/training_ops.apply_update): every built-in optimizer updates
all variables of a dtype in one step, equal to updating them one at a time."""
import numpy as np
import pytest

import fluxion as fx
from fluxion import keras
from fluxion.kernels import parallel
from fluxion.ops import training_ops


def _problem(seed=0, dtypes=("float32",) * 4):
    rng = np.random.default_rng(seed)
    shapes = [(300, 130), (130,), (7, 3), ()]   # one variable big enough to be cut in pieces
    weights = [fx.Variable(rng.standard_normal(s).astype(d)) for s, d in zip(shapes, dtypes)]
    grads = [[rng.standard_normal(s).astype(d) for s, d in zip(shapes, dtypes)]
             for _ in range(3)]
    return weights, grads


OPTIMIZERS = {
    "sgd": lambda: keras.optimizers.SGD(0.1),
    "sgd_nesterov": lambda: keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    "rmsprop_centered_momentum": lambda: keras.optimizers.RMSprop(0.01, momentum=0.5,
                                                                  centered=True),
    "adam": lambda: keras.optimizers.Adam(0.01),
    "adam_amsgrad": lambda: keras.optimizers.Adam(0.01, amsgrad=True),
    "adamw": lambda: keras.optimizers.AdamW(0.01),
    "adagrad": lambda: keras.optimizers.Adagrad(0.1),
    "adadelta": lambda: keras.optimizers.Adadelta(1.0),
    "adamax": lambda: keras.optimizers.Adamax(0.01),
    "nadam": lambda: keras.optimizers.Nadam(0.01),
}


def one_at_a_time(optimizer):
    """`optimizer` with its update applied variable by variable through `update_step`."""
    class OneAtATime(type(optimizer)):
        def update_step(self, gradient, variable, learning_rate):
            super().update_step(gradient, variable, learning_rate)
    optimizer.__class__ = OneAtATime
    return optimizer


def _train(optimizer, compiled=False, seed=0, dtypes=("float32",) * 4):
    weights, grads = _problem(seed, dtypes)
    step = optimizer.apply_gradients
    if compiled:
        step = fx.function(lambda pairs: optimizer.apply_gradients(pairs))
    for gs in grads:
        step([(fx.constant(g), w) for g, w in zip(gs, weights)])
    return [w.numpy() for w in weights] + [v.numpy() for v in optimizer.variables]


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("compiled", [False, True])
def test_fused_equals_one_variable_at_a_time(name, compiled):
    fused = _train(OPTIMIZERS[name](), compiled)
    reference = _train(one_at_a_time(OPTIMIZERS[name]()), compiled)
    for a, b in zip(fused, reference):
        np.testing.assert_array_equal(a, b)


def test_fused_matches_hand_computation():
    w, m, v = fx.Variable([1.0, -2.0]), fx.Variable([0.5, 0.0]), fx.Variable([0.25, 1.0])
    g = np.array([2.0, -1.0], np.float32)
    training_ops.apply_update("adam", [w], [g], {"momentum": [m], "velocity": [v]},
                              {"alpha": fx.constant(0.1)}, beta_1=0.9, beta_2=0.999,
                              epsilon=1e-7)
    m_ref = np.array([0.5, 0.0]) + (g - np.array([0.5, 0.0])) * 0.1
    v_ref = np.array([0.25, 1.0]) + (g ** 2 - np.array([0.25, 1.0])) * 0.001
    w_ref = np.array([1.0, -2.0]) - 0.1 * m_ref / (np.sqrt(v_ref) + 1e-7)
    np.testing.assert_allclose(m.numpy(), m_ref, rtol=1e-6)
    np.testing.assert_allclose(v.numpy(), v_ref, rtol=1e-6)
    np.testing.assert_allclose(w.numpy(), w_ref, rtol=1e-6)


@pytest.mark.parametrize("name", ["adam", "rmsprop_centered_momentum", "nadam"])
def test_thread_count_does_not_change_results(monkeypatch, name):
    from fluxion.kernels import training
    monkeypatch.setattr(training, "UNIT", 1000)            # small pieces, so that these
    monkeypatch.setattr(training, "MIN_PER_THREAD", 1000)  # variables are split over threads
    saved = parallel.configured_threads()
    try:
        results = []
        for threads in (1, 2, 3):
            parallel.set_num_threads(threads)
            results.append(_train(OPTIMIZERS[name](), compiled=True))
    finally:
        parallel.set_num_threads(saved)
    for other in results[1:]:
        for a, b in zip(results[0], other):
            np.testing.assert_array_equal(a, b)


def _adam_step(w, m, v):
    training_ops.apply_update("adam", [w], [fx.constant([1.0])], {"momentum": [m], "velocity": [v]},
                              {"alpha": fx.constant(0.5)}, beta_1=0.9, beta_2=0.999,
                              epsilon=1e-7)


def test_a_value_read_before_the_update_keeps_its_value():
    w, m, v = fx.Variable([1.0]), fx.Variable([0.0]), fx.Variable([0.0])

    @fx.function
    def step():
        before = w.read_value() * 1.0
        held = w.read_value()
        _adam_step(w, m, v)
        return before, held, w.read_value()

    before, held, after = step()
    first = 1.0 - 0.5 * 0.1 / (np.sqrt(0.001) + 1e-7)   # m = 0.1, v = 0.001 after one step
    assert float(before[0]) == 1.0 and float(held[0]) == 1.0
    assert float(after[0]) == pytest.approx(first, rel=1e-5)
    eager_held = w.read_value()
    _adam_step(w, m, v)
    assert float(eager_held[0]) == pytest.approx(first, rel=1e-5)
    assert float(w.numpy()[0]) < first


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_compiled_step_records_one_fused_node_per_dtype(name):
    weights, grads = _problem(dtypes=("float32", "float64", "float32", "float64"))
    opt = OPTIMIZERS[name]()
    step = fx.function(lambda pairs: opt.apply_gradients(pairs))
    pairs = [(fx.constant(g), w) for g, w in zip(grads[0], weights)]
    rule = name.split("_")[0].replace("adamw", "adam")
    assert str(step.get_concrete_function(pairs).graph).count(f"apply_{rule}(") == 2


def test_mixed_dtypes_equal_separate_runs():
    mixed = ("float32", "float64", "float32", "float64")
    together = _train(keras.optimizers.Adam(0.01), dtypes=mixed)
    alone = _train(one_at_a_time(keras.optimizers.Adam(0.01)), dtypes=mixed)
    for a, b in zip(together, alone):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


def test_a_subclass_rule_is_used_per_variable():
    class SignSGD(keras.optimizers.Optimizer):
        def update_step(self, gradient, variable, learning_rate):
            variable.assign_sub(fx.sign(gradient) * learning_rate)

    w = fx.Variable([1.0, -1.0])
    SignSGD(learning_rate=0.5).apply_gradients([(fx.constant([3.0, -0.1]), w)])
    np.testing.assert_array_equal(w.numpy(), [0.5, -0.5])


def test_mismatched_gradient_is_named():
    w = fx.Variable(np.zeros((2, 3), np.float32), name="kernel")
    with pytest.raises(ValueError, match=r"apply_sgd: the gradient of variable 'kernel:0'.*"
                                         r"shape \(2, 3\).*received shape \(3, 2\)"):
        training_ops.apply_update("sgd", [w], [np.zeros((3, 2), np.float32)], {},
                                  {"lr": 0.1})
