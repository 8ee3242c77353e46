"""`keras.optimizers.RMSprop`."""
from .base import Optimizer, base_optimizer_keyword_args, cast_to


class RMSprop(Optimizer):
    """Divides the gradient by a moving root-mean-square of recent gradients.

    `v = rho * v + (1 - rho) * g**2`; the step is `lr * g / sqrt(v + epsilon)` (with
    `centered=True`, `v - a**2` replaces `v`, `a` being the moving mean of `g`). With
    `momentum > 0` the steps are accumulated: `mom = momentum * mom + step; w -= mom`.

    Args:
        learning_rate: a float, a schedule or a callable. Defaults to 0.001.
        rho: discounting factor of the moving averages. Defaults to 0.9.
        momentum: Defaults to 0.0.
        epsilon: added inside the square root. Defaults to 1e-7.
        centered: normalise by the estimated variance instead of the second moment.
        {{base_optimizer_keyword_args}}

    Example:
    >>> opt = keras.optimizers.RMSprop(learning_rate=0.1)
    >>> w = fluxion.Variable(10.0)
    >>> _ = opt.minimize(lambda: (w ** 2) / 2.0, [w]); round(float(w), 5)
    9.68377
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        self._momentums = self.add_optimizer_variables(var_list, "momentum") \
            if self.momentum > 0 else []
        self._average_gradients = self.add_optimizer_variables(var_list, "average_gradient") \
            if self.centered else []

    def _update_rule(self, variables, learning_rate, dtype):
        slots = {"velocity": self._slots(self._velocities, variables)}
        hyper = {"rho": self.rho, "epsilon": self.epsilon}
        if self.momentum > 0:
            slots["momentum"] = self._slots(self._momentums, variables)
            hyper["momentum_rate"] = self.momentum
        if self.centered:
            slots["average_gradient"] = self._slots(self._average_gradients, variables)
        return "rmsprop", slots, {"lr": cast_to(learning_rate, dtype)}, hyper

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


RMSprop.__doc__ = RMSprop.__doc__.replace("{{base_optimizer_keyword_args}}",
                                          base_optimizer_keyword_args)
