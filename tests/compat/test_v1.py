"""fluxion.compat.v1: TF 1.x graphs, placeholders, variables, sessions and optimizers."""
import collections

import numpy as np
import pytest

import fluxion
import fluxion.compat.v1 as tf
from fluxion.core.context import state


@pytest.fixture(autouse=True)
def graph_mode():
    """Each test builds in a fresh default graph; eager mode is restored afterwards."""
    tf.reset_default_graph()
    tf.disable_v2_behavior()
    yield
    tf.enable_eager_execution()
    tf.reset_default_graph()
    assert state.tracer is None and fluxion.executing_eagerly()


def _seed_model():
    in_a = tf.placeholder(dtype=tf.float32, shape=(2))

    def model(x):
        with tf.variable_scope("matmul"):
            W = tf.get_variable("W", initializer=tf.ones(shape=(2, 2)))
            b = tf.get_variable("b", initializer=tf.zeros(shape=(2)))
            return x * W + b

    return in_a, model(in_a)


def test_seed_listing_prints_what_tensorflow_prints(capsys):
    in_a, out_a = _seed_model()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        outs = sess.run([out_a], feed_dict={in_a: [1, 0]})
    print(outs)
    assert capsys.readouterr().out == \
        "[array([[1., 0.],\n       [1., 0.]], dtype=float32)]\n"


def test_ops_record_nodes_instead_of_computing():
    x = tf.placeholder(tf.float32, shape=(None, 3), name="x")
    y = tf.nn.relu(x * 2.0)
    assert not tf.executing_eagerly()
    assert isinstance(y, fluxion.Tensor) and y.shape == (None, 3)
    assert len(tf.get_default_graph().ir.nodes) >= 3
    with pytest.raises(Exception, match="symbolic"):
        y.numpy()


def test_placeholder_with_unknown_dims_takes_any_batch():
    x = tf.placeholder(tf.float32, shape=(None, 2))
    y = tf.reduce_sum(x * x, axis=1)
    with tf.Session() as sess:
        for n in (1, 4, 7):
            data = np.arange(2 * n, dtype=np.float32).reshape(n, 2)
            np.testing.assert_allclose(sess.run(y, {x: data}), (data * data).sum(1))


def test_feed_errors_name_the_placeholder():
    x = tf.placeholder(tf.float32, shape=(2,), name="inputs")
    y = x + 1.0
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="You must feed a value for placeholder tensor 'inputs' with "
                                 r"dtype float32 and shape \(2,\)"):
            sess.run(y)
        with pytest.raises(ValueError, match=r"Cannot feed value of shape \(3,\) for Tensor "
                                             r"inputs:0, which has shape \(2,\)"):
            sess.run(y, {x: [1.0, 2.0, 3.0]})
        with pytest.raises(TypeError, match="feed_dict"):
            sess.run(y, {"inputs": [1.0, 2.0]})


def test_placeholder_names_are_unique_and_eager_mode_refuses_placeholders():
    tf.placeholder(tf.float32, shape=())
    p = tf.placeholder(tf.float32, shape=())
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match="'Placeholder_1'"):
        sess.run(p * 2.0)
    tf.enable_eager_execution()
    with pytest.raises(RuntimeError, match="not compatible with eager execution"):
        tf.placeholder(tf.float32, shape=())


def test_uninitialized_variable_raises_failed_precondition():
    in_a, out_a = _seed_model()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError,
                           match="Attempting to use uninitialized value matmul/W"):
            sess.run(out_a, {in_a: [1.0, 0.0]})
        sess.run(tf.variables_initializer(tf.global_variables()))
        np.testing.assert_array_equal(sess.run(out_a, {in_a: [1.0, 0.0]}),
                                      [[1, 0], [1, 0]])


def test_get_variable_names_reuse_and_errors():
    with tf.variable_scope("matmul"):
        W = tf.get_variable("W", shape=(2, 3))
    assert W.name == "matmul/W:0" and W.shape == (2, 3) and W.dtype == tf.float32
    assert repr(W) == "<tf.Variable 'matmul/W:0' shape=(2, 3) dtype=float32_ref>"
    with pytest.raises(ValueError, match="Variable matmul/W already exists, disallowed"):
        with tf.variable_scope("matmul"):
            tf.get_variable("W", shape=(2, 3))
    with tf.variable_scope("matmul", reuse=True):
        assert tf.get_variable("W") is W
        with tf.variable_scope("inner"):  # reuse is inherited
            with pytest.raises(ValueError, match="Variable matmul/inner/V does not exist"):
                tf.get_variable("V", shape=())
        with pytest.raises(ValueError, match="Trying to share variable matmul/W"):
            tf.get_variable("W", shape=(3, 3))
    with tf.variable_scope("matmul", reuse=tf.AUTO_REUSE):
        assert tf.get_variable("W") is W
        V = tf.get_variable("V", shape=(), initializer=tf.constant_initializer(4.0))
    with tf.variable_scope("outer"):
        with tf.variable_scope("inner") as scope:
            assert scope.name == "outer/inner"
            U = tf.get_variable("U", shape=(2,), dtype=tf.int32)
    assert U.name == "outer/inner/U:0"
    with pytest.raises(ValueError, match="must be fully defined"):
        tf.get_variable("X")
    with pytest.raises(ValueError, match="do not specify shape"):
        tf.get_variable("Y", shape=(2,), initializer=tf.zeros((2,)))
    assert [v.name for v in tf.global_variables()] == \
        ["matmul/W:0", "matmul/V:0", "outer/inner/U:0"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w, v, u = sess.run([W, V, U])
    limit = np.sqrt(6 / 5)  # glorot uniform, the default initializer
    assert w.dtype == np.float32 and np.all(np.abs(w) <= limit) and np.std(w) > 0
    assert v == np.float32(4.0) and isinstance(v, np.float32)
    np.testing.assert_array_equal(u, [0, 0])
    assert u.dtype == np.int32


def test_variable_names_trainable_and_collections():
    a = tf.Variable(1.0)
    b = tf.Variable(2.0)
    c = tf.Variable([1, 2], trainable=False, name="counter")
    assert [v.name for v in (a, b, c)] == ["Variable:0", "Variable_1:0", "counter:0"]
    assert tf.trainable_variables() == [a, b]
    assert tf.global_variables() == [a, b, c]
    assert tf.get_default_graph().get_collection("variables") == [a, b, c]


def test_session_fetch_structures_and_scalars():
    x = tf.placeholder(tf.float32, shape=())
    v = tf.Variable(3.0)
    Pair = collections.namedtuple("Pair", "a b")
    init = tf.global_variables_initializer()
    with tf.Session() as sess:
        assert sess.run(init) is None
        out = sess.run({"sq": x * x, "nested": [(x + v,), Pair(v, x)]}, {x: 2.0})
    assert out["sq"] == np.float32(4.0) and isinstance(out["sq"], np.float32)
    assert isinstance(out["nested"], list) and isinstance(out["nested"][0], tuple)
    assert out["nested"][0][0] == 5.0
    assert isinstance(out["nested"][1], Pair) and out["nested"][1] == (3.0, 2.0)
    with pytest.raises(TypeError, match="has invalid type"):
        tf.Session().run(None)


def test_session_compiles_once_per_fetch_and_feed_signature_and_prunes():
    x = tf.placeholder(tf.float32, shape=(None,))
    unused = tf.placeholder(tf.float32, shape=())
    y = x * 2.0
    _ = unused + 1.0  # not needed by `y`: no feed required
    with tf.Session() as sess:
        for _ in range(3):
            sess.run(y, {x: [1.0, 2.0]})
        assert len(sess._cache) == 1
        sess.run(y, {x: [1.0]})
        assert len(sess._cache) == 2
        sess.run([y, x], {x: [1.0]})
        assert len(sess._cache) == 3
        program = next(iter(sess._cache.values())).executable._program
        assert [ins[-1].op.name for ins in program] == ["multiply"]


def test_fetched_arrays_are_copies():
    v = tf.Variable([1.0, 2.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        got = sess.run(v)
        got[0] = 100.0
        np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])


def test_feeding_a_non_placeholder_tensor_replaces_it():
    x = tf.placeholder(tf.float32, shape=(2,))
    h = x * 10.0
    y = h + 1.0
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {h: [1.0, 2.0]}), [2.0, 3.0])


def test_assign_ops_control_dependencies_and_group():
    v = tf.Variable(1.0)
    inc = v.assign_add(2.0)
    doubled = v * 2.0
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(doubled) == 2.0  # reading does not run the assignment
        assert sess.run(inc) == 3.0
        assert sess.run(inc) == 5.0
        assert sess.run(v) == 5.0
        assert sess.run(tf.assign(v, 0.5)) == 0.5
        with tf.control_dependencies([v.assign_sub(1.0)]):
            after = tf.identity(v * 1.0)
        assert sess.run(after) == -0.5
        step = tf.group(v.assign(7.0), tf.no_op())
        assert sess.run(step) is None and sess.run(v) == 7.0


def test_session_close_default_graph_and_graph_as_default():
    with tf.Session() as sess:
        assert sess.graph is tf.get_default_graph()
        assert tf.get_default_session() is sess
    assert tf.get_default_session() is None
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.run(tf.no_op())
    g = tf.Graph()
    with g.as_default():
        assert tf.get_default_graph() is g
        x = tf.placeholder(tf.float32, shape=())
        y = x + 1.0
        with pytest.raises(AssertionError, match="nested graphs"):
            tf.reset_default_graph()
    assert tf.get_default_graph() is not g
    with tf.Session(graph=g) as sess:
        assert sess.run(y, {x: 1.0}) == 2.0
    with tf.Session() as sess, pytest.raises(ValueError, match="not an element of this"):
        sess.run(y, {x: 1.0})


def test_graph_as_default_works_with_eager_enabled_and_leaves_eager_alone():
    tf.enable_eager_execution()
    assert fluxion.executing_eagerly()
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.int32, shape=(3,))
        y = tf.reduce_sum(x)
    assert fluxion.executing_eagerly()
    assert fluxion.constant(2.0).numpy() == 2.0
    with tf.Session(graph=g) as sess:
        assert sess.run(y, {x: [1, 2, 3]}) == 6


def test_interactive_session_and_eval():
    v = tf.Variable(3.0)
    sess = tf.InteractiveSession()
    assert tf.get_default_session() is sess
    v.initializer.run()
    assert v.eval() == 3.0
    sess.close()
    assert tf.get_default_session() is None


def test_gradients_match_hand_derivatives():
    x = tf.placeholder(tf.float32, shape=(3,))
    w = tf.Variable([1.0, 2.0, 3.0])
    y = tf.reduce_sum(w * x * x) + tf.reduce_sum(w)
    gx, gw = tf.gradients(y, [x, w])
    (none,) = tf.gradients(y, [tf.placeholder(tf.float32, shape=())])
    assert none is None
    (gg,) = tf.gradients(tf.reduce_sum(gx), x)  # second derivative: 2 w
    data = np.array([0.5, -1.0, 2.0], np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        rx, rw, rgg = sess.run([gx, gw, gg], {x: data})
    np.testing.assert_allclose(rx, 2 * np.array([1, 2, 3]) * data, rtol=1e-6)
    np.testing.assert_allclose(rw, data * data + 1, rtol=1e-6)
    np.testing.assert_allclose(rgg, [2.0, 4.0, 6.0], rtol=1e-6)
    tf.enable_eager_execution()
    with pytest.raises(RuntimeError, match="GradientTape"):
        tf.gradients(fluxion.constant(1.0), [fluxion.constant(1.0)])


def _regression_data(n=64):
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(n, 3)).astype(np.float32)
    ys = xs @ np.array([[2.0], [-1.0], [0.5]], np.float32) + 3.0
    return xs, ys


def test_linear_regression_with_gradient_descent():
    xs, ys = _regression_data()
    x = tf.placeholder(tf.float32, shape=(64, 3), name="x")
    y = tf.placeholder(tf.float32, shape=(64, 1), name="y")
    W = tf.Variable(tf.zeros((3, 1)), name="W")
    b = tf.Variable(0.0, name="b")
    loss = tf.reduce_mean(tf.square(tf.matmul(x, W) + b - y))
    global_step = tf.train.get_or_create_global_step()
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=global_step)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss, {x: xs, y: ys})
        # One step by hand: W -= 0.1 * dL/dW at W = 0, b = 0.
        expected_w = -0.1 * (2 * xs.T @ (-ys) / 64)
        sess.run(train_op, {x: xs, y: ys})
        np.testing.assert_allclose(sess.run(W), expected_w, rtol=1e-5)
        for _ in range(150):
            _, last = sess.run([train_op, loss], {x: xs, y: ys})
        w, bias, step = sess.run([W, b, global_step])
    assert first > 10 and last < 1e-6
    np.testing.assert_allclose(w.ravel(), [2.0, -1.0, 0.5], atol=1e-3)
    assert abs(bias - 3.0) < 1e-3 and step == 151


def test_adam_and_momentum_match_numpy_references():
    x = tf.placeholder(tf.float32, shape=(2,))
    w = tf.get_variable("w", initializer=np.array([1.0, -2.0], np.float32))
    loss = tf.reduce_sum(tf.square(w * x))
    adam = tf.train.AdamOptimizer(0.1)
    train_op = adam.minimize(loss)
    v = tf.get_variable("v", initializer=np.array([1.0, -2.0], np.float32))
    mom_op = tf.train.MomentumOptimizer(0.1, 0.9).minimize(tf.reduce_sum(tf.square(v * x)),
                                                            var_list=[v])
    names = [var.name for var in tf.global_variables()]
    assert names[:6] == ["w:0", "beta1_power:0", "beta2_power:0", "w/Adam:0", "w/Adam_1:0",
                         "v:0"]
    assert adam.get_slot(w, "m").name == "w/Adam:0"
    data = np.array([0.5, 2.0], np.float32)
    ref_w, m, s = np.array([1.0, -2.0]), np.zeros(2), np.zeros(2)
    ref_v, acc = ref_w.copy(), np.zeros(2)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for t in range(1, 4):
            sess.run([train_op, mom_op], {x: data})
            g = 2 * ref_w * data * data
            m, s = 0.9 * m + 0.1 * g, 0.999 * s + 0.001 * g * g
            ref_w = ref_w - 0.1 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t) * m / \
                (np.sqrt(s) + 1e-8)
            acc = 0.9 * acc + 2 * ref_v * data * data
            ref_v = ref_v - 0.1 * acc
            np.testing.assert_allclose(sess.run(w), ref_w, rtol=1e-5)
            np.testing.assert_allclose(sess.run(v), ref_v, rtol=1e-5)


def test_minimize_without_gradients_raises():
    x = tf.placeholder(tf.float32, shape=())
    tf.Variable(1.0)
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        tf.train.GradientDescentOptimizer(0.1).minimize(x * 2.0)


def test_ops_and_modules_are_reexported():
    for name in ("matmul", "reduce_mean", "nn", "math", "random", "float32", "constant",
                 "random_normal", "truncated_normal", "to_float", "keras"):
        assert hasattr(tf, name), name
    assert tf.Variable is not fluxion.Variable and issubclass(tf.Variable, fluxion.Variable)
