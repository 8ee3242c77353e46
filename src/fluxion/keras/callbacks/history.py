"""Callbacks that record or show progress: History, ProgbarLogger, CSVLogger, TerminateOnNaN,
LambdaCallback."""
import csv
import io
import math
import os

import numpy as np

from ..trainers.progbar import Progbar
from .callback import Callback
from .files import write_atomically


class History(Callback):
    """Records each epoch's logs: `history[name]` is the list of values, `epoch` the epochs.

    `fit` returns it, and it becomes `model.history`.

    Example:
    >>> h = History(); h.on_train_begin()
    >>> h.on_epoch_end(0, {"loss": 0.5}); h.on_epoch_end(1, {"loss": 0.25})
    >>> h.history, h.epoch
    ({'loss': [0.5, 0.25]}, [0, 1])
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self


class ProgbarLogger(Callback):
    """Prints the progress of `fit`/`evaluate`/`predict` in Keras's format (see `Progbar`):
    `Epoch 1/20` then the bar; validation metrics appear on the epoch's final line.

    Logs from the trainer are running results (metrics accumulated since the epoch began), so
    they are shown as given.

    Example:
    >>> cb = ProgbarLogger()
    >>> cb.set_params({"verbose": 2, "epochs": 1, "steps": 2})
    >>> cb.on_train_begin(); cb.on_epoch_begin(0)
    >>> cb.on_train_batch_end(0, {"loss": 1.0}); cb.on_train_batch_end(1, {"loss": 0.5})
    >>> cb.on_epoch_end(0, {"loss": 0.5})  # doctest: +ELLIPSIS
    2/2 - 0s - ...
    """

    def __init__(self, count_mode="steps", stateful_metrics=None):
        super().__init__()
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params):
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def on_train_begin(self, logs=None):
        self._called_in_fit = True

    def _reads_batch_logs(self, kind):
        # Only the bar of verbose=1 shows running values (fit's validation has no bar).
        return self.verbose == 1 and (kind == "train" or not self._called_in_fit)

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._reset()

    def on_predict_begin(self, logs=None):
        self._reset()

    def on_epoch_begin(self, epoch, logs=None):
        self._reset()
        if self.verbose and self.epochs > 1:
            print(f"Epoch {epoch + 1}/{self.epochs}", flush=True)
        self._bar()  # starts the epoch's clock

    def on_train_batch_end(self, batch, logs=None):
        self._update(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._update(batch, None)

    def on_epoch_end(self, epoch, logs=None):
        self._finalize(logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize(logs)

    def on_predict_end(self, logs=None):
        self._finalize(logs)

    def _reset(self):
        self.seen = 0
        self.progbar = None

    def _bar(self):
        if self.progbar is None:
            self.progbar = Progbar(self.target, verbose=self.verbose, stateless_metrics=(),
                                   unit_name="step")
        return self.progbar

    def _update(self, batch, logs):
        self.seen = batch + 1
        if self.verbose == 1:
            self._bar().update(self.seen, list((logs or {}).items()), finalize=False)
        elif self.seen == 1:
            self._bar().update(1, None, finalize=False)  # times the first step apart

    def _finalize(self, logs):
        bar = self._bar()
        if self.target is None:
            self.target = bar.target = self.seen
        bar.update(self.target, list((logs or {}).items()), finalize=True)


class TerminateOnNaN(Callback):
    """Stops training when a batch's loss is NaN or infinite.

    Example:
    >>> class M: stop_training = False
    >>> cb = TerminateOnNaN(); cb.set_model(M())
    >>> cb.on_batch_end(3, {"loss": float("nan")})
    Batch 3: Invalid loss, terminating training
    >>> cb.model.stop_training
    True
    """

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(np.mean(loss))):
            print(f"Batch {batch}: Invalid loss, terminating training", flush=True)
            self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback made of functions: `on_epoch_begin(epoch, logs)`, `on_epoch_end(epoch, logs)`,
    `on_train_batch_begin(batch, logs)`, `on_train_batch_end(batch, logs)`,
    `on_train_begin(logs)`, `on_train_end(logs)` (and any other hook by keyword).

    Example:
    >>> cb = LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))
    >>> cb.on_epoch_end(2, {"loss": 0.1})
    2 0.1
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 **kwargs):
        super().__init__()
        hooks = dict(kwargs, on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end)
        for name, fn in hooks.items():
            if fn is None:
                continue
            if not (name.startswith("on_") and hasattr(Callback, name)):
                raise ValueError(f"LambdaCallback: unknown hook {name!r}.")
            setattr(self, name, fn)


class CSVLogger(Callback):
    """Writes each epoch's logs as a row of a CSV file (`epoch` first, then the sorted keys).

    The columns are fixed by the first epoch's logs; when those have no `val_` keys, a
    `val_<key>` column is added for each key (as Keras does), written `NA` until validation
    values arrive (e.g. with `validation_freq`). With `append=True` the rows are added after
    the existing ones, without a second header.

    The file is rewritten atomically after each epoch (a temporary file renamed over it), so it
    is never left half-written.

    Args:
        filename: the CSV file.
        separator: the field separator. Default ",".
        append: keep the rows of an existing file (for resumed runs). Default False.

    Example:
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
    >>> cb = CSVLogger(path); cb.on_train_begin(); cb.on_epoch_end(0, {"loss": 0.5})
    >>> open(path).read()
    'epoch,loss,val_loss\\n0,0.5,NA\\n'
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename = os.fspath(filename)
        self.sep, self.append = separator, append
        self.keys = None
        self._rows = []
        self._previous = ""

    def on_train_begin(self, logs=None):
        self.keys = None
        self._rows = []
        self._previous = ""
        if self.append and os.path.exists(self.filename):
            with open(self.filename, newline="") as f:
                self._previous = f.read()
            if self._previous and not self._previous.endswith("\n"):
                self._previous += "\n"

    @staticmethod
    def _text(value):
        if isinstance(value, str):
            return value
        array = np.asarray(value)
        if array.ndim == 0:
            return str(array.item())
        return '"[{}]"'.format(", ".join(str(v) for v in array.ravel()))

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys += [f"val_{k}" for k in self.keys]
        row = [str(epoch)] + [self._text(logs[k]) if k in logs else "NA" for k in self.keys]
        self._rows.append(row)
        out = io.StringIO()
        out.write(self._previous)
        writer = csv.writer(out, delimiter=self.sep, lineterminator="\n")
        if not self._previous.strip("\n"):
            writer.writerow(["epoch"] + self.keys)
        writer.writerows(self._rows)
        write_atomically(self.filename, out.getvalue().encode())
