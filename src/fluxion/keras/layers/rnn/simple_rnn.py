"""`SimpleRNNCell` and `SimpleRNN`: the fully connected recurrent layer.

Example:
>>> from fluxion import keras
>>> keras.layers.SimpleRNN(4)(fluxion.ones((2, 3, 5))).shape
TensorShape([2, 4])
"""
from .cell_base import RecurrentCell
from .rnn import CellRNN


class SimpleRNNCell(RecurrentCell):
    """The cell of `SimpleRNN`: `h' = activation(x @ kernel + h @ recurrent_kernel + bias)`.

    Args:
        units, activation ("tanh"), use_bias, kernel_initializer ("glorot_uniform"),
        recurrent_initializer ("orthogonal"), bias_initializer ("zeros"), regularizers,
        constraints, dropout, recurrent_dropout, seed: as `LSTMCell`.

    Call arguments:
        inputs: `(batch, features)`; states: `h` (or `[h]`), `(batch, units)`.
    """

    kind = "simple_rnn"
    gates = 1

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        super().__init__(units, activation, "sigmoid", use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer,
                         recurrent_regularizer, bias_regularizer, kernel_constraint,
                         recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                         seed, **kwargs)

    def step(self, inputs, states, dp, rdp):
        h = states[0]
        z = self.project(inputs, dp, self.kernel)
        if self.bias is not None:
            z = z + self.bias
        z = z + self.project(h, rdp, self.recurrent_kernel)
        h = self.activation(z)
        return h, [h]

    def get_config(self):
        config = super().get_config()
        config.pop("recurrent_activation")
        return config


class SimpleRNN(CellRNN):
    """Fully connected RNN: the output is fed back as the next step's state.

    Weights: `kernel` `(features, units)`, `recurrent_kernel` `(units, units)`, `bias`
    `(units,)`.

    Args: as `SimpleRNNCell`, plus return_sequences, return_state, go_backwards, stateful,
    unroll (as `RNN`).

    Example:
    >>> keras.layers.SimpleRNN(4, return_sequences=True)(fluxion.ones((32, 10, 8))).shape
    TensorShape([32, 10, 4])
    """

    cell_class = SimpleRNNCell
    _CELL_ONLY_CONFIG = ("seed",)  # Keras's SimpleRNN config has no seed (its cell's has)

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, zero_output_for_mask=False,
                 **kwargs):
        cell_kwargs = dict(
            units=units, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed)
        rnn_kwargs = dict(return_sequences=return_sequences, return_state=return_state,
                          go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                          zero_output_for_mask=zero_output_for_mask)
        super().__init__(cell_kwargs, rnn_kwargs, activity_regularizer=activity_regularizer,
                         **kwargs)


__all__ = ["SimpleRNN", "SimpleRNNCell"]
