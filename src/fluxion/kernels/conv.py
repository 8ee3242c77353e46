"""Convolution and pooling kernels over NHWC arrays (NumPy only).

Shapes: `x` is (batch, height, width, channels), `w` is (kh, kw, in_channels, out_channels),
`pads` is ((top, bottom), (left, right)), `strides` and `dilations` are (row, column) pairs.
A 1-D op is the 2-D op with a height of 1.

The convolution is im2col + one GEMM: a strided view of the padded input with one row per output
position and one column per (tap, channel), copied once into a contiguous array and multiplied
by the filter matrix. Its adjoints (the gradients with respect to the input and to the filters)
reuse the same layout: `conv2d_backprop_filter` is cols^T @ dy and `conv2d_backprop_input` is
(dy @ w^T) scattered back tap by tap (col2im).

When a layer has fewer output than input channels per pixel (an autoencoder's last Conv2D(1)),
the patch matrix is the large side. The three ops then expand the output side instead: one GEMM
of the padded input with all taps' filters at once (`(pixels, C) @ (C, taps * O)`), and shifted
adds or writes of (pixels, O) slices, whose size is `O * padded pixels * taps` rather than
`C * output pixels * taps` (`_output_side`).
"""
import numpy as np

# Up to this many channels, patches are laid out tap-major (see _im2col).
_FEW_CHANNELS = 4


# --- geometry ------------------------------------------------------------------------------------
def same_pads(size, k, stride, dilation):
    """TensorFlow's SAME padding along one axis: (before, after)."""
    span = (k - 1) * dilation + 1
    out = -(-size // stride)
    total = max((out - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


def resolve_pads(padding, sizes, ksizes, strides, dilations):
    """Turns 'SAME' | 'VALID' | explicit pairs into one (before, after) pair per spatial axis."""
    if padding == "VALID":
        return tuple((0, 0) for _ in sizes)
    if padding == "SAME":
        return tuple(same_pads(n, k, s, d) for n, k, s, d in zip(sizes, ksizes, strides,
                                                                   dilations))
    return tuple(tuple(p) for p in padding)


def out_size(size, k, stride, dilation, pad):
    """The number of window positions along one axis (may be <= 0 when the window does not fit)."""
    return (size + pad[0] + pad[1] - (k - 1) * dilation - 1) // stride + 1


def _pad(x, pads, value=0):
    if not any(pads[0]) and not any(pads[1]):
        return x
    return np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)), constant_values=value)


def _tap(xp, i, j, out_hw, strides, dilations):
    """The (batch, out_h, out_w, channels) view of `xp` that window tap (i, j) reads."""
    (oh, ow), (sh, sw), (dh, dw) = out_hw, strides, dilations
    return xp[:, i * dh: i * dh + (oh - 1) * sh + 1: sh, j * dw: j * dw + (ow - 1) * sw + 1: sw]


def _geometry(x_shape, ksize, strides, dilations, padding):
    pads = resolve_pads(padding, x_shape[1:3], ksize, strides, dilations)
    out_hw = tuple(out_size(n, k, s, d, p) for n, k, s, d, p in
                   zip(x_shape[1:3], ksize, strides, dilations, pads))
    return pads, out_hw


def _im2col(x, ksize, strides, dilations, pads, out_hw):
    """The (batch * out_h * out_w, kh * kw * channels) patch matrix, in a BLAS-ready layout.

    Few channels: built tap by tap as its contiguous transpose (long rows to copy), and returned
    as a transposed view; BLAS reads either layout without another copy.
    """
    xp = _pad(x, pads)
    n, _, _, c = xp.shape
    (kh, kw), (oh, ow) = ksize, out_hw
    if c <= _FEW_CHANNELS:
        cols = np.empty((kh, kw, c, n, oh, ow), x.dtype)
        for i in range(kh):
            for j in range(kw):
                cols[i, j] = _tap(xp, i, j, out_hw, strides, dilations).transpose(3, 0, 1, 2)
        return cols.reshape(kh * kw * c, n * oh * ow).T
    sn, sh, sw, sc = xp.strides
    view = np.lib.stride_tricks.as_strided(
        xp, (n, oh, ow, kh, kw, c),
        (sn, sh * strides[0], sw * strides[1], sh * dilations[0], sw * dilations[1], sc),
        writeable=False)
    return view.reshape(n * oh * ow, kh * kw * c)


# --- convolution ---------------------------------------------------------------------------------
def _output_side(c, o, padded_hw, out_hw):
    """Whether the output-side layout moves less data than the patch matrix (im2col)."""
    return o * padded_hw[0] * padded_hw[1] < c * out_hw[0] * out_hw[1]


def _spread(dy, padded_shape, ksize, strides, dilations):
    """(N, HP, WP, KH, KW, O): dy written at each tap's window positions (zeros elsewhere).

    Row (n, r, s) holds, for tap (i, j), the output cotangent of the window that reads padded
    pixel (r, s) through that tap.
    """
    n, oh, ow, o = dy.shape
    (kh, kw), (hp, wp) = ksize, padded_shape
    spread = np.zeros((n, hp, wp, kh, kw, o), dy.dtype)
    for i in range(kh):
        for j in range(kw):
            _tap(spread, i, j, (oh, ow), strides, dilations)[:, :, :, i, j] = dy
    return spread


def conv2d(x, w, strides, dilations, padding):
    """Cross-correlation of x (N, H, W, C) with w (KH, KW, C, O) -> (N, OH, OW, O)."""
    kh, kw, c, o = w.shape
    pads, (oh, ow) = _geometry(x.shape, (kh, kw), strides, dilations, padding)
    n = x.shape[0]
    xp = _pad(x, pads)
    if _output_side(c, o, xp.shape[1:3], (oh, ow)):
        # Every padded pixel times every tap's filter, then the taps' windows summed.
        per_pixel = xp.reshape(-1, c) @ w.transpose(2, 0, 1, 3).reshape(c, kh * kw * o)
        per_pixel = per_pixel.reshape(xp.shape[:3] + (kh, kw, o))
        out = None
        for i in range(kh):
            for j in range(kw):
                tap = _tap(per_pixel, i, j, (oh, ow), strides, dilations)[:, :, :, i, j]
                out = tap.copy() if out is None else np.add(out, tap, out=out)
        return out
    cols = _im2col(xp, (kh, kw), strides, dilations, ((0, 0), (0, 0)), (oh, ow))
    out = cols @ w.reshape(kh * kw * c, o)
    return out.reshape(n, oh, ow, o)


def conv2d_backprop_filter(x, dy, filter_hw, strides, dilations, padding):
    """The gradient of conv2d with respect to its filters: (KH, KW, C, O)."""
    kh, kw = filter_hw
    pads, (oh, ow) = _geometry(x.shape, (kh, kw), strides, dilations, padding)
    c, o = x.shape[-1], dy.shape[-1]
    xp = _pad(x, pads)
    if _output_side(c, o, xp.shape[1:3], (oh, ow)):
        spread = _spread(dy, xp.shape[1:3], (kh, kw), strides, dilations)
        dw = xp.reshape(-1, c).T @ spread.reshape(-1, kh * kw * o)
        return dw.reshape(c, kh, kw, o).transpose(1, 2, 0, 3).copy()
    cols = _im2col(xp, (kh, kw), strides, dilations, ((0, 0), (0, 0)), (oh, ow))
    dw = cols.T @ dy.reshape(-1, o)
    return dw.reshape(kh, kw, c, o)


def conv2d_backprop_input(dy, w, input_hw, strides, dilations, padding):
    """The gradient of conv2d with respect to its input: (N, H, W, C), H, W = `input_hw`."""
    kh, kw, c, o = w.shape
    n = dy.shape[0]
    pads, (oh, ow) = _geometry((n,) + tuple(input_hw) + (c,), (kh, kw), strides, dilations,
                               padding)
    (h, wd), ((pt, pb), (pl, pr)) = input_hw, pads
    padded_hw = (h + pt + pb, wd + pl + pr)
    if _output_side(c, o, padded_hw, (oh, ow)):
        spread = _spread(dy, padded_hw, (kh, kw), strides, dilations)
        dxp = spread.reshape(-1, kh * kw * o) @ w.transpose(0, 1, 3, 2).reshape(kh * kw * o, c)
        return dxp.reshape((n,) + padded_hw + (c,))[:, pt: pt + h, pl: pl + wd]
    dy2 = dy.reshape(-1, o)
    if c <= _FEW_CHANNELS:
        # One GEMM gives a (C, N, OH, OW) block per tap; scatter into a (C, N, H, W) buffer.
        per_tap = (w.reshape(kh * kw * c, o) @ dy2.T).reshape(kh, kw, c, n, oh, ow)
        dxp = np.zeros((c, n) + padded_hw, dy.dtype)
        out = dxp.transpose(1, 2, 3, 0)  # the same buffer seen as NHWC
    else:
        # One contiguous (N, OH, OW, C) block per tap, so that the scatter adds long rows.
        per_tap = np.matmul(dy2, w.reshape(kh * kw, c, o).transpose(0, 2, 1))
        per_tap = per_tap.reshape(kh, kw, n, oh, ow, c)
        dxp = out = np.zeros((n,) + padded_hw + (c,), dy.dtype)
    for i in range(kh):
        for j in range(kw):
            tap = _tap(out, i, j, (oh, ow), strides, dilations)
            if c <= _FEW_CHANNELS:
                tap = tap.transpose(3, 0, 1, 2)
            tap += per_tap[i, j]
    return out[:, pt: pt + h, pl: pl + wd]


# --- pooling -------------------------------------------------------------------------------------
_UNIT = (1, 1)


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def max_pool2d(x, ksize, strides, padding):
    """Max over windows of `ksize`; padded positions never win. -> (N, OH, OW, C)."""
    pads, out_hw = _geometry(x.shape, ksize, strides, _UNIT, padding)
    xp = _pad(x, pads, _lowest(x.dtype))
    out = None
    for i in range(ksize[0]):
        for j in range(ksize[1]):
            tap = _tap(xp, i, j, out_hw, strides, _UNIT)
            out = tap.copy() if out is None else np.maximum(out, tap, out=out)
    return out


def _argmax_taps(x, y, ksize, strides, padding):
    """Yields (i, j, hit) per window tap: `hit` marks the windows whose first maximum is there."""
    pads, out_hw = _geometry(x.shape, ksize, strides, _UNIT, padding)
    xp = _pad(x, pads, _lowest(x.dtype))
    taken = None
    last = (ksize[0] - 1, ksize[1] - 1)
    for i in range(ksize[0]):
        for j in range(ksize[1]):
            hit = np.equal(_tap(xp, i, j, out_hw, strides, _UNIT), y)
            if taken is None:
                taken = hit.copy()
            else:
                np.greater(hit, taken, out=hit)  # hit and not taken
                if (i, j) != last:
                    taken |= hit
            yield i, j, hit


def max_pool2d_grad(x, y, g, ksize, strides, padding):
    """Routes each window's cotangent `g` to its first maximum in `x`. -> x.shape."""
    pads, out_hw = _geometry(x.shape, ksize, strides, _UNIT, padding)
    (pt, pb), (pl, pr) = pads
    n, h, w, c = x.shape
    dxp = np.zeros((n, h + pt + pb, w + pl + pr, c), g.dtype)
    disjoint = strides[0] >= ksize[0] and strides[1] >= ksize[1]  # windows do not overlap
    for i, j, hit in _argmax_taps(x, y, ksize, strides, padding):
        tap = _tap(dxp, i, j, out_hw, strides, _UNIT)
        if disjoint:
            np.multiply(hit, g, out=tap)
        else:
            tap += hit * g
    return dxp[:, pt: pt + h, pl: pl + w]


def max_pool2d_grad_grad(x, y, gg, ksize, strides, padding):
    """Reads `gg` (shaped like x) at each window's first maximum. -> y.shape."""
    pads, out_hw = _geometry(x.shape, ksize, strides, _UNIT, padding)
    ggp = _pad(gg, pads)
    out = np.zeros(y.shape, gg.dtype)
    for i, j, hit in _argmax_taps(x, y, ksize, strides, padding):
        out += hit * _tap(ggp, i, j, out_hw, strides, _UNIT)
    return out


def _window_counts(sizes, ksize, strides, pads, out_hw, dtype):
    """How many real (unpadded) elements each window covers: (1, OH, OW, 1)."""
    counts = []
    for n, k, s, (before, _), o in zip(sizes, ksize, strides, pads, out_hw):
        start = np.arange(o) * s - before
        counts.append(np.minimum(start + k, n) - np.maximum(start, 0))
    return np.multiply.outer(*counts).astype(dtype)[None, :, :, None]


def avg_pool2d(x, ksize, strides, padding):
    """Mean over windows, counting only real elements (TensorFlow's SAME rule)."""
    pads, out_hw = _geometry(x.shape, ksize, strides, _UNIT, padding)
    xp = _pad(x, pads)
    total = None
    for i in range(ksize[0]):
        for j in range(ksize[1]):
            tap = _tap(xp, i, j, out_hw, strides, _UNIT)
            total = tap.copy() if total is None else np.add(total, tap, out=total)
    total /= _window_counts(x.shape[1:3], ksize, strides, pads, out_hw, x.dtype)
    return total


def avg_pool2d_grad(g, input_hw, ksize, strides, padding):
    """The gradient of avg_pool2d with respect to its input. -> (N, H, W, C)."""
    n, _, _, c = g.shape
    pads, out_hw = _geometry((n,) + tuple(input_hw) + (c,), ksize, strides, _UNIT, padding)
    share = g / _window_counts(input_hw, ksize, strides, pads, out_hw, g.dtype)
    (h, w), ((pt, pb), (pl, pr)) = input_hw, pads
    dxp = np.zeros((n, h + pt + pb, w + pl + pr, c), g.dtype)
    for i in range(ksize[0]):
        for j in range(ksize[1]):
            _tap(dxp, i, j, out_hw, strides, _UNIT)[...] += share
    return dxp[:, pt: pt + h, pl: pl + w]
