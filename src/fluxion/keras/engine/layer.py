"""`Layer`: the Keras building block — weights created in `build`, computation in `call`.

A layer is built lazily on its first call, from the shape of its input. Calling it on
KerasTensors (the Functional API) builds it, infers its output shape without computing anything
(`ShapeTracer`) and records a `Node`; calling it on data computes.

Example:
>>> from fluxion import keras
>>> layer = keras.layers.Dense(3)
>>> layer(fluxion.ones((2, 4))).shape
TensorShape([2, 3])
>>> [w.shape for w in layer.weights]
[TensorShape([4, 3]), TensorShape([3])]
"""
import functools
import inspect
import warnings

import numpy as np

from ...core import nest
from ...core.context import state
from ...core.tensor import SymbolicTensor, Tensor, TensorShape, convert_to_tensor
from ...core.variable import Variable
from ...graph.tracer import ShapeTracer
from ...ops import array_ops
from ...ops.math_ops import cast, divide_no_nan
from .. import backend, constraints, initializers, regularizers
from .input_spec import assert_input_compatibility
from .keras_tensor import (
    KerasTensor,
    Node,
    any_symbolic,
    call_context,
    eager_scope,
    enter_call,
    get_mask,
    set_mask,
)
from .serialization import serialize_keras_object

LAYER_CLASSES = {}  # Fluxion's own layer classes by name, for deserialization
_SHAPE_KWARGS = ("input_shape", "batch_input_shape", "input_dim", "batch_size")


def _dtype_names(dtype):
    """(variable dtype, compute dtype) of a dtype or dtype-policy argument."""
    if isinstance(dtype, dict):
        dtype = dtype.get("config", {}).get("name", None)
    name = getattr(dtype, "name", dtype) if not isinstance(dtype, str) else dtype
    if isinstance(name, str) and name.startswith("mixed_"):
        return "float32", name[len("mixed_"):]
    name = backend.standardize_dtype(dtype if not isinstance(dtype, str) else name)
    return name, name


class Layer:
    """Base class of all layers: subclass it and override `build(input_shape)` and `call`.

    Args:
        trainable: whether the layer's weights are updated by training.
        name: the layer's name; by default the snake-case class name made unique
            (`dense`, `dense_1`, ...).
        dtype: the dtype of the weights and computations (default `backend.floatx()`).
        activity_regularizer: a penalty on the layer's output, added to `losses`.
        input_shape / input_dim / batch_input_shape / batch_size: accepted on the first layer
            of a `Sequential` model, which then starts with a matching `Input`.

    Call arguments:
        inputs: a tensor (or list/dict of tensors), a NumPy array or KerasTensors.
        training: True in training (Dropout, BatchNormalization behave differently).
        mask: a boolean mask over the inputs' time steps (set automatically from the inputs).

    Example:
    >>> class Scale(keras.layers.Layer):
    ...     def build(self, input_shape):
    ...         self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
    ...     def call(self, x):
    ...         return x * self.w
    >>> Scale()(fluxion.ones((1, 2))).numpy()
    array([[1., 1.]], dtype=float32)
    """

    # True for layers that compute in floating point whatever their input (Dense, Conv,
    # normalization): integer and bool inputs are cast to the compute dtype as well, which
    # gives the float32 result of Keras's type promotion (`Dense(2)([[1, 2]])`).
    _cast_integer_inputs = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__module__.startswith("fluxion."):
            LAYER_CLASSES[cls.__name__] = cls
        if "build" in cls.__dict__ and not getattr(cls.__dict__["build"], "_wrapped", False):
            cls.build = _build_wrapper(cls.__dict__["build"])

    def __new__(cls, *args, **kwargs):
        obj = super().__new__(cls)
        try:  # remember the constructor arguments: the default get_config of custom layers
            bound = inspect.signature(cls.__init__).bind(None, *args, **kwargs)
            arguments = dict(bound.arguments)
            arguments.pop(next(iter(arguments)))
            extra = arguments.pop("kwargs", {})
            arguments.update(extra)
        except TypeError:
            arguments = dict(kwargs)
        object.__setattr__(obj, "_init_arguments", arguments)
        return obj

    def __init__(self, activity_regularizer=None, trainable=True, dtype=None, autocast=True,
                 name=None, **kwargs):
        shape_args = {k: kwargs.pop(k) for k in _SHAPE_KWARGS if k in kwargs}
        for legacy in ("weights",):
            kwargs.pop(legacy, None)
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                            f"{kwargs}")
        self._trainable = bool(trainable)
        self._variable_dtype, self._compute_dtype = _dtype_names(dtype)
        self.autocast = autocast
        self.name = name or backend.unique_object_name(backend.to_snake_case(
            type(self).__name__))
        if not isinstance(self.name, str) or "/" in self.name:
            raise ValueError(f"{type(self).__name__}: name must be a string without '/'. "
                             f"Received: name={self.name!r}")
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.built = type(self).build is Layer.build  # nothing to create: built already
        self.input_spec = None
        self.supports_masking = False
        self._trainable_variables = []
        self._non_trainable_variables = []
        self._weight_regularizers = []
        self._losses = []
        self._inbound_nodes = []
        self._build_shapes = None
        self._input_shape_arg = _batch_input_shape(shape_args)
        self._call_signature = inspect.signature(self.call)
        params = self._call_signature.parameters
        self._call_has_training = "training" in params
        self._call_has_mask = "mask" in params

    # --- weights ------------------------------------------------------------------------------
    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True,
                   autocast=True, regularizer=None, constraint=None, aggregation="none",
                   name=None, **kwargs):
        """Creates a weight variable of this layer and tracks it.

        Args:
            shape: the weight's shape (default `()`).
            initializer: a name, an Initializer or a callable `(shape, dtype)`; default
                `glorot_uniform` for floats, `zeros` otherwise.
            dtype: default the layer's variable dtype.
            trainable: False for statistics such as BatchNormalization's moving mean.
            regularizer: a penalty on the weight, added to `losses`.
            constraint: a projection applied after optimizer updates.
            name: the weight's name (e.g. "kernel"); its path is `"<layer name>/<name>"`.

        Returns:
            The new `fluxion.Variable`.

        Example:
        >>> layer = keras.layers.Layer()
        >>> layer.add_weight(shape=(2,), initializer="zeros", name="w").path
        'layer/w'
        """
        if isinstance(shape, str) and name is None:  # Keras 2 order: add_weight(name, shape)
            name, shape, initializer = shape, initializer, None
        kwargs = {k: v for k, v in kwargs.items() if k not in ("use_resource", "synchronization",
                                                               "overwrite_with_gradient")}
        if kwargs:
            raise TypeError(f"add_weight() of layer '{self.name}' got unexpected keyword "
                            f"arguments: {kwargs}")
        shape = () if shape is None else tuple(int(d) for d in shape)
        dtype = backend.standardize_dtype(dtype or self._variable_dtype)
        if initializer is None:
            initializer = "glorot_uniform" if np.dtype(dtype).kind == "f" else "zeros"
        init = initializers.get(initializer)
        name = name or f"variable_{len(self._trainable_variables + self._non_trainable_variables)}"
        with eager_scope():
            value = init(shape, dtype=dtype)
            variable = Variable(value, trainable=trainable, name=name, dtype=dtype)
        variable.path = f"{self.name}/{name}"
        variable.constraint = constraints.get(constraint)
        variable.regularizer = regularizers.get(regularizer)
        if variable.regularizer is not None:
            self._weight_regularizers.append((variable, variable.regularizer))
        if trainable:
            self._trainable_variables.append(variable)
            variable.trainable = self._trainable  # a frozen layer creates frozen weights
        else:
            self._non_trainable_variables.append(variable)
        return variable

    def _own_variables(self):
        own = self._trainable_variables + self._non_trainable_variables
        seen = {id(v) for v in own}
        for value in self.__dict__.values():  # variables set as attributes are tracked too
            for item in _tracked_items(value):
                if isinstance(item, Variable) and id(item) not in seen:
                    seen.add(id(item))
                    own.append(item)
        return own

    @property
    def _layers(self):
        """The directly owned sub-layers: attributes, and layers held in lists/dicts."""
        found, seen = [], {id(self)}
        for key, value in self.__dict__.items():
            if key in ("_inbound_nodes", "_init_arguments"):
                continue
            for item in _tracked_items(value):
                if isinstance(item, Layer) and id(item) not in seen:
                    seen.add(id(item))
                    found.append(item)
        return found

    def _flatten_layers(self, include_self=True):
        """This layer (optionally) and all nested sub-layers, each once, depth first."""
        out, seen = [], set()

        def visit(layer):
            if id(layer) in seen:
                return
            seen.add(id(layer))
            out.append(layer)
            for sub in layer._layers:
                visit(sub)
        visit(self)
        return out if include_self else out[1:]

    @property
    def weights(self):
        """All weights: this layer's (in creation order), then its sub-layers'."""
        out, seen = [], set()
        for layer in self._flatten_layers():
            for v in layer._own_variables():
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    variables = weights

    @property
    def trainable_weights(self):
        """The weights that training updates (none when `trainable` is False)."""
        if not self.trainable:
            return []
        return [v for v in self.weights if v.trainable]

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self):
        """The weights training does not update (all of them when `trainable` is False)."""
        if not self.trainable:
            return self.weights
        return [v for v in self.weights if not v.trainable]

    non_trainable_variables = non_trainable_weights

    @property
    def trainable(self):
        """Whether training updates this layer's weights. Setting it sets every sub-layer's."""
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        value = bool(value)
        for layer in self._flatten_layers():
            layer._trainable = value
            for v in layer._trainable_variables:
                v.trainable = value

    def get_weights(self):
        """Returns the weights' values as a list of NumPy arrays (in `weights` order).

        Example:
        >>> layer = keras.layers.Dense(2); _ = layer(fluxion.ones((1, 3)))
        >>> [w.shape for w in layer.get_weights()]
        [(3, 2), (2,)]
        """
        return [np.array(v.numpy()) for v in self.weights]

    def set_weights(self, weights):
        """Sets the weights from a list of NumPy arrays in `weights` order.

        Raises:
            ValueError: for a list of the wrong length or an array of the wrong shape; the
                message names the layer and the weight.
        """
        params = self.weights
        weights = list(weights)
        if len(params) != len(weights):
            raise ValueError(f"You called `set_weights(weights)` on layer '{self.name}' with a "
                             f"weight list of length {len(weights)}, but the layer was "
                             f"expecting {len(params)} weights."
                             + ("" if params else " The layer has no weights yet: build it "
                                "first (call it on data, or give its input shape)."))
        for variable, value in zip(params, weights):
            value = np.asarray(value)
            if tuple(variable.shape) != value.shape:
                raise ValueError(f"Layer '{self.name}' weight '{variable.path}' has shape "
                                 f"{tuple(variable.shape)}, which is not compatible with the "
                                 f"provided weight shape {value.shape}.")
        for variable, value in zip(params, weights):
            variable.assign(np.asarray(value, dtype=variable.dtype.as_numpy_dtype))

    def count_params(self):
        """Returns the number of scalars in the layer's weights.

        Raises:
            ValueError: if the layer is not built yet (its weights do not exist).
        """
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer '{self.name}', but "
                             "the layer isn't built. You can build it manually via: "
                             f"`{self.name}.build(input_shape)`, or call it on data.")
        return int(sum(backend.count_params(v) for v in self.weights))

    # --- losses -------------------------------------------------------------------------------
    def add_loss(self, loss):
        """Adds a scalar loss (e.g. a penalty) computed during `call` to `losses`."""
        if isinstance(state.tracer, ShapeTracer):
            return  # shape inference only: nothing to keep
        self._losses.append(loss)

    @property
    def losses(self):
        """Losses added during the last call (`add_loss`, activity regularizers) of this layer
        and its sub-layers, plus the weight regularization penalties, computed now."""
        out = []
        for layer in self._flatten_layers():
            out.extend(layer._losses)
        for layer in self._flatten_layers():
            for variable, regularizer in layer._weight_regularizers:
                out.append(regularizer(variable.read_value()))
        return out

    def _clear_losses(self):
        for layer in self._flatten_layers():
            layer._losses = []

    # --- dtype ----------------------------------------------------------------------------------
    @property
    def dtype(self):
        """The dtype of the layer's weights, as a string."""
        return self._variable_dtype

    @property
    def compute_dtype(self):
        """The dtype floating inputs are cast to."""
        return self._compute_dtype

    @property
    def variable_dtype(self):
        return self._variable_dtype

    # --- building -------------------------------------------------------------------------------
    def build(self, input_shape):
        """Creates the layer's weights for inputs of `input_shape`; override in subclasses."""
        self.built = True

    def _maybe_build(self, inputs):
        if self.built:
            if self._build_shapes is None:
                self._build_shapes = shape_structure(inputs)
            return
        shapes = shape_structure(inputs)
        with eager_scope():
            self.build(shapes)
        self._build_shapes = shapes
        self.built = True

    def build_from_config(self, config):
        """Builds the layer from the `build_config` of its saved config."""
        shape = config.get("input_shape")
        if shape is None:
            return

        def to_tuple(s):
            if all(d is None or isinstance(d, int) for d in s):
                return tuple(s)
            return [to_tuple(x) for x in s]
        shape = to_tuple(shape)
        with eager_scope():
            self.build(shape)
        self._build_shapes = shape
        self.built = True

    def compute_output_shape(self, input_shape):
        """Returns the output shape for `input_shape`; by default found by running `call` on a
        symbolic input of that shape."""
        def placeholder(shape):
            return SymbolicTensor(tuple(shape), self._compute_dtype)
        is_shape = isinstance(input_shape, tuple) and all(
            d is None or isinstance(d, (int, np.integer)) for d in input_shape)
        inputs = placeholder(input_shape) if is_shape else [placeholder(s) for s in input_shape]
        with ShapeTracer():
            outputs = self.call(inputs, **self._extra_call_kwargs(training=False, mask=None))
        return nest.map_structure(lambda t: tuple(t.shape), outputs)

    def compute_mask(self, inputs, mask=None):
        """Returns the output mask: the input mask for layers that support masking, else
        None."""
        return mask if self.supports_masking else None

    def _unknown_dims_output(self, inputs):
        """The output of `call` for an input whose unknown dimensions no static-shape op can
        handle (Flatten of `(None, None, 3)`): during shape inference (the Functional API) a
        symbolic tensor of `compute_output_shape`'s shape; inside a compiled trace with unknown
        dimensions, an error saying how to avoid them."""
        shape = shape_structure(inputs)
        if isinstance(state.tracer, ShapeTracer):
            dtype = nest.flatten(inputs)[0]._value.dtype
            return SymbolicTensor(tuple(self.compute_output_shape(shape)), dtype)
        raise ValueError(
            f"Layer '{self.name}' ({type(self).__name__}) needs the sizes of the input's "
            f"dimensions to compute its output. Received: input shape {shape}. Inside a "
            "compiled function, give the input concrete sizes: call it without "
            "`reduce_retracing=True` or an `input_signature` with None dimensions.")

    # --- calling --------------------------------------------------------------------------------
    def call(self, inputs):
        """The layer's computation; override in subclasses."""
        return inputs

    def __call__(self, *args, **kwargs):
        # 1. Separate the inputs (the first argument) from the other call arguments.
        if args:
            inputs, args = args[0], args[1:]
        else:
            inputs = kwargs.pop("inputs")
        # 2. Symbolic inputs (Functional API): build, infer output shapes, record a Node.
        if any_symbolic([inputs, args, kwargs]):
            return self._symbolic_call(inputs, args, kwargs)
        # 3. Convert arrays to tensors; cast floating inputs to the compute dtype.
        inputs = self._convert_inputs(inputs)
        # 4. Resolve `training` (explicit, else the enclosing call's) and `mask` (the inputs').
        extra, training, mask = self._resolve_call_kwargs(inputs, kwargs)
        # 5. Build on the first call; check the inputs against `input_spec`.
        self._maybe_build(inputs)
        assert_input_compatibility(self.input_spec, inputs, self.name)
        # 6. Call, then attach output masks and activity-regularization losses.
        if call_context.depth == 0:
            self._clear_losses()
        with enter_call(training):
            outputs = self.call(inputs, *args, **kwargs, **extra)
        self._set_output_masks(inputs, outputs, mask)
        if self.activity_regularizer is not None:
            for output in nest.flatten(outputs):
                if isinstance(output, Tensor):
                    self.add_loss(self._activity_loss(output))
        return outputs

    def _activity_loss(self, output):
        """`activity_regularizer(output)`, divided by the batch size (Keras 3) for outputs of
        rank 1 or more (0 for an empty batch)."""
        loss = self.activity_regularizer(output)
        if output.ndim == 0:
            return loss
        return divide_no_nan(loss, cast(array_ops.shape(output)[0], loss.dtype))

    def _convert_inputs(self, inputs):
        cast_all = self._cast_integer_inputs

        def convert(x):
            if x is None or isinstance(x, Layer):
                return x
            if not isinstance(x, Tensor):
                x = convert_to_tensor(x.read_value() if isinstance(x, Variable) else x)
            if (self.autocast and x.dtype.name != self._compute_dtype
                    and (x.dtype.is_floating or (cast_all and not x.dtype.is_complex))):
                mask = get_mask(x)
                x = cast(x, self._compute_dtype)
                if mask is not None:  # the cast input keeps its mask
                    set_mask(x, mask)
            return x
        if isinstance(inputs, (list, tuple)) and all(
                isinstance(v, (int, float, bool, np.number)) for v in nest.flatten(inputs)):
            return convert(inputs)  # nested Python numbers are one tensor, not many inputs
        return nest.map_structure(convert, inputs)

    def _extra_call_kwargs(self, training, mask):
        extra = {}
        if self._call_has_training:
            extra["training"] = training
        if self._call_has_mask and mask is not None:
            extra["mask"] = mask
        return extra

    def _resolve_call_kwargs(self, inputs, kwargs):
        """Pops `training` and `mask` from `kwargs`; returns (what `call` takes, training, mask).

        `training`: the explicit argument, else the enclosing layer call's, else the default of
        `call`'s signature. `mask`: the explicit argument, else the masks of the inputs.
        """
        training = kwargs.pop("training", None)
        if training is None and call_context.depth > 0:
            training = call_context.training
        if training is None and self._call_has_training:
            default = self._call_signature.parameters["training"].default
            training = None if default is inspect.Parameter.empty else default
        mask = kwargs.pop("mask", None)
        if mask is None:
            masks = nest.map_structure(get_mask, inputs)
            if any(m is not None for m in nest.flatten(masks)):
                mask = masks
        return self._extra_call_kwargs(training, mask), training, mask

    def _handles_masks(self):
        """Whether the layer computes output masks: `supports_masking` or its own
        `compute_mask` (as Keras's `supports_masking` default)."""
        return self.supports_masking or type(self).compute_mask is not Layer.compute_mask

    def _output_masks(self, inputs, outputs, mask):
        """The masks of the flattened outputs (None where there is none)."""
        flat_out = nest.flatten(outputs)
        if not self._handles_masks():
            if any(get_mask(x) is not None for x in nest.flatten(inputs)):
                warnings.warn(
                    f"Layer '{self.name}' ({type(self).__name__}) does not support masking but "
                    "received an input with a mask (`_keras_mask`): the mask is dropped and the "
                    "layers after it will not see it. Use a layer that supports masking, or "
                    "remove the mask.", stacklevel=3)
            return [None] * len(flat_out)
        out_mask = self.compute_mask(inputs, mask)
        flat_mask = nest.flatten(out_mask) if out_mask is not None else [None]
        if len(flat_mask) == 1:
            flat_mask = flat_mask * len(flat_out)
        return flat_mask

    def _set_output_masks(self, inputs, outputs, mask):
        for tensor, m in zip(nest.flatten(outputs), self._output_masks(inputs, outputs, mask)):
            if isinstance(tensor, Tensor) and m is not None:
                set_mask(tensor, m)

    def _symbolic_call(self, inputs, args, kwargs):
        self._maybe_build(inputs)
        assert_input_compatibility(self.input_spec, inputs, self.name)

        def placeholder(x):
            if isinstance(x, KerasTensor):
                ph = SymbolicTensor(tuple(x.shape), x._value.dtype)
                set_mask(ph, get_mask(x))
                return ph
            return x
        with ShapeTracer():  # the input casts, too, only infer shapes and dtypes
            sym_inputs = self._convert_inputs(nest.map_structure(placeholder, inputs))
            sym_args = nest.map_structure(placeholder, list(args))
            sym_kwargs = {k: nest.map_structure(placeholder, v) for k, v in kwargs.items()}
            extra, training, mask = self._resolve_call_kwargs(sym_inputs, sym_kwargs)
            with enter_call(training):
                outputs = self.call(sym_inputs, *sym_args, **sym_kwargs, **extra)
                masks = self._output_masks(sym_inputs, outputs, mask)

        def to_keras(t):
            if isinstance(t, Tensor):
                return KerasTensor(tuple(t.shape), t._value.dtype)
            return t
        keras_outputs = nest.map_structure(to_keras, outputs)
        for tensor, m in zip(nest.flatten(keras_outputs), masks):
            if isinstance(tensor, KerasTensor) and m is not None:
                set_mask(tensor, m)
        call_kwargs = dict(kwargs)
        Node(self, (inputs,) + tuple(args), call_kwargs, keras_outputs)
        return keras_outputs

    # --- symbolic inputs and outputs ------------------------------------------------------------
    def _node_tensors(self, attr):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has never been called on symbolic inputs "
                                 f"and thus has no defined {attr}.")
        node = self._inbound_nodes[-1] if len(self._inbound_nodes) == 1 else None
        if node is None:
            raise AttributeError(f"Layer '{self.name}' has multiple inbound nodes (it is "
                                 f"shared); its {attr} is ambiguous. Use get_{attr}_at(i).")
        tensors = node.input_tensors if attr == "input" else node.output_tensors
        return tensors[0] if len(tensors) == 1 else tensors

    @property
    def input(self):
        """The symbolic input of a layer called once in a functional graph."""
        return self._node_tensors("input")

    @property
    def output(self):
        """The symbolic output of a layer called once in a functional graph."""
        return self._node_tensors("output")

    @property
    def output_shape(self):
        out = self.output
        return nest.map_structure(lambda t: tuple(t.shape), out)

    @property
    def input_shape(self):
        return nest.map_structure(lambda t: tuple(t.shape), self.input)

    # --- configuration --------------------------------------------------------------------------
    def get_config(self):
        """Returns the layer's constructor arguments as a JSON-friendly dict.

        Example:
        >>> keras.layers.Dense(2, name="out").get_config()["units"]
        2
        """
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": _policy_config(self._variable_dtype, self._compute_dtype)}
        if type(self).get_config is Layer.get_config and type(self) is not Layer:
            for key, value in self._init_arguments.items():
                if key not in config and _json_friendly(value):
                    config[key] = value
        return config

    @classmethod
    def from_config(cls, config):
        """Creates a layer from the output of `get_config`."""
        return cls(**dict(config))

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

    def __getattr__(self, name):
        # Only reached for missing attributes: explain the commonest cause.
        if not name.startswith("__") and "built" in self.__dict__ and not self.built:
            raise AttributeError(
                f"'{type(self).__name__}' object has no attribute '{name}'. Layer "
                f"'{self.name}' is not built yet: its weights are created on its first call "
                "(or by `build(input_shape)`).")
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")


def _build_wrapper(build):
    """Makes every `build` (also one called directly) create real weights and mark the layer
    built, remembering the shape it was built for."""
    @functools.wraps(build)
    def wrapper(self, *args, **kwargs):
        with eager_scope():
            result = build(self, *args, **kwargs)
        self.built = True
        if self._build_shapes is None and args:
            self._build_shapes = args[0]
        return result
    wrapper._wrapped = True
    return wrapper


def shape_structure(x):
    """The shapes (tuples) of a tensor or of a list/dict of tensors, in the same structure."""
    if isinstance(x, dict):
        return {k: shape_structure(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)) and not isinstance(x, TensorShape):
        return [shape_structure(v) for v in x]
    return None if x is None else tuple(x.shape)


def _tracked_items(value, depth=0):
    """The layers and variables in an attribute value (inside lists, tuples, dicts)."""
    if isinstance(value, (Layer, Variable)):
        yield value
    elif depth < 4 and isinstance(value, (list, tuple)):
        for item in value:
            yield from _tracked_items(item, depth + 1)
    elif depth < 4 and isinstance(value, dict):
        for item in value.values():
            yield from _tracked_items(item, depth + 1)


def _batch_input_shape(args):
    if "batch_input_shape" in args and args["batch_input_shape"] is not None:
        return tuple(args["batch_input_shape"])
    shape = args.get("input_shape")
    if args.get("input_dim") is not None:
        shape = (args["input_dim"],)
    if shape is None:
        return None
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return (args.get("batch_size"),) + shape


def _policy_config(variable_dtype, compute_dtype):
    name = variable_dtype if variable_dtype == compute_dtype else f"mixed_{compute_dtype}"
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": name},
            "registered_name": None}


def _json_friendly(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_json_friendly(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_friendly(v) for k, v in value.items())
    return False


def serialize(obj, module="keras.layers"):
    """Returns a layer's Keras 3 config dict (with its build shape once built)."""
    config = serialize_keras_object(obj, module)
    if isinstance(obj, Layer) and obj.built and obj._build_shapes is not None:
        config["build_config"] = {"input_shape": _jsonable_shape(obj._build_shapes)}
    return config


def _jsonable_shape(shape):
    if isinstance(shape, tuple) and all(d is None or isinstance(d, int) for d in shape):
        return list(shape)
    return [_jsonable_shape(s) for s in shape]
