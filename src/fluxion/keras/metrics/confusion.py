"""Metrics over confusion-matrix counts at thresholds: Precision, Recall, AUC (ROC and PR) and
the raw counts (TruePositives, ...).

A prediction counts as positive at threshold `t` when `y_pred > t`; a label is positive when it
is non-zero. Counts are accumulated in variables of shape `(num_thresholds,)`.
"""
import numpy as np

from ...ops import array_ops as a
from ...ops import math_ops as m
from .. import backend
from ..losses import squeeze_or_expand_to_same_rank
from .base import Metric, as_tensor

NEG_INF = -1e10
_KINDS = ("true_positives", "false_positives", "true_negatives", "false_negatives")


def _thresholds(thresholds, default):
    values = [default] if thresholds is None else (
        [thresholds] if np.isscalar(thresholds) else list(thresholds))
    for t in values:
        if not (t == NEG_INF or 0 <= t <= 1):
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {values}")
    return values


def _filter_top_k(x, k):
    """Keeps the `k` largest values of the last axis; the others become -1e10."""
    _, indices = a.top_k(x, k)
    mask = m.reduce_sum(a.one_hot(indices, x.shape[-1], dtype=x.dtype), axis=-2)
    return x * mask + NEG_INF * (1.0 - mask)


def _align_weight(weight, y_true, dtype):
    """Keras's alignment of `sample_weight` with the labels: a trailing axis is added, then
    dropped again if the ranks then differ by it (so `(batch,)` weights become `(batch, 1)`
    against `(batch, classes)` labels and broadcast over the classes)."""
    weight = a.expand_dims(as_tensor(weight, dtype), -1)
    _, weight = squeeze_or_expand_to_same_rank(y_true, weight, expand_rank_1=False)
    return weight


def update_confusion_matrix_variables(variables, y_true, y_pred, thresholds, top_k=None,
                                      class_id=None, sample_weight=None, dtype="float32",
                                      multi_label=False, label_weights=None):
    """Adds the weighted counts of this batch to `variables` (a dict from the names in
    `_KINDS` to variables of shape `(len(thresholds),)`, or `(len(thresholds), num_labels)`
    with `multi_label`).

    `sample_weight` is aligned with the labels as in Keras (weights of shape `(batch,)` weight
    every label of a sample) before `class_id` selects a column; `label_weights` (one per
    label, without `multi_label`) multiply the weights of each label.
    """
    y_pred = as_tensor(y_pred, dtype)
    y_true = as_tensor(y_true, dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    weight = None if sample_weight is None else _align_weight(sample_weight, y_true, dtype)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if len(y_pred.shape) < 2:
            raise ValueError("When class_id is provided, y_pred must be a 2D array with shape "
                             f"(num_samples, num_classes), found shape: {tuple(y_pred.shape)}")
        y_true = a.expand_dims(y_true[..., class_id], -1)
        y_pred = a.expand_dims(y_pred[..., class_id], -1)
    if weight is not None:
        weight = a.broadcast_to(weight, a.shape(y_pred))
    if label_weights is not None and not multi_label:
        lw = a.broadcast_to(a.expand_dims(as_tensor(label_weights, dtype), 0), a.shape(y_pred))
        weight = lw if weight is None else weight * lw
    thresh = as_tensor(np.asarray(thresholds, np.float64), dtype)
    if multi_label:   # counts per threshold and label: (T, B, L) summed over B
        preds, labels = a.expand_dims(y_pred, 0), a.expand_dims(m.not_equal(y_true, 0.0), 0)
        thresh = a.reshape(thresh, (-1, 1, 1))
        if weight is not None:
            weight = a.expand_dims(weight, 0)
    else:
        preds = a.reshape(y_pred, (1, -1))
        labels = a.reshape(m.not_equal(y_true, 0.0), (1, -1))
        thresh = a.reshape(thresh, (-1, 1))
        if weight is not None:
            weight = a.reshape(weight, (1, -1))
    pred_pos = m.greater(preds, thresh)
    cases = {"true_positives": (labels, pred_pos),
             "false_positives": (m.logical_not(labels), pred_pos),
             "true_negatives": (m.logical_not(labels), m.logical_not(pred_pos)),
             "false_negatives": (labels, m.logical_not(pred_pos))}
    for kind, variable in variables.items():
        lab, pred = cases[kind]
        hits = m.cast(m.logical_and(lab, pred), dtype)
        if weight is not None:
            hits = hits * weight
        variable.assign_add(m.reduce_sum(hits, axis=1))


class _ConfusionMetric(Metric):
    """Shared state handling: count variables at `self.thresholds`."""

    _COUNTS = _KINDS

    def __init__(self, thresholds, top_k, class_id, name, dtype, validate=True, build=True):
        super().__init__(dtype=dtype, name=name)
        self.init_thresholds = thresholds
        self.top_k, self.class_id = top_k, class_id
        default = NEG_INF if top_k is not None else 0.5
        self.thresholds = _thresholds(thresholds, default) if validate else list(thresholds)
        if build:
            self._build(())

    def _build(self, label_shape):
        for kind in self._COUNTS:
            setattr(self, kind,
                    self.add_variable((len(self.thresholds), *label_shape), name=kind))

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_matrix_variables(
            {kind: getattr(self, kind) for kind in self._COUNTS}, y_true, y_pred,
            self.thresholds, self.top_k, self.class_id, sample_weight, self.dtype)

    def _single(self, value):
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_ConfusionMetric):
    """`true_positives / (true_positives + false_positives)` at each threshold (default 0.5).

    Args:
        thresholds: a float or list of floats in [0, 1]; one result per threshold.
        top_k: only the top-k predictions of each row count as positive.
        class_id: restrict to one class (column) of multi-label data.

    Example:
    >>> float(Precision()([0, 1, 1, 1], [1, 0, 1, 1]))
    0.6666666865348816
    """

    _direction = "up"

    _COUNTS = ("true_positives", "false_positives")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds, top_k, class_id, name, dtype)

    def result(self):
        tp = self.true_positives.read_value()
        return self._single(m.divide_no_nan(tp, tp + self.false_positives.read_value()))


class Recall(_ConfusionMetric):
    """`true_positives / (true_positives + false_negatives)` at each threshold (default 0.5).

    Example:
    >>> float(Recall()([0, 1, 1, 1], [1, 0, 1, 1]))
    0.6666666865348816
    """

    _direction = "up"

    _COUNTS = ("true_positives", "false_negatives")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds, top_k, class_id, name, dtype)

    def result(self):
        tp = self.true_positives.read_value()
        return self._single(m.divide_no_nan(tp, tp + self.false_negatives.read_value()))


def _count_class(kind, class_name):
    class Count(_ConfusionMetric):
        _COUNTS = (kind,)

        def __init__(self, thresholds=None, name=None, dtype=None):
            super().__init__(thresholds, None, None, name, dtype)

        def result(self):
            return self._single(getattr(self, kind).read_value())

        def get_config(self):
            return {"name": self.name, "dtype": self.dtype, "thresholds": self.init_thresholds}

    Count.__name__ = Count.__qualname__ = class_name
    Count.__doc__ = f"The weighted number of {kind.replace('_', ' ')} (threshold 0.5)."
    Count.__module__ = "fluxion.keras.metrics"
    return Count


TruePositives = _count_class("true_positives", "TruePositives")
FalsePositives = _count_class("false_positives", "FalsePositives")
TrueNegatives = _count_class("true_negatives", "TrueNegatives")
FalseNegatives = _count_class("false_negatives", "FalseNegatives")


def _evenly_spaced(inner):
    """Whether `[0] + inner + [1]` are evenly spaced (then Keras clips predictions to [0, 1])."""
    values = np.array([0.0] + list(inner) + [1.0])
    if len(values) < 3:
        return False
    even = np.arange(len(values), dtype=np.float32) / (len(values) - 1)
    return bool(np.allclose(values, even, atol=backend.epsilon()))


class AUC(_ConfusionMetric):
    """Area under the ROC or precision-recall curve, from counts at `num_thresholds` evenly
    spaced thresholds (plus `-epsilon` and `1 + epsilon` at the ends).

    Args:
        num_thresholds: default 200.
        curve: "ROC" (default) or "PR".
        summation_method: "interpolation" (default; for PR, Davis & Goadrich's interpolation),
            "minoring" or "majoring".
        thresholds: explicit thresholds in [0, 1] (overrides `num_thresholds`).
        multi_label: if True, `y_true`/`y_pred` of shape `(batch, num_labels)` give one curve
            per label, and the result is the mean of the labels' areas (weighted by
            `label_weights` when given). If False, all labels are flattened into one curve.
        num_labels: the number of labels with `multi_label` (default: taken from the first
            batch).
        label_weights: one non-negative weight per label: the weights of the per-label areas
            with `multi_label`, else weights of each label's contribution to the counts.
        from_logits: apply a sigmoid to the predictions first.

    With evenly spaced thresholds (the default), predictions are clipped to [0, 1] first, as
    in Keras.

    Raises:
        ValueError: for an unknown `curve` or `summation_method`, `num_thresholds <= 1`,
            `num_labels` without `multi_label`, or `multi_label` data not of rank 2.

    Example:
    >>> float(AUC(num_thresholds=3)([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]))
    0.75
    >>> auc = AUC(multi_label=True, num_thresholds=5)
    >>> round(float(auc([[1, 0], [0, 1], [1, 1]], [[0.9, 0.2], [0.4, 0.7], [0.3, 0.1]])), 4)
    0.75
    """

    _direction = "up"

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        curve, summation = str(curve).upper(), str(summation_method).lower()
        if curve not in ("ROC", "PR"):
            raise ValueError(f'AUC: invalid curve {curve!r}. Expected "ROC" or "PR".')
        if summation not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f"AUC: invalid summation_method {summation_method!r}. Expected "
                             '"interpolation", "minoring" or "majoring".')
        if thresholds is not None:
            inner = sorted(float(t) for t in _thresholds(thresholds, 0.5))
            num_thresholds = len(inner) + 2
        else:
            if num_thresholds <= 1:
                raise ValueError("AUC: num_thresholds must be > 1. Received: "
                                 f"num_thresholds={num_thresholds}")
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        if num_labels and not multi_label:
            raise ValueError("AUC: `num_labels` is needed only when `multi_label` is True. "
                             f"Received: num_labels={num_labels}, multi_label={multi_label}")
        self.num_thresholds, self.curve, self.summation_method = num_thresholds, curve, summation
        self.multi_label, self.num_labels, self.from_logits = bool(multi_label), num_labels, \
            from_logits
        self._init = inner if thresholds is not None else None
        self._clip = _evenly_spaced(inner)
        eps = backend.epsilon()
        super().__init__([0.0 - eps] + inner + [1.0 + eps], None, None, name, dtype,
                         validate=False, build=not self.multi_label)
        self.label_weights = None if label_weights is None else \
            as_tensor(np.asarray(label_weights), self.dtype)
        self._built = not self.multi_label
        if self.multi_label and num_labels:
            self._build((int(num_labels),))
            self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = as_tensor(y_pred, self.dtype)
        if not self._built:
            if len(y_pred.shape) != 2 or y_pred.shape[1] is None:
                raise ValueError("AUC: `y_pred` must have rank 2 (batch, num_labels) when "
                                 f"`multi_label=True`. Received shape: {tuple(y_pred.shape)}")
            self._build((int(y_pred.shape[1]),))
            self._built = True
        if self.from_logits:
            y_pred = m.sigmoid(y_pred)
        if self._clip:
            y_pred = m.clip_by_value(y_pred, 0.0, 1.0)
        update_confusion_matrix_variables(
            {kind: getattr(self, kind) for kind in self._COUNTS}, y_true, y_pred,
            self.thresholds, None, None, sample_weight, self.dtype, self.multi_label,
            None if self.multi_label else self.label_weights)

    def reset_state(self):
        if self._built:
            super().reset_state()

    def _average(self, terms):
        """Sums the per-threshold terms; with `multi_label`, averages the labels' areas."""
        if not self.multi_label:
            return m.reduce_sum(terms)
        by_label = m.reduce_sum(terms, axis=0)
        if self.label_weights is None:
            return m.reduce_mean(by_label)
        return m.divide_no_nan(m.reduce_sum(by_label * self.label_weights),
                               m.reduce_sum(self.label_weights))

    def _interpolate_pr_auc(self, tp, fp, fn):
        n = self.num_thresholds
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        slope = m.divide_no_nan(dtp, m.maximum(dp, 0.0))
        intercept = tp[1:] - slope * p[1:]
        both = m.logical_and(m.greater(p[:n - 1], 0.0), m.greater(p[1:], 0.0))
        ratio = a.where(both, m.divide_no_nan(p[:n - 1], m.maximum(p[1:], 0.0)),
                        a.ones_like(p[1:]))
        increment = m.divide_no_nan(slope * (dtp + intercept * m.log(ratio)),
                                    m.maximum(tp[1:] + fn[1:], 0.0))
        return self._average(increment)

    def result(self):
        if not self._built:
            return as_tensor(0.0, self.dtype)
        tp, fp, tn, fn = (getattr(self, k).read_value() for k in _KINDS)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc(tp, fp, fn)
        recall = m.divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = m.divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, m.divide_no_nan(tp, tp + fp)
        n = self.num_thresholds
        if self.summation_method == "interpolation":
            heights = (y[:n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = m.minimum(y[:n - 1], y[1:])
        else:
            heights = m.maximum(y[:n - 1], y[1:])
        return self._average((x[:n - 1] - x[1:]) * heights)

    def get_config(self):
        label_weights = None if self.label_weights is None else \
            [float(w) for w in np.asarray(self.label_weights.numpy()).ravel()]
        config = {"name": self.name, "dtype": self.dtype, "num_thresholds": self.num_thresholds,
                  "curve": self.curve, "summation_method": self.summation_method,
                  "multi_label": self.multi_label, "num_labels": self.num_labels,
                  "label_weights": label_weights, "from_logits": self.from_logits}
        if self._init is not None:
            config["thresholds"] = list(self._init)
        return config
