"""OpInfo entries for convolution and pooling (fluxion.ops.conv_ops).

The references are direct loops over output (or input) positions and window taps, written here
independently of the im2col kernels; only the batch and channel axes are vectorised.
"""
import itertools

import numpy as np

import fluxion as fx
from fluxion.ops import conv_ops as C
from fluxion.ops.registry import bind

from .opinfo import ErrorCase, OpInfo, Sample, distinct, rand

PADDINGS = ["VALID", "SAME", [[0, 0], [1, 2], [2, 0], [0, 0]]]


# --- references ----------------------------------------------------------------------------------
def _pair(v, n=2):
    v = [v] if np.isscalar(v) else list(v)
    if len(v) == n + 2:
        v = v[1:-1]
    return tuple(v * n if len(v) == 1 else v)


def _pads(padding, sizes, ksizes, strides, dilations):
    if padding == "VALID":
        return [(0, 0)] * len(sizes)
    if padding == "SAME":
        pads = []
        for n, k, s, d in zip(sizes, ksizes, strides, dilations):
            out = (n + s - 1) // s
            total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
            pads.append((total // 2, total - total // 2))
        return pads
    return [tuple(p) for p in padding[1:-1]]


def conv2d_ref(x, w, strides, padding, data_format="NHWC", dilations=None):
    if data_format == "NCHW":
        x = x.transpose(0, 2, 3, 1)
    (sh, sw), (dh, dw) = _pair(strides), _pair(1 if dilations is None else dilations)
    n, h, wd, c = x.shape
    kh, kw, _, o = w.shape
    (pt, pb), (pl, pr) = _pads(padding, (h, wd), (kh, kw), (sh, sw), (dh, dw))
    xp = np.zeros((n, h + pt + pb, wd + pl + pr, c), x.dtype)
    xp[:, pt:pt + h, pl:pl + wd] = x
    oh = (h + pt + pb - (kh - 1) * dh - 1) // sh + 1
    ow = (wd + pl + pr - (kw - 1) * dw - 1) // sw + 1
    out = np.zeros((n, oh, ow, o), x.dtype)
    for i, j, a, b in itertools.product(range(oh), range(ow), range(kh), range(kw)):
        out[:, i, j] += xp[:, i * sh + a * dh, j * sw + b * dw] @ w[a, b]
    return out.transpose(0, 3, 1, 2) if data_format == "NCHW" else out


def conv1d_ref(x, w, stride, padding, dilations=None):
    if not isinstance(padding, str):
        padding = [[0, 0], [0, 0]] + list(padding[1:])
    return conv2d_ref(x[:, None], w[None], (1,) + _pair(stride, 1), padding,
                      dilations=(1,) + _pair(1 if dilations is None else dilations, 1))[:, 0]


def conv2d_transpose_ref(x, w, output_shape, strides, padding="SAME", dilations=None):
    """Scatters every input pixel through the filters (w: kh, kw, out, in)."""
    (sh, sw), (dh, dw) = _pair(strides), _pair(1 if dilations is None else dilations)
    n, h, wd, o = output_shape
    kh, kw = w.shape[:2]
    (pt, pb), (pl, pr) = _pads(padding, (h, wd), (kh, kw), (sh, sw), (dh, dw))
    outp = np.zeros((n, h + pt + pb, wd + pl + pr, o), x.dtype)
    for i, j, a, b in itertools.product(range(x.shape[1]), range(x.shape[2]), range(kh),
                                        range(kw)):
        outp[:, i * sh + a * dh, j * sw + b * dw] += x[:, i, j] @ w[a, b].T
    return outp[:, pt:pt + h, pl:pl + wd]


def pool2d_ref(kind):
    def ref(x, ksize, strides, padding, data_format="NHWC"):
        (kh, kw), (sh, sw) = _pair(ksize), _pair(strides)
        n, h, wd, c = x.shape
        (pt, pb), (pl, pr) = _pads(padding, (h, wd), (kh, kw), (sh, sw), (1, 1))
        oh, ow = (h + pt + pb - kh) // sh + 1, (wd + pl + pr - kw) // sw + 1
        out = np.zeros((n, oh, ow, c), x.dtype)
        for i, j in itertools.product(range(oh), range(ow)):
            rows = [r for r in range(i * sh - pt, i * sh - pt + kh) if 0 <= r < h]
            cols = [q for q in range(j * sw - pl, j * sw - pl + kw) if 0 <= q < wd]
            window = x[:, rows][:, :, cols]
            out[:, i, j] = window.max((1, 2)) if kind == "max" else window.mean((1, 2))
        return out
    return ref


def pool1d_ref(kind):
    def ref(x, ksize, strides, padding):
        return pool2d_ref(kind)(x[:, None], (1,) + _pair(ksize, 1), (1,) + _pair(strides, 1),
                                padding)[:, 0]
    return ref


# --- samples -------------------------------------------------------------------------------------
def conv2d_samples(rng, dtype):
    for padding, stride, dilation in itertools.product(PADDINGS, (1, 2), (1, 2)):
        yield Sample((rand(rng, (2, 6, 5, 2), dtype), rand(rng, (3, 3, 2, 3), dtype)),
                     {"strides": stride, "padding": padding, "dilations": dilation})
    for padding, stride, dilation in itertools.product(PADDINGS[1:], (1, 2), (1, 2)):
        # more than 4 channels: the kernels' other patch layout
        yield Sample((rand(rng, (1, 5, 4, 6), dtype), rand(rng, (3, 2, 6, 2), dtype)),
                     {"strides": stride, "padding": padding, "dilations": dilation})
    yield Sample((rand(rng, (1, 5, 4, 2), dtype), rand(rng, (2, 2, 2, 1), dtype)),
                 {"strides": [1, 2, 1, 1], "padding": "SAME"})
    for padding, stride, dilation in [("VALID", 1, 1), ("SAME", (1, 2), (2, 1))]:
        # kw * channels >= 64 and more outputs than inputs per pixel: row patches
        yield Sample((rand(rng, (1, 5, 4, 22), dtype), rand(rng, (2, 3, 22, 12), dtype)),
                     {"strides": stride, "padding": padding, "dilations": dilation})
    yield Sample((rand(rng, (2, 2, 5, 4), dtype), rand(rng, (2, 3, 2, 2), dtype)),
                 {"strides": [2, 1], "padding": "VALID", "data_format": "NCHW"})
    yield Sample((rand(rng, (1, 3, 3, 1), dtype), rand(rng, (3, 3, 1, 1), dtype)),
                 {"strides": 1, "padding": "VALID"})


def conv1d_samples(rng, dtype):
    for padding, stride, dilation in itertools.product(
            ["VALID", "SAME", [[0, 0], [2, 1], [0, 0]]], (1, 2), (1, 2)):
        yield Sample((rand(rng, (2, 7, 2), dtype), rand(rng, (3, 2, 3), dtype)),
                     {"stride": stride, "padding": padding, "dilations": dilation})


def conv2d_transpose_samples(rng, dtype):
    # (input spatial, output spatial, strides, padding, dilations)
    for hw, out_hw, s, p, d in [((3, 3), (3, 3), 1, "SAME", 1), ((3, 2), (6, 4), 2, "SAME", 1),
                                ((3, 3), (5, 6), 2, "SAME", 1), ((3, 2), (5, 4), 1, "VALID", 1),
                                ((2, 2), (5, 6), 2, "VALID", 1), ((3, 3), (7, 7), 1, "VALID", 2),
                                ((3, 3), (5, 5), 2, "SAME", 2)]:
        yield Sample((rand(rng, (2,) + hw + (3,), dtype), rand(rng, (3, 3, 2, 3), dtype),
                      (2,) + out_hw + (2,)), {"strides": s, "padding": p, "dilations": d})
    for s, d, hw in [(2, 1, (3, 2)), (1, 2, (5, 4))]:  # more than 4 output channels
        yield Sample((rand(rng, (1,) + hw + (2,), dtype), rand(rng, (3, 3, 6, 2), dtype),
                      (1, 5, 4, 6)), {"strides": s, "padding": "SAME", "dilations": d})


def pool2d_samples(explicit):
    def samples(rng, dtype):
        for ksize, stride, padding in itertools.product((2, 3), (1, 2), ("VALID", "SAME")):
            yield Sample((distinct(rng, (2, 5, 6, 3), dtype),),
                         {"ksize": ksize, "strides": stride, "padding": padding})
        yield Sample((distinct(rng, (1, 4, 5, 2), dtype),),
                     {"ksize": [1, 2, 3, 1], "strides": [2, 1], "padding": "SAME"})
        for ksize in (2, (2, 3)):  # windows tiling the input exactly: the kernels' row path
            yield Sample((distinct(rng, (2, 4, 6, 3), dtype),),
                         {"ksize": ksize, "strides": ksize, "padding": "VALID"})
        if explicit:
            yield Sample((distinct(rng, (1, 4, 5, 2), dtype),),
                         {"ksize": 3, "strides": 2, "padding": [[0, 0], [1, 1], [0, 2], [0, 0]]})
    return samples


def pool1d_samples(rng, dtype):
    for ksize, stride, padding in itertools.product((2, 3), (1, 2), ("VALID", "SAME")):
        yield Sample((distinct(rng, (2, 7, 3), dtype),),
                     {"ksize": ksize, "strides": stride, "padding": padding})


# --- gradient ops as functions of their cotangent (reach the grad-of-grad primitives) ------------
def _vjp(forward, x, dy):
    with fx.GradientTape() as tape:
        tape.watch(x)
        y = forward(x)
    return tape.gradient(y, x, output_gradients=dy)


def max_pool_grad_fn(x, dy, **kw):
    return _vjp(lambda t: C.max_pool2d(t, **kw), x, dy)


def max_pool_grad_grad_fn(x, dy, gg, **kw):
    return _vjp(lambda t: max_pool_grad_fn(x, t, **kw), dy, gg)


def avg_pool_grad_fn(x, dy, **kw):
    return _vjp(lambda t: C.avg_pool2d(t, **kw), x, dy)


def conv_filter_grad_fn(x, w, dy, **kw):
    return _vjp(lambda t: C.conv2d(x, t, **kw), w, dy)


def _shared_patches(x, w, strides, padding, dilations=1):
    """(patches, attrs) as graph pass `share_conv_patches` makes them for conv2d(x, w)."""
    attrs = {"strides": _pair(strides), "dilations": _pair(dilations),
             "padding": padding if isinstance(padding, str) else
             tuple(tuple(p) for p in padding[1:-1])}
    patches = bind(C._PATCHES, x, ksize=tuple(w.shape[:2]), **attrs)
    return patches, {**attrs, "input_shape": tuple(x.shape)}


def conv_on_patches_fn(x, w, **kw):
    patches, attrs = _shared_patches(x, w, **kw)
    return bind(C._CONV2D_ON_PATCHES, patches, w, **attrs)


def filter_grad_on_patches_fn(x, w, dy, **kw):
    patches, attrs = _shared_patches(x, w, **kw)
    return bind(C._BACKPROP_FILTER_ON_PATCHES, patches, dy, filter_hw=tuple(w.shape[:2]),
                **attrs)


def patches_samples(rng, dtype):
    """NHWC samples of both patch layouts (im2col with few and many channels, row patches)."""
    for c, o, kernel in [(1, 3, (3, 3)), (6, 2, (3, 2)), (22, 12, (2, 3))]:
        for padding, stride, dilation in [("VALID", 1, 1), ("SAME", (1, 2), (2, 1)),
                                          (PADDINGS[2], 2, 1)]:
            yield Sample((rand(rng, (2, 6, 5, c), dtype), rand(rng, kernel + (c, o), dtype)),
                         {"strides": stride, "padding": padding, "dilations": dilation})


def filter_grad_patches_samples(rng, dtype):
    for sample in patches_samples(rng, dtype):
        x, w = sample.args
        dy = rand(rng, C.conv2d(x, w, **sample.kwargs).shape, dtype)
        yield Sample((x, w, dy), sample.kwargs)


def _first_max(x, ksize, strides, padding):
    """Yields (output index, input index) pairs: each window's first maximum, in a direct loop."""
    (kh, kw), (sh, sw) = _pair(ksize), _pair(strides)
    n, h, wd, c = x.shape
    (pt, pb), (pl, pr) = _pads(padding, (h, wd), (kh, kw), (sh, sw), (1, 1))
    oh, ow = (h + pt + pb - kh) // sh + 1, (wd + pl + pr - kw) // sw + 1
    for b, i, j, ch in itertools.product(range(n), range(oh), range(ow), range(c)):
        best = None
        for r, q in itertools.product(range(i * sh - pt, i * sh - pt + kh),
                                      range(j * sw - pl, j * sw - pl + kw)):
            inside = 0 <= r < h and 0 <= q < wd
            if inside and (best is None or x[b, r, q, ch] > x[b, best[0], best[1], ch]):
                best = (r, q)
        yield (b, i, j, ch), (b, best[0], best[1], ch)


def _first_max_route(x, dy, **kw):
    """d/dx of max_pool2d: each window sends its cotangent to its first maximum."""
    out = np.zeros_like(x)
    for o, i in _first_max(x, **kw):
        out[i] += dy[o]
    return out


def _first_max_gather(x, dy, gg, **kw):
    """The gradient of max_pool2d_grad in its cotangent: gg read at each first maximum."""
    out = np.zeros_like(dy)
    for o, i in _first_max(x, **kw):
        out[o] = gg[i]
    return out


def _avg_route(x, dy, ksize, strides, padding):
    (kh, kw), (sh, sw) = _pair(ksize), _pair(strides)
    n, h, wd, c = x.shape
    (pt, _), (pl, _) = _pads(padding, (h, wd), (kh, kw), (sh, sw), (1, 1))
    out = np.zeros_like(x)
    for i, j in itertools.product(range(dy.shape[1]), range(dy.shape[2])):
        rows = [r for r in range(i * sh - pt, i * sh - pt + kh) if 0 <= r < h]
        cols = [q for q in range(j * sw - pl, j * sw - pl + kw) if 0 <= q < wd]
        out[:, rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1] += \
            dy[:, i:i + 1, j:j + 1] / (len(rows) * len(cols))
    return out


def _filter_grad_ref(x, w, dy, strides, padding, dilations=1):
    (sh, sw), (dh, dw) = _pair(strides), _pair(dilations)
    kh, kw = w.shape[:2]
    n, h, wd, c = x.shape
    (pt, pb), (pl, pr) = _pads(padding, (h, wd), (kh, kw), (sh, sw), (dh, dw))
    xp = np.zeros((n, h + pt + pb, wd + pl + pr, c), x.dtype)
    xp[:, pt:pt + h, pl:pl + wd] = x
    out = np.zeros_like(w)
    for i, j, a, b in itertools.product(range(dy.shape[1]), range(dy.shape[2]), range(kh),
                                        range(kw)):
        out[a, b] += xp[:, i * sh + a * dh, j * sw + b * dw].T @ dy[:, i, j]
    return out


def pool_grad_samples(rng, dtype, ties=False):
    for ksize, stride, padding, shape in [(2, 2, "VALID", (2, 5, 4, 2)),
                                          (3, 1, "SAME", (2, 5, 4, 2)),
                                          (3, 2, "SAME", (2, 5, 4, 2)),
                                          ((2, 3), (2, 3), "VALID", (2, 4, 6, 3)),  # tiled
                                          (2, 2, "SAME", (2, 4, 6, 3))]:  # tiled
        x = distinct(rng, shape, dtype)
        if ties:  # None: samples for max_pool2d_grad_grad (no ties)
            x = np.round(x)  # many equal values in a window: the first maximum gets it all
        kw = {"ksize": ksize, "strides": stride, "padding": padding}
        dy = rand(rng, C.max_pool2d(x, **kw).shape, dtype)
        if ties is None:
            yield Sample((x, dy, rand(rng, x.shape, dtype)), kw, grad_args=(2,))
        else:
            yield Sample((x, dy), kw, grad_args=(1,))


def filter_grad_samples(rng, dtype):
    for padding, stride, dilation, c, o in [("SAME", 2, 1, 2, 3), ("VALID", 1, 2, 2, 3),
                                            (PADDINGS[2], 2, 1, 2, 3), ("SAME", (1, 2), 1, 22, 8)]:
        kw = {"strides": stride, "padding": padding, "dilations": dilation}
        x, w = rand(rng, (2, 5, 5, c), dtype), rand(rng, (3, 3, c, o), dtype)
        dy = rand(rng, C.conv2d(x, w, **kw).shape, dtype)
        yield Sample((x, w, dy), kw, grad_args=(0, 2))


def _global_max_route(x, dy, axis, keepdims=False):
    """d/dx of global_max_pool by a loop over the reductions: dy shared among equal maxima."""
    axis = (axis,) if np.isscalar(axis) else tuple(axis)
    moved = np.moveaxis(x, axis, tuple(range(-len(axis), 0)))
    kept = moved.shape[:x.ndim - len(axis)]
    out = np.zeros_like(moved)
    dy = dy.reshape(kept)
    for k in itertools.product(*map(range, kept)):
        block = moved[k]
        hit = block == block.max()
        out[k] = hit * dy[k] / hit.sum()
    return np.moveaxis(out, tuple(range(-len(axis), 0)), axis)


def global_max_grad_fn(x, dy, **kw):
    return _vjp(lambda t: C.global_max_pool(t, **kw), x, dy)


def global_max_grad_grad_fn(x, dy, gg, **kw):
    return _vjp(lambda t: global_max_grad_fn(x, t, **kw), dy, gg)


def _global_max_gather(x, dy, gg, axis, keepdims=False):
    """The gradient of global_max_pool_grad in its cotangent: the mean of gg at the maxima."""
    hit = x == np.max(x, axis=axis, keepdims=True)
    return np.sum(hit * gg, axis=axis, keepdims=keepdims) / np.sum(hit, axis=axis,
                                                                  keepdims=keepdims)


def global_max_samples(rng, dtype, ties=False):
    for shape, axis, keepdims in [((2, 5, 3), 1, False), ((2, 4, 3, 2), (1, 2), False),
                                  ((3, 4), -1, True), ((2, 3), (0, 1), False)]:
        x = np.round(2 * distinct(rng, shape, dtype)) if ties else distinct(rng, shape, dtype)
        yield Sample((x,), {"axis": axis, "keepdims": keepdims})


def global_max_grad_samples(rng, dtype, ties=False, second=False):
    for s in global_max_samples(rng, dtype, ties=ties):
        x, kw = s.args[0], s.kwargs
        dy = rand(rng, np.max(x, **kw).shape, dtype)
        if second:
            yield Sample((x, dy, rand(rng, x.shape, dtype)), kw, grad_args=(2,))
        else:
            yield Sample((x, dy), kw, grad_args=(1,))


# --- errors --------------------------------------------------------------------------------------
def _f32(*shape):
    return np.ones(shape, np.float32)


def conv2d_errors():
    return [
        ErrorCase((_f32(1, 5, 5, 3), _f32(3, 3, 2, 4), 1, "VALID"), {}, ValueError,
                  "conv2d: input has 3 channels but filters expect 2"),
        ErrorCase((_f32(1, 5, 5, 2), _f32(3, 3, 2, 4), 1, "FULL"), {}, ValueError,
                  "padding must be 'SAME', 'VALID'"),
        ErrorCase((_f32(5, 5, 2), _f32(3, 3, 2, 4), 1, "VALID"), {}, ValueError,
                  r"input must be a 4-D tensor .* received shape \(5, 5, 2\)"),
        ErrorCase((_f32(1, 5, 5, 2), _f32(3, 2, 4), 1, "VALID"), {}, ValueError,
                  "filters must be a 4-D tensor"),
        ErrorCase((_f32(1, 2, 6, 2), _f32(3, 3, 2, 4), 1, "VALID"), {}, ValueError,
                  "larger than the input"),
        ErrorCase((_f32(1, 5, 5, 2), _f32(3, 3, 2, 4), [2, 2, 2, 1], "VALID"), {}, ValueError,
                  "batch and channel axes must be 1"),
        ErrorCase((_f32(1, 5, 5, 2), _f32(3, 3, 2, 4), 1, [[0, 0], [1, 1], [1, 1]]), {},
                  ValueError, "explicit padding must be 4 pairs"),
        ErrorCase((_f32(1, 5, 5, 2), np.ones((3, 3, 2, 4)), 1, "VALID"), {}, TypeError,
                  "same dtype"),
        ErrorCase((np.ones((1, 5, 5, 2), np.int64), np.ones((3, 3, 2, 4), np.int64), 1,
                   "VALID"), {}, TypeError, "int64"),
    ]


def conv2d_transpose_errors():
    return [
        ErrorCase((_f32(1, 3, 3, 2), _f32(3, 3, 4, 3), (1, 6, 6, 4), 2), {}, ValueError,
                  "conv2d_transpose: input has 2 channels but filters expect 3"),
        ErrorCase((_f32(1, 3, 3, 3), _f32(3, 3, 4, 3), (1, 9, 9, 4), 2), {}, ValueError,
                  r"output_shape \[1, 9, 9, 4\] does not fit"),
        ErrorCase((_f32(1, 3, 3, 3), _f32(3, 3, 4, 3), (1, 6, 6, 5), 2), {}, ValueError,
                  "has 5 channels but filters"),
    ]


def pool_errors(name):
    fn = getattr(C, name)
    two_d = name.endswith("2d") or name in ("max_pool", "avg_pool")
    x = _f32(1, 4, 4, 2) if two_d else _f32(1, 4, 2)
    cases = [ErrorCase((x, 5, 1, "VALID"), {}, ValueError, "larger than the input"),
             ErrorCase((x, 2, 1, "valid_"), {}, ValueError, "padding must be"),
             ErrorCase((_f32(4, 4), 2, 1, "VALID"), {}, ValueError, "input must be a")]
    if fn is C.avg_pool2d:
        cases.append(ErrorCase((x, 2, 1, [[0, 0], [1, 1], [1, 1], [0, 0]]), {}, ValueError,
                               "explicit padding is not supported"))
    return lambda: cases


OPS = [
    OpInfo("conv2d", C.conv2d, conv2d_ref, conv2d_samples, errors=conv2d_errors,
           atol={"float32": 1e-5}),
    OpInfo("conv1d", C.conv1d, lambda x, w, stride, padding, dilations=None:
           conv1d_ref(x, w, stride, padding, dilations), conv1d_samples,
           errors=lambda: [ErrorCase((_f32(1, 5, 3), _f32(3, 2, 4), 1, "VALID"), {}, ValueError,
                                     "conv1d: input has 3 channels but filters expect 2"),
                           ErrorCase((_f32(1, 5, 5, 2), _f32(3, 2, 4), 1, "VALID"), {},
                                     ValueError, "conv1d: input must be a 3-D tensor")],
           atol={"float32": 1e-5}),
    OpInfo("conv2d_transpose", C.conv2d_transpose, conv2d_transpose_ref,
           conv2d_transpose_samples, errors=conv2d_transpose_errors, atol={"float32": 1e-5}),
    OpInfo("conv1d_transpose", C.conv1d_transpose,
           lambda x, w, out, strides, padding="SAME": conv2d_transpose_ref(
               x[:, None], w[None], (out[0], 1) + tuple(out[1:]), (1, strides), padding)[:, 0],
           lambda rng, dt: [Sample((rand(rng, (2, 3, 2), dt), rand(rng, (3, 1, 2), dt),
                                    (2, 6, 1)), {"strides": 2, "padding": "SAME"})]),
    OpInfo("conv2d_backprop_filter", conv_filter_grad_fn,
           lambda x, w, dy, **kw: _filter_grad_ref(x, w, dy, **kw), filter_grad_samples,
           atol={"float32": 1e-5}),
    # What graph pass `share_conv_patches` makes of a convolution and its filter gradient.
    OpInfo("conv2d_on_patches", conv_on_patches_fn, conv2d_ref, patches_samples, grad=False,
           atol={"float32": 1e-5}),
    OpInfo("conv2d_backprop_filter_on_patches", filter_grad_on_patches_fn,
           lambda x, w, dy, **kw: _filter_grad_ref(x, w, dy, **kw), filter_grad_patches_samples,
           grad=False, atol={"float32": 1e-5}),
    OpInfo("max_pool2d", C.max_pool2d, pool2d_ref("max"), pool2d_samples(True),
           errors=pool_errors("max_pool2d")),
    OpInfo("avg_pool2d", C.avg_pool2d, pool2d_ref("avg"), pool2d_samples(False),
           errors=pool_errors("avg_pool2d")),
    OpInfo("max_pool1d", C.max_pool1d, pool1d_ref("max"), pool1d_samples,
           errors=pool_errors("max_pool1d")),
    OpInfo("avg_pool1d", C.avg_pool1d, pool1d_ref("avg"), pool1d_samples,
           errors=pool_errors("avg_pool1d")),
    OpInfo("max_pool", C.max_pool, pool2d_ref("max"),
           lambda rng, dt: [Sample((distinct(rng, (2, 5, 4, 3), dt),), {"ksize": 2, "strides": 2,
                                                                         "padding": "SAME"})],
           errors=lambda: [ErrorCase((_f32(1, 2, 4, 4, 2), 2, 1, "VALID"), {}, ValueError,
                                     "max_pool: input must be a 3-D")]),
    OpInfo("avg_pool", C.avg_pool, pool1d_ref("avg"),
           lambda rng, dt: [Sample((rand(rng, (2, 5, 3), dt),), {"ksize": 2, "strides": 1,
                                                                  "padding": "SAME"})]),
    # The gradients as ops of their cotangent: reaches max_pool2d_grad(_grad), avg_pool2d_grad.
    OpInfo("max_pool2d_grad", max_pool_grad_fn,
           lambda x, dy, **kw: _first_max_route(x, dy, **kw), pool_grad_samples),
    OpInfo("max_pool2d_grad_grad", max_pool_grad_grad_fn,
           lambda x, dy, gg, **kw: _first_max_gather(x, dy, gg, **kw),
           lambda rng, dt: pool_grad_samples(rng, dt, ties=None)),
    OpInfo("max_pool2d_grad(ties)", max_pool_grad_fn,
           lambda x, dy, **kw: _first_max_route(x, dy, **kw),
           lambda rng, dt: pool_grad_samples(rng, dt, ties=True), grad=False),
    OpInfo("global_max_pool", C.global_max_pool,
           lambda x, axis, keepdims=False: np.max(x, axis=axis, keepdims=keepdims),
           global_max_samples, dtypes=("float32", "float64", "int32"),
           errors=lambda: [ErrorCase((_f32(2, 3), 2), {}, ValueError,
                                     "global_max_pool: axis 2 is out of range")]),
    OpInfo("global_max_pool(ties)", C.global_max_pool,
           lambda x, axis, keepdims=False: np.max(x, axis=axis, keepdims=keepdims),
           lambda rng, dt: global_max_samples(rng, dt, ties=True), grad=False),
    OpInfo("global_max_pool_grad", global_max_grad_fn,
           lambda x, dy, **kw: _global_max_route(x, dy, **kw), global_max_grad_samples),
    OpInfo("global_max_pool_grad(ties)", global_max_grad_fn,
           lambda x, dy, **kw: _global_max_route(x, dy, **kw),
           lambda rng, dt: global_max_grad_samples(rng, dt, ties=True), grad=False),
    OpInfo("global_max_pool_grad_grad", global_max_grad_grad_fn,
           lambda x, dy, gg, **kw: _global_max_gather(x, dy, gg, **kw),
           lambda rng, dt: global_max_grad_samples(rng, dt, second=True)),
    OpInfo("global_max_pool_grad_grad(ties)", global_max_grad_grad_fn,
           lambda x, dy, gg, **kw: _global_max_gather(x, dy, gg, **kw),
           lambda rng, dt: global_max_grad_samples(rng, dt, ties=True, second=True),
           grad=False),
    OpInfo("avg_pool2d_grad", avg_pool_grad_fn, lambda x, dy, **kw: _avg_route(x, dy, **kw),
           pool_grad_samples),
]
