"""Convolution and pooling kernels over NHWC arrays (NumPy only).

Shapes: `x` is (batch, height, width, channels), `w` is (kh, kw, in_channels, out_channels),
`pads` is ((top, bottom), (left, right)), `strides` and `dilations` are (row, column) pairs.
A 1-D op is the 2-D op with a height of 1.

The convolution is im2col + one GEMM: a strided view of the padded input with one row per output
position and one column per (tap, channel), copied once into a contiguous array and multiplied
by the filter matrix. Its adjoints (the gradients with respect to the input and to the filters)
reuse the same layout: `conv2d_backprop_filter` is cols^T @ dy and `conv2d_backprop_input` is
(dy @ w^T) scattered back tap by tap (col2im).

With stride 1 down the rows and enough channels (`_row_patches`: kw * C >= 64, e.g. LeNet's
second layer), the forward pass and the filter gradient use row patches instead: each padded
input row is expanded once into its kw taps per output column, (HP, N * OW, KW * C), and kernel
row i multiplies the block of rows i .. i + OH - 1 (contiguous): KH GEMMs with K = KW * C over
a patch array about KH times smaller than im2col's (LeNet: 4.9 MB instead of 16 MB; the two
ops 10-15% faster on their own, the training step about 4%).

The patches are an op of their own (`conv2d_patches`, layouts in `_patch_layout`), read by
`conv2d_on_patches` and `conv2d_backprop_filter_on_patches`: `conv2d` and
`conv2d_backprop_filter` are the two compositions, and a compiled training step makes the
patches once for both (graph pass `share_conv_patches`).

When a layer has fewer output than input channels per pixel (an autoencoder's last Conv2D(1)),
the patch matrix is the large side. The three ops then expand the output side instead: one GEMM
of the padded input with all taps' filters at once (`(pixels, C) @ (C, taps * O)`), and shifted
adds or writes of (pixels, O) slices, whose size is `O * padded pixels * taps` rather than
`C * output pixels * taps` (`_output_side`).

Memory-bound steps (patch copies, the col2im scatter, pooling) run in batch pieces on every core
(`_by_batch`); GEMMs use BLAS's own threads. Max pooling over windows that tile the input (2x2,
stride 2) works on whole image rows. Global max pooling's gradient is one kernel
(`global_max_grad`) rather than a chain of elementwise ops over the input's shape.
"""
import numpy as np

from . import parallel

# Up to this many channels, patches are laid out tap-major (see _im2col).
_FEW_CHANNELS = 4
# From this many (width tap, channel) pairs, row patches' GEMMs (K = KW * C) run at im2col's rate.
_ROW_PATCH_MIN_K = 64


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


def _by_batch(fn, n, per_item):
    """Calls `fn(start, stop)` over batch ranges, one per thread (NumPy releases the GIL).

    Memory-bound steps (patch copies, scatters, pooling) run on every core this way; each
    batch element is computed exactly as on one thread.
    """
    parallel.for_pieces(fn, n, min_piece=max(1, parallel.MIN_PIECE // max(per_item, 1)))


def _geometry(x_shape, ksize, strides, dilations, padding):
    pads = resolve_pads(padding, x_shape[1:3], ksize, strides, dilations)
    out_hw = tuple(out_size(n, k, s, d, p) for n, k, s, d, p in
                   zip(x_shape[1:3], ksize, strides, dilations, pads))
    return pads, out_hw


def _patch_layout(c, ksize, strides, out_hw):
    """How `conv2d_patches` lays out the patches of an input with `c` channels:

    - "rows" (stride 1 down the rows, KW * C >= `_ROW_PATCH_MIN_K`): (HP, N * OW, KW * C),
      padded row r's KW taps of each output column; kernel row i reads rows i .. i + OH - 1;
    - "taps" (few channels): (KH * KW * C, N * OH * OW), the im2col matrix transposed: built tap
      by tap, long rows to copy; BLAS reads it transposed without another copy;
    - "im2col": (N * OH * OW, KH * KW * C), one row per output position.
    """
    if strides[0] == 1 and ksize[0] > 1 and ksize[1] * c >= _ROW_PATCH_MIN_K and min(out_hw) > 0:
        return "rows"
    return "taps" if c <= _FEW_CHANNELS else "im2col"


def _im2col(xp, ksize, strides, dilations, out_hw, cols):
    """Fills `cols`, the "taps" or "im2col" patches of the padded input `xp`."""
    n, _, _, c = xp.shape
    (kh, kw), (oh, ow) = ksize, out_hw
    if c <= _FEW_CHANNELS:
        by_tap = cols.reshape(kh, kw, c, n, oh, ow)

        def copy(start, stop):
            for i in range(kh):
                for j in range(kw):
                    tap = _tap(xp[start:stop], i, j, out_hw, strides, dilations)
                    by_tap[i, j, :, start:stop] = tap.transpose(3, 0, 1, 2)
        _by_batch(copy, n, kh * kw * c * oh * ow)
        return
    sn, sh, sw, sc = xp.strides
    view = np.lib.stride_tricks.as_strided(
        xp, (n, oh, ow, kh, kw, c),
        (sn, sh * strides[0], sw * strides[1], sh * dilations[0], sw * dilations[1], sc),
        writeable=False)
    by_position = cols.reshape(view.shape)
    _by_batch(lambda start, stop: np.copyto(by_position[start:stop], view[start:stop]), n,
              by_position[0].size if n else 0)


def _row_patches(xp, kw, sw, dw, ow, rows):
    """Fills `rows`, the "rows" patches (HP, N * OW, KW * C) of the padded input `xp`."""
    n, hp, _, c = xp.shape
    by_tap = rows.reshape(hp, n, ow, kw, c)

    def copy(start, stop):
        image_rows = xp[start:stop].transpose(1, 0, 2, 3)  # (HP, batch piece, WP, C)
        for j in range(kw):
            by_tap[:, start:stop, :, j] = image_rows[:, :, j * dw: j * dw + (ow - 1) * sw + 1: sw]
    _by_batch(copy, n, hp * ow * kw * c)


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
    if uses_patches(x.shape, w.shape, strides, dilations, padding):
        patches = conv2d_patches(x, w.shape[:2], strides, dilations, padding)
        return conv2d_on_patches(patches, w, x.shape, strides, dilations, padding)
    kh, kw, c, o = w.shape
    pads, (oh, ow) = _geometry(x.shape, (kh, kw), strides, dilations, padding)
    xp = _pad(x, pads)
    # Every padded pixel times every tap's filter, then the taps' windows summed.
    per_pixel = xp.reshape(-1, c) @ w.transpose(2, 0, 1, 3).reshape(c, kh * kw * o)
    per_pixel = per_pixel.reshape(xp.shape[:3] + (kh, kw, o))
    out = None
    for i in range(kh):
        for j in range(kw):
            tap = _tap(per_pixel, i, j, (oh, ow), strides, dilations)[:, :, :, i, j]
            out = tap.copy() if out is None else np.add(out, tap, out=out)
    return out


def conv2d_backprop_filter(x, dy, filter_hw, strides, dilations, padding):
    """The gradient of conv2d with respect to its filters: (KH, KW, C, O)."""
    kh, kw = filter_hw
    c, o = x.shape[-1], dy.shape[-1]
    if uses_patches(x.shape, (kh, kw, c, o), strides, dilations, padding):
        patches = conv2d_patches(x, filter_hw, strides, dilations, padding)
        return conv2d_backprop_filter_on_patches(patches, dy, x.shape, filter_hw, strides,
                                                 dilations, padding)
    pads, (oh, ow) = _geometry(x.shape, (kh, kw), strides, dilations, padding)
    xp = _pad(x, pads)
    spread = _spread(dy, xp.shape[1:3], (kh, kw), strides, dilations)
    dw = xp.reshape(-1, c).T @ spread.reshape(-1, kh * kw * o)
    return dw.reshape(c, kh, kw, o).transpose(1, 2, 0, 3).copy()


def uses_patches(x_shape, w_shape, strides, dilations, padding):
    """Whether conv2d and its filter gradient of these shapes read `conv2d_patches` of the input
    (rather than the output-side layout): a compiled step can then make the patches once."""
    pads, out_hw = _geometry(x_shape, w_shape[:2], strides, dilations, padding)
    padded_hw = tuple(n + sum(p) for n, p in zip(x_shape[1:3], pads))
    return not _output_side(w_shape[2], w_shape[3], padded_hw, out_hw)


def patches_shape(x_shape, ksize, strides, dilations, padding):
    """The shape of `conv2d_patches(x, ksize, ...)` for an input of shape `x_shape`."""
    n, _, _, c = x_shape
    pads, (oh, ow) = _geometry(x_shape, ksize, strides, dilations, padding)
    (kh, kw) = ksize
    layout = _patch_layout(c, ksize, strides, (oh, ow))
    if layout == "rows":
        return (x_shape[1] + sum(pads[0]), n * ow, kw * c)
    return (kh * kw * c, n * oh * ow) if layout == "taps" else (n * oh * ow, kh * kw * c)


def conv2d_patches(x, ksize, strides, dilations, padding, out=None):
    """The patches of `x` that conv2d's GEMMs read, in the layout `_patch_layout` names (written
    into `out` when given).

    Example:
    >>> conv2d_patches(np.ones((1, 3, 3, 1), np.float32), (2, 2), (1, 1), (1, 1), "VALID").shape
    (4, 4)
    """
    pads, out_hw = _geometry(x.shape, ksize, strides, dilations, padding)
    if out is None:
        out = np.empty(patches_shape(x.shape, ksize, strides, dilations, padding), x.dtype)
    xp = _pad(x, pads)
    if _patch_layout(x.shape[-1], ksize, strides, out_hw) == "rows":
        _row_patches(xp, ksize[1], strides[1], dilations[1], out_hw[1], out)
    else:
        _im2col(xp, ksize, strides, dilations, out_hw, out)
    return out


def conv2d_on_patches(patches, w, input_shape, strides, dilations, padding):
    """conv2d of an input of shape `input_shape` from its `conv2d_patches`.

    Example:
    >>> x, w = np.ones((1, 3, 3, 1), np.float32), np.ones((2, 2, 1, 1), np.float32)
    >>> p = conv2d_patches(x, (2, 2), (1, 1), (1, 1), "VALID")
    >>> conv2d_on_patches(p, w, x.shape, (1, 1), (1, 1), "VALID")[0, :, :, 0]
    array([[4., 4.],
           [4., 4.]], dtype=float32)
    """
    kh, kw, c, o = w.shape
    n = input_shape[0]
    _, (oh, ow) = _geometry(input_shape, (kh, kw), strides, dilations, padding)
    layout = _patch_layout(c, (kh, kw), strides, (oh, ow))
    if layout != "rows":
        matrix = patches.T if layout == "taps" else patches
        return (matrix @ w.reshape(kh * kw * c, o)).reshape(n, oh, ow, o)
    per_row = w.reshape(kh, kw * c, o)
    out = np.empty((n, oh, ow, o), w.dtype)
    by_row = out.transpose(1, 0, 2, 3)  # (OH, N, OW, O): the GEMMs' row order
    term = np.empty((oh * n * ow, o), w.dtype)
    for i in range(kh):
        first = i * dilations[0]
        np.matmul(patches[first: first + oh].reshape(-1, kw * c), per_row[i], out=term)
        if i == 0:
            np.copyto(by_row, term.reshape(by_row.shape))
        else:
            np.add(by_row, term.reshape(by_row.shape), out=by_row)
    return out


def conv2d_backprop_filter_on_patches(patches, dy, input_shape, filter_hw, strides, dilations,
                                      padding):
    """conv2d_backprop_filter of an input of shape `input_shape` from its `conv2d_patches`.

    Example:
    >>> x, dy = np.ones((1, 3, 3, 1), np.float32), np.ones((1, 2, 2, 1), np.float32)
    >>> p = conv2d_patches(x, (2, 2), (1, 1), (1, 1), "VALID")
    >>> conv2d_backprop_filter_on_patches(p, dy, x.shape, (2, 2), (1, 1), (1, 1), "VALID").ravel()
    array([4., 4., 4., 4.], dtype=float32)
    """
    (kh, kw), c, o = filter_hw, input_shape[-1], dy.shape[-1]
    _, (oh, ow) = _geometry(input_shape, (kh, kw), strides, dilations, padding)
    layout = _patch_layout(c, (kh, kw), strides, (oh, ow))
    if layout != "rows":
        matrix = patches if layout == "taps" else patches.T
        return (matrix @ dy.reshape(-1, o)).reshape(kh, kw, c, o)
    dy_by_row = np.ascontiguousarray(dy.transpose(1, 0, 2, 3)).reshape(-1, o)
    dw = np.empty((kh, kw * c, o), dy.dtype)
    for i in range(kh):
        first = i * dilations[0]
        np.matmul(patches[first: first + oh].reshape(-1, kw * c).T, dy_by_row, out=dw[i])
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
    def scatter(start, stop):
        for i in range(kh):
            for j in range(kw):
                if c <= _FEW_CHANNELS:
                    tap = _tap(out[start:stop], i, j, (oh, ow), strides, dilations)
                    tap.transpose(3, 0, 1, 2)[...] += per_tap[i, j, :, start:stop]
                else:
                    _tap(out[start:stop], i, j, (oh, ow), strides, dilations)[...] += \
                        per_tap[i, j, start:stop]
    _by_batch(scatter, n, kh * kw * c * oh * ow)
    return out[:, pt: pt + h, pl: pl + wd]


# --- pooling -------------------------------------------------------------------------------------
_UNIT = (1, 1)
# From this many channels, the tap-by-tap max pooling gradient (C-long pieces) is as fast as the
# row-wise one.
_WIDE_CHANNELS = 32


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _tiles(x_shape, ksize, strides, pads, out_hw):
    """Whether the windows tile the input exactly (stride = window, no padding, no remainder).

    Then the input reshapes to (N, OH, KH, W * C) with long contiguous rows, and pooling runs
    over whole rows instead of many (C,)-long pieces.
    """
    return tuple(strides) == tuple(ksize) and not any(pads[0] + pads[1]) and \
        out_hw[0] * ksize[0] == x_shape[1] and out_hw[1] * ksize[1] == x_shape[2]


def _max_over(a, axis, out=None):
    """The maximum of `a` over `axis` by pairwise np.maximum passes, into `out` when given.

    With one element along `axis` and no `out`, returns a view of `a`.
    """
    taps = [a[(slice(None),) * axis + (k,)] for k in range(a.shape[axis])]
    if len(taps) == 1:
        if out is None:
            return taps[0]
        np.copyto(out, taps[0])
        return out
    out = np.maximum(taps[0], taps[1], out=out)
    for tap in taps[2:]:
        np.maximum(out, tap, out=out)
    return out


def max_pool2d(x, ksize, strides, padding):
    """Max over windows of `ksize`; padded positions never win. -> (N, OH, OW, C)."""
    pads, out_hw = _geometry(x.shape, ksize, strides, _UNIT, padding)
    if _tiles(x.shape, ksize, strides, pads, out_hw) and x.size:
        n, _, w, c = x.shape
        (oh, ow), (kh, kw) = out_hw, ksize
        out = np.empty((n, oh, ow, c), x.dtype)

        def pool(start, stop):
            # Window rows first (whole image rows), then window columns (C-long pieces);
            # pairwise np.maximum passes beat np.max over a short axis.
            xr = x[start:stop].reshape(-1, oh, kh, w * c)
            rows = _max_over(xr, 2)
            _max_over(rows.reshape(-1, oh, ow, kw, c), 3, out[start:stop])
        _by_batch(pool, n, x[0].size)
        return out
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


def _keep_first(hit, kw, c):
    """Keeps, in place, only the first True of each tiling window (row-major order).

    `hit` is (N, OH, KH, W * C): window row i of output row r is `hit[:, r, i]`, whose
    position p belongs to window column p // (KW * C) and tap column j = (p // C) % KW. A tap is
    first when no earlier tap column of its row and no earlier row of its window is set. Taps
    of a window column are C apart, so each step is a shifted operation over whole rows (long
    loops) instead of many C-long pieces.
    """
    width, kh = hit.shape[-1], hit.shape[2]
    col = (np.arange(width) // c) % kw  # the tap column of each position
    earlier = np.zeros_like(hit)  # an earlier tap of the same window row is set
    # A later tap of the same window row is set (only rows before the last are needed).
    later = np.zeros_like(hit[:, :, :kh - 1])
    for d in range(1, kw):
        np.logical_or(earlier[..., d * c:], hit[..., :-d * c] & (col[d * c:] >= d),
                      out=earlier[..., d * c:])
        np.logical_or(later[..., :-d * c], hit[:, :, :kh - 1, d * c:] & (col[:-d * c] < kw - d),
                      out=later[..., :-d * c])
    row_any = hit[:, :, :kh - 1] | earlier[:, :, :kh - 1]  # broadcast over the row's taps
    row_any |= later
    np.greater(hit, earlier, out=hit)  # first in its window row
    if kh > 1:
        taken = row_any[:, :, 0]
        for i in range(1, kh):
            np.greater(hit[:, :, i], taken, out=hit[:, :, i])
            if i + 1 < kh:
                taken |= row_any[:, :, i]


def max_pool2d_grad(x, y, g, ksize, strides, padding):
    """Routes each window's cotangent `g` to its first maximum in `x`. -> x.shape."""
    pads, out_hw = _geometry(x.shape, ksize, strides, _UNIT, padding)
    if _tiles(x.shape, ksize, strides, pads, out_hw) and x.shape[-1] < _WIDE_CHANNELS:
        n, _, w, c = x.shape
        (oh, _), (kh, kw) = out_hw, ksize
        out = np.empty(x.shape, g.dtype)

        def route(start, stop):
            rows = (-1, oh, 1, w * c)
            hit = np.equal(x[start:stop].reshape(-1, oh, kh, w * c),
                           np.repeat(y[start:stop], kw, axis=2).reshape(rows))
            # A window without a NaN has at least one maximum, so this count means exactly one
            # maximum per window; otherwise keep the first of each window's maxima.
            ys = y[start:stop]
            if np.count_nonzero(hit) != ys.size or (ys.dtype.kind == "f" and np.isnan(ys).any()):
                _keep_first(hit, kw, c)
            np.multiply(hit, np.repeat(g[start:stop], kw, axis=2).reshape(rows),
                        out=out[start:stop].reshape(hit.shape))
        _by_batch(route, n, x[0].size if n else 0)
        return out
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


# --- global max pooling --------------------------------------------------------------------------
def global_max(x, axis, keepdims, out=None):
    """The maximum over `axis` (a tuple of axes); batch pieces in parallel when axis 0 stays."""
    if 0 in axis or not x.ndim or not len(x):
        return np.max(x, axis=axis, keepdims=keepdims, out=out)
    if out is None:
        out = np.empty(tuple(1 if a in axis else d for a, d in enumerate(x.shape)) if keepdims
                       else tuple(d for a, d in enumerate(x.shape) if a not in axis), x.dtype)
    _by_batch(lambda start, stop: np.max(x[start:stop], axis=axis, keepdims=keepdims,
                                         out=out[start:stop]), len(x), x[0].size)
    return out


def _maxima(x, y, axis, keepdims):
    """Where `x` equals its maximum over `axis`, and how many maxima each reduction has."""
    hit = np.equal(x, y if keepdims else np.expand_dims(y, axis))
    size = int(np.prod([x.shape[a] for a in axis], dtype=np.int64))
    count = np.add.reduce(hit.view(np.uint8), axis=axis, keepdims=True,
                          dtype=np.uint8 if size < 256 else np.int64)
    return hit, count


def global_max_grad(x, y, g, axis, keepdims, out=None):
    """The gradient of global_max: `g` shared equally among the maxima (TensorFlow's rule).

    Written into `out` when given. A reduction with no maximum (NaNs) gets NaN.
    """
    if out is None:
        out = np.empty(x.shape, g.dtype)
    if 0 in axis or not x.ndim:
        _global_max_route(x, y, g, axis, keepdims, out)
    else:  # batch pieces in parallel
        _by_batch(lambda start, stop: _global_max_route(
            x[start:stop], y[start:stop], g[start:stop], axis, keepdims, out[start:stop]),
            x.shape[0], x[0].size if len(x) else 0)
    return out


def _global_max_route(x, y, g, axis, keepdims, out):
    hit, count = _maxima(x, y, axis, keepdims)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = (g if keepdims else np.expand_dims(g, axis)) / count.astype(g.dtype)
        if not count.all():  # 0 / 0 spreads NaN, as g * indicators / count does
            np.multiply(hit, share, out=out)
            return
    out.fill(0)
    np.copyto(out, share, where=hit)


def global_max_grad_grad(x, y, gg, axis, keepdims):
    """The gradient of global_max_grad in its cotangent: the mean of `gg` over the maxima."""
    hit, count = _maxima(x, y, axis, keepdims)
    picked = np.add.reduce(np.where(hit, gg, 0), axis=axis, keepdims=True, dtype=gg.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        picked /= count.astype(gg.dtype)
    return picked if keepdims else np.squeeze(picked, axis)
