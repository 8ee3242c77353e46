"""A/B of one setting inside one process: `model.fit` epochs alternating between its values.

This machine's speed drifts by 20-40% within minutes, so two versions timed in separate processes
a minute apart often disagree about which is faster. Here one process times whole epochs,
switching a module attribute (a kernel's threshold, an update rule, a thread count) between
epochs, each value on a model of its own traced with it (so that settings read at trace time
count too), reversing the order every round; it prints each value's median and in how many
rounds it was the fastest. Workloads are the peers' (bench/peers/common.py): the book's MLP
(batch 128), V1 (its Dense(10) alone, SGD), LeNet (100 steps of 128), the LSTM (20 steps of 64;
`gru`: the same model with a GRU) and the IMDb model (10 steps of 500).

    python bench/ab_fit.py lenet fluxion.kernels.conv._ROW_PATCH_MIN_K=64,1000000000 --rounds 10
    python bench/ab_fit.py mlp fluxion.kernels.training.MIN_PER_THREAD=262144,32768

A graph pass acts when a step is traced, so it is compared on two models of the workload, one
traced without it, their epochs alternating the same way:

    python bench/ab_fit.py lenet --without-pass share_conv_patches --rounds 10
"""
import argparse
import ast
import importlib
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers"))

import common as C  # noqa: E402

from fluxion import keras  # noqa: E402
from fluxion.graph import passes as graph_passes  # noqa: E402
from fluxion.keras import layers  # noqa: E402
from fluxion.kernels import compiled  # noqa: E402


def workload(name):
    """(model, x, y, batch size) of a peers' workload, compiled with Adam."""
    if name == "mlp":
        x, _, y = C.mnist_data(C.MNIST_TRAIN)
        model = keras.Sequential([
            keras.Input((C.MNIST_DIM,)), layers.Dense(C.MLP_HIDDEN, activation="relu"),
            layers.Dropout(C.MLP_DROPOUT), layers.Dense(C.MLP_HIDDEN, activation="relu"),
            layers.Dropout(C.MLP_DROPOUT), layers.Dense(C.MNIST_CLASSES, activation="softmax")])
        batch, loss = 128, "categorical_crossentropy"
    elif name == "v1":
        x, _, y = C.mnist_data(C.MNIST_TRAIN)
        model = keras.Sequential([keras.Input((C.MNIST_DIM,)),
                                  layers.Dense(C.MNIST_CLASSES, activation="softmax")])
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01),
                      loss="categorical_crossentropy", metrics=["accuracy"])
        return model, x, y, 128
    elif name == "lenet":
        x, _, y = C.lenet_data(C.LENET_BATCH * C.LENET_STEPS, channels_last=True)
        model = keras.Sequential([
            keras.Input((28, 28, 1)), layers.Conv2D(20, (5, 5), activation="relu"),
            layers.MaxPooling2D((2, 2), strides=(2, 2)),
            layers.Conv2D(50, (5, 5), activation="relu"),
            layers.MaxPooling2D((2, 2), strides=(2, 2)), layers.Flatten(),
            layers.Dense(500, activation="relu"), layers.Dense(10, activation="softmax")])
        batch, loss = C.LENET_BATCH, "categorical_crossentropy"
    elif name in ("lstm", "gru"):
        x, y = C.lstm_data(C.LSTM_BATCH * C.LSTM_STEPS)
        recurrent = layers.LSTM if name == "lstm" else layers.GRU
        model = keras.Sequential([
            keras.Input((C.LSTM_LEN,), dtype="int32"), layers.Embedding(C.LSTM_VOCAB, C.LSTM_EMB),
            recurrent(C.LSTM_UNITS), layers.Dense(1, activation="sigmoid")])
        batch, loss = C.LSTM_BATCH, "binary_crossentropy"
    elif name == "imdb":
        x, y = C.imdb_data()
        x, y = x[:C.IMDB_BATCH * C.IMDB_BLOCK_STEPS], y[:C.IMDB_BATCH * C.IMDB_BLOCK_STEPS]
        model = keras.Sequential([
            keras.Input((C.IMDB_LEN,), dtype="int32"), layers.Embedding(C.IMDB_VOCAB, C.IMDB_EMB),
            layers.Dropout(0.3), layers.GlobalMaxPooling1D(),
            layers.Dense(C.IMDB_HIDDEN, activation="relu"), layers.Dropout(0.5),
            layers.Dense(1, activation="sigmoid")])
        batch, loss = C.IMDB_BATCH, "binary_crossentropy"
    else:
        raise SystemExit(f"ab_fit: unknown workload {name!r}; expected mlp, v1, lenet, lstm, "
                         f"gru or imdb.")
    model.compile(optimizer=keras.optimizers.Adam(), loss=loss, metrics=["accuracy"])
    return model, x, y, batch


def parse_setting(text):
    """'package.module.ATTR=v1,v2,...' -> (module, attribute name, [values]); values are Python
    literals (numbers, True/False/None, strings in quotes)."""
    target, _, values = text.partition("=")
    module_name, _, attr = target.rpartition(".")
    module = importlib.import_module(module_name)
    if not hasattr(module, attr):
        raise SystemExit(f"ab_fit: {module_name} has no attribute {attr!r}.")
    return module, attr, [ast.literal_eval(v) for v in values.split(",")]


def traced(name, passes=None):
    """A workload's model, its step traced (with the graph passes `passes`, default all)."""
    keras.utils.set_random_seed(C.SEED)
    model, x, y, batch = workload(name)
    default = graph_passes.DEFAULT_PASSES
    if passes is not None:
        graph_passes.DEFAULT_PASSES = passes
    try:
        model.fit(x[:batch * 5], y[:batch * 5], batch_size=batch, epochs=1, verbose=0)
    finally:
        graph_passes.DEFAULT_PASSES = default
    return model, x, y, batch


def alternate(rounds, runs):
    """Times each of `runs` (callables) once a round, order reversed every other round;
    returns ({k: times}, {k: rounds won})."""
    times = {k: [] for k in range(len(runs))}
    wins = dict.fromkeys(times, 0)
    for r in range(rounds):
        this_round = {}
        for k in (list(times) if r % 2 == 0 else list(times)[::-1]):
            start = time.perf_counter()
            runs[k]()
            this_round[k] = time.perf_counter() - start
            times[k].append(this_round[k])
        wins[min(this_round, key=this_round.get)] += 1
    return times, wins


def report(labels, times, wins, rounds):
    for k, label in enumerate(labels):
        print(f"{label:>32}: median {statistics.median(times[k]):.3f} s an epoch, fastest in "
              f"{wins[k]} of {rounds} rounds ({', '.join(f'{t:.3f}' for t in times[k])})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", choices=["mlp", "v1", "lenet", "lstm", "gru", "imdb"])
    parser.add_argument("setting", nargs="?", help="module.ATTR=value1,value2[,...]")
    parser.add_argument("--without-pass", metavar="NAME",
                        help="compare the default graph passes with them less pass NAME")
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    compiled.wait()  # the compiled kernels (numba, if installed) from the first epoch on
    if args.without_pass:
        passes = graph_passes.DEFAULT_PASSES
        if args.without_pass not in [p.__name__ for p in passes]:
            raise SystemExit(f"ab_fit: no default graph pass {args.without_pass!r}; they are "
                             f"{', '.join(p.__name__ for p in passes)}.")
        fewer = tuple(p for p in passes if p.__name__ != args.without_pass)
        fits = []
        for chosen in (None, fewer):
            model, x, y, batch = traced(args.workload, chosen)
            fits.append(lambda m=model, x=x, y=y, b=batch: m.fit(x, y, batch_size=b, epochs=1,
                                                                   verbose=0))
        times, wins = alternate(args.rounds, fits)
        report(["all passes", f"without {args.without_pass}"], times, wins, args.rounds)
        return
    if not args.setting:
        raise SystemExit("ab_fit: give a setting (module.ATTR=v1,v2) or --without-pass NAME.")
    module, attr, values = parse_setting(args.setting)
    original = getattr(module, attr)

    def fit_with(value, model, x, y, batch):
        setattr(module, attr, value)
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
    try:
        # One model per value, traced with it: a setting read at trace time (a layout, a
        # buffer's shape) then holds for that model's steps too.
        fits = []
        for v in values:
            setattr(module, attr, v)
            workload = traced(args.workload)
            fits.append(lambda v=v, workload=workload: fit_with(v, *workload))
        times, wins = alternate(args.rounds, fits)
    finally:
        setattr(module, attr, original)
    report([f"{attr}={v!r}" for v in values], times, wins, args.rounds)


if __name__ == "__main__":
    main()
