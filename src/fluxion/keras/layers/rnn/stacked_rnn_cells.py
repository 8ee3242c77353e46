"""`StackedRNNCells`: several cells run one after the other at each time step.

Example:
>>> from fluxion import keras
>>> cells = [keras.layers.LSTMCell(4), keras.layers.GRUCell(3)]
>>> keras.layers.RNN(cells)(fluxion.ones((2, 5, 6))).shape
TensorShape([2, 3])
"""
from ....core import nest
from ....ops import array_ops
from ...engine.layer import Layer
from ...engine.layer import serialize as _serialize
from ...engine.model import deserialize_layer
from .rnn import build_sublayer


def _output_size(cell):
    size = getattr(cell, "output_size", None)
    if size is not None:
        return size
    state = cell.state_size
    return state if isinstance(state, int) else state[0]


class StackedRNNCells(Layer):
    """Wraps a list of cells so that `RNN` runs them as one: the output of cell k is the input
    of cell k + 1.

    The states nest per cell, as in Keras: `state_size` is `[cell.state_size for each cell]`
    (`[[4, 4], 3]` for an LSTMCell(4) then a GRUCell(3)), the states passed to `call` are one
    entry per cell (a list for a cell with several states), and `RNN(..., return_state=True)`
    returns `(output, [h, c], [h])`.

    Args:
        cells: a list of RNN cells.

    Example:
    >>> stack = keras.layers.StackedRNNCells([keras.layers.LSTMCell(4), keras.layers.GRUCell(3)])
    >>> stack.state_size
    [[4, 4], 3]
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
                raise ValueError("StackedRNNCells: every cell needs a `call` method and a "
                                 f"`state_size`. Received: {cell!r}")
        self.cells = list(cells)

    @property
    def state_size(self):
        return [cell.state_size for cell in self.cells]

    @property
    def output_size(self):
        return _output_size(self.cells[-1])

    def get_initial_state(self, batch_size=None):
        """Zero states, one entry per cell (the cell's own `get_initial_state` if it has one)."""
        states = []
        for cell in self.cells:
            fn = getattr(cell, "get_initial_state", None)
            if fn is not None:
                states.append(fn(batch_size=batch_size))
            else:
                states.append(nest.map_structure(
                    lambda d: array_ops.zeros((batch_size, d), self.compute_dtype),
                    cell.state_size))
        return states

    def build(self, input_shape):
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                build_sublayer(self, cell, input_shape)
            input_shape = tuple(input_shape[:-1]) + (_output_size(cell),)

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            was_list = nest.is_nested(cell_states)
            cell_states = list(cell_states) if was_list else [cell_states]
            kwargs = {"training": training} if getattr(cell, "_call_has_training", False) \
                else {}
            inputs, out_states = cell(inputs, cell_states, **kwargs)
            if not nest.is_nested(out_states):
                out_states = [out_states]
            if len(out_states) == 1 and not was_list:
                out_states = out_states[0]
            new_states.append(out_states)
        if len(new_states) == 1:
            new_states = new_states[0]
        return inputs, new_states

    def get_config(self):
        return {**super().get_config(), "cells": [_serialize(c) for c in self.cells]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["cells"] = [deserialize_layer(c, custom_objects) for c in config["cells"]]
        return cls(**config)
