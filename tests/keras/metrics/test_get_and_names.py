"""`keras.metrics.get` as Keras 3.15 resolves strings (metric objects, not loss functions),
the unique default names of metrics (`auc`, `auc_1`, ...), and the history keys `fit` gives
them (checked against TF 2.21 / Keras 3.15)."""
import numpy as np
import pytest

from fluxion import keras
from fluxion.keras import metrics

YT = np.array([[1, 0, 1], [0, 1, 1]], np.float32)
YP = np.array([[0.9, 0.2, 0.4], [0.6, 0.7, 0.8]], np.float32)


@pytest.mark.parametrize("name,cls", [
    ("mse", "MeanSquaredError"), ("MSE", "MeanSquaredError"),
    ("mean_squared_error", "MeanSquaredError"), ("accuracy", "Accuracy"),
    ("mae", "MeanAbsoluteError"), ("mape", "MeanAbsolutePercentageError"),
    ("msle", "MeanSquaredLogarithmicError"), ("bce", "BinaryCrossentropy"),
    ("binary_accuracy", "BinaryAccuracy"), ("categorical_accuracy", "CategoricalAccuracy"),
    ("top_k_categorical_accuracy", "TopKCategoricalAccuracy"),
    ("binary_crossentropy", "BinaryCrossentropy"),
    ("categorical_crossentropy", "CategoricalCrossentropy"),
    ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"),
    ("cosine_similarity", "CosineSimilarity"), ("log_cosh_error", "LogCoshError"),
    ("squared_hinge", "SquaredHinge"), ("categorical_hinge", "CategoricalHinge"),
    ("kl_divergence", "KLDivergence"), ("root_mean_squared_error", "RootMeanSquaredError"),
    ("auc", "AUC"), ("AUC", "AUC"), ("Precision", "Precision"), ("sum", "Sum")])
def test_get_returns_metric_objects_for_names(name, cls):
    metric = metrics.get(name)
    assert type(metric).__name__ == cls and isinstance(metric, metrics.Metric)


def test_get_values_and_rejected_names():
    # a metric object averages over all values (0.15), the function gave per-sample values
    err = (YT - YP) ** 2
    assert float(metrics.get("mse")(YT, YP)) == pytest.approx(err.mean(), 1e-6)
    assert metrics.get("log_cosh_error").name == "logcosh"
    logcosh = np.log(np.cosh(YP - YT)).mean()
    assert float(metrics.get("log_cosh_error")(YT, YP)) == pytest.approx(logcosh, 1e-5)
    for name in ("acc", "rmse", "kld", "KLD", "acuracy"):   # Keras rejects these too
        with pytest.raises(ValueError, match="Could not interpret metric identifier.*mse"):
            metrics.get(name)
    assert metrics.get(metrics.mse) is metrics.mse        # functions are returned as is
    assert isinstance(metrics.get(metrics.AUC), metrics.AUC)


def test_hinge_metrics_match_numpy():
    signed = 2 * YT - 1
    assert float(metrics.SquaredHinge()(YT, YP)) == pytest.approx(
        (np.maximum(1 - signed * YP, 0) ** 2).mean(), 1e-6)
    pos = (YT * YP).sum(-1)
    neg = ((1 - YT) * YP).max(-1)
    assert float(metrics.CategoricalHinge()(YT, YP)) == pytest.approx(
        np.maximum(neg - pos + 1, 0).mean(), 1e-6)


def test_mean_metric_wrapper_config_round_trip_keeps_the_function():
    wrapper = metrics.MeanMetricWrapper(metrics.binary_accuracy, name="w", threshold=0.3)
    again = metrics.MeanMetricWrapper.from_config(wrapper.get_config())
    assert again._fn is metrics.binary_accuracy and again.name == "w"
    keras_fn = {"module": "builtins", "class_name": "function", "config": "binary_accuracy",
                "registered_name": "function"}
    again = metrics.MeanMetricWrapper.from_config({"name": "w", "fn": keras_fn})
    assert again._fn is metrics.binary_accuracy


def test_default_metric_names_are_unique_like_keras():
    keras.backend.clear_session()
    assert [metrics.AUC().name, metrics.AUC().name, metrics.AUC(name="x").name,
            metrics.AUC().name] == ["auc", "auc_1", "x", "auc_2"]
    assert [metrics.Precision().name, metrics.Precision().name] == ["precision", "precision_1"]
    assert [metrics.Recall().name, metrics.TruePositives().name, metrics.TruePositives().name,
            metrics.FalseNegatives().name] == ["recall", "true_positives",
                                               "true_positives_1", "false_negatives"]
    # classes with a default name keep it
    assert [metrics.Mean().name, metrics.Mean().name, metrics.MeanSquaredError().name,
            metrics.RootMeanSquaredError().name] == ["mean", "mean", "mean_squared_error",
                                                     "root_mean_squared_error"]
    assert metrics.MeanMetricWrapper(metrics.mse).name == "mean_metric_wrapper"

    class MyMetric(metrics.Metric):
        def update_state(self, *args):
            pass

        def result(self):
            return 0.0

    assert [MyMetric().name, MyMetric().name] == ["my_metric", "my_metric_1"]
    keras.backend.clear_session()
    assert metrics.AUC().name == "auc"


def _history_keys(metric_list):
    x = np.random.default_rng(0).uniform(size=(16, 3)).astype("float32")
    y = (x[:, :1] > 0.5).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=metric_list)
    history = model.fit(x, y, epochs=1, batch_size=8, verbose=0, validation_data=(x, y))
    return sorted(history.history), model.optimizer.name


def test_history_keys_follow_keras_names():
    keras.backend.clear_session()
    metrics.AUC()
    assert _history_keys([metrics.AUC()]) == (
        ["auc_1", "loss", "val_auc_1", "val_loss"], "sgd")
    assert _history_keys([metrics.AUC(), metrics.AUC()]) == (
        ["auc_2", "auc_3", "loss", "val_auc_2", "val_auc_3", "val_loss"], "sgd_1")
    # strings keep the name written (their objects still take a uid); classes are created
    keys, _ = _history_keys(["AUC", "auc", metrics.AUC, metrics.Precision()])
    assert keys == ["AUC", "auc", "auc_6", "loss", "precision", "val_AUC", "val_auc",
                    "val_auc_6", "val_loss", "val_precision"]
    keys, _ = _history_keys([metrics.mse, "mse", "binary_accuracy", "acc"])
    assert keys == ["acc", "binary_accuracy", "loss", "mean_squared_error", "mse", "val_acc",
                    "val_binary_accuracy", "val_loss", "val_mean_squared_error", "val_mse"]
    keras.backend.clear_session()


def test_compile_metrics_are_keras_metric_objects():
    assert type(metrics.get_metric("acc", "binary_crossentropy", (8, 1), (8, 1))).__name__ \
        == "BinaryAccuracy"
    metric = metrics.get_metric(lambda y, p: abs(y - p))
    assert metric.name == "lambda" and isinstance(metric, metrics.MeanMetricWrapper)
    with pytest.raises(ValueError, match="rmse"):
        metrics.get_metric("rmse")
