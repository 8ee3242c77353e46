"""`keras.optimizers`: SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta, Adamax, Nadam, with Keras 3's
defaults and update rules, learning-rate schedules, and `get`/`serialize`/`deserialize`.

Every optimizer works eagerly (custom loops with `GradientTape`) and inside `fluxion.function`
(compiled train steps): updates are fluxion ops and variable assignments, the learning rate is a
variable (or a schedule evaluated at `iterations`), and the state (`variables`) can be saved and
restored with `get_weights`/`set_weights`.

Example:
>>> from fluxion import keras
>>> opt = keras.optimizers.get("adam")
>>> opt.get_config()["learning_rate"]
0.0010000000474974513
"""
from ..engine.serialization import lookup, serialize_keras_object
from . import schedules
from .adagrad import Adadelta, Adagrad
from .adam import Adam, Adamax, AdamW, Nadam
from .base import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

ALL = {cls.__name__: cls for cls in (SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta, Adamax,
                                     Nadam)}
ALL.update({name.lower(): cls for name, cls in list(ALL.items())})


def serialize(optimizer):
    """Returns the Keras 3 config dict of an optimizer (hyper-parameters, not state).

    Example:
    >>> serialize(SGD())["class_name"]
    'SGD'
    """
    return serialize_keras_object(optimizer, "keras.optimizers")


def deserialize(config, custom_objects=None):
    """Creates an optimizer from its config dict or name.

    Example:
    >>> deserialize({"class_name": "Adam", "config": {"learning_rate": 0.01}}).beta_1
    0.9
    """
    if isinstance(config, dict) and isinstance(config.get("config"), dict):
        table = dict(ALL)
        table.update(custom_objects or {})
        cls = table.get(config.get("class_name")) or table.get(
            str(config.get("class_name")).lower())
        if isinstance(cls, type):
            return cls.from_config(config["config"], custom_objects)
    return lookup(config, "optimizer", ALL, custom_objects)


def get(identifier):
    """Returns an optimizer from a name ("adam", "sgd", ...), a config dict or an instance.

    Raises:
        ValueError: for an unknown name (the message lists the valid names).

    Example:
    >>> type(get("rmsprop")).__name__
    'RMSprop'
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}. Pass an "
                     "optimizer instance or one of the names: " +
                     ", ".join(sorted(n for n in ALL if n.islower())) + ".")


__all__ = ["Optimizer", "schedules", "get", "serialize", "deserialize", *sorted(
    n for n in ALL if not n.islower())]
