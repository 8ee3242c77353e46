"""`LSTMCell` and `LSTM`: long short-term memory (Hochreiter 1997), Keras's gate order i, f, c, o.

Example:
>>> from fluxion import keras
>>> keras.layers.LSTM(4)(fluxion.ones((2, 3, 5))).shape
TensorShape([2, 4])
"""
from ....ops import array_ops as a
from ... import initializers
from .cell_base import RecurrentCell
from .rnn import CellRNN


class LSTMCell(RecurrentCell):
    """The cell of `LSTM`: one time step.

    `z = x @ kernel + h @ recurrent_kernel + bias`, split into i, f, c, o;
    `c' = σ(f) * c + σ(i) * tanh(c)`, `h' = σ(o) * tanh(c')` (σ the recurrent activation).

    Args:
        units: the size of the state.
        activation: default "tanh"; recurrent_activation: default "sigmoid".
        use_bias, kernel_initializer ("glorot_uniform"), recurrent_initializer
            ("orthogonal"), bias_initializer ("zeros"), regularizers, constraints.
        unit_forget_bias: initialize the forget gate's bias to 1 (default True).
        dropout, recurrent_dropout: fractions of the inputs / state to drop (training only;
            masks fixed for a whole sequence).
        seed: for the dropout masks.

    Call arguments:
        inputs: `(batch, features)`; states: `[h, c]`, each `(batch, units)`.

    Returns:
        `(h, [h, c])`.
    """

    kind = "lstm"
    gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer,
                         recurrent_regularizer, bias_regularizer, kernel_constraint,
                         recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                         seed, **kwargs)
        self.unit_forget_bias = unit_forget_bias
        self.state_size = [units, units]

    def bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        base, units = self.bias_initializer, self.units

        def init(shape, dtype=None):
            ones = initializers.get("ones")
            return a.concat([base((units,), dtype=dtype), ones((units,), dtype=dtype),
                             base((2 * units,), dtype=dtype)], axis=0)
        return init

    def step(self, inputs, states, dp, rdp):
        h, c = states[0], states[1]
        z = self.project(inputs, dp, self.kernel) + self.project(h, rdp, self.recurrent_kernel)
        if self.bias is not None:
            z = z + self.bias
        zi, zf, zc, zo = a.split(z, 4, axis=-1)
        ract = self.recurrent_activation
        c = ract(zf) * c + ract(zi) * self.activation(zc)
        h = ract(zo) * self.activation(c)
        return h, [h, c]

    def get_config(self):
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


class LSTM(CellRNN):
    """Long Short-Term Memory layer (Hochreiter 1997), with Keras's arguments and defaults.

    Weights: `kernel` `(features, 4 * units)`, `recurrent_kernel` `(units, 4 * units)`, `bias`
    `(4 * units,)`, gates in the order i, f, c, o. The whole sequence runs as one fused op
    (`rnn_sequence`) for the built-in activations.

    Args:
        units: the size of the output and state.
        activation, recurrent_activation, use_bias, kernel_initializer,
        recurrent_initializer, bias_initializer, unit_forget_bias, regularizers,
        constraints, dropout, recurrent_dropout, seed: as `LSTMCell`.
        return_sequences, return_state, go_backwards, stateful, unroll: as `RNN`.

    Call arguments:
        inputs: `(batch, timesteps, features)`; mask: `(batch, timesteps)` bool (set by
        `Embedding(mask_zero=True)`); training; initial_state: `[h, c]`.

    Example:
    >>> lstm = keras.layers.LSTM(4, return_sequences=True, return_state=True)
    >>> seq, h, c = lstm(fluxion.ones((32, 10, 8)))
    >>> seq.shape, h.shape, c.shape
    (TensorShape([32, 10, 4]), TensorShape([32, 4]), TensorShape([32, 4]))
    """

    cell_class = LSTMCell

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, zero_output_for_mask=False,
                 **kwargs):
        cell_kwargs = dict(
            units=units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed)
        rnn_kwargs = dict(return_sequences=return_sequences, return_state=return_state,
                          go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                          zero_output_for_mask=zero_output_for_mask)
        super().__init__(cell_kwargs, rnn_kwargs, activity_regularizer=activity_regularizer,
                         **kwargs)


__all__ = ["LSTM", "LSTMCell"]
