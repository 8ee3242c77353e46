"""TensorShape as TensorFlow's (checked against TF 2.21), and how tensors format and print."""
import pickle

import numpy as np
import pytest

import fluxion as fx

S = fx.TensorShape


def test_compares_with_lists_and_tuples():
    shape = fx.zeros((2, 3)).shape
    assert shape == [2, 3] and not (shape != [2, 3]) and shape == (2, 3)
    assert shape != [2, 4] and not (shape == [3]) and not (shape == "abc")
    assert S([None, 3]) == S([None, 3]) and S([None, 3]) == [None, 3]
    assert hash(shape) == hash((2, 3)) and {shape: 1}[(2, 3)] == 1


def test_concatenation_gives_tensor_shapes():
    shape = fx.zeros((2, 3)).shape
    for value, expected in [(shape[:1] + [5], [2, 5]), ([5] + shape, [5, 2, 3]),
                            ((5,) + shape, [5, 2, 3]), (shape + (5,), [2, 3, 5]),
                            (S([2]) + S([3]), [2, 3]), (shape.concatenate([5]), [2, 3, 5]),
                            (S([2]).concatenate(S([None])), [2, None])]:
        assert type(value) is S and value == expected
    assert type(shape[:1]) is S and shape[1] == 3 and shape[-1] == 3 and type(shape[0]) is int
    assert repr(shape[:1] + [5]) == "TensorShape([2, 5])"


def test_unknown_rank():
    shape = S(None)
    assert shape.rank is None and shape.ndims is None and shape.dims is None
    assert repr(shape) == "TensorShape(None)" and str(shape) == "<unknown>"
    assert not shape.is_fully_defined() and shape.num_elements() is None
    for call in (shape.as_list, lambda: len(shape), lambda: list(shape)):
        with pytest.raises(ValueError, match="unknown"):
            call()
    assert shape == S(None) and shape != S([]) and S([]) != shape and shape != [1, 2]
    assert shape.is_compatible_with([1, 2]) and shape.merge_with([1, 2]) == [1, 2]
    assert (shape + [1]).rank is None and shape[0] is None
    assert pickle.loads(pickle.dumps(shape)).rank is None
    assert pickle.loads(pickle.dumps(S([2, None]))) == [2, None]


def test_methods():
    shape = S([None, 3])
    assert shape.is_compatible_with([2, 3]) and not shape.is_compatible_with([2, 4])
    assert not shape.is_compatible_with([2, 3, 4])
    assert shape.merge_with([2, None]) == [2, 3]
    for other in ([2, 4], [2]):
        with pytest.raises(ValueError, match="not compatible"):
            shape.merge_with(other)
    assert [d.value for d in S([2, None]).dims] == [2, None]
    assert repr(S([2]).dims[0]) == "Dimension(2)"
    assert S([2, None]).dims[0].value == 2 and S([2, None]).dims[1].value is None
    assert S([2, 3]).num_elements() == 6 and shape.num_elements() is None
    assert S([2, 3]).is_fully_defined() and not shape.is_fully_defined()
    assert shape.as_list() == [None, 3] and shape.rank == 2 and shape.with_rank(2) == shape
    assert S([2, 3]).most_specific_compatible_shape([2, 4]) == [2, None]
    assert str(shape) == "(None, 3)" and str(S([3])) == "(3,)" and str(S([])) == "()"
    assert S(3) == [3] and S(S([1, 2])) == [1, 2]


def test_variable_with_unknown_or_partial_shape():
    v = fx.Variable(np.zeros(2, np.float32), shape=S(None))
    assert v.shape.rank is None and "shape=<unknown>" in repr(v)
    v.assign(np.ones(5, np.float32))
    np.testing.assert_array_equal(v.numpy(), np.ones(5))
    w = fx.Variable(np.zeros(2, np.float32), shape=S([None]))
    assert w.shape == [None]
    w.assign([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="shape"):
        w.assign(np.zeros((2, 2), np.float32))
    with pytest.raises(ValueError, match="does not match"):
        fx.Variable(np.zeros(2, np.float32), shape=[3])


def test_format():
    assert f"{fx.constant(2.5):.3f}" == "2.500" and "{:.2f}".format(fx.constant(2.5)) == "2.50"
    assert f"{fx.constant(2.5)}" == "2.5" and f"{fx.constant(3):d}" == "3"
    assert f"{fx.constant(3):5}" == "    3" and f"{fx.constant(True)}" == "True"
    assert f"{fx.constant([1.0, 2.0])}" == "[1. 2.]"
    assert f"{fx.constant([[1.0, 2.0], [3.0, 4.0]])}" == "[[1. 2.]\n [3. 4.]]"
    with pytest.raises(TypeError):
        f"{fx.constant([1.0, 2.0]):.2f}"


def test_repr_starts_a_multi_line_array_on_a_new_line():
    assert repr(fx.constant([[1, 2], [3, 4]])) == (
        "<tf.Tensor: shape=(2, 2), dtype=int32, numpy=\narray([[1, 2],\n       [3, 4]], "
        "dtype=int32)>")
    assert repr(fx.Variable([[1.0, 2.0], [3.0, 4.0]], name="v")) == (
        "<tf.Variable 'v:0' shape=(2, 2) dtype=float32, numpy=\narray([[1., 2.],\n       "
        "[3., 4.]], dtype=float32)>")
    assert repr(fx.constant([1.0, 2.0])) == \
        "<tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>"
    assert repr(fx.constant(2.5)) == "<tf.Tensor: shape=(), dtype=float32, numpy=2.5>"
