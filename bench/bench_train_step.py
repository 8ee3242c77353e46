"""A compiled training step written with GradientTape: the book's MLP, one epoch.

784-128-128-10, ReLU, dropout 0.3, softmax cross-entropy, Keras's Adam (`apply_gradients`);
48,000 samples per epoch on synthetic data of MNIST's shapes (the workload of the peers' figures
in issue 3). Prints the median seconds per epoch of `--reps` epochs, eager and compiled, the
first (tracing) epoch, and the matmul floor (the step's eight forward/backward GEMMs, run back to
back by NumPy).

    python bench/bench_train_step.py --batch 128 --reps 5
"""
import argparse
import statistics
import time

import numpy as np

import fluxion as fx
from fluxion import keras, nn

SAMPLES, DIM, HIDDEN, CLASSES, DROPOUT = 48_000, 784, 128, 10, 0.3


def make_model(seed=0):
    rng = np.random.default_rng(seed)

    def glorot(fan_in, fan_out):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return fx.Variable(rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32))

    sizes = [(DIM, HIDDEN), (HIDDEN, HIDDEN), (HIDDEN, CLASSES)]
    params = []
    for fan_in, fan_out in sizes:
        params += [glorot(fan_in, fan_out), fx.Variable(np.zeros(fan_out, np.float32))]
    return params


def forward(params, x, training):
    w1, b1, w2, b2, w3, b3 = params
    h = nn.relu(fx.matmul(x, w1) + b1)
    if training:
        h = nn.dropout(h, DROPOUT)
    h = nn.relu(fx.matmul(h, w2) + b2)
    if training:
        h = nn.dropout(h, DROPOUT)
    return fx.matmul(h, w3) + b3


def make_step(params, optimizer):
    def train_step(x, y):
        with fx.GradientTape() as tape:
            logits = forward(params, x, True)
            loss = fx.reduce_mean(nn.softmax_cross_entropy_with_logits(y, logits))
        optimizer.apply_gradients(zip(tape.gradient(loss, params), params))
        return loss
    return train_step


def epoch(step, x, y, batch):
    loss = None
    for i in range(0, len(x) - batch + 1, batch):
        loss = step(x[i:i + batch], y[i:i + batch])
    return float(loss)


def matmul_floor(batch, reps=3):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, DIM), dtype=np.float32)
    ws = [rng.standard_normal(s, dtype=np.float32) for s in
          [(DIM, HIDDEN), (HIDDEN, HIDDEN), (HIDDEN, CLASSES)]]
    steps = SAMPLES // batch
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(steps):
            h1 = x @ ws[0]
            h2 = h1 @ ws[1]
            out = h2 @ ws[2]
            g2 = out @ ws[2].T
            _ = h2.T @ out
            g1 = g2 @ ws[1].T
            _ = h1.T @ g2
            _ = x.T @ g1
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--eager", action="store_true", help="also time the eager step")
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, (SAMPLES, DIM)).astype(np.float32)
    y = np.eye(CLASSES, dtype=np.float32)[rng.integers(0, CLASSES, SAMPLES)]
    results = {}
    variants = [("compiled", True)] + ([("eager", False)] if args.eager else [])
    for name, compiled in variants:
        fx.random.set_seed(0)
        params = make_model()
        step = make_step(params, keras.optimizers.Adam())
        if compiled:
            step = fx.function(step)
        t0 = time.perf_counter()
        epoch(step, x, y, args.batch)
        first = time.perf_counter() - t0
        times = []
        for _ in range(args.reps):
            t0 = time.perf_counter()
            loss = epoch(step, x, y, args.batch)
            times.append(time.perf_counter() - t0)
        results[name] = statistics.median(times)
        print(f"{name:9s} batch {args.batch}: {statistics.median(times):.3f} s/epoch (median of "
              f"{args.reps}), first epoch {first:.3f} s, last loss {loss:.4f}")
    floor = matmul_floor(args.batch)
    print(f"matmul floor batch {args.batch}: {floor:.3f} s/epoch; compiled / floor = "
          f"{results['compiled'] / floor:.2f}")
    if "eager" in results:
        print(f"compiled speed-up over eager: {results['eager'] / results['compiled']:.2f}x")


if __name__ == "__main__":
    main()
