"""`Model`: a layer with inputs and outputs you can inspect, summarize and train.

Two ways to make one:
- Functional: `Model(inputs, outputs)` over KerasTensors from `keras.Input`;
- Subclassing: define layers in `__init__` and the forward pass in `call`.
`Sequential` (sequential.py) is a Model over a list of layers.

Example:
>>> from fluxion import keras
>>> inputs = keras.Input(shape=(4,))
>>> model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
>>> model(fluxion.ones((3, 4))).shape
TensorShape([3, 2])
"""
import json
import warnings

from ...core import nest
from ...core.tensor import SymbolicTensor
from ...graph.tracer import ShapeTracer
from .. import backend
from ..trainers.trainer import Trainer
from .functional import FunctionalGraph, InputLayer, functional_config, functional_from_config
from .keras_tensor import enter_call
from .layer import LAYER_CLASSES, Layer, serialize, shape_structure
from .summary import print_summary


class Model(Trainer, Layer):
    """A model: `Model(inputs, outputs)` (functional) or a subclass defining `call`.

    Args:
        inputs: the model's `keras.Input` tensors (a tensor, list or dict).
        outputs: the tensors computed from them by calling layers.
        name: the model's name (default `functional`, or the snake-case subclass name).
        trainable: whether training updates the weights.

    Example:
    >>> class TwoLayers(keras.Model):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = keras.layers.Dense(8, activation="relu")
    ...         self.out = keras.layers.Dense(1)
    ...     def call(self, x):
    ...         return self.out(self.hidden(x))
    >>> TwoLayers()(fluxion.ones((2, 3))).shape
    TensorShape([2, 1])
    """

    def __init__(self, *args, **kwargs):
        inputs = kwargs.pop("inputs", args[0] if args else None)
        outputs = kwargs.pop("outputs", args[1] if len(args) > 1 else None)
        if (inputs is None) != (outputs is None):
            raise ValueError("Model: give both `inputs` and `outputs` (functional model), or "
                             "neither (subclassed model). Received: "
                             f"inputs={inputs!r}, outputs={outputs!r}")
        if inputs is not None and kwargs.get("name") is None and type(self) is Model:
            kwargs["name"] = backend.unique_object_name("functional")
        self._graph = None
        super().__init__(**kwargs)
        self._init_trainer()
        if inputs is not None:
            self._init_graph(inputs, outputs)

    def _init_graph(self, inputs, outputs):
        if isinstance(inputs, (list, tuple)) and len(inputs) == 1:
            inputs = inputs[0] if isinstance(inputs, tuple) else inputs
        self._graph = FunctionalGraph(inputs, outputs, owner=self.name)
        self._functional_layers = list(self._graph.layers)
        self._build_shapes = nest.map_structure(lambda t: tuple(t.shape), inputs)
        self.built = True

    # --- structure ------------------------------------------------------------------------------
    @property
    def layers(self):
        """The model's layers (for functional models the InputLayers first, as Keras)."""
        if self._graph is not None:
            return list(self._graph.layers)
        return self._layers

    @property
    def inputs(self):
        return list(self._graph.flat_inputs) if self._graph is not None else None

    @property
    def outputs(self):
        return list(self._graph.flat_outputs) if self._graph is not None else None

    @property
    def output_names(self):
        """The names of the outputs (the layers that produce them), which name the per-output
        losses and metrics of `fit`; None for a subclassed model."""
        if self._graph is None:
            return None
        from ..trainers.trainer import _output_names
        return _output_names(self)

    @property
    def input(self):
        if self._graph is not None:
            return self._graph.inputs
        return super().input

    @property
    def output(self):
        if self._graph is not None:
            return self._graph.outputs
        return super().output

    def get_layer(self, name=None, index=None):
        """Returns a layer by `name` or by `index` in `layers`.

        Raises:
            ValueError: if neither or both are given, the index is out of range, or no layer
                has that name (the message lists the names).
        """
        if (name is None) == (index is None):
            raise ValueError("get_layer: provide only a layer name or a layer index. "
                             f"Received: index={index}, name={name}.")
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(f"Was asked to retrieve layer at index {index} but model "
                                 f"'{self.name}' only has {len(layers)} layers.")
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: "
                         f"{[layer.name for layer in layers]}.")

    # --- building and calling -------------------------------------------------------------------
    def _maybe_build(self, inputs):
        if self.built:
            return
        if type(self).build is not Model.build:
            return super()._maybe_build(inputs)
        # A subclassed model's sub-layers build themselves during the first call.
        self._build_shapes = shape_structure(inputs)
        self.built = True

    def build(self, input_shape):
        """Builds a subclassed model's weights by running `call` on a symbolic input of
        `input_shape` (no data needed). Functional models are built already.

        Example:
        >>> model = TwoLayers(); model.build((None, 3)); len(model.weights)
        4
        """
        if self._graph is not None:
            return

        def placeholder(shape):
            return SymbolicTensor(tuple(shape), self.compute_dtype)
        is_shape = all(d is None or isinstance(d, int) for d in input_shape)
        inputs = placeholder(input_shape) if is_shape else \
            [placeholder(s) for s in input_shape]
        with ShapeTracer(), enter_call(False):
            self.call(inputs, **self._extra_call_kwargs(training=False, mask=None))
        self._build_shapes = tuple(input_shape) if is_shape else list(input_shape)
        self.built = True

    def call(self, inputs, training=None, mask=None):
        """Runs the functional graph; subclassed models override this."""
        if self._graph is None:
            raise NotImplementedError(
                f"Model '{self.name}' has no call(): subclass keras.Model and define "
                "call(self, inputs), or create it as keras.Model(inputs, outputs).")
        return self._graph.run(inputs, owner=self.name)

    def compute_output_shape(self, input_shape):
        if self._graph is not None:
            return nest.map_structure(lambda t: tuple(t.shape), self._graph.outputs)
        return super().compute_output_shape(input_shape)

    # --- inspection -------------------------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Prints Keras 3's summary table: each layer's name (type), output shape and number
        of parameters, then the total, trainable and non-trainable counts and sizes.

        Args:
            line_length: the table width (default: Keras's, fitted to the terminal).
            positions: the relative right edges of the columns.
            print_fn: a function called with the text (default: print).
            expand_nested: also list the layers of nested models.
            show_trainable: add a "Trainable" column.
            layer_range: `[first, last]` layer names to print part of the model.
        """
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable,
                      layer_range=layer_range)

    # --- configuration ----------------------------------------------------------------------------
    def get_config(self):
        if self._graph is not None:
            return functional_config(self, self._graph)
        return super().get_config()

    @classmethod
    def from_config(cls, config, custom_objects=None):
        if "input_layers" in config and "layers" in config:
            inputs, outputs = functional_from_config(
                config, lambda c: deserialize_layer(c, custom_objects))
            return cls(inputs=inputs, outputs=outputs, name=config.get("name"),
                       trainable=config.get("trainable", True))
        return cls(**config)

    def to_json(self, **kwargs):
        """Returns the model's architecture (no weights) as a JSON string, in Keras 3's format,
        with its `compile_config` (`{}` if not compiled), as Keras writes it.

        `keras.models.model_from_json` rebuilds the model from it (uncompiled).
        """
        config = serialize_model(self)
        config["compile_config"] = self.get_compile_config()
        return json.dumps(config, default=_json_default, **kwargs)

    def get_compile_config(self):
        """The arguments `compile()` was called with, serialized (`{}` if not compiled).

        Example:
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer="sgd", loss="mse"); model.get_compile_config()["loss"]
        'mse'
        """
        from ..saving.config import get_compile_config
        return get_compile_config(self) or {}

    def compile_from_config(self, config):
        """Compiles the model with a config from `get_compile_config()` (a new optimizer,
        built at once if the model is built). A model whose `compile` is overridden is left
        uncompiled, with a warning, as in Keras.

        Example:
        >>> other = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        >>> other.compile_from_config(model.get_compile_config()); other.compiled
        True
        """
        from ..saving.config import compile_from_config, normalize
        if type(self).compile is not Trainer.compile:
            warnings.warn("`compile()` was not called as part of model loading because the "
                          "model's `compile()` method is custom. All subclassed Models that "
                          "have `compile()` overridden should also override "
                          "`get_compile_config()` and `compile_from_config(config)`. "
                          "Alternatively, you can call `compile()` manually after loading.",
                          stacklevel=2)
            return
        compile_from_config(self, normalize(config))
        if self.built and self.optimizer is not None:
            self.optimizer.build(self.trainable_variables)

    # --- saving (keras/saving) --------------------------------------------------------------------
    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Saves the model (architecture, weights, optimizer state, compile configuration) to a
        `.keras` archive or a legacy `.h5` file; see `keras.saving.save_model`."""
        from ..saving import save_model
        save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def save_weights(self, filepath, overwrite=True):
        """Saves the weights to a `.weights.h5` file; see `keras.saving.save_weights`."""
        from ..saving import save_weights
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        """Loads weights from a `.weights.h5`, `.keras` or `.h5` file; see
        `keras.saving.load_weights`."""
        from ..saving import load_weights
        load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)


def _json_default(value):
    name = getattr(value, "__name__", None)
    if callable(value) and name and name != "<lambda>":
        return name  # a function (e.g. a Lambda layer's): restored by name
    raise TypeError(f"to_json: cannot write {value!r} as JSON. Lambda layers need a named "
                    "function (restored through custom_objects), not a lambda.")


def serialize_model(model):
    """The Keras 3 dict of a model (functional, Sequential or a registered subclass)."""
    if model._graph is not None and not getattr(model, "_is_sequential", False):
        return {"module": "keras.src.models.functional", "class_name": "Functional",
                "config": model.get_config(), "registered_name": "Functional",
                "build_config": {"input_shape": None}}
    config = serialize(model, "keras")
    config.setdefault("build_config", {"input_shape": None})
    return config


def deserialize_layer(config, custom_objects=None):
    """Creates a layer or model from its Keras 3 config dict (classes by name; custom classes
    only through `custom_objects`)."""
    class_name = config.get("class_name")
    if class_name in ("Functional", "Model"):
        return Model.from_config(config["config"], custom_objects=custom_objects)
    table = {**LAYER_CLASSES, **(custom_objects or {})}
    target = table.get(config.get("registered_name")) or table.get(class_name)
    if target is None:
        raise ValueError(f"Unknown layer class '{class_name}'. Pass custom classes with "
                         "custom_objects={'" + str(class_name) + "': TheClass}.")
    inner = dict(config.get("config", {}))
    if "custom_objects" in target.from_config.__code__.co_varnames:
        layer = target.from_config(inner, custom_objects=custom_objects)
    else:
        layer = target.from_config(inner)
    build = config.get("build_config") or {}
    if build.get("input_shape") is not None and not layer.built and \
            not isinstance(layer, (Model, InputLayer)):
        layer.build_from_config(build)
    return layer


def model_from_json(json_string, custom_objects=None):
    """Rebuilds a model (new, freshly initialized weights) from `model.to_json()`.

    Example:
    >>> inputs = keras.Input((3,)); m = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    >>> model_from_json(m.to_json()).output.shape
    TensorShape([None, 2])
    """
    return deserialize_layer(json.loads(json_string), custom_objects)
