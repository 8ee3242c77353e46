"""Keras metrics against hand computations in NumPy: running means with sample weights,
accuracies, top-k, Precision/Recall at thresholds, AUC (ROC and PR), resolution of "accuracy",
and updates inside `fluxion.function`."""
import numpy as np
import pytest

import fluxion as tf
from fluxion.keras import losses, metrics

rng = np.random.default_rng(1)
PROBS = rng.uniform(size=(50,)).astype(np.float32)
LABELS01 = (rng.uniform(size=(50,)) < PROBS).astype(np.float32)  # informative predictions
SCORES = rng.normal(size=(20, 5)).astype(np.float32)
CLASSES = rng.integers(0, 5, size=20)


def test_mean_and_sum_with_weights_accumulate_over_batches():
    mean = metrics.Mean()
    mean.update_state([1.0, 2.0, 3.0])
    mean.update_state([10.0], sample_weight=[2.0])
    assert float(mean.result()) == pytest.approx((1 + 2 + 3 + 20) / 5)
    mean.reset_state()
    assert float(mean.result()) == 0.0
    mean.update_state([[1.0, 3.0], [5.0, 7.0]])  # per-sample means 2 and 6
    assert float(mean.result()) == pytest.approx(4.0)
    assert [v.path for v in mean.variables] == ["mean/total", "mean/count"]
    s = metrics.Sum()
    s.update_state([1.0, 2.0], sample_weight=[3.0, 0.5])
    assert float(s.result()) == pytest.approx(4.0)
    mean.reset_states()
    assert float(mean.count.numpy()) == 0.0


def test_accuracies_match_numpy():
    pred_cls = SCORES.argmax(-1)
    one_hot = np.eye(5, dtype=np.float32)[CLASSES]
    assert float(metrics.SparseCategoricalAccuracy()(CLASSES, SCORES)) == pytest.approx(
        (pred_cls == CLASSES).mean())
    assert float(metrics.SparseCategoricalAccuracy()(CLASSES[:, None], SCORES)) == \
        pytest.approx((pred_cls == CLASSES).mean())
    assert float(metrics.CategoricalAccuracy()(one_hot, SCORES)) == pytest.approx(
        (pred_cls == CLASSES).mean())
    assert float(metrics.BinaryAccuracy()(LABELS01, PROBS)) == pytest.approx(
        ((PROBS > 0.5) == LABELS01).mean())
    assert float(metrics.BinaryAccuracy(threshold=0.7)(LABELS01[:, None], PROBS[:, None])) == \
        pytest.approx(((PROBS > 0.7) == LABELS01).mean())
    assert float(metrics.Accuracy()([1, 2, 3, 4], [0, 2, 3, 4])) == 0.75


@pytest.mark.parametrize("k", [1, 2, 3])
def test_top_k_accuracies(k):
    ranks = (SCORES > SCORES[np.arange(20), CLASSES][:, None]).sum(-1)
    expected = (ranks < k).mean()
    assert float(metrics.SparseTopKCategoricalAccuracy(k=k)(CLASSES, SCORES)) == \
        pytest.approx(expected)
    one_hot = np.eye(5, dtype=np.float32)[CLASSES]
    assert float(metrics.TopKCategoricalAccuracy(k=k)(one_hot, SCORES)) == \
        pytest.approx(expected)


def test_sample_weighted_accuracy():
    w = rng.uniform(size=20).astype(np.float32)
    hit = (SCORES.argmax(-1) == CLASSES).astype(np.float64)
    got = metrics.SparseCategoricalAccuracy()(CLASSES, SCORES, sample_weight=w)
    assert float(got) == pytest.approx((hit * w).sum() / w.sum(), 1e-6)


def test_precision_recall_at_thresholds():
    for t in (0.3, 0.5, 0.8):
        pred = PROBS > t
        tp = (pred & (LABELS01 == 1)).sum()
        assert float(metrics.Precision(thresholds=t)(LABELS01, PROBS)) == pytest.approx(
            tp / pred.sum())
        assert float(metrics.Recall(thresholds=t)(LABELS01, PROBS)) == pytest.approx(
            tp / (LABELS01 == 1).sum())
    both = metrics.Precision(thresholds=[0.3, 0.8])(LABELS01, PROBS)
    assert both.shape == (2,)
    counts = [metrics.TruePositives(), metrics.FalsePositives(), metrics.TrueNegatives(),
              metrics.FalseNegatives()]
    got = [float(c(LABELS01, PROBS)) for c in counts]
    pred, lab = PROBS > 0.5, LABELS01 == 1
    assert got == [(pred & lab).sum(), (pred & ~lab).sum(), (~pred & ~lab).sum(),
                   (~pred & lab).sum()]


def test_precision_top_k_and_class_id():
    y = np.array([[0, 1, 1, 0], [1, 0, 0, 1]], np.float32)
    p = np.array([[0.1, 0.9, 0.2, 0.8], [0.6, 0.1, 0.7, 0.2]], np.float32)
    # top-2 per row: row0 -> classes 1, 3 (tp=1); row1 -> 0, 2 (tp=1) -> precision 2/4
    assert float(metrics.Precision(top_k=2)(y, p)) == pytest.approx(0.5)
    # class 0 only: predictions [0.1, 0.6] > 0.5 -> [F, T], labels [0, 1] -> recall 1
    assert float(metrics.Recall(class_id=0)(y, p)) == pytest.approx(1.0)


def _counts(y, p, thresholds):
    pos = p[None, :] > thresholds[:, None]
    lab = (y != 0)[None, :]
    return [(pos & lab).sum(1), (pos & ~lab).sum(1), (~pos & ~lab).sum(1), (~pos & lab).sum(1)]


def test_auc_roc_matches_trapezoid_over_thresholds():
    n = 200
    thresholds = np.array([-1e-7] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1 + 1e-7])
    tp, fp, tn, fn = (c.astype(np.float64) for c in _counts(LABELS01, PROBS, thresholds))
    tpr, fpr = tp / (tp + fn), fp / (fp + tn)
    expected = ((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2).sum()
    auc = metrics.AUC()
    auc.update_state(LABELS01[:25], PROBS[:25])
    auc.update_state(LABELS01[25:], PROBS[25:])
    assert float(auc.result()) == pytest.approx(expected, rel=1e-5)
    # and close to the exact rank statistic
    pos, neg = PROBS[LABELS01 == 1], PROBS[LABELS01 == 0]
    exact = (pos[:, None] > neg[None, :]).mean()
    assert float(auc.result()) == pytest.approx(exact, abs=0.02)


def test_auc_pr_interpolation_and_majoring():
    thresholds = np.array([-1e-7, 0.5, 1 + 1e-7])
    y, p = np.array([0, 0, 1, 1], np.float32), np.array([0, 0.5, 0.3, 0.9], np.float32)
    tp, fp, tn, fn = (c.astype(np.float64) for c in _counts(y, p, thresholds))
    dtp, pp = tp[:-1] - tp[1:], tp + fp
    dp = pp[:-1] - pp[1:]
    slope = np.divide(dtp, dp, out=np.zeros_like(dtp), where=dp > 0)
    intercept = tp[1:] - slope * pp[1:]
    ratio = np.where((pp[:-1] > 0) & (pp[1:] > 0),
                     pp[:-1] / np.where(pp[1:] > 0, pp[1:], 1), 1.0)
    denom = tp[1:] + fn[1:]
    inc = np.divide(slope * (dtp + intercept * np.log(ratio)), denom,
                    out=np.zeros_like(dtp), where=denom > 0)
    got = metrics.AUC(num_thresholds=3, curve="PR")(y, p)
    assert float(got) == pytest.approx(inc.sum(), rel=1e-5)
    recall = tp / (tp + fn)
    precision = np.divide(tp, tp + fp, out=np.zeros_like(tp), where=(tp + fp) > 0)
    major = ((recall[:-1] - recall[1:]) * np.maximum(precision[:-1], precision[1:])).sum()
    got = metrics.AUC(num_thresholds=3, curve="PR", summation_method="majoring")(y, p)
    assert float(got) == pytest.approx(major, rel=1e-5)


def test_regression_metrics():
    y, p = rng.normal(size=(6, 3)).astype(np.float32), rng.normal(size=(6, 3)).astype(np.float32)
    assert float(metrics.MeanSquaredError()(y, p)) == pytest.approx(((y - p) ** 2).mean(), 1e-5)
    assert float(metrics.MeanAbsoluteError()(y, p)) == pytest.approx(np.abs(y - p).mean(), 1e-5)
    assert float(metrics.RootMeanSquaredError()(y, p)) == pytest.approx(
        np.sqrt(((y - p) ** 2).mean()), 1e-5)


def test_custom_function_is_wrapped_and_named():
    def double_error(y_true, y_pred):
        return 2.0 * tf.abs(y_true - y_pred)

    metric = metrics.get_metric(double_error)
    assert metric.name == "double_error"
    assert float(metric([1.0, 2.0], [2.0, 2.0])) == pytest.approx(1.0)
    named = metrics.get_metric("mae")
    assert named.name == "mae" and isinstance(named, metrics.MeanAbsoluteError)


@pytest.mark.parametrize("loss,true_shape,pred_shape,expected", [
    ("binary_crossentropy", (8, 5), (8, 5), "binary_accuracy"),
    ("sparse_categorical_crossentropy", (8, 1), (8, 10), "sparse_categorical_accuracy"),
    ("categorical_crossentropy", (8, 10), (8, 10), "categorical_accuracy"),
    ("mse", (8, 1), (8, 1), "binary_accuracy"),
    (None, (8,), (8, 10), "sparse_categorical_accuracy"),
    (None, (8, 1), (8, 10), "sparse_categorical_accuracy"),
    (losses.SparseCategoricalCrossentropy(), (8,), (8, 3), "sparse_categorical_accuracy"),
    (losses.BinaryCrossentropy(), (8, 2), (8, 2), "binary_accuracy"),
])
def test_resolve_accuracy(loss, true_shape, pred_shape, expected):
    assert metrics.resolve_accuracy(loss, true_shape, pred_shape).__name__ == expected
    assert metrics.get_metric("acc", loss, true_shape, pred_shape).name == "acc"


def test_metrics_update_inside_a_compiled_step():
    acc, auc = metrics.SparseCategoricalAccuracy(), metrics.AUC()

    @tf.function
    def step(y, p, yb, pb):
        acc.update_state(y, p)
        auc.update_state(yb, pb)
        return acc.result()

    for lo in (0, 10):
        out = step(tf.constant(CLASSES[lo:lo + 10]), tf.constant(SCORES[lo:lo + 10]),
                   tf.constant(LABELS01[lo:lo + 10]), tf.constant(PROBS[lo:lo + 10]))
    assert step.experimental_get_tracing_count() == 1
    assert float(out) == pytest.approx((SCORES.argmax(-1) == CLASSES).mean())
    eager = metrics.AUC()
    eager.update_state(LABELS01[:20], PROBS[:20])
    assert float(auc.result()) == pytest.approx(float(eager.result()), 1e-6)


def test_get_and_config_round_trip():
    assert isinstance(metrics.get("AUC"), metrics.AUC)
    p = metrics.Precision(thresholds=[0.2, 0.4], name="p")
    again = metrics.deserialize(metrics.serialize(p))
    assert again.get_config() == p.get_config()
    b = metrics.BinaryAccuracy(threshold=0.3)
    assert metrics.deserialize(metrics.serialize(b)).threshold == 0.3
    with pytest.raises(ValueError, match="accuracy"):
        metrics.get("acuracy")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        metrics.Precision(thresholds=2.0)
