"""Convolution and pooling speed on the LeNet layer shapes (batch 128), and the IMDb model's
embedding and global max pooling (batch 500 x 200 steps x 256): Fluxion vs plain NumPy.

Each case is one forward and backward pass of a layer: Fluxion through `GradientTape` (the
gradient with respect to the filters, and to the input where a network needs it), the baseline a
textbook NumPy im2col (`sliding_window_view` + one matmul; backward: cols^T @ dy, and dy @ W^T
scattered back tap by tap). The IMDb cases: the embedding lookup and its gradient (np.take and
np.add.at), and GlobalMaxPooling1D (max, and the gradient shared among tied maxima). Medians
over `--repeats` runs, in milliseconds.

    python bench/bench_conv.py               # kernels' batch pieces on every core
    python bench/bench_conv.py --threads 1   # everything on the calling thread (BLAS aside)

Prints one JSON record per line: {"bench", "case", "impl", "median_ms", "samples_ms"}.
"""
import argparse
import json
import time

import numpy as np

import fluxion as fx
from fluxion.ops import conv_ops

# (name, input shape, filter shape, need the input gradient)
LAYERS = [("conv1 28x28x1 -> 20 5x5", (128, 28, 28, 1), (5, 5, 1, 20), False),
          ("conv2 12x12x20 -> 50 5x5", (128, 12, 12, 20), (5, 5, 20, 50), True)]
POOLS = [("max_pool 2x2 of 24x24x20", (128, 24, 24, 20)), ("max_pool 2x2 of 8x8x50",
                                                          (128, 8, 8, 50))]


def numpy_conv_step(x, w, need_dx):
    kh, kw, c, o = w.shape
    n, h, wd, _ = x.shape
    oh, ow = h - kh + 1, wd - kw + 1
    windows = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(1, 2))
    cols = windows.transpose(0, 1, 2, 4, 5, 3).reshape(n * oh * ow, kh * kw * c)
    y = cols @ w.reshape(-1, o)
    dy = np.ones_like(y)
    dw = (cols.T @ dy).reshape(w.shape)
    if need_dx:
        dcols = (dy @ w.reshape(-1, o).T).reshape(n, oh, ow, kh, kw, c)
        dx = np.zeros_like(x)
        for i in range(kh):
            for j in range(kw):
                dx[:, i:i + oh, j:j + ow] += dcols[:, :, :, i, j]
        return dw, dx
    return dw


def fluxion_conv_step(x, w, need_dx):
    with fx.GradientTape() as tape:
        tape.watch(w)
        if need_dx:
            tape.watch(x)
        y = conv_ops.conv2d(x, w, 1, "VALID")
    return tape.gradient(y, [w, x] if need_dx else w)


def numpy_pool_step(x):
    n, h, w, c = x.shape
    win = x.reshape(n, h // 2, 2, w // 2, 2, c)
    y = win.max(axis=(2, 4))
    mask = win == y[:, :, None, :, None]
    return (mask * np.ones_like(y)[:, :, None, :, None]).reshape(x.shape)


def fluxion_pool_step(x):
    with fx.GradientTape() as tape:
        tape.watch(x)
        y = conv_ops.max_pool2d(x, 2, 2, "VALID")
    return tape.gradient(y, x)


def numpy_embedding_step(table, ids):
    y = np.take(table, ids, axis=0)
    grad = np.zeros_like(table)
    np.add.at(grad, ids.reshape(-1), np.ones_like(y).reshape(-1, table.shape[1]))
    return grad


def fluxion_embedding_step(table, ids):
    with fx.GradientTape() as tape:
        tape.watch(table)
        y = fx.gather(table, ids)
    return tape.gradient(y, table)


def numpy_global_max_step(x):
    y = x.max(axis=1)
    hit = x == y[:, None]
    return hit * (1.0 / hit.sum(axis=1, keepdims=True))


def fluxion_global_max_step(x):
    with fx.GradientTape() as tape:
        tape.watch(x)
        y = conv_ops.global_max_pool(x, 1)
    return tape.gradient(y, x)


def measure(fn, repeats):
    fn()  # warm up
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1e3)
    return float(np.median(samples)), samples


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--threads", type=int, default=0,
                        help="threads for the kernels' memory-bound pieces (0: one per core)")
    args = parser.parse_args()
    fx.config.threading.set_intra_op_parallelism_threads(args.threads)
    rng = np.random.default_rng(0)
    cases = []
    for name, xs, ws, need_dx in LAYERS:
        x = rng.standard_normal(xs).astype(np.float32)
        w = rng.standard_normal(ws).astype(np.float32)
        tx, tw = fx.constant(x), fx.constant(w)
        cases.append((name + " fwd+bwd", "numpy im2col",
                      lambda x=x, w=w, d=need_dx: numpy_conv_step(x, w, d)))
        cases.append((name + " fwd+bwd", "fluxion",
                      lambda x=tx, w=tw, d=need_dx: fluxion_conv_step(x, w, d)))
    for name, xs in POOLS:
        x = rng.standard_normal(xs).astype(np.float32)
        cases.append((name + " fwd+bwd", "numpy reshape", lambda x=x: numpy_pool_step(x)))
        tx = fx.constant(x)
        cases.append((name + " fwd+bwd", "fluxion", lambda x=tx: fluxion_pool_step(x)))
    table = rng.uniform(-0.05, 0.05, (10000, 256)).astype(np.float32)
    ids = rng.integers(0, 10000, (500, 200)).astype(np.int32)
    cases.append(("embedding 10000x256, ids 500x200 fwd+bwd", "numpy take + add.at",
                  lambda: numpy_embedding_step(table, ids)))
    ttable, tids = fx.constant(table), fx.constant(ids)
    cases.append(("embedding 10000x256, ids 500x200 fwd+bwd", "fluxion",
                  lambda: fluxion_embedding_step(ttable, tids)))
    seq = np.take(table, ids, axis=0)
    tseq = fx.constant(seq)
    cases.append(("global max pool 500x200x256 fwd+bwd", "numpy mask",
                  lambda: numpy_global_max_step(seq)))
    cases.append(("global max pool 500x200x256 fwd+bwd", "fluxion",
                  lambda: fluxion_global_max_step(tseq)))
    for case, impl, fn in cases:
        median, samples = measure(fn, args.repeats)
        print(json.dumps({"bench": "conv", "case": case, "impl": impl,
                          "median_ms": round(median, 3),
                          "samples_ms": [round(s, 3) for s in samples]}))


if __name__ == "__main__":
    main()
