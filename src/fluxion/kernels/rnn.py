"""Fused recurrent kernels: a whole LSTM / GRU / SimpleRNN sequence, forward and backward.

The input projection `xw = x @ kernel (+ bias)` of every step is computed before (one big matmul,
outside these kernels). The forward loop then does, per step, one `(batch, units) x (units,
gates * units)` matmul and the gate math in place, in preallocated buffers, and keeps what the
backward pass needs: the carried states `hs`/`cs` of every step and the gate activations. The
backward loop (BPTT) produces the gradient of every step's pre-activations; the recurrent
kernel's gradient is then one matmul over all steps.

Conventions (all arrays of one float dtype):
- `xw`: `(batch, time, gates * units)` in the input's time order; LSTM gates i, f, c, o; GRU
  z, r, h (reset after the matmul); SimpleRNN one gate.
- `mask`: `(batch, time)` bool or None; a masked step carries the previous state and outputs
  the previous output: zeros before a row's first unmasked step (Keras's `rnn`).
- `rmask`: `(gates, batch, units)` recurrent-dropout masks (one per gate) or None.
- outputs are in processing order (reversed time when `go_backwards`), as Keras returns them.
- activations are named: tanh, sigmoid, linear, relu, hard_sigmoid, softsign (`ACTIVATIONS`).
"""
import numpy as np

GATES = {"lstm": 4, "gru": 3, "simple_rnn": 1}


def _sigmoid(x, out):
    # exp overflows to inf for x < -88 (float32), and 1 / inf is the right 0: the loops run
    # under np.errstate(over="ignore") (set once: 7 µs a call).
    np.negative(x, out=out)
    np.exp(out, out=out)
    out += 1
    np.reciprocal(out, out=out)


def _tanh(x, out):
    np.tanh(x, out=out)


def _linear(x, out):
    if out is not x:
        np.copyto(out, x)


def _relu(x, out):
    np.maximum(x, 0, out=out)


def _hard_sigmoid(x, out):
    np.add(x, 3.0, out=out)
    np.clip(out, 0.0, 6.0, out=out)
    out *= 1.0 / 6.0


def _softsign(x, out):
    tmp = np.abs(x)
    tmp += 1
    np.divide(x, tmp, out=out)


# Derivatives from the activation's output y: f'(x) written into `out` (not `y` itself).
def _d_sigmoid(y, out):
    np.subtract(1, y, out=out)
    out *= y


def _d_tanh(y, out):
    np.multiply(y, y, out=out)
    np.subtract(1, out, out=out)


def _d_linear(y, out):
    out.fill(1)


def _d_relu(y, out):
    np.greater(y, 0, out=out)


def _d_hard_sigmoid(y, out):
    np.logical_and(y > 0, y < 1, out=out)
    out *= 1.0 / 6.0


def _d_softsign(y, out):
    np.abs(y, out=out)
    np.subtract(1, out, out=out)
    np.square(out, out=out)


def _times_derivative(d, y, g, scratch):
    """`g *= f'(x)` in place, `d` the derivative of f from its output `y`."""
    d(y, scratch)
    g *= scratch


ACTIVATIONS = {
    "sigmoid": (_sigmoid, _d_sigmoid), "tanh": (_tanh, _d_tanh),
    "linear": (_linear, _d_linear), "relu": (_relu, _d_relu),
    "hard_sigmoid": (_hard_sigmoid, _d_hard_sigmoid), "softsign": (_softsign, _d_softsign),
}


def _processing_order(a, go_backwards):
    """A `(batch, time, ...)` array as a `(time, batch, ...)` view in processing order."""
    a = np.swapaxes(a, 0, 1)
    return a[::-1] if go_backwards else a


def _rec_matmul(h, rk, rmask, out):
    """out = h @ rk, with gate g's columns computed from `h * rmask[g]` when masks are given."""
    if rmask is None:
        np.matmul(h, rk, out=out)
        return
    u = rk.shape[0]
    for g in range(rmask.shape[0]):
        np.matmul(h * rmask[g], rk[:, g * u:(g + 1) * u], out=out[:, g * u:(g + 1) * u])


def _rec_matmul_t(d, rk, rmask):
    """The gradient of `_rec_matmul` with respect to h."""
    if rmask is None:
        return d @ rk.T
    u = rk.shape[0]
    out = np.zeros((d.shape[0], u), d.dtype)
    for g in range(rmask.shape[0]):
        out += (d[:, g * u:(g + 1) * u] @ rk[:, g * u:(g + 1) * u].T) * rmask[g]
    return out


def _rec_kernel_grad(hp, dmi, rmask, batch_axis):
    """The gradient of the recurrent kernel over all steps: `sum_t hp_t^T @ dmi_t`; `hp` and
    `dmi` are 3-D in the same layout, the batch on `batch_axis`."""
    u = hp.shape[2]
    flat_d = dmi.reshape(-1, dmi.shape[2])
    if rmask is None:
        return hp.reshape(-1, u).T @ flat_d
    masks = rmask if batch_axis == 1 else rmask[:, :, None, :]
    parts = [(hp * masks[g]).reshape(-1, u).T @ flat_d[:, g * u:(g + 1) * u]
             for g in range(rmask.shape[0])]
    return np.concatenate(parts, axis=1)


def _zeroed_outputs(off, zero_output):
    """Which steps output zeros, `(time, batch, 1)` bool in processing order, from the masked
    steps `off`: all of them with `zero_output`; else those before a row's first unmasked step
    (a masked step outputs the previous *output*, which starts at zeros, as Keras's `rnn`;
    every later masked step repeats the carried state, the last output)."""
    return off if zero_output else np.logical_and.accumulate(off, axis=0)


def _into(buffers, k, array, copy=False):
    """`array` copied into `buffers[k]` when there are buffers (a compiled step's reused ones);
    else `array` itself, or a copy of it when `copy` (a view of hs/cs must not escape)."""
    if array is None:
        return None
    if buffers is None:
        return array.copy() if copy else array
    np.copyto(buffers[k], array)
    return buffers[k]


def _buffer(buffers, k, shape, dtype):
    return np.empty(shape, dtype) if buffers is None else buffers[k]


def rnn_forward(kind, xw, h0, c0, rk, rb, mask, rmask, act, ract, go_backwards, zero_output,
                return_sequences, out=None):
    """Runs a whole sequence. Returns `(out, h_T, c_T, hs, cs, gates)`.

    `out` is `(batch, time, units)` (return_sequences) or `(batch, units)`; `c_T`/`cs` are None
    except for LSTM; `gates` is `(time, 4, batch, units)`, gate-major, for LSTM (i, f, c, o) and
    GRU (z, r, the candidate h and the recurrent part of its pre-activation), None for
    SimpleRNN. `hs`/`cs`: `(time + 1, batch, units)` carried states in processing order (index
    0 the initial state). With `out` (arrays in the order of the results, None for the absent
    ones), the results are written there: a compiled step reuses them, so that the large `hs`,
    `cs` and `gates` are not fresh memory every call.
    """
    f_act, f_ract = ACTIVATIONS[act][0], ACTIVATIONS[ract][0]
    b, t_len, _ = xw.shape
    u = rk.shape[0]
    dt = xw.dtype
    xs = _processing_order(xw, go_backwards)
    off = None if mask is None else _processing_order(~mask, go_backwards)[..., None]
    hs = _buffer(out, 3, (t_len + 1, b, u), dt)
    hs[0] = h0
    cs = gates = None
    if kind != "simple_rnn":  # gate-major: each gate's (batch, units) block contiguous
        gates = _buffer(out, 5, (t_len, 4, b, u), dt)
    if kind == "lstm":
        cs = _buffer(out, 4, (t_len + 1, b, u), dt)
        cs[0] = c0
        tmp = np.empty((b, u), dt)
    z = np.empty((b, GATES[kind] * u), dt)
    with np.errstate(over="ignore", under="ignore"):
        for t in range(t_len):
            hp, h = hs[t], hs[t + 1]
            _rec_matmul(hp, rk, rmask, z)
            if rb is not None:
                z += rb
            if kind == "lstm":
                z += xs[t]
                gt, c = gates[t], cs[t + 1]
                by_gate = z.reshape(b, 4, u).transpose(1, 0, 2)
                # one call over all four gates, then the cell candidate's own activation over
                # its quarter; every later op reads whole contiguous gates
                f_ract(by_gate, gt)
                f_act(by_gate[2], gt[2])
                np.multiply(gt[1], cs[t], out=c)
                np.multiply(gt[0], gt[2], out=tmp)
                c += tmp
                f_act(c, tmp)
                np.multiply(gt[3], tmp, out=h)
            elif kind == "gru":
                gt = gates[t]
                by_gate = z.reshape(b, 3, u).transpose(1, 0, 2)
                x_by_gate = xs[t].reshape(b, 3, u).transpose(1, 0, 2)
                np.copyto(gt[3], by_gate[2])
                np.add(x_by_gate[:2], by_gate[:2], out=gt[:2])
                f_ract(gt[:2], gt[:2])
                hh = gt[2]
                np.multiply(gt[1], gt[3], out=hh)
                hh += x_by_gate[2]
                f_act(hh, hh)
                np.subtract(hp, hh, out=h)   # h = z * hp + (1 - z) * hh
                h *= gt[0]
                h += hh
            else:
                z += xs[t]
                f_act(z, h)
            if off is not None:
                np.copyto(h, hp, where=off[t])
                if cs is not None:
                    np.copyto(cs[t + 1], cs[t], where=off[t])
    zeroed = None if off is None else _zeroed_outputs(off, zero_output)
    if return_sequences:
        seq = hs[1:]
        if zeroed is not None:
            seq = np.where(zeroed, 0, seq).astype(dt, copy=False)
        result = _buffer(out, 0, (b, t_len, u), dt)
        np.copyto(result, np.swapaxes(seq, 0, 1))
    else:
        result = _into(out, 0, hs[t_len] if t_len else np.zeros((b, u), dt), copy=True)
        if zeroed is not None and t_len:
            result[zeroed[t_len - 1][:, 0]] = 0
    h_last = _into(out, 1, hs[t_len], copy=True)
    c_last = None if cs is None else _into(out, 2, cs[t_len], copy=True)
    return result, h_last, c_last, hs, cs, gates


def rnn_backward(kind, g_out, g_h, g_c, hs, cs, gates, rk, mask, rmask, act, ract,
                 go_backwards, zero_output, return_sequences, has_rb, out=None):
    """BPTT for `rnn_forward`. Returns `(d_xw, d_h0, d_c0, d_rk, d_rb)` (None where absent),
    written into `out` when given (as `rnn_forward`'s)."""
    f_act, d_act = ACTIVATIONS[act]
    d_ract = ACTIVATIONS[ract][1]
    t_len, b, u = hs.shape[0] - 1, hs.shape[1], hs.shape[2]
    dt = hs.dtype
    n = GATES[kind]
    on = off = shown = None
    if mask is not None:
        keep = _processing_order(mask, go_backwards)[..., None]
        on = keep.astype(dt)
        off = 1 - on
        # the outputs that are the step's state (the others are zeros: no gradient)
        shown = (~_zeroed_outputs(~keep, zero_output)).astype(dt)
    dh = np.array(g_h, dtype=dt)
    dc = None if g_c is None else np.array(g_c, dtype=dt)
    gy = None
    if return_sequences:
        gy = np.swapaxes(g_out, 0, 1)
        if shown is not None:
            gy = gy * shown
    elif t_len:
        dh += g_out if shown is None else g_out * shown[t_len - 1]
    dxw_bm = _buffer(out, 0, (b, t_len, n * u), dt)  # batch-major, in input time order
    dmi = np.empty((t_len, b, n * u), dt) if kind == "gru" else None
    tc = np.empty((b, u), dt) if kind == "lstm" else None
    # A step's pre-activation gradients are made in a contiguous scratch row block and then
    # copied once into dxw_bm[:, t], whose rows lie a whole sequence apart (a page each).
    dx = np.empty((b, n * u), dt)
    scratch = np.empty((b, u), dt)
    if kind != "simple_rnn":  # gate-major, as the forward pass stores the gates
        factors, by_gate = np.empty((n, b, u), dt), np.empty((n, b, u), dt)
    with np.errstate(over="ignore", under="ignore"):  # see _sigmoid
        for t in range(t_len - 1, -1, -1):
            if gy is not None:
                dh += gy[t]
            hp = hs[t]
            if on is not None:
                dh_new, dh_carry = dh * on[t], dh * off[t]
            else:
                dh_new, dh_carry = dh, None
            if kind == "lstm":
                gt = gates[t]  # (4, batch, units)
                i, f, g, o = gt
                f_act(cs[t + 1], tc)
                dtc = dh_new * o
                _times_derivative(d_act, tc, dtc, scratch)
                if on is not None:
                    dcn, dc_carry = dc * on[t], dc * off[t]
                    dcn += dtc
                else:
                    dcn, dc_carry = dc + dtc, None
                # each gate's incoming gradient, then all four derivatives at once
                np.multiply(dcn, g, out=by_gate[0])
                np.multiply(dcn, cs[t], out=by_gate[1])
                np.multiply(dcn, i, out=by_gate[2])
                np.multiply(dh_new, tc, out=by_gate[3])
                d_ract(gt, factors)
                d_act(g, factors[2])
                by_gate *= factors
                np.copyto(dx.reshape(b, 4, u), by_gate.transpose(1, 0, 2))
                dc = dcn * f
                if dc_carry is not None:
                    dc += dc_carry
                dh_prev = _rec_matmul_t(dx, rk, rmask)
            elif kind == "gru":
                gt, dm = gates[t], dmi[t]
                zg, r, hh, mh = gt
                d_z, d_r, dah = by_gate
                np.subtract(1, zg, out=dah)
                dah *= dh_new
                _times_derivative(d_act, hh, dah, scratch)
                np.multiply(dah, mh, out=d_r)
                np.subtract(hp, hh, out=d_z)
                d_z *= dh_new
                d_ract(gt[:2], factors[:2])  # z's and r's derivatives at once
                by_gate[:2] *= factors[:2]
                np.copyto(dx.reshape(b, 3, u), by_gate.transpose(1, 0, 2))
                np.copyto(dm[:, :2 * u], dx[:, :2 * u])
                np.multiply(dah, r, out=dm[:, 2 * u:])
                dh_prev = _rec_matmul_t(dm, rk, rmask)
                dh_prev += dh_new * zg
            else:
                np.copyto(dx, dh_new)
                _times_derivative(d_act, hs[t + 1], dx, scratch)
                dh_prev = _rec_matmul_t(dx, rk, rmask)
            np.copyto(dxw_bm[:, t_len - 1 - t if go_backwards else t], dx)
            if dh_carry is not None:
                dh_prev += dh_carry
            dh = dh_prev
    if dmi is not None:
        d_rk = _rec_kernel_grad(hs[:-1], dmi, rmask, 1)
    else:
        hp = np.ascontiguousarray(np.swapaxes(hs[:-1][::-1] if go_backwards else hs[:-1], 0, 1))
        d_rk = _rec_kernel_grad(hp, dxw_bm, rmask, 0)
    d_rb = (dxw_bm if dmi is None else dmi).sum(axis=(0, 1)) if has_rb else None
    return (dxw_bm, _into(out, 1, dh), _into(out, 2, dc),
            _into(out, 3, d_rk.astype(dt, copy=False)), _into(out, 4, d_rb))
