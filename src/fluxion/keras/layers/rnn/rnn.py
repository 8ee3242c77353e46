"""`RNN(cell)`: runs a cell over the time axis; the base of SimpleRNN, LSTM and GRU.

The built-in cells run a whole sequence as one fused primitive (`fluxion.ops.rnn_ops`) when
their activations have fused kernels; any other cell (or `unroll=True`) runs step by step with
ordinary ops, with the same semantics.

Example:
>>> from fluxion import keras
>>> layer = keras.layers.RNN(keras.layers.LSTMCell(4), return_sequences=True)
>>> layer(fluxion.ones((2, 3, 5))).shape
TensorShape([2, 3, 4])
"""
import numpy as np

from .... import nn
from ....core import nest
from ....core.tensor import convert_to_tensor
from ....core.variable import Variable
from ....ops import array_ops as a
from ....ops import math_ops as m
from ....ops.rnn_ops import rnn_sequence
from ... import activations, random
from ...backend import to_snake_case
from ...engine.layer import LAYER_CLASSES, Layer
from ...engine.model import deserialize_layer
from ...random import SeedGenerator

_FUSED_ACTIVATIONS = {"tanh", "sigmoid", "linear", "relu", "hard_sigmoid", "softsign"}


def fused_activation_name(fn):
    """The name of a Keras activation that the fused kernels implement, or None."""
    name = activations.serialize(fn)
    if not isinstance(name, str) or name not in _FUSED_ACTIVATIONS:
        return None
    return name if activations.get(name) is fn else None


class DropoutRNNCell:
    """Mixin for cells with `dropout` / `recurrent_dropout`: one mask per sequence.

    As in Keras, the masks are drawn on the first step of a sequence and reused for every step
    (the RNN layer resets them after each call). `dropout_mask_count` masks (one per gate)
    are drawn when `recurrent_dropout` is used, else one. They come from the cell's
    `seed_generator` (made by `init_seed_generator`), saved with the model.
    """

    dropout_mask_count = None
    seed_generator = None

    def init_seed_generator(self, seed):
        """Gives the cell a `keras.random.SeedGenerator` if it uses dropout (None draws the
        seed from the global seed sequence)."""
        if self.dropout > 0 or self.recurrent_dropout > 0:
            self.seed_generator = SeedGenerator(seed)

    def _draw_mask(self, ones, rate):
        if self.seed_generator is None:  # a custom cell without a generator
            return nn.dropout(ones, rate, seed=getattr(self, "seed", None))
        return random.dropout(ones, rate, seed=self.seed_generator)

    def _mask_of(self, attr, rate, like):
        cached = getattr(self, attr, None)
        if cached is None and 0 < rate < 1:
            ones = a.ones_like(like)
            count = self.dropout_mask_count
            if count is None:
                cached = self._draw_mask(ones, rate)
            else:
                cached = a.stack([self._draw_mask(ones, rate) for _ in range(count)])
            object.__setattr__(self, attr, cached)
        return cached

    def get_dropout_mask(self, step_input):
        """The input dropout mask(s) for this sequence (drawn on first use)."""
        return self._mask_of("_dropout_mask", self.dropout, step_input)

    def get_recurrent_dropout_mask(self, step_state):
        """The recurrent dropout mask(s) for this sequence (drawn on first use)."""
        return self._mask_of("_recurrent_dropout_mask", self.recurrent_dropout, step_state)

    def reset_dropout_mask(self):
        object.__setattr__(self, "_dropout_mask", None)

    def reset_recurrent_dropout_mask(self):
        object.__setattr__(self, "_recurrent_dropout_mask", None)

    def _masked_gate_inputs(self, x, mask, n):
        """`x` per gate: n copies, each multiplied by its dropout mask (or `x` itself)."""
        if mask is None:
            return [x] * n
        if self.dropout_mask_count is None:
            return [x * mask] * n
        return [x * mask[g] for g in range(n)]

    def fused_sequence(self, kind, sequences, states, mask, training, rnn, kernel_bias):
        """Runs the whole sequence with `rnn_sequence`; returns (output, new states)."""
        x = sequences
        dp = rdp = None
        if training and 0 < self.dropout < 1:
            dp = self.get_dropout_mask(x[:, 0, :])
            dp = a.expand_dims(dp, -2)  # broadcast over time
        if training and 0 < self.recurrent_dropout < 1:
            rdp = self.get_recurrent_dropout_mask(states[0])
            if self.dropout_mask_count is None:
                rdp = a.expand_dims(rdp, 0)
        bias, step_bias = kernel_bias[1], kernel_bias[3]
        if step_bias is None and kind != "gru":
            # Added to each step's recurrent matmul instead: a pass over (batch, gates * units)
            # a step rather than one over the whole (batch, time, gates * units) projection.
            bias, step_bias = None, bias
        xw = _project(self._masked_gate_inputs(x, dp, kernel_bias[2]), kernel_bias[0], bias)
        keras_mask = None if mask is None else m.cast(mask, "bool")
        act = fused_activation_name(self.activation)
        ract = fused_activation_name(getattr(self, "recurrent_activation", activations.tanh))
        outs = rnn_sequence(
            xw, states[0], self.recurrent_kernel,
            c0=states[1] if kind == "lstm" else None,
            recurrent_bias=step_bias, mask=keras_mask, recurrent_mask=rdp, kind=kind,
            activation=act, recurrent_activation=ract, go_backwards=rnn.go_backwards,
            zero_output_for_mask=rnn.zero_output_for_mask,
            return_sequences=rnn.return_sequences)
        return outs[0], list(outs[1:])


def gate_matmul(xs, kernel):
    """`x @ kernel` over the last axis, for one input or one input per gate group (the
    columns of gate g come from `xs[g]`); a (batch, time, dim) input becomes one 2-D matmul
    when its shape is known."""
    n = len(xs)
    same = all(x is xs[0] for x in xs)
    units = kernel.shape[1] // n
    kernels = [kernel] if same else [kernel[:, g * units:(g + 1) * units] for g in range(n)]
    parts = []
    for x, k in zip(xs[:1] if same else xs, kernels):
        shape = tuple(x.shape)
        if len(shape) == 3 and all(d is not None for d in shape):
            flat = a.reshape(x, (shape[0] * shape[1], shape[2]))
            parts.append(a.reshape(m.matmul(flat, k), (shape[0], shape[1], k.shape[1])))
        else:
            parts.append(m.matmul(x, k))
    return parts[0] if len(parts) == 1 else a.concat(parts, axis=-1)


def _project(xs, kernel, bias):
    """`x @ kernel + bias` for (batch, time, dim) inputs (see `gate_matmul`)."""
    xw = gate_matmul(xs, kernel)
    return xw if bias is None else xw + bias


def _reset_dropout_masks(cell):
    """Forgets the dropout masks of a cell (and of the cells of a `StackedRNNCells`) after a
    sequence, so that the next one draws new ones."""
    for inner in getattr(cell, "cells", ()):
        _reset_dropout_masks(inner)
    if getattr(cell, "reset_dropout_mask", None) is not None:
        cell.reset_dropout_mask()
        cell.reset_recurrent_dropout_mask()


def build_sublayer(owner, layer, input_shape):
    """Builds `layer` inside `owner` and puts the new weights' paths under `owner`'s name, as
    Keras's nested build scopes do (`enc/lstm_cell/kernel`, `bi/forward_lstm/lstm_cell/...`)."""
    layer.build(input_shape)
    layer.built = True
    scope_weight_paths(owner, layer.weights)


def scope_weight_paths(owner, variables):
    """Prefixes the paths of `variables` with `owner.name` (once)."""
    prefix = owner.name + "/"
    for v in variables:
        path = getattr(v, "path", None)
        if path and not path.startswith(prefix):
            v.path = prefix + path


class _Untracked:
    """Holds a value that layer weight tracking must not see."""
    value = None


class RNN(Layer):
    """Base class for recurrent layers: applies `cell` to every time step.

    Args:
        cell: an RNN cell (a layer with `call(inputs, states)` returning `(output,
            new_states)` and a `state_size`), or a list of cells (stacked).
        return_sequences: return every step's output (`(batch, time, units)`), else the last.
        return_state: also return the final states.
        go_backwards: process the sequence backwards (and return the reversed sequence).
        stateful: the final states of a batch are the initial states of the next one.
        unroll: run the cell step by step with ordinary ops (instead of a fused kernel).
        zero_output_for_mask: masked steps output zeros instead of the previous output.

    Call arguments:
        inputs: `(batch, time, features)`.
        initial_state: a list of initial state tensors (default zeros), nested as the cell's
            `state_size` (one list per cell of a `StackedRNNCells`).
        mask: `(batch, time)` bool; a masked step keeps the previous states and outputs the
            previous output (zeros before the first unmasked step), as Keras.
        training: whether dropout applies.

    Returns:
        The output; with `return_state`, a tuple `(output, *final_states)`.
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            from .stacked_rnn_cells import StackedRNNCells
            cell = StackedRNNCells(cell)
        if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
            raise ValueError("RNN: `cell` should have a `call` method and a `state_size` "
                             f"attribute. Received: cell={cell!r}")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True
        self._state_holder = _Untracked()
        sizes = cell.state_size
        self.state_size = [sizes] if isinstance(sizes, int) else list(sizes)
        self.single_state = isinstance(sizes, int)

    # --- shapes ---------------------------------------------------------------------------------
    def build(self, sequences_shape, initial_state_shape=None):
        if isinstance(sequences_shape, list) and sequences_shape and \
                isinstance(sequences_shape[0], (list, tuple)):
            sequences_shape = tuple(sequences_shape[0])
        if len(sequences_shape) != 3:
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) expects inputs of "
                             "shape (batch, timesteps, features). Received: input_shape="
                             f"{tuple(sequences_shape)}")
        step_shape = (sequences_shape[0],) + tuple(sequences_shape[2:])
        if isinstance(self.cell, Layer) and not self.cell.built:
            build_sublayer(self, self.cell, step_shape)
        if self.stateful:
            if sequences_shape[0] is None:
                raise ValueError(f"Layer '{self.name}': when using `stateful=True` in a RNN, "
                                 "the batch size must be static. Found dynamic batch size: "
                                 f"sequence.shape={tuple(sequences_shape)}. Pass "
                                 "`batch_size=` to the `Input` (or `batch_input_shape`).")
            if self.states is None:  # nested as the initial state (per cell when stacked)
                self._state_holder.value = nest.map_structure(
                    lambda s: Variable(np.array(s, self.dtype), trainable=False,
                                       name="rnn_state"),
                    self.get_initial_state(sequences_shape[0]))
            else:
                self.reset_state()

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        if isinstance(sequences_shape, list) and isinstance(sequences_shape[0], (list, tuple)):
            sequences_shape = sequences_shape[0]
        batch = sequences_shape[0]
        units = getattr(self.cell, "output_size", None) or self.state_size[0]
        out = (batch, sequences_shape[1], units) if self.return_sequences else (batch, units)
        if self.return_state:
            return (out, *[(batch, d) if isinstance(d, int) else [(batch, k) for k in d]
                           for d in self.state_size])
        return out

    def compute_mask(self, inputs, mask=None):
        mask = nest.flatten(mask)[0] if mask is not None else None
        out = mask if self.return_sequences else None
        if self.return_state:
            return [out] + nest.map_structure(lambda _: None, list(self.state_size))
        return out

    # --- state ----------------------------------------------------------------------------------
    @property
    def states(self):
        """A stateful layer's state variables (not among its weights, as in Keras)."""
        return self._state_holder.value

    def get_initial_state(self, batch_size):
        """Zero states, one per `state_size` entry (or the cell's `get_initial_state`)."""
        fn = getattr(self.cell, "get_initial_state", None)
        if fn is not None:
            states = fn(batch_size=batch_size)
            return list(states) if isinstance(states, (list, tuple)) else [states]
        return [a.zeros((batch_size, d), self.compute_dtype) for d in self.state_size]

    def reset_state(self, states=None):
        """Resets a stateful layer's states to zeros (or to `states`)."""
        if self.states is None:
            return
        variables = nest.flatten(self.states)
        values = nest.flatten(states) if states is not None else [None] * len(variables)
        for var, value in zip(variables, values):
            var.assign(np.zeros(var.shape, var.dtype.as_numpy_dtype) if value is None
                       else np.asarray(value, var.dtype.as_numpy_dtype))

    reset_states = reset_state

    # --- calling --------------------------------------------------------------------------------
    def call(self, sequences, initial_state=None, mask=None, training=False):
        if isinstance(sequences, (list, tuple)):  # [inputs, *initial_states] (Keras 2 style)
            sequences, initial_state = sequences[0], list(sequences[1:]) or initial_state
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if self.unroll and sequences.shape[1] is None:
            raise ValueError(f"Layer '{self.name}': cannot unroll a RNN if the time dimension "
                             "is undefined. Give the Input a fixed number of timesteps.")
        if self.stateful:
            self._check_stateful_batch(sequences)
        if initial_state is None:
            if self.stateful:
                initial_state = nest.map_structure(lambda v: v.read_value(), self.states)
            else:
                initial_state = self._zero_states(sequences)
        if not nest.is_nested(initial_state):
            initial_state = [initial_state]
        initial_state = nest.map_structure(
            lambda s: convert_to_tensor(s, dtype=self.compute_dtype), list(initial_state))
        fused = None if self.unroll else getattr(self.cell, "_fused_call", None)
        result = fused(sequences, initial_state, mask, training, self) if fused else None
        if result is None:
            result = self._loop(sequences, initial_state, mask, training)
        output, states = result
        _reset_dropout_masks(self.cell)
        if self.stateful:
            for var, s in zip(nest.flatten(self.states), nest.flatten(states)):
                var.assign(s)
        if self.return_state:
            return (output, *states)
        return output

    def _check_stateful_batch(self, sequences):
        if self.states is None:
            return
        expected, received = nest.flatten(self.states)[0].shape[0], sequences.shape[0]
        if received is not None and received != expected:
            raise ValueError(
                "If an RNN is stateful, the batch size of the input sequences must be the "
                "same as the batch size of the initial state. \n"
                f"- Expected batch size: {expected}\n- Received batch size: {received}\n"
                f"(layer '{self.name}' ({type(self).__name__}): feed batches of {expected} "
                "sequences, e.g. `batch_size=` with a number of samples it divides, or rebuild "
                "the layer for the new batch size.)")

    def _zero_states(self, sequences):
        batch = sequences.shape[0]
        if batch is not None and getattr(self.cell, "get_initial_state", None) is None:
            return [a.zeros((batch, d), sequences.dtype) for d in nest.flatten(self.state_size)]
        if batch is not None:
            return self.get_initial_state(batch)
        first = a.zeros_like(sequences[:, 0, :1])  # (batch, 1): zeros of the dynamic batch
        template = self.get_initial_state(1)  # the cell's state structure
        return nest.map_structure(lambda s: first * a.zeros_like(s), template)

    def _loop(self, sequences, states, mask, training):
        """Step by step with ordinary ops (any cell; Keras's backend `rnn` semantics)."""
        steps = sequences.shape[1]
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        kwargs = {"training": training} if getattr(self.cell, "_call_has_training", False) \
            else {}
        keep = None if mask is None else m.cast(mask, "bool")
        outputs = []
        for t in order:
            out, new = self.cell(sequences[:, t], states, **kwargs)
            new = nest.flatten(new)  # repacked as the initial states (Keras's `rnn`)
            if keep is not None:  # the previous *output* (zeros at first), not the state
                k = a.expand_dims(keep[:, t], -1)
                zero = self.zero_output_for_mask or not outputs
                out = a.where(k, out, a.zeros_like(out) if zero else outputs[-1])
                new = [a.where(k, n, s) for n, s in zip(new, nest.flatten(states))]
            states = nest.pack_sequence_as(states, new)
            outputs.append(out)
        if self.return_sequences:
            return a.stack(outputs, axis=1), states
        return outputs[-1], states

    # --- config ---------------------------------------------------------------------------------
    def get_config(self):
        config = super().get_config()
        config.update({"return_sequences": self.return_sequences,
                       "return_state": self.return_state, "go_backwards": self.go_backwards,
                       "stateful": self.stateful, "unroll": self.unroll,
                       "zero_output_for_mask": self.zero_output_for_mask})
        if type(self) is RNN:
            from ...engine.layer import serialize
            config["cell"] = serialize(self.cell)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if cls is RNN:
            config["cell"] = deserialize_layer(config["cell"], custom_objects)
        return cls(**config)


# The order of a built-in recurrent layer's own config keys in Keras.
_CONFIG_ORDER = ("units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
                 "recurrent_initializer", "bias_initializer", "unit_forget_bias",
                 "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                 "activity_regularizer", "kernel_constraint", "recurrent_constraint",
                 "bias_constraint", "dropout", "recurrent_dropout", "reset_after", "seed")


class CellRNN(RNN):
    """An RNN layer over one built-in cell class (SimpleRNN, LSTM, GRU): the cell's arguments
    are the layer's, readable as layer attributes, and the config is flat as in Keras."""

    cell_class = None
    _CELL_ONLY_CONFIG = ()  # cell config keys the layer's config leaves out (as Keras)
    _RNN_ARGS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll",
                 "zero_output_for_mask")

    def __init__(self, cell_kwargs, rnn_kwargs, **kwargs):
        # Keras names the cell after its class, not made unique: paths `enc/lstm_cell/kernel`
        cell = self.cell_class(**cell_kwargs, dtype=kwargs.get("dtype"),
                               trainable=kwargs.get("trainable", True),
                               name=to_snake_case(self.cell_class.__name__))
        use_cudnn = kwargs.pop("use_cudnn", "auto")  # no GPU: kept for Keras code that reads it
        kwargs.pop("time_major", None)
        kwargs.pop("implementation", None)
        super().__init__(cell, **rnn_kwargs, **kwargs)
        if self.cell_class.gates > 1:  # LSTM and GRU, as Keras
            self.use_cudnn = use_cudnn
        self._cell_args = tuple(cell_kwargs)

    def __getattr__(self, name):
        if not name.startswith("_") and name in self.__dict__.get("_cell_args", ()):
            return getattr(self.__dict__["cell"], name)
        return super().__getattr__(name)

    def get_config(self):
        from ... import regularizers
        config = Layer.get_config(self)
        config.update({k: getattr(self, k) for k in self._RNN_ARGS})
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype") + self._CELL_ONLY_CONFIG:
            cell_config.pop(key, None)
        cell_config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        config.update({k: cell_config.pop(k) for k in _CONFIG_ORDER if k in cell_config})
        config.update(cell_config)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**dict(config))


__all__ = ["RNN", "CellRNN", "DropoutRNNCell", "LAYER_CLASSES", "build_sublayer", "gate_matmul",
           "scope_weight_paths"]
