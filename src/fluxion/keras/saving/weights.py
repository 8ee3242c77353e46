"""Model weights in Keras 3's layout: every layer (and the optimizer) has a path, and its own
variables are stored under `<path>/vars/0`, `<path>/vars/1`, ... (the root model under `vars`).

Paths follow Keras's rules, so files interchange with Keras: the layers of a Sequential or
functional model are under `layers/<snake_case class name>` made unique in order (`dense`,
`dense_1`, ...; never the layer's own name, which is not reproducible), sub-layers held in
attributes under the attribute's name (`layers/lstm/cell`), the optimizer under `optimizer`.

A layer's `keras.random.SeedGenerator` (Dropout's, a recurrent cell's) is saved under the
attribute's name too (`layers/dropout/seed_generator/vars/0`: `[seed, counter]`), so resumed
training draws the random numbers an uninterrupted run would. Keras 3 does not save this state
(and ignores the entries); a file without them loads, the generators keeping their state.

Two stores hold the arrays: HDF5 (`model.weights.h5`, needs h5py, what Keras writes) and NumPy's
npz (`model.weights.npz` with keys `<path>/vars/<i>`, loaded with `allow_pickle=False`).

Loading is all-or-nothing: every array is read and checked (count, shape) before any variable is
assigned, so a mismatch leaves the model untouched.

Example:
>>> from fluxion import keras
>>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
>>> [path for path, _ in saveable_tree(model)]
['', 'layers/dense']
"""
import io
import warnings

import numpy as np

from ..backend import to_snake_case
from ..engine.layer import Layer
from ..optimizers.base import Optimizer
from ..random import SeedGenerator

# Fluxion's own bookkeeping attributes: never sub-layers in Keras's sense.
_SKIP_ATTRIBUTES = {"_inbound_nodes", "_init_arguments", "_graph", "_functional_layers",
                    "_stack", "optimizer", "compiled_loss", "compiled_metrics", "_loss_tracker",
                    "_build_shapes", "input_spec"}
# Slot groups Keras creates in one `add_optimizer_variables(vars, [a, b])` call: Keras then
# interleaves them per variable (a0, b0, a1, b1, ...).
_INTERLEAVED_SLOTS = {("momentum", "velocity"), ("momentum", "norm"),
                      ("accumulated_grad", "accumulated_delta_var"), ("accumulator", "linear")}


def _name_key(name):
    return f"~{name}" if name.startswith("_") else name  # private attributes last, as Keras


def _join(path, name):
    return f"{path}/{name}" if path else name


def _children(obj):
    """(attribute name, value) pairs of `obj` in Keras's visiting order."""
    if getattr(obj, "_graph", None) is not None:
        yield "layers", obj.layers
    for attr in sorted(vars(obj), key=_name_key):
        if attr not in _SKIP_ATTRIBUTES and not attr.startswith("__"):
            yield attr, vars(obj)[attr]


def saveable_tree(model, include_optimizer=False):
    """The (path, object) pairs of a model's layers (and optimizer), in Keras's order.

    Args:
        model: a built `keras.Model` (or any layer).
        include_optimizer: also list `model.optimizer` (path "optimizer") if it exists.

    Returns:
        A list of `(path, layer, seed generator or optimizer)`; the root's path is "".
    """
    out, visited = [], set()

    def visit(obj, path):
        if id(obj) in visited:
            return
        visited.add(id(obj))
        out.append((path, obj))
        for attr, child in _children(obj):
            if isinstance(child, Layer):
                visit(child, _join(path, attr))
            elif isinstance(child, SeedGenerator):
                if id(child) not in visited:
                    visited.add(id(child))
                    out.append((_join(path, attr), child))
            elif isinstance(child, (list, tuple, dict)):
                items = child.values() if isinstance(child, dict) else child
                used = {}
                for item in items:
                    if isinstance(item, Layer):
                        name = to_snake_case(type(item).__name__)
                        used[name] = used.get(name, -1) + 1
                        visit(item, _join(_join(path, attr),
                                          name if used[name] == 0 else f"{name}_{used[name]}"))
    visit(model, "")
    optimizer = getattr(model, "optimizer", None)
    if include_optimizer and isinstance(optimizer, Optimizer):
        out.append(("optimizer", optimizer))
    return out


def seed_generators(model):
    """The `keras.random.SeedGenerator`s of a model's layers (Dropout's, the recurrent cells'),
    in the order of its weights files: their `state` variables are the random state a resumed
    run needs (e.g. for a backup callback).

    Example:
    >>> m = keras.Sequential([keras.Input((2,)), keras.layers.Dropout(0.5, seed=1)])
    >>> [g.state.numpy().tolist() for g in seed_generators(m)]
    [[1, 0]]
    """
    return [obj for _, obj in saveable_tree(model) if isinstance(obj, SeedGenerator)]


def own_variables(obj):
    """The variables an object stores under its own path, in Keras's order."""
    if isinstance(obj, Optimizer):
        return keras_optimizer_variables(obj)
    if isinstance(obj, SeedGenerator):
        return [obj.state]
    return obj._own_variables()


def keras_optimizer_variables(optimizer):
    """The optimizer's variables in Keras's order: Fluxion creates multi-slot groups slot by
    slot (m0, m1, v0, v1); Keras interleaves them per variable (m0, v0, m1, v1)."""
    variables = list(optimizer.variables)
    refs = [v.path.replace("/", "_") + "_" for v in optimizer._trainable_variables]
    n = len(refs)
    if n == 0:
        return variables
    names = [v.path.split("/", 1)[-1] for v in variables]

    def slot_block(start):
        """The slot name if names[start:start + n] are one slot of every variable, in order."""
        if start + n > len(names) or not names[start].startswith(refs[0]):
            return None
        slot = names[start][len(refs[0]):]
        ok = all(names[start + i] == refs[i] + slot for i in range(n))
        return slot if ok else None

    order, p = [], 0
    while p < len(variables):
        first, second = slot_block(p), slot_block(p + n)
        if first is not None and (first, second) in _INTERLEAVED_SLOTS:
            order.extend(p + j * n + i for i in range(n) for j in range(2))
            p += 2 * n
        else:
            order.append(p)
            p += 1
    return [variables[i] for i in order]


# --- stores -------------------------------------------------------------------------------------
def _require_h5py(what):
    try:
        import h5py
    except ImportError:
        raise ImportError(f"{what} needs the h5py package (HDF5 files, as Keras writes them). "
                          "Install it with `pip install fluxion[h5]` (or `pip install h5py`).") \
            from None
    return h5py


def write_h5(arrays_by_path, names_by_path, target):
    """Writes `{path: [arrays]}` as Keras 3's HDF5 weights file to a path or binary file."""
    h5py = _require_h5py("Writing a .weights.h5 file")
    with h5py.File(target, "w") as f:
        for path, arrays in arrays_by_path.items():
            group = f.create_group(_join(path, "vars"))
            if names_by_path.get(path):
                group.attrs["name"] = names_by_path[path]
            for i, array in enumerate(arrays):
                group.create_dataset(str(i), data=array)


def read_h5(source, what):
    """Reads `{path: [arrays]}` from a Keras 3 HDF5 weights file (a path or bytes)."""
    h5py = _require_h5py(f"Reading {what}")
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    try:
        with h5py.File(source, "r") as f:
            out = {}

            def visit(name, obj):
                if isinstance(obj, h5py.Group) and (name == "vars" or name.endswith("/vars")):
                    keys = sorted(obj.keys(), key=lambda k: int(k) if k.isdigit() else -1)
                    if any(not k.isdigit() for k in keys):
                        raise ValueError(f"unexpected entries {keys} in group '{name}'")
                    out[name[:-len("vars")].rstrip("/")] = [np.asarray(obj[k]) for k in keys]
            f.visititems(visit)
            return out
    except (OSError, KeyError) as error:
        raise ValueError(f"{what} is not a readable HDF5 weights file (it may be truncated or "
                         f"corrupted): {error}") from None


def write_npz(arrays_by_path, target):
    """Writes `{path: [arrays]}` as an npz file with keys `<path>/vars/<i>`."""
    flat = {}
    for path, arrays in arrays_by_path.items():
        flat[_join(path, "vars") + "/."] = np.zeros((0,), np.int8)  # marks empty groups too
        for i, array in enumerate(arrays):
            flat[f"{_join(path, 'vars')}/{i}"] = array
    np.savez(target, **flat)


def read_npz(source, what):
    """Reads `{path: [arrays]}` from `write_npz` output (never unpickles)."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    try:
        with np.load(source, allow_pickle=False) as data:
            out = {}
            for key in data.files:
                group, _, index = key.rpartition("/")
                if not group.endswith("vars"):
                    raise ValueError(f"unexpected entry '{key}'")
                path = group[:-len("vars")].rstrip("/")
                arrays = out.setdefault(path, {})
                if index != ".":
                    arrays[int(index)] = data[key]
            return {p: [a[i] for i in range(len(a))] for p, a in out.items()}
    except (OSError, ValueError, KeyError, EOFError) as error:
        raise ValueError(f"{what} is not a readable npz weights file (it may be truncated or "
                         f"corrupted): {error}") from None


# --- collecting and restoring -------------------------------------------------------------------
def collect(model, include_optimizer):
    """`({path: [arrays]}, {path: name})` of the model (and optimizer) in Keras's layout."""
    arrays, names = {}, {}
    for path, obj in saveable_tree(model, include_optimizer):
        arrays[path] = [np.array(v.numpy()) for v in own_variables(obj)]
        names[path] = obj.name
    return arrays, names


def restore(model, arrays_by_path, what, include_optimizer, skip_mismatch=False):
    """Assigns saved arrays to the model's variables (and the optimizer's, if asked).

    Every array is checked before the first assignment: on any mismatch nothing changes.

    Raises:
        ValueError: a layer's weights are missing from the file, or their number or shapes
            differ; the message names the layer, its path and both shapes.
    """
    plan, problems = [], []
    used = {"optimizer"}
    for path, obj in saveable_tree(model, include_optimizer):
        variables = own_variables(obj)
        saved = arrays_by_path.get(path)
        used.add(path)
        label = f"{type(obj).__name__} '{obj.name}' (path '{path or '/'}')"
        if saved is None:
            if variables and not isinstance(obj, SeedGenerator):  # Keras saves no RNG state
                problems.append(f"{label}: no weights in the file for its "
                                f"{len(variables)} variables")
            continue
        if isinstance(obj, Optimizer) and len(saved) != len(variables):
            warnings.warn(f"Skipping variable loading for optimizer '{obj.name}', because it has "
                          f"{len(variables)} variables whereas the saved optimizer has "
                          f"{len(saved)} variables.", stacklevel=3)
            continue
        expected = [tuple(v.shape) for v in variables]
        received = [tuple(np.shape(a)) for a in saved]
        if expected != received:
            message = (f"{label} expects {len(expected)} weights of shapes {expected}; the file "
                       f"has {len(received)} of shapes {received}")
            if skip_mismatch:
                warnings.warn(f"{what}: skipping {message}.", stacklevel=3)
                continue
            problems.append(message)
            continue
        plan.extend(zip(variables, saved))
    extra = sorted(p for p, a in arrays_by_path.items() if a and p not in used)
    if extra and not skip_mismatch:
        problems.append(f"the file has weights for {extra}, which this model does not have")
    if problems:
        raise ValueError(f"{what}: the saved weights do not match the model "
                         "(nothing was loaded):\n  - " + "\n  - ".join(problems) +
                         "\nCheck that the model is built with the same architecture as the "
                         "saved one (or pass skip_mismatch=True to load what matches).")
    for variable, value in plan:
        variable.assign(np.asarray(value).astype(variable.dtype.as_numpy_dtype, copy=False))
