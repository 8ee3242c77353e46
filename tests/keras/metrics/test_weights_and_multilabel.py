"""Keras 3 semantics of metric weights against NumPy references: `Sum` sums every axis,
per-sample weights `(batch,)` on `(batch, classes)` labels for the confusion metrics, AUC and
RootMeanSquaredError, AUC with `multi_label`/`label_weights`, and the `ignore_class` of the
SparseCategoricalCrossentropy metric. The literal values were checked against TF 2.21 /
Keras 3.15."""
import numpy as np
import pytest

import fluxion as tf
from fluxion.keras import metrics

YT = np.array([[1, 0, 1], [0, 1, 1]], np.float32)
YP = np.array([[0.9, 0.2, 0.4], [0.6, 0.7, 0.8]], np.float32)
SW = np.array([1.0, 2.0], np.float32)
SW2 = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], np.float32)

rng = np.random.default_rng(7)
Y = (rng.uniform(size=(12, 3)) < 0.5).astype(np.float32)
P = rng.uniform(size=(12, 3)).astype(np.float32)
W = rng.uniform(0.1, 1.0, size=12).astype(np.float32)


def _thresholds(n):
    return np.array([-1e-7] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1 + 1e-7])


def _counts(y, p, thresholds, w):
    """Weighted (tp, fp, tn, fn) per threshold over the last axis (any leading shape)."""
    pos = p[None] > thresholds.reshape((-1,) + (1,) * p.ndim)
    lab, w = (y != 0)[None], np.broadcast_to(w, p.shape)[None]
    return [((c1 & c2) * w).sum(axis=1) for c1, c2 in
            ((lab, pos), (~lab, pos), (~lab, ~pos), (lab, ~pos))]


def _div(a, b):
    return np.divide(a, b, out=np.zeros_like(a), where=b != 0)


def _auc_terms(tp, fp, tn, fn, curve, summation):
    if curve == "PR" and summation == "interpolation":
        dtp, pp = tp[:-1] - tp[1:], tp + fp
        slope = _div(dtp, np.maximum(pp[:-1] - pp[1:], 0))
        intercept = tp[1:] - slope * pp[1:]
        ratio = np.where((pp[:-1] > 0) & (pp[1:] > 0), _div(pp[:-1], pp[1:]), 1.0)
        return _div(slope * (dtp + intercept * np.log(ratio)), tp[1:] + fn[1:])
    recall = _div(tp, tp + fn)
    x, y = (_div(fp, fp + tn), recall) if curve == "ROC" else (recall, _div(tp, tp + fp))
    heights = {"interpolation": (y[:-1] + y[1:]) / 2, "minoring": np.minimum(y[:-1], y[1:]),
               "majoring": np.maximum(y[:-1], y[1:])}[summation]
    return (x[:-1] - x[1:]) * heights


def _np_auc(y, p, w, n, curve="ROC", summation="interpolation", multi_label=False,
            label_weights=None):
    y, p = y.astype(np.float64), np.clip(p.astype(np.float64), 0, 1)
    w = np.ones(y.shape[0]) if w is None else w.astype(np.float64)
    w = np.broadcast_to(w[:, None], y.shape)
    if label_weights is not None and not multi_label:
        w = w * np.asarray(label_weights)[None, :]
    if not multi_label:
        y, p, w = y.ravel(), p.ravel(), w.ravel()
    terms = _auc_terms(*_counts(y, p, _thresholds(n), w), curve, summation)
    if not multi_label:
        return terms.sum()
    by_label = terms.sum(axis=0)
    if label_weights is None:
        return by_label.mean()
    return (by_label * label_weights).sum() / np.sum(label_weights)


def test_sum_sums_every_axis_and_weights_each_sample():
    assert float(metrics.Sum()(np.ones((2, 3), np.float32))) == 6.0
    assert float(metrics.Sum()(np.ones((2, 3), np.float32), sample_weight=[1.0, 0.0])) == 3.0
    values = np.arange(12, dtype=np.float32).reshape(2, 2, 3)
    w = np.array([[1.0, 0.0], [2.0, 1.0]], np.float32)
    expected = (values.sum(-1) * w).sum()     # 75, as TF
    assert float(metrics.Sum()(values, sample_weight=w)) == pytest.approx(expected)
    # Mean still averages the extra axes: sum(mean(v) * w) / sum(w), per-sample means
    expected = (values.mean(-1) * w).mean(-1).sum() / w.mean(-1).sum()   # 6.25
    assert float(metrics.Mean()(values, sample_weight=w)) == pytest.approx(expected)


@pytest.mark.parametrize("cls,kind,tf_value", [
    (metrics.Precision, "precision", 0.7142857), (metrics.Recall, "recall", 0.8333333),
    (metrics.TruePositives, "tp", 5.0), (metrics.FalsePositives, "fp", 2.0),
    (metrics.TrueNegatives, "tn", 1.0), (metrics.FalseNegatives, "fn", 1.0)])
def test_confusion_metrics_with_per_sample_weights_on_multilabel_data(cls, kind, tf_value):
    w = np.broadcast_to(SW[:, None], YT.shape).ravel()
    tp, fp, tn, fn = (c[0] for c in _counts(YT.ravel(), YP.ravel(), np.array([0.5]), w))
    expected = {"precision": tp / (tp + fp), "recall": tp / (tp + fn), "tp": tp, "fp": fp,
                "tn": tn, "fn": fn}[kind]
    got = float(cls()(YT, YP, sample_weight=SW))
    assert got == pytest.approx(expected, 1e-6) and got == pytest.approx(tf_value, 1e-6)
    # weights of shape (batch, 1) and scalars broadcast the same way
    assert float(cls()(YT, YP, sample_weight=SW[:, None])) == pytest.approx(expected, 1e-6)


def test_confusion_weights_with_class_id_top_k_and_rank_1_labels():
    # class 2 only: labels [1, 1], predictions [0.4, 0.8] > 0.6 -> recall 2 / (1 + 2)
    assert float(metrics.Recall(class_id=2, thresholds=0.6)(YT, YP, sample_weight=SW)) == \
        pytest.approx(2.0 / 3.0)
    assert float(metrics.Precision(class_id=2)(YT, YP, sample_weight=SW)) == 1.0
    # top-2 per row: row 0 -> 0.9, 0.4 (both true), row 1 -> 0.7, 0.8 (both true)
    assert float(metrics.Precision(top_k=2)(YT, YP, sample_weight=SW)) == 1.0
    fn = metrics.FalseNegatives(thresholds=[0.3, 0.65])(YT, YP, sample_weight=SW)
    np.testing.assert_allclose(fn.numpy(), [0.0, 1.0])   # 0.4 of row 0 is missed at 0.65
    assert float(metrics.TruePositives()(YT, YP, sample_weight=2.0)) == 6.0
    y, p = np.array([0, 1, 1, 1], np.float32), np.array([1, 0, 1, 1], np.float32)
    w = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
    assert float(metrics.Precision()(y, p, sample_weight=w)) == pytest.approx(7 / 8)
    assert float(metrics.Precision()(y, p[:, None], sample_weight=w)) == pytest.approx(7 / 8)
    with pytest.raises(ValueError, match="broadcast"):
        metrics.Precision(class_id=1)(YT, YP, sample_weight=SW2)   # as Keras: not sliced


def test_auc_with_per_sample_and_per_value_weights():
    assert float(metrics.AUC(num_thresholds=5)(YT, YP, sample_weight=SW)) == \
        pytest.approx(_np_auc(YT, YP, SW, 5), 1e-6)
    assert float(metrics.AUC(num_thresholds=5)(YT, YP, sample_weight=SW)) == \
        pytest.approx(0.7777777, 1e-6)
    assert float(metrics.AUC(num_thresholds=5, curve="PR")(YT, YP, sample_weight=SW)) == \
        pytest.approx(0.8947351, 1e-5)
    got = metrics.AUC(num_thresholds=5)(YT, YP, sample_weight=SW2)
    assert float(got) == pytest.approx(0.7555555, 1e-6)


def test_root_mean_squared_error_is_a_weighted_mean_of_squared_errors():
    err = (YP - YT) ** 2
    expected = np.sqrt((err.mean(-1) * SW).sum() / SW.sum())
    got = float(metrics.RootMeanSquaredError()(YT, YP, sample_weight=SW))
    assert got == pytest.approx(expected, 1e-6) and got == pytest.approx(0.3929942, 1e-6)
    got = float(metrics.RootMeanSquaredError()(YT, YP, sample_weight=SW2))
    assert got == pytest.approx(np.sqrt((err * SW2).sum() / SW2.sum()), 1e-6)
    got = float(metrics.RootMeanSquaredError()([1.0, 2.0, 3.0], [1.5, 2.0, 5.0],
                                               sample_weight=[1.0, 0.0, 2.0]))
    assert got == pytest.approx(np.sqrt((0.25 + 2 * 4.0) / 3.0), 1e-6)
    y, p = np.ones((2, 2, 3), np.float32), np.arange(12, dtype=np.float32).reshape(2, 2, 3) / 10
    got = float(metrics.RootMeanSquaredError()(y, p, sample_weight=[1.0, 3.0]))
    per_sample = ((p - y) ** 2).mean(axis=(1, 2))
    assert got == pytest.approx(np.sqrt((per_sample * [1, 3]).sum() / 4), 1e-6)


@pytest.mark.parametrize("kwargs", [
    {}, {"curve": "PR"}, {"curve": "PR", "summation_method": "majoring"},
    {"summation_method": "minoring"}, {"label_weights": [1.0, 2.0, 0.5]},
    {"curve": "PR", "label_weights": [1.0, 2.0, 0.5]}])
@pytest.mark.parametrize("multi_label", [False, True])
def test_auc_multi_label_and_label_weights_match_numpy(kwargs, multi_label):
    n = 7
    metric = metrics.AUC(num_thresholds=n, multi_label=multi_label, **kwargs)
    metric.update_state(Y[:6], P[:6], sample_weight=W[:6])
    metric.update_state(Y[6:], P[6:])
    w = np.concatenate([W[:6], np.ones(6, np.float32)])
    args = (kwargs.get("curve", "ROC"), kwargs.get("summation_method", "interpolation"))
    expected = _np_auc(Y, P, w, n, *args, multi_label, kwargs.get("label_weights"))
    assert float(metric.result()) == pytest.approx(expected, rel=1e-5, abs=1e-6)
    if multi_label:
        assert metric.true_positives.shape == (n, 3)
        metric.reset_state()
        assert float(metrics.AUC(num_thresholds=n, multi_label=True, **kwargs)(Y, P)) == \
            pytest.approx(_np_auc(Y, P, None, n, *args, True, kwargs.get("label_weights")),
                          rel=1e-5, abs=1e-6)


def test_auc_multi_label_values_config_and_errors():
    got = metrics.AUC(multi_label=True, num_thresholds=5)(YT, YP)
    assert float(got) == pytest.approx(_np_auc(YT, YP, None, 5, multi_label=True), 1e-6)
    assert float(got) == pytest.approx(0.6666667, 1e-6)     # TF
    auc = metrics.AUC(multi_label=True, num_labels=3, num_thresholds=4,
                      label_weights=[1.0, 2.0, 3.0], thresholds=[0.5, 0.25], name="a")
    assert [tuple(v.shape) for v in auc.variables] == [(4, 3)] * 4
    config = auc.get_config()
    assert config == {"name": "a", "dtype": "float32", "num_thresholds": 4, "curve": "ROC",
                      "summation_method": "interpolation", "multi_label": True,
                      "num_labels": 3, "label_weights": [1.0, 2.0, 3.0],
                      "from_logits": False, "thresholds": [0.25, 0.5]}
    again = metrics.deserialize(metrics.serialize(auc))
    assert again.get_config() == config
    plain = metrics.AUC(name="b").get_config()
    assert plain["num_labels"] is None and plain["label_weights"] is None
    with pytest.raises(ValueError, match="num_labels"):
        metrics.AUC(num_labels=3)
    with pytest.raises(ValueError, match="rank 2"):
        metrics.AUC(multi_label=True)(np.array([0.0, 1.0]), np.array([0.2, 0.7]))


def test_auc_clips_predictions_with_evenly_spaced_thresholds():
    # Keras clips to [0, 1] before bucketing: -0.5 counts like 0 (positive at -epsilon)
    y, p = np.array([0, 1, 0, 1], np.float32), np.array([-0.5, 1.5, 0.4, 0.6], np.float32)
    assert float(metrics.AUC(num_thresholds=3)(y, p)) == \
        pytest.approx(_np_auc(y[:, None], p[:, None], None, 3), 1e-6)


def test_auc_multi_label_updates_inside_a_compiled_step():
    auc = metrics.AUC(multi_label=True, num_thresholds=7)

    @tf.function
    def step(y, p):
        auc.update_state(y, p)
        return auc.result()

    step(tf.constant(Y[:6]), tf.constant(P[:6]))
    out = step(tf.constant(Y[6:]), tf.constant(P[6:]))
    assert float(out) == pytest.approx(_np_auc(Y, P, None, 7, multi_label=True), 1e-5)


def test_sparse_categorical_crossentropy_metric_ignore_class():
    metric = metrics.SparseCategoricalCrossentropy(ignore_class=0)
    got = float(metric(np.array([0, 1]), np.array([[0.5, 0.5], [0.2, 0.8]], np.float32)))
    assert got == pytest.approx(-np.log(0.8) / 2, 1e-6) and got == pytest.approx(0.1115717)
    # with weights, Keras also zeroes the ignored entries' weights (left out of the mean)
    p = np.array([[0.5, 0.3, 0.2], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8]], np.float32)
    got = float(metrics.SparseCategoricalCrossentropy(ignore_class=0)(
        np.array([0, 1, 2]), p, sample_weight=[1.0, 2.0, 3.0]))
    expected = (-2 * np.log(0.7) - 3 * np.log(0.8)) / 5
    assert got == pytest.approx(expected, 1e-6) and got == pytest.approx(0.2765561, 1e-6)
    got = float(metrics.SparseCategoricalCrossentropy(ignore_class=1, from_logits=True)(
        np.array([[0], [1], [2]]), p))
    log_softmax = p - np.log(np.exp(p).sum(-1, keepdims=True))
    assert got == pytest.approx(-(log_softmax[0, 0] + log_softmax[2, 2]) / 3, 1e-6)
    assert metrics.SparseCategoricalCrossentropy(ignore_class=0).get_config() == {
        "name": "sparse_categorical_crossentropy", "dtype": "float32", "from_logits": False,
        "ignore_class": 0, "axis": -1}
