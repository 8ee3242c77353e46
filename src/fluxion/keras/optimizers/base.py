"""The optimizer base class: Keras 3's contract (`build` creates slots, `update_step` updates one
variable), written with fluxion ops and `Variable.assign*` only, so that one optimizer works both
eagerly and inside `fluxion.function` (a compiled train step picks up a changed learning rate:
it is a variable, read when the step runs).

Subclasses implement `build(var_list)` (calling `super().build(var_list)` first, then creating
slots with `add_optimizer_variables`) and `update_step(gradient, variable, learning_rate)`. The
built-in optimizers instead name one of the fused rules of `kernels/training.py` (`_update_rule`),
so that a step updates all variables of a dtype at once.
"""
import re
import warnings

import numpy as np

from ...autodiff.tape import GradientTape
from ...core.context import init_scope
from ...core.tensor import Tensor, convert_to_tensor
from ...core.variable import Variable
from ...ops import array_ops as a
from ...ops import math_ops as m
from ...ops import training_ops
from .. import backend
from .schedules import LearningRateSchedule
from .schedules import deserialize as deserialize_schedule
from .schedules import serialize as serialize_schedule


def _auto_name(class_name):
    """Keras's default optimizer name: the class name in snake case, made unique ("sgd",
    "sgd_1", ...; "RMSprop" gives "rm_sprop", "AdamW" "adam_w"); `clear_session()` resets it."""
    return backend.unique_object_name(backend.to_snake_case(class_name))


def cast_to(x, dtype):
    """Casts `x` to `dtype` unless it already has it (Python numbers become tensors)."""
    if isinstance(x, (Tensor, Variable)) and x.dtype == dtype:
        return x
    return m.cast(x, dtype)


def _is_number(value):
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


base_optimizer_keyword_args = """name: String. The name of the optimizer; its variables are named
            `"<name>/<variable name>"`. Defaults to the class name in snake case, made
            unique as in Keras (`"sgd"`, `"sgd_1"`, ...).
        weight_decay: Float. If set, each variable `w` is first decayed by
            `w -= w * weight_decay * learning_rate`.
        clipnorm: Float. If set, the gradient of each weight is individually clipped so that
            its norm is no higher than this value.
        clipvalue: Float. If set, the gradient of each weight is clipped to be no higher than
            this value.
        global_clipnorm: Float. If set, the gradients of all weights are clipped so that their
            global norm is no higher than this value.
        use_ema: Boolean. If True, an exponential moving average of the weights is kept
            (`ema_momentum`, `ema_overwrite_frequency`).
        loss_scale_factor: Float or None. Gradients are divided by it before the update.
        lr: deprecated alias of `learning_rate` (tf.keras 2).
        decay: legacy tf.keras 2 time decay: the learning rate used at step t is
            `learning_rate / (1 + decay * t)`."""


class Optimizer:
    """Base class of the Keras optimizers.

    Args:
        learning_rate: a float, a `keras.optimizers.schedules.LearningRateSchedule`, or a
            callable taking no arguments and returning the value.
        {{base_optimizer_keyword_args}}

    Example:
    >>> opt = keras.optimizers.SGD(learning_rate=0.1)
    >>> w = fluxion.Variable([1.0, 2.0])
    >>> _ = opt.apply_gradients([(fluxion.constant([1.0, 1.0]), w)])
    >>> w.numpy()
    array([0.9, 1.9], dtype=float32)
    """

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        cls = type(self).__name__
        if "lr" in kwargs:
            warnings.warn(f"{cls}: the `lr` argument is deprecated, use `learning_rate` "
                          "instead.", DeprecationWarning, stacklevel=3)
            learning_rate = kwargs.pop("lr")
        self.decay = float(kwargs.pop("decay", 0.0) or 0.0)
        if kwargs:
            raise ValueError(f"{cls}: argument(s) not recognized: {kwargs}. Valid arguments "
                             "are the optimizer's hyper-parameters and weight_decay, clipnorm, "
                             "clipvalue, global_clipnorm, use_ema, loss_scale_factor, name.")
        clips = {"clipnorm": clipnorm, "clipvalue": clipvalue, "global_clipnorm": global_clipnorm}
        if sum(v is not None for v in clips.values()) > 1:
            raise ValueError(f"{cls}: only one of `clipnorm`, `clipvalue` and "
                             "`global_clipnorm` can be set. Received: " +
                             ", ".join(f"{k}={v}" for k, v in clips.items()))
        for key, value in clips.items():
            if value is not None and (not _is_number(value) or value < 0):
                raise ValueError(f"{cls}: `{key}` must be a non-negative number. Received: "
                                 f"{key}={value!r}")
        if gradient_accumulation_steps:
            raise NotImplementedError(f"{cls}: gradient_accumulation_steps is not supported "
                                      "yet; accumulate gradients in a custom training loop.")
        if use_ema and not 0 <= ema_momentum <= 1:
            raise ValueError(f"{cls}: `ema_momentum` must be in the range [0, 1]. Received: "
                             f"ema_momentum={ema_momentum}")
        self.name = name or _auto_name(cls)
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.use_ema, self.ema_momentum = bool(use_ema), ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = None
        self.built = False
        self._variables = []
        self._trainable_variables = []
        self._index = {}
        self._exclude_ids, self._exclude_pattern = set(), None
        self._iterations = self._new_variable(np.zeros((), np.int64), "iteration")
        self._learning_rate = None
        self._set_learning_rate(learning_rate, initial=True)

    # --- variables ---------------------------------------------------------------------------
    def _new_variable(self, array, name):
        with init_scope():
            variable = Variable(array, trainable=False, name=name)
        variable.path = f"{self.name}/{name}"
        self._variables.append(variable)
        return variable

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="mean",
                     name=None):
        """Creates a non-trainable optimizer variable and tracks it in `variables`.

        Args:
            shape: the variable's shape.
            initializer: "zeros", "ones", a number, or an initializer `(shape, dtype)`.
            dtype: default `backend.floatx()`.
            name: the variable's name.

        Example:
        >>> opt = keras.optimizers.SGD(name="sgd")
        >>> opt.add_variable((2,), name="acc").path
        'sgd/acc'
        """
        dtype = np.dtype(backend.standardize_dtype(dtype))
        shape = tuple(int(d) for d in shape)
        if isinstance(initializer, str) and initializer in ("zeros", "ones"):
            array = (np.zeros if initializer == "zeros" else np.ones)(shape, dtype)
        elif _is_number(initializer):
            array = np.full(shape, initializer, dtype)
        else:
            from .. import initializers
            with init_scope():
                array = np.asarray(initializers.get(initializer)(shape, dtype=dtype.name))
        return self._new_variable(array, name or "var")

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """Creates a variable of `reference_variable`'s shape and dtype, named after it
        (`"dense_kernel_momentum"` for the reference path `"dense/kernel"`)."""
        prefix = getattr(reference_variable, "path", None)
        if prefix is None:
            prefix = str(reference_variable.name).replace(":", "_")
        name = prefix.replace("/", "_") + "_" + (name or "var")
        return self.add_variable(reference_variable.shape, initializer,
                                 reference_variable.dtype.name, name=name)

    def add_optimizer_variables(self, var_list, name, initializer="zeros"):
        """One slot per variable of `var_list`; `name` may be a list (returns one list each).

        Example:
        >>> opt = keras.optimizers.SGD()
        >>> [v.shape for v in opt.add_optimizer_variables([fluxion.Variable([1.0])], "m")]
        [TensorShape([1])]
        """
        if isinstance(name, (list, tuple)):
            return tuple(self.add_optimizer_variables(var_list, n, initializer) for n in name)
        return [self.add_variable_from_reference(v, name, initializer) for v in var_list]

    @property
    def variables(self):
        """The optimizer's state: iterations, the learning rate (if a variable), then slots."""
        return list(self._variables)

    @property
    def iterations(self):
        """The number of update steps applied (an int64 variable)."""
        return self._iterations

    def build(self, var_list):
        """Registers the trainable variables; subclasses then create their slots."""
        var_list = list(var_list)
        for i, variable in enumerate(var_list):
            self._index[id(variable)] = i
        self._trainable_variables = var_list
        if self.use_ema:
            self._averages = self.add_optimizer_variables(var_list, "average")
        self.built = True

    def _get_variable_index(self, variable):
        return self._index[id(variable)]

    # --- the learning rate -------------------------------------------------------------------
    @property
    def learning_rate(self):
        """The current learning rate: the variable, or the schedule's value at `iterations`.

        Setting it assigns the variable (so compiled steps see the new value), or installs a
        new schedule or callable.
        """
        lr = self._learning_rate
        if isinstance(lr, Variable):
            return lr
        if isinstance(lr, LearningRateSchedule):
            return lr(self._iterations)
        return lr()

    @learning_rate.setter
    def learning_rate(self, value):
        self._set_learning_rate(value)

    lr = learning_rate  # tf.keras 2 name

    def _set_learning_rate(self, value, initial=False):
        current = self._learning_rate
        if isinstance(value, LearningRateSchedule) or (
                callable(value) and not isinstance(value, (Tensor, Variable))):
            if isinstance(current, Variable):
                self._variables = [v for v in self._variables if v is not current]
            self._learning_rate = value
            return
        if isinstance(current, LearningRateSchedule):
            raise TypeError(f"{type(self).__name__}: this optimizer was created with a "
                            "LearningRateSchedule as its learning_rate, so its learning rate "
                            "is not settable. Create the optimizer with a float learning_rate "
                            "to change it during training.")
        if isinstance(value, (Tensor, Variable)):
            value = np.asarray(value)
        if not (_is_number(value) or (isinstance(value, np.ndarray) and value.ndim == 0)):
            raise ValueError(f"{type(self).__name__}: `learning_rate` should be a float, a "
                             "LearningRateSchedule or a callable returning the value. "
                             f"Received: learning_rate={value!r}")
        if isinstance(current, Variable):
            current.assign(np.asarray(value, current.dtype.as_numpy_dtype))
        else:
            self._learning_rate = self._new_variable(
                np.asarray(value, backend.floatx()), "learning_rate")
            if not initial:  # keep `variables` ordered: iterations, learning_rate, slots
                self._variables.insert(1, self._variables.pop())

    def _current_learning_rate(self):
        lr = self.learning_rate
        lr = lr.read_value() if isinstance(lr, Variable) else convert_to_tensor(lr)
        if self.decay:
            lr = lr / (1.0 + self.decay * m.cast(self._iterations, lr.dtype))
        return lr

    # --- applying gradients ------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars):
        """Applies `(gradient, variable)` pairs; returns `iterations` (tf.keras's contract).

        Pairs whose gradient is None are skipped, with a warning naming the variables.

        Example:
        >>> opt = keras.optimizers.SGD(learning_rate=0.5)
        >>> w = fluxion.Variable(1.0)
        >>> int(opt.apply_gradients([(fluxion.constant(1.0), w)]))
        1
        >>> float(w)
        0.5
        """
        pairs = list(grads_and_vars)
        if not pairs:
            return self._iterations
        grads, variables = zip(*pairs)
        self.apply(list(grads), list(variables))
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Updates `trainable_variables` with `grads` (one gradient per variable).

        Without `trainable_variables`, the gradients match the variables the optimizer was
        built with. Gradient clipping, the loss scale and weight decay are applied first;
        variable constraints last.
        """
        grads = list(grads)
        if not grads:
            return
        cls = type(self).__name__
        if trainable_variables is None:
            if not self.built:
                raise ValueError(f"{cls}.apply: pass the variables with the gradients, or call "
                                 "`optimizer.build(trainable_variables)` first.")
            variables = self._trainable_variables
            if len(grads) != len(variables):
                raise ValueError(f"{cls}.apply: received {len(grads)} gradients, but the "
                                 f"optimizer was built with {len(variables)} variables.")
        else:
            variables = list(trainable_variables)
            if len(grads) != len(variables):
                raise ValueError(f"{cls}.apply: received {len(grads)} gradients for "
                                 f"{len(variables)} variables.")
            if not self.built:
                self.build(variables)
            unknown = [v.name for v in variables if id(v) not in self._index]
            if unknown:
                raise ValueError(f"{cls}: unknown variable(s) {unknown}. This optimizer can "
                                 "only update the variables it was built with; create a new "
                                 "optimizer for a new set of variables.")
        grads, variables = self._filter_empty_gradients(grads, variables)
        grads = [g if isinstance(g, Tensor) else convert_to_tensor(g, dtype=v.dtype)
                 for g, v in zip(grads, variables)]
        if self.loss_scale_factor is not None:
            grads = [g / self.loss_scale_factor for g in grads]
        grads = self._clip_gradients(grads)
        learning_rate = self._current_learning_rate()
        self._apply_weight_decay(variables, learning_rate)
        self._update_all(grads, variables, learning_rate)
        if self.use_ema:
            self._update_averages()
        self._iterations.assign_add(np.int64(1))
        for variable in variables:
            if getattr(variable, "constraint", None) is not None:
                variable.assign(variable.constraint(variable.read_value()))

    def _update_all(self, grads, variables, learning_rate):
        if type(self).update_step is not Optimizer.update_step:  # a subclass's own rule
            for grad, variable in zip(grads, variables):
                self.update_step(grad, variable, learning_rate)
            return
        by_dtype = {}
        for grad, variable in zip(grads, variables):
            by_dtype.setdefault(variable.dtype, []).append((grad, variable))
        for pairs in by_dtype.values():
            self._apply_rule([g for g, _ in pairs], [v for _, v in pairs], learning_rate)

    def update_step(self, gradient, variable, learning_rate):
        """Updates one variable (and its slots) from its gradient.

        A subclass that defines its own rule implements this. The built-in optimizers update
        all variables of a dtype in one fused step (`ops.training_ops.apply_update`); calling
        `update_step` on them applies that step to one variable.
        """
        self._apply_rule([gradient], [variable], learning_rate)

    def _apply_rule(self, grads, variables, learning_rate):
        dtype = variables[0].dtype
        rule, slots, scalars, hyper = self._update_rule(variables, learning_rate, dtype)
        training_ops.apply_update(rule, variables, [cast_to(g, dtype) for g in grads], slots,
                                  scalars, **hyper)

    def _update_rule(self, variables, learning_rate, dtype):
        """`(rule, slots, scalars, hyper)` for `training_ops.apply_update` of `variables`
        (all of `dtype`): a built-in optimizer's update rule."""
        raise NotImplementedError(f"{type(self).__name__} must implement update_step.")

    def _slots(self, slot_variables, variables):
        """The slot of each of `variables` from one of the lists `add_optimizer_variables`
        returned."""
        return [slot_variables[self._get_variable_index(v)] for v in variables]

    def minimize(self, loss, var_list, tape=None):
        """Computes the gradients of `loss` (a zero-argument callable, or a tensor recorded on
        `tape`) with respect to `var_list` and applies them.

        Example:
        >>> opt = keras.optimizers.SGD(learning_rate=0.1)
        >>> w = fluxion.Variable(2.0)
        >>> _ = opt.minimize(lambda: w * w, [w]); round(float(w), 4)
        1.6
        """
        if callable(var_list):
            var_list = var_list()
        var_list = list(var_list)
        if tape is None:
            if not callable(loss):
                raise ValueError(f"{type(self).__name__}.minimize: `tape` is required when "
                                 "`loss` is a tensor; pass a callable to compute it instead.")
            with GradientTape() as tape:
                loss_value = loss()
        else:
            loss_value = loss() if callable(loss) else loss
        grads = tape.gradient(loss_value, var_list)
        return self.apply_gradients(zip(grads, var_list))

    def assign(self, variable, value):
        variable.assign(value)

    def assign_add(self, variable, value):
        variable.assign_add(value)

    def assign_sub(self, variable, value):
        variable.assign_sub(value)

    def _filter_empty_gradients(self, grads, variables):
        # named by their path ("dense/kernel") as Keras does; a plain Variable by its name
        missing = [getattr(v, "path", v.name) for g, v in zip(grads, variables) if g is None]
        if len(missing) == len(grads):
            raise ValueError(f"{type(self).__name__}: no gradients provided for any variable "
                             f"({[v.name for v in variables]}). Check that the loss depends "
                             "on the variables (and that they are watched by the tape).")
        if missing:
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the "
                          "loss. If using `model.compile()`, did you forget to provide a "
                          "`loss` argument?", stacklevel=4)
            kept = [(g, v) for g, v in zip(grads, variables) if g is not None]
            grads, variables = [g for g, _ in kept], [v for _, v in kept]
        return grads, variables

    def _clip_gradients(self, grads):
        if self.clipnorm:
            clip = self.clipnorm
            return [g * clip / m.maximum(m.sqrt(m.reduce_sum(m.square(g))), clip)
                    for g in grads]
        if self.global_clipnorm:
            return clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipvalue:
            return [m.clip_by_value(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exempts variables (or variables whose name contains one of `var_names`) from weight
        decay. Call it before the optimizer is built."""
        if self.built:
            raise ValueError(f"{type(self).__name__}: exclude_from_weight_decay() can only be "
                             "called before the optimizer is built.")
        self._exclude_ids = {id(v) for v in var_list or ()}
        self._exclude_pattern = re.compile("|".join(map(re.escape, var_names))) \
            if var_names else None

    def _use_weight_decay(self, variable):
        if id(variable) in self._exclude_ids:
            return False
        return not (self._exclude_pattern and self._exclude_pattern.search(variable.name))

    def _apply_weight_decay(self, variables, learning_rate):
        if not self.weight_decay:
            return
        for variable in variables:
            if self._use_weight_decay(variable):
                factor = cast_to(learning_rate, variable.dtype) * self.weight_decay
                variable.assign_sub(variable.read_value() * factor)

    def _update_averages(self):
        first = m.cast(m.not_equal(self._iterations, 0), backend.floatx())
        momentum = first * self.ema_momentum
        for variable, average in zip(self._trainable_variables, self._averages):
            mom = cast_to(momentum, variable.dtype)
            average.assign(mom * average + (1.0 - mom) * variable.read_value())
        if self.ema_overwrite_frequency:
            overwrite = m.equal((self._iterations + 1) % self.ema_overwrite_frequency, 0)
            for variable, average in zip(self._trainable_variables, self._averages):
                variable.assign(a.where(overwrite, average.read_value(), variable.read_value()))

    def finalize_variable_values(self, var_list):
        """With `use_ema=True`, sets the variables to their moving averages (fit does it at
        the end of training); otherwise does nothing."""
        if self.use_ema:
            for variable, average in zip(var_list, self._averages):
                variable.assign(average.read_value())

    # --- state -------------------------------------------------------------------------------
    def get_weights(self):
        """The values of `variables`, as NumPy arrays."""
        return [np.array(v.numpy()) for v in self._variables]

    def set_weights(self, weights):
        """Restores `variables` from `get_weights()` output (the optimizer must be built)."""
        weights = list(weights)
        if len(weights) != len(self._variables):
            hint = "" if self.built else (" The optimizer has not been built yet: call "
                                          "`optimizer.build(model.trainable_variables)` first.")
            raise ValueError(f"{type(self).__name__}.set_weights: expected "
                             f"{len(self._variables)} arrays, received {len(weights)}." + hint)
        for variable, value in zip(self._variables, weights):
            value = np.asarray(value)
            if value.shape != tuple(variable.shape):
                raise ValueError(f"Optimizer variable '{variable.path}' has shape "
                                 f"{tuple(variable.shape)}, not compatible with the provided "
                                 f"weight shape {value.shape}.")
            variable.assign(value.astype(variable.dtype.as_numpy_dtype))

    def save_own_variables(self, store):
        """Writes the variables' values into the dict-like `store` under "0", "1", ..."""
        for i, variable in enumerate(self._variables):
            store[str(i)] = np.array(variable.numpy())

    def load_own_variables(self, store):
        """Reads the values written by `save_own_variables` (warns and skips on a mismatch)."""
        if len(store) != len(self._variables):
            warnings.warn(f"Skipping variable loading for optimizer '{self.name}', because it "
                          f"has {len(self._variables)} variables whereas the saved optimizer "
                          f"has {len(store)} variables.", stacklevel=2)
            return
        self.set_weights([store[str(i)] for i in range(len(store))])

    def get_config(self):
        """The optimizer's hyper-parameters (no state), as in Keras 3."""
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            lr = serialize_schedule(lr)
        elif isinstance(lr, Variable):
            lr = float(lr.numpy())
        config = {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
                  "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
                  "clipvalue": self.clipvalue, "use_ema": self.use_ema,
                  "ema_momentum": self.ema_momentum,
                  "ema_overwrite_frequency": self.ema_overwrite_frequency,
                  "loss_scale_factor": self.loss_scale_factor,
                  "gradient_accumulation_steps": self.gradient_accumulation_steps}
        if self.decay:
            config["decay"] = self.decay
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Creates an optimizer from `get_config()` output."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = deserialize_schedule(config["learning_rate"],
                                                           custom_objects)
        return cls(**config)

    def __repr__(self):
        return f"<keras.optimizers.{type(self).__name__} name={self.name!r}>"


def global_norm(tensors):
    """`sqrt(sum of squares)` over all the (non-None) tensors."""
    return m.sqrt(m.add_n([m.reduce_sum(m.square(t)) for t in tensors if t is not None]))


def clip_by_global_norm(tensors, clip_norm):
    """Scales all tensors by `clip_norm / max(global_norm, clip_norm)`; a non-finite norm
    makes every value NaN (as Keras does)."""
    norm = global_norm(tensors)
    scale = clip_norm * m.minimum(1.0 / norm, 1.0 / clip_norm) + (norm - norm)
    return [None if t is None else t * cast_to(scale, t.dtype) for t in tensors]


Optimizer.__doc__ = Optimizer.__doc__.replace("{{base_optimizer_keyword_args}}",
                                              base_optimizer_keyword_args)
