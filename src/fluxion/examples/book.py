"""Runs the book's chapter-1 experiments and prints their accuracies beside the book's.

The experiments are the programs in `examples/book/` (the book's TensorFlow code with only the
import changed): the MNIST nets V1 to V5, the dropout / learning-rate / hidden-size / batch-size
studies on V5, and the IMDb sentiment model. This runner imports each program's `build_model`,
trains it, prints a table of train / validation / test accuracy and seconds per experiment beside
the book's figures, and writes the plots of the book's Figures 21 and 23-30 as PNG files.

    python -m fluxion.examples.book --quick      # a few minutes: fewer epochs and values
    python -m fluxion.examples.book --full       # the book's epochs (40-60 min on 2 cores)
    python -m fluxion.examples.book --only v5_adam --only sweep_dropout --out results/

Plots need matplotlib (`pip install 'fluxion[plots]'`); without it the table still prints.
"""
import argparse
import dataclasses
import importlib
import json
import os
import sys
import time
from pathlib import Path

from .book_plots import write_plots

PROGRAMS_HINT = "examples/book/ of a fluxion source checkout"


@dataclasses.dataclass(frozen=True)
class Experiment:
    """One chapter-1 program, with the book's figures and how much of it each mode runs.

    `book` holds the book's (train, validation, test) accuracies in percent (None where the
    book gives none); `param` names the hyperparameter a study varies (`batch_size` goes to
    `fit`, the others to `build_model`), `quick_values` the values the quick mode tries.
    """
    name: str
    title: str
    book_epochs: int
    quick_epochs: int
    book: tuple = (None, None, None)
    param: str = None
    quick_values: tuple = ()
    validate_on_test: bool = False


EXPERIMENTS = (
    Experiment("v1_single_layer", "V1 single layer, SGD", 200, 5, (89.96, 90.70, 90.71)),
    Experiment("v2_two_hidden", "V2 two hidden (128), SGD", 50, 5, (90.81, 91.40, 91.18)),
    Experiment("v3_dropout", "V3 dropout 0.3, SGD", 200, 5, (91.70, 94.42, 94.15)),
    Experiment("v4_rmsprop", "V4 RMSprop", 10, 3, (97.43, 97.62, 97.64)),
    Experiment("v5_adam", "V5 Adam", 20, 3, (98.94, 97.89, 97.82)),
    Experiment("sweep_dropout", "Adam, dropout", 20, 2, param="dropout",
               quick_values=(0.1, 0.3, 0.5)),
    Experiment("sweep_learning_rate", "Adam, learning rate", 20, 2, param="learning_rate",
               quick_values=(0.1, 0.01, 0.001)),
    Experiment("sweep_hidden_size", "Adam, hidden units", 20, 2, param="n_hidden",
               quick_values=(32, 128, 256)),
    Experiment("sweep_batch_size", "Adam, batch size", 20, 2, param="batch_size",
               quick_values=(64, 128, 256, 512)),
    Experiment("imdb_sentiment", "IMDb sentiment, Adam", 20, 2, (None, None, 85.0),
               validate_on_test=True),
)


@dataclasses.dataclass
class Result:
    """What one training produced: final accuracies, seconds, parameter count and history."""
    experiment: str
    label: str
    value: object
    epochs: int
    train: float
    val: float
    test: float
    seconds: float
    params: int
    history: dict


def find_programs(directory=None):
    """Returns the folder holding the book's programs.

    Looks at `directory`, then `./examples/book`, then `examples/book` next to the fluxion
    source tree (an editable install).

    Raises:
        FileNotFoundError: if none of them holds `book_settings.py`.
    """
    here = Path(__file__).resolve()
    candidates = ([Path(directory)] if directory else
                  [Path.cwd() / "examples" / "book", here.parents[3] / "examples" / "book"])
    for candidate in candidates:
        if (candidate / "book_settings.py").is_file():
            return candidate.resolve()
    raise FileNotFoundError(
        "fluxion.examples.book: the book's programs were not found in "
        f"{', '.join(str(c) for c in candidates)}. Run from the project root or pass "
        f"--examples DIR pointing at {PROGRAMS_HINT}.")


def load_program(directory, name):
    """Imports `<directory>/<name>.py` (the programs import each other as siblings)."""
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))
    return importlib.import_module(name)


def _limit(data, limit):
    (x_train, y_train), (x_test, y_test) = data
    if not limit:
        return data
    return (x_train[:limit], y_train[:limit]), (x_test[:limit], y_test[:limit])


def train_one(experiment, program, settings, data, epochs, value, seed):
    """Builds, trains and evaluates one model the way the book's program does; returns a Result.

    `settings` is the programs' `book_settings` module (batch size and validation split).
    """
    from fluxion import keras
    keras.utils.set_random_seed(seed)
    (x_train, y_train), (x_test, y_test) = data
    batch_size = getattr(program, "BATCH_SIZE", settings.BATCH_SIZE)
    if experiment.param == "batch_size":
        model, batch_size = program.build_model(), value
    elif experiment.param:
        model = program.build_model(**{experiment.param: value})
    else:
        model = program.build_model()
    validation = ({"validation_data": (x_test, y_test)} if experiment.validate_on_test
                  else {"validation_split": settings.VALIDATION_SPLIT})
    start = time.perf_counter()
    history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=0,
                        **validation)
    seconds = time.perf_counter() - start
    _, test_acc = model.evaluate(x_test, y_test, batch_size=batch_size, verbose=0)
    logs = {key: [float(v) for v in values] for key, values in history.history.items()}
    label = f"{experiment.param}={value}" if experiment.param else experiment.title
    return Result(experiment.name, label, value, epochs, logs["accuracy"][-1],
                  logs["val_accuracy"][-1], float(test_acc), seconds, model.count_params(), logs)


def _percent(value):
    return "     -" if value is None else f"{100 * value:5.2f}%"


def _book_percent(value):
    return "     -" if value is None else f"{value:5.2f}%"


def format_table(results, experiments):
    """The results table: ours (train / val / test / seconds) beside the book's accuracies."""
    by_name = {e.name: e for e in experiments}
    head = (f"{'experiment':<28} {'epochs':>6} {'train':>6} {'val':>6} {'test':>6} {'time':>7}"
            f" | {'book: train':>11} {'val':>6} {'test':>6} {'epochs':>6}")
    lines = [head, "-" * len(head)]
    for r in results:
        e = by_name[r.experiment]
        book = e.book if not e.param else (None, None, None)
        lines.append(
            f"{r.label:<28} {r.epochs:>6} {_percent(r.train)} {_percent(r.val)} "
            f"{_percent(r.test)} {r.seconds:>6.1f}s | {_book_percent(book[0]):>11} "
            f"{_book_percent(book[1])} {_book_percent(book[2])} {e.book_epochs:>6}")
    return "\n".join(lines)


def select(names):
    """The experiments named in `names` (all when empty), in the book's order.

    Raises:
        SystemExit: for an unknown name, listing the known ones.
    """
    wanted = [n for arg in names or () for n in arg.split(",") if n]
    known = {e.name for e in EXPERIMENTS}
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise SystemExit(f"fluxion.examples.book: unknown experiment {unknown[0]!r}; "
                         f"choose from {', '.join(sorted(known))}.")
    return [e for e in EXPERIMENTS if not wanted or e.name in wanted]


def parse_args(argv=None):
    """Parses the command line (`argv`, default `sys.argv[1:]`) into an `argparse.Namespace`."""
    parser = argparse.ArgumentParser(
        prog="python -m fluxion.examples.book",
        description="Train the book's chapter-1 experiments and compare with its figures.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true",
                      help="fewer epochs and values: a few minutes on 2 cores (the default)")
    mode.add_argument("--full", action="store_true", help="the book's epochs and all values")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="run only these experiments (repeat or comma-separate): "
                             + ", ".join(e.name for e in EXPERIMENTS))
    parser.add_argument("--out", default="book_results",
                        help="folder for the plots and results.json (default: ./book_results)")
    parser.add_argument("--epochs", type=int, help="override every experiment's epochs")
    parser.add_argument("--limit", type=int,
                        help="use only the first LIMIT training and test samples (for CI)")
    parser.add_argument("--seed", type=int, default=0, help="keras.utils.set_random_seed value")
    parser.add_argument("--examples", help=f"the folder of the book's programs ({PROGRAMS_HINT})")
    return parser.parse_args(argv)


def _save(out, mode, results):
    """Rewrites `out/results.json` (after every training, so a long run loses nothing)."""
    (out / "results.json").write_text(json.dumps(
        {"mode": mode, "results": [dataclasses.asdict(r) for r in results]}, indent=1))


def run(args):
    """Trains the selected experiments, prints the table, writes results.json and the plots."""
    directory = find_programs(args.examples)
    experiments = select(args.only)
    mode = "full" if args.full else "quick"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print(f"fluxion.examples.book: {mode} run of {len(experiments)} experiment(s) from "
          f"{directory}; results and plots go to {out.resolve()}", flush=True)
    settings = load_program(directory, "book_settings")
    results, datasets = [], {}
    for experiment in experiments:
        program = load_program(directory, experiment.name)
        load_data = getattr(program, "load_data", settings.load_data)
        if load_data not in datasets:
            datasets[load_data] = _limit(load_data(), args.limit)
        data = datasets[load_data]
        epochs = args.epochs or (experiment.book_epochs if args.full else experiment.quick_epochs)
        if experiment.param:
            values = program.VALUES if args.full else experiment.quick_values
        else:
            values = [None]
        for value in values:
            result = train_one(experiment, program, settings, data, epochs, value, args.seed)
            results.append(result)
            _save(out, mode, results)
            print(f"  {experiment.name} {result.label}: {epochs} epochs, train "
                  f"{_percent(result.train)}, val {_percent(result.val)}, test "
                  f"{_percent(result.test)} ({result.seconds:.1f} s)", flush=True)
    print()
    print(format_table(results, experiments))
    written = write_plots(results, out)
    if written is None:
        print(f"\nPlots skipped: matplotlib is not installed (pip install 'fluxion[plots]' or "
              f"pip install matplotlib). Results are in {out / 'results.json'}.")
    else:
        print(f"\nPlots written to {out.resolve()}{os.sep}: {', '.join(written)}")
        print(f"Results in {out / 'results.json'}.")
    return results


def main(argv=None):
    """Command-line entry point: `python -m fluxion.examples.book [--quick|--full] ...`."""
    return run(parse_args(argv))


if __name__ == "__main__":
    main()
