"""`compile`, `fit`, `evaluate`, `predict` and the `*_on_batch` calls: the training half of Model.

Each of train/test/predict has a `*_step` (one batch: written with fluxion ops, a GradientTape
and the optimizer) and a `make_*_function` that compiles that step with `fluxion.function`
(unless `run_eagerly`) once, and reuses it for every batch and every later call.
"""
import math
import warnings

import numpy as np

from ...autodiff.tape import GradientTape
from ...core import nest
from ...graph.function import Function, function
from ...graph.function import run_eagerly as functions_run_eagerly
from ...ops import math_ops
from .. import optimizers as optimizers_module
from ..metrics import Mean
from . import data_adapter
from .compile_utils import CompileLoss, CompileMetrics, total_regularization
from .data_adapter import pack_x_y_sample_weight, unpack_x_y_sample_weight


def _output_names(model):
    graph = getattr(model, "_graph", None)
    if graph is not None:
        names = []
        for t in graph.flat_outputs:
            history = getattr(t, "_keras_history", None)
            names.append(history[0].name if history is not None else f"output_{len(names)}")
        return names
    layers = getattr(model, "layers", None)
    if layers and type(model).__name__ == "Sequential":
        return [layers[-1].name]
    return ["output_0"]


def _to_float(value):
    return float(np.asarray(value._value if hasattr(value, "_value") else value))


class Trainer:
    """The training API of `keras.Model` (mixed into Model)."""

    def _init_trainer(self):
        self.optimizer = None
        self.compiled = False
        self.stop_training = False
        self.history = None
        self._train_function = self._test_function = self._predict_function = None
        self._update_functions = {}  # "train"/"test" -> the step without its logs
        self.run_eagerly = False  # predict() works before compile(), as in Keras
        self.steps_per_execution = 1

    # --- compile ---------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True, **kwargs):
        """Configures the model for training.

        Args:
            optimizer: an optimizer name ("adam", "sgd", ...) or instance.
            loss: a loss name, function or `Loss`; a list or dict for several outputs.
            loss_weights: scalar weights of the outputs' losses (list or dict).
            metrics: metric names, functions or `Metric`s ("accuracy" is resolved to binary,
                categorical or sparse accuracy from the loss and the shapes, as Keras does).
            weighted_metrics: metrics that take `sample_weight`/`class_weight` into account.
            run_eagerly: run every step eagerly instead of as a compiled `fluxion.function`.
            steps_per_execution: batches run per call of the compiled function.

        Example:
        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
        >>> model.compile(optimizer="adam", loss="mse", metrics=["mae"])
        """
        if kwargs:
            raise TypeError(f"compile() got unexpected arguments {sorted(kwargs)}.")
        self.optimizer = optimizers_module.get(optimizer)
        self._output_names = _output_names(self)
        self.compiled_loss = CompileLoss(loss, loss_weights, self._output_names)
        self.compiled_metrics = CompileMetrics(metrics, weighted_metrics, self._output_names,
                                               self.compiled_loss.identifiers)
        self._loss_tracker = Mean(name="loss")
        self.run_eagerly = bool(run_eagerly)
        self.steps_per_execution = max(int(steps_per_execution), 1)
        self.loss = loss
        self.compiled = True
        self.stop_training = False
        self._train_function = self._test_function = self._predict_function = None
        self._update_functions = {}

    def _assert_compiled(self, what):
        if not getattr(self, "compiled", False):
            raise ValueError("You must call `compile()` before using the model. "
                             f"{what}() needs the optimizer, loss and metrics that compile() "
                             "sets. Example: model.compile(optimizer='adam', "
                             "loss='sparse_categorical_crossentropy', metrics=['accuracy']).")

    @property
    def metrics(self):
        """The model's metrics: the loss tracker first, then the per-output loss trackers
        (models with several losses), then the compiled metrics."""
        if not getattr(self, "compiled", False):
            return []
        return [self._loss_tracker] + self.compiled_loss.metrics + \
            [m for _, m, _ in self.compiled_metrics.metrics]

    @property
    def metrics_names(self):
        return [m.name for m in self.metrics]

    def reset_metrics(self):
        for metric in self.metrics:
            metric.reset_state()

    def _logs(self):
        """The metrics' results by name, sorted by name as Keras's logs are."""
        logs = self.compiled_metrics.results()
        logs["loss"] = self._loss_tracker.result()
        for tracker in self.compiled_loss.metrics:
            logs[tracker.name] = tracker.result()
        return dict(sorted(logs.items()))

    def _epoch_logs(self, last_step_logs):
        """The logs of an epoch (or evaluation): the metrics' results, or, when a custom step
        returned other keys, what its last call returned (as Keras does)."""
        logs = {k: _to_float(v) for k, v in self._logs().items()}
        if isinstance(last_step_logs, dict):
            step_logs = _float_logs(last_step_logs)
            if set(step_logs) != set(logs):
                return step_logs
        return logs

    def _flatten_logs(self, logs):
        """The list `evaluate`/`*_on_batch` return: the loss, the per-output losses, the
        metrics of a single-output model in compile order, then the other keys sorted
        (Keras's order); a lone loss is returned as a scalar."""
        names = ["loss"] + [t.name for t in self.compiled_loss.metrics]
        if len(self._output_names) == 1:
            names += [m.name for _, m, _ in self.compiled_metrics.metrics]
        ordered = [logs[k] for k in names if k in logs]
        ordered += [logs[k] for k in sorted(logs) if k not in names]
        return ordered[0] if len(ordered) == 1 else ordered

    # --- the steps -----------------------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss of a batch plus the model's regularization losses (`add_loss`).

        Raises:
            ValueError: when there is neither (compile() had no loss and no layer adds one).
        """
        loss = self.compiled_loss(y, y_pred, sample_weight)
        extra = total_regularization(self.losses)
        if extra is None:
            if loss is None:
                raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`, "
                                 "or add one with `add_loss()` in a layer.")
            return loss
        return extra if loss is None else math_ops.add(loss, math_ops.cast(extra, loss.dtype))

    def _update_metrics(self, loss, y, y_pred, sample_weight, batch_size):
        self._loss_tracker.update_state(loss, sample_weight=batch_size)
        self.compiled_metrics.update_state(y, y_pred, sample_weight)

    def train_step(self, data):
        """One optimisation step on a batch; returns the logs.

        `data` is what the data yields: `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`
        (`keras.utils.unpack_x_y_sample_weight` splits it). Override it to customise `fit`;
        the logs it returns reach the callbacks, and those of the epoch's last step become the
        epoch's logs unless they have the keys of `model.metrics`' results."""
        self._train_update(data)
        return self._logs()

    def test_step(self, data):
        """Evaluates a batch (`data` as in `train_step`); returns the logs."""
        self._test_update(data)
        return self._logs()

    def _train_update(self, data):
        """`train_step` without computing the logs: the update and the metric states."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight)
        variables = self.trainable_variables
        grads = tape.gradient(loss, variables)
        self.optimizer.apply_gradients(zip(grads, variables))
        self._update_metrics(loss, y, y_pred, sample_weight, _batch_size(x))

    def _test_update(self, data):
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        self._update_metrics(loss, y, y_pred, sample_weight, _batch_size(x))

    def predict_step(self, data):
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def _compiled(self, step):
        if self.run_eagerly:
            return step
        return function(step, name=step.__name__)

    def make_train_function(self, force=False):
        if self._train_function is None or force:
            self._train_function = self._compiled(self.train_step)
        return self._train_function

    def make_test_function(self, force=False):
        if self._test_function is None or force:
            self._test_function = self._compiled(self.test_step)
        return self._test_function

    def _step_function(self, kind, callback_list):
        """The function `fit` (kind "train") or `evaluate` ("test") runs per batch: the step
        itself, or, when no callback reads the batch logs and neither the step nor its
        `make_*_function` is overridden, the step without computing them (the metrics'
        states are updated either way)."""
        customised = any(getattr(type(self), name) is not getattr(Trainer, name)
                         for name in (f"{kind}_step", f"make_{kind}_function"))
        if customised or (callback_list is not None and callback_list._reads_batch_logs(kind)):
            return getattr(self, f"make_{kind}_function")()
        if kind not in self._update_functions:
            self._update_functions[kind] = self._compiled(getattr(self, f"_{kind}_update"))
        return self._update_functions[kind]

    def make_predict_function(self, force=False):
        if self._predict_function is None or force:
            self._predict_function = self._compiled(self.predict_step)
        return self._predict_function

    def _ensure_built(self, batch):
        """Builds the model, the compiled metrics (so that `model.metrics` lists them in a
        custom step) and the optimizer eagerly from a first `(x, y, sample_weight)` batch,
        before any trace."""
        x, y = batch[0], batch[1]
        y_pred = None if self.built else self(x, training=False)
        metrics = getattr(self, "compiled_metrics", None)
        if metrics is not None and not metrics.built and y is not None:
            metrics.build(y, self(x, training=False) if y_pred is None else y_pred)
        if self.optimizer is not None and not getattr(self.optimizer, "built", True):
            self.optimizer.build(self.trainable_variables)

    # --- fit -------------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Trains the model for `epochs` passes over the data.

        `validation_split` takes the last fraction of the arrays (before shuffling) as
        validation data, as Keras does. Returns a `History` whose `history` dict maps each
        metric (and `val_` metric) to its per-epoch values.

        Example:
        >>> history = model.fit(x_train, y_train, epochs=5, validation_split=0.2)  # doctest: +SKIP
        """
        from ..callbacks import CallbackList
        self._assert_compiled("fit")
        if validation_split and validation_data is None:
            if not data_adapter.is_array_data(x):
                raise ValueError("validation_split is only supported for arrays and tensors, "
                                 "not for Datasets or generators; pass validation_data.")
            x, y, sample_weight = (data_adapter.to_arrays(v) for v in (x, y, sample_weight))
            (x, y, sample_weight), validation_data = data_adapter.split_validation(
                x, y, sample_weight, validation_split)
        batches = data_adapter.make_batches(x, y, sample_weight, batch_size or 32, shuffle,
                                            steps_per_epoch, class_weight)
        callback_list = CallbackList(callbacks, add_history=True,
                                     add_progbar=_verbosity(verbose) != 0, model=self,
                                     verbose=verbose, epochs=epochs, steps=batches.steps)
        train_function = self._step_function("train", callback_list)
        # The compiled update keeps nothing of a batch: the next one may reuse its arrays.
        reuse_buffers = isinstance(batches, data_adapter.ArrayBatches) and \
            isinstance(train_function, Function) and not functions_run_eagerly() and \
            train_function is self._update_functions.get("train")
        self.stop_training = False
        callback_list.on_train_begin({})
        # BackupAndRestore tells where an interrupted run resumes.
        initial_epoch = self.__dict__.pop("_initial_epoch", None) or initial_epoch
        logs = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callback_list.on_epoch_begin(epoch, {})
            step, batch_logs = -1, None
            epoch_batches = batches.epoch(reuse_buffers=True) if reuse_buffers else \
                batches.epoch()
            for step, batch in enumerate(epoch_batches):
                if batches.steps is not None and step >= batches.steps:
                    break
                if step == 0:
                    self._ensure_built(batch)
                callback_list.on_train_batch_begin(step, {})
                batch_logs = train_function(pack_x_y_sample_weight(*batch))
                callback_list.on_train_batch_end(step, batch_logs)
                if self.stop_training:
                    break
            if step < 0:
                raise ValueError("fit: the training data produced no batches. Check that x "
                                 "is not empty and that a dataset or generator is not "
                                 "exhausted.")
            logs = self._epoch_logs(batch_logs)
            if validation_data is not None and _should_validate(epoch, validation_freq):
                val_logs = self._evaluate_logs(validation_data, validation_batch_size or
                                               batch_size or 32, validation_steps,
                                               callback_list)
                logs.update({"val_" + k: v for k, v in val_logs.items()})
                logs = dict(sorted(logs.items()))  # Keras's callbacks get sorted logs
            callback_list.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        self.optimizer.finalize_variable_values(self.trainable_variables)
        callback_list.on_train_end(logs)
        return self.history

    # --- evaluate / predict ----------------------------------------------------------------------
    def _evaluate_logs(self, data, batch_size, steps, callback_list=None):
        if isinstance(data, tuple) and len(data) in (2, 3) and data_adapter.is_array_data(
                data[0]):
            x, y, sw = (data + (None,))[:3]
            batches = data_adapter.make_batches(x, y, sw, batch_size, False, steps)
        else:
            batches = data_adapter.make_batches(data, None, None, batch_size, False, steps)
        test_function = self._step_function("test", callback_list)
        self.reset_metrics()
        batch_logs = None
        if callback_list is not None:
            callback_list.on_test_begin({})
        for step, batch in enumerate(batches.epoch()):
            if batches.steps is not None and step >= batches.steps:
                break
            if step == 0:
                self._ensure_built(batch)
            if callback_list is not None:
                callback_list.on_test_batch_begin(step, {})
            batch_logs = test_function(pack_x_y_sample_weight(*batch))
            if callback_list is not None:
                callback_list.on_test_batch_end(step, batch_logs)
        logs = self._epoch_logs(batch_logs)
        if callback_list is not None:
            callback_list.on_test_end(logs)
        return logs

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """Returns the loss (and metrics) on the given data.

        Returns the scalar loss if the model has no metrics and one output, else the list
        `[loss, *per-output losses, *metrics]` (Keras's order), or with `return_dict=True`
        a dict sorted by name.

        Example:
        >>> loss, accuracy = model.evaluate(x_test, y_test, verbose=0)  # doctest: +SKIP
        """
        from ..callbacks import CallbackList
        self._assert_compiled("evaluate")
        n = None if not data_adapter.is_array_data(x) else data_adapter.num_samples(
            data_adapter.to_arrays(x), data_adapter.to_arrays(y))
        callback_list = CallbackList(callbacks, add_progbar=_verbosity(verbose) != 0, model=self,
                                     verbose=verbose, epochs=1,
                                     steps=None if n is None else
                                     steps or math.ceil(n / (batch_size or 32)))
        data = (x, y, sample_weight) if y is not None or data_adapter.is_array_data(x) else x
        logs = self._evaluate_logs(data, batch_size or 32, steps, callback_list)
        return logs if return_dict else self._flatten_logs(logs)

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Returns the model's outputs for `x` as NumPy arrays, computed in batches.

        Shows a progress bar by default (`verbose="auto"` is 1, as in Keras; 2 prints one
        line, 0 nothing) and calls the callbacks' `on_predict_*` hooks; each batch's
        `on_predict_batch_end` gets `{"outputs": ...}`.

        Example:
        >>> probabilities = model.predict(x_test, batch_size=128, verbose=0)  # doctest: +SKIP
        """
        from ..callbacks import CallbackList
        if data_adapter.is_array_data(x):
            batches = data_adapter.make_batches(x, None, None, batch_size or 32, False, steps)
        else:
            batches = data_adapter.make_batches(x, None, None, batch_size, False, steps)
        show = _verbosity(verbose) != 0
        callback_list = CallbackList(callbacks, add_progbar=show, model=self, verbose=verbose,
                                     epochs=1, steps=batches.steps) if show or callbacks \
            else None
        predict_function = self.make_predict_function()
        outputs = []
        if callback_list is not None:
            callback_list.on_predict_begin({})
        for step, batch in enumerate(batches.epoch()):
            if batches.steps is not None and step >= batches.steps:
                break
            if step == 0:
                self._ensure_built(batch)
            if callback_list is not None:
                callback_list.on_predict_batch_begin(step, {})
            outputs.append(nest.map_structure(np.asarray,
                                              predict_function(pack_x_y_sample_weight(*batch))))
            if callback_list is not None:
                callback_list.on_predict_batch_end(step, {"outputs": outputs[-1]})
        if not outputs:
            raise ValueError("predict: the input produced no batches (is x empty?).")
        if callback_list is not None:
            callback_list.on_predict_end({})
        return nest.map_structure(lambda *parts: np.concatenate(parts), *outputs)

    def predict_classes(self, x, batch_size=32, verbose=0):
        """Legacy (Keras 2): class indices, argmax for several units, threshold 0.5 for one.

        Example:
        >>> model.predict_classes(x_test)  # doctest: +SKIP
        """
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")

    def predict_proba(self, x, batch_size=32, verbose=0):
        """Legacy (Keras 2): the same as `predict`.

        Example:
        >>> model.predict_proba(x_test)  # doctest: +SKIP
        """
        return self.predict(x, batch_size=batch_size, verbose=verbose)

    # --- single batches --------------------------------------------------------------------------
    def _batch(self, x, y, sample_weight, class_weight=None):
        x, y, sample_weight = (data_adapter.to_arrays(v) for v in (x, y, sample_weight))
        sample_weight = data_adapter.class_weights_to_sample_weights(y, class_weight,
                                                                     sample_weight)
        data_adapter.num_samples(x, y, sample_weight)
        self._ensure_built((x, y, sample_weight))
        return x, y, sample_weight

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       reset_metrics=True, return_dict=False):
        """One gradient update on one batch; returns the loss and metrics of that batch.

        Example:
        >>> loss = model.train_on_batch(x_batch, y_batch)  # doctest: +SKIP
        """
        self._assert_compiled("train_on_batch")
        batch = self._batch(x, y, sample_weight, class_weight)
        if reset_metrics:
            self.reset_metrics()
        logs = _float_logs(self.make_train_function()(pack_x_y_sample_weight(*batch)))
        return logs if return_dict else self._flatten_logs(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True,
                      return_dict=False):
        """The loss and metrics of the model on one batch.

        Example:
        >>> loss = model.test_on_batch(x_batch, y_batch)  # doctest: +SKIP
        """
        self._assert_compiled("test_on_batch")
        batch = self._batch(x, y, sample_weight)
        if reset_metrics:
            self.reset_metrics()
        logs = _float_logs(self.make_test_function()(pack_x_y_sample_weight(*batch)))
        return logs if return_dict else self._flatten_logs(logs)

    def predict_on_batch(self, x):
        """The model's outputs for one batch, as NumPy arrays.

        Example:
        >>> model.predict_on_batch(x_batch)  # doctest: +SKIP
        """
        x = data_adapter.to_arrays(x)
        self._ensure_built((x, None, None))
        return nest.map_structure(np.asarray,
                                  self.make_predict_function()(pack_x_y_sample_weight(x)))


def _float_logs(logs):
    """A step's logs as Python floats sorted by name, nested dicts merged in (Keras's
    `compile_metrics` entry of a custom step's logs is a dict)."""
    flat = {}
    for key, value in logs.items():
        if isinstance(value, dict):
            flat.update(_float_logs(value))
        else:
            flat[key] = _to_float(value)
    return dict(sorted(flat.items()))


def _batch_size(x):
    first = nest.flatten(x)[0]
    return math_ops.cast(first.shape[0], "float32") if hasattr(first, "shape") else 1.0


def _verbosity(verbose):
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2):
        warnings.warn(f"verbose={verbose!r} is not 0, 1, 2 or 'auto'; using 1.", stacklevel=3)
        return 1
    return verbose


def _should_validate(epoch, validation_freq):
    if isinstance(validation_freq, int):
        return (epoch + 1) % validation_freq == 0
    return (epoch + 1) in validation_freq
