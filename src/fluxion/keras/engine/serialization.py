"""Keras 3's object serialization format: `{"module", "class_name", "config", "registered_name"}`.

`lookup` resolves string identifiers (`"relu"`, `"glorot_uniform"`) and config dicts for one kind
of object (activations, initializers, ...) and raises one error that lists the valid names.
"""
_CUSTOM_OBJECTS = {}


def register_keras_serializable(package="Custom", name=None):
    """Decorator registering a class or function so configs can refer to it by name.

    Example:
    >>> @register_keras_serializable()
    ... def my_activation(x):
    ...     return x
    """
    def decorator(obj):
        key = f"{package}>{name or obj.__name__}"
        _CUSTOM_OBJECTS[key] = obj
        _CUSTOM_OBJECTS[name or obj.__name__] = obj
        obj._registered_name = key
        return obj
    return decorator


def get_custom_objects():
    """The global dict of custom objects that configs and `load_model` resolve names with.

    It is the live table: entries added to it are found by every later lookup.

    Example:
    >>> def my_activation(x):
    ...     return x
    >>> get_custom_objects()["my_activation"] = my_activation
    """
    return _CUSTOM_OBJECTS


class CustomObjectScope:
    """Within its `with` block, the names of the given dicts resolve to their objects.

    Example:
    >>> def swish_ish(x):
    ...     return x
    >>> with CustomObjectScope({"swish_ish": swish_ish}):
    ...     "swish_ish" in get_custom_objects()
    True
    """

    def __init__(self, *custom_objects):
        for table in custom_objects:
            if table is not None and not isinstance(table, dict):
                raise TypeError(f"CustomObjectScope: expected dicts of names to objects, "
                                f"received {type(table).__name__}.")
        self._objects = {k: v for table in custom_objects if table for k, v in table.items()}
        self._replaced = None

    def __enter__(self):
        self._replaced = {k: _CUSTOM_OBJECTS.get(k, _ABSENT) for k in self._objects}
        _CUSTOM_OBJECTS.update(self._objects)
        return self

    def __exit__(self, *exc_info):
        for key, previous in self._replaced.items():
            if previous is _ABSENT:
                _CUSTOM_OBJECTS.pop(key, None)
            else:
                _CUSTOM_OBJECTS[key] = previous


custom_object_scope = CustomObjectScope
_ABSENT = object()


def serialize_keras_object(obj, module):
    """Returns the Keras 3 dict describing `obj` (None stays None, functions become names).

    Example:
    >>> serialize_keras_object(None, "keras.initializers") is None
    True
    """
    if obj is None:
        return None
    if not hasattr(obj, "get_config"):
        return getattr(obj, "__name__", str(obj))
    return {"module": module, "class_name": type(obj).__name__, "config": obj.get_config(),
            "registered_name": getattr(type(obj), "_registered_name", None)}


def lookup(identifier, kind, objects, custom_objects=None):
    """Resolves a name, a config dict or an object of `kind` ("activation", "initializer", ...).

    Args:
        identifier: None, a string name, a `{"class_name", "config"}` dict or a callable.
        kind: the word used in error messages.
        objects: a dict of the valid names and class names to classes or functions.
        custom_objects: extra names to objects, searched first.

    Returns:
        The object: a class's instance for configs and class names, or the function.

    Raises:
        ValueError: for an unknown name, listing the valid ones.
    """
    table = dict(objects)
    table.update(_CUSTOM_OBJECTS)
    table.update(custom_objects or {})
    if isinstance(identifier, dict):
        name = identifier.get("registered_name") or identifier.get("class_name")
        if name not in table:
            name = identifier.get("class_name")
        target = table.get(name)
        if target is None:
            _unknown(identifier.get("class_name"), kind, objects)
        config = identifier.get("config", {})
        if isinstance(target, type):
            return target.from_config(config) if hasattr(target, "from_config") \
                else target(**config)
        return target
    if isinstance(identifier, str):
        target = table.get(identifier)
        if target is None:
            target = table.get(identifier.lower())
        if target is None:
            _unknown(identifier, kind, objects)
        return target() if isinstance(target, type) else target
    return identifier


def _unknown(name, kind, objects):
    names = ", ".join(sorted(n for n in objects if n[:1].islower()))
    raise ValueError(f"Could not interpret {kind} identifier: {name!r}. Valid names are: "
                     f"{names}.")
