"""Keras 3 semantics of the monitoring callbacks with a real model (mode "auto" resolved from the
compiled metrics), ModelCheckpoint's file checks and messages, and CSVLogger's columns."""
import csv
import os
import warnings

import numpy as np
import pytest

import fluxion
from fluxion import keras
from fluxion.keras import callbacks as cbks
from fluxion.keras import layers

X = np.random.default_rng(0).normal(size=(40, 3)).astype("float32")
Y = (X[:, :1] > 0).astype("float32")


def model(metrics=("accuracy",)):
    m = keras.Sequential([keras.Input((3,)), layers.Dense(1, activation="sigmoid")])
    m.compile("sgd", "binary_crossentropy", metrics=list(metrics))
    return m


def fit(callbacks, metrics=("accuracy",), epochs=1, **kwargs):
    m = model(metrics)
    return m.fit(X, Y, batch_size=20, epochs=epochs, verbose=0, validation_split=0.25,
                 callbacks=callbacks, **kwargs)


AUTO_ERROR = ("{} callback received monitor={}, but Keras isn't able to automatically "
              "determine whether that metric should be maximized or minimized. Pass "
              "`mode='max'` in order to monitor based on the highest metric value, or pass "
              "`mode='min'` in order to use the lowest value.")


@pytest.mark.parametrize("make", [
    lambda monitor: cbks.EarlyStopping(monitor=monitor),
    lambda monitor: cbks.ReduceLROnPlateau(monitor=monitor),
    lambda monitor: cbks.ModelCheckpoint("/nonexistent/m.keras", monitor=monitor,
                                         save_best_only=True)])
def test_mode_auto_comes_from_the_compiled_metric_or_raises(make):
    for monitor, metrics, op in [("val_loss", (), np.less), ("loss", (), np.less),
                                 ("val_accuracy", ("accuracy",), np.greater),
                                 ("accuracy", ("accuracy",), np.greater),
                                 ("val_mae", ("mae",), np.less),
                                 ("auc", (keras.metrics.AUC(name="auc"),), np.greater)]:
        callback = make(monitor)  # nothing is decided at construction
        assert callback.monitor_op is None and callback.mode == "auto"
        callback._set_monitor_op = _record(callback)
        if isinstance(callback, cbks.ModelCheckpoint):
            callback.save_best_only = False
            callback._save = lambda *args: None
        fit([callback], metrics)
        assert callback.monitor_op(1.0, 2.0) == bool(op(1.0, 2.0)), monitor
    for monitor, metrics in [("val_score", ("accuracy",)), ("val_acc", ("accuracy",)),
                             ("mae", ("accuracy",)), ("my_loss", ()), ("val_lossy", ())]:
        callback = make(monitor)
        name = type(callback).__name__
        with pytest.raises(ValueError) as error:
            fit([callback], metrics)  # raised at the first epoch's end
        assert str(error.value) == AUTO_ERROR.format(name, monitor)
    explicit = make("val_score")
    explicit.mode = "max"
    explicit._set_monitor_op()
    assert explicit.monitor_op(2.0, 1.0)



def test_metrics_carry_keras_direction_that_mode_auto_reads():
    M = keras.metrics
    for cls in (M.Accuracy, M.BinaryAccuracy, M.CategoricalAccuracy, M.SparseCategoricalAccuracy,
                M.TopKCategoricalAccuracy, M.SparseTopKCategoricalAccuracy, M.Precision,
                M.Recall, M.AUC, M.CosineSimilarity):
        assert cls()._direction == "up", cls.__name__
    for cls in (M.MeanSquaredError, M.MeanAbsoluteError, M.MeanAbsolutePercentageError,
                M.MeanSquaredLogarithmicError, M.RootMeanSquaredError, M.LogCoshError,
                M.BinaryCrossentropy, M.CategoricalCrossentropy,
                M.SparseCategoricalCrossentropy, M.KLDivergence, M.Poisson, M.Hinge,
                M.SquaredHinge, M.CategoricalHinge):
        assert cls()._direction == "down", cls.__name__
    for metric in (M.Mean(), M.Sum(), M.TruePositives(), M.MeanMetricWrapper(np.abs)):
        assert not hasattr(metric, "_direction"), metric
    # A wrapped Keras loss (function or instance) is minimised, as in Keras.
    assert M.MeanMetricWrapper(keras.losses.mean_squared_error)._direction == "down"
    assert M.MeanMetricWrapper(keras.losses.Huber())._direction == "down"

    class Score(M.MeanMetricWrapper):  # a user metric declaring its direction, as in Keras
        def __init__(self):
            super().__init__(lambda y, p: -fluxion.abs(y - p), name="score")
            self._direction = "up"

    for monitor, metrics, op in [
            ("val_score", (Score(),), np.greater),
            ("err", (M.MeanMetricWrapper(keras.losses.mean_absolute_error, name="err"),),
             np.less)]:
        callback = cbks.EarlyStopping(monitor=monitor)
        fit([callback], metrics)
        assert callback.monitor_op(1.0, 2.0) == bool(op(1.0, 2.0)), monitor

def _record(callback):
    original = callback._set_monitor_op

    def wrapped():
        assert callback.model is not None and callback.model.compiled_metrics.built
        original()
    return wrapped


def test_model_checkpoint_checks_the_extension_at_construction(tmp_path):
    with pytest.raises(ValueError) as error:
        cbks.ModelCheckpoint(str(tmp_path / "w-{epoch}.h5"), save_weights_only=True)
    assert str(error.value) == (
        "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided must "
        f"end in `.weights.h5` (Keras weights format). Received: filepath={tmp_path}/w-{{epoch}}"
        ".h5")
    for bad in ("m.ckpt", "m", "m.weights.keras5"):
        with pytest.raises(ValueError, match=r"^The filepath provided must end in `\.keras` "
                                             r"\(Keras model format\)\. Received: filepath="):
            cbks.ModelCheckpoint(str(tmp_path / bad))
    cbks.ModelCheckpoint(str(tmp_path / "m.weights.h5"))  # ends in .h5: a full model
    fit([cbks.ModelCheckpoint(str(tmp_path / "legacy.h5"))])
    assert os.path.exists(tmp_path / "legacy.h5")


def test_model_checkpoint_messages_and_missing_monitor(tmp_path, capsys):
    path = str(tmp_path / "best.weights.h5")
    fit([cbks.ModelCheckpoint(path, monitor="loss", save_best_only=True,
                              save_weights_only=True, verbose=1,
                              initial_value_threshold=1e9)], epochs=1)
    out = capsys.readouterr().out
    assert out.startswith("\nEpoch 1: loss improved from 1000000000.00000 to ")
    assert out.endswith(f", saving model to {path}\n\nEpoch 1: finished saving model to "
                        f"{path}\n")
    os.remove(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit([cbks.ModelCheckpoint(path, monitor="val_nothing", save_best_only=True,
                                  save_weights_only=True, mode="min")])
    assert os.path.exists(path)  # saved anyway, as Keras does
    assert any("Can save best model only with val_nothing available." == str(w.message)
               for w in caught)


def read_csv(path, sep=","):
    with open(path, newline="") as f:
        return list(csv.reader(f, delimiter=sep))


def test_csv_logger_adds_val_columns(tmp_path):
    path = tmp_path / "log.csv"
    m = model(())
    m.fit(X, Y, batch_size=20, epochs=2, verbose=0, callbacks=[cbks.CSVLogger(path)])
    rows = read_csv(path)
    assert rows[0] == ["epoch", "loss", "val_loss"] and [r[2] for r in rows[1:]] == ["NA"] * 2
    m.fit(X, Y, batch_size=20, epochs=2, verbose=0,
          callbacks=[cbks.CSVLogger(path, append=True)])
    rows = read_csv(path)
    assert [r[0] for r in rows] == ["epoch", "0", "1", "0", "1"]  # one header
    history = m.fit(X, Y, batch_size=20, epochs=2, verbose=0, validation_split=0.25,
                    validation_freq=2, callbacks=[cbks.CSVLogger(path)])
    rows = read_csv(path)
    assert rows[0] == ["epoch", "loss", "val_loss"] and rows[1][2] == "NA"
    assert float(rows[2][2]) == pytest.approx(history.history["val_loss"][0])
    log = tmp_path / "semi.csv"
    log.write_text("epoch,loss\n0,1.0\n")
    m.fit(X, Y, batch_size=20, epochs=1, verbose=0,
          callbacks=[cbks.CSVLogger(log, separator=";", append=True)])
    lines = log.read_text().splitlines()
    assert lines[:2] == ["epoch,loss", "0,1.0"] and lines[2].startswith("0;") and \
        lines[2].endswith(";NA") and len(lines) == 3
