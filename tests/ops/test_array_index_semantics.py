"""TensorFlow semantics of array and index ops that the OpInfo table does not express:
dtype rules and tracing with unknown dimensions (values checked against TensorFlow 2.21)."""
import numpy as np
import pytest

import fluxion as tf

X = np.arange(6, dtype=np.float32).reshape(2, 3)


@pytest.mark.parametrize("start, stop", [(0, 10), (tf.constant(0), tf.constant(10)),
                                         (tf.constant(0, tf.int64), tf.constant(10, tf.int64))])
def test_linspace_of_integers_is_float64(start, stop):
    out = tf.linspace(start, stop, 4)
    assert out.dtype == tf.float64
    np.testing.assert_allclose(out.numpy(), np.linspace(0.0, 10.0, 4), rtol=1e-15)
    assert tf.linspace(0.0, 10, 4).dtype == tf.float32
    assert tf.linspace(tf.constant(0.0, tf.float16), tf.constant(1.0, tf.float16), 3).dtype == \
        tf.float16


def test_range_with_limit_on_the_wrong_side_raises_at_run_time_too():
    assert tf.range(3, 3).shape == (0,)
    with pytest.raises(tf.errors.InvalidArgumentError, match="start must be <= limit"):
        tf.range(5, 1)
    f = tf.function(lambda n: tf.range(n))
    np.testing.assert_array_equal(f(tf.constant(3)).numpy(), [0, 1, 2])
    with pytest.raises(ValueError, match="range"):
        f(tf.constant(-3))


def _traced_grad(loss, signature, *args):
    @tf.function(input_signature=signature)
    def f(x, *rest):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = loss(x, *rest)
        return tape.gradient(y, x)
    return f(*args).numpy()


def test_getitem_gradient_with_unknown_dims():
    spec = [tf.TensorSpec([None, 3])]
    got = _traced_grad(lambda x: tf.reduce_sum(x[:, 1:] ** 2), spec, tf.constant(X))
    np.testing.assert_array_equal(got, np.concatenate([np.zeros((2, 1)), 2 * X[:, 1:]], 1))
    got = _traced_grad(lambda x: tf.reduce_sum(x[-1, :2]), spec, tf.constant(X))
    np.testing.assert_array_equal(got, [[0, 0, 0], [1, 1, 0]])
    got = _traced_grad(lambda x: tf.reduce_sum(x[..., -1] * 3.0), [tf.TensorSpec([None, None])],
                       tf.constant(X))
    np.testing.assert_array_equal(got, [[0, 0, 3], [0, 0, 3]])


def test_getitem_second_derivative_with_unknown_dims():
    @tf.function(input_signature=[tf.TensorSpec([None, None])])
    def f(x):
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = tf.reduce_sum(x[:, 1:] ** 3)
            z = tf.reduce_sum(inner.gradient(y, x))
        return outer.gradient(z, x)
    want = np.concatenate([np.zeros((2, 1)), 6 * X[:, 1:]], 1)
    np.testing.assert_array_equal(f(tf.constant(X)).numpy(), want)


def test_index_known_at_run_time_and_its_gradient():
    spec = [tf.TensorSpec([None, 3]), tf.TensorSpec([], tf.int32)]
    got = _traced_grad(lambda x, i: tf.reduce_sum(x[i] ** 2) + tf.reduce_sum(x[i, 1:]), spec,
                       tf.constant(X), tf.constant(1))
    np.testing.assert_array_equal(got, [[0, 0, 0], 2 * X[1] + [0, 1, 1]])
    f = tf.function(lambda x, i: x[:, None, i])
    np.testing.assert_array_equal(f(tf.constant(X), tf.constant(2)).numpy(), X[:, None, 2])


def test_gather_and_boolean_mask_gradients_with_unknown_dims():
    spec = [tf.TensorSpec([None, 3])]
    got = _traced_grad(lambda x: tf.reduce_sum(tf.gather(x, [0, 0]) * 2.0) +
                       tf.reduce_sum(tf.boolean_mask(x, x[:, 0] > 0)), spec, tf.constant(X))
    np.testing.assert_array_equal(got, [[4, 4, 4], [1, 1, 1]])
    x3 = np.arange(24.0).reshape(2, 3, 4)
    mask = np.array([False, True, True])

    @tf.function(input_signature=[tf.TensorSpec([None, 3, None], tf.float64),
                                  tf.TensorSpec([None], tf.bool)])
    def f(x, m):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.boolean_mask(x, m, axis=1)
            z = tf.reduce_sum(y * y)
        return y, tape.gradient(z, x)
    y, g = f(tf.constant(x3), tf.constant(mask))
    np.testing.assert_array_equal(y.numpy(), x3[:, mask])
    np.testing.assert_array_equal(g.numpy(), np.where(mask[:, None], 2 * x3, 0.0))


def test_clip_by_value_bounds_may_not_broadcast_t_to_a_larger_shape():
    t = tf.constant([[1.0, 5.0], [-3.0, 0.5]])
    np.testing.assert_array_equal(tf.clip_by_value(t, [0.0, 1.0], 2.0).numpy(),
                                  [[1.0, 2.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="clip_value_min of shape \\(2, 2\\)"):
        tf.clip_by_value(tf.constant([1.0, 5.0]), [[0.0, 0.0], [0.0, 0.0]], 2.0)
    with pytest.raises(ValueError, match="clip_value_max"):
        tf.clip_by_value(tf.constant([1.0, 5.0]), 0.0, [[2.0], [3.0]])


def test_sequence_mask():
    from fluxion.ops.shape_ops import sequence_mask
    np.testing.assert_array_equal(sequence_mask([1, 3], 4).numpy(), np.arange(4) < [[1], [3]])
    got = sequence_mask([[1, 0], [2, 3]], 3, dtype=tf.float32)
    assert got.dtype == tf.float32 and got.shape == (2, 2, 3)
    np.testing.assert_array_equal(got.numpy(), np.arange(3) < np.array([[1, 0], [2, 3]])[..., None])
    np.testing.assert_array_equal(sequence_mask(tf.constant([1, 3])).numpy(),
                                  [[True, False, False], [True, True, True]])
    np.testing.assert_array_equal(sequence_mask(2, 3).numpy(), [True, True, False])
    traced = tf.function(sequence_mask, input_signature=[tf.TensorSpec([None], tf.int32)])
    np.testing.assert_array_equal(traced(tf.constant([2, 0])).numpy(), [[True, True], [False] * 2])


def test_meshgrid_matches_numpy():
    from fluxion.ops.shape_ops import meshgrid
    a, b, c = [1, 2], [3.0, 4.0, 5.0], [6, 7, 8, 9]
    for indexing in ("xy", "ij"):
        got = meshgrid(np.array(a, np.float32), b, indexing=indexing)
        for g, w in zip(got, np.meshgrid(a, b, indexing=indexing)):
            assert g.dtype == tf.float32
            np.testing.assert_array_equal(g.numpy(), w)
        got = meshgrid(a, [3, 4, 5], c, indexing=indexing)
        for g, w in zip(got, np.meshgrid(a, [3, 4, 5], c, indexing=indexing)):
            np.testing.assert_array_equal(g.numpy(), w)
    with pytest.raises(TypeError, match="one dtype"):
        meshgrid([1, 2], [3.0])
    with pytest.raises(ValueError, match="indexing"):
        meshgrid([1, 2], indexing="xx")


def test_ensure_shape_refines_the_traced_shape_and_checks_at_run_time():
    from fluxion.ops.shape_ops import ensure_shape

    @tf.function(input_signature=[tf.TensorSpec([None, None])])
    def f(x):
        y = ensure_shape(x, [None, 3])
        assert y.shape.as_list() == [None, 3]
        return y * 2.0
    np.testing.assert_array_equal(f(tf.constant(X)).numpy(), 2 * X)
    with pytest.raises(tf.errors.InvalidArgumentError, match="not compatible"):
        f(tf.constant(np.ones((2, 4), np.float32)))


def test_argmax_and_argmin_accept_bool_as_tensorflow():
    assert int(tf.argmax([False, True, True])) == 1
    assert tf.argmax([False, True]).dtype == tf.int64
    np.testing.assert_array_equal(tf.argmin(tf.constant([[True, False], [False, False]]),
                                            axis=1).numpy(), [1, 0])
