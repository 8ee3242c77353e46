"""The Adam family: `Adam` (with AMSGrad), `AdamW`, `Adamax` and `Nadam`."""
import numpy as np

from ...ops import math_ops as m
from .base import Optimizer, base_optimizer_keyword_args, cast_to


class _Moments(Optimizer):
    """Shared constructor and config of the optimizers with `beta_1`, `beta_2`, `epsilon`."""

    _SLOTS = ("momentum", "velocity")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, list(self._SLOTS))

    def _step(self, dtype, offset=1):
        return m.cast(self._iterations + offset, dtype)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


class Adam(_Moments):
    """Adam: steps from bias-corrected moving averages of the gradient and its square.

    `m += (g - m) * (1 - beta_1)`, `v += (g**2 - v) * (1 - beta_2)`,
    `w -= lr * sqrt(1 - beta_2**t) / (1 - beta_1**t) * m / (sqrt(v) + epsilon)` at step `t`
    (1-based). With `amsgrad=True`, `v` is replaced by its running maximum.

    Args:
        learning_rate: a float, a schedule or a callable. Defaults to 0.001.
        beta_1: decay of the first-moment average. Defaults to 0.9.
        beta_2: decay of the second-moment average. Defaults to 0.999.
        epsilon: "epsilon hat" of the paper. Defaults to 1e-7.
        amsgrad: use the AMSGrad variant. Defaults to False.
        {{base_optimizer_keyword_args}}

    Example:
    >>> opt = keras.optimizers.Adam(learning_rate=0.1)
    >>> w = fluxion.Variable(1.0)
    >>> _ = opt.apply_gradients([(fluxion.constant(2.0), w)]); round(float(w), 4)
    0.9
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, weight_decay, clipnorm,
                         clipvalue, global_clipnorm, use_ema, ema_momentum,
                         ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.amsgrad = bool(amsgrad)

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._velocity_hats = self.add_optimizer_variables(var_list, "velocity_hat") \
            if self.amsgrad else []

    def _alpha(self, learning_rate, dtype):
        """The bias-corrected learning rate of this step."""
        t = self._step(dtype)
        return cast_to(learning_rate, dtype) * m.sqrt(
            1.0 - m.pow(cast_to(self.beta_2, dtype), t)) / (
            1.0 - m.pow(cast_to(self.beta_1, dtype), t))

    def _update_rule(self, variables, learning_rate, dtype):
        slots = {"momentum": self._slots(self._momentums, variables),
                 "velocity": self._slots(self._velocities, variables)}
        if self.amsgrad:
            slots["velocity_hat"] = self._slots(self._velocity_hats, variables)
        return ("adam", slots, {"alpha": self._alpha(learning_rate, dtype)},
                {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})

    def get_config(self):
        return {**super().get_config(), "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay: before each Adam step,
    `w -= w * weight_decay * learning_rate`.

    Args:
        learning_rate: a float, a schedule or a callable. Defaults to 0.001.
        weight_decay: Defaults to 0.004.
        beta_1, beta_2, epsilon, amsgrad: as `Adam`.
        {{base_optimizer_keyword_args}}

    Example:
    >>> opt = keras.optimizers.AdamW(learning_rate=0.1, weight_decay=0.5)
    >>> w = fluxion.Variable(1.0)
    >>> _ = opt.apply_gradients([(fluxion.constant(0.0), w)]); round(float(w), 4)
    0.95
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay,
                         clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
                         ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        if weight_decay is None:
            raise ValueError("AdamW: argument `weight_decay` must be a float. Received: "
                             "weight_decay=None")


class Adamax(_Moments):
    """Adamax: Adam with the infinity norm.

    `m += (g - m) * (1 - beta_1)`, `u = max(beta_2 * u, |g|)`,
    `w -= lr * m / ((1 - beta_1**t) * (u + epsilon))`.

    Args:
        learning_rate: a float, a schedule or a callable. Defaults to 0.001.
        beta_1: Defaults to 0.9.
        beta_2: decay of the infinity norm. Defaults to 0.999.
        epsilon: Defaults to 1e-7.
        {{base_optimizer_keyword_args}}

    Example:
    >>> opt = keras.optimizers.Adamax(learning_rate=0.1)
    >>> w = fluxion.Variable(1.0)
    >>> _ = opt.apply_gradients([(fluxion.constant(2.0), w)]); round(float(w), 4)
    0.9
    """

    _SLOTS = ("momentum", "norm")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, weight_decay, clipnorm,
                         clipvalue, global_clipnorm, use_ema, ema_momentum,
                         ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)

    def _update_rule(self, variables, learning_rate, dtype):
        beta_1_power = m.pow(cast_to(self.beta_1, dtype), self._step(dtype))
        slots = {"momentum": self._slots(self._momentums, variables),
                 "norm": self._slots(self._velocities, variables)}
        return ("adamax", slots, {"alpha": cast_to(learning_rate, dtype) / (1.0 - beta_1_power)},
                {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})


class Nadam(_Moments):
    """Nadam: Adam with Nesterov momentum (Dozat, 2015), with the momentum schedule
    `u_t = beta_1 * (1 - 0.5 * 0.96**t)`.

    Args:
        learning_rate: a float, a schedule or a callable. Defaults to 0.001.
        beta_1, beta_2: Defaults to 0.9 and 0.999.
        epsilon: Defaults to 1e-7.
        {{base_optimizer_keyword_args}}

    Example:
    >>> opt = keras.optimizers.Nadam(learning_rate=0.1)
    >>> w = fluxion.Variable(1.0)
    >>> _ = opt.apply_gradients([(fluxion.constant(2.0), w)]); round(float(w), 4)
    0.8937
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, weight_decay, clipnorm,
                         clipvalue, global_clipnorm, use_ema, ema_momentum,
                         ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        dtype = var_list[0].dtype.name if var_list else "float32"
        self._u_product = self._new_variable(np.ones((), dtype), "u_product")

    def _momentum_cache(self, dtype, offset):
        return self.beta_1 * (1.0 - 0.5 * m.pow(m.cast(0.96, dtype), self._step(dtype, offset)))

    def _update_all(self, grads, variables, learning_rate):
        dtype = self._u_product.dtype
        self._u_product.assign(self._u_product.read_value() * self._momentum_cache(dtype, 1))
        super()._update_all(grads, variables, learning_rate)

    def _update_rule(self, variables, learning_rate, dtype):
        u_t, u_t_1 = self._momentum_cache(dtype, 1), self._momentum_cache(dtype, 2)
        u_product_t = cast_to(self._u_product.read_value(), dtype)
        beta_2_power = m.pow(cast_to(self.beta_2, dtype), self._step(dtype))
        scalars = {"lr": cast_to(learning_rate, dtype),
                   "momentum_scale": u_t_1 / (1.0 - u_product_t * u_t_1),
                   "gradient_scale": (1.0 - u_t) / (1.0 - u_product_t),
                   "velocity_scale": 1.0 / (1.0 - beta_2_power)}
        slots = {"momentum": self._slots(self._momentums, variables),
                 "velocity": self._slots(self._velocities, variables)}
        return ("nadam", slots, scalars,
                {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})


for _cls in (Adam, AdamW, Adamax, Nadam):
    _cls.__doc__ = _cls.__doc__.replace("{{base_optimizer_keyword_args}}",
                                        base_optimizer_keyword_args)
