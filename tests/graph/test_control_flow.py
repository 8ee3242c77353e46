"""cond, while_loop and scan: eager and traced results agree; gradients vs finite differences."""
import numpy as np
import pytest

import fluxion as fx


def _grad(fn, x):
    x = fx.convert_to_tensor(x)
    with fx.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    return y, tape.gradient(y, x)


def _numeric(fn, x, eps=1e-6):
    x = np.array(x, np.float64)
    out = np.zeros_like(x)
    for i in range(x.size):
        d = np.zeros_like(x)
        d.flat[i] = eps
        out.flat[i] = (float(fx.reduce_sum(fn(fx.constant(x + d)))) -
                       float(fx.reduce_sum(fn(fx.constant(x - d))))) / (2 * eps)
    return out


def branchy(x):
    return fx.cond(fx.reduce_sum(x) > 0, lambda: fx.reduce_sum(x * x) * 3.0,
                   lambda: fx.reduce_sum(fx.sin(x)))


@pytest.mark.parametrize("value", [[0.5, 1.0], [-0.5, -1.0]])
def test_cond_value_and_gradient_eager_and_traced(value):
    x = np.array(value, np.float64)
    eager_y, eager_g = _grad(branchy, x)
    traced = fx.function(lambda x: _grad(branchy, x))
    y, g = traced(fx.constant(x))
    np.testing.assert_allclose(y.numpy(), eager_y.numpy(), rtol=1e-12)
    np.testing.assert_allclose(g.numpy(), eager_g.numpy(), rtol=1e-12)
    np.testing.assert_allclose(g.numpy(), _numeric(branchy, x), rtol=1e-6)


def test_cond_runs_only_the_taken_branch_in_a_graph():
    v = fx.Variable(0.0)

    @fx.function
    def f(x):
        return fx.cond(x > 0, lambda: v.assign_add(1.0).read_value(),
                       lambda: v.assign_sub(1.0).read_value())

    f(fx.constant(1.0))
    f(fx.constant(1.0))
    f(fx.constant(-1.0))
    assert float(v) == 1.0


def test_cond_gradient_reaches_variables_used_in_a_branch():
    w = fx.Variable(2.0)

    @fx.function
    def f(x):
        with fx.GradientTape() as tape:
            y = fx.cond(x > 0, lambda: w * x, lambda: w * w)
        return tape.gradient(y, w)

    assert float(f(fx.constant(3.0))) == 3.0
    assert float(f(fx.constant(-3.0))) == 4.0


def test_cond_errors():
    with pytest.raises(ValueError, match="cond: pred must be a scalar bool"):
        fx.cond(fx.constant([True, False]), lambda: 1.0, lambda: 2.0)

    @fx.function
    def f(x):
        return fx.cond(x > 0, lambda: x, lambda: fx.cast(x, fx.float64))

    with pytest.raises(TypeError, match="cond: output 0 is float32 in true_fn but float64"):
        f(fx.constant(1.0))


def cumulative(xs):
    return fx.scan(lambda carry, x: carry * fx.tanh(x) + x, xs, initializer=fx.constant(
        np.ones(2), dtype=xs.dtype))


def test_scan_value_and_gradient_eager_and_traced():
    xs = np.random.default_rng(0).standard_normal((4, 2))
    eager_y, eager_g = _grad(cumulative, xs)
    y, g = fx.function(lambda x: _grad(cumulative, x))(fx.constant(xs))
    np.testing.assert_allclose(y.numpy(), eager_y.numpy(), rtol=1e-12)
    np.testing.assert_allclose(g.numpy(), eager_g.numpy(), rtol=1e-10)
    np.testing.assert_allclose(g.numpy(), _numeric(cumulative, xs), rtol=1e-6, atol=1e-9)


def test_scan_reverse_and_without_initializer():
    xs = fx.constant([1.0, 2.0, 3.0])
    assert fx.scan(lambda a, x: a + x, xs).numpy().tolist() == [3.0, 6.0]
    assert fx.scan(lambda a, x: a + x, xs, initializer=fx.constant(0.0),
                   reverse=True).numpy().tolist() == [6.0, 5.0, 3.0]
    traced = fx.function(lambda xs: fx.scan(lambda a, x: a + x, xs,
                                            initializer=fx.constant(0.0), reverse=True))
    assert traced(xs).numpy().tolist() == [6.0, 5.0, 3.0]


def test_scan_rejects_a_carry_of_another_shape():
    @fx.function
    def f(xs):
        return fx.scan(lambda a, x: fx.stack([a, x]), xs, initializer=fx.constant(0.0))

    with pytest.raises(ValueError, match=r"scan: fn must return the carry's shape \(\)"):
        f(fx.constant([1.0, 2.0]))


def test_while_loop_eager_traced_and_gradient():
    def run(n, x):
        return fx.while_loop(lambda i, x: i < n, lambda i, x: (i + 1, x * 2.0),
                             (fx.constant(0), x))

    assert [float(t) for t in run(3, fx.constant(1.0))] == [3.0, 8.0]
    traced = fx.function(run)
    assert [float(t) for t in traced(fx.constant(5), fx.constant(1.0))] == [5.0, 32.0]
    assert [float(t) for t in traced(fx.constant(2), fx.constant(1.0))] == [2.0, 4.0]
    assert traced.experimental_get_tracing_count() == 1
    _, g = _grad(lambda x: run(3, x)[1], 1.5)
    assert float(g) == 8.0  # eager: differentiable through the Python loop


def test_while_loop_maximum_iterations():
    out = fx.function(lambda: fx.while_loop(lambda i: i < 100, lambda i: (i + 1,),
                                            (fx.constant(0),), maximum_iterations=7))()
    assert int(out[0]) == 7


def test_while_loop_gradient_inside_a_traced_function():
    w = fx.Variable(1.5)

    def run(n, x):
        _, y = fx.while_loop(lambda i, x: i < n, lambda i, x: (i + 1, fx.sin(x) * w + x),
                             (fx.constant(0), x))
        return y

    @fx.function
    def traced(n, x):
        with fx.GradientTape() as tape:
            tape.watch(x)
            y = run(n, x)
        return y, tape.gradient(y, [x, w])

    x0 = 0.3
    y, (gx, gw) = traced(fx.constant(4), fx.constant(x0))
    with fx.GradientTape() as tape:
        x = fx.constant(x0)
        tape.watch(x)
        y_eager = run(4, x)
    ex, ew = tape.gradient(y_eager, [x, w])
    np.testing.assert_allclose(y.numpy(), y_eager.numpy(), rtol=1e-6)
    np.testing.assert_allclose(gx.numpy(), ex.numpy(), rtol=1e-5)
    np.testing.assert_allclose(gw.numpy(), ew.numpy(), rtol=1e-5)
    assert traced.experimental_get_tracing_count() == 1
    y2, (gx2, _) = traced(fx.constant(0), fx.constant(x0))  # zero iterations: identity
    assert float(y2) == pytest.approx(x0) and float(gx2) == 1.0
