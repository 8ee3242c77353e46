"""`Callback` (hooks called by `fit`, `evaluate` and `predict`) and `CallbackList`.

What callbacks may use of the model (the trainer's contract): `model.stop_training` (set to
True to stop after the current epoch), `model.optimizer` (with a settable `learning_rate`,
`variables`, `built` and `build(var_list)`), `model.get_weights()` / `model.set_weights()`,
`model.trainable_variables`, `model.save(path)` / `model.save_weights(path)`, and
`model._initial_epoch` (set by BackupAndRestore in `on_train_begin`; the trainer then starts
from that epoch).
"""


class Callback:
    """Base class of callbacks: override the `on_*` hooks you need.

    Attributes:
        params: a dict of the run's parameters (`verbose`, `epochs`, `steps`).
        model: the model being trained.

    Example:
    >>> class Printer(Callback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         print(f"epoch {epoch}: {logs}")
    >>> Printer().on_epoch_end(0, {"loss": 1.0})
    epoch 0: {'loss': 1.0}
    """

    def __init__(self):
        self.params = None
        self._model = None

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self._model = model

    @property
    def model(self):
        return self._model

    def on_batch_begin(self, batch, logs=None):
        """Legacy alias of `on_train_batch_begin`."""

    def on_batch_end(self, batch, logs=None):
        """Legacy alias of `on_train_batch_end`."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of an epoch (training only)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of an epoch with its metrics (and validation metrics `val_*`)."""

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        """Called before each batch of `evaluate` (and validation in `fit`)."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after each batch of `evaluate` (and validation in `fit`)."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before each batch of `predict`."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after each batch of `predict`."""

    def on_train_begin(self, logs=None):
        """Called at the start of `fit`."""

    def on_train_end(self, logs=None):
        """Called at the end of `fit`."""

    def on_test_begin(self, logs=None):
        """Called at the start of `evaluate` (and of validation in `fit`)."""

    def on_test_end(self, logs=None):
        """Called at the end of `evaluate` (and of validation in `fit`)."""

    def on_predict_begin(self, logs=None):
        """Called at the start of `predict`."""

    def on_predict_end(self, logs=None):
        """Called at the end of `predict`."""

    def _reads_batch_logs(self, kind):
        """Whether the logs given to `on_<kind>_batch_end` (kind "train" or "test") may be read:
        true when that hook (or the legacy `on_batch_end`, for training) is overridden. When no
        callback reads them, `fit` and `evaluate` do not compute them batch by batch."""
        hooks = (f"on_{kind}_batch_end",) + (("on_batch_end",) if kind == "train" else ())
        return any(name in vars(self) or getattr(type(self), name) is not getattr(Callback, name)
                   for name in hooks)


_HOOKS = ("on_batch_begin", "on_batch_end", "on_epoch_begin", "on_epoch_end",
          "on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin",
          "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end",
          "on_train_begin", "on_train_end", "on_test_begin", "on_test_end",
          "on_predict_begin", "on_predict_end")


class CallbackList(Callback):
    """Calls a list of callbacks in order; adds `History` and `ProgbarLogger` when asked.

    Args:
        callbacks: the user's callbacks.
        add_history: append a `History` unless one is given.
        add_progbar: append a `ProgbarLogger` unless one is given.
        model: the model, given to every callback.
        **params: the run's parameters, given to every callback (`verbose`, `epochs`,
            `steps`).

    Example:
    >>> cbs = CallbackList([], add_history=True, model=None, epochs=1, steps=1, verbose=0)
    >>> [type(c).__name__ for c in cbs.callbacks]
    ['History']
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None,
                 **params):
        super().__init__()
        from .history import History, ProgbarLogger
        self.callbacks = list(callbacks or [])
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks must be keras.callbacks.Callback instances. "
                                f"Received: {cb!r} of type {type(cb).__name__}.")
        self._history = next((c for c in self.callbacks if isinstance(c, History)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        self._progbar = next((c for c in self.callbacks if isinstance(c, ProgbarLogger)), None)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)

    def append(self, callback):
        self.callbacks.append(callback)

    def set_params(self, params):
        self.params = params
        for cb in self.callbacks:
            cb.set_params(params)

    def set_model(self, model):
        self._model = model
        for cb in self.callbacks:
            cb.set_model(model)

    def __iter__(self):
        return iter(self.callbacks)

    def _reads_batch_logs(self, kind):
        return any(cb._reads_batch_logs(kind) for cb in self.callbacks)


def _dispatch(hook):
    """Calls `hook` on every callback, always passing `logs` positionally (as Keras does), so
    that functions such as `lambda epoch, logs: ...` work; `logs` is a dict (`{}` when none is
    given), never None, as in Keras."""
    if hook.endswith(("_begin", "_end")) and ("batch" in hook or "epoch" in hook):
        def call(self, index, logs=None):
            logs = {} if logs is None else logs
            for cb in self.callbacks:
                getattr(cb, hook)(index, logs)
    else:
        def call(self, logs=None):
            logs = {} if logs is None else logs
            for cb in self.callbacks:
                getattr(cb, hook)(logs)
    call.__name__ = hook
    return call


for _hook in _HOOKS:
    setattr(CallbackList, _hook, _dispatch(_hook))
