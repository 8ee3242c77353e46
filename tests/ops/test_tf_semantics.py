"""TensorFlow 2.21 behaviours of the ops that OpInfo entries do not express: `tf.errors`, the
dtype of concat/stack over mixed arguments (eager and traced), gradients under a zero upstream
gradient, one-argument `where` on numbers, and TensorFlow's checks of mixed Python arguments.

The expected values were read from TensorFlow 2.21 and are written out here."""
import pickle

import numpy as np
import pytest

import fluxion as tf


# --- tf.errors -----------------------------------------------------------------------------------
def test_errors_hierarchy_and_constructor_as_tensorflow():
    names = ["InvalidArgumentError", "NotFoundError", "OutOfRangeError", "ResourceExhaustedError",
             "UnimplementedError", "FailedPreconditionError", "CancelledError", "UnknownError",
             "AbortedError", "InternalError", "AlreadyExistsError", "DataLossError"]
    for name in names:
        cls = getattr(tf.errors, name)
        assert issubclass(cls, tf.errors.OpError) and issubclass(cls, Exception)
    e = tf.errors.InvalidArgumentError(None, None, "bad value")
    assert (str(e), e.message, e.op, e.node_def, e.error_code) == \
        ("bad value", "bad value", None, None, tf.errors.INVALID_ARGUMENT)
    assert tf.errors.INVALID_ARGUMENT == 3 and tf.errors.OUT_OF_RANGE == 11
    assert tf.errors.NotFoundError(None, None, "x").error_code == tf.errors.NOT_FOUND
    base = tf.errors.OpError(None, None, "m", tf.errors.INTERNAL)
    assert base.error_code == tf.errors.INTERNAL
    copy = pickle.loads(pickle.dumps(e))
    assert type(copy) is tf.errors.InvalidArgumentError and copy.message == "bad value"


@pytest.mark.parametrize("call, builtin", [
    (lambda: tf.reshape(tf.zeros((2, 3)), (4,)), ValueError),
    (lambda: tf.add(tf.zeros(2), tf.zeros(3)), ValueError),
    (lambda: tf.add(tf.zeros(2), tf.zeros(2, tf.int32)), TypeError),
    (lambda: tf.gather([1.0, 2.0], [5]), IndexError),
    (lambda: tf.matmul([1.0], [2.0]), ValueError),
    (lambda: tf.reduce_sum(tf.zeros((2, 3)), axis=2), ValueError),
])
def test_op_errors_are_invalid_argument_errors_and_builtins(call, builtin):
    with pytest.raises(tf.errors.InvalidArgumentError) as caught:
        call()
    assert isinstance(caught.value, builtin) and caught.value.message == str(caught.value)


def test_traced_op_errors_are_invalid_argument_errors():
    @tf.function
    def f(x):
        return tf.reshape(x, (4,))

    with pytest.raises(tf.errors.InvalidArgumentError, match="reshape"):
        f(tf.zeros((2, 3)))
    with pytest.raises(ValueError, match="reshape"):
        f(tf.zeros((3, 3)))


# --- concat / stack dtypes -----------------------------------------------------------------------
@pytest.mark.parametrize("traced", [False, True])
def test_concat_and_stack_take_the_first_tensors_dtype(traced):
    def run(fn, *tensors):
        return tf.function(fn)(*tensors) if traced else fn(*tensors)

    a = tf.constant([1.0])
    out = run(lambda a: tf.concat([a, [2]], 0), a)  # TF: float32 [1, 2]
    assert out.dtype == tf.float32 and out.numpy().tolist() == [1.0, 2.0]
    out = run(lambda a: tf.concat([np.array([2.0]), a], 0), a)  # NumPy float64 beside float32
    assert out.dtype == tf.float32 and out.numpy().tolist() == [2.0, 1.0]
    out = run(lambda s: tf.stack([s, 2]), tf.constant(1.0))  # TF: float32
    assert out.dtype == tf.float32 and out.numpy().tolist() == [1.0, 2.0]
    out = run(lambda s: tf.stack([1, s]), tf.constant(2.0))  # a tensor later in the list
    assert out.dtype == tf.float32
    with pytest.raises(tf.errors.InvalidArgumentError, match="concat: all values must have one "
                                                             "dtype; value 0 is int32, value 1"):
        run(lambda i, f: tf.concat([i, f], 0), tf.constant([1]), tf.constant([1.5]))
    with pytest.raises(TypeError, match="stack"):
        run(lambda i, f: tf.stack([i, f]), tf.constant(1), tf.constant(1.5))


def test_concat_and_stack_of_lists_and_a_tensor():
    assert tf.concat([[1], [2]], 0).dtype == tf.int32
    assert tf.stack(tf.constant([[1, 2], [3, 4]])).numpy().tolist() == [[1, 2], [3, 4]]
    assert tf.concat(tf.constant([[1, 2], [3, 4]]), 0).shape == (2, 2)
    with pytest.raises(ValueError, match="concat: expected a non-empty list"):
        tf.concat([], 0)


# --- gradients under a zero upstream gradient ----------------------------------------------------
def test_norm_of_a_zero_row_with_zero_upstream_gradient_is_zero():
    m = tf.constant([[0.0, 0.0], [3.0, 4.0]])
    with tf.GradientTape() as tape:
        tape.watch(m)
        y = tf.reduce_sum(tf.norm(m, axis=1) * [0.0, 1.0])
    # TF 2.21: [[0, 0], [0.6, 0.8]] (Fluxion gave NaN in the first row before)
    np.testing.assert_allclose(tape.gradient(y, m).numpy(), [[0.0, 0.0], [0.6, 0.8]])
    with tf.GradientTape() as tape:
        tape.watch(m)
        y = tf.reduce_sum(tf.norm(m, axis=1))
    assert np.isnan(tape.gradient(y, m).numpy()[0]).all()  # TF too: a real upstream gradient


def test_sqrt_gradient_in_a_compiled_function():
    @tf.function
    def grad(a):
        with tf.GradientTape() as tape:
            tape.watch(a)
            y = tf.reduce_sum(tf.where(a > 0, tf.sqrt(a), 0.0))
        return tape.gradient(y, a)

    np.testing.assert_allclose(grad(tf.constant([0.0, -1.0, 4.0])).numpy(), [0.0, 0.0, 0.25])


# --- one-argument where, mixed Python arguments --------------------------------------------------
def test_where_with_only_a_numeric_condition_is_true_where_nonzero():
    out = tf.where([0.0, 1.5, -2.0, np.nan])  # TF: [[1], [2], [3]] int64
    assert out.dtype == tf.int64 and out.numpy().tolist() == [[1], [2], [3]]
    assert tf.where([[0, 3], [1, 0]]).numpy().tolist() == [[0, 1], [1, 0]]
    with pytest.raises(TypeError, match="where: argument 'condition' has dtype float32"):
        tf.where([0.0, 1.0], 1.0, 2.0)


def test_pad_constant_values_must_fit_the_dtype():
    with pytest.raises(tf.errors.InvalidArgumentError, match="pad: constant_values=1.5"):
        tf.pad(tf.constant([1, 2]), [[1, 1]], constant_values=1.5)  # TF: TypeError
    with pytest.raises(TypeError, match="pad"):
        tf.pad(tf.constant([1, 2]), [[1, 1]], constant_values=1.5)
    assert tf.pad(tf.constant([1.0, 2.0]), [[1, 1]], constant_values=2).numpy().tolist() == \
        [2.0, 1.0, 2.0, 2.0]


def test_a_list_of_floats_beside_an_integer_tensor_is_an_error():
    # TF 2.21: tf.add([1, 2], [3.0, 4.0]) and t_int + [3.0, 4.0] raise InvalidArgumentError
    with pytest.raises(tf.errors.InvalidArgumentError, match="add: cannot combine a int32"):
        tf.add([1, 2], [3.0, 4.0])
    with pytest.raises(TypeError, match="multiply"):
        tf.multiply(tf.constant([1, 2]), [3.5, 4.0])
    assert tf.add([1.0, 2], [3, 4]).dtype == tf.float32  # TF: float32 [4, 6]
    assert tf.add(tf.constant([1.0]), np.array([2.5])).dtype == tf.float32


def test_newaxis():
    assert tf.newaxis is None
    assert tf.zeros((2, 3))[:, tf.newaxis].shape == (2, 1, 3)
