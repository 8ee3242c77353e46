"""`keras.optimizers.schedules`: learning rates as functions of the optimizer step.

A schedule is called with the step (the optimizer's `iterations` variable) and returns a scalar
float32 tensor; it is written with fluxion ops, so a compiled train step evaluates it at the
current step each time it runs.

Example:
>>> from fluxion.keras.optimizers import schedules
>>> s = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
>>> round(float(s(10)), 6)
0.05
"""
import math

from ...core.tensor import convert_to_tensor
from ...ops import math_ops as m
from ...ops.array_ops import where
from ..engine.serialization import lookup, serialize_keras_object


def _step(step):
    return m.cast(step, "float32")


def _check_steps(name, value):
    if value <= 0:
        raise ValueError(f"{name}: argument `decay_steps` must be > 0. Received: "
                         f"decay_steps={value}")


class LearningRateSchedule:
    """Base class: `__call__(step)` returns the learning rate at `step`.

    Example:
    >>> class Halving(LearningRateSchedule):
    ...     def __call__(self, step):
    ...         return 1.0 / (1.0 + fluxion.cast(step, "float32"))
    >>> float(Halving()(1))
    0.5
    """

    def __call__(self, step):
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(step).")

    def get_config(self):
        raise NotImplementedError(f"{type(self).__name__} must implement get_config().")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class _RateDecay(LearningRateSchedule):
    """Shared by the schedules of `(initial_learning_rate, decay_steps, decay_rate, staircase)`:
    `progress(step)` is `step / decay_steps`, floored when `staircase=True`."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name=None):
        _check_steps(type(self).__name__, decay_steps)
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.decay_rate, self.staircase = decay_rate, staircase
        self.name = name or type(self).__name__

    def progress(self, step):
        p = _step(step) / float(self.decay_steps)
        return m.floor(p) if self.staircase else p

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_RateDecay):
    """`initial_learning_rate * decay_rate ** (step / decay_steps)` (the exponent floored
    when `staircase=True`).

    Example:
    >>> float(ExponentialDecay(1.0, 2, 0.5, staircase=True)(3))
    0.5
    """


    def __call__(self, step):
        return float(self.initial_learning_rate) * m.pow(float(self.decay_rate),
                                                         self.progress(step))


class InverseTimeDecay(_RateDecay):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)` (the ratio floored when
    `staircase=True`).

    Example:
    >>> float(InverseTimeDecay(1.0, 1, 0.5)(2))
    0.5
    """


    def __call__(self, step):
        return float(self.initial_learning_rate) / (
            1.0 + float(self.decay_rate) * self.progress(step))


class PiecewiseConstantDecay(LearningRateSchedule):
    """`values[0]` while `step <= boundaries[0]`, `values[i]` while
    `boundaries[i-1] < step <= boundaries[i]`, and `values[-1]` after the last boundary.

    Example:
    >>> s = PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    >>> [round(float(s(t)), 2) for t in (10, 11, 21)]
    [1.0, 0.5, 0.1]
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError("PiecewiseConstantDecay: the length of boundaries should be 1 "
                             f"less than the length of values. Received: boundaries="
                             f"{boundaries} of length {len(boundaries)}, and values={values} "
                             f"of length {len(values)}.")
        if any(b2 <= b1 for b1, b2 in zip(boundaries, boundaries[1:])):
            raise ValueError("PiecewiseConstantDecay: boundaries must be strictly increasing. "
                             f"Received: boundaries={boundaries}")
        self.boundaries, self.values, self.name = list(boundaries), list(values), name

    def __call__(self, step):
        step = _step(step)
        result = convert_to_tensor(float(self.values[-1]))
        for boundary, value in reversed(list(zip(self.boundaries, self.values))):
            result = where(step <= float(boundary), float(value), result)
        return result

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """`(initial - end) * (1 - min(step, decay_steps) / decay_steps) ** power + end`; with
    `cycle=True` the horizon is the first multiple of `decay_steps` above the step.

    Example:
    >>> round(float(PolynomialDecay(1.0, 10, end_learning_rate=0.0)(5)), 6)
    0.5
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        _check_steps(type(self).__name__, decay_steps)
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.end_learning_rate, self.power, self.cycle = end_learning_rate, power, cycle
        self.name = name

    def __call__(self, step):
        step = _step(step)
        steps = convert_to_tensor(float(self.decay_steps))
        if self.cycle:
            steps = steps * where(m.equal(step, 0.0), 1.0, m.ceil(step / steps))
        else:
            step = m.minimum(step, steps)
        p = step / steps
        span = float(self.initial_learning_rate) - float(self.end_learning_rate)
        return span * m.pow(1.0 - p, float(self.power)) + float(self.end_learning_rate)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine decay from the initial rate (or `warmup_target` after a linear warm-up of
    `warmup_steps`) to `alpha` times it over `decay_steps`:
    `lr * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) / decay_steps)) + alpha)`.

    Example:
    >>> round(float(CosineDecay(1.0, 10)(5)), 6)
    0.5
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        _check_steps(type(self).__name__, decay_steps)
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.alpha, self.name = alpha, name
        self.warmup_target, self.warmup_steps = warmup_target, warmup_steps

    def _decay(self, step, start):
        fraction = step / float(self.decay_steps)
        cosine = 0.5 * (1.0 + m.cos(math.pi * fraction))
        return start * ((1.0 - float(self.alpha)) * cosine + float(self.alpha))

    def __call__(self, step):
        step = _step(step)
        initial = float(self.initial_learning_rate)
        if self.warmup_target is None:
            return self._decay(m.minimum(step, float(self.decay_steps)), initial)
        target, warmup = float(self.warmup_target), float(self.warmup_steps)
        step = m.minimum(step, float(self.decay_steps) + warmup)
        decayed = self._decay(step - warmup, target)
        if warmup <= 0:
            return decayed
        warming = (target - initial) * (step / warmup) + initial
        return where(step < warmup, warming, decayed)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


ALL = {cls.__name__: cls for cls in (ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay,
                                     PolynomialDecay, CosineDecay)}


def serialize(learning_rate_schedule):
    """Returns the Keras 3 config dict of a schedule.

    Example:
    >>> serialize(ExponentialDecay(0.1, 10, 0.9))["class_name"]
    'ExponentialDecay'
    """
    return serialize_keras_object(learning_rate_schedule, "keras.optimizers.schedules")


def deserialize(config, custom_objects=None):
    """Creates a schedule from its config dict.

    Example:
    >>> type(deserialize(serialize(CosineDecay(0.1, 10)))).__name__
    'CosineDecay'
    """
    return lookup(config, "learning rate schedule", ALL, custom_objects)


__all__ = ["LearningRateSchedule", "serialize", "deserialize", *ALL]
