"""`TimeDistributed`: applies a layer to every time step of a sequence.

Example:
>>> from fluxion import keras
>>> keras.layers.TimeDistributed(keras.layers.Dense(8))(fluxion.ones((32, 10, 16))).shape
TensorShape([32, 10, 8])
"""
from ....ops import array_ops as a
from ...engine.layer import Layer
from ...engine.layer import serialize as _serialize
from ...engine.model import deserialize_layer


class TimeDistributed(Layer):
    """Applies `layer` to each slice `inputs[:, t]` (the batch and time axes are merged, so
    the layer runs once on all steps; its weights are shared across steps).

    Args:
        layer: a Layer instance.

    Input shape: `(batch, time, ...)`. Output shape: `(batch, time) + layer's output shape`.
    """

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, Layer):
            raise ValueError("TimeDistributed: please initialize `TimeDistributed` layer with "
                             f"a `keras.layers.Layer` instance. Received: {layer!r}")
        self.layer = layer
        self.supports_masking = True

    def build(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError(f"Layer '{self.name}' (TimeDistributed): `TimeDistributed` "
                             "Layer should be passed an `input_shape` with at least 3 "
                             f"dimensions, received: {tuple(input_shape)}")
        if not self.layer.built:
            self.layer.build((None,) + tuple(input_shape[2:]))

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape((None,) + tuple(input_shape[2:]))
        return (input_shape[0], input_shape[1]) + tuple(inner[1:])

    def call(self, inputs, training=None, mask=None):
        shape = tuple(inputs.shape)
        batch, steps = shape[0], shape[1]
        flat = a.reshape(inputs, (-1,) + shape[2:])
        kwargs = {}
        if self.layer._call_has_training:
            kwargs["training"] = training
        if mask is not None and self.layer._call_has_mask:
            kwargs["mask"] = a.reshape(mask, (-1,) + tuple(mask.shape[2:]))
        out = self.layer(flat, **kwargs)
        out_shape = tuple(out.shape)
        lead = (-1, steps) if batch is None else (batch, -1 if steps is None else steps)
        return a.reshape(out, lead + out_shape[1:])

    def get_config(self):
        return {**super().get_config(), "layer": _serialize(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["layer"] = deserialize_layer(config["layer"], custom_objects)
        return cls(**config)
