"""`clone_model`: a new model with the same architecture and freshly initialized weights."""
from ...core import nest
from ..engine.functional import Input, InputLayer
from ..engine.keras_tensor import KerasTensor
from ..engine.model import Model, deserialize_layer, serialize_model
from ..engine.sequential import Sequential


def _clone_layer(layer):
    return layer.__class__.from_config(layer.get_config())


def clone_model(model, input_tensors=None, clone_function=None):
    """Returns a copy of `model`'s architecture (Sequential or functional) with new weights.

    A compiled model's clone is compiled with the same configuration (a new optimizer), as
    Keras does.

    Args:
        model: a Sequential or functional `Model` (a subclassed model is rebuilt from its
            config; it accepts neither of the next two arguments).
        input_tensors: `keras.Input` tensors to build the clone on, in the structure of
            `model.input` (default: new inputs of the same shapes, dtypes and names).
        clone_function: `fn(layer) -> layer` called on every layer except the inputs
            (default: `layer.__class__.from_config(layer.get_config())`); it may return
            another layer, or the same one to share its weights.

    Raises:
        ValueError: if `clone_function` is not callable, `input_tensors` are not
            KerasTensors in the structure of the inputs, or the model is subclassed.

    Example:
    >>> from fluxion.keras import layers, models
    >>> m = models.Sequential([layers.Dense(2, input_shape=(3,), name="d")])
    >>> clone_model(m).count_params()
    8
    >>> [l.name for l in clone_model(m, clone_function=lambda l: layers.Dense(
    ...     4, name=l.name + "_wide")).layers]
    ['d_wide']
    """
    if not isinstance(model, Model):
        raise TypeError(f"clone_model expects a keras Model. Received: {model!r}")
    if clone_function is not None and not callable(clone_function):
        raise ValueError("Expected `clone_function` argument to be a callable. "
                         f"Received: clone_function={clone_function}")
    if isinstance(model, Sequential):
        clone = _clone_sequential(model, _cached(clone_function), input_tensors)
    elif model._graph is not None:
        clone = _clone_functional(model, _cached(clone_function), input_tensors)
    else:
        if clone_function is not None or input_tensors is not None:
            raise ValueError("Arguments `clone_function` and `input_tensors` are only "
                             "supported for Sequential models or Functional models. Received "
                             f"model of type '{type(model).__name__}', with "
                             f"clone_function={clone_function} and "
                             f"input_tensors={input_tensors}")
        clone = deserialize_layer(serialize_model(model),
                                  custom_objects={type(model).__name__: type(model)})
    if getattr(model, "compiled", False):
        clone.compile_from_config(model.get_compile_config())
    return clone


def _cached(clone_function):
    """`clone_function` (or the default), called once per layer: a layer used twice stays
    shared in the clone."""
    clone_function = clone_function or _clone_layer
    cache = {}

    def clone(layer):
        if id(layer) not in cache:
            cache[id(layer)] = clone_function(layer)
        return cache[id(layer)]
    return clone


def _clone_sequential(model, clone, input_tensors):
    layers = [clone(layer) for layer in model.layers]
    first = model._stack[0] if model._stack else None
    if input_tensors is not None:
        if isinstance(input_tensors, (list, tuple)):
            if len(input_tensors) != 1:
                raise ValueError("Argument `input_tensors` must contain a single tensor.")
            input_tensors = input_tensors[0]
        if not isinstance(input_tensors, KerasTensor):
            raise ValueError("Argument `input_tensors` must be a KerasTensor. Received invalid "
                             f"value: input_tensors={input_tensors}")
        name = first.name if isinstance(first, InputLayer) else None
        layers = [Input(tensor=input_tensors, name=name)] + layers
    elif isinstance(first, InputLayer):
        layers = [Input(batch_shape=first.batch_shape, dtype=first.compute_dtype,
                        name=first.name)] + layers
    return Sequential(layers, name=model.name, trainable=model.trainable)


def _clone_functional(model, clone, input_tensors):
    graph = model._graph
    if input_tensors is None:
        input_tensors = nest.map_structure(
            lambda t: Input(batch_shape=tuple(t.shape), dtype=t.dtype,
                            name=t._keras_history.operation.name), graph.inputs)
    else:
        flat = nest.flatten(input_tensors)
        if not all(isinstance(t, KerasTensor) for t in flat):
            raise ValueError("All entries in `input_tensors` must be KerasTensors. Received "
                             f"invalid values: input_tensors={input_tensors}")
        if len(flat) != len(graph.flat_inputs):
            raise ValueError("`input_tensors` must have the same structure as model.input\n"
                             f"Reference structure: {graph.inputs}\n"
                             f"Received structure: {input_tensors}")
    outputs = graph.replay(nest.flatten(input_tensors), clone)
    inputs = nest.pack_sequence_as(graph.inputs, nest.flatten(input_tensors))
    return Model(inputs, outputs, name=model.name)
