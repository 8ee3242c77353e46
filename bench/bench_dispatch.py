"""Eager dispatch overhead: µs per call of tiny ops, in Fluxion, bare NumPy and PyTorch eager.

The operands are tiny (10-element float32 vectors, 2x2 matrices) so that the time is the
framework's per-call machinery, not arithmetic. Each case is a statement timed with `timeit`
(compiled inline, no lambda call around it); we report the median over `--repeats` repeats.

    python bench/bench_dispatch.py --side fluxion   # Fluxion and the NumPy baseline
    python bench/bench_dispatch.py --side torch     # run with an interpreter that has torch

Prints one JSON record per line: {"bench", "case", "impl", "median_us", "samples_us"}.
"""
import argparse
import json
import sys
import timeit

# case -> (numpy statement, fluxion statement, torch statement); the setups below define names.
CASES = {
    "a + b (10 float32)": ("a + b", "a + b", "a + b"),
    "add(a, b)": ("np.add(a, b)", "fx.add(a, b)", "torch.add(a, b)"),
    "matmul 2x2": ("np.matmul(m, m)", "fx.matmul(m, m)", "torch.matmul(m, m)"),
    "reduce_sum (10)": ("np.sum(a)", "fx.reduce_sum(a)", "torch.sum(a)"),
    "relu (10)": ("np.maximum(a, 0)", "relu(a)", "torch.relu(a)"),
    "tape step, 3->2 linear": ("numpy_step()", "fluxion_step()", "torch_step()"),
}

NUMPY_SETUP = """
import numpy as np
a = np.arange(10, dtype=np.float32) / 10
b = np.ones(10, dtype=np.float32)
m = np.array([[1, 2], [3, 4]], dtype=np.float32)
x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3)
W = np.full((3, 2), 0.1, dtype=np.float32)
bias = np.zeros(2, dtype=np.float32)
lr = np.float32(0.01)

def numpy_step():
    # forward, loss = mean((x W + bias)^2), hand-written backward, SGD update
    global W, bias
    y = x @ W + bias
    loss = np.mean(y * y)
    gy = (2 / y.size) * y
    W -= lr * (x.T @ gy)
    bias -= lr * gy.sum(0)
    return loss
"""

FLUXION_SETUP = """
import numpy as np
import fluxion as fx
a = fx.constant(np.arange(10, dtype=np.float32) / 10)
b = fx.ones(10)
m = fx.constant([[1.0, 2.0], [3.0, 4.0]])
relu = fx.nn.relu if hasattr(fx, "nn") else (lambda t: fx.maximum(t, 0.0))
x = fx.constant(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3))
W = fx.Variable(fx.fill((3, 2), 0.1))
bias = fx.Variable(fx.zeros(2))

def fluxion_step():
    with fx.GradientTape() as tape:
        y = fx.matmul(x, W) + bias
        loss = fx.reduce_mean(y * y)
    gW, gb = tape.gradient(loss, [W, bias])
    W.assign_sub(0.01 * gW)
    bias.assign_sub(0.01 * gb)
    return loss
"""

TORCH_SETUP = """
import torch
a = torch.arange(10, dtype=torch.float32) / 10
b = torch.ones(10)
m = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
x = torch.linspace(-1, 1, 12).reshape(4, 3)
W = torch.full((3, 2), 0.1, requires_grad=True)
bias = torch.zeros(2, requires_grad=True)

def torch_step():
    y = x @ W + bias
    loss = (y * y).mean()
    gW, gb = torch.autograd.grad(loss, [W, bias])
    with torch.no_grad():
        W.sub_(0.01 * gW)
        bias.sub_(0.01 * gb)
    return loss
"""


def time_statement(stmt, setup, repeats, target_s=0.05):
    """Median µs per execution of `stmt` over `repeats` repeats of ~`target_s` seconds each."""
    namespace = {}
    exec(setup, namespace)  # noqa: S102 - our own fixed benchmark code
    timer = timeit.Timer(stmt, globals=namespace)
    number, _ = timer.autorange()
    number = max(1, int(number * target_s / 0.2))
    timer.timeit(number)  # warm-up
    samples = sorted(t / number * 1e6 for t in timer.repeat(repeats, number))
    return samples[len(samples) // 2], samples


def run(side, repeats):
    impls = {"fluxion": [("numpy", 0, NUMPY_SETUP), ("fluxion", 1, FLUXION_SETUP)],
             "torch": [("torch", 2, TORCH_SETUP)]}[side]
    if side == "torch":
        import torch
        torch.set_num_threads(1)  # tiny ops: no thread pool involved either way
    for case, statements in CASES.items():
        for impl, index, setup in impls:
            median, samples = time_statement(statements[index], setup, repeats)
            print(json.dumps({"bench": "dispatch", "case": case, "impl": impl,
                              "median_us": median, "samples_us": samples}), flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", choices=["fluxion", "torch"], default="fluxion")
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args(argv)
    run(args.side, max(7, args.repeats))


if __name__ == "__main__":
    sys.exit(main())
