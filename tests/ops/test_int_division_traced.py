"""Integer division by zero inside a traced `fluxion.function` raises as it does eagerly (and as
TensorFlow's FloorDiv/FloorMod kernels do), while float division keeps its fused ufunc kernels."""
import numpy as np
import pytest

import fluxion as tf

X = np.array([7, -7, 7, -7, 0], np.int32)
Y = np.array([2, 2, -2, -2, 3], np.int32)


@pytest.mark.parametrize("fn, name", [
    (lambda x, y: x // y, "floordiv"), (lambda x, y: x % y, "floormod"),
    (tf.math.floordiv, "floordiv"), (tf.math.floormod, "floormod"), (tf.math.mod, "floormod")])
def test_traced_integer_division_by_zero_raises_like_eager(fn, name):
    traced = tf.function(fn)
    ref = np.floor_divide if name == "floordiv" else np.mod
    for x, y in ((X, Y), (X.astype(np.int64), Y.astype(np.int64))):
        np.testing.assert_array_equal(traced(tf.constant(x), tf.constant(y)).numpy(), ref(x, y))
        zero = y.copy()
        zero[1] = 0  # the old graph gave 0 here, silently
        for run in (fn, traced):
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match=f"{name}: integer division by zero"):
                run(tf.constant(x), tf.constant(zero))
    with pytest.raises(ValueError, match=f"{name}: integer division by zero"):  # a constant 0
        tf.function(lambda x: fn(x, 0))(tf.constant(X))


def test_traced_integer_division_checks_on_every_call_and_in_loops():
    @tf.function(input_signature=[tf.TensorSpec((None,), tf.int32)] * 2)
    def f(x, y):
        return tf.while_loop(lambda i, a: i < 2, lambda i, a: (i + 1, a // y), (0, x))[1]

    np.testing.assert_array_equal(f(X, Y).numpy(), X // Y // Y)
    with pytest.raises(tf.errors.InvalidArgumentError, match="floordiv: integer division"):
        f(X, np.array([1, 1, 0, 1, 1], np.int32))
    np.testing.assert_array_equal(f(X, -Y).numpy(), X // -Y // -Y)  # the same graph again


def test_float_floordiv_by_zero_and_float_kernels_stay_fused():
    f = tf.function(lambda x, y: (x * 2.0) // y + 1.0)
    x, y = np.array([1.0, -1.0, 3.0], np.float32), np.array([0.0, 2.0, 0.5], np.float32)
    with np.errstate(divide="ignore"):
        np.testing.assert_array_equal(f(x, y).numpy(), (x * 2.0) // y + 1.0)  # inf, no error
    names = [n.op.name for n in f.get_concrete_function(x, y).graph.nodes]
    assert any(n.startswith("fused{") and "floor_divide" in n for n in names), names
    assert "check_nonzero_divisor" not in names
    g = tf.function(lambda a, b: a // b)
    names = [n.op.name for n in g.get_concrete_function(X, Y).graph.nodes]
    assert "check_nonzero_divisor" in names, names


def test_integer_division_exports_to_onnx():
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from fluxion.export.onnx import export_function

    f = tf.function(lambda x, y: (x // y, x % y))
    proto = export_function(f, tf.TensorSpec((5,), tf.int32), tf.TensorSpec((5,), tf.int32))
    session = ort.InferenceSession(proto.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    got = session.run(None, {i.name: v for i, v in zip(proto.graph.input, (X, Y))})
    np.testing.assert_array_equal(got[0], X // Y)
    np.testing.assert_array_equal(got[1], X % Y)
