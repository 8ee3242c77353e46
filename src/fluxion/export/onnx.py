"""Export Keras models and traced functions to ONNX (needs the optional `onnx` package:
`pip install fluxion[onnx]`).

The model's functional graph is walked in order and each layer becomes a few ONNX nodes with its
weights as initializers (inference behaviour: Dropout is the identity, BatchNormalization uses
its moving statistics). Images stay channels-last at the model's boundary, as in Keras:
convolutions and pooling transpose to ONNX's NCHW and back.

Supported layers: InputLayer, Dense, Activation and the activation layers (ReLU, LeakyReLU, ELU,
Softmax), Dropout, Flatten, Reshape, BatchNormalization, Conv1D/Conv2D, Max/AveragePooling1D/2D,
Global Max/Average Pooling 1D/2D, Embedding, LSTM, GRU, SimpleRNN (no masks, no
`go_backwards`, no `return_state`), Add, Subtract, Multiply, Concatenate.

`export_function` (or `export_onnx` given a `fluxion.function`) converts a traced graph node by
node instead: placeholders become inputs (None dims dynamic), constants and variables (current
values) initializers, fused element-wise nodes a chain of ONNX nodes again. An op without a
converter, or a side effect (assignments, random ops, print), raises an error naming it.

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


def _elem_type(dtype):
    """The ONNX element type of a NumPy dtype (or dtype name)."""
    from onnx import helper
    return helper.np_dtype_to_tensor_dtype(np.dtype(dtype))


def _value_info(helper, name, dtype, shape, dim_name):
    dims = [d if d is not None else dim_name(j) for j, d in enumerate(shape)]
    return helper.make_tensor_value_info(name, _elem_type(dtype), dims)


def _finish(onnx, helper, g, name, inputs, outputs, opset, filepath):
    """Builds, checks and (atomically) writes the model."""
    proto = helper.make_model(
        helper.make_graph(g.nodes, name, inputs, outputs, g.initializers),
        opset_imports=[helper.make_opsetid("", int(opset))], producer_name="fluxion")
    proto.ir_version = min(proto.ir_version, 8)
    onnx.checker.check_model(proto)
    if filepath is not None:
        from ..keras.callbacks.files import write_atomically
        write_atomically(os.fspath(filepath), proto.SerializeToString())
    return proto


def _export_model(model, filepath, opset):
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
        inputs.append(_value_info(helper, layer.name, t.dtype._np, tuple(t.shape),
                                  lambda i: "batch" if i == 0 else f"d{i}"))
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
        outputs.append(_value_info(helper, name, t.dtype._np, tuple(t.shape),
                                   lambda j, i=i: "batch" if j == 0 else f"o{i}_{j}"))
    return _finish(onnx, helper, g, model.name, inputs, outputs, opset, filepath)


# === traced functions ===========================================================================
# Each primitive converter: (graph, node, input names) -> output name (or a list, one per output).
# `node.inputs[i]._value` / `node.outputs[i]._value` give the static shapes and dtypes.
def _spec(value):
    return tuple(value._value.shape), np.dtype(value._value.dtype)


def _scalar(g, value, dtype):
    return g.const(np.asarray(value, dtype=dtype), "scalar")


def _ints64(g, values, hint="ints"):
    return g.const(np.asarray(values, dtype=np.int64).reshape(-1), hint)


def _binary_chain(*steps):
    """A ufunc as ONNX ops applied one after another (the first takes the ufunc's inputs)."""
    def convert(g, xs, dtype):
        y = g.op(steps[0], xs)
        for step in steps[1:]:
            y = g.op(step, [y])
        return y
    return convert


def _with_const(op_type, const, inner=None):
    """`op_type(inner(x), const)`."""
    return lambda g, xs, dtype: g.op(op_type, [g.op(inner, xs) if inner else xs[0],
                                               _scalar(g, const, dtype)])


def _floor_divide(g, xs, dtype):
    if dtype.kind == "f":
        return g.op("Floor", [g.op("Div", xs)])
    return g.op("Div", [g.op("Sub", [xs[0], g.op("Mod", xs, fmod=0)]), xs[1]])


def _floor_mod(g, xs, dtype):
    if dtype.kind == "f":  # x - y * floor(x / y), NumPy's remainder for floats
        return g.op("Sub", [xs[0], g.op("Mul", [xs[1], _floor_divide(g, xs, dtype)])])
    return g.op("Mod", xs, fmod=0)


_SIMPLE_UFUNCS = {
    np.add: "Add", np.subtract: "Sub", np.multiply: "Mul", np.divide: "Div", np.power: "Pow",
    np.maximum: "Max", np.minimum: "Min", np.negative: "Neg", np.absolute: "Abs", np.exp: "Exp",
    np.log: "Log", np.sqrt: "Sqrt", np.tanh: "Tanh", np.sin: "Sin", np.cos: "Cos", np.tan: "Tan",
    np.arcsin: "Asin", np.arccos: "Acos", np.arctan: "Atan", np.sinh: "Sinh", np.cosh: "Cosh",
    np.arcsinh: "Asinh", np.arccosh: "Acosh", np.arctanh: "Atanh", np.ceil: "Ceil",
    np.floor: "Floor", np.sign: "Sign", np.reciprocal: "Reciprocal", np.equal: "Equal",
    np.less: "Less", np.less_equal: "LessOrEqual", np.greater: "Greater",
    np.greater_equal: "GreaterOrEqual", np.logical_and: "And", np.logical_or: "Or",
    np.logical_xor: "Xor", np.logical_not: "Not", np.isnan: "IsNaN", np.isinf: "IsInf",
}
_UFUNCS = {u: _binary_chain(op) for u, op in _SIMPLE_UFUNCS.items()}
_UFUNCS.update({
    np.square: lambda g, xs, dtype: g.op("Mul", [xs[0], xs[0]]),
    np.expm1: _with_const("Sub", 1, inner="Exp"),
    np.log1p: lambda g, xs, dtype: g.op("Log", [_with_const("Add", 1)(g, xs, dtype)]),
    np.not_equal: _binary_chain("Equal", "Not"),
    np.isfinite: lambda g, xs, dtype: g.op("Not", [g.op("Or", [g.op("IsNaN", xs),
                                                              g.op("IsInf", xs)])]),
    np.floor_divide: _floor_divide, np.remainder: _floor_mod,
})


def _ufunc(g, ufunc, xs, dtype, where):
    convert = _UFUNCS.get(ufunc)
    if convert is None:
        raise NotImplementedError(f"export_function: the element-wise function '{ufunc.__name__}'"
                                  f" in {where} has no ONNX conversion. Supported: "
                                  f"{', '.join(sorted(u.__name__ for u in _UFUNCS))}.")
    return convert(g, xs, dtype)


def _fused(g, node, xs):
    """A `FusedElementwise` node: its steps again as a chain of ONNX nodes."""
    running = None
    for ufunc, sources in node.op.steps:
        args = [running if s is None else xs[s] for s in sources]
        first = sources[0]
        dtype = _spec(node.outputs[0] if first is None else node.inputs[first])[1]
        running = _ufunc(g, ufunc, args, dtype, f"'{node.op.name}'")
    return running


def _matmul(g, node, xs):
    xs = list(xs)
    for i, flag in enumerate((node.attrs.get("transpose_a"), node.attrs.get("transpose_b"))):
        if flag:  # swap the last two axes
            rank = len(node.inputs[i]._value.shape)
            xs[i] = g.op("Transpose", [xs[i]], perm=[*range(rank - 2), rank - 1, rank - 2])
    return g.op("MatMul", xs)


def _reshape_fn(g, node, xs):
    shape = tuple(node.attrs["shape"])
    extra = {"allowzero": 1} if 0 in shape and -1 not in shape else {}
    return g.op("Reshape", [xs[0], _ints64(g, shape, "shape")], **extra)


def _reduce(g, op_type, x, axes, keepdims):
    """`op_type` over `axes` (None: all); axes are an input from opset 18 (13 for ReduceSum)."""
    if axes is not None and len(axes) == 0:
        return g.op("Identity", [x])
    inputs, attrs = [x], {"keepdims": int(bool(keepdims))}
    if axes is not None:
        if g.opset >= 18 or op_type == "ReduceSum":
            inputs.append(_ints64(g, axes, "axes"))
        else:
            attrs["axes"] = [int(a) for a in axes]
    return g.op(op_type, inputs, **attrs)


def _reduction(op_type):
    def convert(g, node, xs):
        return _reduce(g, op_type, xs[0], node.attrs.get("axis"), node.attrs.get("keepdims"))
    return convert


def _any(g, x, node):
    counted = g.op("Cast", [x], to=1)
    total = _reduce(g, "ReduceSum", counted, node.attrs.get("axis"), node.attrs.get("keepdims"))
    return g.op("Cast", [total], to=9)


def _cast_to(g, x, dtype):
    return g.op("Cast", [x], to=_elem_type(dtype))


def _arg_reduce(op_type):
    def convert(g, node, xs):
        y = g.op(op_type, xs, axis=int(node.attrs["axis"]), keepdims=0)
        dtype = _spec(node.outputs[0])[1]
        return y if dtype == np.int64 else _cast_to(g, y, dtype)
    return convert


def _getitem(g, node, xs):
    """Basic indexing (ints, slices, `...`, None) as Slice/Squeeze/Unsqueeze, or one integer
    index array (with only full slices before it) as Gather."""
    from ..kernels.indexing import ArrayRef
    items = list(node.attrs["key"].items)
    rank = len(node.inputs[0]._value.shape)
    if Ellipsis in items:
        at = items.index(Ellipsis)
        used = sum(1 for k in items if k is not None and k is not Ellipsis)
        items[at:at + 1] = [slice(None)] * (rank - used)
    refs = [i for i, k in enumerate(items) if type(k) is ArrayRef]
    full = slice(None)
    if refs:
        axis = refs[0]
        if len(refs) > 1 or node.inputs[1]._value.dtype.kind not in "iu" or \
                any(not (type(k) is slice and k == full) for k in items[:axis] + items[axis + 1:]):
            raise NotImplementedError(
                f"export_function: getitem key {node.attrs['key']!r} has no ONNX conversion; "
                "supported are ints, slices, `...`, None, and one integer index array with only "
                "`:` elsewhere (as in x[:, idx]).")
        return g.op("Gather", xs[:2], axis=axis)
    starts, ends, axes, steps, squeeze, unsqueeze = [], [], [], [], [], []
    big = np.iinfo(np.int64).max
    axis = out = 0
    for k in items:
        if k is None:
            unsqueeze.append(out)
            out += 1
            continue
        if type(k) is slice:
            step = 1 if k.step is None else k.step
            default = (0, big) if step > 0 else (big, -big - 1)
            start = default[0] if k.start is None else k.start
            stop = default[1] if k.stop is None else k.stop
            if (start, stop, step) != (0, big, 1):
                starts.append(start), ends.append(stop), axes.append(axis), steps.append(step)
            out += 1
        else:
            starts.append(k), ends.append(k + 1 if k != -1 else big), axes.append(axis)
            steps.append(1), squeeze.append(axis)
        axis += 1
    y = xs[0]
    if axes:
        y = g.op("Slice", [y, _ints64(g, starts), _ints64(g, ends), _ints64(g, axes),
                           _ints64(g, steps)])
    if squeeze:
        y = g.op("Squeeze", [y, _ints64(g, squeeze, "axes")])
    if unsqueeze:
        y = g.op("Unsqueeze", [y, _ints64(g, unsqueeze, "axes")])
    return y if y != xs[0] else g.op("Identity", [y])


def _gather(g, node, xs):
    if node.attrs.get("batch_dims", 0):
        raise NotImplementedError("export_function: gather with batch_dims > 0 has no ONNX "
                                  "conversion yet; gather with batch_dims=0.")
    return g.op("Gather", xs, axis=int(node.attrs["axis"]))


def _one_hot(g, node, xs):
    depth = node.attrs["depth"]
    indices = g.op("Cast", [xs[0]], to=7)
    # ONNX wraps negative indices around; Fluxion (as TensorFlow) gives rows of off_value.
    negative = g.op("Less", [indices, _scalar(g, 0, np.int64)])
    indices = g.op("Where", [negative, _scalar(g, depth, np.int64), indices])
    values = g.op("Concat", [g.op("Reshape", [x, _ints64(g, [1])]) for x in xs[2:0:-1]], axis=0)
    return g.op("OneHot", [indices, _ints64(g, [depth]), values], axis=int(node.attrs["axis"]))


def _pad(g, node, xs):
    mode = node.attrs["mode"]
    if mode not in ("CONSTANT", "REFLECT"):
        raise NotImplementedError(f"export_function: pad mode '{mode}' has no ONNX conversion; "
                                  "use CONSTANT or REFLECT.")
    pairs = np.asarray(node.attrs["paddings"], np.int64).reshape(-1, 2)
    inputs = [xs[0], _ints64(g, np.concatenate([pairs[:, 0], pairs[:, 1]]), "pads")]
    if mode == "CONSTANT":
        inputs.append(_scalar(g, node.attrs["constant_values"], _spec(node.inputs[0])[1]))
    return g.op("Pad", inputs, mode=mode.lower())


def _like(fill):
    def convert(g, node, xs):
        value = g.numpy_helper.from_array(np.ones(1, _spec(node.inputs[0])[1]) * fill, "value")
        return g.op("ConstantOfShape", [g.op("Shape", xs)], value=value)
    return convert


def _softmax_xent(g, node, xs):
    axis = int(node.attrs["axis"])
    picked = g.op("Mul", [xs[0], g.op("LogSoftmax", [xs[1]], axis=axis)])
    return g.op("Neg", [_reduce(g, "ReduceSum", picked, [axis], False)])


def _sparse_xent(g, node, xs):
    labels = g.op("Unsqueeze", [g.op("Cast", [xs[0]], to=7), _ints64(g, [-1])])
    picked = g.op("GatherElements", [g.op("LogSoftmax", [xs[1]], axis=-1), labels], axis=-1)
    return g.op("Neg", [g.op("Squeeze", [picked, _ints64(g, [-1])])])


def _sigmoid_xent(g, node, xs):  # max(x, 0) - x z + softplus(-|x|)
    z, x = xs
    dtype = _spec(node.inputs[1])[1]
    first = g.op("Sub", [g.op("Max", [x, _scalar(g, 0, dtype)]), g.op("Mul", [x, z])])
    return g.op("Add", [first, g.op("Softplus", [g.op("Neg", [g.op("Abs", [x])])])])


def _window(node, kernel_hw):
    """ONNX Conv/Pool attributes for an NHWC node's strides/dilations/padding."""
    strides = [int(s) for s in node.attrs["strides"]]
    dilations = [int(d) for d in node.attrs.get("dilations", (1, 1))]
    padding = node.attrs["padding"]
    attrs = {"strides": strides}
    if isinstance(padding, str):
        hw = node.inputs[0]._value.shape[1:3]
        if padding == "VALID":
            attrs["pads"] = [0, 0, 0, 0]
        elif None in hw:
            attrs["auto_pad"] = "SAME_UPPER"
        else:  # TensorFlow's SAME: the extra padding pixel goes after
            total = [max((-(-n // s) - 1) * s + (k - 1) * d + 1 - n, 0)
                     for n, s, k, d in zip(hw, strides, kernel_hw, dilations)]
            attrs["pads"] = [t // 2 for t in total] + [t - t // 2 for t in total]
    else:
        attrs["pads"] = [int(p[0]) for p in padding] + [int(p[1]) for p in padding]
    return attrs


def _nchw(g, x, op_type, inputs_after, **attrs):
    """`op_type` on NHWC `x`, run in ONNX's NCHW layout."""
    y = g.op(op_type, [g.op("Transpose", [x], perm=[0, 3, 1, 2])] + inputs_after, **attrs)
    return g.op("Transpose", [y], perm=[0, 2, 3, 1])


def _conv2d(g, node, xs):
    kh, kw = node.inputs[1]._value.shape[:2]
    w = g.op("Transpose", [xs[1]], perm=[3, 2, 0, 1])
    return _nchw(g, xs[0], "Conv", [w], kernel_shape=[kh, kw],
                 dilations=[int(d) for d in node.attrs["dilations"]], **_window(node, (kh, kw)))


def _pool2d(op_type):
    def convert(g, node, xs):
        ksize = [int(k) for k in node.attrs["ksize"]]
        return _nchw(g, xs[0], op_type, [], kernel_shape=ksize, **_window(node, ksize))
    return convert


def _unary(op_type, **fixed):
    return lambda g, node, xs: g.op(op_type, xs[:1], **fixed)


def _from_attrs(op_type, **names):
    """`op_type` with ONNX attributes taken from the node's attributes (onnx=fluxion names)."""
    return lambda g, node, xs: g.op(op_type, xs, **{k: _attr(node.attrs[v])
                                                   for k, v in names.items()})


def _attr(value):
    if isinstance(value, (bool, np.bool_, int, np.integer)):
        return int(value)
    return float(value) if isinstance(value, (float, np.floating)) else value


_PRIMITIVES = {
    "matmul": _matmul, "reshape": _reshape_fn, "getitem": _getitem, "gather": _gather,
    "transpose": lambda g, node, xs: g.op("Transpose", xs, perm=list(node.attrs["perm"])),
    "broadcast_to": lambda g, node, xs: g.op("Expand", [xs[0], _ints64(g, node.attrs["shape"])]),
    "concat": _from_attrs("Concat", axis="axis"),
    "split": lambda g, node, xs: g.op("Split", [xs[0], _ints64(g, node.attrs["sizes"])],
                                      axis=int(node.attrs["axis"]),
                                      outputs=len(node.attrs["sizes"])),
    "gather_nd": lambda g, node, xs: g.op("GatherND", [xs[0], g.op("Cast", xs[1:], to=7)],
                                          batch_dims=int(node.attrs["batch_dims"])),
    "one_hot": _one_hot, "pad": _pad,
    "tile": lambda g, node, xs: g.op("Tile", [xs[0], _ints64(g, node.attrs["multiples"])]),
    "fill": lambda g, node, xs: g.op("Expand", [xs[0], _ints64(g, node.attrs["dims"])]),
    "zeros_like": _like(0), "ones_like": _like(1),
    "shape": lambda g, node, xs: _cast_to(g, g.op("Shape", xs), node.attrs["out_type"]),
    "size": lambda g, node, xs: _cast_to(g, g.op("Size", xs), node.attrs["out_type"]),
    "rank": lambda g, node, xs: g.op("Identity", [_scalar(
        g, len(node.inputs[0]._value.shape), np.int32)]),
    "where_indices": lambda g, node, xs: g.op("Transpose", [g.op("NonZero", xs)], perm=[1, 0]),
    "einsum": _from_attrs("Einsum", equation="equation"),
    "cumsum": lambda g, node, xs: g.op(
        "CumSum", [xs[0], g.const(np.int64(node.attrs["axis"]), "axis")],
        exclusive=int(node.attrs["exclusive"]), reverse=int(node.attrs["reverse"])),
    "select": lambda g, node, xs: g.op("Where", xs),
    "cast": lambda g, node, xs: _cast_to(g, xs[0], node.attrs["dtype"]),
    "identity": _unary("Identity"), "stop_gradient": _unary("Identity"),
    # ONNX has no run-time check: the integer divisor passes through unchecked.
    "check_nonzero_divisor": _unary("Identity"),
    # max(min(x, hi), lo), as TensorFlow: lo wins when lo > hi.
    "clip_by_value": lambda g, node, xs: g.op("Max", [g.op("Min", [xs[0], xs[2]]), xs[1]]),
    "rsqrt": lambda g, node, xs: g.op("Reciprocal", [g.op("Sqrt", xs)]),
    "squared_difference": lambda g, node, xs: (lambda d: g.op("Mul", [d, d]))(g.op("Sub", xs)),
    "divide_no_nan": lambda g, node, xs: g.op("Where", [
        g.op("Equal", [xs[1], _scalar(g, 0, _spec(node.inputs[1])[1])]),
        _scalar(g, 0, _spec(node.outputs[0])[1]), g.op("Div", xs)]),
    "erf": _unary("Erf"), "round": _unary("Round"), "sigmoid": _unary("Sigmoid"),
    "bias_add": lambda g, node, xs: g.op("Add", xs),  # channels last: NumPy broadcasting
    "relu": _unary("Relu"), "elu": _unary("Elu", alpha=1.0), "softplus": _unary("Softplus"),
    "selu": _unary("Selu", alpha=1.6732632423543772, gamma=1.0507009873554805),
    "relu6": lambda g, node, xs: g.op("Clip", [xs[0], _scalar(g, 0, _spec(node.inputs[0])[1]),
                                               _scalar(g, 6, _spec(node.inputs[0])[1])]),
    "leaky_relu": _from_attrs("LeakyRelu", alpha="alpha"),
    "softmax": _from_attrs("Softmax", axis="axis"),
    "log_softmax": _from_attrs("LogSoftmax", axis="axis"),
    "softmax_cross_entropy_with_logits": _softmax_xent,
    "sparse_softmax_cross_entropy_with_logits": _sparse_xent,
    "sigmoid_cross_entropy_with_logits": _sigmoid_xent,
    "reduce_sum": _reduction("ReduceSum"), "reduce_mean": _reduction("ReduceMean"),
    "reduce_max": _reduction("ReduceMax"), "reduce_min": _reduction("ReduceMin"),
    "reduce_prod": _reduction("ReduceProd"),
    "reduce_any": lambda g, node, xs: _any(g, xs[0], node),
    "reduce_all": lambda g, node, xs: g.op("Not", [_any(g, g.op("Not", xs), node)]),
    "argmax": _arg_reduce("ArgMax"), "argmin": _arg_reduce("ArgMin"),
    "conv2d": _conv2d, "max_pool2d": _pool2d("MaxPool"), "avg_pool2d": _pool2d("AveragePool"),
}


def _supported_names():
    from ..ops.registry import REGISTRY
    ufunc_ops = {name for name, op in REGISTRY.items() if op.kernel in _UFUNCS}
    return ", ".join(sorted({*_PRIMITIVES, *ufunc_ops}))


def _convert(g, node, xs):
    """The ONNX value name(s) for one graph node, whose inputs are named `xs`."""
    from ..graph.ir import CONSTANT, READ_VARIABLE
    from ..graph.passes import FusedElementwise
    op = node.op
    if op is CONSTANT:
        return g.const(np.asarray(node.attrs["value"]), "constant")
    if op is READ_VARIABLE:  # the variable's current value
        var = node.attrs["variable"]
        return g.const(np.asarray(var.numpy()), getattr(var, "name", "variable"))
    if isinstance(op, FusedElementwise):
        return _fused(g, node, xs)
    if getattr(op, "stateful", False):
        raise ValueError(f"export_function: the traced function has the side effect '{op.name}' "
                         "(a variable assignment, random numbers or printing), which ONNX cannot "
                         "express. Export a function without side effects (e.g. the forward pass "
                         "alone).")
    convert = _PRIMITIVES.get(op.name)
    if convert is not None:
        return convert(g, node, xs)
    if getattr(op, "kernel", None) in _UFUNCS:
        return _ufunc(g, op.kernel, list(xs), _spec(node.inputs[0])[1], f"op '{op.name}'")
    raise NotImplementedError(f"export_function: the op '{op.name}' has no ONNX conversion yet. "
                              f"Supported ops: {_supported_names()}.")


def _input_names(function, args, count):
    """Names for the graph inputs: TensorSpec names, else the Python parameter names, else
    input_<i>."""
    import inspect

    from ..core import nest
    from ..core.tensor_spec import TensorSpec
    leaves = nest.flatten(list(args) or list(getattr(function, "_input_signature", None) or []))
    names = [None] * count
    if len(leaves) == count:
        names = [x.name if isinstance(x, TensorSpec) else None for x in leaves]
    python = getattr(function, "python_function", None)
    if python is not None and None in names and len(leaves) == count:
        try:
            params = list(inspect.signature(python).parameters)
        except (TypeError, ValueError):
            params = []
        if len(params) == count and all(not isinstance(x, (list, tuple, dict)) for x in args):
            names = [n or p for n, p in zip(names, params)]
    result = []
    for i, name in enumerate(names):
        name = name or f"input_{i}"
        result.append(name if name not in result else f"{name}_{i}")
    return result


def export_function(function, *args, filepath=None, opset=OPSET, **kwargs):
    """Converts a traced `fluxion.function` (or one of its `ConcreteFunction`s) to ONNX.

    The function is traced for `args` (TensorSpecs, tensors or arrays; none if it has an
    `input_signature`) and its optimised graph converted node by node: placeholders become the
    graph inputs (None dims stay dynamic), constants and variables (their current values) become
    initializers, and each op becomes ONNX nodes (NHWC convolutions and pools are transposed to
    ONNX's NCHW and back).

    Args:
        function: a `fluxion.function` or a `ConcreteFunction`.
        *args, **kwargs: the arguments to trace with (as for `get_concrete_function`).
        filepath: if given, the `.onnx` file to write (atomically).
        opset: the ONNX opset version (default 17).

    Returns:
        The `onnx.ModelProto` (checked with `onnx.checker`); its inputs are named after the
        TensorSpecs' names, else the function's parameters; its outputs `output_<i>`.

    Raises:
        ImportError: without the onnx package.
        NotImplementedError: for an op with no conversion (the message lists supported ones).
        ValueError: for side effects (variable assignments, random ops, printing).

    Example:
    >>> f = fluxion.function(lambda x: fluxion.nn.relu(x) * 2.0)
    >>> proto = export_function(f, fluxion.TensorSpec((None, 3)))  # doctest: +SKIP
    >>> proto.graph.input[0].name  # doctest: +SKIP
    'x'
    """
    onnx, helper, numpy_helper = _require_onnx()
    from ..graph.function import ConcreteFunction, Function
    from ..graph.ir import PLACEHOLDER
    if isinstance(function, Function):
        if not args and not kwargs and function._input_signature is None:
            raise TypeError(f"export_function: '{function.__name__}' has no input_signature; "
                            "pass the inputs' TensorSpecs (or example tensors) to trace it with, "
                            "e.g. export_function(f, fluxion.TensorSpec((None, 4))).")
        concrete = function.get_concrete_function(*args, **kwargs)
    elif isinstance(function, ConcreteFunction):
        concrete = function
    else:
        raise TypeError("export_function: expected a fluxion.function or a ConcreteFunction, "
                        f"received {type(function).__name__}. Export Keras models with "
                        "export_onnx(model).")
    graph = concrete.graph
    g = _Graph(helper, numpy_helper)
    g.opset = int(opset)
    names = _input_names(function, args, len(graph.inputs))
    values, inputs = {}, []
    single = len(graph.inputs) == 1
    for name, v in zip(names, graph.inputs):
        values[id(v)] = name
        shape, dtype = _spec(v)
        inputs.append(_value_info(helper, name, dtype, shape, lambda j, name=name: (
            "batch" if j == 0 and single else f"{name}_dim{j}")))
    for node in graph.nodes:
        if node.op is PLACEHOLDER:
            continue
        out = _convert(g, node, [values[id(v)] for v in node.inputs])
        for v, name in zip(node.outputs, [out] if isinstance(out, str) else out):
            values[id(v)] = name
    outputs = []
    for i, v in enumerate(graph.outputs):
        name = f"output_{i}"
        g.nodes.append(helper.make_node("Identity", [values[id(v)]], [name]))
        shape, dtype = _spec(v)
        outputs.append(_value_info(helper, name, dtype, shape, lambda j: None))
    return _finish(onnx, helper, g, graph.name, inputs, outputs, opset, filepath)


def export_onnx(model, filepath=None, opset=OPSET, input_signature=None):
    """Converts a built Keras model, or a traced `fluxion.function`, to an ONNX model.

    Args:
        model: a functional or Sequential Keras model (built: made with `keras.Input`, or
            called on data), or a `fluxion.function` / `ConcreteFunction` (see
            `export_function`).
        filepath: if given, the `.onnx` file to write (atomically).
        opset: the ONNX opset version (default 17).
        input_signature: for a `fluxion.function` without one, the TensorSpecs to trace with.

    Returns:
        The `onnx.ModelProto` (checked with `onnx.checker`).

    Raises:
        ImportError: without the onnx package.
        NotImplementedError: for a layer, op (or option) with no conversion; the message names it.

    Example:
    >>> proto = export_onnx(model, "model.onnx")  # doctest: +SKIP
    """
    from ..graph.function import ConcreteFunction, Function
    if isinstance(model, (Function, ConcreteFunction)):
        return export_function(model, *(input_signature or ()), filepath=filepath, opset=opset)
    return _export_model(model, filepath, opset)
