"""Tensor, Variable, dtypes and conversions."""
import numpy as np
import pytest

import fluxion as fx


def test_python_values_get_tensorflow_default_dtypes():
    assert fx.constant(4.0).dtype == fx.float32
    assert fx.constant(4).dtype == fx.int32
    assert fx.constant(True).dtype == fx.bool
    assert fx.constant([1, 2.5]).dtype == fx.float32
    assert fx.constant([[1, 2], [3, 4]]).dtype == fx.int32
    assert fx.constant(2 ** 40).dtype == fx.int64


def test_numpy_arrays_keep_their_dtype():
    assert fx.constant(np.zeros(2)).dtype == fx.float64
    assert fx.constant(np.zeros(2, np.int64)).dtype == fx.int64
    assert fx.convert_to_tensor(np.float64(1.5)).dtype == fx.float64
    assert fx.constant(np.zeros(2), dtype="float32").dtype == fx.float32


def test_constant_copies_its_input():
    a = np.ones(3, np.float32)
    t = fx.constant(a)
    a[0] = 5
    assert t.numpy()[0] == 1


def test_constant_shape_broadcasts_scalars_and_reshapes():
    assert fx.constant(7.0, shape=(2, 3)).numpy().tolist() == [[7.0] * 3] * 2
    assert fx.constant([1, 2, 3, 4], shape=(2, 2)).shape == (2, 2)
    with pytest.raises(TypeError, match="expected 6 values"):
        fx.constant([1, 2, 3, 4], shape=(2, 3))


def test_repr_and_str_follow_tensorflow():
    t = fx.constant([1.0, 0.0])
    assert repr(t) == ("<tf.Tensor: shape=(2,), dtype=float32, "
                       "numpy=array([1., 0.], dtype=float32)>")
    assert repr(fx.constant(4.0)) == "<tf.Tensor: shape=(), dtype=float32, numpy=4.0>"
    assert str(fx.constant([1, 2])) == "tf.Tensor([1 2], shape=(2,), dtype=int32)"
    assert str(fx.zeros((2, 2))) == "tf.Tensor(\n[[0. 0.]\n [0. 0.]], shape=(2, 2), dtype=float32)"
    v = fx.Variable(fx.ones((2,)), name="W")
    assert repr(v) == ("<tf.Variable 'W:0' shape=(2,) dtype=float32, "
                       "numpy=array([1., 1.], dtype=float32)>")


def test_numpy_and_array_protocol():
    t = fx.constant([[1.0, 2.0]])
    assert isinstance(t.numpy(), np.ndarray)
    assert isinstance(fx.constant(4.0).numpy(), np.float32)
    assert np.asarray(t).dtype == np.float32
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    assert t.shape == (1, 2) and t.shape.as_list() == [1, 2] and t.ndim == 2
    assert len(t) == 1 and float(fx.constant(2.5)) == 2.5


def test_numpy_returns_a_copy():
    t = fx.constant([1.0, 2.0])
    t.numpy()[0] = 9
    assert t.numpy()[0] == 1


def test_operators_with_python_and_numpy_operands():
    x = fx.constant([1.0, 2.0])
    assert (x + 1).dtype == fx.float32
    assert (1 - x).numpy().tolist() == [0.0, -1.0]
    assert (2 ** x).numpy().tolist() == [2.0, 4.0]
    # NumPy defers to the tensor: ndarray + Tensor is a Tensor of the tensor's dtype
    out = np.array([1.0, 1.0]) + x
    assert isinstance(out, fx.Tensor) and out.dtype == fx.float32
    assert ((x > 1.5) | (x < 1.5)).numpy().tolist() == [True, True]
    assert (~(x > 1.5)).numpy().tolist() == [True, False]
    assert (-x).numpy().tolist() == [-1.0, -2.0]
    assert abs(fx.constant([-3])).numpy().tolist() == [3]
    assert (fx.constant([7]) // 2).numpy().tolist() == [3]
    assert (fx.constant([7]) % 3).numpy().tolist() == [1]
    assert (fx.constant([6, 3]) & fx.constant([3, 1])).numpy().tolist() == [2, 1]
    m = fx.constant([[1.0, 2.0], [3.0, 4.0]])
    assert (m @ m).numpy().tolist() == [[7.0, 10.0], [15.0, 22.0]]


def test_integer_division_follows_tensorflow():
    out = fx.constant([1, 3]) / fx.constant([2, 2])
    assert out.dtype == fx.float64 and out.numpy().tolist() == [0.5, 1.5]


def test_mixed_dtypes_are_an_error_that_names_the_op():
    with pytest.raises(TypeError, match="add: .*float32 and float64"):
        fx.constant([1.0]) + fx.constant(np.array([1.0]))
    with pytest.raises(TypeError, match="multiply: cannot convert 2.5 to int32"):
        fx.constant([1, 2]) * 2.5


def test_equality_is_elementwise_and_none_is_false():
    x = fx.constant([1, 2])
    assert (x == 1).numpy().tolist() == [True, False]
    assert (x == None) is False  # noqa: E711
    assert (x != None) is True  # noqa: E711
    assert x in {x}  # tensors hash by identity


def test_bool_of_a_non_scalar_is_an_error():
    with pytest.raises(ValueError, match="ambiguous"):
        bool(fx.constant([1, 2]))
    assert bool(fx.constant(True))


def test_variable_assign_keeps_earlier_reads_unchanged():
    v = fx.Variable([1.0, 2.0])
    before = v.read_value()
    v.assign([5.0, 6.0])
    v.assign_add([1.0, 1.0])
    v.assign_sub(fx.constant([2.0, 2.0]))
    assert before.numpy().tolist() == [1.0, 2.0]
    assert v.numpy().tolist() == [4.0, 5.0]
    assert v.name == "Variable:0" and v.trainable and v.dtype == fx.float32


def test_variable_copies_assigned_arrays():
    v = fx.Variable(np.zeros(2, np.float32))
    a = np.ones(2, np.float32)
    v.assign(a)
    a[0] = 7
    assert v.numpy().tolist() == [1.0, 1.0]


def test_variable_rejects_shape_and_dtype_mismatch():
    v = fx.Variable(fx.zeros((2, 2)), name="W")
    with pytest.raises(ValueError, match=r"'W'.assign: expected a value of shape \(2, 2\), "
                                         r"received shape \(3,\)"):
        v.assign([1.0, 2.0, 3.0])
    w = fx.Variable([1, 2])
    with pytest.raises(TypeError):
        w.assign([1.5, 2.5])


def test_variable_initial_value_callable_and_dtype():
    v = fx.Variable(lambda: fx.ones((3,)), dtype="float64", trainable=False)
    assert v.dtype == fx.float64 and not v.trainable and v.shape == (3,)


def test_book_chapter_one_snippet():
    W = fx.Variable(fx.ones(shape=(2, 2)), name="W")
    b = fx.Variable(fx.zeros(shape=(2)), name="b")

    def model(x):
        return W * x + b

    out = model([1, 0])
    assert out.dtype == fx.float32
    assert out.numpy().tolist() == [[1.0, 0.0], [1.0, 0.0]]


def test_dtype_objects():
    assert fx.as_dtype("float32") is fx.float32
    assert fx.as_dtype(np.int64) is fx.int64
    assert fx.float32 == "float32" and fx.float32 == np.float32 and fx.float32 != fx.float64
    assert fx.float32.is_floating and fx.int32.is_integer and fx.bool.is_bool
    assert fx.float32.max == np.finfo(np.float32).max and fx.uint8.min == 0
    assert repr(fx.float32) == "tf.float32"
    with pytest.raises(TypeError, match="Cannot convert 'complex7' to a dtype"):
        fx.as_dtype("complex7")


def test_conversion_errors_are_clear():
    with pytest.raises(ValueError, match="rectangular"):
        fx.constant([[1, 2], [3]])
    with pytest.raises(TypeError, match="expected numbers"):
        fx.constant("hello")
    with pytest.raises(TypeError, match="Tensor conversion requested dtype float64"):
        fx.convert_to_tensor(fx.constant(1.0), dtype=fx.float64)
