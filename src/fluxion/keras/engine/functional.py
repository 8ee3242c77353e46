"""The Functional API: `Input`, `InputLayer`, and the graph of layer calls between a model's
inputs and outputs.

`FunctionalGraph(inputs, outputs)` walks back from the outputs through the recorded `Node`s,
orders the nodes by depth (as Keras does, so `model.layers` and `summary()` match Keras), and
`run`s them on data.

Example:
>>> from fluxion import keras
>>> x = keras.Input(shape=(3,))
>>> y = keras.layers.Dense(2)(x)
>>> graph = FunctionalGraph(x, y)
>>> [layer.name for layer in graph.layers][1:]
['dense']
"""
from ...core import nest
from ...core.tensor import Tensor, convert_to_tensor
from ...ops.math_ops import cast
from .keras_tensor import KerasTensor, Node
from .layer import Layer


class InputLayer(Layer):
    """The entry point of a functional model: produces a KerasTensor of a given shape.

    Args:
        shape: the shape of one sample, without the batch dimension (e.g. `(784,)`).
        batch_size: the fixed batch size, or None.
        dtype: the input's dtype (default float32).
        batch_shape: the full shape including the batch dimension (instead of `shape`).
        name: the layer's name (default `input_layer`, `input_layer_1`, ...).
        input_shape, batch_input_shape: Keras 2 spellings of `shape` and `batch_shape`.
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
                 input_tensor=None, optional=False, name=None, **kwargs):
        shape = kwargs.pop("input_shape", shape)
        batch_shape = kwargs.pop("batch_input_shape", batch_shape)
        kwargs.pop("ragged", None)
        super().__init__(name=name, dtype=dtype, **kwargs)
        if sparse:
            raise ValueError(f"InputLayer '{self.name}': sparse inputs are not supported.")
        if batch_shape is not None:
            batch_shape = tuple(batch_shape)
        elif shape is not None:
            shape = (shape,) if isinstance(shape, int) else tuple(shape)
            batch_shape = (batch_size,) + shape
        elif input_tensor is not None:
            batch_shape = tuple(input_tensor.shape)
        else:
            raise ValueError(f"InputLayer '{self.name}': give `shape` (the shape of one sample, "
                             "e.g. shape=(784,)) or `batch_shape`.")
        for d in batch_shape:
            if d is not None and (not isinstance(d, int) or d < 0):
                raise ValueError(f"InputLayer '{self.name}': shape dimensions must be "
                                 f"non-negative ints or None. Received: batch_shape={batch_shape}")
        self.batch_shape = batch_shape
        self.sparse = False
        self.optional = optional
        self.built = True
        self._build_shapes = batch_shape
        Node(self, (), {}, KerasTensor(batch_shape, self.compute_dtype, name=self.name))

    def __call__(self, *args, **kwargs):
        raise TypeError(f"InputLayer '{self.name}' cannot be called; use its output "
                        f"(keras.Input returns it).")

    def get_config(self):
        return {"batch_shape": list(self.batch_shape), "dtype": self.compute_dtype,
                "sparse": False, "ragged": False, "name": self.name, "optional": self.optional}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = config["dtype"]["config"]["name"]
        return cls(**config)


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None,
          tensor=None, optional=False, **kwargs):
    """Creates a symbolic input of a functional model.

    Args:
        shape: the shape of one sample, not including the batch size (e.g. `(784,)`;
            None for a variable dimension).
        batch_size: a fixed batch size, or None.
        dtype: the dtype of the data the model expects (default float32).
        batch_shape: the full shape including the batch size.
        name: the input's name (unique in a model); dict inputs are matched by it.

    Returns:
        A KerasTensor.

    Example:
    >>> x = Input(shape=(28, 28), name="image")
    >>> x.shape
    TensorShape([None, 28, 28])
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, input_tensor=tensor, optional=optional,
                       name=name, **kwargs)
    return layer.output


class FunctionalGraph:
    """The layer calls that lead from `inputs` to `outputs`, ordered for execution.

    Attributes:
        inputs, outputs: the structures given (KerasTensors).
        nodes: the nodes in execution order (inputs first).
        nodes_by_depth: `{depth: [nodes]}`, depth 0 at the outputs.
        layers: the layers, input side first (Keras's `model.layers` order).
    """

    def __init__(self, inputs, outputs, owner="model"):
        self.inputs, self.outputs = inputs, outputs
        self.flat_inputs = nest.flatten(inputs)
        self.flat_outputs = nest.flatten(outputs)
        for kind, tensors in (("inputs", self.flat_inputs), ("outputs", self.flat_outputs)):
            for t in tensors:
                if not isinstance(t, KerasTensor) or t._keras_history is None:
                    raise ValueError(f"Model '{owner}': all {kind} must be symbolic tensors "
                                     "made by keras.Input or by calling layers on them. "
                                     f"Received: {t!r}")
        self._map_graph(owner)

    def _map_graph(self, owner):
        input_ids = {id(t) for t in self.flat_inputs}
        finished, in_progress, order, layer_index = set(), set(), [], {}

        def visit(tensor, consumer):
            layer, node_index, _ = tensor._keras_history
            node = layer._inbound_nodes[node_index]
            if id(node) in finished:
                return
            if id(node) in in_progress:
                raise ValueError(f"Model '{owner}': the graph has a cycle at layer "
                                 f"'{layer.name}'.")
            if node.is_input and id(tensor) not in input_ids:
                raise ValueError(
                    f"Graph disconnected: cannot get the value of input '{tensor.name}' (layer "
                    f"'{layer.name}'), which layer '{consumer}' needs. Add it to the model's "
                    "inputs.")
            layer_index.setdefault(id(layer), (len(layer_index), layer))
            in_progress.add(id(node))
            if id(tensor) not in input_ids:
                for parent in node.input_tensors:
                    visit(parent, layer.name)
            in_progress.discard(id(node))
            finished.add(id(node))
            order.append(node)

        for t in self.flat_outputs:
            visit(t, "<outputs>")
        node_depth, layer_depth = {}, {}
        for node in reversed(order):
            depth = max(node_depth.setdefault(id(node), 0),
                        layer_depth.get(id(node.operation), 0))
            layer_depth[id(node.operation)] = depth
            node_depth[id(node)] = depth
            if not any(id(t) in input_ids for t in node.output_tensors):
                for parent in node.parent_nodes:
                    node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
        self.nodes_by_depth = {}
        for node in order:
            self.nodes_by_depth.setdefault(node_depth[id(node)], []).append(node)
        self.nodes = [n for d in sorted(self.nodes_by_depth, reverse=True)
                      for n in self.nodes_by_depth[d]]
        by_depth = {}
        for key, (index, layer) in layer_index.items():
            by_depth.setdefault(layer_depth[key], []).append((index, layer))
        self.layers = [layer for d in sorted(by_depth, reverse=True)
                       for _, layer in sorted(by_depth[d], key=lambda pair: pair[0])]
        names = {}
        for layer in self.layers:
            if layer.name in names:
                raise ValueError(f"Model '{owner}': all layer names should be unique, but the "
                                 f"name '{layer.name}' is used by two layers "
                                 f"({type(names[layer.name]).__name__} and "
                                 f"{type(layer).__name__}). Pass a unique `name=` to one.")
            names[layer.name] = layer

    def flatten_inputs(self, inputs, owner):
        """Matches the data given to a model call with the model's inputs (list or dict)."""
        if isinstance(inputs, dict) and not isinstance(self.inputs, dict):
            names = [t.name for t in self.flat_inputs]
            missing = [n for n in names if n not in inputs]
            if missing:
                raise ValueError(f"Model '{owner}': missing data for inputs {missing}. "
                                 f"Expected keys: {names}; received: {sorted(inputs)}.")
            flat = [inputs[n] for n in names]
        else:
            flat = nest.flatten(inputs)
        if len(flat) != len(self.flat_inputs):
            raise ValueError(f"Model '{owner}' expects {len(self.flat_inputs)} input(s), but it "
                             f"received {len(flat)} input tensors.")
        return flat

    def run(self, inputs, owner="model"):
        """Runs the layers on `inputs` (data or symbolic placeholders); returns the outputs in
        the structure of `outputs`."""
        flat = []
        for spec, x in zip(self.flat_inputs, self.flatten_inputs(inputs, owner)):
            if not isinstance(x, Tensor):
                x = convert_to_tensor(x)
            if x.dtype != spec.dtype and x.dtype.is_numeric and spec.dtype.is_numeric:
                x = cast(x, spec.dtype)
            flat.append(x)
        return self.replay(flat)

    def replay(self, flat_inputs, operation_of=None):
        """Calls each node's layer (or `operation_of(layer)`, e.g. its clone) on the values
        that reach it from `flat_inputs` (one per model input); returns the outputs in the
        structure of `outputs`."""
        values = dict(zip(map(id, self.flat_inputs), flat_inputs))

        def value_of(t):
            return values[id(t)] if isinstance(t, KerasTensor) else t
        for node in self.nodes:
            if node.is_input or all(id(t) in values for t in node.output_tensors):
                continue
            args = nest.map_structure(value_of, list(node.call_args))
            kwargs = {k: nest.map_structure(value_of, v) for k, v in node.call_kwargs.items()}
            operation = node.operation if operation_of is None else operation_of(node.operation)
            outputs = operation(*args, **kwargs)
            for tensor, value in zip(node.output_tensors, nest.flatten(outputs)):
                values[id(tensor)] = value
        return nest.pack_sequence_as(self.outputs, [values[id(t)] for t in self.flat_outputs])


def functional_config(model, graph):
    """The Keras 3 config of a functional model: layers with their inbound nodes."""
    from .layer import serialize
    node_ids = {id(n) for n in graph.nodes}
    layers = []
    for layer in graph.layers:
        config = serialize(layer)
        config["name"] = layer.name
        inbound = []
        for node in layer._inbound_nodes:
            if id(node) not in node_ids or node.is_input:
                continue
            inbound.append({"args": _serialize_args(list(node.call_args), node_ids),
                            "kwargs": _serialize_args(node.call_kwargs, node_ids)})
        config["inbound_nodes"] = inbound
        layers.append(config)

    def refs(structure):
        return nest.map_structure(
            lambda t: [t._keras_history.operation.name, _relevant_index(t, node_ids),
                       t._keras_history.tensor_index], structure)
    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "input_layers": refs(graph.inputs), "output_layers": refs(graph.outputs)}


def _relevant_index(tensor, node_ids):
    layer, index, _ = tensor._keras_history
    relevant = [n for n in layer._inbound_nodes if id(n) in node_ids]
    return relevant.index(layer._inbound_nodes[index]) if relevant else 0


def _serialize_args(structure, node_ids):
    def one(x):
        if isinstance(x, KerasTensor):
            layer, _, tensor_index = x._keras_history
            index = _relevant_index(x, node_ids)
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": list(x.shape), "dtype": x.dtype.name,
                               "keras_history": [layer.name, index, tensor_index]}}
        return x
    return nest.map_structure(one, structure)


def functional_from_config(config, deserialize_layer):
    """Rebuilds (inputs, outputs, layers by name) from a functional config."""
    created = {}
    node_outputs = {}  # (layer name, node index) -> outputs
    pending = []
    for layer_config in config["layers"]:
        layer = deserialize_layer(layer_config)
        created[layer.name] = layer
        if isinstance(layer, InputLayer):
            node_outputs[(layer.name, 0)] = layer.output
        pending.extend((layer, i, node) for i, node in enumerate(layer_config["inbound_nodes"]))
    progress = True
    while pending and progress:
        progress, remaining = False, []
        for layer, index, node in pending:
            try:
                args = _deserialize_args(node["args"], node_outputs)
                kwargs = _deserialize_args(node["kwargs"], node_outputs)
            except KeyError:
                remaining.append((layer, index, node))
                continue
            node_outputs[(layer.name, index)] = layer(*args, **kwargs)
            progress = True
        pending = remaining
    if pending:
        raise ValueError("model_from_json: could not connect layers "
                         f"{sorted({layer.name for layer, _, _ in pending})}.")

    def resolve(ref):
        if isinstance(ref, list) and len(ref) == 3 and isinstance(ref[0], str):
            name, index, tensor_index = ref
            return nest.flatten(node_outputs[(name, index)])[tensor_index]
        return [resolve(r) for r in ref]
    return resolve(config["input_layers"]), resolve(config["output_layers"])


def _deserialize_args(structure, node_outputs):
    if isinstance(structure, dict) and structure.get("class_name") == "__keras_tensor__":
        name, index, tensor_index = structure["config"]["keras_history"]
        return nest.flatten(node_outputs[(name, index)])[tensor_index]
    if isinstance(structure, dict):
        return {k: _deserialize_args(v, node_outputs) for k, v in structure.items()}
    if isinstance(structure, list):
        return [_deserialize_args(v, node_outputs) for v in structure]
    return structure


__all__ = ["Input", "InputLayer", "FunctionalGraph"]
