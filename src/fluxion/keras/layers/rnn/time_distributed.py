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
from .rnn import scope_weight_paths


def _per_sample(layer):
    """Whether `layer`'s output for one sample depends on that sample alone (and on nothing
    else of the batch), so that running it once on the `(batch * time, ...)` merged steps gives
    exactly what Keras's step-by-step loop gives.

    The rule: every layer inside must be one of Fluxion's own Keras layers (Dense, Conv,
    pooling, activations, reshaping, Embedding, LayerNormalization, Dropout, RNNs, models of
    them...), and none may be a BatchNormalization (batch statistics: one mean per step and
    one moving-average update per step in Keras), a Lambda (any function, maybe across the
    batch) or a stateful layer (its states have one row per sample of the batch). A custom
    layer is not known to be per-sample, so it runs step by step, as in Keras.
    """
    from ..normalization import BatchNormalization  # lazily: it imports this package's users
    for sub in layer._flatten_layers():
        cls = type(sub)
        if (isinstance(sub, BatchNormalization) or cls.__name__ == "Lambda"
                or getattr(sub, "stateful", False)
                or not cls.__module__.startswith("fluxion.keras.")):
            return False
    return True


class TimeDistributed(Layer):
    """Applies `layer` to each slice `inputs[:, t]`; its weights are shared across steps.

    Layers whose output per sample does not depend on the rest of the batch (see
    `_per_sample`: Dense, Conv, activations...) run once on the merged batch and time axes;
    the others (BatchNormalization, custom layers) run once per step, as Keras does, so that
    e.g. `TimeDistributed(BatchNormalization())` normalizes each step with its own batch
    statistics and updates the moving averages once per step.

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
            self.layer.built = True
            scope_weight_paths(self, self.layer.weights)  # `time_distributed/dense/kernel`

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape((None,) + tuple(input_shape[2:]))
        return (input_shape[0], input_shape[1]) + tuple(inner[1:])

    def call(self, inputs, training=None, mask=None):
        shape = tuple(inputs.shape)
        batch, steps = shape[0], shape[1]
        kwargs = {}
        if self.layer._call_has_training:
            kwargs["training"] = training
        with_mask = mask is not None and self.layer._call_has_mask
        per_sample = _per_sample(self.layer)
        if steps is None and (batch is None or not per_sample):
            # no static size to loop over or to reshape to: a symbolic output of
            # `compute_output_shape` in shape inference (the Functional API), else an error
            # saying to give the input concrete sizes
            return self._unknown_dims_output(inputs)
        if not per_sample:
            outputs = []
            for t in range(steps):
                if with_mask:
                    kwargs["mask"] = mask[:, t]
                outputs.append(self.layer(inputs[:, t], **kwargs))
            return a.stack(outputs, axis=1)
        if with_mask:
            kwargs["mask"] = a.reshape(mask, (-1,) + tuple(mask.shape[2:]))
        out = self.layer(a.reshape(inputs, (-1,) + shape[2:]), **kwargs)
        lead = (-1, steps) if batch is None else (batch, -1 if steps is None else steps)
        return a.reshape(out, lead + tuple(out.shape)[1:])

    def get_config(self):
        return {**super().get_config(), "layer": _serialize(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["layer"] = deserialize_layer(config["layer"], custom_objects)
        return cls(**config)
