"""`Sequential`: a linear stack of layers, each feeding the next.

With a known input shape (an `Input`, or `input_shape=`/`input_dim=` on the first layer) the
model is built as layers are added, so shape errors appear at `add` time and `summary()` shows
every shape. Without one it is built on its first call (or `build(input_shape)`).

Example:
>>> from fluxion import keras
>>> model = keras.Sequential([keras.layers.Dense(10, input_shape=(784,),
...                                              activation="softmax")])
>>> model.count_params()
7850
"""
from ...core.tensor import TensorShape
from .. import backend
from .functional import FunctionalGraph, InputLayer
from .keras_tensor import KerasTensor
from .layer import Layer, serialize
from .model import Model, deserialize_layer


class Sequential(Model):
    """A model made of a list of layers applied one after the other.

    Args:
        layers: the layers, in order (more can be added with `add`).
        trainable: whether training updates the weights.
        name: the model's name (default `sequential`, `sequential_1`, ...).

    Example:
    >>> model = keras.Sequential()
    >>> model.add(keras.Input(shape=(16,)))
    >>> model.add(keras.layers.Dense(8))
    >>> model.output_shape
    (None, 8)
    """

    _is_sequential = True

    def __init__(self, layers=None, trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        self._stack = []
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._rebuild()

    @property
    def layers(self):
        """The layers, without the InputLayer (as Keras)."""
        return [layer for layer in self._stack if not isinstance(layer, InputLayer)]

    def add(self, layer, rebuild=True):
        """Appends a layer (or a `keras.Input`) to the stack.

        Raises:
            TypeError: if `layer` is not a Layer.
            ValueError: if the name is already used in the model, or a second input is added.
        """
        if isinstance(layer, KerasTensor) and isinstance(layer._keras_history.operation,
                                                         InputLayer):
            layer = layer._keras_history.operation
        if not isinstance(layer, Layer):
            raise TypeError("Only instances of `keras.Layer` can be added to a Sequential "
                            f"model. Received: {layer!r} (of type {type(layer).__name__})")
        if isinstance(layer, InputLayer) and self._stack:
            raise ValueError(f"Sequential model '{self.name}': an Input can only be the first "
                             "layer. Give the input shape before adding other layers.")
        if any(existing.name == layer.name for existing in self._stack):
            raise ValueError("All layers added to a Sequential model should have unique names. "
                             f"Name '{layer.name}' is already the name of a layer in this "
                             "model. Update the `name` argument to pass a unique name.")
        if not self._stack and layer._input_shape_arg is not None:
            self._stack.append(InputLayer(batch_shape=layer._input_shape_arg))
        self._stack.append(layer)
        if not rebuild:
            return
        if self._graph is not None and not isinstance(layer, InputLayer):
            output = layer(self._graph.outputs)  # extend the built graph by one layer
            self._graph = self._connect(self._graph.inputs, output)
        else:
            self._rebuild()

    def pop(self, rebuild=True):
        """Removes and returns the last layer.

        Raises:
            TypeError: if the model has no layers.
        """
        if not self.layers:
            raise TypeError(f"Sequential model '{self.name}': there are no layers to pop.")
        layer = self._stack.pop()
        if rebuild:
            self._rebuild()
        return layer

    def _rebuild(self):
        """Connects the layers from the InputLayer, if there is one (else: built lazily)."""
        self._graph = None
        has_input = bool(self._stack) and isinstance(self._stack[0], InputLayer)
        self.built = has_input and len(self._stack) > 1
        if not self.built:
            return
        x = inputs = self._stack[0].output
        for layer in self._stack[1:]:
            x = layer(x)
        self._graph = self._connect(inputs, x)
        self._build_shapes = tuple(inputs.shape)

    def _connect(self, inputs, outputs):
        # Keras 3 builds a hidden Functional model here, which takes a "functional" name: the
        # names of the Functional models made after it are numbered as in Keras.
        backend.unique_object_name("functional")
        return FunctionalGraph(inputs, outputs, owner=self.name)

    def build(self, input_shape=None):
        """Builds the model for inputs of `input_shape` (including the batch dimension,
        e.g. `(None, 784)`).

        Raises:
            ValueError: without an input shape on a model that has no Input.
        """
        if self._graph is not None:
            return
        if not self._stack or not isinstance(self._stack[0], InputLayer):
            if input_shape is None:
                raise ValueError(f"Sequential model '{self.name}': you must provide an "
                                 "`input_shape` argument to build().")
            self._stack.insert(0, InputLayer(batch_shape=tuple(TensorShape(input_shape))))
        self._rebuild()
        self.built = True

    def _maybe_build(self, inputs):
        if not self.built and not isinstance(inputs, (list, dict)):
            self.build(tuple(inputs.shape))

    def call(self, inputs, training=None, mask=None):
        if self._graph is not None:
            return self._graph.run(inputs, owner=self.name)
        for layer in self.layers:
            inputs = layer(inputs)
        return inputs

    @property
    def input_shape(self):
        return tuple(self._graph.inputs.shape) if self._graph is not None else super().input_shape

    @property
    def output_shape(self):
        if self._graph is not None:
            return tuple(self._graph.outputs.shape)
        raise AttributeError(f"Sequential model '{self.name}' is not built yet: it has no "
                             "output shape. Give an input shape or call it on data.")

    def get_config(self):
        config = Layer.get_config(self)
        config["layers"] = [serialize(layer) for layer in self._stack]
        if self._graph is not None:
            config["build_input_shape"] = list(self._graph.inputs.shape)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for layer_config in config.get("layers", []):
            model.add(deserialize_layer(layer_config, custom_objects), rebuild=False)
        model._rebuild()
        if model._graph is None and config.get("build_input_shape"):
            model.build(tuple(config["build_input_shape"]))
        return model
