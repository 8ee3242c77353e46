"""Checks that models move between Keras and Fluxion with the same predictions.

Not a test (it needs real Keras, which is no dependency of Fluxion): run it with Fluxion's
Python and point it at a Python that has Keras 3 (TensorFlow or the torch backend) and h5py:

    python3 -m venv /tmp/kref && /tmp/kref/bin/pip install keras torch h5py   # or tensorflow-cpu
    .venv/bin/python tools/keras_interchange.py --keras-python /tmp/kref/bin/python

Three stages, each in its own process:
1. Keras builds each model below (the same building code runs on both libraries), trains it
   one step (so the files hold optimizer state), saves `.keras` and legacy `.h5`, and writes
   its predictions on fixed inputs;
2. Fluxion loads those files and compares its predictions with Keras's; then builds the same
   models itself, saves them, and writes its predictions;
3. Keras loads Fluxion's files and compares.
It prints one line per model, format and direction, and exits non-zero on any failure.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import traceback

import numpy as np

RTOL, ATOL = 1e-4, 1e-5  # float32: different summation orders, different libm


def build_mlp(keras):
    """The book's MNIST MLP."""
    layers = keras.layers
    return keras.Sequential([keras.Input((784,)), layers.Dense(128, activation="relu"),
                             layers.Dropout(0.3), layers.Dense(128, activation="relu"),
                             layers.Dropout(0.3), layers.Dense(10, activation="softmax")])


def build_cnn(keras):
    """LeNet-like CNN: Conv2D, pooling, BatchNormalization, Flatten, Dense."""
    layers = keras.layers
    return keras.Sequential([
        keras.Input((28, 28, 1)), layers.Conv2D(6, 5, activation="relu", padding="same"),
        layers.MaxPooling2D(), layers.Conv2D(16, 3, activation="relu"),
        layers.BatchNormalization(), layers.AveragePooling2D(2), layers.Flatten(),
        layers.Dense(32, activation="tanh"), layers.Dense(10, activation="softmax")])


def build_lstm(keras):
    """IMDb-style sentiment model: Embedding, stacked LSTMs, Dense."""
    layers = keras.layers
    return keras.Sequential([keras.Input((12,), dtype="int32"), layers.Embedding(50, 8),
                             layers.LSTM(16, return_sequences=True), layers.LSTM(8),
                             layers.Dense(1, activation="sigmoid")])


def build_rnns(keras):
    """GRU, SimpleRNN, Bidirectional, Conv1D and GlobalMaxPooling1D."""
    layers = keras.layers
    return keras.Sequential([
        keras.Input((10, 4)), layers.Conv1D(6, 3, activation="relu"),
        layers.Bidirectional(layers.GRU(5, return_sequences=True)),
        layers.SimpleRNN(4, return_sequences=True), layers.GlobalMaxPooling1D(),
        layers.Dense(2)])


def build_functional(keras):
    """A functional model with two inputs, merges, LayerNormalization and activations."""
    layers = keras.layers
    a, b = keras.Input((6,), name="a"), keras.Input((6,), name="b")
    shared = layers.Dense(8, activation="elu")
    h = layers.concatenate([shared(a), shared(b)])
    h = layers.LayerNormalization()(h)
    h = layers.Add()([layers.Dense(5, activation="gelu")(h), layers.Dense(5)(h)])
    h = layers.LeakyReLU(negative_slope=0.1)(h)
    return keras.Model([a, b], layers.Dense(3, activation="softmax")(h))


def build_shapes(keras):
    """Reshape, Permute, ZeroPadding2D, UpSampling2D, Conv2DTranspose, GlobalAveragePooling2D."""
    layers = keras.layers
    return keras.Sequential([
        keras.Input((16,)), layers.Dense(24), layers.Reshape((4, 3, 2)),
        layers.Permute((2, 1, 3)), layers.ZeroPadding2D(1), layers.UpSampling2D(2),
        layers.Conv2DTranspose(3, 3, strides=2), layers.GlobalAveragePooling2D(),
        layers.Activation("softsign")])


MODELS = {"mlp": build_mlp, "cnn": build_cnn, "lstm": build_lstm, "rnns": build_rnns,
          "functional": build_functional, "shapes": build_shapes}


def inputs_for(name):
    rng = np.random.default_rng(0)
    if name == "mlp":
        return rng.random((8, 784), dtype=np.float32)
    if name == "cnn":
        return rng.random((4, 28, 28, 1), dtype=np.float32)
    if name == "lstm":
        return rng.integers(1, 50, (4, 12)).astype("int32")
    if name == "rnns":
        return rng.normal(size=(4, 10, 4)).astype("float32")
    if name == "functional":
        return [rng.normal(size=(4, 6)).astype("float32") for _ in range(2)]
    return rng.normal(size=(4, 16)).astype("float32")


def _train_one_step(keras, model, x):
    # "mean_squared_error", not "mse": Keras 3.15 cannot reload its own legacy .h5 with "mse".
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mean_squared_error")
    y = model.predict(x, verbose=0)
    model.fit(x, y + 0.1, epochs=1, batch_size=len(y), verbose=0)


def _optimizer_arrays(model):
    """The optimizer's state in Keras's order (Fluxion: the order its files use)."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return []
    if type(optimizer).__module__.startswith("fluxion"):
        from fluxion.keras.saving.weights import keras_optimizer_variables
        variables = keras_optimizer_variables(optimizer)
    else:
        variables = optimizer.variables
    return [np.asarray(v.numpy(), dtype="float64") for v in variables]


def _same_state(got, expected):
    return len(got) == len(expected) and all(
        a.shape == b.shape and np.allclose(a, b, rtol=RTOL, atol=ATOL)
        for a, b in zip(got, expected))


def _layer_types(model):
    return sorted({type(layer).__name__ for layer in model.layers} - {"InputLayer"})


def save_stage(keras, prefix, workdir):
    """Builds, trains one step, saves and writes predictions of every model."""
    report = {}
    for name, build in MODELS.items():
        try:
            model = build(keras)
            x = inputs_for(name)
            _train_one_step(keras, model, x)
            model.save(os.path.join(workdir, f"{prefix}_{name}.keras"))
            model.save(os.path.join(workdir, f"{prefix}_{name}.h5"))
            np.save(os.path.join(workdir, f"{prefix}_{name}_pred.npy"),
                    model.predict(x, verbose=0))
            np.savez(os.path.join(workdir, f"{prefix}_{name}_opt.npz"),
                     *_optimizer_arrays(model))
            report[name] = {"saved": True, "layers": _layer_types(model)}
        except Exception as error:  # report and go on with the other models
            report[name] = {"saved": False, "error": f"{type(error).__name__}: {error}"[:400]}
    return report


def load_stage(keras, prefix, workdir):
    """Loads the other side's files and compares predictions."""
    report = {}
    for name in MODELS:
        expected_path = os.path.join(workdir, f"{prefix}_{name}_pred.npy")
        if not os.path.exists(expected_path):
            continue
        expected = np.load(expected_path)
        with np.load(os.path.join(workdir, f"{prefix}_{name}_opt.npz")) as saved:
            expected_state = [saved[f"arr_{i}"] for i in range(len(saved.files))]
        for ext in (".keras", ".h5"):
            key = f"{name}{ext}"
            try:
                model = keras.models.load_model(os.path.join(workdir, f"{prefix}_{name}{ext}"))
                got = np.asarray(model.predict(inputs_for(name), verbose=0))
                diff = float(np.max(np.abs(got - expected)))
                state = _optimizer_arrays(model)
                if ext == ".h5" and prefix == "f" and len(state) < len(expected_state):
                    # Keras 3 does not rebuild the optimizer state of legacy .h5 files (not
                    # even of its own): only iterations and learning rate come back.
                    state_ok, note = _same_state(state, expected_state[:len(state)]), \
                        "not restored by Keras from legacy .h5"
                else:
                    state_ok = _same_state(state, expected_state)
                    note = f"({len(expected_state)} variables) " + \
                        ("equal" if state_ok else "DIFFERENT")
                ok = bool(np.allclose(got, expected, rtol=RTOL, atol=ATOL)) and state_ok
                report[key] = {"ok": ok, "max_abs_diff": diff,
                               "optimizer": f"{type(model.optimizer).__name__} state {note}"}
            except Exception as error:
                report[key] = {"ok": False, "error": f"{type(error).__name__}: {error}"[:600],
                               "trace": traceback.format_exc()[-1500:]}
    return report


def _stage_main(stage, workdir):
    if stage.startswith("keras"):
        os.environ.setdefault("KERAS_BACKEND", "torch" if _has("torch") and not _has(
            "tensorflow") else os.environ.get("KERAS_BACKEND", "tensorflow"))
        import keras
        version = f"keras {keras.__version__} ({keras.backend.backend()})"
    else:
        from fluxion import keras
        version = "fluxion"
    if stage == "keras-save":
        result = {"version": version, "save": save_stage(keras, "k", workdir)}
    elif stage == "fluxion":
        result = {"version": version, "load": load_stage(keras, "k", workdir),
                  "save": save_stage(keras, "f", workdir)}
    else:
        result = {"version": version, "load": load_stage(keras, "f", workdir)}
    with open(os.path.join(workdir, f"{stage}.json"), "w") as f:
        json.dump(result, f, indent=1)


def _has(module):
    import importlib.util
    return importlib.util.find_spec(module) is not None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keras-python", default=os.environ.get("KERAS_PYTHON"),
                        help="a Python interpreter with Keras 3 and h5py installed")
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--stage", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        return _stage_main(args.stage, args.workdir)
    if not args.keras_python:
        parser.error("--keras-python is required (a venv with keras and h5py)")
    workdir = args.workdir or tempfile.mkdtemp(prefix="keras-interchange-")
    script = os.path.abspath(__file__)
    for stage, python in (("keras-save", args.keras_python), ("fluxion", sys.executable),
                          ("keras-load", args.keras_python)):
        subprocess.run([python, script, "--stage", stage, "--workdir", workdir], check=True)
    results = {s: json.load(open(os.path.join(workdir, f"{s}.json")))
               for s in ("keras-save", "fluxion", "keras-load")}
    return _print_report(results, workdir)


def _print_report(results, workdir):
    keras_version = results["keras-save"]["version"]
    print(f"Keras: {keras_version}; files in {workdir}")
    failures, passed, layer_types = 0, {}, {}
    for direction, saved, loaded in (("Keras -> Fluxion", results["keras-save"]["save"],
                                      results["fluxion"]["load"]),
                                     ("Fluxion -> Keras", results["fluxion"]["save"],
                                      results["keras-load"]["load"])):
        print(f"\n{direction}")
        for name, info in saved.items():
            if not info.get("saved"):
                failures += 1
                print(f"  {name:<11} not saved: {info.get('error')}")
                continue
            for ext in (".keras", ".h5"):
                entry = loaded.get(f"{name}{ext}", {"ok": False, "error": "not loaded"})
                status = "ok  " if entry.get("ok") else "FAIL"
                detail = f"max |diff| {entry['max_abs_diff']:.2e}, optimizer " \
                         f"{entry.get('optimizer')}" if "max_abs_diff" in entry else \
                    entry.get("error", "")
                print(f"  {status} {name:<11}{ext:<7} {detail}")
                layer_types[name] = info["layers"]
                passed[name] = passed.get(name, 0) + bool(entry.get("ok"))
                if not entry.get("ok"):
                    failures += 1
                    if entry.get("trace"):
                        print("       " + entry["trace"].strip().splitlines()[-1][:300])
    verified = sorted({t for name, count in passed.items() if count == 4
                       for t in layer_types[name]})
    print(f"\nLayers verified (models passing .keras and .h5 both ways): {', '.join(verified)}")
    print(f"{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
