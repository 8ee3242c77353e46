"""Fused recurrent primitives: `rnn_sequence` runs a whole LSTM / GRU / SimpleRNN sequence.

One primitive per layer call instead of a loop of small ops per step: the kernel
(`fluxion.kernels.rnn`) loops over time in NumPy with preallocated buffers, and its gradient is
a second primitive, `rnn_sequence_grad`, running backpropagation through time the same way.
Second derivatives through `rnn_sequence_grad` are not supported (its gradient raises).

The input projection `x @ kernel + bias` is not part of the primitive: the layers compute it for
all steps with one matmul (whose gradient is again one matmul).
"""
import numpy as np

from ..core.tensor import convert_to_tensor
from ..kernels import rnn as K
from .registry import OpDef, Spec, bind

_OPTIONAL = ("c0", "rb", "mask", "rmask")


def _unpack(arrays, present):
    """(xw, h0, rk, {optional name: array or None}) from the bound inputs."""
    xw, h0, rk = arrays[:3]
    rest = iter(arrays[3:])
    return xw, h0, rk, {name: (next(rest) if has else None)
                        for name, has in zip(_OPTIONAL, present)}


_FORWARD_RESULTS = ("out", "h", "c", "hs", "cs", "gates")
_GRAD_RESULTS = ("d_xw", "d_h0", "d_c0", "d_rk", "d_rb")


def _kernel_buffers(out, names, absent):
    """The op's output buffers `out` (a tuple, in output order) placed at the positions of the
    kernel's results `names`; None for the results in `absent` and when there is no `out`."""
    if out is None:
        return None
    given = iter(out)
    return tuple(None if name in absent else next(given) for name in names)


def _absent_results(kind, has_rb=False):
    """The kernel results (of both kernels) that `kind` does not have."""
    absent = set() if kind == "lstm" else {"c", "cs", "d_c0"}
    if kind == "simple_rnn":
        absent.add("gates")
    if not has_rb:
        absent.add("d_rb")
    return absent


def _forward_kernel(*arrays, kind, act, ract, go_backwards, zero_output, return_sequences,
                    present, out=None):
    xw, h0, rk, opt = _unpack(arrays, present)
    results = K.rnn_forward(
        kind, xw, h0, opt["c0"], rk, opt["rb"], opt["mask"], opt["rmask"], act, ract,
        go_backwards, zero_output, return_sequences,
        out=_kernel_buffers(out, _FORWARD_RESULTS, _absent_results(kind)))
    return tuple(v for v in results if v is not None)


def _forward_infer(*specs, kind, act, ract, go_backwards, zero_output, return_sequences,
                   present):
    xw, h0, rk, opt = _unpack(specs, present)
    name = "rnn_sequence"
    if kind not in K.GATES:
        raise ValueError(f"{name}: unknown cell kind {kind!r}; expected one of "
                         f"{sorted(K.GATES)}.")
    for a in (act, ract):
        if a not in K.ACTIVATIONS:
            raise ValueError(f"{name}: activation {a!r} has no fused kernel; expected one of "
                             f"{sorted(K.ACTIVATIONS)}.")
    if len(xw.shape) != 3:
        raise ValueError(f"{name}: the input projection must be 3-D (batch, time, gates * "
                         f"units). Received shape {tuple(xw.shape)}.")
    if np.dtype(xw.dtype).kind != "f":
        raise TypeError(f"{name}: expected a float input, received {np.dtype(xw.dtype).name}.")
    units = rk.shape[0]
    gates = K.GATES[kind] * units if units is not None else None
    batch, time = xw.shape[0], xw.shape[1]
    expected = {"xw": (batch, time, gates), "h0": (batch, units), "rk": (units, gates),
                "c0": (batch, units), "rb": (gates,), "mask": (batch, time),
                "rmask": (K.GATES[kind], batch, units)}
    got = {"xw": xw, "h0": h0, "rk": rk, **opt}
    for key, spec in got.items():
        if spec is None:
            continue
        if len(spec.shape) != len(expected[key]) or any(
                a is not None and b is not None and a != b
                for a, b in zip(spec.shape, expected[key])):
            raise ValueError(f"{name}: {key} must have shape {expected[key]} for {kind} with "
                             f"{units} units. Received shape {tuple(spec.shape)}.")
        want = np.bool_ if key == "mask" else xw.dtype
        if np.dtype(spec.dtype) != np.dtype(want):
            raise TypeError(f"{name}: {key} must have dtype {np.dtype(want).name}, received "
                            f"{np.dtype(spec.dtype).name}.")
    dt = xw.dtype
    state = Spec((batch, units), dt)
    out = Spec((batch, time, units) if return_sequences else (batch, units), dt)
    hist = Spec((None if time is None else time + 1, batch, units), dt)
    specs = [out, state]
    if kind == "lstm":
        specs.append(state)
    specs.append(hist)
    if kind == "lstm":
        specs.append(hist)
    if kind != "simple_rnn":
        specs.append(Spec((time, 4, batch, units), dt))  # the gates, gate-major
    return tuple(specs)


def _num_results(kind):
    return 3 if kind == "lstm" else 2


def _forward_vjp(gs, *rest, kind, act, ract, go_backwards, zero_output, return_sequences,
                 present):
    inputs, outs = rest[:-1], rest[-1]
    xw, h0, rk, opt = _unpack(inputs, present)
    k = _num_results(kind)
    residuals = outs[k:]
    extra = [opt[n] for n in ("rb", "mask", "rmask")]
    grads = bind(_GRAD, *gs[:k], *residuals, rk, *[e for e in extra if e is not None],
                 kind=kind, act=act, ract=ract, go_backwards=go_backwards,
                 zero_output=zero_output, return_sequences=return_sequences,
                 present=tuple(e is not None for e in extra))
    grads = list(grads)
    d_xw, d_h0 = grads[0], grads[1]
    d_c0 = grads[2] if kind == "lstm" else None
    d_rk = grads[k]
    d_rb = grads[k + 1] if opt["rb"] is not None else None
    result = [d_xw, d_h0, d_rk]
    named = {"c0": d_c0, "rb": d_rb, "mask": None, "rmask": None}
    result += [named[n] for n, has in zip(_OPTIONAL, present) if has]
    return tuple(result)


def _grad_kernel(*arrays, kind, act, ract, go_backwards, zero_output, return_sequences,
                 present, out=None):
    k = _num_results(kind)
    g_out, g_h = arrays[0], arrays[1]
    g_c = arrays[2] if kind == "lstm" else None
    rest = list(arrays[k:])
    hs = rest.pop(0)
    cs = rest.pop(0) if kind == "lstm" else None
    gates = rest.pop(0) if kind != "simple_rnn" else None
    rk = rest.pop(0)
    rb, mask, rmask = (rest.pop(0) if has else None for has in present)
    results = K.rnn_backward(
        kind, g_out, g_h, g_c, hs, cs, gates, rk, mask, rmask, act, ract, go_backwards,
        zero_output, return_sequences, rb is not None,
        out=_kernel_buffers(out, _GRAD_RESULTS, _absent_results(kind, rb is not None)))
    return tuple(v for v in results if v is not None)


def _grad_infer(*specs, kind, act, ract, go_backwards, zero_output, return_sequences, present):
    k = _num_results(kind)
    hs = specs[k]
    time, batch, units = hs.shape
    time = None if time is None else time - 1
    n = K.GATES[kind]
    dt = hs.dtype
    rk = specs[k + (3 if kind == "lstm" else 2 if kind == "gru" else 1)]
    out = [Spec((batch, time, n * units), dt), Spec((batch, units), dt)]
    if kind == "lstm":
        out.append(Spec((batch, units), dt))
    out.append(Spec(tuple(rk.shape), dt))
    if present[0]:
        out.append(Spec((n * units,), dt))
    return tuple(out)


def _grad_vjp(*args, **attrs):
    raise NotImplementedError(
        "rnn_sequence_grad: second derivatives through the fused LSTM/GRU/SimpleRNN kernels "
        "are not supported. For higher-order gradients, build the layer with "
        "`unroll=True` (a loop of ordinary, twice-differentiable ops).")


_FORWARD = OpDef("rnn_sequence", _forward_kernel, _forward_infer, _forward_vjp, num_outputs=None,
                 out_kernel=_forward_kernel)
_GRAD = OpDef("rnn_sequence_grad", _grad_kernel, _grad_infer, _grad_vjp, num_outputs=None,
              out_kernel=_grad_kernel)


def rnn_sequence(xw, h0, recurrent_kernel, c0=None, recurrent_bias=None, mask=None,
                 recurrent_mask=None, kind="lstm", activation="tanh",
                 recurrent_activation="sigmoid", go_backwards=False, zero_output_for_mask=False,
                 return_sequences=False):
    """Runs a whole recurrent sequence (LSTM, GRU with reset after, or SimpleRNN) as one op.

    Args:
        xw: `(batch, time, gates * units)`: the input projection `x @ kernel + bias` of every
            step (gates: 4 for "lstm" in order i, f, c, o; 3 for "gru", z, r, h; 1).
        h0: `(batch, units)` initial state; `c0` the LSTM's initial carry.
        recurrent_kernel: `(units, gates * units)`.
        recurrent_bias: `(gates * units,)`, added to every step's recurrent matmul (GRU's
            recurrent bias; the LSTM and SimpleRNN layers pass their bias here).
        mask: `(batch, time)` bool; masked steps carry the previous state and output the
            previous output (zeros before a row's first unmasked step, as Keras).
        recurrent_mask: `(gates, batch, units)` recurrent-dropout masks, one per gate.
        kind: "lstm", "gru" or "simple_rnn".
        activation, recurrent_activation: names (see `fluxion.kernels.rnn.ACTIVATIONS`).
        go_backwards: process the steps in reverse; outputs come in processing order.
        zero_output_for_mask: every masked step outputs zeros.
        return_sequences: the first result is every step's output, else the last one.

    Returns:
        `(output, h_last)` plus `c_last` for LSTM.

    Example:
    >>> xw = fluxion.zeros((2, 5, 4)); h0 = fluxion.zeros((2, 1))
    >>> out, h, c = rnn_sequence(xw, h0, fluxion.zeros((1, 4)), c0=h0)
    >>> out.shape
    TensorShape([2, 1])
    """
    if kind not in K.GATES or activation not in K.ACTIVATIONS or \
            recurrent_activation not in K.ACTIVATIONS:
        _forward_infer(Spec((), None), Spec((), None), Spec((None,), None), kind=kind,
                       act=activation, ract=recurrent_activation, go_backwards=False,
                       zero_output=False, return_sequences=False, present=(False,) * 4)
    xw = convert_to_tensor(xw)
    dtype = xw.dtype
    h0, recurrent_kernel = (convert_to_tensor(v, dtype=dtype) for v in (h0, recurrent_kernel))
    optional = tuple(None if v is None else convert_to_tensor(v, dtype=None if k == 2 else dtype)
                     for k, v in enumerate((c0, recurrent_bias, mask, recurrent_mask)))
    present = tuple(v is not None for v in optional)
    outs = bind(_FORWARD, xw, h0, recurrent_kernel, *[v for v in optional if v is not None],
                kind=kind, act=activation, ract=recurrent_activation,
                go_backwards=bool(go_backwards), zero_output=bool(zero_output_for_mask),
                return_sequences=bool(return_sequences), present=present)
    return tuple(outs[:_num_results(kind)])


__all__ = []
