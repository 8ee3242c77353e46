"""`StackedRNNCells`: several cells run one after the other at each time step.

Example:
>>> from fluxion import keras
>>> cells = [keras.layers.LSTMCell(4), keras.layers.GRUCell(3)]
>>> keras.layers.RNN(cells)(fluxion.ones((2, 5, 6))).shape
TensorShape([2, 3])
"""
from ...engine.layer import Layer
from ...engine.layer import serialize as _serialize
from ...engine.model import deserialize_layer


def _sizes(cell):
    size = cell.state_size
    return [size] if isinstance(size, int) else list(size)


class StackedRNNCells(Layer):
    """Wraps a list of cells so that `RNN` runs them as one: the output of cell k is the input
    of cell k + 1; the states are all the cells' states, in order.

    Args:
        cells: a list of RNN cells.
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
        return [s for cell in self.cells for s in _sizes(cell)]

    @property
    def output_size(self):
        last = self.cells[-1]
        return getattr(last, "output_size", None) or _sizes(last)[0]

    def build(self, input_shape):
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(input_shape)
            out = getattr(cell, "output_size", None) or _sizes(cell)[0]
            input_shape = tuple(input_shape[:-1]) + (out,)

    def call(self, inputs, states, training=False):
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        new_states, start = [], 0
        for cell in self.cells:
            n = len(_sizes(cell))
            mine = states[start:start + n]
            start += n
            kwargs = {"training": training} if getattr(cell, "_call_has_training", False) \
                else {}
            inputs, out_states = cell(inputs, mine, **kwargs)
            new_states.extend(out_states if isinstance(out_states, (list, tuple))
                              else [out_states])
        return inputs, new_states

    def get_config(self):
        return {**super().get_config(), "cells": [_serialize(c) for c in self.cells]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["cells"] = [deserialize_layer(c, custom_objects) for c in config["cells"]]
        return cls(**config)
