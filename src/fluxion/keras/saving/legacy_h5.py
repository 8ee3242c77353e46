"""Legacy Keras HDF5 files (`model.save("model.h5")`, `save_weights("w.h5")` in tf.keras 2).

Layout (as Keras writes it): root attributes `model_config` and `training_config` (JSON),
`keras_version`, `backend`; a `model_weights` group whose attribute `layer_names` lists the
layers, each layer's group listing its `weight_names` (trainable weights first), the arrays at
those names; an `optimizer_weights` group likewise. Weights are matched to layers in order (the
layers that have weights), or by layer name with `by_name=True`.

The optimizer's state is written as tf.keras 2 writes it (the iteration count, then the slots in
Keras's order, no learning-rate variable: the rate is in `training_config`), so tf.keras 2
restores it; files of Keras 3 (which also stores the learning rate) load too.
"""
import json

import numpy as np

from ..engine.model import _json_default
from .weights import _require_h5py, keras_optimizer_variables

_ATTRIBUTE_LIMIT = 64000  # bytes per HDF5 attribute: longer lists are split (name0, name1, ...)


def _legacy_weights(layer):
    return layer.trainable_weights + layer.non_trainable_weights


def _save_list_attribute(group, name, values):
    data = np.array([v.encode("utf8") for v in values], dtype=object) if values else \
        np.zeros((0,), np.float64)
    chunks = max(1, -(-sum(len(v) + 1 for v in values) // _ATTRIBUTE_LIMIT))
    if chunks == 1:
        group.attrs[name] = data
        return
    for i, part in enumerate(np.array_split(data, chunks)):
        group.attrs[f"{name}{i}"] = part


def _load_list_attribute(group, name):
    if name in group.attrs:
        values = list(group.attrs[name])
    else:
        values, i = [], 0
        while f"{name}{i}" in group.attrs:
            values.extend(group.attrs[f"{name}{i}"])
            i += 1
    return [v.decode("utf8") if isinstance(v, bytes) else str(v) for v in values]


def _weight_name(layer, variable):
    path = getattr(variable, "path", None) or variable.name
    return path if path.startswith(layer.name + "/") else f"{layer.name}/{path}"


def write_weights_group(group, model):
    """Writes the layers' weights of `model` into an h5py group (Keras's `model_weights`)."""
    from .archive import KERAS_VERSION
    layers = model.layers
    _save_list_attribute(group, "layer_names", [layer.name for layer in layers])
    group.attrs["backend"] = "fluxion"
    group.attrs["keras_version"] = KERAS_VERSION
    for layer in layers:
        layer_group = group.create_group(layer.name)
        weights = _legacy_weights(layer)
        names = [_weight_name(layer, w) for w in weights]
        _save_list_attribute(layer_group, "weight_names", names)
        for name, weight in zip(names, weights):
            layer_group.create_dataset(name, data=np.array(weight.numpy()))
    group.create_group("top_level_model_weights").attrs["weight_names"] = np.zeros((0,))


def read_weights_group(group, model, by_name=False, skip_mismatch=False, what="load_weights"):
    """Assigns the weights of a legacy `model_weights` group to `model`'s layers.

    All arrays are checked before the first assignment: a mismatch changes nothing.

    Raises:
        ValueError: the number of layers with weights, or a layer's number or shapes of weights
            differ (the message names both layers).
    """
    saved = []
    for name in _load_list_attribute(group, "layer_names"):
        layer_group = group[name]
        names = _load_list_attribute(layer_group, "weight_names")
        if names:
            saved.append((name, [np.asarray(layer_group[n]) for n in names]))
    layers = [layer for layer in model.layers if _legacy_weights(layer)]
    if by_name:
        by_layer = dict(saved)
        pairs = [(layer, name, by_layer[name]) for layer in layers
                 for name in [layer.name] if name in by_layer]
    else:
        if len(saved) != len(layers):
            raise ValueError(f"{what}: layer count mismatch: the model has {len(layers)} "
                             f"layers with weights ({[l.name for l in layers]}), the file has "
                             f"{len(saved)} ({[n for n, _ in saved]}). Nothing was loaded.")
        pairs = [(layer, name, arrays) for layer, (name, arrays) in zip(layers, saved)]
    plan = []
    for layer, name, arrays in pairs:
        weights = _legacy_weights(layer)
        expected = [tuple(w.shape) for w in weights]
        received = [a.shape for a in arrays]
        if expected != received:
            message = (f"{what}: layer '{layer.name}' expects weights of shapes {expected}; "
                       f"the file's layer '{name}' has {received}")
            if skip_mismatch:
                import warnings
                warnings.warn(message + "; skipped.", stacklevel=3)
                continue
            raise ValueError(message + ". Nothing was loaded.")
        plan.extend(zip(weights, arrays))
    for weight, array in plan:
        weight.assign(array.astype(weight.dtype.as_numpy_dtype, copy=False))


def save_legacy_h5(model, target, model_config, training_config):
    """Writes a whole model as a legacy Keras `.h5` file (to a path)."""
    h5py = _require_h5py("Saving a .h5 model")
    from .archive import KERAS_VERSION
    with h5py.File(target, "w") as f:
        f.attrs["keras_version"] = KERAS_VERSION
        f.attrs["backend"] = "fluxion"
        f.attrs["model_config"] = json.dumps(model_config, default=_json_default)
        if training_config is not None:
            f.attrs["training_config"] = json.dumps(training_config, default=_json_default)
        write_weights_group(f.create_group("model_weights"), model)
        optimizer = getattr(model, "optimizer", None)
        if training_config is not None and optimizer is not None and optimizer.variables:
            group = f.create_group("optimizer_weights")
            variables = legacy_optimizer_variables(optimizer)
            names = [v.path for v in variables]
            _save_list_attribute(group, "weight_names", names)
            for name, variable in zip(names, variables):
                group.create_dataset(name, data=np.array(variable.numpy()))


def _is_learning_rate(name):
    return name.rsplit("/", 1)[-1].split(":")[0] == "learning_rate"


def legacy_optimizer_variables(optimizer, saved_names=()):
    """The optimizer's variables in the order of a legacy `optimizer_weights` group: Keras's
    order, with the learning-rate variable only if `saved_names` has one (Keras 3's files)."""
    keep_rate = any(_is_learning_rate(n) for n in saved_names)
    return [v for v in keras_optimizer_variables(optimizer)
            if keep_rate or not _is_learning_rate(v.path)]


def read_legacy_h5(path):
    """Reads a legacy `.h5` model file: `(model_config, training_config, optimizer weights as
    (name, array) pairs, an open h5py File)`; the caller closes the file."""
    h5py = _require_h5py("Loading a .h5 model")
    try:
        f = h5py.File(path, "r")
    except OSError as error:
        raise ValueError(f"load_model: '{path}' is not a readable HDF5 file (it may be "
                         f"truncated or corrupted): {error}") from None
    try:
        raw = f.attrs.get("model_config")
        if raw is None:
            raise ValueError(f"load_model: '{path}' holds no model config: it is a weights file. "
                             "Build the model, then call model.load_weights(path).")
        model_config = json.loads(raw.decode("utf8") if isinstance(raw, bytes) else raw)
        raw = f.attrs.get("training_config")
        training_config = None if raw is None else json.loads(
            raw.decode("utf8") if isinstance(raw, bytes) else raw)
        optimizer_arrays = None
        if "optimizer_weights" in f:
            group = f["optimizer_weights"]
            optimizer_arrays = [(n, np.asarray(group[n]))
                                for n in _load_list_attribute(group, "weight_names")]
    except BaseException:
        f.close()
        raise
    return model_config, training_config, optimizer_arrays, f
