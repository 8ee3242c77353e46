"""`keras.metrics`: stateful metrics (`update_state` / `result` / `reset_state`), metric
functions, `get` by name, and `resolve_accuracy` (what "accuracy" means for a loss and shapes).

Metric state lives in variables, so metrics update inside compiled train steps.

Example:
>>> from fluxion import keras
>>> m = keras.metrics.SparseCategoricalAccuracy()
>>> m.update_state([1, 0], [[0.1, 0.9], [0.8, 0.2]])
>>> float(m.result())
1.0
"""
from .. import losses as _losses
from ..backend import to_snake_case
from ..engine.serialization import _CUSTOM_OBJECTS, lookup, serialize_keras_object
from .accuracy import (
    Accuracy,
    BinaryAccuracy,
    BinaryCrossentropy,
    CategoricalAccuracy,
    CategoricalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    KLDivergence,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    RootMeanSquaredError,
    SparseCategoricalAccuracy,
    SparseCategoricalCrossentropy,
    SparseTopKCategoricalAccuracy,
    SquaredHinge,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    in_top_k,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from .base import Mean, MeanMetricWrapper, Metric, Sum
from .confusion import (
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    Recall,
    TrueNegatives,
    TruePositives,
)

mean_squared_error = mse = MSE = _losses.mean_squared_error
mean_absolute_error = mae = MAE = _losses.mean_absolute_error
mean_absolute_percentage_error = mape = MAPE = _losses.mean_absolute_percentage_error
mean_squared_logarithmic_error = msle = MSLE = _losses.mean_squared_logarithmic_error
binary_crossentropy = _losses.binary_crossentropy
categorical_crossentropy = _losses.categorical_crossentropy
sparse_categorical_crossentropy = _losses.sparse_categorical_crossentropy
kl_divergence = kld = KLD = _losses.kl_divergence
poisson = _losses.poisson
hinge = _losses.hinge
squared_hinge = _losses.squared_hinge
categorical_hinge = _losses.categorical_hinge
log_cosh = logcosh = _losses.log_cosh

_CLASSES = [Metric, Mean, Sum, MeanMetricWrapper, Accuracy, BinaryAccuracy, CategoricalAccuracy,
            SparseCategoricalAccuracy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
            Precision, Recall, AUC, TruePositives, FalsePositives, TrueNegatives,
            FalseNegatives, MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
            MeanSquaredLogarithmicError, RootMeanSquaredError, LogCoshError, BinaryCrossentropy,
            CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence, Poisson,
            Hinge, SquaredHinge, CategoricalHinge, CosineSimilarity]
_FUNCTIONS = [accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
              top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, mean_squared_error,
              mean_absolute_error, mean_absolute_percentage_error,
              mean_squared_logarithmic_error, binary_crossentropy, categorical_crossentropy,
              sparse_categorical_crossentropy, kl_divergence, poisson, hinge, squared_hinge,
              categorical_hinge, log_cosh]
# What `get`/`deserialize` resolve a string to (Keras 3.15): class names, their snake-case
# names and a few aliases, all giving metric objects.
ALL = {c.__name__: c for c in _CLASSES}
ALL.update({to_snake_case(c.__name__): c for c in _CLASSES})
ALL.update({"bce": BinaryCrossentropy, "BCE": BinaryCrossentropy, "mse": MeanSquaredError,
            "MSE": MeanSquaredError, "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
            "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
            "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError})
# The metric functions by name (for `MeanMetricWrapper` configs, whose `fn` is a function).
FUNCTIONS = {f.__name__: f for f in _FUNCTIONS}
FUNCTIONS.update({"mse": mse, "MSE": mse, "mae": mae, "MAE": mae, "mape": mape, "MAPE": mape,
                  "msle": msle, "MSLE": msle, "kld": kld, "KLD": kld, "logcosh": log_cosh})
_ACCURACY_CLASSES = {binary_accuracy: BinaryAccuracy,
                     sparse_categorical_accuracy: SparseCategoricalAccuracy,
                     categorical_accuracy: CategoricalAccuracy}

_BINARY_LOSSES = {"binary_crossentropy", "BinaryCrossentropy", "binary_focal_crossentropy",
                  "BinaryFocalCrossentropy", "hinge", "Hinge", "squared_hinge", "SquaredHinge"}
_SPARSE_LOSSES = {"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"}


def _loss_name(loss):
    if loss is None or isinstance(loss, str):
        return loss
    if isinstance(loss, _losses.LossFunctionWrapper):
        return getattr(loss.fn, "__name__", None)
    if isinstance(loss, _losses.Loss):
        return type(loss).__name__
    return getattr(loss, "__name__", None)


def resolve_accuracy(loss, y_true_shape, y_pred_shape):
    """Returns the accuracy function that "accuracy"/"acc" means for this loss and shapes.

    Rules: a binary loss (binary cross-entropy, hinge) means `binary_accuracy` and sparse
    categorical cross-entropy `sparse_categorical_accuracy`; otherwise, as Keras 3 decides from
    the shapes: one output unit means binary, labels of one rank less (or with a last axis of
    1 against several units) mean sparse, and anything else categorical.

    Example:
    >>> resolve_accuracy("categorical_crossentropy", (32, 10), (32, 10)).__name__
    'categorical_accuracy'
    >>> resolve_accuracy(None, (32,), (32, 10)).__name__
    'sparse_categorical_accuracy'
    """
    name = _loss_name(loss)
    if name in _BINARY_LOSSES:
        return binary_accuracy
    if name in _SPARSE_LOSSES:
        return sparse_categorical_accuracy
    true_shape = tuple(y_true_shape) if y_true_shape is not None else None
    pred_shape = tuple(y_pred_shape) if y_pred_shape is not None else None
    pred_last = pred_shape[-1] if pred_shape else None
    true_last = true_shape[-1] if true_shape else None
    if pred_last == 1:
        return binary_accuracy
    if true_shape is not None and pred_shape is not None and (
            len(true_shape) == len(pred_shape) - 1 or (true_last == 1 and pred_last != 1)):
        return sparse_categorical_accuracy
    return categorical_accuracy


def get_metric(identifier, loss=None, y_true_shape=None, y_pred_shape=None):
    """Returns a `Metric` for a compile() entry, named as Keras names it: a string keeps the
    name the user wrote ("accuracy"/"acc" become the accuracy `resolve_accuracy` picks for the
    loss and shapes), a function is wrapped in `MeanMetricWrapper` under its snake-case name,
    and a metric object keeps its own name.

    Example:
    >>> get_metric("acc", "binary_crossentropy", (8, 1), (8, 1)).name
    'acc'
    >>> type(get_metric("mse")).__name__, get_metric("mse").name
    ('MeanSquaredError', 'mse')
    """
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        fn = resolve_accuracy(loss, y_true_shape, y_pred_shape)
        return _ACCURACY_CLASSES[fn](name=identifier)
    metric = get(identifier)
    if isinstance(identifier, str):
        name = identifier
    elif isinstance(metric, Metric):
        name = metric.name
    else:
        name = to_snake_case(getattr(metric, "__name__", type(metric).__name__))
    if not isinstance(metric, Metric):
        metric = MeanMetricWrapper(metric, name=name)
    metric.name = name
    return metric


def serialize(metric):
    """Returns the Keras 3 config dict of a metric object, or a function's name.

    Example:
    >>> serialize(Precision(name="p"))["class_name"]
    'Precision'
    """
    return serialize_keras_object(metric, "keras.metrics")


def _unknown(identifier):
    names = ", ".join(sorted(n for n in ALL if n[:1].islower()))
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}. Valid names are: "
                     f"{names} (or the class names, e.g. 'AUC').")


def deserialize(config, custom_objects=None):
    """Creates a metric object from a config dict or a name (see `get`); a config of a
    function (`{"class_name": "function", "config": name}`) gives the function.

    Example:
    >>> deserialize({"class_name": "AUC", "config": {"num_thresholds": 50}}).num_thresholds
    50
    """
    if isinstance(config, dict) and config.get("class_name") == "function":
        return function_by_name(config.get("config"), custom_objects)
    if isinstance(config, str):
        target = (custom_objects or {}).get(config) or ALL.get(config) or \
            _CUSTOM_OBJECTS.get(config)
        if target is None:
            _unknown(config)
        return target() if isinstance(target, type) else target
    return lookup(config, "metric", ALL, custom_objects)


def function_by_name(name, custom_objects=None):
    """Returns the metric function called `name` (e.g. "binary_accuracy", "mse").

    Example:
    >>> function_by_name("mse").__name__
    'mean_squared_error'
    """
    if callable(name):
        return name
    return lookup(name, "metric function", FUNCTIONS, custom_objects)


def get(identifier):
    """Returns a metric as Keras 3 does: a name gives a metric object (class names like
    "AUC", their snake-case names like "mean_squared_error" or "auc", and the aliases "mse",
    "mae", "mape", "msle", "bce"); a config dict the object it describes; a class an instance;
    a metric object or a function is returned as is.

    Raises:
        ValueError: for an unknown name (e.g. "acc", which only `compile()` resolves); the
            message lists the valid names.

    Example:
    >>> type(get("mse")).__name__
    'MeanSquaredError'
    >>> get("mae").name
    'mean_absolute_error'
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")


__all__ = [*(c.__name__ for c in _CLASSES), *FUNCTIONS, "get", "serialize", "deserialize",
           "resolve_accuracy", "get_metric", "in_top_k", "function_by_name"]
