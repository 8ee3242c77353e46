"""fluxion.debugging: assertions eager and inside fluxion.function (checked at call time)."""
import numpy as np
import pytest

import fluxion as tf
from fluxion.errors import InvalidArgumentError


def test_binary_asserts_eager():
    tf.debugging.assert_equal(tf.constant([1, 2]), [1, 2])
    tf.debugging.assert_less(tf.constant([1.0, 2.0]), 3.0)
    tf.debugging.assert_greater_equal(tf.constant([3.0]), 3.0)
    with pytest.raises(InvalidArgumentError) as e:
        tf.debugging.assert_equal(tf.constant([1, 2, 3]), tf.constant([1, 5, 3]), message="msg")
    assert e.value.message == ("msg\nCondition x == y did not hold.\nIndices of first 1 different "
                               "values:\n[[1]]\nCorresponding x values:\n[2]\nCorresponding y "
                               "values:\n[5]\nFirst 3 elements of x:\n[1 2 3]\nFirst 3 elements "
                               "of y:\n[1 5 3]")
    with pytest.raises(InvalidArgumentError, match="Condition x < y did not hold"):
        tf.debugging.assert_less(tf.constant([1.0, 5.0]), 3.0)
    for fn in (tf.debugging.assert_less_equal, tf.debugging.assert_greater,
               tf.debugging.assert_none_equal):
        with pytest.raises(InvalidArgumentError):
            fn(tf.constant([3.0, 4.0]), 3.0)
    with pytest.raises(InvalidArgumentError, match="incompatible shapes"):
        tf.debugging.assert_equal(tf.constant([1, 2]), tf.constant([1, 2, 3]))


def test_sign_near_and_numerics():
    tf.debugging.assert_positive(tf.constant([1.0]))
    tf.debugging.assert_non_positive(tf.constant([0.0, -1.0]))
    with pytest.raises(InvalidArgumentError, match=r"Condition x < 0 did not hold element-wise"):
        tf.debugging.assert_negative(tf.constant([1.0, -5.0]))
    tf.debugging.assert_near(tf.constant(1.0), 1.0 + 1e-7)
    with pytest.raises(InvalidArgumentError, match="not equal to tolerance"):
        tf.debugging.assert_near(tf.constant([1.0, 5.0]), 3.0)
    x = tf.constant([1.0, 2.0])
    np.testing.assert_array_equal(tf.debugging.check_numerics(x, "m").numpy(), [1.0, 2.0])
    with pytest.raises(InvalidArgumentError, match="boom : Tensor had Inf and NaN values"):
        tf.debugging.check_numerics(tf.constant([np.inf, np.nan]), "boom")
    with pytest.raises(TypeError, match="check_numerics"):
        tf.debugging.check_numerics(tf.constant([1]), "m")
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.debugging.check_numerics(v * v, "m"))
    np.testing.assert_allclose(tape.gradient(y, v).numpy(), [2.0, 4.0])


def test_static_asserts():
    tf.debugging.assert_rank(tf.zeros((2, 3)), 2)
    with pytest.raises(ValueError, match=r"hey.  Tensor  must have rank 2.  Received rank 1"):
        tf.debugging.assert_rank(tf.constant([1.0, -5.0]), 2, message="hey")
    with pytest.raises(TypeError, match="tensor must be of type tf.int32; got tf.float32"):
        tf.debugging.assert_type(tf.constant(1.0), tf.int32)
    tf.debugging.assert_shapes([(tf.ones((2, 3)), ("N", "Q")), (tf.ones((2,)), ("N",))])
    with pytest.raises(ValueError, match="must have size 2.  Received size 3"):
        tf.debugging.assert_shapes([(tf.ones((2, 3)), ("N", "Q")), (tf.ones((3,)), ("N",))])
    with pytest.raises(ValueError, match="must have size 4"):
        tf.debugging.assert_shapes([(tf.ones((2, 3)), (2, 4))])
    assert tf.debugging.is_numeric_tensor(tf.constant(1))
    assert not tf.debugging.is_numeric_tensor(tf.constant(True))
    assert not tf.debugging.is_numeric_tensor(1)
    tf.debugging.set_log_device_placement(False)
    assert tf.assert_equal is tf.debugging.assert_equal and tf.assert_rank


def test_asserts_run_at_call_time_in_function():
    @tf.function
    def f(x):
        tf.debugging.assert_positive(x, message="pp")
        tf.debugging.assert_less(x, 10.0)
        return tf.debugging.check_numerics(x * 2.0, "dbl")

    np.testing.assert_array_equal(f(tf.constant([1.0])).numpy(), [2.0])
    with pytest.raises(InvalidArgumentError, match="pp\nCondition x > 0"):
        f(tf.constant([-1.0]))
    with pytest.raises(InvalidArgumentError, match="Condition x < y"):
        f(tf.constant([11.0]))
    assert f.experimental_get_tracing_count() == 1
    h = tf.function(lambda x: tf.debugging.check_numerics(x * 2.0, "dbl"))
    with pytest.raises(InvalidArgumentError, match="dbl : Tensor had Inf values"):
        h(tf.constant([np.inf]))

    @tf.function
    def g(x):  # the assert's result is unused: it must survive dead-code elimination
        tf.debugging.assert_equal(x, 1)
        return tf.constant(0)

    g(tf.constant(1))
    with pytest.raises(InvalidArgumentError):
        g(tf.constant(2))
