"""Indexing (`x[key]`) against NumPy, its gradients, its errors; and array-op specifics."""
import itertools

import numpy as np
import pytest

import fluxion as tf
from fluxion.ops import array_ops, index_ops
from fluxion.ops.index_ops import top_k, unsorted_segment_sum

X = np.arange(60, dtype=np.float32).reshape(3, 4, 5)

# One key per form, then mixtures of them.
SINGLE_KEYS = [
    0, -1, 2, slice(None), slice(1, None), slice(None, -1), slice(None, None, 2),
    slice(None, None, -1), slice(-1, 0, -2), slice(5, 1, -1), slice(-100, 100), slice(2, 2),
    Ellipsis, None, [0, 2], [2, 2, 0], [-1, 0], np.array([1, 0, 1]), np.array([[0], [2]]),
    np.array([True, False, True]), (), np.int64(1), True, False,
]
MIXED_KEYS = [
    (0, 1), (0, 1, 2), (-1, -1, -1), (slice(None), 1), (Ellipsis, 0), (0, Ellipsis, 1),
    (None, 0, None), (slice(None), None, slice(1, 3)), (Ellipsis, None),
    (slice(None), [0, 3], slice(None, None, 2)), ([0, 2], slice(None), [1, 4]),
    ([0, 2], [1, 3]), ([[0], [2]], [1, 3], 0), (1, [0, 3, 3]), (1, slice(None), [0, 4]),
    (slice(None), 1, [0, 4]), (Ellipsis, [4, 0]), (None, [0, 1], None, 1),
    (X[:, :, 0] > 20,), (X[:, :, 0] > 20, slice(1, 3)), (slice(None), X[0, :, 0] > 7),
    (X > 30,), (np.array([True, False, True]), Ellipsis, 2),
    (slice(None, None, -1), np.array([2, 0]), None),
]


@pytest.mark.parametrize("key", SINGLE_KEYS + MIXED_KEYS, ids=repr)
def test_indexing_matches_numpy(key):
    got = tf.constant(X)[key]
    want = X[key]
    assert got.shape == want.shape and got.dtype == tf.float32
    np.testing.assert_array_equal(got.numpy(), want)


@pytest.mark.parametrize("key", [0, (1, slice(None, None, -1)), [0, 0], (Ellipsis, [1, 1])],
                         ids=repr)
def test_variables_index_like_tensors(key):
    v = tf.Variable(X)
    np.testing.assert_array_equal(v[key].numpy(), X[key])


def test_tensor_and_variable_keys_are_read_as_values():
    x = tf.constant(X)
    i = tf.constant(2)
    np.testing.assert_array_equal(x[i].numpy(), X[2])
    np.testing.assert_array_equal(x[tf.Variable(1), i].numpy(), X[1, 2])
    np.testing.assert_array_equal(x[:, tf.constant([3, 0])].numpy(), X[:, [3, 0]])
    np.testing.assert_array_equal(x[x > 50].numpy(), X[X > 50])
    np.testing.assert_array_equal(x[tf.constant(1):tf.constant(-1)].numpy(), X[1:-1])
    np.testing.assert_array_equal(x[tf.constant([True, False, True]), 0, ::2].numpy(),
                                  X[[True, False, True], 0, ::2])


def test_scalar_and_integer_tensors():
    s = tf.constant(3.0)
    assert s[()].numpy() == 3.0 and s[None].shape == (1,) and s[...].shape == ()
    r = tf.range(10)
    assert r[3].dtype == tf.int32 and int(r[-1]) == 9
    np.testing.assert_array_equal(r[::3].numpy(), np.arange(10)[::3])
    assert [int(t) for t in tf.constant([4, 5])] == [4, 5]


def test_index_keys_are_hashable_attributes():
    from fluxion.kernels.indexing import IndexKey
    a = IndexKey((slice(1, None, 2), None, Ellipsis, 0))
    b = IndexKey((slice(1, None, 2), None, Ellipsis, 0))
    assert a == b and hash(a) == hash(b) and a != IndexKey((slice(1, None), None, Ellipsis, 0))
    assert repr(a) == "[1::2, None, ..., 0]"


def _grad(f, x):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    return tape.gradient(y, x)


@pytest.mark.parametrize("key", [1, (slice(None), slice(None, None, -2)), (Ellipsis, None, 2),
                                 X[..., 0] > 20, (X[:, :, 0] > 20, slice(1, 3))], ids=repr)
def test_gradient_scatters_into_the_indexed_positions(key):
    w = np.random.default_rng(0).standard_normal(X[key].shape).astype(np.float32)
    grad = _grad(lambda x: tf.reduce_sum(x[key] * w), X)
    want = np.zeros_like(X)
    want[key] = w
    np.testing.assert_allclose(grad.numpy(), want)


def test_gradient_of_repeated_integer_indices_accumulates():
    grad = _grad(lambda x: tf.reduce_sum(x[[0, 2, 0, 0]]), X)
    want = np.zeros_like(X)
    want[0], want[2] = 3.0, 1.0
    np.testing.assert_array_equal(grad.numpy(), want)
    grad = _grad(lambda x: tf.reduce_sum(x[[1, 1], [2, 2], [0, 4]]), X)
    want = np.zeros_like(X)
    want[1, 2, 0] = want[1, 2, 4] = 1.0
    np.testing.assert_array_equal(grad.numpy(), want)
    grad = _grad(lambda x: tf.reduce_sum(x[[1, 1], [2, 2], [3, 3]]), X)
    assert grad.numpy()[1, 2, 3] == 2.0 and grad.numpy().sum() == 2.0


def test_gradient_through_a_variable_slice():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(v[:, 1] ** 2)
    np.testing.assert_array_equal(tape.gradient(y, v).numpy(), [[0.0, 4.0], [0.0, 8.0]])


def test_second_derivative_through_indexing():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(x[[0, 0, 2]] ** 3)
        g = inner.gradient(y, x)  # [2 * 3x0^2, 0, 3x2^2]
        s = tf.reduce_sum(g * g)
    # d/dx sum(g^2) = 2 g dg/dx; g0 = 6 x0^2 -> 2 * 6 * 12 x0 ; g2 = 3 x2^2 -> 2 * 3x2^2 * 6x2
    np.testing.assert_allclose(outer.gradient(s, x).numpy(), [144.0, 0.0, 972.0])


@pytest.mark.parametrize("key,error,match", [
    (3, IndexError, r"getitem: index 3 is out of range for axis 0 of size 3 .*-3 to 2"),
    ((0, 4), IndexError, r"getitem: index 4 is out of range for axis 1 of size 4"),
    ((0, 0, -6), IndexError, r"index -6 is out of range for axis 2 of size 5"),
    ((Ellipsis, 5), IndexError, r"axis 2 of size 5"),
    ((0, 0, 0, 0), IndexError, r"getitem: too many indices for a tensor of rank 3"),
    ((Ellipsis, 0, Ellipsis), IndexError, "only one ellipsis"),
    ([0, 3], IndexError, "getitem"),
    (np.array([True, False]), IndexError, r"getitem: a boolean mask of shape \(2,\)"),
    (([0, 1], [0, 1, 2]), IndexError, "getitem"),
    (1.0, TypeError, "getitem: indices must be integers"),
    (np.array([0.5]), TypeError, "getitem: only integers"),
    ("a", TypeError, "getitem"),
    (slice(0, 2, 0), ValueError, "getitem: slice step cannot be zero"),
    (slice(0.5, 2), TypeError, "getitem: slice bounds"),
], ids=repr)
def test_bad_keys_raise_errors_naming_getitem(key, error, match):
    with pytest.raises(error, match=match):
        tf.constant(X)[key]


def test_indexing_takes_no_copy_on_the_basic_path():
    x = tf.constant(X)
    assert np.shares_memory(x[1:, 0]._value, x._value)


# --- array-op specifics ---------------------------------------------------------------------------
def test_gather_rejects_negative_and_large_indices_like_tensorflow_cpu():
    for dtype in (tf.int32, tf.int64):
        for bad in (-1, 3):
            with pytest.raises(IndexError, match=rf"gather.*indices\[1\] = {bad} is not in"):
                tf.gather([1.0, 2.0, 3.0], tf.constant([0, bad], dtype))


def test_gather_gradient_accumulates_and_is_int_safe():
    g = _grad(lambda p: tf.reduce_sum(tf.gather(p, [2, 0, 2], axis=1)), np.ones((2, 3)))
    np.testing.assert_array_equal(g.numpy(), [[1.0, 0.0, 2.0], [1.0, 0.0, 2.0]])


def test_unsorted_segment_sum_drops_negative_ids():
    out = unsorted_segment_sum(tf.constant([1.0, 2.0, 4.0]), [1, -1, 1], 3)
    np.testing.assert_array_equal(out.numpy(), [0.0, 5.0, 0.0])


def test_one_hot_defaults_and_out_of_range_rows():
    out = tf.one_hot([0, 3, -1], 3)
    assert out.dtype == tf.float32
    np.testing.assert_array_equal(out.numpy(), [[1, 0, 0], [0, 0, 0], [0, 0, 0]])
    assert tf.one_hot([1], 2, on_value=True, off_value=False).dtype == tf.bool
    assert tf.one_hot([1], 2, dtype=tf.int64).dtype == tf.int64


@pytest.mark.parametrize("shape", [3, [2, 3], (2, 3), tf.TensorShape([2, 3]),
                                   tf.constant([2, 3]), np.array([2, 3]), tf.Variable([2, 3])],
                         ids=lambda s: type(s).__name__)
def test_zeros_and_ones_accept_every_shape_form(shape):
    want = tuple(np.atleast_1d(np.asarray(shape)).tolist())
    for fn, fill in ((tf.zeros, 0), (tf.ones, 1)):
        out = fn(shape)
        assert out.shape == want and out.dtype == tf.float32
        assert (out.numpy() == fill).all()
    assert tf.zeros(shape, dtype="int32").dtype == tf.int32


def test_range_dtypes_follow_tensorflow():
    assert tf.range(5).dtype == tf.int32
    assert tf.range(5.0).dtype == tf.float32
    assert tf.range(0, 1, 0.5).dtype == tf.float32
    assert tf.range(tf.constant(3, tf.int64)).dtype == tf.int64
    assert tf.range(3, dtype=tf.float64).dtype == tf.float64
    np.testing.assert_allclose(tf.range(0.0, 0.35, 0.1).numpy(), [0.0, 0.1, 0.2, 0.3])


def test_shape_size_rank_are_int32_tensors():
    x = tf.zeros((2, 3, 4))
    assert tf.shape(x).dtype == tf.int32 and tf.shape(x).numpy().tolist() == [2, 3, 4]
    assert tf.size(x).dtype == tf.int32 and int(tf.size(x)) == 24
    assert tf.rank(x).dtype == tf.int32 and int(tf.rank(x)) == 3
    assert tf.shape(x, out_type=tf.int64).dtype == tf.int64


def test_sorting_is_stable_and_top_k_is_a_named_pair():
    x = tf.constant([1.0, 3.0, 1.0, 3.0, 2.0])
    np.testing.assert_array_equal(tf.argsort(x).numpy(), [0, 2, 4, 1, 3])
    np.testing.assert_array_equal(tf.argsort(x, direction="DESCENDING").numpy(), [1, 3, 4, 0, 2])
    values, indices = top_k(x, k=2)
    result = top_k(x, k=2)
    assert result.values is not None and result.indices.dtype == tf.int32
    np.testing.assert_array_equal(values.numpy(), [3.0, 3.0])
    np.testing.assert_array_equal(indices.numpy(), [1, 3])


def test_pad_modes_match_numpy_and_their_gradient_folds_back():
    x = np.arange(12, dtype=np.float64).reshape(3, 4)
    for mode in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        out = tf.pad(x, [[1, 2], [2, 1]], mode=mode)
        np.testing.assert_array_equal(out.numpy(), np.pad(x, [[1, 2], [2, 1]],
                                                          mode={"CONSTANT": "constant"}.get(
                                                              mode, mode.lower())))
    g = _grad(lambda t: tf.reduce_sum(tf.pad(t, [[0, 0], [2, 0]], "REFLECT")), x)
    np.testing.assert_array_equal(g.numpy()[0], [1.0, 2.0, 2.0, 1.0])
    assert tf.pad([1, 2], [[1, 1]], constant_values=9).numpy().tolist() == [9, 1, 2, 9]


def test_unstack_reverse_slice_repeat_tile():
    x = tf.constant(X)
    parts = tf.unstack(x, axis=1)
    assert len(parts) == 4 and all(p.shape == (3, 5) for p in parts)
    np.testing.assert_array_equal(parts[2].numpy(), X[:, 2])
    np.testing.assert_array_equal(tf.reverse(x, [0, -1]).numpy(), X[::-1, :, ::-1])
    np.testing.assert_array_equal(tf.slice(x, [1, 0, 2], [-1, 2, 3]).numpy(), X[1:, 0:2, 2:5])
    np.testing.assert_array_equal(tf.repeat(x, 2, axis=2).numpy(), np.repeat(X, 2, axis=2))
    np.testing.assert_array_equal(tf.tile(x, [1, 2, 1]).numpy(), np.tile(X, [1, 2, 1]))


@pytest.mark.parametrize("fn,args", [
    (tf.tile, ([[1.0]], [2])), (tf.pad, ([1.0], [[2, 0]], "REFLECT")),
    (tf.split, ([1.0, 2.0, 3.0], [1, 1])), (tf.where, ([1.0], [1.0], [0.0])),
    (tf.linspace, (0, 1, 0)), (tf.eye, (2, -1)), (tf.boolean_mask, ([1.0], [True, True])),
])
def test_numpy_lenience_is_not_inherited(fn, args):
    """NumPy would silently broadcast, wrap or pad these; TensorFlow (and we) raise."""
    with pytest.raises((ValueError, TypeError), match=fn.__name__):
        fn(*args)


def test_new_names_are_exported():
    for name in ("gather", "gather_nd", "boolean_mask", "one_hot", "tile", "pad", "reverse",
                 "range", "linspace", "eye", "shape", "size", "rank", "unstack", "repeat",
                 "sort", "argsort", "slice"):
        assert getattr(tf, name) is getattr(array_ops, name, None) or \
            getattr(tf, name) is getattr(index_ops, name)
    assert "top_k" not in index_ops.__all__ and "unsorted_segment_sum" not in index_ops.__all__
    assert list(itertools.islice(tf.range(3), 3))[1].numpy() == 1
