"""py_function / numpy_function (eager and traced), searchsorted, histogram_fixed_width."""
import numpy as np
import pytest

import fluxion as tf


def test_py_function_eager_and_traced_runs_every_call():
    calls = []

    def double(a):
        calls.append(type(a).__name__)
        return a * 2.0

    assert tf.py_function(double, [tf.constant(3.0)], tf.float32).numpy() == 6.0
    f = tf.function(lambda x: tf.py_function(double, [x], tf.float32) + 1.0)
    calls.clear()
    np.testing.assert_array_equal(f(tf.constant([1.0, 2.0])).numpy(), [3.0, 5.0])
    np.testing.assert_array_equal(f(tf.constant([2.0, 2.0])).numpy(), [5.0, 5.0])
    assert len(calls) == 2 and set(calls) == {"Tensor"}
    out = tf.py_function(lambda a, b: (a + b, a * b), [tf.constant(1.0), tf.constant(2.0)],
                         [tf.float32, tf.float32])
    assert isinstance(out, list) and [o.numpy() for o in out] == [3.0, 2.0]
    with pytest.raises(TypeError, match="py_function"):
        tf.py_function(lambda a: a, [tf.constant(1.0)], tf.int32)


@pytest.mark.parametrize("traced", [False, True])
def test_py_function_gradient(traced):
    def f(x):
        return tf.py_function(lambda a: a * a * a, [x], tf.float32)

    g = tf.function(f) if traced else f
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = g(x)
    assert abs(tape.gradient(y, x).numpy() - 12.0) < 1e-5


def test_numpy_function():
    seen = []

    def f(a):
        seen.append(type(a))
        return a * 2

    assert tf.numpy_function(f, [np.float32(3.0)], tf.float32).numpy() == 6.0
    g = tf.function(lambda x: tf.numpy_function(f, [x], tf.float32))
    np.testing.assert_array_equal(g(tf.constant([1.0])).numpy(), [2.0])
    np.testing.assert_array_equal(g(tf.constant([4.0])).numpy(), [8.0])
    assert all(t is np.ndarray or issubclass(t, np.generic) for t in seen)


def test_searchsorted():
    seq = tf.constant([[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]])
    vals = tf.constant([[2.0, 6.0], [0.0, 7.0]])
    np.testing.assert_array_equal(tf.searchsorted(seq, vals, side="right").numpy(),
                                  [[1, 3], [0, 3]])
    out = tf.searchsorted(tf.constant([1.0, 3.0, 5.0]), tf.constant([3.0]), out_type=tf.int64)
    assert out.dtype == tf.int64 and out.numpy().tolist() == [1]
    r = np.random.default_rng(0)
    s, v = np.sort(r.normal(size=(3, 7))), r.normal(size=(3, 4))
    ref = np.stack([np.searchsorted(a, b) for a, b in zip(s, v)])
    np.testing.assert_array_equal(tf.function(tf.searchsorted)(s, v).numpy(), ref)
    with pytest.raises(ValueError, match="`side` must be either"):
        tf.searchsorted(seq, vals, side="middle")
    with pytest.raises(ValueError, match="searchsorted"):
        tf.searchsorted(tf.constant([[1.0, 3.0]]), tf.constant([[3.0], [1.0]]))


def test_histogram_fixed_width():
    h = tf.histogram_fixed_width(tf.constant([-1.0, 0.0, 1.5, 2.0, 5.0, 12.0]), [0.0, 10.0],
                                 nbins=5)
    assert h.dtype == tf.int32 and h.numpy().tolist() == [3, 1, 1, 0, 1]
    h = tf.histogram_fixed_width(tf.constant([[1, 2], [9, 3]]), [0, 10], nbins=2,
                                 dtype=tf.int64)
    assert h.dtype == tf.int64 and h.numpy().tolist() == [3, 1]
    with pytest.raises(tf.errors.InvalidArgumentError, match="value_range"):
        tf.histogram_fixed_width(tf.constant([1.0]), [10.0, 0.0], nbins=2)
    with pytest.raises(ValueError, match="nbins"):
        tf.histogram_fixed_width(tf.constant([1.0]), [0.0, 10.0], nbins=0)
