"""OpInfo entries for the fused recurrent primitives `rnn_sequence` / `rnn_sequence_grad`
(fluxion.ops.rnn_ops), against a step-by-step NumPy reference of Keras's equations."""
import numpy as np

import fluxion as fx
from fluxion.ops.rnn_ops import rnn_sequence

from .opinfo import ErrorCase, OpInfo, Sample, rand

_B, _T, _U = 2, 3, 2


def _sig(x):
    return 1 / (1 + np.exp(-x))


def _ref(xw, h0, rk, c0=None, recurrent_bias=None, mask=None, recurrent_mask=None,
         kind="lstm", go_backwards=False, return_sequences=False, zero_output_for_mask=False,
         **_):
    """Keras's `rnn` loop: a masked step keeps the states and outputs the previous output
    (zeros at first), or zeros with `zero_output_for_mask`."""
    h, c, u = h0.astype(np.float64), c0, rk.shape[0]
    order = range(xw.shape[1] - 1, -1, -1) if go_backwards else range(xw.shape[1])
    outs = []
    for t in order:
        hp = [h * (1 if recurrent_mask is None else recurrent_mask[g])
              for g in range(rk.shape[1] // u)]
        inner = np.concatenate([hp[g] @ rk[:, g * u:(g + 1) * u] for g in range(len(hp))], -1)
        if recurrent_bias is not None:
            inner = inner + recurrent_bias
        x = xw[:, t]
        if kind == "lstm":
            i, f, g, o = np.split(x + inner, 4, -1)
            c_new = _sig(f) * c + _sig(i) * np.tanh(g)
            h_new = _sig(o) * np.tanh(c_new)
        elif kind == "gru":
            z = _sig(x[:, :u] + inner[:, :u])
            r = _sig(x[:, u:2 * u] + inner[:, u:2 * u])
            hh = np.tanh(x[:, 2 * u:] + r * inner[:, 2 * u:])
            h_new, c_new = z * h + (1 - z) * hh, None
        else:
            h_new, c_new = np.tanh(x + inner), None
        out = h_new
        if mask is not None:
            keep = mask[:, t][:, None]
            out = np.where(keep, h_new, 0 if zero_output_for_mask else outs[-1] if outs
                           else np.zeros_like(h_new))
            h_new = np.where(keep, h_new, h)
            c_new = None if c is None else np.where(keep, c_new, c)
        h, c = h_new, c_new
        outs.append(out)
    out = np.stack(outs, 1) if return_sequences else outs[-1]
    return [out, h] + ([c] if kind == "lstm" else [])


def _samples(rng, dtype):
    mask = np.array([[False, True, True], [True, True, False]])
    lead = np.array([[False, False, True], [False, False, False]])
    for kind, n in (("lstm", 4), ("gru", 3), ("simple_rnn", 1)):
        xw, h0, rk = rand(rng, (_B, _T, n * _U), dtype), rand(rng, (_B, _U), dtype), \
            rand(rng, (_U, n * _U), dtype)
        extra = {"c0": rand(rng, (_B, _U), dtype)} if kind == "lstm" else {}
        if kind == "gru":
            extra["recurrent_bias"] = rand(rng, (n * _U,), dtype)
        yield Sample((xw, h0, rk), dict(extra, kind=kind))
        yield Sample((xw, h0, rk), dict(extra, kind=kind, go_backwards=True,
                                        return_sequences=True, mask=fx.constant(mask)))
        # a row whose first steps are masked (outputs zeros, not h0) and a fully masked row
        yield Sample((xw, h0, rk), dict(extra, kind=kind, mask=fx.constant(lead)))
        yield Sample((xw, h0, rk), dict(extra, kind=kind, mask=fx.constant(lead),
                                        return_sequences=True, zero_output_for_mask=True))
    rmask = (rng.random((4, _B, _U)) > 0.3).astype(dtype) * 2
    yield Sample((rand(rng, (_B, _T, 4 * _U), dtype), rand(rng, (_B, _U), dtype),
                  rand(rng, (_U, 4 * _U), dtype)),
                 {"c0": fx.constant(np.zeros((_B, _U), dtype)), "recurrent_mask":
                  fx.constant(rmask), "kind": "lstm", "return_sequences": True})


def _fn(xw, h0, rk, **kwargs):
    return list(rnn_sequence(xw, h0, rk, **kwargs))


def _np_kwargs(kwargs):
    return {k: (np.asarray(v) if isinstance(v, fx.Tensor) else v) for k, v in kwargs.items()}


def _grad_fn(xw, h0, rk, **kwargs):
    with fx.GradientTape() as tape:
        tape.watch([xw, h0, rk])
        outs = rnn_sequence(xw, h0, rk, **kwargs)
        total = sum(fx.reduce_sum(o * (k + 1.0)) for k, o in enumerate(outs))
    return tape.gradient(total, [xw, h0, rk])


def _grad_ref(xw, h0, rk, **kwargs):
    kwargs = _np_kwargs(kwargs)
    base = [xw.astype(np.float64), h0.astype(np.float64), rk.astype(np.float64)]

    def total(args):
        return sum(np.sum(o * (k + 1.0)) for k, o in enumerate(_ref(*args, **kwargs)))
    grads = []
    for i, b in enumerate(base):
        g = np.zeros_like(b)
        for idx in np.ndindex(b.shape):
            plus = [a.copy() for a in base]
            minus = [a.copy() for a in base]
            plus[i][idx] += 1e-6
            minus[i][idx] -= 1e-6
            g[idx] = (total(plus) - total(minus)) / 2e-6
        grads.append(g)
    return grads


def _errors():
    x = np.zeros((_B, _T, 4 * _U), np.float32)
    h = np.zeros((_B, _U), np.float32)
    return [ErrorCase((x, h, np.zeros((_U, 3 * _U), np.float32)), {"kind": "lstm", "c0": h},
                      match="rnn_sequence: rk must have shape"),
            ErrorCase((x, h, np.zeros((_U, 4 * _U), np.float32)),
                      {"kind": "lstm", "c0": h, "activation": "gelu"},
                      match="rnn_sequence: activation 'gelu'")]


OPS = [
    OpInfo("rnn_sequence", _fn, lambda *a, **k: _ref(*a, **_np_kwargs(k)), _samples,
           second_order=False, errors=_errors),
    OpInfo("rnn_sequence_grad", _grad_fn, _grad_ref, _samples, dtypes=("float64",),
           grad=False, atol={"float64": 1e-8}, rtol={"float64": 1e-6}),
]
