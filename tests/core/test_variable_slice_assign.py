"""Sliced assignment `v[key].assign(x)` (TensorFlow 2.21 semantics). PENDING: needs
ops/operators.py to keep Variable's own `__getitem__` (see the F9 report); rename this file to
test_variable_slice_assign.py once that one-line change is in."""
import numpy as np
import pytest

import fluxion as fx


def test_slice_assign_eager():
    v = fx.Variable(np.zeros((2, 3), np.float32))
    assert v[0, 1].assign(5.0) is v
    v[0, 1:].assign([7.0, 8.0])
    v[1, 0].assign(3)  # Python ints convert, as in TensorFlow
    v[..., 2].assign([1.0, 1.0])  # broadcast
    v[fx.constant(1), ::2].assign(9.0)
    np.testing.assert_array_equal(v.numpy(), [[0, 7, 1], [9, 0, 9]])
    with pytest.raises(ValueError, match="broadcast"):
        v[0].assign([1.0, 2.0])
    with pytest.raises(TypeError, match="scatter_nd_update"):
        v[[0, 1]].assign(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match="requested dtype float32"):
        v[0].assign(fx.constant([1, 2, 3]))
    assert not hasattr(fx.constant(1.0), "assign") and not hasattr(v[0], "assign_add")


def test_slice_assign_keeps_earlier_reads_and_gradients():
    v = fx.Variable(np.zeros((2, 2), np.float32))
    before = v.read_value()
    v[0, 0].assign(1.0)
    assert before.numpy()[0, 0] == 0.0 and v.numpy()[0, 0] == 1.0
    with fx.GradientTape() as tape:
        y = fx.reduce_sum(v[0] * 2.0)
    np.testing.assert_array_equal(tape.gradient(y, v).numpy(), [[2, 2], [0, 0]])


def test_slice_assign_in_function():
    w = fx.Variable(np.zeros((2, 3), np.float32))

    @fx.function
    def step(value):
        w[1, 2].assign(value)
        w[0].assign(w[1] + 1.0)
        return w.read_value()

    np.testing.assert_array_equal(step(fx.constant(5.0)).numpy(), [[1, 1, 6], [0, 0, 5]])
    np.testing.assert_array_equal(step(fx.constant(6.0)).numpy(), [[1, 1, 7], [0, 0, 6]])
