"""`keras.optimizers.SGD`: gradient descent with optional (Nesterov) momentum."""
from .base import Optimizer, base_optimizer_keyword_args, cast_to


class SGD(Optimizer):
    """Gradient descent, with momentum and Nesterov momentum as options.

    With `momentum == 0`: `w -= learning_rate * g`. Otherwise a velocity `v` (slot
    "momentum") is kept: `v = momentum * v - learning_rate * g`, then `w += v`, or with
    `nesterov=True`: `w += momentum * v - learning_rate * g`.

    Args:
        learning_rate: a float, a schedule or a callable. Defaults to 0.01.
        momentum: float >= 0. Defaults to 0.
        nesterov: whether to use Nesterov momentum. Defaults to False.
        {{base_optimizer_keyword_args}}

    Example:
    >>> opt = keras.optimizers.SGD(learning_rate=0.1)
    >>> w = fluxion.Variable(1.0)
    >>> _ = opt.minimize(lambda: (w ** 2) / 2.0, [w]); round(float(w), 4)
    0.9
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        if not isinstance(momentum, (int, float)) or not 0 <= momentum <= 1:
            raise ValueError("SGD: `momentum` must be a float between [0, 1]. Received: "
                             f"momentum={momentum!r}")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self.momentums = self.add_optimizer_variables(var_list, "momentum") \
            if self.momentum != 0 else []

    def _update_rule(self, variables, learning_rate, dtype):
        scalars = {"lr": cast_to(learning_rate, dtype)}
        if self.momentum == 0:
            return "sgd", {}, scalars, {}
        return ("sgd", {"momentum": self._slots(self.momentums, variables)}, scalars,
                {"momentum_rate": self.momentum, "nesterov": self.nesterov})

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


SGD.__doc__ = SGD.__doc__.replace("{{base_optimizer_keyword_args}}", base_optimizer_keyword_args)
