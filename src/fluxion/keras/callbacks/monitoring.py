"""Callbacks that watch a metric: EarlyStopping, ReduceLROnPlateau; and LearningRateScheduler."""
import operator
import warnings

import numpy as np

from .callback import Callback


def _compiled_metrics(model):
    compiled = getattr(model, "compiled_metrics", None)
    return [m for _, m, _ in getattr(compiled, "metrics", ())]


class MonitorCallback(Callback):
    """Base of the callbacks that watch a metric (EarlyStopping, ModelCheckpoint,
    ReduceLROnPlateau): `monitor`, `mode`, `min_delta` and the comparison `monitor_op`.

    With mode "auto", `monitor_op` is set at the first `on_epoch_end` (once the compiled
    metrics exist), as Keras does: "loss" and "val_loss" are minimised; another name must be
    a compiled metric's (without "val_") with a known `_direction` ("up" for accuracy, AUC,
    precision, ...; "down" for errors, crossentropies and metrics wrapping a loss), else a
    ValueError asks for an explicit mode.

    Example:
    >>> cb = MonitorCallback(monitor="val_loss"); cb._set_monitor_op(); cb.monitor_op(1, 2)
    True
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto "
                          "mode.", stacklevel=3)
            mode = "auto"
        self.monitor, self.mode, self.best = monitor, mode, baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self):
        if self.mode == "min":
            self.monitor_op = operator.lt
        elif self.mode == "max":
            self.monitor_op = operator.gt
        else:
            name = self.monitor[4:] if self.monitor.startswith("val_") else self.monitor
            if name == "loss":
                self.monitor_op = operator.lt
            for metric in _compiled_metrics(self.model):
                direction = getattr(metric, "_direction", None) if metric.name == name else None
                if direction is not None:
                    self.monitor_op = operator.gt if direction == "up" else operator.lt
            if self.monitor_op is None:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor={self.monitor}, but "
                    "Keras isn't able to automatically determine whether that metric should "
                    "be maximized or minimized. Pass `mode='max'` in order to monitor based "
                    "on the highest metric value, or pass `mode='min'` in order to use the "
                    "lowest value.")
        if self.monitor_op is operator.lt:
            self.min_delta = -abs(self.min_delta)

    def _is_improvement(self, value, reference):
        return reference is None or self.monitor_op(value - self.min_delta, reference)


def _value(logs, monitor):
    value = (logs or {}).get(monitor)
    return None if value is None else float(np.mean(value))


class EarlyStopping(MonitorCallback):
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
        super().__init__(monitor, mode, None, min_delta)
        self.patience, self.verbose = patience, verbose
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.wait = self.stopped_epoch = self.best_epoch = 0
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self.wait = self.stopped_epoch = self.best_epoch = 0
        self.best = self.best_weights = None

    def get_monitor_value(self, logs):
        value = _value(logs, self.monitor)
        if value is None:
            warnings.warn(f"Early stopping conditioned on metric `{self.monitor}` which is not "
                          f"available. Available metrics are: {','.join(logs or {})}",
                          stacklevel=3)
        return value

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
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


class ReduceLROnPlateau(MonitorCallback):
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
        if "epsilon" in kwargs:  # tf.keras 1 name
            min_delta = kwargs.pop("epsilon")
        if kwargs:
            raise ValueError(f"ReduceLROnPlateau: unexpected arguments {sorted(kwargs)}.")
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0. Received: "
                             f"factor={factor}")
        super().__init__(monitor, mode, None, min_delta)
        self.factor, self.patience, self.verbose = factor, patience, verbose
        self.cooldown, self.min_lr = cooldown, min_lr
        self._reset()

    def _reset(self):
        self.best = None
        self.cooldown_counter = self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
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
        if self._is_improvement(current, self.best):
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
