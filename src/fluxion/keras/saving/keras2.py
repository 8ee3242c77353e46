"""Configs of tf.keras 2 (and tf_keras) in legacy `.h5` files, both ways.

Keras 2 and Keras 3 describe the same models with a few different spellings; Fluxion builds
from Keras 3's, so `from_keras2` rewrites a Keras 2 config when reading and `to_keras2` writes
one tf.keras 2 loads (Keras 3 reads it too: that is how it loads Keras 2 files):

- functional nodes: Keras 2 lists the input tensors of a call (`[["dense", 0, 0, {}], ...]`);
  Keras 3 stores the call's `args` and `kwargs` (a recurrent layer's extra inputs are its
  `initial_state`);
- `InputLayer`: `batch_input_shape` / `batch_shape`;
- a layer's `dtype`: a policy name / a `DTypePolicy` dict;
- optimizers: tf.keras 2 names new-style optimizers `Custom>Adam` and adds
  `is_legacy_optimizer` and `jit_compile`; Keras 3 adds `loss_scale_factor` and
  `gradient_accumulation_steps`;
- arguments only one side knows (`LeakyReLU(alpha)` / `negative_slope`, `groups=1` of
  transposed convolutions, `axis=[3]` of BatchNormalization, ...).

Example:
>>> node = [[["a", 0, 0, {}], ["b", 0, 0, {}]]]
>>> from_keras2({"class_name": "Add", "config": {"name": "add"}, "name": "add",
...              "inbound_nodes": node})["inbound_nodes"][0]["args"][0][1]["config"]
{'keras_history': ['b', 0, 0]}
"""
import copy

# Layers whose second and later inputs in a Keras 2 node are the `initial_state` argument.
_RECURRENT = {"RNN", "SimpleRNN", "GRU", "LSTM", "Bidirectional", "ConvLSTM1D", "ConvLSTM2D"}
_TRANSPOSED = {"Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
               "Convolution1DTranspose", "Convolution2DTranspose", "Deconvolution2D"}
# Keras 3 arguments tf.keras 2 does not accept, dropped (when they hold these values) on writing.
_KERAS3_ONLY = {"LayerNormalization": {"rms_scaling": False},
                "BatchNormalization": {"synchronized": False},
                "InputLayer": {"optional": False},
                "*": {"seed": None, "quantization_config": None, "lora_rank": None,
                      "lora_alpha": None}}
_OBJECT_MODULES = [["keras", kind] for kind in (
    "initializers", "regularizers", "constraints", "optimizers", "losses", "metrics",
    "activations")]
_OPTIMIZER_KERAS3_ONLY = {"loss_scale_factor": None, "gradient_accumulation_steps": None}
_KERAS2_OPTIMIZERS = {"Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "Ftrl",
                      "Lion", "Nadam", "RMSprop", "SGD"}
_OPTIMIZER_KERAS2_ONLY = ("is_legacy_optimizer", "jit_compile")


def _is_layer_config(value):
    return isinstance(value, dict) and isinstance(value.get("class_name"), str) and \
        isinstance(value.get("config"), dict)


# --- Keras 2 -> Keras 3 -------------------------------------------------------------------------
def _tensor(ref):
    return {"class_name": "__keras_tensor__", "config": {"keras_history": list(ref[:3])}}


def _is_ref(value):
    return isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)


def _node_from_keras2(class_name, node):
    """A Keras 2 node (a list of `[layer, node, tensor, kwargs]`) as Keras 3's args/kwargs."""
    if isinstance(node, dict):
        return node
    refs = [ref for ref in node if isinstance(ref, list) and len(ref) >= 3]
    kwargs = dict(refs[0][3]) if refs and len(refs[0]) > 3 and refs[0][3] else {}
    tensors = [_tensor(ref) for ref in refs]
    if class_name in _RECURRENT and len(tensors) > 1:
        states = tensors[1:]
        kwargs["initial_state"] = states[0] if len(states) == 1 else states
        return {"args": [tensors[0]], "kwargs": kwargs}
    return {"args": [tensors[0] if len(tensors) == 1 else tensors], "kwargs": kwargs}


def _layer_from_keras2(class_name, config):
    if class_name == "BatchNormalization" and isinstance(config.get("axis"), list) and \
            len(config["axis"]) == 1:
        config["axis"] = config["axis"][0]
    if class_name in _TRANSPOSED and config.get("groups") == 1:
        config.pop("groups")


def optimizer_from_keras2(config):
    """A Keras 2 optimizer dict (`Custom>Adam`, `is_legacy_optimizer`, ...) as Keras 3's."""
    config = copy.deepcopy(config)
    name = config.get("class_name", "")
    if name.startswith("Custom>"):
        config["class_name"] = name[len("Custom>"):]
    inner = config.get("config")
    if isinstance(inner, dict):
        for key in _OPTIMIZER_KERAS2_ONLY:
            inner.pop(key, None)
        if inner.get("decay") == 0:
            inner.pop("decay")
    return config


def from_keras2(config):
    """A copy of a (model, layer or optimizer) config with Keras 2 spellings made Keras 3's;
    Keras 3 configs come back unchanged."""
    def convert(value):
        if isinstance(value, list):
            return [convert(v) for v in value]
        if not isinstance(value, dict):
            return value
        value = {k: convert(v) for k, v in value.items()}
        for key in ("input_layers", "output_layers"):
            refs = value.get(key)
            if isinstance(refs, list) and len(refs) == 1 and _is_ref(refs[0]):
                value[key] = refs[0]  # Keras 2 lists even one input; Keras 3 unpacks it
        if _is_layer_config(value):
            _layer_from_keras2(value["class_name"], value["config"])
            nodes = value.get("inbound_nodes")
            if isinstance(nodes, list):
                value["inbound_nodes"] = [_node_from_keras2(value["class_name"], n)
                                          for n in nodes]
            if value["class_name"].startswith("Custom>"):
                value = optimizer_from_keras2(value)
        return value
    return convert(copy.deepcopy(config))


# --- Keras 3 -> Keras 2 -------------------------------------------------------------------------
def _ref(tensor):
    history = tensor["config"]["keras_history"]
    return [history[0], history[1], history[2]]


def _is_tensor(value):
    return isinstance(value, dict) and value.get("class_name") == "__keras_tensor__"


def _flat_tensors(value):
    if _is_tensor(value):
        return [value]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _flat_tensors(v)]
    return []


def _node_to_keras2(class_name, node):
    if not isinstance(node, dict):
        return node
    kwargs = dict(node.get("kwargs") or {})
    tensors = _flat_tensors(node.get("args") or [])
    if class_name in _RECURRENT and kwargs.get("initial_state") is not None:
        tensors += _flat_tensors(kwargs.pop("initial_state"))
    if any(_flat_tensors(v) for v in kwargs.values()):
        raise ValueError(f"save: a {class_name} layer is called with tensor arguments "
                         f"{sorted(k for k, v in kwargs.items() if _flat_tensors(v))}, which the "
                         "legacy .h5 format cannot describe. Save the model as `.keras`.")
    return [_ref(t) + [kwargs] for t in tensors]


def _dtype_to_keras2(dtype):
    if isinstance(dtype, dict):
        return dtype.get("config", {}).get("name", "float32")
    return dtype


def _layer_to_keras2(value):
    class_name, config = value["class_name"], dict(value["config"])
    for key, inert in {**_KERAS3_ONLY["*"], **_KERAS3_ONLY.get(class_name, {})}.items():
        if key in config and config[key] == inert:
            config.pop(key)
    if "dtype" in config:
        config["dtype"] = _dtype_to_keras2(config["dtype"])
    if class_name == "InputLayer" and "batch_shape" in config:
        config["batch_input_shape"] = config.pop("batch_shape")
    if class_name == "LeakyReLU" and "negative_slope" in config:
        config["alpha"] = config.pop("negative_slope")
    out = dict(value, config=config)
    if "inbound_nodes" in value:
        out["inbound_nodes"] = [_node_to_keras2(class_name, n) for n in value["inbound_nodes"]]
    return out


def optimizer_to_keras2(config):
    """A Keras 3 optimizer dict as tf.keras 2 writes it in a legacy `.h5` file.

    tf.keras 2 reads an optimizer without `is_legacy_optimizer: False` as its legacy class
    (other arguments, other state), and names its own optimizers `Custom>Adam`; Keras 3 reads
    that entry as a default-configured optimizer of the class, as it does tf.keras 2's files.
    """
    name, inner = config["class_name"], dict(config["config"])
    for key, inert in _OPTIMIZER_KERAS3_ONLY.items():
        if inner.get(key, inert) == inert:
            inner.pop(key, None)
    if name in _KERAS2_OPTIMIZERS:
        name = f"Custom>{name}"
        inner.update(jit_compile=False, is_legacy_optimizer=False)
    return {"class_name": name, "config": inner}


def to_keras2(config):
    """A Keras 3 model config rewritten in tf.keras 2's spelling (the layers' arguments and
    nodes; the dicts' `module` and `registered_name` stay: tf.keras 2 writes them too)."""
    def convert(value):
        if isinstance(value, list):
            return [convert(v) for v in value]
        if not isinstance(value, dict):
            return value
        module = str(value.get("module") or "")
        is_layer = _is_layer_config(value) and module != "keras" and \
            module.split(".")[:2] not in _OBJECT_MODULES
        value = {k: convert(v) for k, v in value.items()}
        return _layer_to_keras2(value) if is_layer else value
    return convert(copy.deepcopy(config))
