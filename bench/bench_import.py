"""Import cost: seconds to import a package in a fresh interpreter, and the child's peak RSS.

Each measurement is a new process that times only the `import` statement (interpreter start-up
excluded) and reports `ru_maxrss` after it (so the RSS includes the interpreter, ~10 MB). The
median over `--repeats` processes is reported; `python -c pass` is measured as the baseline.

    python bench/bench_import.py --modules fluxion,numpy
    /path/to/torch-python bench/bench_import.py --modules torch

Prints one JSON record per line: {"bench", "case", "impl", "median_s", "median_rss_mb", ...}.
"""
import argparse
import json
import subprocess
import sys

CHILD = """
import json, resource, time
t0 = time.perf_counter()
{statement}
seconds = time.perf_counter() - t0
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps([seconds, rss_mb]))
"""


def measure(module, repeats, python=sys.executable):
    """(median seconds, median peak RSS in MB, samples) of importing `module` ("" for none)."""
    statement = f"import {module}" if module else "pass"
    code = CHILD.format(statement=statement)
    samples = []
    for _ in range(repeats + 1):
        out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
        samples.append(json.loads(out.stdout.strip().splitlines()[-1]))
    samples = samples[1:]  # the first run warms the OS file cache
    seconds = sorted(s[0] for s in samples)
    rss = sorted(s[1] for s in samples)
    return seconds[len(seconds) // 2], rss[len(rss) // 2], samples


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", default="fluxion,numpy",
                        help="comma-separated modules to import (the baseline is added)")
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args(argv)
    for module in ["", *[m for m in args.modules.split(",") if m]]:
        seconds, rss, samples = measure(module, max(7, args.repeats))
        print(json.dumps({"bench": "import", "case": f"import {module or '(nothing)'}",
                          "impl": module or "python", "median_s": seconds,
                          "median_rss_mb": rss, "samples": samples}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
