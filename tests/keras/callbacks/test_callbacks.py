"""Callbacks' effects, driven by a fake model and a loop calling the hooks as fit does."""
import csv
import os

import numpy as np
import pytest

from fluxion.keras import callbacks as cbks
from fluxion.keras import optimizers

from .fake_model import FakeModel, run_fit


def test_history_records_epochs_and_becomes_model_history():
    model = FakeModel()
    history = run_fit(model, [], epochs=3, val_losses=[3.0, 2.0, 1.0])
    assert history.epoch == [0, 1, 2]
    assert history.history["val_loss"] == [3.0, 2.0, 1.0]
    assert len(history.history["loss"]) == 3 and model.history is history


def test_callback_list_hooks_and_order():
    calls = []

    class Recorder(cbks.Callback):
        def on_train_begin(self, logs=None):
            calls.append("train_begin")

        def on_epoch_begin(self, epoch, logs=None):
            calls.append(f"epoch_begin {epoch}")

        def on_batch_end(self, batch, logs=None):  # legacy name still called
            calls.append(f"batch_end {batch}")

        def on_train_end(self, logs=None):
            calls.append("train_end")

    model = FakeModel()
    run_fit(model, [Recorder()], epochs=1, steps=2)
    assert calls == ["train_begin", "epoch_begin 0", "batch_end 0", "batch_end 1", "train_end"]
    with pytest.raises(TypeError, match="Callback"):
        cbks.CallbackList([object()])


def test_early_stopping_patience_and_restore_best_weights(capsys):
    model = FakeModel()
    weights_at_end = {}

    def keep(epoch, batch):
        weights_at_end[epoch] = model.get_weights()

    stop = cbks.EarlyStopping(patience=2, restore_best_weights=True, verbose=1)
    history = run_fit(model, [stop], epochs=10, val_losses=[5, 3, 4, 4, 1, 0, 0, 0, 0, 0],
                      on_batch=keep)
    assert history.epoch == [0, 1, 2, 3]
    assert stop.stopped_epoch == 3 and stop.best_epoch == 1
    for got, expected in zip(model.get_weights(), weights_at_end[1]):
        np.testing.assert_array_equal(got, expected)
    out = capsys.readouterr().out
    assert "Epoch 4: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 2." in out


def test_early_stopping_min_delta_mode_baseline_and_start_from_epoch():
    model = FakeModel()
    stop = cbks.EarlyStopping(monitor="val_accuracy", min_delta=0.1, patience=1, mode="max")
    cbl = cbks.CallbackList([stop], model=model)
    cbl.on_train_begin()
    for epoch, acc in enumerate([0.5, 0.55, 0.58]):  # +0.05 is not an improvement
        cbl.on_epoch_end(epoch, {"val_accuracy": acc})
        if model.stop_training:
            break
    assert model.stop_training and stop.stopped_epoch == 1
    for baseline, stopped in [(None, 2), (0.5, 1)]:  # not beating the baseline counts
        model = FakeModel()
        stop = cbks.EarlyStopping(monitor="val_loss", baseline=baseline, patience=2)
        history = run_fit(model, [stop], epochs=10, val_losses=[1.0] * 10)
        assert stop.stopped_epoch == stopped and history.epoch[-1] == stopped
    model = FakeModel()
    late = cbks.EarlyStopping(monitor="val_loss", patience=0, start_from_epoch=3)
    history = run_fit(model, [late], epochs=10, val_losses=[1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    assert history.epoch == [0, 1, 2, 3, 4]
    with pytest.warns(UserWarning, match="not available"):
        run_fit(FakeModel(), [cbks.EarlyStopping(monitor="val_auc", mode="max")], epochs=1)


def test_model_checkpoint_formats_names_and_saves_best_only(tmp_path, capsys):
    model = FakeModel()
    path = str(tmp_path / "ckpt-{epoch:02d}-{val_loss:.2f}.keras")
    ckpt = cbks.ModelCheckpoint(path, save_best_only=True, verbose=1)
    run_fit(model, [ckpt], epochs=4, val_losses=[0.5, 0.7, 0.25, 0.3])
    assert sorted(os.listdir(tmp_path)) == ["ckpt-01-0.50.keras", "ckpt-03-0.25.keras"]
    assert [kind for kind, _ in model.saved] == ["model", "model"]
    out = capsys.readouterr().out
    assert "\nEpoch 1: val_loss improved from None to 0.50000, saving model to " \
        f"{tmp_path / 'ckpt-01-0.50.keras'}\n\nEpoch 1: finished saving model to " \
        f"{tmp_path / 'ckpt-01-0.50.keras'}\n" in out
    assert "Epoch 2: val_loss did not improve from 0.50000\n" in out
    assert "finished saving model to" not in out.split("Epoch 2:")[1].split("Epoch 3:")[0]
    weights = np.load(tmp_path / "ckpt-03-0.25.keras")
    assert weights["arr_0"].shape == (2, 2)


def test_model_checkpoint_weights_only_every_n_batches(tmp_path):
    model = FakeModel()
    ckpt = cbks.ModelCheckpoint(str(tmp_path / "w-{epoch}-{batch}.weights.h5"),
                                save_weights_only=True, save_freq=3)
    run_fit(model, [ckpt], epochs=2, steps=4)
    assert sorted(os.listdir(tmp_path)) == ["w-1-3.weights.h5", "w-2-2.weights.h5"]
    assert {kind for kind, _ in model.saved} == {"weights"}
    with pytest.raises(KeyError, match="val_acc"):
        run_fit(FakeModel(), [cbks.ModelCheckpoint(str(tmp_path / "{val_acc}.keras"))],
                epochs=1)


def test_learning_rate_scheduler_sets_the_optimizer_variable(capsys):
    model = FakeModel(optimizers.Adam(0.1))
    sched = cbks.LearningRateScheduler(lambda epoch, lr: lr if epoch < 1 else lr * 0.5,
                                       verbose=1)
    history = run_fit(model, [sched], epochs=3)
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.025])
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(0.025)
    assert "LearningRateScheduler setting learning rate to 0.05" in capsys.readouterr().out
    only_epoch = cbks.LearningRateScheduler(lambda epoch: 0.5 ** epoch)
    model = FakeModel()
    run_fit(model, [only_epoch], epochs=3)
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(0.25)


def test_reduce_lr_on_plateau_with_cooldown_and_min_lr():
    model = FakeModel(optimizers.SGD(1.0))
    cb = cbks.ReduceLROnPlateau(factor=0.5, patience=1, cooldown=2, min_lr=0.2)
    history = run_fit(model, [cb], epochs=8, val_losses=[1.0] * 8)
    # epoch 0 sets best; 1 reduces; 2 cools down; 3 reduces; ... (Keras counts cooldown
    # down before checking it, so cooldown=2 pauses one epoch)
    assert history.history["learning_rate"] == pytest.approx(
        [1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.2, 0.2])
    with pytest.raises(ValueError, match="factor"):
        cbks.ReduceLROnPlateau(factor=1.5)


def test_csv_logger_writes_rows_and_appends(tmp_path):
    path = tmp_path / "log.csv"
    run_fit(FakeModel(), [cbks.CSVLogger(path)], epochs=2, val_losses=[0.5, 0.25])
    rows = list(csv.reader(open(path)))
    assert rows[0] == ["epoch", "loss", "val_loss"]
    assert [r[0] for r in rows[1:]] == ["0", "1"] and rows[2][2] == "0.25"
    run_fit(FakeModel(), [cbks.CSVLogger(path, separator=",", append=True)], epochs=1,
            val_losses=[0.125])
    rows = list(csv.reader(open(path)))
    assert len(rows) == 4 and rows[3][2] == "0.125"
    run_fit(FakeModel(), [cbks.CSVLogger(path, separator=";")], epochs=1, val_losses=[1.0])
    assert open(path).read().splitlines()[0] == "epoch;loss;val_loss"
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".tmp")]


def test_terminate_on_nan(capsys):
    model = FakeModel()
    cb = cbks.TerminateOnNaN()
    cb.set_model(model)
    cb.on_train_batch_end(0, {"loss": 1.0})
    assert not model.stop_training
    cb.on_train_batch_end(5, {"loss": np.inf})
    assert model.stop_training
    assert "Batch 5: Invalid loss, terminating training" in capsys.readouterr().out


def test_lambda_callback():
    seen = []
    cb = cbks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch),
                             on_train_end=lambda logs: seen.append("end"))
    run_fit(FakeModel(), [cb], epochs=2)
    assert seen == [0, 1, "end"]
    with pytest.raises(ValueError, match="unknown hook"):
        cbks.LambdaCallback(on_everything=print)


class Crash(Exception):
    pass


def _crash_at(epoch_to_crash, batch_to_crash):
    def hook(epoch, batch):
        if (epoch, batch) == (epoch_to_crash, batch_to_crash):
            raise Crash()
    return hook


@pytest.mark.parametrize("save_freq", ["epoch", 2])
def test_backup_and_restore_resumes_to_the_same_weights(tmp_path, save_freq):
    reference = FakeModel(optimizers.Adam(0.05))
    run_fit(reference, [], epochs=5)

    backup = str(tmp_path / "backup")
    first = FakeModel(optimizers.Adam(0.05))
    with pytest.raises(Crash):
        run_fit(first, [cbks.BackupAndRestore(backup, save_freq=save_freq)], epochs=5,
                on_batch=_crash_at(3, 1 if save_freq == "epoch" else 2))
    assert os.listdir(backup) == ["state.npz"]
    second = FakeModel(optimizers.Adam(0.05))  # a fresh process: new model and optimizer
    if save_freq == "epoch":
        run_fit(second, [cbks.BackupAndRestore(backup)], epochs=5)
        assert second._initial_epoch == 3
        for got, expected in zip(second.get_weights(), reference.get_weights()):
            np.testing.assert_allclose(got, expected, rtol=1e-6)
        assert int(second.optimizer.iterations) == int(reference.optimizer.iterations)
    else:
        cb = cbks.BackupAndRestore(backup, save_freq=save_freq)
        cb.set_model(second)
        cb.on_train_begin()
        assert second._initial_epoch == 3  # the batch-level backup restarts epoch 4
        assert int(second.optimizer.iterations) == 3 * 4 + 2
    assert not os.path.exists(backup) or save_freq != "epoch"


def test_backup_is_deleted_only_when_asked(tmp_path):
    keep = str(tmp_path / "keep")
    run_fit(FakeModel(), [cbks.BackupAndRestore(keep, delete_checkpoint=False)], epochs=2)
    assert os.path.exists(os.path.join(keep, "state.npz"))
    with pytest.raises(ValueError, match="save_freq"):
        cbks.BackupAndRestore(keep, save_freq="sometimes")


def test_tensorboard_event_files_read_back(tmp_path):
    pytest.importorskip("tensorboard")  # an optional extra: fluxion[tensorboard]
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    model = FakeModel()
    tb = cbks.TensorBoard(log_dir=str(tmp_path), histogram_freq=1, update_freq=2)
    history = run_fit(model, [tb], epochs=3, steps=4, val_losses=[0.9, 0.8, 0.7])
    train = EventAccumulator(str(tmp_path / "train"), size_guidance={"histograms": 0})
    train.Reload()
    assert [s.step for s in train.Scalars("epoch_loss")] == [0, 1, 2]
    np.testing.assert_allclose([s.value for s in train.Scalars("epoch_loss")],
                               history.history["loss"], rtol=1e-6)
    assert [s.step for s in train.Scalars("batch_loss")] == [2, 4, 6, 8, 10, 12]
    hist = train.Histograms("dense/kernel/histogram")
    assert len(hist) == 3 and hist[0].histogram_value.num == 4
    assert [n.name for n in train.Graph().node] == ["dense", "dense_1"]
    val = EventAccumulator(str(tmp_path / "validation"))
    val.Reload()
    np.testing.assert_allclose([s.value for s in val.Scalars("epoch_loss")], [0.9, 0.8, 0.7],
                               rtol=1e-6)


def test_tensorboard_missing_package_names_the_extra(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name.startswith("tensorboard"):
            raise ImportError("No module named 'tensorboard'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImportError, match=r"pip install fluxion\[tensorboard\]"):
        cbks.TensorBoard()


class _CrashAt(cbks.Callback):
    def __init__(self, epoch, batch):
        super().__init__()
        self.at, self.epoch = (epoch, batch), None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.at:
            raise Crash()


def test_backup_and_restore_with_dropout_resumes_bit_identically(tmp_path):
    from fluxion import keras
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 6)).astype(np.float32)
    y = rng.integers(0, 3, 64)

    def model():
        keras.utils.set_random_seed(7)  # each "process" starts the same way
        m = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dropout(0.5), keras.layers.Dense(3)])
        m.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(True))
        return m

    def fit(m, callbacks):
        m.fit(x, y, batch_size=16, epochs=4, shuffle=False, verbose=0, callbacks=callbacks)

    reference = model()
    fit(reference, [])
    backup = str(tmp_path / "backup")
    with pytest.raises(Crash):
        fit(model(), [cbks.BackupAndRestore(backup), _CrashAt(2, 1)])
    resumed = model()
    fit(resumed, [cbks.BackupAndRestore(backup)])
    for got, expected in zip(resumed.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(got, expected)
