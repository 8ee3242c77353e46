"""Callbacks that write checkpoints: ModelCheckpoint and BackupAndRestore. Every file is written
to a temporary name and renamed, so an interrupted run never leaves a partial checkpoint."""
import json
import os
import shutil
import warnings

import numpy as np

from ..saving.weights import seed_generators
from .callback import Callback
from .files import save_atomically
from .monitoring import MonitorCallback, _value


class ModelCheckpoint(MonitorCallback):
    """Saves the model (or its weights) every epoch or every `save_freq` batches.

    Args:
        filepath: the path; it may hold `{epoch:02d}` and logs keys (`{val_loss:.2f}`). It
            must end in `.weights.h5` with `save_weights_only=True`, else in `.keras` (or
            the legacy `.h5`).
        monitor: the metric for `save_best_only`. Default "val_loss".
        verbose: 1 prints a message at each save.
        save_best_only: save only when the monitored metric improves.
        save_weights_only: call `model.save_weights(path)` instead of `model.save(path)`.
        mode: "auto", "min" or "max".
        save_freq: "epoch" or a number of batches.
        initial_value_threshold: the value the metric must first beat (save_best_only).

    Raises:
        ValueError: for a filepath with the wrong extension or an invalid `save_freq`.

    Example:
    >>> import os, tempfile
    >>> class M:
    ...     def save_weights(self, path, overwrite=True): open(path, "w").write("w")
    >>> d = tempfile.mkdtemp()
    >>> cb = ModelCheckpoint(os.path.join(d, "w{epoch:02d}.weights.h5"), save_weights_only=True)
    >>> cb.set_model(M()); cb.on_epoch_end(0, {"loss": 1.0})
    >>> os.listdir(d)
    ['w01.weights.h5']
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None, options=None, **kwargs):
        super().__init__(monitor, mode, initial_value_threshold)
        if "period" in kwargs:  # tf.keras 1: save every `period` epochs
            self.period = int(kwargs.pop("period"))
        else:
            self.period = 1
        if kwargs:
            raise ValueError(f"ModelCheckpoint: unexpected arguments {sorted(kwargs)}.")
        if save_freq != "epoch" and not (isinstance(save_freq, int) and save_freq > 0):
            raise ValueError('ModelCheckpoint: unrecognized save_freq. Expected "epoch" or a '
                             f"positive integer. Received: save_freq={save_freq!r}")
        self.filepath = os.fspath(filepath)
        self.verbose = verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.save_freq = save_freq
        if save_weights_only and not self.filepath.endswith(".weights.h5"):
            raise ValueError("When using `save_weights_only=True` in `ModelCheckpoint`, the "
                             "filepath provided must end in `.weights.h5` (Keras weights "
                             f"format). Received: filepath={self.filepath}")
        if not save_weights_only and not self.filepath.endswith((".keras", ".h5")):
            raise ValueError("The filepath provided must end in `.keras` (Keras model "
                             f"format). Received: filepath={self.filepath}")
        self._batches_seen = 0
        self._current_epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_seen += 1
        if self._batches_seen >= self.save_freq:
            self._batches_seen = 0
            self._save(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()  # mode "auto": once the compiled metrics exist
        if self.save_freq == "epoch" and (epoch + 1) % self.period == 0:
            self._save(epoch, None, logs)

    def _file_path(self, epoch, batch, logs):
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as error:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". '
                           f"Reason: {error}. Available keys: epoch, batch, "
                           f"{', '.join(logs)}.") from None

    def _save(self, epoch, batch, logs):
        logs = dict(logs or {})
        path = self._file_path(epoch, batch, logs)
        current = _value(logs, self.monitor) if self.save_best_only else None
        if self.save_best_only and current is None:
            # Keras saves anyway
            warnings.warn(f"Can save best model only with {self.monitor} available.",
                          stacklevel=3)
        elif self.save_best_only:
            if self.monitor_op is None:
                self._set_monitor_op()  # saving every few batches, before an epoch ended
            best = "None" if self.best is None else f"{self.best:.5f}"
            if not self._is_improvement(current, self.best):
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}",
                          flush=True)
                return
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                      f"{current:.5f}, saving model to {path}", flush=True)
            self.best = current
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: saving model to {path}", flush=True)
        if self.save_weights_only:
            save_atomically(path, lambda tmp: self.model.save_weights(tmp, overwrite=True))
        else:
            save_atomically(path, lambda tmp: self.model.save(tmp, overwrite=True))
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: finished saving model to {path}", flush=True)


class BackupAndRestore(Callback):
    """Backs up the training state so that an interrupted `fit` resumes where it stopped.

    At the end of each epoch (or every `save_freq` batches) one file, `backup_dir/state.npz`,
    is written atomically with the model's weights (`model.get_weights()`), the optimizer's
    variables (`model.optimizer.variables`: iterations, learning rate, slots), the state of the
    layers' seed generators (Dropout masks continue where they stopped) and the number of
    finished epochs. On `on_train_begin`, an existing backup is restored: weights with
    `model.set_weights`, the optimizer (built on `model.trainable_variables` first if needed),
    the seed generators, and `model._initial_epoch`, from which the trainer resumes. The backup
    is deleted when training ends normally (`delete_checkpoint=True`).

    Args:
        backup_dir: the directory of the backup (created if missing).
        save_freq: "epoch", False (never), or a number of batches.
        delete_checkpoint: delete the backup after training completes.
        double_checkpoint: keep the previous backup as `state.prev.npz`.

    Example:
    >>> import tempfile
    >>> cb = BackupAndRestore(tempfile.mkdtemp())
    >>> os.path.basename(cb.state_path)
    'state.npz'
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False,
                 delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("BackupAndRestore: empty `backup_dir` argument passed.")
        if save_freq not in ("epoch", False) and not (isinstance(save_freq, int)
                                                      and save_freq > 0):
            raise ValueError("BackupAndRestore: invalid value for argument `save_freq`. "
                             f"Received: save_freq={save_freq!r}. Expected 'epoch', False or "
                             "a positive integer.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq, self.delete_checkpoint = save_freq, delete_checkpoint
        self.double_checkpoint = double_checkpoint
        self.state_path = os.path.join(self.backup_dir, "state.npz")
        self._prev_path = os.path.join(self.backup_dir, "state.prev.npz")
        self._current_epoch = 0
        self._batches_seen = 0

    def on_train_begin(self, logs=None):
        if not os.path.exists(self.state_path):
            return
        with np.load(self.state_path, allow_pickle=False) as data:
            meta = json.loads(str(data["metadata"]))
            weights = [data[f"model_{i}"] for i in range(meta["num_model"])]
            slots = [data[f"optimizer_{i}"] for i in range(meta["num_optimizer"])]
            seeds = [data[f"seed_{i}"] for i in range(meta.get("num_seed", 0))]
        self.model.set_weights(weights)
        for generator, seed in zip(seed_generators(self.model), seeds):
            generator.state.assign(seed)
        optimizer = getattr(self.model, "optimizer", None)
        if slots and optimizer is not None:
            if not optimizer.built:
                optimizer.build(self.model.trainable_variables)
            optimizer.set_weights(slots)
        self._current_epoch = meta["epoch"]
        self.model._initial_epoch = meta["epoch"]

    def on_epoch_begin(self, epoch, logs=None):
        self._batches_seen = 0

    def on_train_batch_end(self, batch, logs=None):
        if isinstance(self.save_freq, int) and self.save_freq is not False:
            self._batches_seen += 1
            if self._batches_seen % self.save_freq == 0:
                self._save()

    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        if self.save_freq == "epoch":
            self._save()

    def _save(self):
        optimizer = getattr(self.model, "optimizer", None)
        slots = [np.array(v.numpy()) for v in optimizer.variables] \
            if optimizer is not None and getattr(optimizer, "built", True) else []
        weights = [np.asarray(w) for w in self.model.get_weights()]
        seeds = [np.array(g.state.numpy()) for g in seed_generators(self.model)]
        meta = {"epoch": self._current_epoch, "num_model": len(weights),
                "num_optimizer": len(slots), "num_seed": len(seeds)}
        arrays = {f"model_{i}": w for i, w in enumerate(weights)}
        arrays.update({f"optimizer_{i}": s for i, s in enumerate(slots)})
        arrays.update({f"seed_{i}": s for i, s in enumerate(seeds)})
        arrays["metadata"] = np.array(json.dumps(meta))
        if self.double_checkpoint and os.path.exists(self.state_path):
            shutil.copyfile(self.state_path, self._prev_path)

        def write(tmp):
            with open(tmp, "wb") as f:
                np.savez(f, **arrays)
                f.flush()
                os.fsync(f.fileno())

        save_atomically(self.state_path, write)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)
