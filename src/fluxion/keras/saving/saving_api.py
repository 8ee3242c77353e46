"""`save_model` / `load_model` and `save_weights` / `load_weights`, dispatched on the file's
extension as Keras 3 does: `.keras` (the native zip archive), `.h5` / `.hdf5` (legacy HDF5),
`.weights.h5` (weights only, Keras 3 layout).

Every file is written to a temporary name and renamed; a model is returned only once the whole
file has been read and checked.
"""
import io
import os
import warnings

from ..callbacks.files import save_atomically
from . import archive, keras2, legacy_h5, weights
from .config import (
    compile_from_config,
    get_compile_config,
    model_config,
    model_from_config,
    normalize,
)

_warned_no_h5py = []


def _path(filepath, what):
    if not isinstance(filepath, (str, os.PathLike)):
        raise ValueError(f"{what}: expected a file path (str or pathlib.Path). Received: "
                         f"filepath={filepath!r}")
    return os.fspath(filepath)


def _is_h5(path):
    return path.endswith((".h5", ".hdf5"))


def _have_h5py():
    try:
        import h5py  # noqa: F401
        return True
    except ImportError:
        return False


def _check_overwrite(path, overwrite, what):
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{what}: '{path}' exists and overwrite=False.")


def save_model(model, filepath, overwrite=True, zipped=None, include_optimizer=True, **kwargs):
    """Saves a model — architecture, weights, optimizer state, compile configuration — to a
    `.keras` archive (Keras 3's format) or a legacy `.h5` file.

    Args:
        model: the model.
        filepath: a path ending in `.keras` (recommended) or `.h5`.
        overwrite: whether to replace an existing file.
        include_optimizer: also save the optimizer's state (`.h5` only; `.keras` always does).

    Raises:
        ValueError: for another extension.

    Example:
    >>> import os, tempfile
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> path = os.path.join(tempfile.mkdtemp(), "model.keras")
    >>> model.save(path)
    >>> keras.models.load_model(path).count_params()
    8
    """
    kwargs.pop("save_format", None)
    if kwargs:
        raise TypeError(f"save_model: unexpected arguments {sorted(kwargs)}.")
    path = _path(filepath, "save_model")
    _check_overwrite(path, overwrite, "save_model")
    if _is_h5(path):
        config = keras2.to_keras2({"class_name": _class_name(model),
                                   "config": model.get_config()})
        training = get_compile_config(model) if include_optimizer else None
        if training is not None:
            training["optimizer_config"] = keras2.optimizer_to_keras2(training.pop("optimizer"))
        save_atomically(path, lambda tmp: legacy_h5.save_legacy_h5(model, tmp, config, training))
        return
    if not path.endswith(".keras") or zipped is False:
        raise ValueError("Invalid filepath extension for saving. Please add either a `.keras` "
                         "extension for the native Keras format (recommended) or a `.h5` "
                         f"extension. Received: filepath={path}. (Fluxion has no TensorFlow "
                         "SavedModel format; use ONNX export for deployment.)")
    _ensure_built(model, "save_model")
    arrays, names = weights.collect(model, include_optimizer=True)
    archive.write_archive(path, model_config(model), *_weights_file(arrays, names))


def _weights_file(arrays, names):
    buffer = io.BytesIO()
    if _have_h5py():
        weights.write_h5(arrays, names, buffer)
        return archive.WEIGHTS_H5, buffer.getvalue()
    if not _warned_no_h5py:
        _warned_no_h5py.append(True)
        warnings.warn("h5py is not installed: the weights are stored as model.weights.npz in the "
                      ".keras archive, which Fluxion reads but Keras does not. Install h5py "
                      "(`pip install fluxion[h5]`) to write files Keras can load.", stacklevel=4)
    weights.write_npz(arrays, buffer)
    return archive.WEIGHTS_NPZ, buffer.getvalue()


def _class_name(model):
    if getattr(model, "_is_sequential", False):
        return "Sequential"
    return "Functional" if getattr(model, "_graph", None) is not None else type(model).__name__


def _ensure_built(model, what):
    if not model.built:
        raise ValueError(f"{what}: model '{model.name}' is not built yet, so it has no weights "
                         "to save. Call it on data or `model.build(input_shape)` first.")


def _read_weights(name, data, what):
    if name == archive.WEIGHTS_H5:
        return weights.read_h5(data, what)
    return weights.read_npz(data, what)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Loads a model saved with `model.save` (by Fluxion or Keras): `.keras` or legacy `.h5`.

    Nothing from the file is executed: layers, losses and optimizers are looked up by name;
    custom classes and functions must be passed in `custom_objects`.

    Args:
        filepath: the `.keras` or `.h5` file.
        custom_objects: a dict of names to custom classes or functions used by the model.
        compile: compile the model with the saved configuration and restore the optimizer
            state, so that training continues where it stopped.
        safe_mode: refuse Lambda layers (they wrap arbitrary functions). Pass False, with the
            functions in `custom_objects`, for a file you trust.

    Returns:
        The model.

    Raises:
        ValueError: for a damaged, truncated or unsafe file, a Lambda layer in safe mode, or
            weights that do not match the architecture; no partially loaded model is returned.

    Example:
    >>> model = keras.models.load_model("model.keras")  # doctest: +SKIP
    """
    path = _path(filepath, "load_model")
    if _is_h5(path):
        return _load_legacy(path, custom_objects, compile, safe_mode)
    if not path.endswith(".keras"):
        if os.path.isdir(path):
            raise ValueError(f"load_model: '{path}' is a directory (a TensorFlow SavedModel?). "
                             "Fluxion loads `.keras` archives and `.h5` files: re-save the model "
                             "in Keras with model.save('model.keras').")
        raise ValueError(f"load_model: file format not supported: filepath={path}. Fluxion "
                         "loads `.keras` archives (Keras 3) and legacy `.h5` files.")
    config, _, weights_name, data = archive.read_archive(path)
    model = model_from_config(config, custom_objects, safe_mode)
    compile_config = config.get("compile_config")
    with_optimizer = bool(compile and compile_config)
    if with_optimizer:
        compile_from_config(model, normalize(compile_config), custom_objects)
        model.optimizer.build(model.trainable_variables)
    arrays = _read_weights(weights_name, data, f"load_model('{path}')")
    weights.restore(model, arrays, f"load_model('{path}')", include_optimizer=with_optimizer)
    return model


def _load_legacy(path, custom_objects, compile, safe_mode):
    model_config_, training_config, optimizer_arrays, f = legacy_h5.read_legacy_h5(path)
    with f:
        model = model_from_config(model_config_, custom_objects, safe_mode)
        legacy_h5.read_weights_group(f["model_weights"] if "model_weights" in f else f, model,
                                     what=f"load_model('{path}')")
    if compile and training_config is not None:
        training_config = dict(training_config)
        training_config["optimizer"] = training_config.pop("optimizer_config", None)
        compile_from_config(model, normalize(training_config), custom_objects)
        if optimizer_arrays:
            model.optimizer.build(model.trainable_variables)
            names = [name for name, _ in optimizer_arrays]
            variables = legacy_h5.legacy_optimizer_variables(model.optimizer, names)
            shapes_match = len(variables) == len(optimizer_arrays) and all(
                tuple(v.shape) == a.shape for v, (_, a) in zip(variables, optimizer_arrays))
            if not shapes_match:
                warnings.warn("load_model: the saved optimizer state does not match the "
                              "optimizer; it starts freshly initialized.", stacklevel=2)
            else:
                for variable, (_, array) in zip(variables, optimizer_arrays):
                    variable.assign(array.astype(variable.dtype.as_numpy_dtype))
    return model


def save_weights(model, filepath, overwrite=True):
    """Saves the model's weights: `.weights.h5` in Keras 3's layout (by layer path), or a
    legacy `.h5` weights file (by layer name, as tf.keras 2). Needs h5py.

    Example:
    >>> model.save_weights("model.weights.h5")  # doctest: +SKIP
    """
    path = _path(filepath, "save_weights")
    _check_overwrite(path, overwrite, "save_weights")
    _ensure_built(model, "save_weights")
    if path.endswith(".weights.h5"):
        arrays, names = weights.collect(model, include_optimizer=False)
        save_atomically(path, lambda tmp: weights.write_h5(arrays, names, tmp))
    elif _is_h5(path):
        h5py = weights._require_h5py("save_weights")

        def write(tmp):
            with h5py.File(tmp, "w") as f:
                legacy_h5.write_weights_group(f, model)
        save_atomically(path, write)
    elif path.endswith(".weights.npz"):
        arrays, _ = weights.collect(model, include_optimizer=False)
        save_atomically(path, lambda tmp: _write_npz_file(arrays, tmp))
    else:
        raise ValueError("The filename must end in `.weights.h5`. Received: "
                         f"filepath={path} (also accepted: `.h5` for the legacy layout, "
                         "`.weights.npz` without h5py).")


def _write_npz_file(arrays, tmp):
    with open(tmp, "wb") as f:
        weights.write_npz(arrays, f)


def load_weights(model, filepath, skip_mismatch=False, by_name=False, **kwargs):
    """Loads weights saved by `save_weights` or `save` (Fluxion or Keras) into a built model.

    Args:
        filepath: a `.weights.h5`, `.keras`, legacy `.h5` or `.weights.npz` file.
        skip_mismatch: skip (with a warning) the layers whose weights do not match.
        by_name: legacy `.h5` only: match layers by name instead of by order.

    Raises:
        ValueError: when the file's weights do not match the model's (message names the layer,
            its path and the shapes); then no weight is changed.

    Example:
    >>> model.load_weights("model.weights.h5")  # doctest: +SKIP
    """
    if kwargs:
        raise TypeError(f"load_weights: unexpected arguments {sorted(kwargs)}.")
    path = _path(filepath, "load_weights")
    what = f"load_weights('{path}')"
    if not os.path.exists(path):
        raise FileNotFoundError(f"{what}: no such file.")
    _ensure_built(model, "load_weights")
    if path.endswith(".keras"):
        _, _, name, data = archive.read_archive(path)
        arrays = _read_weights(name, data, what)
    elif path.endswith(".weights.h5"):
        arrays = weights.read_h5(path, what)
    elif path.endswith(".npz"):
        arrays = weights.read_npz(path, what)
    elif _is_h5(path):
        h5py = weights._require_h5py("load_weights")
        try:
            f = h5py.File(path, "r")
        except OSError as error:
            raise ValueError(f"{what}: not a readable HDF5 file ({error}).") from None
        with f:
            group = f["model_weights"] if "model_weights" in f else f
            legacy_h5.read_weights_group(group, model, by_name, skip_mismatch, what)
        return
    else:
        raise ValueError(f"{what}: unsupported file. Use `.weights.h5`, `.keras` or `.h5`.")
    weights.restore(model, arrays, what, include_optimizer=False, skip_mismatch=skip_mismatch)
