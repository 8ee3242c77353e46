"""Runs Fluxion's benchmarks and prints one table of medians and ratios.

    python bench/run.py                                   # Fluxion and NumPy
    python bench/run.py --torch-python /path/to/python    # and PyTorch eager, from another venv

Each bench runs in its own process (peers never enter the project's environment); this script
only collects their JSON lines and prints them side by side. Benchmarks are not tests: nothing
here gates CI. See bench/README.md for the goals and the last measured numbers.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run_bench(script, args, python=sys.executable):
    """Runs bench/`script` with `python`; returns its JSON records."""
    out = subprocess.run([python, os.path.join(HERE, script), *args], capture_output=True,
                         text=True)
    if out.returncode:
        raise SystemExit(f"{script} failed with {python}:\n{out.stderr}")
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def _cell(value, fmt):
    return "-" if value is None else format(value, fmt)


def dispatch_table(records):
    """Rows: one case each; µs per call, the difference to NumPy and the ratio to torch."""
    by = {(r["case"], r["impl"]): r["median_us"] for r in records}
    cases = list(dict.fromkeys(r["case"] for r in records))
    lines = [f"{'eager dispatch (µs/call, median)':34} {'numpy':>8} {'fluxion':>8} "
             f"{'flx-np':>8} {'torch':>8} {'flx/torch':>9}"]
    for case in cases:
        np_us, fx_us, th_us = (by.get((case, i)) for i in ("numpy", "fluxion", "torch"))
        diff = fx_us - np_us if fx_us is not None and np_us is not None else None
        ratio = fx_us / th_us if fx_us is not None and th_us else None
        lines.append(f"{case:34} {_cell(np_us, '8.2f')} {_cell(fx_us, '8.2f')} "
                     f"{_cell(diff, '+8.2f')} {_cell(th_us, '8.2f')} {_cell(ratio, '9.2f')}")
    return lines


def import_table(records):
    """Rows: one module each; seconds and MB, and their ratios to Fluxion's."""
    fx = next((r for r in records if r["impl"] == "fluxion"), None)
    lines = [f"{'import (fresh process, median)':34} {'seconds':>8} {'peak RSS MB':>12} "
             f"{'s/fluxion':>10} {'MB/fluxion':>11}"]
    for r in records:
        s_ratio = r["median_s"] / fx["median_s"] if fx else None
        mb_ratio = r["median_rss_mb"] / fx["median_rss_mb"] if fx else None
        lines.append(f"{r['case']:34} {r['median_s']:8.3f} {r['median_rss_mb']:12.1f} "
                     f"{_cell(s_ratio, '10.2f')} {_cell(mb_ratio, '11.2f')}")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torch-python", help="an interpreter with torch installed")
    parser.add_argument("--repeats", type=int, default=9, help="repeats per median (>= 7)")
    parser.add_argument("--only", default="dispatch,import",
                        help="comma-separated benches to run: dispatch, import")
    parser.add_argument("--json", help="also write every record to this file")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    repeats = ["--repeats", str(max(7, args.repeats))]
    records, lines = [], []
    if "dispatch" in only:
        dispatch = run_bench("bench_dispatch.py", ["--side", "fluxion", *repeats])
        if args.torch_python:
            dispatch += run_bench("bench_dispatch.py", ["--side", "torch", *repeats],
                                  args.torch_python)
        records += dispatch
        lines += dispatch_table(dispatch) + [""]
    if "import" in only:
        imports = run_bench("bench_import.py", ["--modules", "fluxion,numpy", *repeats])
        if args.torch_python:
            imports += [r for r in run_bench("bench_import.py", ["--modules", "torch", *repeats],
                                             args.torch_python) if r["impl"] == "torch"]
        records += imports
        lines += import_table(imports)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores; goals: dispatch within "
          "3 µs of NumPy and no slower than torch; import under 0.3 s and 60 MB.")
    print("\n".join(lines))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(records, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
