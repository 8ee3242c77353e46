"""The eager fast path (`bind_unary`/`bind_binary`): same values, tape records, traces and errors
as `bind`, and the kernels and tape shortcuts it relies on give NumPy's results exactly."""
import numpy as np
import pytest

import fluxion as fx
from fluxion.autodiff.tape import unbroadcast
from fluxion.ops import math_ops
from fluxion.ops.registry import REGISTRY, bind, bind_binary, bind_unary

SUM = REGISTRY["reduce_sum"]
MATMUL = REGISTRY["matmul"]


def test_positional_attributes_match_the_keyword_form():
    x = fx.constant(np.arange(6, dtype=np.float32).reshape(2, 3))
    fast = bind_unary(SUM, x, (1,), True)
    slow = bind(SUM, x, axis=(1,), keepdims=True)
    np.testing.assert_array_equal(fast.numpy(), slow.numpy())
    assert fast.shape == (2, 1)
    fast = bind_binary(MATMUL, x, x, False, True)
    np.testing.assert_array_equal(fast.numpy(), x.numpy() @ x.numpy().T)


def test_a_tape_records_the_attributes_by_name():
    x = fx.constant([[1.0, 2.0], [3.0, 4.0]])
    with fx.GradientTape() as tape:
        tape.watch(x)
        y = fx.reduce_sum(fx.matmul(x, x, transpose_b=True), axis=0, keepdims=True)
    ops = [(r.op.name, r.attrs) for r in tape._records]
    assert ops == [("matmul", {"transpose_a": False, "transpose_b": True}),
                   ("reduce_sum", {"axis": (0,), "keepdims": True})]
    # d/dx sum_i (x x^T)_ij = 2 * column sums broadcast: checked against the closed form.
    g = tape.gradient(y, x).numpy()
    np.testing.assert_allclose(g, 2 * np.ones((2, 2)) @ x.numpy())


def test_untaped_values_are_not_recorded():
    x, c = fx.constant([1.0, 2.0]), fx.constant([3.0, 4.0])
    with fx.GradientTape() as tape:
        tape.watch(x)
        fx.reduce_sum(c)
        fx.nn.relu(c)
    assert tape._records == []


def test_fast_path_inside_a_traced_function():
    @fx.function
    def f(x):
        return fx.reduce_sum(fx.nn.relu(x), axis=1, keepdims=True), fx.matmul(x, x,
                                                                            transpose_a=True)
    x = np.array([[-1.0, 2.0], [3.0, -4.0]], np.float32)
    s, m = f(fx.constant(x))
    np.testing.assert_array_equal(s.numpy(), np.maximum(x, 0).sum(1, keepdims=True))
    np.testing.assert_array_equal(m.numpy(), x.T @ x)


def test_kernel_errors_are_explained_by_the_op_rule():
    a, b = fx.ones((2, 3)), fx.ones((2, 3))
    with pytest.raises(ValueError, match=r"matmul: .*\(2, 3\).*\(2, 3\)"):
        bind_binary(MATMUL, a, b, False, False)
    with pytest.raises(ValueError, match=r"reduce_sum: axis 5 is out of range"):
        bind_unary(SUM, a, (5,), False)


def test_attributes_the_kernel_does_not_take_are_a_type_error():
    with pytest.raises(TypeError, match="add: its kernel does not take"):
        x = fx.constant([1.0])
        with fx.GradientTape() as tape:
            tape.watch(x)
            bind_binary(REGISTRY["add"], x, x, True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("shape,axis", [((7,), None), ((3, 5), (1,)), ((3, 5), (0, 1)),
                                        ((2, 3, 4), (0, 2)), ((), None)])
def test_mean_kernel_is_numpys_mean_bit_for_bit(dtype, shape, axis):
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    for keepdims in (False, True):
        ours = math_ops._mean_kernel(x, axis, keepdims)
        ref = np.mean(x, axis=axis, keepdims=keepdims, dtype=x.dtype)
        assert np.asarray(ours).dtype == ref.dtype
        np.testing.assert_array_equal(ours, ref)


@pytest.mark.parametrize("gshape,shape", [((4, 3), (3,)), ((4, 3), (4, 1)), ((2, 4, 3), (4, 1)),
                                          ((4, 3), (1, 1)), ((2, 3), ()), ((5,), (1,))])
def test_unbroadcast_sums_added_and_stretched_axes(gshape, shape):
    g = np.random.default_rng(1).standard_normal(gshape).astype(np.float32)
    out = unbroadcast(fx.constant(g), shape)
    lead = len(gshape) - len(shape)
    ref = g.sum(axis=tuple(range(lead))) if lead else g
    ref = ref.sum(axis=tuple(i for i, d in enumerate(shape) if d == 1), keepdims=True)
    assert tuple(out.shape) == shape
    np.testing.assert_allclose(out.numpy(), ref.reshape(shape), rtol=1e-6)


def test_gradient_keeps_the_structure_of_sources():
    w, b = fx.Variable([[1.0, 2.0]]), fx.Variable([0.5])
    with fx.GradientTape(persistent=True) as tape:
        y = fx.reduce_mean(fx.matmul(w, fx.constant([[1.0], [2.0]])) + b)
    as_list, as_tuple = tape.gradient(y, [w, b]), tape.gradient(y, (w, b))
    single, as_dict = tape.gradient(y, w), tape.gradient(y, {"b": b, "w": w})
    assert type(as_list) is list and type(as_tuple) is tuple and isinstance(single, fx.Tensor)
    assert set(as_dict) == {"b", "w"}
    np.testing.assert_array_equal(as_list[0].numpy(), [[1.0, 2.0]])
    np.testing.assert_array_equal(as_dict["b"].numpy(), [1.0])
    unused = fx.Variable(1.0)
    assert tape.gradient(y, [unused], unconnected_gradients="zero")[0].numpy() == 0.0
    assert tape.gradient(y, [unused], unconnected_gradients=fx.UnconnectedGradients.NONE) \
        == [None]


@pytest.mark.parametrize("shape, axis", [((128, 6, 6, 20), (0, 1, 2)), ((3000, 7), 0),
                                         ((2048, 3), [0])])
@pytest.mark.parametrize("keepdims", [False, True])
def test_sum_over_many_short_rows_is_accurate(shape, axis, keepdims):
    # the folded path for bias gradients: long inner loops, fewer terms summed in sequence
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    got = fx.reduce_sum(x, axis=axis, keepdims=keepdims).numpy()
    expected = np.sum(x.astype(np.float64), axis=tuple(np.atleast_1d(axis)), keepdims=keepdims)
    assert got.dtype == np.float32 and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=2e-4)
