"""Accuracy metrics (functions and classes) and regression metrics."""
from ...ops import array_ops as a
from ...ops import math_ops as m
from .. import backend, losses
from ..losses import squeeze_or_expand_to_same_rank
from .base import Mean, as_tensor, wrapper_class


def _floatx(x):
    return m.cast(x, backend.floatx())


def accuracy(y_true, y_pred):
    """1.0 where `y_pred == y_true` exactly, else 0.0.

    Example:
    >>> accuracy([1, 2], [1, 3]).numpy()
    array([1., 0.], dtype=float32)
    """
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return _floatx(m.equal(y_true, y_pred))


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where `(y_pred > threshold) == y_true`, else 0.0.

    Example:
    >>> binary_accuracy([[1.0], [0.0]], [[0.7], [0.6]]).numpy()
    array([[1.],
           [0.]], dtype=float32)
    """
    y_true = as_tensor(y_true)
    if not y_true.dtype.is_floating:
        y_true = _floatx(y_true)
    y_pred = as_tensor(y_pred, y_true.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_pred = m.cast(m.greater(y_pred, threshold), y_true.dtype)
    return _floatx(m.equal(y_true, y_pred))


def categorical_accuracy(y_true, y_pred):
    """1.0 where `argmax(y_pred) == argmax(y_true)` (one-hot labels), else 0.0.

    Example:
    >>> categorical_accuracy([[0, 1], [1, 0]], [[0.2, 0.8], [0.3, 0.7]]).numpy()
    array([1., 0.], dtype=float32)
    """
    y_true, y_pred = as_tensor(y_true), as_tensor(y_pred)
    return _floatx(m.equal(m.argmax(y_true, axis=-1), m.argmax(y_pred, axis=-1)))


def _sparse_labels(y_true, y_pred):
    y_true, y_pred = as_tensor(y_true), as_tensor(y_pred)
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        y_true = a.squeeze(y_true, -1)
    return m.cast(y_true, "int64"), y_pred


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where `argmax(y_pred) == y_true` (integer labels), else 0.0.

    Example:
    >>> sparse_categorical_accuracy([1, 0], [[0.2, 0.8], [0.3, 0.7]]).numpy()
    array([1., 0.], dtype=float32)
    """
    y_true, y_pred = _sparse_labels(y_true, y_pred)
    return _floatx(m.equal(y_true, m.argmax(y_pred, axis=-1)))


def in_top_k(targets, predictions, k):
    """Whether each target's prediction is among the `k` largest of its row (ties at the
    boundary count as in, as in TensorFlow).

    Example:
    >>> in_top_k([1], [[0.1, 0.5, 0.4]], 1).numpy()
    array([ True])
    """
    predictions = as_tensor(predictions)
    num_classes = predictions.shape[-1]
    one_hot = a.one_hot(m.cast(targets, "int64"), num_classes, dtype=predictions.dtype)
    target_score = m.reduce_sum(predictions * one_hot, axis=-1, keepdims=True)
    above = m.reduce_sum(m.cast(m.greater(predictions, target_score), "int32"), axis=-1)
    return m.logical_and(m.less(above, k), m.is_finite(a.squeeze(target_score, -1)))


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the true class (argmax of one-hot `y_true`) is in the top `k` predictions.

    Example:
    >>> top_k_categorical_accuracy([[0, 0, 1]], [[0.5, 0.3, 0.2]], k=2).numpy()
    array([0.], dtype=float32)
    """
    y_true, y_pred = as_tensor(y_true), as_tensor(y_pred)
    return _floatx(in_top_k(m.argmax(y_true, axis=-1), y_pred, k))


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the integer label is in the top `k` predictions.

    Example:
    >>> sparse_top_k_categorical_accuracy([2], [[0.5, 0.3, 0.2]], k=3).numpy()
    array([1.], dtype=float32)
    """
    y_true, y_pred = _sparse_labels(y_true, y_pred)
    return _floatx(in_top_k(y_true, y_pred, k))


Accuracy = wrapper_class("Accuracy", accuracy, "accuracy", """How often predictions equal
    labels exactly.

    Example:
    >>> float(Accuracy()([[1], [2], [3], [4]], [[0], [2], [3], [4]]))
    0.75
    """, direction="up")
BinaryAccuracy = wrapper_class("BinaryAccuracy", binary_accuracy, "binary_accuracy", """How often
    `y_pred > threshold` matches binary labels (`threshold=0.5`).

    Example:
    >>> float(BinaryAccuracy()([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]))
    0.75
    """, direction="up", threshold=0.5)
CategoricalAccuracy = wrapper_class("CategoricalAccuracy", categorical_accuracy,
                                    "categorical_accuracy", """How often the argmax of the
    predictions matches the argmax of one-hot labels.

    Example:
    >>> float(CategoricalAccuracy()([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]))
    0.5
    """, direction="up")
SparseCategoricalAccuracy = wrapper_class(
    "SparseCategoricalAccuracy", sparse_categorical_accuracy, "sparse_categorical_accuracy",
    """How often the argmax of the predictions matches integer labels.

    Example:
    >>> float(SparseCategoricalAccuracy()([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]))
    0.5
    """, direction="up")
TopKCategoricalAccuracy = wrapper_class(
    "TopKCategoricalAccuracy", top_k_categorical_accuracy, "top_k_categorical_accuracy",
    "How often the one-hot label is in the top `k` (default 5) predictions.", direction="up",
    k=5)
SparseTopKCategoricalAccuracy = wrapper_class(
    "SparseTopKCategoricalAccuracy", sparse_top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy",
    "How often the integer label is in the top `k` (default 5) predictions.", direction="up",
    k=5)

MeanSquaredError = wrapper_class("MeanSquaredError", losses.mean_squared_error,
                                 "mean_squared_error", "The running mean squared error.")
MeanAbsoluteError = wrapper_class("MeanAbsoluteError", losses.mean_absolute_error,
                                  "mean_absolute_error", "The running mean absolute error.")
MeanAbsolutePercentageError = wrapper_class(
    "MeanAbsolutePercentageError", losses.mean_absolute_percentage_error,
    "mean_absolute_percentage_error", "The running mean absolute percentage error.")
MeanSquaredLogarithmicError = wrapper_class(
    "MeanSquaredLogarithmicError", losses.mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error", "The running mean squared logarithmic error.")
BinaryCrossentropy = wrapper_class(
    "BinaryCrossentropy", losses.binary_crossentropy, "binary_crossentropy",
    "The running mean binary cross-entropy.", from_logits=False, label_smoothing=0.0)
CategoricalCrossentropy = wrapper_class(
    "CategoricalCrossentropy", losses.categorical_crossentropy, "categorical_crossentropy",
    "The running mean categorical cross-entropy.", from_logits=False, label_smoothing=0.0,
    axis=-1)
_SparseCrossentropyBase = wrapper_class(
    "SparseCategoricalCrossentropy", losses.sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy", "The running mean sparse categorical cross-entropy.",
    from_logits=False, ignore_class=None, axis=-1)


class SparseCategoricalCrossentropy(_SparseCrossentropyBase):
    """The running mean sparse categorical cross-entropy (`from_logits=False`,
    `ignore_class=None`, `axis=-1`).

    With `ignore_class`, entries with that label contribute a cross-entropy of 0. As in Keras,
    without `sample_weight` they still count in the mean; with `sample_weight` their weight
    is set to 0 (so they are left out of the mean).

    Example:
    >>> metric = SparseCategoricalCrossentropy(ignore_class=0)
    >>> round(float(metric([0, 1], [[0.5, 0.5], [0.2, 0.8]])), 5)  # -log(0.8) / 2
    0.11157
    """

    def update_state(self, y_true, y_pred, sample_weight=None):
        if self.ignore_class is not None and sample_weight is not None:
            labels, y_pred = as_tensor(y_true), as_tensor(y_pred)
            if len(labels.shape) == len(y_pred.shape) and labels.shape[-1] == 1:
                labels = a.squeeze(labels, -1)
            valid = m.cast(m.not_equal(labels, m.cast(self.ignore_class, labels.dtype)),
                           self.dtype)
            valid, weight = squeeze_or_expand_to_same_rank(
                valid, as_tensor(sample_weight, self.dtype))
            sample_weight = weight * valid
        super().update_state(y_true, y_pred, sample_weight)


SparseCategoricalCrossentropy.__module__ = "fluxion.keras.metrics"
KLDivergence = wrapper_class("KLDivergence", losses.kl_divergence, "kl_divergence",
                             "The running mean KL divergence.")
Poisson = wrapper_class("Poisson", losses.poisson, "poisson", "The running mean Poisson loss.")
Hinge = wrapper_class("Hinge", losses.hinge, "hinge", "The running mean hinge loss.")
SquaredHinge = wrapper_class("SquaredHinge", losses.squared_hinge, "squared_hinge",
                             "The running mean squared hinge loss.")
CategoricalHinge = wrapper_class("CategoricalHinge", losses.categorical_hinge,
                                 "categorical_hinge", "The running mean categorical hinge loss.")
LogCoshError = wrapper_class("LogCoshError", losses.log_cosh, "logcosh",
                             "The running mean of `log(cosh(y_pred - y_true))`.")
CosineSimilarity = wrapper_class(
    "CosineSimilarity", lambda y, p, axis=-1: -losses.cosine_similarity(y, p, axis),
    "cosine_similarity", "The running mean cosine similarity (1 for equal directions).",
    direction="up", axis=-1)


class RootMeanSquaredError(Mean):
    """`sqrt` of the (weighted) running mean of `(y_pred - y_true) ** 2`.

    As in Keras, this is a `Mean` of the squared errors: weights of shape `(batch,)` weight
    each sample's mean squared error.

    Example:
    >>> float(RootMeanSquaredError()([[0.0, 1.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 1.0]]))
    0.5
    """

    _direction = "down"

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = as_tensor(y_true, self.dtype)
        y_pred = as_tensor(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        super().update_state(m.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        return m.sqrt(super().result())
