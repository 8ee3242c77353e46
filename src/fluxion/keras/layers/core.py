"""Core layers: Dense, Activation, Dropout, Lambda, Identity.

Example:
>>> from fluxion import keras
>>> keras.layers.Dense(4, activation="relu")(fluxion.ones((2, 3))).shape
TensorShape([2, 4])
"""
from ...ops import math_ops as m
from .. import activations, constraints, initializers, random, regularizers
from ..engine.input_spec import InputSpec
from ..engine.layer import Layer
from ..engine.serialization import _CUSTOM_OBJECTS
from ..random import SeedGenerator


def check_no_quantization(layer, kwargs):
    """Pops Keras's `quantization_config` from `kwargs`; only None (no quantization, what
    `get_config` writes) is supported."""
    config = kwargs.pop("quantization_config", None)
    if config is not None:
        raise ValueError(f"{layer}: quantization is not supported; expected "
                         f"quantization_config=None. Received: quantization_config={config!r}. "
                         "Remove the argument.")


_KERAS1_NAMES = {"W_regularizer": "kernel_regularizer", "b_regularizer": "bias_regularizer",
                 "W_constraint": "kernel_constraint", "b_constraint": "bias_constraint",
                 "init": "kernel_initializer", "output_dim": "units"}


class Dense(Layer):
    """A densely connected layer: `activation(inputs @ kernel + bias)`.

    Args:
        units: the output size (a positive int).
        activation: the activation (name or function); None means linear.
        use_bias: whether to add a bias vector.
        kernel_initializer: default "glorot_uniform".
        bias_initializer: default "zeros".
        kernel_regularizer, bias_regularizer, activity_regularizer: optional penalties.
        kernel_constraint, bias_constraint: optional weight projections.

    Input shape: `(batch_size, ..., input_dim)`. Output shape: `(batch_size, ..., units)`.

    Example:
    >>> layer = keras.layers.Dense(10, input_shape=(784,), kernel_initializer="zeros")
    >>> layer(fluxion.ones((1, 784))).numpy().sum()
    np.float32(0.0)
    """

    _cast_integer_inputs = True  # Dense([[1, 2]]) computes in float32, as in Keras

    def __init__(self, units=None, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        legacy = {new: kwargs.pop(old) for old, new in _KERAS1_NAMES.items() if old in kwargs}
        units = legacy.pop("units", units)
        kernel_initializer = legacy.pop("kernel_initializer", kernel_initializer)
        kernel_regularizer = legacy.pop("kernel_regularizer", kernel_regularizer)
        bias_regularizer = legacy.pop("bias_regularizer", bias_regularizer)
        kernel_constraint = legacy.pop("kernel_constraint", kernel_constraint)
        bias_constraint = legacy.pop("bias_constraint", bias_constraint)
        check_no_quantization("Dense", kwargs)
        kwargs.pop("lora_rank", None)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError("Received an invalid value for `units`, expected a positive "
                             f"integer. Received: units={units}")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"Layer '{self.name}' (Dense): the last dimension of the input "
                             f"must be known. Received: input_shape={tuple(input_shape)}")
        self.kernel = self.add_weight(
            name="kernel", shape=(input_dim, self.units), initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(self.units,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})

    def call(self, inputs):
        x = m.matmul(inputs, self.kernel)
        if self.bias is not None:
            x = x + self.bias
        return self.activation(x)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "quantization_config": None,
        })
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config


class Activation(Layer):
    """Applies an activation function to its input.

    Args:
        activation: a name ("relu", "softmax", ...) or a function.

    Example:
    >>> keras.layers.Activation("relu")(fluxion.constant([[-1.0, 2.0]])).numpy()
    array([[0., 2.]], dtype=float32)
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Dropout(Layer):
    """Randomly sets a fraction `rate` of the inputs to 0 during training, scaling the rest by
    `1 / (1 - rate)`; the identity at inference.

    Args:
        rate: the fraction to drop, in [0, 1).
        noise_shape: the shape of the keep/drop pattern, broadcast against the input (None
            entries take the input's size).
        seed: an int for a reproducible sequence of masks; None draws one from the global
            seed sequence. The masks come from the layer's `seed_generator`
            (`keras.random.SeedGenerator`), whose state is saved with the model, so training
            resumed from a saved model draws the masks an uninterrupted run would.

    Call arguments:
        training: drop only when True (set by `fit`, or pass it).

    Example:
    >>> layer = keras.layers.Dropout(0.5, seed=1)
    >>> layer(fluxion.ones((1, 4))).numpy()  # inference: unchanged
    array([[1., 1., 1., 1.]], dtype=float32)
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate < 1 or isinstance(rate, bool):
            raise ValueError("Invalid value received for argument `rate`. Expected a float "
                             f"value between 0 and 1. Received: rate={rate}")
        self.rate = rate
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            noise_shape = self.noise_shape
            if noise_shape is not None:
                noise_shape = [d if d is not None else s
                               for d, s in zip(noise_shape, inputs.shape)]
            return random.dropout(inputs, self.rate, noise_shape=noise_shape,
                                  seed=self.seed_generator)
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape)}


class Lambda(Layer):
    """Wraps a function of tensors as a layer.

    Args:
        function: called as `function(inputs, **arguments)`.
        output_shape: the output shape (without batch) or a function of the input shape;
            by default found by running the function on a symbolic input.
        mask: an output mask, or a function `(inputs, mask) -> mask`.
        arguments: extra keyword arguments for `function`.

    A Lambda's function is not saved in JSON configs (Fluxion never loads code from files):
    pass it through `custom_objects` by name when loading.

    Example:
    >>> keras.layers.Lambda(lambda x: x * 2)(fluxion.ones((1, 2))).numpy()
    array([[2., 2.]], dtype=float32)
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda '{self.name}': `function` must be callable. Received: "
                            f"function={function!r}")
        self.function = function
        self._output_shape = output_shape
        self.mask = mask
        self.arguments = dict(arguments or {})
        self.supports_masking = mask is not None

    def call(self, inputs, mask=None, training=None):
        return self.function(inputs, **self.arguments)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return tuple(self._output_shape(input_shape))
        return (input_shape[0],) + tuple(self._output_shape)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def get_config(self):
        # The function itself: in-memory clones share it; `to_json` writes its name.
        return {**super().get_config(), "function": self.function,
                "output_shape": self._output_shape, "arguments": self.arguments}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        function = config.get("function")
        if isinstance(function, str):
            found = (custom_objects or {}).get(function) or activations.ALL.get(function) \
                or _CUSTOM_OBJECTS.get(function)
            if found is None:
                raise ValueError(f"Lambda: cannot restore function '{function}': pass it in "
                                 "custom_objects={'" + function + "': the_function}.")
            config["function"] = found
        elif isinstance(function, dict):
            raise ValueError("Lambda: the config holds serialized Python code; Fluxion does "
                             "not execute code from files. Pass the function in "
                             "custom_objects instead.")
        return cls(**config)


class Identity(Layer):
    """Returns its input unchanged."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape
