"""Model configs in files: Keras 3's `{"module", "class_name", "config", "registered_name"}`
dicts, the compile configuration, configs written by newer or older Keras versions, and the
`safe_mode` check. Nothing here executes code from a file: classes and functions are looked up
by name in Fluxion's tables, the registered objects and the caller's `custom_objects`.
"""
import contextlib
import random

from ...ops import random_ops
from .. import losses as losses_module
from .. import metrics as metrics_module
from .. import optimizers as optimizers_module
from ..engine.model import deserialize_layer, serialize_model
from ..engine.serialization import _CUSTOM_OBJECTS
from .keras2 import from_keras2

# Arguments newer Keras versions write that do not change the computation when they hold these
# values: dropped before the config reaches Fluxion's constructors.
_INERT_ARGUMENTS = {"input_axes": None, "output_axes": None, "quantization_config": None,
                    "lora_rank": None, "lora_alpha": None, "shared_object_id": "*",
                    "optional": False, "synchronized": False}


def model_config(model):
    """The Keras 3 config dict of a model (`config.json`), with `compile_config` if compiled."""
    config = serialize_model(model)
    compile_config = get_compile_config(model)
    if compile_config is not None:
        config["compile_config"] = compile_config
    return config


def _serialize_entry(entry, serialize):
    if entry is None or isinstance(entry, str):
        return entry
    if isinstance(entry, dict):
        return {k: _serialize_entry(v, serialize) for k, v in entry.items()}
    if isinstance(entry, (list, tuple)):
        return [_serialize_entry(v, serialize) for v in entry]
    if hasattr(entry, "get_config"):
        return serialize(entry)
    name = getattr(entry, "__name__", None)
    if name is None or name == "<lambda>":
        raise ValueError(f"save: cannot save the compile argument {entry!r}: use a named "
                         "function (restored by name through custom_objects) or a Keras object.")
    return name


def get_compile_config(model):
    """The arguments `compile()` was called with, as JSON-friendly Keras 3 values (or None)."""
    if not getattr(model, "compiled", False):
        return None
    weights = getattr(model.compiled_loss, "weights", None)
    loss_weights = None if weights is None or all(w == 1.0 for w in weights) else list(weights)
    metrics = model.compiled_metrics
    return {"optimizer": optimizers_module.serialize(model.optimizer),
            "loss": _serialize_entry(model.loss, losses_module.serialize),
            "loss_weights": loss_weights,
            "metrics": _serialize_entry(metrics._metrics, metrics_module.serialize),
            "weighted_metrics": _serialize_entry(metrics._weighted, metrics_module.serialize),
            "run_eagerly": bool(getattr(model, "run_eagerly", False)),
            "steps_per_execution": int(getattr(model, "steps_per_execution", 1)),
            "jit_compile": False}


def _deserialize_entry(entry, deserialize, custom_objects):
    if entry is None:
        return None
    if isinstance(entry, str):
        return (custom_objects or {}).get(entry, entry)
    if isinstance(entry, list):
        return [_deserialize_entry(v, deserialize, custom_objects) for v in entry]
    if isinstance(entry, dict) and "class_name" not in entry:
        return {k: _deserialize_entry(v, deserialize, custom_objects) for k, v in entry.items()}
    return deserialize(normalize(entry), custom_objects)


def compile_from_config(model, config, custom_objects=None):
    """Calls `model.compile` with the arguments of a saved `compile_config`."""
    optimizer = config.get("optimizer")
    if isinstance(optimizer, dict):
        optimizer = optimizers_module.deserialize(normalize(optimizer), custom_objects)
    model.compile(
        optimizer=optimizer if optimizer is not None else "rmsprop",
        loss=_deserialize_entry(config.get("loss"), losses_module.deserialize, custom_objects),
        loss_weights=config.get("loss_weights"),
        metrics=_deserialize_entry(config.get("metrics"), metrics_module.deserialize,
                                   custom_objects),
        weighted_metrics=_deserialize_entry(config.get("weighted_metrics"),
                                            metrics_module.deserialize, custom_objects),
        run_eagerly=bool(config.get("run_eagerly", False)),
        steps_per_execution=int(config.get("steps_per_execution") or 1))


def normalize(config):
    """A copy of a Keras config with the arguments of other Keras versions made Fluxion's.

    Rewrites Keras 2 spellings (`keras2.from_keras2`) and drops inert arguments newer Keras
    versions write (`input_axes=None`, `quantization_config=None`, `shared_object_id`, ...).
    """
    def clean(value):
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                inert = _INERT_ARGUMENTS.get(key, ())
                if inert == "*" or (inert != () and item == inert):
                    continue
                out[key] = clean(item)
            return out
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value
    return clean(from_keras2(config))


def check_safe_mode(config, safe_mode):
    """Refuses Lambda layers when `safe_mode` is True (as Keras 3 does by default).

    Raises:
        ValueError: naming the Lambda layer and how to load it.
    """
    if not safe_mode:
        return
    for layer in _layer_configs(config):
        if layer.get("class_name") == "Lambda":
            name = layer.get("config", {}).get("name")
            raise ValueError(
                f"load_model: the file contains a Lambda layer ('{name}'). Lambda layers wrap "
                "arbitrary Python functions, so they are refused with safe_mode=True (the "
                "default). Fluxion never runs code stored in a file: if you trust the file, "
                "pass safe_mode=False and give the function by name, e.g. "
                "load_model(path, safe_mode=False, custom_objects={'my_function': "
                "my_function}).")


def _layer_configs(config):
    if isinstance(config, dict):
        if "class_name" in config and isinstance(config.get("config"), dict):
            yield config
        for value in config.values():
            yield from _layer_configs(value)
    elif isinstance(config, list):
        for value in config:
            yield from _layer_configs(value)


@contextlib.contextmanager
def preserved_random_state():
    """Leaves fluxion's, NumPy's and Python's random streams as they were: building a model
    from its config draws initial weights, which loading then overwrites — loading must not
    shift the random numbers the program draws afterwards (dropout masks of resumed training)."""
    import numpy as np
    state = random_ops._state
    op_seeds = state.op_seeds.getstate() if state.op_seeds is not None else None
    counters = dict(state.counters)
    np_state, py_state = np.random.get_state(), random.getstate()
    try:
        yield
    finally:
        if op_seeds is not None and state.op_seeds is not None:
            state.op_seeds.setstate(op_seeds)
        state.counters.clear()
        state.counters.update(counters)
        np.random.set_state(np_state)
        random.setstate(py_state)


def model_from_config(config, custom_objects=None, safe_mode=True):
    """Builds a model from its Keras config dict (fresh weights; the random state unchanged)."""
    check_safe_mode(config, safe_mode)
    objects = dict(_CUSTOM_OBJECTS)
    objects.update(custom_objects or {})
    config = normalize(config)
    config.pop("compile_config", None)
    with preserved_random_state():
        try:
            return deserialize_layer(config, objects)
        except (TypeError, KeyError) as error:
            raise ValueError(f"load_model: could not rebuild the model from its config: "
                             f"{error}. If the model uses custom layers or functions, pass "
                             "them with custom_objects={'Name': object}.") from error
