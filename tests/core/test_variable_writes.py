"""Variable assignment rules as TensorFlow's (checked against TF 2.21): dtype conversion,
`read_value=False`, `len`, and scatter updates, eagerly and inside `fluxion.function`."""
import numpy as np
import pytest

import fluxion as fx


def test_assigning_a_tensor_of_another_dtype_is_an_error():
    v = fx.Variable([1.0, 2.0])
    for method in (v.assign, v.assign_add, v.assign_sub):
        with pytest.raises(ValueError, match="requested dtype float32 for Tensor with dtype "
                                             "int32"):
            method(fx.constant([1, 2]))
    with pytest.raises(ValueError, match="dtype float64"):
        v.assign(fx.constant([1.0, 2.0], fx.float64))
    with pytest.raises(ValueError, match="dtype int32"):
        v.assign(fx.Variable([1, 2]))
    # Python numbers and NumPy arrays are converted, as in TensorFlow.
    np.testing.assert_array_equal(v.assign([3, 4]).numpy(), [3.0, 4.0])
    np.testing.assert_array_equal(v.assign(np.array([5.0, 6.0])).numpy(), [5.0, 6.0])
    f = fx.function(lambda: v.assign(fx.constant([1, 2])))
    with pytest.raises(ValueError, match="requested dtype float32"):
        f()


def test_read_value_false_returns_none():
    v = fx.Variable(1.0)
    assert v.assign(2.0, read_value=False) is None
    assert v.assign_add(2.0, read_value=False) is None
    assert v.assign_sub(1.0, read_value=False) is None and float(v) == 3.0
    assert v.assign(5.0) is v
    assert fx.function(lambda: v.assign(1.0, read_value=False))() is None and float(v) == 1.0


def test_variables_have_no_len():
    with pytest.raises(TypeError, match="len"):
        len(fx.Variable([1.0, 2.0, 3.0]))
    assert len(fx.constant([1.0, 2.0, 3.0])) == 3


@pytest.mark.parametrize("traced", [False, True])
def test_scatter_nd(traced):
    v = fx.Variable(np.zeros(4, np.float32))
    m = fx.Variable(np.zeros((2, 3), np.float32))

    def run():
        v.scatter_nd_update([[1], [3]], [1.0, 2.0])
        v.scatter_nd_add(fx.constant([[1], [1]]), [1.0, 2.0])
        v.scatter_nd_sub([[3]], [0.5])
        m.scatter_nd_update([[1]], [[1.0, 2.0, 3.0]])
        m.scatter_nd_add([[0, 2], [1, 0]], [5.0, 5.0])
        return v.read_value(), m.read_value()

    got_v, got_m = fx.function(run)() if traced else run()
    np.testing.assert_array_equal(got_v.numpy(), [0.0, 4.0, 0.0, 1.5])
    np.testing.assert_array_equal(got_m.numpy(), [[0, 0, 5], [6, 2, 3]])
    with pytest.raises(ValueError, match="broadcast"):
        v.scatter_nd_update([[1]], [1.0, 2.0])


def test_scatter_keeps_earlier_reads():
    v = fx.Variable(np.zeros(3, np.float32))
    before = v.read_value()
    v.scatter_nd_update([[0]], [7.0])
    np.testing.assert_array_equal(before.numpy(), [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(v.numpy(), [7.0, 0.0, 0.0])


def test_watched_variables_can_be_sorted_by_creation():
    a, b = fx.Variable(1.0), fx.Variable(1.0)
    assert a._unique_id < b._unique_id
