"""GradientTape semantics: hand-computed derivatives and TensorFlow's documented behaviour."""
import numpy as np
import pytest

import fluxion as fx


def test_book_chapter_two_persistent_tape():
    x = fx.constant(4.0)
    with fx.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
        z = y * y
    assert float(t.gradient(z, x)) == 256.0  # 4 x^3
    assert float(t.gradient(y, x)) == 8.0    # 2 x
    del t


def test_non_persistent_tape_can_be_used_once():
    x = fx.constant(3.0)
    with fx.GradientTape() as t:
        t.watch(x)
        y = x * x
    t.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent GradientTape"):
        t.gradient(y, x)


def test_trainable_variables_are_watched_automatically():
    w = fx.Variable([[1.0, 2.0], [3.0, 4.0]])
    frozen = fx.Variable([1.0, 1.0], trainable=False)
    x = fx.constant([[1.0], [1.0]])
    with fx.GradientTape() as t:
        y = fx.reduce_sum(fx.matmul(w, x) * frozen)
    gw, gf = t.gradient(y, [w, frozen])
    assert gw.numpy().tolist() == [[2.0, 2.0], [2.0, 2.0]]  # (2,1) * (2,) broadcasts to (2,2)
    assert gf is None
    assert t.watched_variables() == (w,)


def test_watch_accessed_variables_false_watches_only_what_is_asked():
    a, b = fx.Variable(2.0), fx.Variable(3.0)
    with fx.GradientTape(watch_accessed_variables=False) as t:
        t.watch(a)
        y = a * b
    ga, gb = t.gradient(y, [a, b])
    assert float(ga) == 3.0 and gb is None


def test_gradient_uses_the_value_read_not_a_later_assignment():
    v = fx.Variable(2.0)
    with fx.GradientTape() as t:
        y = v * v
    v.assign(10.0)
    assert float(t.gradient(y, v)) == 4.0


def test_unwatched_and_unconnected_sources():
    x, other = fx.constant(1.0), fx.constant(2.0)
    with fx.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * 3.0
    assert t.gradient(y, other) is None
    assert float(t.gradient(y, other, unconnected_gradients="zero")) == 0.0
    assert float(t.gradient(y, other,
                            unconnected_gradients=fx.UnconnectedGradients.ZERO)) == 0.0


def test_integer_sources_get_none():
    i = fx.constant(3)
    with fx.GradientTape() as t:
        t.watch(i)
        y = fx.cast(i, fx.float32) * 2.0
    assert t.gradient(y, i) is None


def test_non_scalar_target_is_summed_and_output_gradients_weight_it():
    x = fx.constant([1.0, 2.0, 3.0])
    with fx.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
    assert t.gradient(y, x).numpy().tolist() == [2.0, 4.0, 6.0]
    w = fx.constant([1.0, 0.0, -1.0])
    assert t.gradient(y, x, output_gradients=w).numpy().tolist() == [2.0, 0.0, -6.0]


def test_nested_structures_of_sources_and_targets():
    a, b = fx.Variable(1.0), fx.Variable(2.0)
    with fx.GradientTape() as t:
        y = {"p": a * b, "q": [a + b]}
    grads = t.gradient(y, {"first": a, "rest": (b,)})
    assert float(grads["first"]) == 3.0   # b + 1
    assert float(grads["rest"][0]) == 2.0  # a + 1


def test_broadcasting_gradients_are_summed_to_the_input_shape():
    x = fx.Variable(fx.ones((3, 1)))
    b = fx.Variable(fx.ones((4,)))
    with fx.GradientTape() as t:
        y = fx.reduce_sum(x * b)
    gx, gb = t.gradient(y, [x, b])
    assert gx.shape == (3, 1) and gx.numpy().ravel().tolist() == [4.0] * 3
    assert gb.shape == (4,) and gb.numpy().tolist() == [3.0] * 4


def test_nested_tapes_give_second_and_third_derivatives():
    x = fx.constant(2.0)
    with fx.GradientTape() as t3:
        t3.watch(x)
        with fx.GradientTape() as t2:
            t2.watch(x)
            with fx.GradientTape() as t1:
                t1.watch(x)
                y = x ** 4
            dy = t1.gradient(y, x)
        d2y = t2.gradient(dy, x)
    d3y = t3.gradient(d2y, x)
    assert (float(dy), float(d2y), float(d3y)) == (32.0, 48.0, 48.0)


def test_second_derivative_of_a_mlp_against_finite_differences():
    rng = np.random.default_rng(0)
    w = fx.constant(rng.standard_normal((3, 2)))
    x0 = rng.standard_normal((1, 3))

    def grad_norm(xv):
        x = fx.constant(xv)
        with fx.GradientTape() as t:
            t.watch(x)
            y = fx.reduce_sum(fx.tanh(fx.matmul(x, w)) ** 2)
        g = t.gradient(y, x)
        return g, fx.reduce_sum(g * g)

    x = fx.constant(x0)
    with fx.GradientTape() as outer:
        outer.watch(x)
        with fx.GradientTape() as inner:
            inner.watch(x)
            y = fx.reduce_sum(fx.tanh(fx.matmul(x, w)) ** 2)
        g = inner.gradient(y, x)
        s = fx.reduce_sum(g * g)
    hv = outer.gradient(s, x).numpy()
    eps = 1e-6
    numeric = np.zeros_like(x0)
    for i in range(3):
        d = np.zeros_like(x0)
        d[0, i] = eps
        numeric[0, i] = (float(grad_norm(x0 + d)[1]) - float(grad_norm(x0 - d)[1])) / (2 * eps)
    np.testing.assert_allclose(hv, numeric, rtol=1e-5, atol=1e-7)


def test_stop_gradient_and_stop_recording():
    x = fx.constant(3.0)
    with fx.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * fx.stop_gradient(x)
        with t.stop_recording():
            z = x * x
    assert float(t.gradient(y, x)) == 3.0
    assert t.gradient(z, x) is None


def test_reset_forgets_the_recording():
    x = fx.constant(1.0)
    with fx.GradientTape() as t:
        t.watch(x)
        y = x * 5.0
        t.reset()
        t.watch(x)
        z = x * 2.0
    assert float(t.gradient(z, x)) == 2.0
    del y


def test_watch_rejects_python_values():
    with fx.GradientTape() as t:
        with pytest.raises(ValueError, match="expected tensors or variables"):
            t.watch(1.0)


def test_cast_gradient_is_cast_back():
    x = fx.constant([1.5, 2.5], dtype=fx.float64)
    with fx.GradientTape() as t:
        t.watch(x)
        y = fx.reduce_sum(fx.cast(x, fx.float32) * 3.0)
    g = t.gradient(y, x)
    assert g.dtype == fx.float64 and g.numpy().tolist() == [3.0, 3.0]


def test_jacobian_and_batch_jacobian():
    x = fx.constant([[1.0, 2.0], [3.0, 4.0]])
    with fx.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
        s = fx.reduce_sum(x, axis=1)
    j = t.jacobian(y, x)
    assert j.shape == (2, 2, 2, 2)
    expected = np.zeros((2, 2, 2, 2))
    for i in range(2):
        for k in range(2):
            expected[i, k, i, k] = 2 * x.numpy()[i, k]
    np.testing.assert_array_equal(j.numpy(), expected)
    bj = t.batch_jacobian(y, x)
    assert bj.shape == (2, 2, 2)
    np.testing.assert_array_equal(bj.numpy(), np.stack([np.diag(2 * r) for r in x.numpy()]))
    assert t.jacobian(s, x).numpy().tolist() == [[[1.0, 1.0], [0.0, 0.0]],
                                                 [[0.0, 0.0], [1.0, 1.0]]]
    with pytest.raises(ValueError, match="batch_jacobian: .*same first"):
        t.batch_jacobian(fx.reshape(y, (4,)), fx.zeros((3, 1)))


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_custom_gradient():
    @fx.custom_gradient
    def log1pexp(x):
        e = fx.exp(x)

        def grad(upstream):
            return upstream * (1 - 1 / (1 + e))
        return fx.math.log1p(e), grad

    x = fx.constant(100.0)
    with fx.GradientTape() as t:
        t.watch(x)
        y = log1pexp(x)
    assert float(t.gradient(y, x)) == 1.0  # the naive gradient would be nan


def test_custom_gradient_with_variables():
    v = fx.Variable(3.0)

    @fx.custom_gradient
    def scaled(x):
        def grad(dy, variables=None):
            return dy * v, [dy * x * 10.0]
        return x * v, grad

    x = fx.constant(2.0)
    with fx.GradientTape() as t:
        t.watch(x)
        y = scaled(x)
    gx, gv = t.gradient(y, [x, v])
    assert float(gx) == 3.0 and float(gv) == 20.0


def test_custom_gradient_is_differentiable_twice():
    @fx.custom_gradient
    def cube(x):
        def grad(dy):
            return dy * 3.0 * x * x
        return x * x * x, grad

    x = fx.constant(2.0)
    with fx.GradientTape() as outer:
        outer.watch(x)
        with fx.GradientTape() as inner:
            inner.watch(x)
            y = cube(x)
        dy = inner.gradient(y, x)
    assert float(dy) == 12.0
    assert float(outer.gradient(dy, x)) == 12.0  # 6x


def test_tape_inside_another_thread_is_independent():
    import threading
    x = fx.constant(2.0)
    seen = {}

    def worker():
        seen["tapes"] = len(fx.core.context.state.tapes)

    with fx.GradientTape() as t:
        t.watch(x)
        th = threading.Thread(target=worker)
        th.start()
        th.join()
    assert seen["tapes"] == 0


def test_logistic_regression_gradient_matches_closed_form():
    rng = np.random.default_rng(3)
    xs = rng.standard_normal((8, 4)).astype(np.float32)
    labels = (rng.uniform(size=(8, 1)) > 0.5).astype(np.float32)
    w = fx.Variable(rng.standard_normal((4, 1)).astype(np.float32))
    with fx.GradientTape() as t:
        p = fx.sigmoid(fx.matmul(xs, w))
        loss = -fx.reduce_mean(labels * fx.math.log(p) + (1 - labels) * fx.math.log(1 - p))
    g = t.gradient(loss, w).numpy()
    p_np = 1 / (1 + np.exp(-(xs @ w.numpy())))
    np.testing.assert_allclose(g, xs.T @ (p_np - labels) / 8, rtol=1e-4, atol=1e-6)
