"""`keras.saving`: save and load whole models and their weights, in Keras 3's file formats.

- `model.save("model.keras")` / `load_model`: a zip archive of `config.json` (architecture and
  compile configuration), `metadata.json` and `model.weights.h5` (weights and optimizer state,
  by layer path) — the same files Keras 3 writes and reads;
- `model.save("model.h5")`: the legacy HDF5 format of tf.keras 2;
- `model.save_weights("model.weights.h5")` / `load_weights`.

HDF5 needs the optional h5py package (`pip install fluxion[h5]`); without it `.keras` archives
store their weights as `model.weights.npz` (readable by Fluxion only). No file is ever unpickled
or evaluated: custom classes and functions load only when passed in `custom_objects`.

Example:
>>> import os, tempfile
>>> from fluxion import keras
>>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
>>> path = os.path.join(tempfile.mkdtemp(), "model.keras")
>>> keras.saving.save_model(model, path)
>>> keras.saving.load_model(path).count_params()
10
"""
from ..engine.model import deserialize_layer
from ..engine.serialization import (
    _CUSTOM_OBJECTS,
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    register_keras_serializable,
)
from ..engine.serialization import serialize_keras_object as _serialize_object
from .saving_api import load_model, load_weights, save_model, save_weights

_MODULES = ("layers", "optimizers", "losses", "metrics", "activations", "initializers",
            "regularizers", "constraints")


def get_registered_object(name, custom_objects=None, module_objects=None):
    """Returns the class or function registered (or passed) under `name`, or None.

    Example:
    >>> @register_keras_serializable(package="demo")
    ... def double(x):
    ...     return 2 * x
    >>> get_registered_object("demo>double") is double
    True
    """
    for table in (custom_objects, _CUSTOM_OBJECTS, module_objects):
        if table and name in table:
            return table[name]
    return None


def get_registered_name(obj):
    """The name `register_keras_serializable` gave `obj` (else its `__name__`)."""
    return getattr(obj, "_registered_name", None) or getattr(obj, "__name__", None)


def serialize_keras_object(obj):
    """Returns the Keras 3 dict of a layer, model, optimizer, loss, metric, ... (functions
    become their names; None, numbers and strings stay as they are).

    Example:
    >>> serialize_keras_object(keras.layers.Dense(2, name="d"))["class_name"]
    'Dense'
    """
    from ..engine.layer import Layer, serialize
    from ..engine.model import Model, serialize_model
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(o) for o in obj]
    if isinstance(obj, Model):
        return serialize_model(obj)
    if isinstance(obj, Layer):
        return serialize(obj)
    module = type(obj).__module__
    for name in _MODULES:
        if f".keras.{name}" in module:
            return _serialize_object(obj, f"keras.{name}")
    return _serialize_object(obj, module)


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, **kwargs):
    """Creates the object described by a Keras 3 dict (from `serialize_keras_object`).

    The module in the dict picks the kind (layer, optimizer, loss, ...); classes are looked up
    by name, custom ones in `custom_objects` and the registered objects; no code is executed.

    Raises:
        ValueError: for an unknown class, or a Lambda layer with `safe_mode=True`.

    Example:
    >>> type(deserialize_keras_object(serialize_keras_object(keras.optimizers.SGD()))).__name__
    'SGD'
    """
    from .. import activations, constraints, initializers, losses, metrics, optimizers, regularizers
    from .config import check_safe_mode, normalize
    if config is None or isinstance(config, (bool, int, float)):
        return config
    if isinstance(config, list):
        return [deserialize_keras_object(c, custom_objects, safe_mode) for c in config]
    if isinstance(config, str):
        found = get_registered_object(config, custom_objects)
        return found if found is not None else config
    check_safe_mode(config, safe_mode)
    config = normalize(config)
    module = str(config.get("module") or "")
    kinds = {"optimizers": optimizers, "losses": losses, "metrics": metrics,
             "activations": activations, "initializers": initializers,
             "regularizers": regularizers, "constraints": constraints}
    for name, kind in kinds.items():
        if module.startswith(f"keras.{name}") or f".{name}" in module:
            return kind.deserialize(config, custom_objects)
    return deserialize_layer(config, {**_CUSTOM_OBJECTS, **(custom_objects or {})})


__all__ = ["save_model", "load_model", "save_weights", "load_weights",
           "register_keras_serializable", "serialize_keras_object", "deserialize_keras_object",
           "get_registered_object", "get_registered_name", "CustomObjectScope",
           "custom_object_scope", "get_custom_objects"]
