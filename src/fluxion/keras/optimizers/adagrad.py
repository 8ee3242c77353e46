"""`keras.optimizers.Adagrad` and `keras.optimizers.Adadelta`."""
from .base import Optimizer, base_optimizer_keyword_args, cast_to


class Adagrad(Optimizer):
    """Per-parameter learning rates scaled by the accumulated squared gradients.

    `acc += g**2; w -= lr * g / sqrt(acc + epsilon)`, the accumulator starting at
    `initial_accumulator_value`.

    Args:
        learning_rate: a float, a schedule or a callable. Defaults to 0.001.
        initial_accumulator_value: the accumulators' starting value. Defaults to 0.1.
        epsilon: Defaults to 1e-7.
        {{base_optimizer_keyword_args}}

    Example:
    >>> opt = keras.optimizers.Adagrad(learning_rate=0.1)
    >>> w = fluxion.Variable(1.0)
    >>> _ = opt.apply_gradients([(fluxion.constant(1.0), w)]); round(float(w), 4)
    0.9047
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._accumulators = self.add_optimizer_variables(
            var_list, "accumulator", initializer=float(self.initial_accumulator_value))

    def _update_rule(self, variables, learning_rate, dtype):
        return ("adagrad", {"accumulator": self._slots(self._accumulators, variables)},
                {"lr": cast_to(learning_rate, dtype)}, {"epsilon": self.epsilon})

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


class Adadelta(Optimizer):
    """Adadelta: steps scaled by the ratio of moving RMS of past updates and of gradients.

    `E[g2] = rho E[g2] + (1 - rho) g**2`;
    `delta = -sqrt(E[dx2] + eps) / sqrt(E[g2] + eps) * g`;
    `E[dx2] = rho E[dx2] + (1 - rho) delta**2`; `w += lr * delta`.

    Args:
        learning_rate: a float, a schedule or a callable. Defaults to 0.001.
        rho: the decay rate. Defaults to 0.95.
        epsilon: Defaults to 1e-7.
        {{base_optimizer_keyword_args}}

    Example:
    >>> opt = keras.optimizers.Adadelta(learning_rate=1.0)
    >>> w = fluxion.Variable(1.0)
    >>> _ = opt.apply_gradients([(fluxion.constant(1.0), w)]); round(float(w), 6)
    0.998586
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.rho, self.epsilon = rho, epsilon

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            var_list, ["accumulated_grad", "accumulated_delta_var"])

    def _update_rule(self, variables, learning_rate, dtype):
        slots = {"accumulated_grad": self._slots(self._accumulated_grads, variables),
                 "accumulated_delta_var": self._slots(self._accumulated_delta_vars, variables)}
        return ("adadelta", slots, {"lr": cast_to(learning_rate, dtype)},
                {"rho": self.rho, "epsilon": self.epsilon})

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


for _cls in (Adagrad, Adadelta):
    _cls.__doc__ = _cls.__doc__.replace("{{base_optimizer_keyword_args}}",
                                        base_optimizer_keyword_args)
