"""Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate (+ functional forms)."""
import numpy as np
import pytest

import fluxion
from fluxion import keras
from fluxion.keras import layers
from tests.keras.layer_testing import run_layer_test

RNG = np.random.default_rng(6)
A, B, C = (RNG.normal(size=(2, 3)).astype("float32") for _ in range(3))


@pytest.mark.parametrize("cls, reference", [
    (layers.Add, lambda a, b, c: a + b + c),
    (layers.Multiply, lambda a, b, c: a * b * c),
    (layers.Average, lambda a, b, c: (a + b + c) / 3),
    (layers.Maximum, lambda a, b, c: np.maximum(np.maximum(a, b), c)),
    (layers.Minimum, lambda a, b, c: np.minimum(np.minimum(a, b), c)),
])
def test_elementwise_merges(cls, reference):
    run_layer_test(cls, {}, [A, B, C], expected_output=reference(A, B, C))


def test_subtract():
    run_layer_test(layers.Subtract, {}, [A, B], expected_output=A - B)
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        layers.Subtract()([A, B, C])


def test_concatenate():
    d = RNG.normal(size=(2, 5)).astype("float32")
    run_layer_test(layers.Concatenate, {}, [A, d], expected_output=np.concatenate([A, d], 1))
    run_layer_test(layers.Concatenate, {"axis": 0}, [A, B],
                   expected_output=np.concatenate([A, B], 0), check_gradients=False)


def test_concatenate_shape_mismatch():
    x, y = layers.Input((3, 2)), layers.Input((4, 2))
    with pytest.raises(ValueError, match="matching shapes except for the concatenation axis"):
        layers.Concatenate()([x, y])


def test_merge_needs_a_list():
    with pytest.raises(ValueError, match="list of inputs"):
        layers.Add()(A)
    with pytest.raises(ValueError, match="list of inputs"):
        layers.Add()([])


def test_merge_of_one_input_returns_it():
    # Keras 3: Add()([x]) is x (TF 2.21 / Keras 3.15 gives the input's values)
    np.testing.assert_array_equal(layers.Add()([A]).numpy(), A)
    np.testing.assert_array_equal(layers.Concatenate()([A]).numpy(), A)


def test_functional_forms():
    x, y = layers.Input((3,)), layers.Input((3,))
    assert layers.add([x, y]).shape == (None, 3)
    assert layers.concatenate([x, y]).shape == (None, 6)
    np.testing.assert_allclose(layers.multiply([A, B]).numpy(), A * B)


def _batch_dot(x, y, ax1, ax2):
    """NumPy reference of Keras's batch_dot: per sample, tensordot over (ax1, ax2)."""
    out = np.stack([np.tensordot(x[i], y[i], axes=(ax1 - 1, ax2 - 1)) for i in range(len(x))])
    return out.reshape(len(x), 1) if out.ndim == 1 else out


def test_dot():
    x3, y3 = RNG.normal(size=(2, 3, 5)), RNG.normal(size=(2, 10, 3))
    x3, y3 = x3.astype("float32"), y3.astype("float32")
    run_layer_test(layers.Dot, {"axes": [1, 2]}, [x3, y3],
                   expected_output=_batch_dot(x3, y3, 1, 2), expected_output_shape=(2, 5, 10))
    # 2-D inputs give (batch, 1): the per-sample dot product (as TF 2.21)
    run_layer_test(layers.Dot, {"axes": 1}, [A, B],
                   expected_output=(A * B).sum(1, keepdims=True), expected_output_shape=(2, 1))
    x4, y4 = RNG.normal(size=(2, 3, 4, 5)).astype("float32"), RNG.normal(size=(2, 5, 6))
    y4 = y4.astype("float32")
    np.testing.assert_allclose(layers.Dot(axes=(3, 1))([x4, y4]).numpy(),
                               _batch_dot(x4, y4, 3, 1), rtol=1e-5)
    assert layers.dot([layers.Input((3, 5)), layers.Input((10, 3))], axes=(1, 2)).shape == \
        (None, 5, 10)


def test_dot_normalize_is_cosine_similarity():
    x, y = RNG.normal(size=(4, 6)).astype("float32"), RNG.normal(size=(4, 6)).astype("float32")
    cos = (x * y).sum(1) / np.linalg.norm(x, axis=1) / np.linalg.norm(y, axis=1)
    run_layer_test(layers.Dot, {"axes": -1, "normalize": True}, [x, y],
                   expected_output=cos[:, None], rtol=1e-5)
    zero = layers.Dot(axes=1, normalize=True)([np.zeros((1, 3), "float32"),
                                               np.ones((1, 3), "float32")])
    np.testing.assert_array_equal(zero.numpy(), [[0.0]])  # TF: [[0.]]


def test_dot_errors():
    with pytest.raises(ValueError, match="axes"):
        layers.Dot(axes=(1, 2, 3))
    with pytest.raises(ValueError, match="incompatible input shapes"):
        layers.Dot(axes=1)([layers.Input((3,)), layers.Input((4,))])
    with pytest.raises(ValueError, match="batch axis"):
        layers.Dot(axes=0)([A, B])
    with pytest.raises(ValueError, match="list of 2 inputs"):
        layers.Dot(axes=1)([A, B, C])


# --- masked inputs: Multiply counts masked steps as 1, Maximum/Minimum skip them -----------------
X3 = [RNG.normal(size=(2, 3, 2)).astype("float32") for _ in range(3)]
M3 = [np.array([[1, 0, 1], [0, 0, 1]], bool), np.array([[1, 1, 0], [0, 1, 0]], bool),
      np.array([[0, 1, 1], [0, 0, 0]], bool)]


def _masked(which):
    """The inputs X3[i], with `_keras_mask` M3[i] where `which[i]` (None: no mask)."""
    out = []
    for x, mk, w in zip(X3, M3, which):
        t = fluxion.constant(x)
        if w:
            t._keras_mask = fluxion.constant(mk)
        out.append(t)
    return out


def _np_fold(op, which):
    """Reference: a masked step of one operand takes the other operand's value."""
    out, om = X3[0], M3[0][..., None] if which[0] else None
    for x, mk, w in zip(X3[1:], M3[1:], which[1:]):
        mk = mk[..., None] if w else None
        if mk is not None:
            x = np.where(mk, x, out)
        if om is not None:
            out = np.where(om, out, x)
        om = None if mk is None or om is None else om | mk
        out = op(out, x)
    return out


@pytest.mark.parametrize("which", [(1, 1), (1, 0), (0, 1), (1, 1, 1), (0, 1, 1), (1, 0, 1)])
def test_multiply_with_masks(which):
    keep = [mk[..., None] if w else np.ones((2, 3, 1), bool) for mk, w in zip(M3, which)]
    want = np.prod([np.where(k, x, 1.0) for x, k in zip(X3, keep)], axis=0)
    if all(which):  # where every input is masked the product is 0
        want = np.where(np.any(keep, axis=0), want, 0.0)
    out = layers.Multiply()(_masked(which))
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-6)
    # e.g. TF for (1, 1): a step masked in one input is the other input's value
    if which == (1, 1):
        np.testing.assert_allclose(out.numpy()[0, 1], X3[1][0, 1], rtol=1e-6)
        np.testing.assert_array_equal(out.numpy()[1, 0], [0.0, 0.0])
    if all(which):
        np.testing.assert_array_equal(out._keras_mask, np.any([M3[i] for i in range(len(which))],
                                                               axis=0))
    else:
        assert not hasattr(out, "_keras_mask")


@pytest.mark.parametrize("cls, op", [(layers.Maximum, np.maximum), (layers.Minimum, np.minimum)])
@pytest.mark.parametrize("which", [(1, 1), (1, 0), (0, 1), (1, 1, 1), (0, 1, 1)])
def test_maximum_minimum_skip_masked_steps(cls, op, which):
    out = cls()(_masked(which))
    np.testing.assert_allclose(out.numpy(), _np_fold(op, which), rtol=1e-6)
    if which == (1, 1):  # at [0, 1] only the second input is unmasked; at [1, 0] neither
        np.testing.assert_array_equal(out.numpy()[0, 1], X3[1][0, 1])
        np.testing.assert_array_equal(out.numpy()[1, 0], X3[0][1, 0])  # both masked: first


def test_masked_merges_in_a_model():
    ids1, ids2 = np.array([[1, 2, 0], [0, 3, 3]]), np.array([[0, 2, 2], [1, 0, 3]])
    table = RNG.normal(size=(4, 2)).astype("float32")
    for cls, op, fill in [(layers.Multiply, np.multiply, 1.0),
                          (layers.Maximum, np.maximum, None)]:
        i1, i2 = keras.Input((3,), dtype="int32"), keras.Input((3,), dtype="int32")
        e1, e2 = layers.Embedding(4, 2, mask_zero=True), layers.Embedding(4, 2, mask_zero=True)
        model = keras.Model([i1, i2], cls()([e1(i1), e2(i2)]))
        e1.embeddings.assign(table)
        e2.embeddings.assign(2 * table)
        x1, x2 = table[ids1], 2 * table[ids2]
        k1, k2 = (ids1 != 0)[..., None], (ids2 != 0)[..., None]
        if fill is None:  # skip masked steps; both masked: the first input
            want = np.where(k1 & k2, op(x1, x2), np.where(k1, x1, np.where(k2, x2, x1)))
        else:
            want = np.where(k1 | k2, np.where(k1, x1, fill) * np.where(k2, x2, fill), 0.0)
        np.testing.assert_allclose(model([ids1, ids2]).numpy(), want, rtol=1e-6)
