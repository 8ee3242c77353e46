"""Each optimizer's first steps against a NumPy computation of Keras 3's update rule, eager and
inside `fluxion.function`; clipping, weight decay, schedules, state and errors."""
import warnings

import numpy as np
import pytest

import fluxion as tf
from fluxion.keras import optimizers

GRADS = [np.array([0.5, -1.0, 2.0], np.float32), np.array([-0.3, 0.7, 0.1], np.float32),
         np.array([1.5, 0.2, -0.4], np.float32)]
W0 = np.array([1.0, -2.0, 0.5], np.float32)


def ref_sgd(lr=0.01, momentum=0.0, nesterov=False):
    w, v = W0.astype(np.float64), np.zeros(3)
    for g in GRADS:
        if momentum == 0:
            w = w - lr * g
        else:
            v = momentum * v - lr * g
            w = w + (momentum * v - lr * g if nesterov else v)
        yield w


def ref_rmsprop(lr=0.001, rho=0.9, momentum=0.0, eps=1e-7, centered=False):
    w, v, mom, a = W0.astype(np.float64), np.zeros(3), np.zeros(3), np.zeros(3)
    for g in GRADS:
        v = rho * v + (1 - rho) * g ** 2
        if centered:
            a = rho * a + (1 - rho) * g
            inc = lr * g / np.sqrt(v - a ** 2 + eps)
        else:
            inc = lr * g / np.sqrt(v + eps)
        if momentum:
            mom = momentum * mom + inc
            w = w - mom
        else:
            w = w - inc
        yield w


def ref_adam(lr=0.001, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False, wd=None):
    w, m, v, vh = W0.astype(np.float64), np.zeros(3), np.zeros(3), np.zeros(3)
    for t, g in enumerate(GRADS, 1):
        if wd:
            w = w - w * wd * lr
        m = m + (g - m) * (1 - b1)
        v = v + (g ** 2 - v) * (1 - b2)
        if amsgrad:
            vh = np.maximum(vh, v)
        alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        w = w - m * alpha / (np.sqrt(vh if amsgrad else v) + eps)
        yield w


def ref_adagrad(lr=0.001, init=0.1, eps=1e-7):
    w, acc = W0.astype(np.float64), np.full(3, init)
    for g in GRADS:
        acc = acc + g ** 2
        w = w - lr * g / np.sqrt(acc + eps)
        yield w


def ref_adadelta(lr=0.001, rho=0.95, eps=1e-7):
    w, eg, ed = W0.astype(np.float64), np.zeros(3), np.zeros(3)
    for g in GRADS:
        eg = rho * eg + (1 - rho) * g ** 2
        delta = -np.sqrt(ed + eps) * g / np.sqrt(eg + eps)
        ed = rho * ed + (1 - rho) * delta ** 2
        w = w + lr * delta
        yield w


def ref_adamax(lr=0.001, b1=0.9, b2=0.999, eps=1e-7):
    w, m, u = W0.astype(np.float64), np.zeros(3), np.zeros(3)
    for t, g in enumerate(GRADS, 1):
        m = m + (g - m) * (1 - b1)
        u = np.maximum(b2 * u, np.abs(g))
        w = w - lr * m / ((1 - b1 ** t) * (u + eps))
        yield w


def ref_nadam(lr=0.001, b1=0.9, b2=0.999, eps=1e-7):
    w, m, v, prod = W0.astype(np.float64), np.zeros(3), np.zeros(3), 1.0
    for t, g in enumerate(GRADS, 1):
        u_t = b1 * (1 - 0.5 * 0.96 ** t)
        u_t1 = b1 * (1 - 0.5 * 0.96 ** (t + 1))
        prod = prod * u_t
        m = m + (g - m) * (1 - b1)
        v = v + (g ** 2 - v) * (1 - b2)
        m_hat = u_t1 * m / (1 - prod * u_t1) + (1 - u_t) * g / (1 - prod)
        v_hat = v / (1 - b2 ** t)
        w = w - m_hat * lr / (np.sqrt(v_hat) + eps)
        yield w


CASES = [
    ("sgd", lambda: optimizers.SGD(), lambda: ref_sgd()),
    ("sgd_lr", lambda: optimizers.SGD(0.1), lambda: ref_sgd(lr=0.1)),
    ("sgd_momentum", lambda: optimizers.SGD(0.1, momentum=0.9), lambda: ref_sgd(0.1, 0.9)),
    ("sgd_nesterov", lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True),
     lambda: ref_sgd(0.1, 0.9, True)),
    ("rmsprop", lambda: optimizers.RMSprop(), lambda: ref_rmsprop()),
    ("rmsprop_momentum_centered",
     lambda: optimizers.RMSprop(0.01, momentum=0.5, centered=True),
     lambda: ref_rmsprop(0.01, momentum=0.5, centered=True)),
    ("adam", lambda: optimizers.Adam(), lambda: ref_adam()),
    ("adam_lr", lambda: optimizers.Adam(0.1), lambda: ref_adam(lr=0.1)),
    ("adam_amsgrad", lambda: optimizers.Adam(0.1, amsgrad=True),
     lambda: ref_adam(0.1, amsgrad=True)),
    ("adamw", lambda: optimizers.AdamW(0.1), lambda: ref_adam(0.1, wd=0.004)),
    ("adagrad", lambda: optimizers.Adagrad(0.1), lambda: ref_adagrad(0.1)),
    ("adadelta", lambda: optimizers.Adadelta(1.0), lambda: ref_adadelta(1.0)),
    ("adamax", lambda: optimizers.Adamax(0.1), lambda: ref_adamax(0.1)),
    ("nadam", lambda: optimizers.Nadam(0.1), lambda: ref_nadam(0.1)),
]


@pytest.mark.parametrize("name,make,reference", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("compiled", [False, True])
def test_first_steps_match_the_update_rule(name, make, reference, compiled):
    reference = list(reference())
    opt, w = make(), tf.Variable(W0)

    def step(g):
        opt.apply_gradients([(g, w)])

    run = tf.function(step) if compiled else step
    for g, expected in zip(GRADS, reference):
        run(tf.constant(g))
        np.testing.assert_allclose(w.numpy(), expected, rtol=2e-5, atol=1e-7)
    assert int(opt.iterations) == 3
    if compiled:
        assert run.experimental_get_tracing_count() == 1


def test_keras_defaults():
    assert optimizers.SGD().get_config()["learning_rate"] == pytest.approx(0.01)
    sgd = optimizers.SGD()
    assert (sgd.momentum, sgd.nesterov) == (0.0, False)
    rms = optimizers.RMSprop()
    assert (rms.rho, rms.momentum, rms.epsilon, rms.centered) == (0.9, 0.0, 1e-7, False)
    adam = optimizers.Adam()
    assert (adam.beta_1, adam.beta_2, adam.epsilon, adam.amsgrad) == (0.9, 0.999, 1e-7, False)
    assert optimizers.AdamW().weight_decay == 0.004
    ada = optimizers.Adagrad()
    assert (ada.initial_accumulator_value, ada.epsilon) == (0.1, 1e-7)
    assert optimizers.Adadelta().rho == 0.95
    for cls in (optimizers.RMSprop, optimizers.Adam, optimizers.Adagrad, optimizers.Adadelta,
                optimizers.Adamax, optimizers.Nadam):
        assert float(cls().learning_rate.numpy()) == pytest.approx(0.001)


def test_slot_variables_are_named_like_keras():
    tf.keras.backend.clear_session()   # default names are unique: "adam", then "adam_1", ...
    opt = optimizers.Adam(amsgrad=True)
    w = tf.Variable(np.zeros((2, 2), np.float32))
    w.path = "dense/kernel"
    opt.build([w])
    assert [v.path for v in opt.variables] == [
        "adam/iteration", "adam/learning_rate", "adam/dense_kernel_momentum",
        "adam/dense_kernel_velocity", "adam/dense_kernel_velocity_hat"]
    assert opt.iterations.dtype == tf.int64
    assert not any(v.trainable for v in opt.variables)


def test_clipnorm_clipvalue_and_global_clipnorm():
    g = np.array([3.0, 4.0], np.float32)  # norm 5
    for kwargs, expected in [({"clipnorm": 1.0}, g / 5), ({"clipvalue": 3.5}, [3.0, 3.5]),
                             ({"global_clipnorm": 2.5}, None)]:
        opt, w, w2 = optimizers.SGD(1.0, **kwargs), tf.Variable([0.0, 0.0]), tf.Variable([0.0])
        opt.apply_gradients([(tf.constant(g), w), (tf.constant([12.0]), w2)])
        if expected is None:  # global norm 13 -> scale 2.5/13
            np.testing.assert_allclose(-w.numpy(), g * 2.5 / 13, rtol=1e-6)
            np.testing.assert_allclose(-w2.numpy(), [12 * 2.5 / 13], rtol=1e-6)
        else:
            np.testing.assert_allclose(-w.numpy(), expected, rtol=1e-6)
    with pytest.raises(ValueError, match="only one of"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)


def test_weight_decay_and_exclusion():
    opt = optimizers.SGD(0.1, weight_decay=0.5)
    w, b = tf.Variable([2.0], name="kernel"), tf.Variable([2.0], name="bias")
    opt.exclude_from_weight_decay(var_names=["bias"])
    opt.apply_gradients([(tf.constant([1.0]), w), (tf.constant([1.0]), b)])
    np.testing.assert_allclose(w.numpy(), [2.0 - 2.0 * 0.5 * 0.1 - 0.1], rtol=1e-6)
    np.testing.assert_allclose(b.numpy(), [1.9], rtol=1e-6)


def test_schedule_learning_rate_is_evaluated_at_iterations():
    sched = optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    opt, w = optimizers.SGD(sched), tf.Variable(0.0)
    step = tf.function(lambda: opt.apply_gradients([(tf.constant(1.0), w)]))
    for _ in range(3):
        step()
    assert float(w) == pytest.approx(-(0.1 + 0.05 + 0.025), rel=1e-6)
    assert float(opt.learning_rate) == pytest.approx(0.0125)
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.1


def test_setting_the_learning_rate_reaches_a_compiled_step():
    opt, w = optimizers.SGD(0.1), tf.Variable(0.0)
    step = tf.function(lambda: opt.apply_gradients([(tf.constant(1.0), w)]))
    step()
    opt.learning_rate = 0.01
    step()
    assert float(w) == pytest.approx(-0.11, rel=1e-6)
    assert step.experimental_get_tracing_count() == 1
    assert float(opt.lr) == pytest.approx(0.01)


def test_legacy_lr_and_decay_arguments():
    with pytest.warns(DeprecationWarning, match="lr"):
        opt = optimizers.SGD(lr=0.5, decay=1.0)
    w = tf.Variable(0.0)
    for _ in range(2):
        opt.apply_gradients([(tf.constant(1.0), w)])
    assert float(w) == pytest.approx(-(0.5 + 0.25))
    with pytest.raises(ValueError, match="not recognized"):
        optimizers.Adam(bogus=1)


def test_none_gradients_are_skipped_with_a_warning_naming_the_variable():
    opt = optimizers.SGD(1.0)
    w, unused = tf.Variable(1.0, name="w"), tf.Variable(1.0, name="unused")
    with pytest.warns(UserWarning, match="unused"):
        opt.apply_gradients([(tf.constant(1.0), w), (None, unused)])
    assert (float(w), float(unused)) == (0.0, 1.0)
    with pytest.raises(ValueError, match="no gradients"):
        opt.apply_gradients([(None, w)])


def test_unknown_variable_after_build_is_an_error():
    opt = optimizers.Adam()
    opt.apply_gradients([(tf.constant(1.0), tf.Variable(1.0))])
    with pytest.raises(ValueError, match="unknown variable"):
        opt.apply_gradients([(tf.constant(1.0), tf.Variable(1.0, name="other"))])


def test_constraints_are_applied_after_the_update():
    w = tf.Variable([1.0, -1.0], constraint=lambda x: tf.maximum(x, 0.0))
    optimizers.SGD(1.0).apply_gradients([(tf.constant([0.5, 0.5]), w)])
    np.testing.assert_allclose(w.numpy(), [0.5, 0.0])


def test_state_round_trip_continues_identically():
    def run(opt, w, steps):
        for g in GRADS[:steps]:
            opt.apply_gradients([(tf.constant(g), w)])

    a, wa = optimizers.Adam(0.1), tf.Variable(W0)
    run(a, wa, 3)
    b, wb = optimizers.Adam(0.1), tf.Variable(W0)
    run(b, wb, 1)
    c = optimizers.Adam.from_config(b.get_config())
    wc = tf.Variable(wb.numpy())
    c.build([wc])
    c.set_weights(b.get_weights())
    assert int(c.iterations) == 1
    for g in GRADS[1:]:
        c.apply_gradients([(tf.constant(g), wc)])
    np.testing.assert_allclose(wc.numpy(), wa.numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="expected"):
        c.set_weights([])


def test_minimize_and_rmsprop_keras_example():
    opt, w = optimizers.RMSprop(learning_rate=0.1), tf.Variable(10.0)
    opt.minimize(lambda: (w ** 2) / 2.0, [w])
    assert float(w) == pytest.approx(9.683772, rel=1e-6)


def test_ema_tracks_and_finalizes():
    opt, w = optimizers.SGD(1.0, use_ema=True, ema_momentum=0.5), tf.Variable(0.0)
    for _ in range(2):
        opt.apply_gradients([(tf.constant(1.0), w)])
    assert float(w) == -2.0
    opt.finalize_variable_values([w])
    assert float(w) == pytest.approx(0.5 * -1.0 + 0.5 * -2.0)


def test_get_serialize_deserialize():
    assert isinstance(optimizers.get("Adam"), optimizers.Adam)
    opt = optimizers.SGD(0.3, momentum=0.5,
                         clipnorm=1.0)
    again = optimizers.deserialize(optimizers.serialize(opt))
    assert isinstance(again, optimizers.SGD)
    assert again.get_config() == opt.get_config()
    sched_opt = optimizers.Adam(optimizers.schedules.CosineDecay(0.1, 10))
    restored = optimizers.deserialize(optimizers.serialize(sched_opt))
    assert isinstance(restored._learning_rate, optimizers.schedules.CosineDecay)
    with pytest.raises(ValueError, match="adam"):
        optimizers.get("adamm")


def test_schedules_values():
    s = optimizers.schedules
    exp = s.ExponentialDecay(0.1, 10, 0.96, staircase=True)
    assert [round(float(exp(t)), 6) for t in (0, 9, 10, 25)] == \
        [0.1, 0.1, round(0.1 * 0.96, 6), round(0.1 * 0.96 ** 2, 6)]
    assert float(s.ExponentialDecay(0.1, 10, 0.5)(5)) == pytest.approx(0.1 * 0.5 ** 0.5)
    pw = s.PiecewiseConstantDecay([100, 110], [1.0, 0.5, 0.1])
    assert [float(pw(t)) for t in (0, 100, 101, 110, 111)] == pytest.approx(
        [1.0, 1.0, 0.5, 0.5, 0.1])
    cos = s.CosineDecay(0.1, 100, alpha=0.1)
    for t in (0, 30, 100, 150):
        frac = min(t, 100) / 100
        expected = 0.1 * (0.9 * 0.5 * (1 + np.cos(np.pi * frac)) + 0.1)
        assert float(cos(t)) == pytest.approx(expected, rel=1e-5)
    warm = s.CosineDecay(0.0, 10, warmup_target=1.0, warmup_steps=5)
    assert float(warm(2)) == pytest.approx(0.4)
    assert float(warm(5)) == pytest.approx(1.0)
    assert float(warm(10)) == pytest.approx(0.5, rel=1e-5)
    inv = s.InverseTimeDecay(1.0, 2, 0.5)
    assert float(inv(4)) == pytest.approx(0.5)
    poly = s.PolynomialDecay(1.0, 10, 0.0, power=2.0)
    assert float(poly(5)) == pytest.approx(0.25)
    assert float(poly(20)) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="decay_steps"):
        s.ExponentialDecay(0.1, 0, 0.9)
    with pytest.raises(ValueError, match="1 less"):
        s.PiecewiseConstantDecay([1, 2], [1.0])


def test_callable_learning_rate_and_float64_variables():
    opt = optimizers.SGD(lambda: 0.5)
    w = tf.Variable(np.array([1.0], np.float64))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.apply_gradients([(tf.constant(np.array([1.0])), w)])
    assert w.dtype == tf.float64 and float(w.numpy()[0]) == 0.5


def test_default_names_are_unique_snake_case_like_keras():
    tf.keras.backend.clear_session()
    names = {cls: [getattr(optimizers, cls)().name for _ in range(2)] for cls in (
        "SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax", "Nadam")}
    assert names == {"SGD": ["sgd", "sgd_1"], "RMSprop": ["rm_sprop", "rm_sprop_1"],
                     "Adam": ["adam", "adam_1"], "AdamW": ["adam_w", "adam_w_1"],
                     "Adagrad": ["adagrad", "adagrad_1"], "Adadelta": ["adadelta", "adadelta_1"],
                     "Adamax": ["adamax", "adamax_1"], "Nadam": ["nadam", "nadam_1"]}
    assert optimizers.Adam().get_config()["name"] == "adam_2"
    assert optimizers.SGD(name="mine").name == "mine" and optimizers.SGD().name == "sgd_2"
    assert optimizers.get("sgd").name == "sgd_3"
    opt = optimizers.SGD(momentum=0.9)
    opt.build([tf.Variable(np.zeros(2, np.float32))])
    assert all(v.path.startswith("sgd_4/") for v in opt.variables)
    tf.keras.backend.clear_session()
    assert optimizers.SGD().name == "sgd"


def test_missing_gradients_warning_names_layer_weights_by_path():
    from fluxion import keras
    layer = keras.layers.Dense(2, name="out2")
    layer.build((None, 3))
    plain, unused = tf.Variable([1.0], name="w"), tf.Variable([1.0], name="unused")
    optimizer = optimizers.SGD(0.1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        optimizer.apply_gradients([(None, layer.kernel), (None, layer.bias),
                                   (tf.constant([1.0]), plain), (None, unused)])
    assert [str(w.message) for w in caught] == [
        "Gradients do not exist for variables ['out2/kernel', 'out2/bias', 'unused:0'] "
        "when minimizing the loss. If using `model.compile()`, did you forget to provide a "
        "`loss` argument?"]
    np.testing.assert_allclose(plain.numpy(), [0.9], rtol=1e-6)
