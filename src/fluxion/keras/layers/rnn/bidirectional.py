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
from .rnn import scope_weight_paths

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _clone(layer, prefix, dtype, **overrides):
    """A fresh copy of `layer` (from its config) named `prefix + name` (without doubling the
    prefix, so that a config round trip keeps the name)."""
    config = layer.get_config()
    name = layer.name[len(prefix):] if layer.name.startswith(prefix) else layer.name
    config.update(name=prefix + name, **overrides)
    if dtype is not None:  # an explicit dtype of the wrapper applies to both directions
        config["dtype"] = dtype
    return type(layer).from_config(config)


class Bidirectional(Layer):
    """Bidirectional wrapper for RNNs.

    Args:
        layer: a recurrent layer (`LSTM`, `GRU`, `SimpleRNN`, `RNN`); a copy of it processes
            the sequence forwards, another (with `go_backwards=True`) backwards.
        merge_mode: how the two outputs combine: "concat" (default), "sum", "mul", "ave", or
            None (a tuple of both).
        backward_layer: optional: the layer to use backwards; it must have the opposite
            `go_backwards` and the same `stateful`, `return_sequences` and `return_state`.

    With `return_sequences`, the backward output is reversed back to the input's time order
    before merging, and masked steps output zeros in both directions (Keras sets the inner
    layers' `zero_output_for_mask` to `return_sequences`). With `return_state`, the result is
    a tuple: the output (both outputs if `merge_mode=None`), the forward states, then the
    backward states. `initial_state` gives the forward states then the backward ones.

    Raises:
        ValueError: for a `layer` or `backward_layer` that is not a Layer, an unknown
            `merge_mode`, or directions that do not pair up (same `go_backwards`, different
            `stateful` / `return_sequences` / `return_state`).
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None,
                 **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `Bidirectional` layer with a "
                             f"`keras.layers.Layer` instance. Received: {layer!r}")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError("`backward_layer` need to be a `keras.layers.Layer` instance. "
                             f"Received: {backward_layer!r}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should "
                             'be one of {"sum", "mul", "ave", "concat", None}')
        super().__init__(**kwargs)
        dtype = kwargs.get("dtype")
        self.forward_layer = _clone(layer, "forward_", dtype)
        if backward_layer is None:
            backward_layer = _clone(layer, "backward_", dtype, go_backwards=True)
        self.backward_layer = backward_layer
        self._verify_directions()
        for inner in (self.forward_layer, self.backward_layer):
            if getattr(inner, "zero_output_for_mask", None) is not None:
                inner.zero_output_for_mask = inner.return_sequences
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.stateful = layer.stateful
        self.supports_masking = True
        self._initial_weights = weights

    def _verify_directions(self):
        fw, bw = self.forward_layer, self.backward_layer
        if fw.go_backwards == bw.go_backwards:
            raise ValueError("Forward layer and backward layer should have different "
                             "`go_backwards` value. Received: forward_layer.go_backwards "
                             f"{fw.go_backwards}, backward_layer.go_backwards="
                             f"{bw.go_backwards}")
        for attr in ("stateful", "return_sequences", "return_state"):
            if getattr(fw, attr) != getattr(bw, attr):
                raise ValueError("Forward layer and backward layer are expected to have the "
                                 f'same value for attribute "{attr}", got '
                                 f'"{getattr(fw, attr)}" for forward layer and '
                                 f'"{getattr(bw, attr)}" for backward layer')

    def build(self, sequences_shape, initial_state_shape=None):
        if isinstance(sequences_shape, list) and isinstance(sequences_shape[0], (list, tuple)):
            sequences_shape = tuple(sequences_shape[0])
        for inner in (self.forward_layer, self.backward_layer):
            if not inner.built:
                inner.build(sequences_shape)
                inner.built = True
                scope_weight_paths(self, inner.weights)
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        out = self.forward_layer.compute_output_shape(sequences_shape)
        states = ()
        if self.return_state:
            out, states = out[0], tuple(out[1:])
        out = tuple(out)
        if self.merge_mode == "concat":
            out = out[:-1] + (out[-1] * 2,)
        outputs = (out, out) if self.merge_mode is None else (out,)
        if self.return_state:
            return outputs + states + states
        return outputs if self.merge_mode is None else out

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
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
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
            output = (y, y_rev)
        if self.return_state:
            return (output if isinstance(output, tuple) else (output,)) + states
        return output

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        outs = (out, out) if self.merge_mode is None else (out,)
        if self.return_state:
            return outs + (None,) * (2 * len(self.forward_layer.state_size))
        return outs if self.merge_mode is None else out

    @property
    def states(self):
        """The forward then backward state variables of a stateful layer (else None)."""
        fw, bw = self.forward_layer.states, self.backward_layer.states
        return tuple(list(fw) + list(bw)) if fw and bw else None

    def reset_state(self):
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    reset_states = reset_state

    def get_config(self):
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": _serialize(self.forward_layer),
                "backward_layer": _serialize(self.backward_layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["layer"] = deserialize_layer(config["layer"], custom_objects)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = deserialize_layer(config["backward_layer"],
                                                         custom_objects)
        return cls(**config)
