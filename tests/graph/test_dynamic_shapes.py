"""Shape-valued arguments inside `fluxion.function`: `fluxion.shape(x)` and its elements as the
shape of range/zeros/ones/fill/reshape/tile/eye/one_hot/linspace, with static shapes (folded to
constants while tracing) and with None dimensions (the values are inputs of the ops, known only
when the graph runs). Results must equal eager execution."""
import numpy as np
import pytest

import fluxion as fx
from fluxion.core.errors import TracingError

X = np.arange(10, dtype=np.float32).reshape(2, 5)
CASES = {
    "range": lambda x: fx.range(fx.shape(x)[1]),
    "range_float": lambda x: fx.range(0.0, fx.cast(fx.shape(x)[1], fx.float32), 0.5),
    "zeros": lambda x: fx.zeros(fx.shape(x)),
    "ones": lambda x: fx.ones([fx.shape(x)[0], 2]),
    "fill": lambda x: fx.fill([fx.shape(x)[0], 3], 1.5),
    "reshape": lambda x: fx.reshape(x, [fx.shape(x)[0], -1, 1]),
    "reshape_shape": lambda x: fx.reshape(x * 2.0, fx.shape(x)),
    "tile": lambda x: fx.tile(x, [fx.shape(x)[0], 1]),
    "eye": lambda x: fx.eye(fx.shape(x)[0]),
    "eye_rect": lambda x: fx.eye(fx.shape(x)[0], fx.shape(x)[1]),
    "one_hot": lambda x: fx.one_hot(fx.range(2), fx.shape(x)[1]),
    "linspace": lambda x: fx.linspace(0.0, 1.0, fx.shape(x)[1]),
    "sequence_mask": lambda x: fx.range(fx.shape(x)[1])[None, :] < fx.constant([[2], [4]]),
}
SIGNATURES = {
    "static": None,
    "none_dims": [fx.TensorSpec([None, None], fx.float32)],
    "none_batch": [fx.TensorSpec([None, 5], fx.float32)],
}


@pytest.mark.parametrize("signature", SIGNATURES)
@pytest.mark.parametrize("name", CASES)
def test_shape_arguments_match_eager(name, signature):
    fn = CASES[name]
    expected = fn(fx.constant(X))
    traced = fx.function(fn, input_signature=SIGNATURES[signature])
    got = traced(fx.constant(X))
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got.numpy(), expected.numpy())
    # A second size runs the same graph with the new run-time values (None dims) or retraces.
    other = np.ones((3, 5), np.float32)
    np.testing.assert_array_equal(traced(fx.constant(other)).numpy(),
                                  fn(fx.constant(other)).numpy())


def test_static_shape_folds_to_constants_while_tracing():
    f = fx.function(lambda x: fx.range(fx.shape(x)[1]))
    graph = str(f.get_concrete_function(fx.TensorSpec((2, 5))).graph)
    assert "shape(" not in graph and "getitem" not in graph
    assert f.get_concrete_function(fx.TensorSpec((2, 5))).graph.outputs[0].shape == [5]


def test_partially_known_shapes_keep_their_static_dims():
    seen = {}

    def fn(x):
        seen["reshape"] = fx.reshape(x, [fx.shape(x)[0], -1, 1]).shape
        seen["fill"] = fx.fill([fx.shape(x)[0], 3], 1.0).shape
        seen["known_dim"] = fx.range(fx.shape(x)[1]).shape  # dim 1 is static: a constant
        seen["tile"] = fx.tile(x, [1, fx.shape(x)[0]]).shape
        seen["reshape2"] = fx.reshape(x, [-1, fx.shape(x)[1]]).shape
        seen["zeros"] = fx.zeros(fx.shape(x)).shape
        seen["one_hot"] = fx.one_hot([0, 1], fx.shape(x)[1]).shape
        seen["linspace"] = fx.linspace(0.0, 1.0, fx.shape(x)[1]).shape
        seen["eye"] = fx.eye(fx.shape(x)[1]).shape
        return x

    fx.function(fn, input_signature=[fx.TensorSpec([None, 5])])(fx.constant(X))
    # The static shapes TensorFlow 2.21 infers for the same calls.
    assert seen == {"reshape": [None, None, 1], "fill": [None, 3], "known_dim": [5],
                    "tile": [None, None], "reshape2": [None, 5], "zeros": [None, 5],
                    "one_hot": [2, 5], "linspace": [5], "eye": [5, 5]}


def test_range_over_python_int_loops_and_tensor_bound_converts_or_raises():
    f = fx.function(lambda x, n: sum(x[i] for i in fx.range(n)))
    assert float(f(fx.constant([1.0, 2.0, 4.0]), 2)) == 3.0

    def loop(n):
        s = fx.constant(0)
        for i in fx.range(n):
            s += i
        return s

    assert int(fx.function(loop)(fx.constant(5))) == 10  # autograph: a while_loop
    with pytest.raises(TracingError, match="while_loop"):
        fx.function(loop, autograph=False)(fx.constant(5))


def test_shape_tensor_of_unknown_length_is_a_clear_error():
    f = fx.function(lambda s: fx.zeros(s), input_signature=[fx.TensorSpec([None], fx.int32)])
    with pytest.raises(TracingError, match="unknown rank"):
        f(fx.constant([2, 3]))


def test_unknown_rank_signature_is_a_clear_error():
    f = fx.function(lambda x: x * 2.0, input_signature=[fx.TensorSpec(None)])
    with pytest.raises(TracingError, match="unknown rank"):
        f(fx.constant([1.0]))


def _grad(fn, x):
    with fx.GradientTape() as tape:
        tape.watch(x)
        y = fx.reduce_sum(fn(x) * fx.reshape(fx.range(fx.size(fn(x)), dtype=fx.float32),
                                              fx.shape(fn(x))))
    return tape.gradient(y, x)


@pytest.mark.parametrize("fn", [
    lambda x: fx.reshape(x, [fx.shape(x)[0], -1, 1]),
    lambda x: fx.tile(x, [fx.shape(x)[0], 2]),
], ids=["reshape", "tile"])
def test_gradients_through_run_time_shapes_match_eager(fn):
    x = fx.constant(X)
    expected = _grad(fn, x)
    got = fx.function(lambda v: _grad(fn, v),
                      input_signature=[fx.TensorSpec([None, None])])(x)
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)


def test_linspace_gradient_with_run_time_num_matches_eager():
    def grads(ends, x):
        with fx.GradientTape() as tape:
            tape.watch(ends)
            y = fx.linspace(ends[0], ends[1], fx.shape(x)[1])
            loss = fx.reduce_sum(y * y)
        return tape.gradient(loss, ends)

    ends, x = fx.constant([1.0, 3.0]), fx.constant(X)
    got = fx.function(grads, input_signature=[fx.TensorSpec([2]),
                                              fx.TensorSpec([None, None])])(ends, x)
    t = np.linspace(0.0, 1.0, 5)
    y = 1.0 + 2.0 * t  # d/dstart = sum(2y(1-t)), d/dstop = sum(2yt)
    np.testing.assert_allclose(got.numpy(), [np.sum(2 * y * (1 - t)), np.sum(2 * y * t)],
                               rtol=1e-6)
    np.testing.assert_allclose(got.numpy(), grads(ends, x).numpy(), rtol=1e-6)


# --- what a traced function returns ---------------------------------------------------------------
def test_python_numbers_returned_become_tensors():
    out = fx.function(lambda x: x + 1)(1.5)
    assert isinstance(out, fx.Tensor) and out.dtype == fx.float32 and float(out) == 2.5
    out = fx.function(lambda: 3)()
    assert isinstance(out, fx.Tensor) and out.dtype == fx.int32 and int(out) == 3
    x = fx.constant(X)
    shape, none, nested, text = fx.function(
        lambda x: (x.shape, None, {"a": True, "b": [2 ** 40, np.float64(0.5)]}, "s"))(x)
    np.testing.assert_array_equal(shape.numpy(), [2, 5])
    assert shape.dtype == fx.int32 and none is None and text == "s"
    assert nested["a"].dtype == fx.bool and nested["b"][0].dtype == fx.int64
    assert nested["b"][1].dtype == fx.float64


def test_equal_python_values_share_a_trace():
    traces = []

    def f(x, n):
        traces.append(n)
        return x * n

    g = fx.function(f)
    one = fx.constant(1.0)
    values = [float(g(one, n)) for n in (2, 2.0, True, 1)]
    assert values == [2.0, 2.0, 1.0, 1.0] and traces == [2, True]
