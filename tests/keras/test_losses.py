"""Keras losses against NumPy references: functions, classes, reductions, sample weights, string
names, and the errors for labels that do not fit the loss."""
import numpy as np
import pytest

import fluxion as tf
from fluxion.keras import losses

EPS = 1e-7
rng = np.random.default_rng(0)
Y_REG = rng.normal(size=(4, 3)).astype(np.float32)
P_REG = rng.normal(size=(4, 3)).astype(np.float32)
Y_POS = rng.uniform(0.1, 2.0, size=(4, 3)).astype(np.float32)
P_POS = rng.uniform(0.1, 2.0, size=(4, 3)).astype(np.float32)
Y_BIN = rng.integers(0, 2, size=(4, 3)).astype(np.float32)
P_PROB = rng.uniform(0.05, 0.95, size=(4, 3)).astype(np.float32)
LOGITS = rng.normal(size=(4, 3)).astype(np.float32)
LABELS = np.array([0, 2, 1, 2])
ONE_HOT = np.eye(3, dtype=np.float32)[LABELS]


def softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def bce(y, p):
    p = np.clip(p, EPS, 1 - EPS)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(-1)


def hinge_y(y):
    return 2 * y - 1 if np.isin(y, [0, 1]).all() else y


REFERENCES = [
    ("mse", Y_REG, P_REG, lambda y, p: ((y - p) ** 2).mean(-1)),
    ("mae", Y_REG, P_REG, lambda y, p: np.abs(y - p).mean(-1)),
    ("mape", Y_POS, P_POS, lambda y, p: 100 * np.abs((y - p) / np.maximum(np.abs(y), EPS))
     .mean(-1)),
    ("msle", Y_POS, P_POS, lambda y, p: ((np.log(p + 1) - np.log(y + 1)) ** 2).mean(-1)),
    ("cosine_similarity", Y_REG, P_REG, lambda y, p: -(
        y / np.linalg.norm(y, axis=-1, keepdims=True) *
        p / np.linalg.norm(p, axis=-1, keepdims=True)).sum(-1)),
    ("huber", Y_REG, P_REG, lambda y, p: np.where(
        np.abs(p - y) <= 1, 0.5 * (p - y) ** 2, np.abs(p - y) - 0.5).mean(-1)),
    ("log_cosh", Y_REG, P_REG, lambda y, p: np.log(np.cosh(p - y)).mean(-1)),
    ("hinge", Y_BIN, P_REG, lambda y, p: np.maximum(1 - hinge_y(y) * p, 0).mean(-1)),
    ("squared_hinge", Y_BIN, P_REG,
     lambda y, p: (np.maximum(1 - hinge_y(y) * p, 0) ** 2).mean(-1)),
    ("categorical_hinge", ONE_HOT, P_REG, lambda y, p: np.maximum(
        ((1 - y) * p).max(-1) - (y * p).sum(-1) + 1, 0)),
    ("kld", softmax(Y_REG), softmax(P_REG), lambda y, p: (
        np.clip(y, EPS, 1) * np.log(np.clip(y, EPS, 1) / np.clip(p, EPS, 1))).sum(-1)),
    ("poisson", Y_POS, P_POS, lambda y, p: (p - y * np.log(p + EPS)).mean(-1)),
    ("binary_crossentropy", Y_BIN, P_PROB, bce),
    ("categorical_crossentropy", ONE_HOT, softmax(LOGITS),
     lambda y, p: -(y * np.log(np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS))).sum(-1)),
    ("sparse_categorical_crossentropy", LABELS, softmax(LOGITS),
     lambda y, p: -np.log(p[np.arange(4), y])),
]


@pytest.mark.parametrize("name,y,p,ref", REFERENCES, ids=[r[0] for r in REFERENCES])
def test_loss_functions_match_numpy(name, y, p, ref):
    got = losses.get(name)(y, p)
    np.testing.assert_allclose(got.numpy(), ref(y.astype(np.float64) if y.dtype.kind == "f"
                                               else y, p.astype(np.float64)),
                               rtol=1e-5, atol=1e-6)


def test_logits_variants_match_numpy():
    np.testing.assert_allclose(
        losses.binary_crossentropy(Y_BIN, LOGITS, from_logits=True).numpy(),
        bce(Y_BIN, sigmoid(LOGITS.astype(np.float64))), rtol=1e-5)
    log_sm = np.log(softmax(LOGITS.astype(np.float64)))
    np.testing.assert_allclose(
        losses.categorical_crossentropy(ONE_HOT, LOGITS, from_logits=True).numpy(),
        -(ONE_HOT * log_sm).sum(-1), rtol=1e-5)
    np.testing.assert_allclose(
        losses.sparse_categorical_crossentropy(LABELS, LOGITS, from_logits=True).numpy(),
        -log_sm[np.arange(4), LABELS], rtol=1e-5)


def test_label_smoothing():
    ls = 0.2
    got = losses.BinaryCrossentropy(label_smoothing=ls)(Y_BIN, P_PROB)
    assert float(got) == pytest.approx(bce(Y_BIN * (1 - ls) + 0.5 * ls, P_PROB).mean(), 1e-5)
    got = losses.CategoricalCrossentropy(from_logits=True, label_smoothing=ls)(ONE_HOT, LOGITS)
    smooth = ONE_HOT * (1 - ls) + ls / 3
    ref = -(smooth * np.log(softmax(LOGITS.astype(np.float64)))).sum(-1).mean()
    assert float(got) == pytest.approx(ref, 1e-5)


def test_probabilities_are_clipped_not_infinite():
    got = losses.binary_crossentropy([[1.0, 0.0]], [[0.0, 1.0]])
    p = np.clip(np.float32([0.0, 1.0]), np.float32(EPS), np.float32(1 - EPS))
    ref = -(np.log(p[0]) + np.log(np.float32(1) - p[1])) / 2
    assert float(got[0]) == pytest.approx(ref, rel=1e-5)
    assert np.isfinite(losses.categorical_crossentropy([[1.0, 0.0]], [[0.0, 1.0]]).numpy()).all()


def test_reductions_and_sample_weight():
    per_sample = ((Y_REG - P_REG) ** 2).mean(-1)
    w = np.array([1.0, 0.0, 2.0, 0.5], np.float32)
    mse = losses.MeanSquaredError
    assert float(mse()(Y_REG, P_REG)) == pytest.approx(per_sample.mean(), 1e-5)
    assert float(mse(reduction="sum")(Y_REG, P_REG)) == pytest.approx(per_sample.sum(), 1e-5)
    np.testing.assert_allclose(mse(reduction="none")(Y_REG, P_REG).numpy(), per_sample,
                               rtol=1e-5)
    assert float(mse()(Y_REG, P_REG, sample_weight=w)) == pytest.approx(
        (per_sample * w).sum() / 4, 1e-5)
    assert float(mse(reduction="mean_with_sample_weight")(Y_REG, P_REG, sample_weight=w)) == \
        pytest.approx((per_sample * w).sum() / w.sum(), 1e-5)
    assert float(mse()(Y_REG, P_REG, sample_weight=w[:, None])) == pytest.approx(
        (per_sample * w).sum() / 4, 1e-5)
    with pytest.raises(ValueError, match="reduction"):
        mse(reduction="average")


def test_rank_one_labels_do_not_broadcast_against_column_predictions():
    y = np.array([0.0, 1.0, 2.0], np.float32)
    p = np.array([[0.5], [1.0], [1.0]], np.float32)
    assert float(losses.MeanSquaredError()(y, p)) == pytest.approx((0.25 + 0 + 1) / 3)
    assert float(losses.BinaryCrossentropy()([1.0, 0.0], [[0.9], [0.2]])) == pytest.approx(
        bce(np.array([[1.0], [0.0]]), np.array([[0.9], [0.2]])).mean(), 1e-5)


def test_sparse_ignore_class_and_column_labels():
    loss = losses.SparseCategoricalCrossentropy(ignore_class=-1)
    p = softmax(LOGITS.astype(np.float64))
    labels = np.array([0, -1, 1, 2])
    kept = [0, 2, 3]
    ref = -np.log(p[kept, labels[kept]]).mean()
    assert float(loss(labels, p.astype(np.float32))) == pytest.approx(ref, 1e-5)
    col = losses.sparse_categorical_crossentropy(LABELS[:, None].astype(np.float32),
                                                 softmax(LOGITS))
    np.testing.assert_allclose(col.numpy(), -np.log(softmax(LOGITS)[np.arange(4), LABELS]),
                               rtol=1e-5)


def test_integer_labels_with_categorical_crossentropy_suggest_sparse():
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy") as info:
        losses.CategoricalCrossentropy()(LABELS, softmax(LOGITS))
    assert "(4,)" in str(info.value) and "(4, 3)" in str(info.value)
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        losses.categorical_crossentropy(LABELS[:, None], softmax(LOGITS))


def test_sparse_labels_out_of_range_name_the_number_of_classes():
    with pytest.raises(ValueError, match=r"3 classes"):
        losses.sparse_categorical_crossentropy([0, 3], softmax(LOGITS[:2]))
    step = tf.function(lambda y, p: losses.sparse_categorical_crossentropy(y, p))
    with pytest.raises(ValueError, match=r"3 classes"):
        step(tf.constant([0, 5]), tf.constant(softmax(LOGITS[:2])))


def test_one_hot_labels_with_sparse_loss_suggest_categorical():
    with pytest.raises(ValueError, match="categorical_crossentropy"):
        losses.sparse_categorical_crossentropy(ONE_HOT, softmax(LOGITS))


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(4, 3\).*\(4, 2\)"):
        losses.mean_squared_error(Y_REG, P_REG[:, :2])


def test_gradients_flow_through_losses():
    logits = tf.Variable(LOGITS)
    with tf.GradientTape() as tape:
        loss = losses.SparseCategoricalCrossentropy(from_logits=True)(LABELS, logits)
    grad = tape.gradient(loss, logits).numpy()
    np.testing.assert_allclose(grad, (softmax(LOGITS) - ONE_HOT) / 4, rtol=1e-5, atol=1e-7)


def test_compiled_loss_matches_eager():
    loss = losses.CategoricalCrossentropy(from_logits=True)
    f = tf.function(lambda y, p: loss(y, p))
    assert float(f(tf.constant(ONE_HOT), tf.constant(LOGITS))) == pytest.approx(
        float(loss(ONE_HOT, LOGITS)), 1e-6)


def test_get_serialize_deserialize_and_names():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("kld") is losses.kl_divergence
    assert isinstance(losses.get("BinaryCrossentropy"), losses.BinaryCrossentropy)
    loss = losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)
    again = losses.deserialize(losses.serialize(loss))
    assert again.get_config() == loss.get_config()
    assert losses.Huber().name == "huber_loss"
    assert losses.MeanSquaredError().name == "mean_squared_error"
    with pytest.raises(ValueError, match="mean_squared_error"):
        losses.get("mean_sqared_error")
    assert losses.Huber(2.0).delta == 2.0


def test_sparse_crossentropy_does_not_renormalise_probabilities():
    """As Keras's TensorFlow backend: log(clip(p)) feeds a softmax cross-entropy, so entries
    clipped at 0 or 1 get no gradient (the categorical loss divides by the row sum first)."""
    rows = np.array([[0.0, 0.5, 0.5], [0.2, 0.3, 0.5], [0.2, 0.3, 0.3], [2.0, 0.5, 0.5]],
                    np.float32)
    labels = np.array([0, 2, 0, 0])
    v = tf.Variable(rows)
    with tf.GradientTape() as tape:
        loss = losses.SparseCategoricalCrossentropy()(labels, v)
    clipped = np.clip(rows.astype(np.float64), EPS, 1 - EPS)
    inside = (rows > EPS) & (rows < 1 - EPS)
    total = clipped.sum(-1, keepdims=True)
    expected = -np.log(clipped[np.arange(4), labels]) + np.log(total[:, 0])
    assert float(loss) == pytest.approx(expected.mean(), 1e-5)
    # d/dp_j [-log p_y + log sum p] = (1 / sum - [j == y] / p_y) inside the clip range
    grad = 1.0 / total - np.eye(3)[labels] / clipped[np.arange(4), labels][:, None]
    grad = np.where(inside, grad, 0.0) / 4
    np.testing.assert_allclose(tape.gradient(loss, v).numpy(), grad, rtol=1e-4, atol=1e-6)
    # TF 2.21: row 0 of the two-row batch has gradient [0, 0.5, 0.5], loss 8.405621
    v = tf.Variable(rows[:2])
    with tf.GradientTape() as tape:
        loss = losses.SparseCategoricalCrossentropy()(labels[:2], v)
    assert float(loss) == pytest.approx(8.405621, 1e-6)
    np.testing.assert_allclose(tape.gradient(loss, v).numpy()[0], [0.0, 0.5, 0.5], atol=1e-6)
    values = losses.sparse_categorical_crossentropy(np.array([0, 1, 2]), np.array(
        [[0.0, 0.6, 0.6], [0.5, 0.6, 0.9], [0.1, 0.1, 1.0]], np.float32)).numpy()
    np.testing.assert_allclose(values, [16.300421, 1.20397, 0.18232], rtol=1e-5)  # TF
