"""Step-by-step NumPy references of Keras's recurrent equations (gate orders i, f, c, o and
z, r, h), with Keras's masking: a masked step carries the previous states and outputs the
previous *output* (zeros before the first unmasked step), or zeros with
`zero_output_for_mask`."""
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def lstm_step(x, states, w):
    kernel, rec, bias = w
    h, c = states
    z = x @ kernel + h @ rec + bias
    i, f, g, o = np.split(z, 4, axis=-1)
    c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    h = sigmoid(o) * np.tanh(c)
    return h, [h, c]


def gru_step(x, states, w, reset_after=True):
    kernel, rec, bias = w
    h = states[0]
    u = h.shape[-1]
    b_in, b_rec = (bias[0], bias[1]) if reset_after else (bias, np.zeros(3 * u))
    xz, xr, xh = np.split(x @ kernel + b_in, 3, axis=-1)
    if reset_after:
        rz, rr, rh = np.split(h @ rec + b_rec, 3, axis=-1)
        z, r = sigmoid(xz + rz), sigmoid(xr + rr)
        hh = np.tanh(xh + r * rh)
    else:
        rz, rr = np.split(h @ rec[:, :2 * u], 2, axis=-1)
        z, r = sigmoid(xz + rz), sigmoid(xr + rr)
        hh = np.tanh(xh + (r * h) @ rec[:, 2 * u:])
    h = z * h + (1 - z) * hh
    return h, [h]


def simple_step(x, states, w):
    kernel, rec, bias = w
    h = np.tanh(x @ kernel + states[0] @ rec + bias)
    return h, [h]


def run(step, x, states, mask=None, go_backwards=False, return_sequences=False,
        zero_output_for_mask=False):
    """Keras's backend `rnn` loop; returns (output, final states)."""
    order = range(x.shape[1] - 1, -1, -1) if go_backwards else range(x.shape[1])
    outputs = []
    for t in order:
        out, new = step(x[:, t], states)
        if mask is not None:
            keep = mask[:, t][:, None]
            previous = outputs[-1] if outputs and not zero_output_for_mask else 0
            out = np.where(keep, out, previous)
            new = [np.where(keep, n, s) for n, s in zip(new, states)]
        states = new
        outputs.append(out)
    return (np.stack(outputs, 1) if return_sequences else outputs[-1]), states
