"""`Bidirectional`: runs a recurrent layer forwards and backwards and merges the outputs.

Example:
>>> from fluxion import keras
>>> keras.layers.Bidirectional(keras.layers.LSTM(4))(fluxion.ones((2, 3, 5))).shape
TensorShape([2, 8])
"""
from ....ops import array_ops as a
from ...engine.layer import Layer
from ...engine.layer import serialize as _serialize
from ...engine.model import deserialize_layer

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _clone(layer, name, go_backwards, dtype):
    config = layer.get_config()
    config.update(name=name, go_backwards=go_backwards)
    if dtype is not None:  # an explicit dtype of the wrapper applies to both directions
        config["dtype"] = dtype
    return type(layer).from_config(config)


class Bidirectional(Layer):
    """Bidirectional wrapper for RNNs.

    Args:
        layer: a recurrent layer (`LSTM`, `GRU`, `SimpleRNN`, `RNN`); a copy processes the
            sequence forwards, another backwards.
        merge_mode: how the two outputs combine: "concat" (default), "sum", "mul", "ave", or
            None (a list of both).
        backward_layer: optional: the layer to use backwards (must have the opposite
            `go_backwards`).

    With `return_sequences`, the backward output is reversed back to the input's time order
    before merging. With `return_state`, the forward states then the backward states follow
    the output.
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None,
                 **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Bidirectional: please initialize with a `keras.layers.Layer` "
                             f"instance. Received: {layer!r}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Bidirectional: invalid merge mode. Received: {merge_mode}. "
                             "Merge mode should be one of {'sum', 'mul', 'ave', 'concat', "
                             "None}")
        super().__init__(**kwargs)
        dtype = kwargs.get("dtype")
        self.forward_layer = _clone(layer, "forward_" + layer.name, layer.go_backwards, dtype)
        if backward_layer is None:
            backward_layer = _clone(layer, "backward_" + layer.name, not layer.go_backwards,
                                    dtype)
        elif backward_layer.go_backwards == layer.go_backwards:
            raise ValueError("Bidirectional: `backward_layer.go_backwards` must be the opposite "
                             "of `layer.go_backwards`. Received: go_backwards="
                             f"{layer.go_backwards} for both.")
        self.backward_layer = backward_layer
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.stateful = layer.stateful
        self.supports_masking = True
        self._initial_weights = weights

    def build(self, sequences_shape, initial_state_shape=None):
        if isinstance(sequences_shape, list) and isinstance(sequences_shape[0], (list, tuple)):
            sequences_shape = tuple(sequences_shape[0])
        self.forward_layer.build(sequences_shape)
        self.backward_layer.build(sequences_shape)
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        out = self.forward_layer.compute_output_shape(sequences_shape)
        states = []
        if self.return_state:
            out, states = out[0], list(out[1:])
            states = states + states
        out = tuple(out)
        if self.merge_mode == "concat":
            out = out[:-1] + (out[-1] * 2,)
        outputs = [out, out] if self.merge_mode is None else [out]
        return outputs + states if (self.return_state or self.merge_mode is None) else out

    def call(self, sequences, initial_state=None, mask=None, training=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        fw_state = bw_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            fw_state, bw_state = list(initial_state[:half]), list(initial_state[half:])
        kwargs = {"training": training, "mask": mask}
        y = self.forward_layer(sequences, initial_state=fw_state, **kwargs)
        y_rev = self.backward_layer(sequences, initial_state=bw_state, **kwargs)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = a.reverse(y_rev, [1])
        if self.merge_mode == "concat":
            output = a.concat([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) * 0.5
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = [y, y_rev]
        if self.return_state:
            return (output if isinstance(output, list) else [output]) + states
        return output

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        outs = [out, out] if self.merge_mode is None else [out]
        if self.return_state:
            return outs + [None] * (2 * len(self.forward_layer.state_size))
        return outs if self.merge_mode is None else out

    def reset_state(self):
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    reset_states = reset_state

    def get_config(self):
        config = {**super().get_config(), "merge_mode": self.merge_mode,
                  "layer": _serialize(self.forward_layer)}
        config["layer"]["config"]["name"] = self.forward_layer.name[len("forward_"):]
        config["backward_layer"] = _serialize(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["layer"] = deserialize_layer(config["layer"], custom_objects)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = deserialize_layer(config["backward_layer"],
                                                         custom_objects)
        return cls(**config)
