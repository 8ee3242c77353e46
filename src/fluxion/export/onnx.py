"""Export Keras models to ONNX (needs the optional `onnx` package: `pip install fluxion[onnx]`).

The model's functional graph is walked in order and each layer becomes a few ONNX nodes with its
weights as initializers (inference behaviour: Dropout is the identity, BatchNormalization uses
its moving statistics). Images stay channels-last at the model's boundary, as in Keras:
convolutions and pooling transpose to ONNX's NCHW and back.

Supported layers: InputLayer, Dense, Activation and the activation layers (ReLU, LeakyReLU, ELU,
Softmax), Dropout, Flatten, Reshape, BatchNormalization, Conv1D/Conv2D, Max/AveragePooling1D/2D,
Global Max/Average Pooling 1D/2D, Embedding, LSTM, GRU, SimpleRNN (no masks, no
`go_backwards`, no `return_state`), Add, Subtract, Multiply, Concatenate.

Example:
>>> from fluxion import keras
>>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="relu")])
>>> proto = export_onnx(model)  # doctest: +SKIP
>>> [i.name for i in proto.graph.input]  # doctest: +SKIP
['input_layer']
"""
import math
import os

import numpy as np

OPSET = 17


def _require_onnx():
    try:
        import onnx
        from onnx import helper, numpy_helper
    except ImportError:
        raise ImportError("fluxion.export.onnx needs the onnx package: "
                          "`pip install fluxion[onnx]` (or `pip install onnx`).") from None
    return onnx, helper, numpy_helper


class _Graph:
    """Collects ONNX nodes and initializers, handing out unique value names."""

    def __init__(self, helper, numpy_helper):
        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes, self.initializers, self._count = [], [], 0

    def name(self, hint):
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, array, hint="const"):
        name = self.name(hint)
        self.initializers.append(self.numpy_helper.from_array(np.asarray(array), name))
        return name

    def op(self, op_type, inputs, hint=None, outputs=1, **attrs):
        names = [self.name(hint or op_type.lower()) for _ in range(outputs)]
        self.nodes.append(self.helper.make_node(op_type, list(inputs), names, **attrs))
        return names[0] if outputs == 1 else names


def _weight(variable):
    return np.asarray(variable.numpy())


# --- activations --------------------------------------------------------------------------------
def _activation(g, x, fn, layer):
    name = fn if isinstance(fn, str) else getattr(fn, "__name__", None)
    simple = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "elu": "Elu",
              "selu": "Selu", "softplus": "Softplus", "softsign": "Softsign", "exponential": "Exp"}
    if name in (None, "linear", "identity"):
        return x
    if name in simple:
        return g.op(simple[name], [x])
    if name == "softmax":
        return g.op("Softmax", [x], axis=-1)
    if name == "leaky_relu":
        return g.op("LeakyRelu", [x], alpha=0.2)
    if name == "hard_sigmoid":  # Keras 3: relu6(x + 3) / 6
        return g.op("HardSigmoid", [x], alpha=1.0 / 6.0, beta=0.5)
    if name in ("swish", "silu"):
        return g.op("Mul", [x, g.op("Sigmoid", [x])])
    if name == "gelu":  # the exact (erf) form, Keras's default approximate=False
        scaled = g.op("Mul", [x, g.const(np.float32(1 / math.sqrt(2)))])
        one_plus = g.op("Add", [g.op("Erf", [scaled]), g.const(np.float32(1.0))])
        return g.op("Mul", [g.op("Mul", [x, one_plus]), g.const(np.float32(0.5))])
    raise NotImplementedError(f"export_onnx: activation '{name}' of layer '{layer.name}' has no "
                              "ONNX conversion yet.")


# --- layer converters: (graph, layer, input names) -> output name -----------------------------
def _dense(g, layer, xs):
    y = g.op("MatMul", [xs[0], g.const(_weight(layer.kernel), "kernel")])
    if layer.bias is not None:
        y = g.op("Add", [y, g.const(_weight(layer.bias), "bias")])
    return _activation(g, y, layer.activation, layer)


def _activation_layer(g, layer, xs):
    kind = type(layer).__name__
    if kind == "ReLU":
        if getattr(layer, "max_value", None) is None and not getattr(layer, "threshold", 0) \
                and not getattr(layer, "negative_slope", 0):
            return g.op("Relu", xs)
        raise NotImplementedError(f"export_onnx: ReLU '{layer.name}' with max_value/threshold/"
                                  "negative_slope is not supported yet.")
    if kind == "LeakyReLU":
        return g.op("LeakyRelu", xs, alpha=float(layer.negative_slope))
    if kind == "ELU":
        return g.op("Elu", xs, alpha=float(layer.alpha))
    if kind == "Softmax":
        return g.op("Softmax", xs, axis=int(np.ravel(layer.axis)[0]))
    return _activation(g, xs[0], layer.activation, layer)


def _flatten(g, layer, xs):
    return g.op("Flatten", xs, axis=1)


def _reshape(g, layer, xs):
    shape = np.array([0] + [int(d) for d in layer.target_shape], np.int64)
    return g.op("Reshape", [xs[0], g.const(shape, "shape")])


def _batch_norm(g, layer, xs, shape):
    axis = layer.axis if isinstance(layer.axis, int) else layer.axis[0]
    rank = len(shape)
    axis = axis % rank
    mean, var = _weight(layer.moving_mean), _weight(layer.moving_variance)
    gamma = _weight(layer.gamma) if layer.gamma is not None else np.ones_like(mean)
    beta = _weight(layer.beta) if layer.beta is not None else np.zeros_like(mean)
    scale = (gamma / np.sqrt(var + np.float32(layer.epsilon))).astype(np.float32)
    shift = (beta - mean * scale).astype(np.float32)
    broadcast = [1] * (rank - axis - 1)
    scale = scale.reshape(scale.shape + tuple(broadcast))
    shift = shift.reshape(shift.shape + tuple(broadcast))
    return g.op("Add", [g.op("Mul", [xs[0], g.const(scale, "bn_scale")]),
                        g.const(shift, "bn_shift")])


def _channels_first(g, x, rank):
    return g.op("Transpose", [x], perm=[0, rank - 1] + list(range(1, rank - 1)))


def _channels_last(g, x, rank):
    return g.op("Transpose", [x], perm=[0] + list(range(2, rank)) + [1])


def _check_channels_last(layer):
    if getattr(layer, "data_format", "channels_last") != "channels_last":
        raise NotImplementedError(f"export_onnx: layer '{layer.name}' uses channels_first; "
                                  "only channels_last is supported.")


def _conv(g, layer, xs, shape):
    _check_channels_last(layer)
    if type(layer).__name__.endswith("Transpose"):
        raise NotImplementedError(f"export_onnx: {type(layer).__name__} '{layer.name}' has no "
                                  "ONNX conversion yet.")
    rank = len(shape)
    kernel = _weight(layer.kernel)  # (*spatial, in / groups, out)
    w = np.transpose(kernel, [rank - 1, rank - 2] + list(range(rank - 2)))
    inputs = [_channels_first(g, xs[0], rank), g.const(w, "kernel")]
    if layer.bias is not None:
        inputs.append(g.const(_weight(layer.bias), "bias"))
    pad = {"same": "SAME_UPPER", "valid": "VALID"}.get(layer.padding)
    if pad is None:
        raise NotImplementedError(f"export_onnx: padding '{layer.padding}' of '{layer.name}'.")
    y = g.op("Conv", inputs, strides=list(layer.strides), dilations=list(layer.dilation_rate),
             group=int(getattr(layer, "groups", 1)), auto_pad=pad)
    return _activation(g, _channels_last(g, y, rank), layer.activation, layer)


def _pool(g, layer, xs, shape):
    _check_channels_last(layer)
    rank = len(shape)
    op = "MaxPool" if "Max" in type(layer).__name__ else "AveragePool"
    pad = {"same": "SAME_UPPER", "valid": "VALID"}[layer.padding]
    y = g.op(op, [_channels_first(g, xs[0], rank)], kernel_shape=list(layer.pool_size),
             strides=list(layer.strides), auto_pad=pad)
    return _channels_last(g, y, rank)


def _global_pool(g, layer, xs, shape):
    _check_channels_last(layer)
    op = "ReduceMax" if "Max" in type(layer).__name__ else "ReduceMean"
    return g.op(op, xs, axes=list(range(1, len(shape) - 1)),
                keepdims=int(bool(getattr(layer, "keepdims", False))))


def _embedding(g, layer, xs):
    indices = g.op("Cast", xs, to=7)  # int64
    return g.op("Gather", [g.const(_weight(layer.embeddings), "embeddings"), indices], axis=0)


# Keras gate order -> ONNX gate order, per recurrent kind.
_GATES = {"LSTM": ("LSTM", [0, 3, 1, 2]),   # i, f, c, o -> i, o, f, c
          "GRU": ("GRU", [0, 1, 2]),         # z, r, h in both
          "SimpleRNN": ("RNN", [0])}


def _recurrent(g, layer, xs):
    kind = type(layer).__name__
    cell = layer.cell
    if layer.go_backwards or layer.return_state or getattr(layer, "stateful", False):
        raise NotImplementedError(f"export_onnx: {kind} '{layer.name}' with go_backwards, "
                                  "return_state or stateful is not supported yet.")
    op, order = _GATES[kind]
    units = cell.units
    kernel, recurrent = _weight(cell.kernel), _weight(cell.recurrent_kernel)

    def reorder(matrix):  # (..., gates * units) -> ONNX gate order, then (gates*units, ...)
        blocks = np.split(matrix, len(order), axis=-1)
        return np.concatenate([blocks[i] for i in order], axis=-1)
    w = reorder(kernel).T[None]
    r = reorder(recurrent).T[None]
    bias = _weight(cell.bias) if cell.bias is not None else None
    attrs = {"hidden_size": int(units)}
    if kind == "GRU":
        reset_after = bool(getattr(cell, "reset_after", True))
        attrs["linear_before_reset"] = int(reset_after)
        if bias is not None and bias.ndim == 2:  # reset_after: (2, 3 * units)
            b = np.concatenate([reorder(bias[0]), reorder(bias[1])])
        elif bias is not None:
            b = np.concatenate([reorder(bias), np.zeros_like(bias)])
        else:
            b = None
    else:
        b = None if bias is None else np.concatenate([reorder(bias), np.zeros_like(bias)])
    names = {"LSTM": ["Sigmoid", "Tanh", "Tanh"], "GRU": ["Sigmoid", "Tanh"], "RNN": ["Tanh"]}
    acts = [_onnx_activation_name(cell.recurrent_activation, layer)] if op != "RNN" else []
    acts.append(_onnx_activation_name(cell.activation, layer))
    if op == "LSTM":
        acts.append(acts[-1])
    if acts != names[op]:
        attrs["activations"] = acts
    seq = g.op("Transpose", xs[:1], perm=[1, 0, 2])
    inputs = [seq, g.const(w.astype(np.float32), "W"), g.const(r.astype(np.float32), "R")]
    if b is not None:
        inputs.append(g.const(b[None].astype(np.float32), "B"))
    y, y_h = g.op(op, inputs, outputs=3 if op == "LSTM" else 2, **attrs)[:2]
    if layer.return_sequences:
        y = g.op("Squeeze", [y, g.const(np.array([1], np.int64), "axes")])
        return g.op("Transpose", [y], perm=[1, 0, 2])
    return g.op("Squeeze", [y_h, g.const(np.array([0], np.int64), "axes")])


def _onnx_activation_name(fn, layer):
    name = getattr(fn, "__name__", fn)
    table = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu"}
    if name not in table:
        raise NotImplementedError(f"export_onnx: recurrent activation '{name}' of layer "
                                  f"'{layer.name}' is not supported.")
    return table[name]


def _merge(g, layer, xs):
    kind = type(layer).__name__
    if kind == "Concatenate":
        return g.op("Concat", xs, axis=int(layer.axis))
    op = {"Add": "Add", "Subtract": "Sub", "Multiply": "Mul", "Maximum": "Max",
          "Minimum": "Min"}[kind]
    if op in ("Max", "Min"):
        return g.op(op, xs)
    y = xs[0]
    for x in xs[1:]:
        y = g.op(op, [y, x])
    return y


_CONVERTERS = {
    "Dense": _dense, "Activation": _activation_layer, "ReLU": _activation_layer,
    "LeakyReLU": _activation_layer, "ELU": _activation_layer, "Softmax": _activation_layer,
    "Dropout": lambda g, layer, xs: xs[0], "Identity": lambda g, layer, xs: xs[0],
    "Flatten": _flatten, "Reshape": _reshape, "Embedding": _embedding,
    "LSTM": _recurrent, "GRU": _recurrent, "SimpleRNN": _recurrent,
    "Add": _merge, "Subtract": _merge, "Multiply": _merge, "Concatenate": _merge,
    "Maximum": _merge, "Minimum": _merge,
}
_SHAPED = {"BatchNormalization": _batch_norm, "Conv1D": _conv, "Conv2D": _conv,
           "MaxPooling1D": _pool, "MaxPooling2D": _pool, "AveragePooling1D": _pool,
           "AveragePooling2D": _pool, "GlobalMaxPooling1D": _global_pool,
           "GlobalMaxPooling2D": _global_pool, "GlobalAveragePooling1D": _global_pool,
           "GlobalAveragePooling2D": _global_pool}


def _elem_type(dtype_name):
    return {"float32": 1, "float64": 11, "int32": 6, "int64": 7, "float16": 10,
            "uint8": 2, "bool": 9}.get(dtype_name, 1)


def export_onnx(model, filepath=None, opset=OPSET):
    """Converts a built functional or Sequential Keras model to an ONNX model.

    Args:
        model: the model (built: made with `keras.Input`, or called on data).
        filepath: if given, the `.onnx` file to write (atomically).
        opset: the ONNX opset version (default 17).

    Returns:
        The `onnx.ModelProto` (checked with `onnx.checker`).

    Raises:
        ImportError: without the onnx package.
        NotImplementedError: for a layer (or option) with no conversion; the message names it.

    Example:
    >>> proto = export_onnx(model, "model.onnx")  # doctest: +SKIP
    """
    onnx, helper, numpy_helper = _require_onnx()
    graph = getattr(model, "_graph", None)
    if graph is None:
        raise ValueError(f"export_onnx: model '{model.name}' has no functional graph. Create it "
                         "with keras.Input (or build a Sequential model with an Input first).")
    g = _Graph(helper, numpy_helper)
    values, inputs = {}, []
    for t in graph.flat_inputs:
        layer = t._keras_history[0]
        values[id(t)] = layer.name
        dims = [d if d is not None else ("batch" if i == 0 else f"d{i}")
                for i, d in enumerate(t.shape)]
        inputs.append(helper.make_tensor_value_info(layer.name, _elem_type(t.dtype.name), dims))
    for node in graph.nodes:
        layer = node.operation
        if node.is_input:
            continue
        kind = type(layer).__name__
        xs = [values[id(t)] for t in node.input_tensors]
        if kind in _SHAPED:
            out = _SHAPED[kind](g, layer, xs, tuple(node.input_tensors[0].shape))
        elif kind in _CONVERTERS:
            out = _CONVERTERS[kind](g, layer, xs)
        else:
            raise NotImplementedError(f"export_onnx: layer '{layer.name}' ({kind}) has no ONNX "
                                      f"conversion yet. Supported: "
                                      f"{', '.join(sorted({*_CONVERTERS, *_SHAPED}))}.")
        for t in node.output_tensors:
            values[id(t)] = out
    outputs = []
    for i, t in enumerate(graph.flat_outputs):
        name = f"output_{i}"
        g.nodes.append(helper.make_node("Identity", [values[id(t)]], [name]))
        dims = [d if d is not None else ("batch" if j == 0 else f"o{i}_{j}")
                for j, d in enumerate(t.shape)]
        outputs.append(helper.make_tensor_value_info(name, _elem_type(t.dtype.name), dims))
    proto = helper.make_model(
        helper.make_graph(g.nodes, model.name, inputs, outputs, g.initializers),
        opset_imports=[helper.make_opsetid("", int(opset))], producer_name="fluxion")
    proto.ir_version = min(proto.ir_version, 8)
    onnx.checker.check_model(proto)
    if filepath is not None:
        from ..keras.callbacks.files import write_atomically
        write_atomically(os.fspath(filepath), proto.SerializeToString())
    return proto
