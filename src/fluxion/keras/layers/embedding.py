"""`Embedding`: maps integer ids to dense vectors (a trainable lookup table).

Example:
>>> from fluxion import keras
>>> keras.layers.Embedding(1000, 64)(fluxion.constant([[4, 20, 7]])).shape
TensorShape([1, 3, 64])
"""
from ...ops import array_ops as a
from ...ops import math_ops as m
from .. import constraints, initializers, regularizers
from ..engine.layer import Layer
from .core import check_no_quantization


class Embedding(Layer):
    """Turns non-negative integer ids into vectors: row `i` of an `(input_dim, output_dim)`
    table for id `i`.

    Args:
        input_dim: the vocabulary size (largest id + 1).
        output_dim: the size of each vector.
        embeddings_initializer: default "uniform" (U(-0.05, 0.05)).
        embeddings_regularizer, embeddings_constraint: optional.
        mask_zero: treat id 0 as padding: later layers receive a mask that is False there
            (then id 0 cannot be a real word, so `input_dim` should be vocabulary size + 1).
        input_length: Keras 2's argument; when given (and no `input_shape`), it is the input
            shape of a Sequential model starting with this layer.

    Input shape: `(batch_size, ...)` ids. Output shape: `(batch_size, ..., output_dim)`.
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, **kwargs):
        input_length = kwargs.pop("input_length", None)
        kwargs.pop("lora_rank", None)
        check_no_quantization("Embedding", kwargs)
        if input_length is not None and "input_shape" not in kwargs and \
                "batch_input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length,)
        super().__init__(**kwargs)
        for name, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"Embedding: {name} must be a positive int. Received: "
                                 f"{name}={value!r}")
        self.input_dim, self.output_dim = input_dim, output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self._initial_weights = weights
        self.autocast = False

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(
            name="embeddings", shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer, regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint)
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def call(self, inputs):
        if not inputs.dtype.is_integer:
            inputs = m.cast(inputs, "int32")
        return a.gather(self.embeddings, inputs)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return m.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
                "mask_zero": self.mask_zero, "quantization_config": None}
