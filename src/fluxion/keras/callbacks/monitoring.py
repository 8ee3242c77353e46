"""Callbacks that watch a metric: EarlyStopping, ReduceLROnPlateau; and LearningRateScheduler."""
import operator
import warnings

import numpy as np

from .callback import Callback

_MAXIMIZED = ("acc", "auc", "precision", "recall", "f1", "top_k", "iou", "r2")


def monitor_mode(monitor, mode, caller):
    """Resolves mode "auto": metrics such as accuracy, AUC, precision, recall are maximised;
    losses and errors minimised. Returns "min" or "max"."""
    if mode not in ("auto", "min", "max"):
        warnings.warn(f"{caller}: mode {mode!r} is unknown, falling back to 'auto'.",
                      stacklevel=3)
        mode = "auto"
    if mode != "auto":
        return mode
    name = monitor[4:] if monitor.startswith("val_") else monitor
    if "loss" in name or "error" in name or "entropy" in name:
        return "min"
    return "max" if any(key in name for key in _MAXIMIZED) else "min"


def _value(logs, monitor):
    value = (logs or {}).get(monitor)
    return None if value is None else float(np.mean(value))


class EarlyStopping(Callback):
    """Stops training when a monitored metric has stopped improving.

    Args:
        monitor: the metric watched. Default "val_loss".
        min_delta: a change smaller than this is not an improvement.
        patience: epochs without improvement before stopping. Default 0.
        verbose: 1 prints when training stops and when weights are restored.
        mode: "auto" (from the metric's name), "min" or "max".
        baseline: training stops after `patience` epochs unless the metric beats it.
        restore_best_weights: at the end, restore the weights of the best epoch.
        start_from_epoch: epochs to wait before watching (a warm-up).

    Example:
    >>> class M: stop_training = False
    >>> cb = EarlyStopping(monitor="loss", patience=1); cb.set_model(M()); cb.on_train_begin()
    >>> for epoch, loss in enumerate([1.0, 0.5, 0.6, 0.7]):
    ...     cb.on_epoch_end(epoch, {"loss": loss})
    ...     if cb.model.stop_training:
    ...         break
    >>> cb.stopped_epoch, cb.model.stop_training
    (2, True)
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.monitor, self.patience, self.verbose = monitor, patience, verbose
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.mode = monitor_mode(monitor, mode, "EarlyStopping")
        self.monitor_op = operator.lt if self.mode == "min" else operator.gt
        self.min_delta = abs(min_delta) * (-1 if self.mode == "min" else 1)
        self.wait = self.stopped_epoch = self.best_epoch = 0
        self.best = self.best_weights = None

    def on_train_begin(self, logs=None):
        self.wait = self.stopped_epoch = self.best_epoch = 0
        self.best = self.best_weights = None

    def _is_improvement(self, value, reference):
        return reference is None or self.monitor_op(value - self.min_delta, reference)

    def get_monitor_value(self, logs):
        value = _value(logs, self.monitor)
        if value is None:
            warnings.warn(f"Early stopping conditioned on metric `{self.monitor}` which is not "
                          f"available. Available metrics are: {','.join(logs or {})}",
                          stacklevel=3)
        return value

    def on_epoch_end(self, epoch, logs=None):
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping", flush=True)
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print("Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.", flush=True)
            self.model.set_weights(self.best_weights)


def _current_lr(model):
    return float(np.asarray(model.optimizer.learning_rate))


class LearningRateScheduler(Callback):
    """Sets the optimizer's learning rate at the start of each epoch to
    `schedule(epoch, current_lr)` (or `schedule(epoch)`); logs it as `learning_rate`.

    Example:
    >>> class Opt: learning_rate = 0.1
    >>> class M: optimizer = Opt()
    >>> cb = LearningRateScheduler(lambda epoch, lr: lr / 2); cb.set_model(M())
    >>> cb.on_epoch_begin(0); M.optimizer.learning_rate
    0.05
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        if not hasattr(self.model.optimizer, "learning_rate"):
            raise ValueError('LearningRateScheduler: the optimizer must have a "learning_rate" '
                             "attribute.")
        lr = _current_lr(self.model)
        try:
            lr = self.schedule(epoch, lr)
        except TypeError:  # a schedule of the epoch only
            lr = self.schedule(epoch)
        try:
            lr = float(np.asarray(lr))
        except (TypeError, ValueError):
            raise ValueError("LearningRateScheduler: the output of the schedule function "
                             f"should be a float. Received: {lr!r}") from None
        self.model.optimizer.learning_rate = lr
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.",
                  flush=True)

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = _current_lr(self.model)


class ReduceLROnPlateau(Callback):
    """Multiplies the learning rate by `factor` when a metric has stopped improving for
    `patience` epochs, then waits `cooldown` epochs; never below `min_lr`.

    Args:
        monitor: default "val_loss". factor: default 0.1 (must be < 1). patience: default 10.
        mode: "auto", "min" or "max". min_delta: default 1e-4. cooldown: default 0.
        min_lr: default 0.

    Example:
    >>> class Opt: learning_rate = 1.0
    >>> class M: optimizer = Opt()
    >>> cb = ReduceLROnPlateau(monitor="loss", patience=1); cb.set_model(M())
    >>> cb.on_train_begin()
    >>> for epoch, loss in enumerate([1.0, 1.0]):
    ...     cb.on_epoch_end(epoch, {"loss": loss})
    >>> M.optimizer.learning_rate
    0.1
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        super().__init__()
        if "epsilon" in kwargs:  # tf.keras 1 name
            min_delta = kwargs.pop("epsilon")
        if kwargs:
            raise ValueError(f"ReduceLROnPlateau: unexpected arguments {sorted(kwargs)}.")
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0. Received: "
                             f"factor={factor}")
        self.monitor, self.factor, self.patience, self.verbose = monitor, factor, patience, \
            verbose
        self.min_delta, self.cooldown, self.min_lr = min_delta, cooldown, min_lr
        self.mode = "min" if mode == "min" or (mode == "auto" and monitor_mode(
            monitor, "auto", "ReduceLROnPlateau") == "min") else "max"
        self._reset()

    def _reset(self):
        self.best = np.inf if self.mode == "min" else -np.inf
        self.cooldown_counter = self.wait = 0

    def _improved(self, current):
        if self.mode == "min":
            return current < self.best - self.min_delta
        return current > self.best + self.min_delta

    def on_train_begin(self, logs=None):
        self._reset()

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["learning_rate"] = _current_lr(self.model)
        current = _value(logs, self.monitor)
        if current is None:
            warnings.warn(f"Learning rate reduction is conditioned on metric `{self.monitor}` "
                          f"which is not available. Available metrics are: {','.join(logs)}.",
                          stacklevel=2)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improved(current):
            self.best, self.wait = current, 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = _current_lr(self.model)
                if old_lr > np.float32(self.min_lr):
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    self.model.optimizer.learning_rate = new_lr
                    if self.verbose > 0:
                        print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate "
                              f"to {new_lr}.", flush=True)
                    self.cooldown_counter, self.wait = self.cooldown, 0
