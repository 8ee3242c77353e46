"""Where a compiled training step spends its time: each graph node's kernel call, timed over one
epoch of a peers' workload (the `bench/ab_fit.py` workloads), slowest first, per step.

    python bench/profile_step.py mlp
    FLUXION_NUMBA=0 python bench/profile_step.py mlp     # the NumPy kernels only

The timer adds about 0.1 µs a node. A node's time includes its cache misses, so it is often
longer than the same kernel timed alone on data already in cache.
"""
import argparse
import collections
import gc
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import ab_fit  # noqa: E402

from fluxion.graph.executor import Executable  # noqa: E402
from fluxion.kernels import compiled  # noqa: E402


def timed(totals, key, fn):
    def call(*args, **kwargs):
        start = time.perf_counter()
        result = fn(*args, **kwargs)
        totals[key] += time.perf_counter() - start
        return result
    return call


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", choices=["mlp", "v1", "lenet", "lstm", "gru", "imdb"])
    parser.add_argument("--top", type=int, default=30, help="how many nodes to print")
    args = parser.parse_args()
    kernels = compiled.wait() if compiled.ENABLED else []
    model, x, y, batch = ab_fit.traced(args.workload)
    model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
    step = max((o for o in gc.get_objects() if isinstance(o, Executable)),
               key=lambda e: len(e._program))  # the training step: the largest program
    totals = collections.defaultdict(float)
    namespace = step._run.__globals__
    for k, (fn, _, _, _, _, node) in enumerate(step._program):
        shape = tuple(node.outputs[0]._value.shape) if node.outputs else ()
        namespace[f"f{k}"] = timed(totals, (k, node.op.name[:70], shape), fn)
    start = time.perf_counter()
    model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
    epoch = time.perf_counter() - start
    steps = -(-len(x) // batch)
    print(f"epoch {epoch:.3f} s, {steps} steps; the step's {len(step._program)} nodes "
          f"{1e6 * sum(totals.values()) / steps:.0f} µs a step "
          f"(compiled kernels: {', '.join(kernels) or 'none'})")
    for (k, name, shape), total in sorted(totals.items(), key=lambda kv: -kv[1])[:args.top]:
        print(f"{1e6 * total / steps:8.1f} µs  node {k:3d}  {name} -> {shape}")


if __name__ == "__main__":
    main()
