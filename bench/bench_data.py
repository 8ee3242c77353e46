"""The data pipeline: streaming a file larger than memory, and per-batch overhead against tf.data.

    python bench/bench_data.py stream [--gigabytes 1.0]     # peak RSS while streaming a file
    python bench/bench_data.py batches [--framework fluxion|tensorflow]

`stream` writes a float32 file of the given size under /tmp (once), then runs
`from_generator(read chunks).map(scale).batch(128).prefetch(AUTOTUNE)` over all of it and prints
the peak resident memory. `batches` times `from_tensor_slices((x, y)).shuffle(10000).batch(128)
.prefetch(AUTOTUNE)` over arrays of MNIST's shapes (60,000 x 784 float32): microseconds per
batch, median of 5 epochs. Run the tensorflow variant with a Python that has TensorFlow.
"""
import argparse
import os
import resource
import statistics
import time

import numpy as np

ROW = 256  # float32 values per record: 1 KiB


def stream(gigabytes):
    import fluxion as fx

    path = f"/tmp/fluxion-bench-{gigabytes:g}GB.f32"
    rows = int(gigabytes * (1 << 30)) // (ROW * 4)
    if not os.path.exists(path) or os.path.getsize(path) != rows * ROW * 4:
        chunk = np.random.default_rng(0).standard_normal((1 << 14, ROW)).astype(np.float32)
        with open(path + ".tmp", "wb") as f:
            for start in range(0, rows, len(chunk)):
                f.write(chunk[:min(len(chunk), rows - start)].tobytes())
        os.replace(path + ".tmp", path)

    def records():
        with open(path, "rb") as f:
            while True:
                block = f.read(ROW * 4 * 1024)
                if not block:
                    return
                yield from np.frombuffer(block, np.float32).reshape(-1, ROW)

    ds = (fx.data.Dataset.from_generator(records, output_signature=fx.TensorSpec((ROW,)))
          .map(lambda r: r * 0.5).batch(128).prefetch(fx.data.AUTOTUNE))
    t0 = time.perf_counter()
    count = sum(1 for _ in ds.as_numpy_iterator())
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"streamed {os.path.getsize(path) / (1 << 30):.2f} GiB in {count} batches, "
          f"{seconds:.1f} s; peak RSS {peak_mb:.0f} MB")


def batches(framework, epochs=5):
    rng = np.random.default_rng(0)
    x = rng.random((60000, 784), dtype=np.float32)
    y = rng.integers(0, 10, 60000).astype(np.int64)
    if framework == "tensorflow":
        import tensorflow as tf
        ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(10000).batch(128).prefetch(
            tf.data.AUTOTUNE)

        def run():
            return sum(1 for _ in ds)
    else:
        import fluxion as fx
        ds = fx.data.Dataset.from_tensor_slices((x, y)).shuffle(10000).batch(128).prefetch(
            fx.data.AUTOTUNE)

        def run():
            return sum(1 for _ in ds.as_numpy_iterator())
    run()
    times = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        n = run()
        times.append((time.perf_counter() - t0) / n)
    print(f"{framework}: {statistics.median(times) * 1e6:.0f} us per batch of 128 "
          f"(median of {epochs} epochs of {n} batches)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["stream", "batches"])
    parser.add_argument("--gigabytes", type=float, default=1.0)
    parser.add_argument("--framework", default="fluxion", choices=["fluxion", "tensorflow"])
    args = parser.parse_args()
    if args.what == "stream":
        stream(args.gigabytes)
    else:
        batches(args.framework)


if __name__ == "__main__":
    main()
