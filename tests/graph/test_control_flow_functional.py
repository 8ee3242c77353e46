"""map_fn / vectorized_map / foldl / foldr, while_loop's result structure, ConcreteFunction's
structured_outputs / structured_input_signature."""
import numpy as np
import pytest

import fluxion as tf

c = tf.constant


@pytest.mark.parametrize("traced", [False, True])
def test_map_fn_and_folds_values(traced):
    run = tf.function if traced else (lambda f: f)
    m = run(lambda x: tf.map_fn(lambda t: t * 2, x))(c([1, 2, 3]))
    np.testing.assert_array_equal(m.numpy(), [2, 4, 6])
    d = run(lambda x: tf.map_fn(lambda t: {"a": t["x"] + 1}, {"x": x},
                                fn_output_signature={"a": tf.int32}))(c([1, 2]))
    np.testing.assert_array_equal(d["a"].numpy(), [2, 3])
    f = run(lambda x: tf.map_fn(lambda t: tf.cast(t, tf.float32), x,
                                fn_output_signature=tf.float32))(c([1, 2]))
    assert f.dtype == tf.float32
    v = run(lambda x: tf.vectorized_map(lambda t: tf.reduce_sum(t), x))(c([[1, 2], [3, 4]]))
    np.testing.assert_array_equal(v.numpy(), [3, 7])
    assert run(lambda x: tf.foldl(lambda a, t: a + t, x))(c([1, 2, 3])).numpy() == 6
    assert run(lambda x: tf.foldr(lambda a, t: a * 10 + t, x))(c([1, 2, 3])).numpy() == 321
    n = run(lambda x, y: tf.foldl(lambda a, t: (a[0] + t[0], a[1] * t[1]), (x, y)))(
        c([1, 2, 3]), c([1.0, 2.0, 3.0]))
    assert n[0].numpy() == 6 and n[1].numpy() == 6.0
    i = run(lambda x: tf.foldl(lambda a, t: (a[0] + t, a[1] * 2), x, initializer=(c(0), c(1))))(
        c([1, 2, 3]))
    assert (i[0].numpy(), i[1].numpy()) == (6, 8)


def test_map_fn_errors():
    with pytest.raises(ValueError, match="not scalars"):
        tf.map_fn(lambda t: t, c(1.0))
    with pytest.raises(TypeError, match="fn_output_signature"):
        tf.map_fn(lambda t: tf.cast(t, tf.float32), c([1, 2]))
    with pytest.raises(ValueError, match="structure"):
        tf.map_fn(lambda t: (t, t * 2), (c([1, 2]), c([3, 4])))


@pytest.mark.parametrize("traced", [False, True])
def test_map_fn_and_foldl_gradients(traced):
    def f(x):
        m = tf.map_fn(lambda t: tf.sin(t) * t, x)
        s = tf.foldl(lambda a, t: a * 0.5 + t * t, x, initializer=tf.constant(0.0, tf.float64))
        return tf.reduce_sum(m ** 2) + s

    g = tf.function(f) if traced else f
    x0 = np.array([0.3, -1.2, 0.8])
    x = tf.Variable(x0)
    with tf.GradientTape() as tape:
        y = g(x)
    grad = tape.gradient(y, x).numpy()

    def value(v):
        s = 0.0
        for t in v:
            s = s * 0.5 + t * t
        return np.sum((np.sin(v) * v) ** 2) + s

    eps = 1e-6
    fd = [(value(x0 + eps * e) - value(x0 - eps * e)) / (2 * eps) for e in np.eye(3)]
    np.testing.assert_allclose(grad, fd, rtol=1e-6)


@pytest.mark.parametrize("traced", [False, True])
def test_while_loop_structure(traced):
    run = tf.function if traced else (lambda f: f)
    out = run(lambda: tf.while_loop(lambda a, b: a < 2, lambda a, b: (a + 1, b),
                                    [c(0), c(0)]))()
    assert isinstance(out, tuple) and out[0].numpy() == 2
    out = run(lambda: tf.while_loop(lambda a, b: a < 2, lambda a, b: [a + 1, b],
                                    [c(0), c(0)]))()
    assert isinstance(out, list)
    out = run(lambda: tf.while_loop(lambda a: a < 2, lambda a: [a + 1], [c(0)]))()
    assert isinstance(out, list) and out[0].numpy() == 2
    out = run(lambda: tf.while_loop(lambda a: a < 2, lambda a: a + 1, c(1)))()
    assert out.numpy() == 2
    out = run(lambda: tf.while_loop(lambda a, b: a < 2, lambda a, b: (a + 1, {"x": b["x"] + 1}),
                                    [c(0), {"x": c(0)}]))()
    assert isinstance(out, tuple) and out[1]["x"].numpy() == 2


def test_while_loop_shape_invariants():
    @tf.function
    def grow(n):
        return tf.while_loop(lambda i, x: i < n, lambda i, x: (i + 1, tf.concat([x, [1.0]], 0)),
                             (c(0), tf.zeros((0,))),
                             shape_invariants=(tf.TensorShape([]), tf.TensorShape([None])))

    assert grow(c(3))[1].numpy().tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="shape_invariants"):
        tf.function(lambda: tf.while_loop(lambda x: tf.size(x) < 3,
                                          lambda x: tf.concat([x, [1.0]], 0),
                                          [tf.zeros((0,))]))()


def test_concrete_function_structures():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def k(z):
        return {"a": z, "b": (z, 1)}

    cf = k.get_concrete_function()
    out = cf.structured_outputs
    assert out["a"].shape.as_list() == [None] and out["b"][0].dtype == tf.float32
    args, kwargs = cf.structured_input_signature
    assert kwargs == {} and args[0].shape.as_list() == [None] and args[0].dtype == tf.float32
    cf2 = tf.function(lambda z, n: z * n).get_concrete_function(c([1.0, 2.0]), 2)
    args, _ = cf2.structured_input_signature
    assert args[0].shape.as_list() == [2] and args[1] == 2
    assert cf2.structured_outputs.shape.as_list() == [2]
