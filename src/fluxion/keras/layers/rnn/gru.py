"""`GRUCell` and `GRU`: gated recurrent unit (Cho et al. 2014), Keras's gate order z, r, h.

Example:
>>> from fluxion import keras
>>> keras.layers.GRU(4)(fluxion.ones((2, 3, 5))).shape
TensorShape([2, 4])
"""
from ....ops import array_ops as a
from ....ops.math_ops import matmul
from .cell_base import RecurrentCell
from .rnn import CellRNN, gate_matmul


class GRUCell(RecurrentCell):
    """The cell of `GRU`: one time step.

    With `reset_after=True` (the default, cuDNN-compatible): `z, r` from
    `x @ kernel + b_in + h @ recurrent_kernel + b_rec`,
    `hh = tanh(x @ W_h + b_in_h + r * (h @ R_h + b_rec_h))`, `h' = z * h + (1 - z) * hh`;
    the bias has shape `(2, 3 * units)` (input and recurrent biases). With `reset_after=False`
    the reset gate multiplies `h` before the matmul and the bias is `(3 * units,)`.

    Args:
        units, activation ("tanh"), recurrent_activation ("sigmoid"), use_bias,
        initializers, regularizers, constraints, dropout, recurrent_dropout, seed: as
        `LSTMCell`.
        reset_after: where the reset gate applies (default True, as Keras 3).

    Call arguments:
        inputs: `(batch, features)`; states: `h` (or `[h]`), `(batch, units)`.
    """

    kind = "gru"
    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, reset_after=True, **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer,
                         recurrent_regularizer, bias_regularizer, kernel_constraint,
                         recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                         seed, **kwargs)
        self.reset_after = reset_after

    def bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def biases(self):
        if self.bias is None or not self.reset_after:
            return self.bias, None
        return self.bias[0], self.bias[1]

    def fused_supported(self):
        return self.reset_after

    def step(self, inputs, states, dp, rdp):
        h = states[0]
        u = self.units
        bias_in, bias_rec = self.biases()
        x = self.project(inputs, dp, self.kernel)
        if bias_in is not None:
            x = x + bias_in
        x_z, x_r, x_h = a.split(x, 3, axis=-1)
        hs = self._masked_gate_inputs(h, rdp, 3)
        if self.reset_after:
            inner = self.project(h, rdp, self.recurrent_kernel)
            if bias_rec is not None:
                inner = inner + bias_rec
            r_z, r_r, r_h = a.split(inner, 3, axis=-1)
        else:
            inner = gate_matmul(hs[:2], self.recurrent_kernel[:, :2 * u])
            r_z, r_r = a.split(inner, 2, axis=-1)
        z = self.recurrent_activation(x_z + r_z)
        r = self.recurrent_activation(x_r + r_r)
        if self.reset_after:
            hh = self.activation(x_h + r * r_h)
        else:
            hh = self.activation(x_h + matmul(r * hs[2], self.recurrent_kernel[:, 2 * u:]))
        h = z * h + (1 - z) * hh
        return h, [h]

    def get_config(self):
        return {**super().get_config(), "reset_after": self.reset_after}


class GRU(CellRNN):
    """Gated Recurrent Unit layer (Cho et al. 2014), with Keras's arguments and defaults.

    Weights: `kernel` `(features, 3 * units)`, `recurrent_kernel` `(units, 3 * units)`, `bias`
    `(2, 3 * units)` with `reset_after=True` (default), gates z, r, h. Runs as one fused op for
    the built-in activations and `reset_after=True`.

    Args: as `GRUCell`, plus return_sequences, return_state, go_backwards, stateful, unroll
    (as `RNN`).

    Example:
    >>> gru = keras.layers.GRU(4, return_sequences=True, return_state=True)
    >>> seq, h = gru(fluxion.ones((32, 10, 8)))
    >>> seq.shape, h.shape
    (TensorShape([32, 10, 4]), TensorShape([32, 4]))
    """

    cell_class = GRUCell

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, reset_after=True, zero_output_for_mask=False,
                 **kwargs):
        cell_kwargs = dict(
            units=units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed,
            reset_after=reset_after)
        rnn_kwargs = dict(return_sequences=return_sequences, return_state=return_state,
                          go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                          zero_output_for_mask=zero_output_for_mask)
        super().__init__(cell_kwargs, rnn_kwargs, activity_regularizer=activity_regularizer,
                         **kwargs)


__all__ = ["GRU", "GRUCell"]
