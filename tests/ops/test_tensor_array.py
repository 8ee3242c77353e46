"""fluxion.TensorArray: eager, traced, in while_loop bodies, and gradients."""
import numpy as np
import pytest

import fluxion as tf


def test_eager_methods():
    ta = tf.TensorArray(tf.float32, size=3)
    ta = ta.write(0, [1.0, 2.0]).write(2, [5.0, 6.0])
    np.testing.assert_array_equal(ta.stack().numpy(), [[1, 2], [0, 0], [5, 6]])
    assert ta.size().numpy() == 3 and ta.dtype == tf.float32
    np.testing.assert_array_equal(ta.gather([2, 0]).numpy(), [[5, 6], [1, 2]])
    np.testing.assert_array_equal(ta.concat().numpy(), [1, 2, 0, 0, 5, 6])
    np.testing.assert_array_equal(ta.read(2).numpy(), [5, 6])
    with pytest.raises(tf.errors.InvalidArgumentError, match="twice"):
        ta.read(2)
    with pytest.raises(tf.errors.OutOfRangeError, match="not resizeable and size is: 3"):
        ta.write(3, [0.0, 0.0])
    with pytest.raises(ValueError, match="incompatible shape"):
        ta.write(1, [1.0])
    s = tf.TensorArray(tf.float32, size=3).scatter([2, 0], tf.constant([[1.0], [2.0]]))
    np.testing.assert_array_equal(s.stack().numpy(), [[2], [0], [1]])
    u = tf.TensorArray(tf.int32, size=0, dynamic_size=True).unstack([4, 5])
    np.testing.assert_array_equal(u.write(3, 7).stack().numpy(), [4, 5, 0, 7])
    assert tf.TensorArray(tf.float32, size=0, dynamic_size=True).stack().shape == (0,)
    assert tf.TensorArray(tf.float32, size=0, element_shape=(2,)).stack().shape == (0, 2)


def test_traced_loop_and_functional_semantics():
    @tf.function
    def squares(n):
        arr = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
        for i in tf.range(n):
            arr = arr.write(i, tf.cast(i, tf.float32) ** 2)
        return arr.stack(), arr.size()

    values, size = squares(tf.constant(5))
    np.testing.assert_array_equal(values.numpy(), [0, 1, 4, 9, 16])
    assert size.numpy() == 5
    assert squares(tf.constant(0))[0].shape == (0,)

    @tf.function
    def fixed(x):
        ta = tf.TensorArray(tf.float32, size=3, element_shape=(2,))
        _, ta = tf.while_loop(lambda i, ta: i < 3, lambda i, ta: (i + 1, ta.write(i, x * 2.0)),
                              (tf.constant(0), ta))
        b = ta.write(0, x)
        return b.stack(), ta.stack()

    b, a = fixed(tf.constant([1.0, 2.0]))
    np.testing.assert_array_equal(b.numpy(), [[1, 2], [2, 4], [2, 4]])
    np.testing.assert_array_equal(a.numpy(), [[2, 4], [2, 4], [2, 4]])


@pytest.mark.parametrize("traced", [False, True])
def test_gradient_through_write_and_stack(traced):
    def f(x, n):
        ta = tf.TensorArray(tf.float64, size=0, dynamic_size=True)
        _, ta = tf.while_loop(lambda i, ta: i < n,
                              lambda i, ta: (i + 1, ta.write(i, tf.sin(x) * tf.cast(i + 1,
                                                                                   tf.float64))),
                              (tf.constant(0), ta))
        return tf.reduce_sum(ta.stack() ** 2) + tf.reduce_sum(ta.read(1))

    g = tf.function(f) if traced else f
    x0 = np.array([0.3, -0.7])
    x = tf.Variable(x0)
    with tf.GradientTape() as tape:
        y = g(x, tf.constant(3))
    grad = tape.gradient(y, x).numpy()

    def value(v):
        s = np.sin(v)
        return sum(np.sum((s * k) ** 2) for k in (1, 2, 3)) + np.sum(s * 2)

    eps = 1e-6
    fd = [(value(x0 + eps * e) - value(x0 - eps * e)) / (2 * eps) for e in np.eye(2)]
    np.testing.assert_allclose(grad, fd, rtol=1e-6)
