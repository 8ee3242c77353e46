"""Checks that models move between Keras and Fluxion with the same predictions.

Not a test (it needs real Keras, which is no dependency of Fluxion): run it with Fluxion's
Python and point it at a Python that has Keras 3 (TensorFlow or the torch backend) and h5py,
and optionally tf_keras (Keras 2 as TensorFlow ships it, for the legacy `.h5` files):

    python3 -m venv /tmp/kref && /tmp/kref/bin/pip install tensorflow tf_keras h5py
    .venv/bin/python tools/keras_interchange.py --keras-python /tmp/kref/bin/python

Stages, each in its own process:
1. Keras 3 and tf_keras 2 build each model below (the same building code runs on every
   library), train it one step (so the files hold optimizer state), save it in each format
   they write (Keras 3: `.keras`, legacy `.h5`, `.weights.h5`; tf_keras: `model.save("m.h5")`
   and `save_weights("w.h5")`) and write their predictions on fixed inputs;
2. Fluxion loads all those files and compares its predictions (and optimizer state) with the
   saver's; then builds the same models itself, saves them in every format, and writes its
   predictions;
3. Keras 3 and tf_keras load Fluxion's files (the formats each reads) and compare.
Weights-only files are loaded into the model built by the same code. It prints one line per
model, format and direction, then the layers verified, and exits non-zero on any failure.
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
    """IMDb-style sentiment model: Embedding, stacked LSTMs (one with dropout), Dense."""
    layers = keras.layers
    return keras.Sequential([keras.Input((12,), dtype="int32"), layers.Embedding(50, 8),
                             layers.LSTM(16, return_sequences=True, dropout=0.2,
                                         recurrent_dropout=0.2), layers.LSTM(8),
                             layers.Dense(1, activation="sigmoid")])


def build_rnns(keras):
    """GRU, SimpleRNN, Bidirectional, Conv1D and GlobalMaxPooling1D."""
    layers = keras.layers
    return keras.Sequential([
        keras.Input((10, 4)), layers.Conv1D(6, 3, activation="relu"),
        layers.Bidirectional(layers.GRU(5, return_sequences=True)),
        layers.SimpleRNN(4, return_sequences=True, dropout=0.1), layers.GlobalMaxPooling1D(),
        layers.Dense(2)])


def _is_keras2(keras):
    return getattr(keras, "__version__", "").startswith("2.")


def build_functional(keras):
    """A functional model with two inputs, merges, LayerNormalization and activations."""
    layers = keras.layers
    a, b = keras.Input((6,), name="a"), keras.Input((6,), name="b")
    shared = layers.Dense(8, activation="elu")
    h = layers.concatenate([shared(a), shared(b)])
    h = layers.LayerNormalization()(h)
    h = layers.Add()([layers.Dense(5, activation="gelu")(h), layers.Dense(5)(h)])
    slope = {"alpha" if _is_keras2(keras) else "negative_slope": 0.1}
    h = layers.LeakyReLU(**slope)(h)
    return keras.Model([a, b], layers.Dense(3, activation="softmax")(h))


def build_sequences(keras):
    """TimeDistributed, 1D pooling, every merging layer and GlobalAveragePooling1D, with two
    inputs and two outputs."""
    layers = keras.layers
    a, b = keras.Input((8, 5), name="a"), keras.Input((8, 5), name="b")
    ta = layers.TimeDistributed(layers.Dense(4, activation="tanh"))(a)
    tb = layers.TimeDistributed(layers.Dense(4))(b)
    merged = [layers.Multiply()([ta, tb]), layers.Subtract()([ta, tb]),
              layers.Average()([ta, tb]), layers.Maximum()([ta, tb]),
              layers.Minimum()([ta, tb])]
    h = layers.Concatenate(axis=-1)(merged)
    h = layers.MaxPooling1D(2)(h)
    h = layers.AveragePooling1D(2, strides=1, padding="same")(h)
    h = layers.GRU(4, return_sequences=True, reset_after=False)(h)
    pooled = layers.GlobalAveragePooling1D()(h)
    flat = layers.Flatten()(h)
    return keras.Model([a, b], [layers.Dense(2)(pooled), layers.Dense(3)(flat)])


def build_states(keras):
    """Recurrent layers given initial states by other inputs, returning their states."""
    layers = keras.layers
    x, h0, c0 = keras.Input((6, 3), name="x"), keras.Input((4,), name="h0"), \
        keras.Input((4,), name="c0")
    seq, h, c = layers.LSTM(4, return_sequences=True, return_state=True)(
        x, initial_state=[h0, c0])
    out = layers.SimpleRNN(4)(seq, initial_state=h)
    return keras.Model([x, h0, c0], layers.Concatenate()([out, c]))


def build_shapes(keras):
    """Reshape, Permute, ZeroPadding2D, UpSampling2D, Conv2DTranspose, GlobalAveragePooling2D."""
    layers = keras.layers
    return keras.Sequential([
        keras.Input((16,)), layers.Dense(24), layers.Reshape((4, 3, 2)),
        layers.Permute((2, 1, 3)), layers.ZeroPadding2D(1), layers.UpSampling2D(2),
        layers.Conv2DTranspose(3, 3, strides=2), layers.GlobalAveragePooling2D(),
        layers.Activation("softsign")])


MODELS = {"mlp": build_mlp, "cnn": build_cnn, "lstm": build_lstm, "rnns": build_rnns,
          "functional": build_functional, "sequences": build_sequences, "states": build_states,
          "shapes": build_shapes}
# (reader, model, format) Keras itself cannot do, shown but not counted as failures.
KNOWN_LIMITS = {("keras", "states", ".h5"): "Keras 3 cannot read the legacy nodes of recurrent "
                                             "layers given initial states (not even tf.keras 2's)"}


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
    if name == "sequences":
        return [rng.normal(size=(4, 8, 5)).astype("float32") for _ in range(2)]
    if name == "states":
        return [rng.normal(size=shape).astype("float32") for shape in ((4, 6, 3), (4, 4), (4, 4))]
    return rng.normal(size=(4, 16)).astype("float32")


# What each library writes and reads. Weights-only files ("weights" formats) are loaded into the
# model the same building code makes; "_w.h5" is the legacy `save_weights("w.h5")` layout.
SAVES = {"keras": (".keras", ".h5", ".weights.h5"), "tfkeras": (".h5", "_w.h5"),
         "fluxion": (".keras", ".h5", ".weights.h5", "_w.h5")}
READS = {"keras": (".keras", ".h5", ".weights.h5", "_w.h5"), "tfkeras": (".h5", "_w.h5"),
         "fluxion": (".keras", ".h5", ".weights.h5", "_w.h5")}
WEIGHTS_ONLY = (".weights.h5", "_w.h5")
FORMAT_NAMES = {".keras": ".keras", ".h5": ".h5 model", ".weights.h5": ".weights.h5",
                "_w.h5": ".h5 weights"}
PREFIX = {"keras": "k", "tfkeras": "t", "fluxion": "f"}
TITLES = {"keras": "Keras 3", "tfkeras": "tf_keras 2", "fluxion": "Fluxion"}


def _train_one_step(keras, model, x):
    # "mean_squared_error", not "mse": Keras 3.15 cannot reload its own legacy .h5 with "mse".
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mean_squared_error")
    y = model.predict(x, verbose=0)
    model.fit(x, _shifted(y), epochs=1, batch_size=len(_outputs(y)[0]), verbose=0)


def _outputs(prediction):
    return [np.asarray(p) for p in prediction] if isinstance(prediction, (list, tuple)) \
        else [np.asarray(prediction)]


def _shifted(y):
    return [p + 0.1 for p in y] if isinstance(y, (list, tuple)) else y + 0.1


def _optimizer_arrays(model):
    """The optimizer's state in Keras's order (Fluxion: the order its files use), without the
    learning-rate variable (tf_keras 2 keeps none: the rate is in the config)."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return []
    if type(optimizer).__module__.startswith("fluxion"):
        from fluxion.keras.saving.weights import keras_optimizer_variables
        variables = keras_optimizer_variables(optimizer)
    else:
        variables = optimizer.variables
    return [np.asarray(v.numpy(), dtype="float64") for v in variables
            if "learning_rate" not in (getattr(v, "path", None) or v.name)]


def _same_state(got, expected):
    return len(got) == len(expected) and all(
        a.shape == b.shape and np.allclose(a, b, rtol=RTOL, atol=ATOL)
        for a, b in zip(got, expected))


def _layer_types(model):
    found = set()

    def visit(layer):
        found.add(type(layer).__name__)
        for attr in ("layer", "forward_layer", "backward_layer"):
            inner = getattr(layer, attr, None)
            if inner is not None and hasattr(inner, "get_config"):
                visit(inner)
    for layer in model.layers:
        visit(layer)
    return sorted(found - {"InputLayer"})


def _save(model, path, ext):
    if ext in WEIGHTS_ONLY:
        model.save_weights(path)
    else:
        model.save(path)


def save_stage(keras, lib, workdir):
    """Builds, trains one step, saves (every format `lib` writes) and writes predictions."""
    report, prefix = {}, PREFIX[lib]
    for name, build in MODELS.items():
        try:
            model = build(keras)
            x = inputs_for(name)
            _train_one_step(keras, model, x)
            for ext in SAVES[lib]:
                _save(model, os.path.join(workdir, f"{prefix}_{name}{ext}"), ext)
            np.savez(os.path.join(workdir, f"{prefix}_{name}_pred.npz"),
                     *_outputs(model.predict(x, verbose=0)))
            np.savez(os.path.join(workdir, f"{prefix}_{name}_opt.npz"),
                     *_optimizer_arrays(model))
            report[name] = {"saved": True, "layers": _layer_types(model)}
        except Exception as error:  # report and go on with the other models
            report[name] = {"saved": False, "error": f"{type(error).__name__}: {error}"[:400],
                            "trace": traceback.format_exc()[-1500:]}
    return report


def _load_arrays(path):
    with np.load(path) as saved:
        return [saved[f"arr_{i}"] for i in range(len(saved.files))]


def _load(keras, name, path, ext):
    if ext in WEIGHTS_ONLY:
        model = MODELS[name](keras)
        model.load_weights(path)
        return model
    return keras.models.load_model(path)


def load_stage(keras, reader, writer, workdir):
    """Loads the files `writer` saved (the formats `reader` reads) and compares predictions
    and optimizer state with the writer's."""
    report, prefix = {}, PREFIX[writer]
    for name in MODELS:
        expected_path = os.path.join(workdir, f"{prefix}_{name}_pred.npz")
        if not os.path.exists(expected_path):
            continue
        expected = _load_arrays(expected_path)
        expected_state = _load_arrays(os.path.join(workdir, f"{prefix}_{name}_opt.npz"))
        for ext in SAVES[writer]:
            if ext not in READS[reader]:
                continue
            key = f"{name}{ext}"
            try:
                model = _load(keras, name, os.path.join(workdir, f"{prefix}_{name}{ext}"), ext)
                got = _outputs(model.predict(inputs_for(name), verbose=0))
                diff = max(float(np.max(np.abs(g - e))) for g, e in zip(got, expected))
                same = len(got) == len(expected) and all(
                    g.shape == e.shape and np.allclose(g, e, rtol=RTOL, atol=ATOL)
                    for g, e in zip(got, expected))
                if ext in WEIGHTS_ONLY:
                    state_ok, note = True, "weights only"
                elif reader == "keras" and ext == ".h5":
                    # Keras 3 does not rebuild the optimizer state of legacy .h5 files (not
                    # even of its own): only the iteration count comes back.
                    state_ok, note = True, "state not restored by Keras 3 from legacy .h5"
                else:
                    state = _optimizer_arrays(model)
                    state_ok = _same_state(state, expected_state)
                    note = f"{type(model.optimizer).__name__} state ({len(expected_state)} " \
                           f"variables) " + ("equal" if state_ok else
                                             f"DIFFERENT (got {len(state)} variables)")
                report[key] = {"ok": same and state_ok, "max_abs_diff": diff,
                               "optimizer": note}
            except Exception as error:
                report[key] = {"ok": False, "error": f"{type(error).__name__}: {error}"[:600],
                               "trace": traceback.format_exc()[-1500:]}
    return report


def _import(lib):
    if lib == "keras":
        os.environ.setdefault("KERAS_BACKEND", "torch" if _has("torch") and not _has(
            "tensorflow") else os.environ.get("KERAS_BACKEND", "tensorflow"))
        import keras
        return keras, f"keras {keras.__version__} ({keras.backend.backend()})"
    if lib == "tfkeras":
        import tf_keras
        return tf_keras, f"tf_keras {tf_keras.__version__}"
    from fluxion import keras
    return keras, "fluxion"


def _stage_main(stage, workdir):
    lib, _, action = stage.partition("-")
    keras, version = _import(lib)
    result = {"version": version}
    if lib == "fluxion":
        result["load"] = {writer: load_stage(keras, "fluxion", writer, workdir)
                          for writer in ("keras", "tfkeras")}
        result["save"] = save_stage(keras, "fluxion", workdir)
    elif action == "save":
        result["save"] = save_stage(keras, lib, workdir)
    else:
        result["load"] = {"fluxion": load_stage(keras, lib, "fluxion", workdir)}
    with open(os.path.join(workdir, f"{stage}.json"), "w") as f:
        json.dump(result, f, indent=1)


def _has(module, python=None):
    if python is None:
        import importlib.util
        return importlib.util.find_spec(module) is not None
    code = f"import importlib.util, sys; sys.exit(importlib.util.find_spec('{module}') is None)"
    return subprocess.run([python, "-c", code]).returncode == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keras-python", default=os.environ.get("KERAS_PYTHON"),
                        help="a Python interpreter with Keras 3 and h5py installed")
    parser.add_argument("--tf-keras-python", default=os.environ.get("TF_KERAS_PYTHON"),
                        help="a Python with tf_keras (Keras 2) and h5py; default: --keras-python "
                             "if it has tf_keras")
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--stage", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        return _stage_main(args.stage, args.workdir)
    if not args.keras_python:
        parser.error("--keras-python is required (a venv with keras and h5py)")
    pythons = {"keras": args.keras_python, "fluxion": sys.executable}
    tf_python = args.tf_keras_python or args.keras_python
    if _has("tf_keras", tf_python):
        pythons["tfkeras"] = tf_python
    else:
        print(f"tf_keras is not installed in {tf_python}: legacy Keras 2 files not checked.")
    workdir = args.workdir or tempfile.mkdtemp(prefix="keras-interchange-")
    os.makedirs(workdir, exist_ok=True)
    script = os.path.abspath(__file__)
    stages = [f"{lib}-save" for lib in pythons if lib != "fluxion"] + ["fluxion-both"] + \
        [f"{lib}-load" for lib in pythons if lib != "fluxion"]
    for stage in stages:
        subprocess.run([sys.executable if stage.startswith("fluxion") else
                        pythons[stage.split("-")[0]], script, "--stage", stage,
                        "--workdir", workdir], check=True)
    results = {s: json.load(open(os.path.join(workdir, f"{s}.json"))) for s in stages}
    return _print_report(results, [lib for lib in pythons if lib != "fluxion"], workdir)


def _print_direction(title, reader, saved, loaded, formats, layer_types, passed):
    """Prints one direction's lines; returns the number of failures."""
    print(f"\n{title}")
    failures = 0
    for name, info in saved.items():
        if not info.get("saved"):
            failures += 1
            print(f"  FAIL {name:<11} not saved: {info.get('error')}")
            continue
        layer_types[name] = info["layers"]
        for ext in formats:
            entry = loaded.get(f"{name}{ext}", {"ok": False, "error": "not loaded"})
            limit = KNOWN_LIMITS.get((reader, name, ext))
            if limit and not entry.get("ok"):
                print(f"  --   {name:<11}{FORMAT_NAMES[ext]:<13} not checked: {limit}")
                continue
            status = "ok  " if entry.get("ok") else "FAIL"
            detail = f"max |diff| {entry['max_abs_diff']:.2e}, optimizer {entry['optimizer']}" \
                if "max_abs_diff" in entry else entry.get("error", "")
            print(f"  {status} {name:<11}{FORMAT_NAMES[ext]:<13} {detail}")
            passed.setdefault(name, []).append(bool(entry.get("ok")))
            if not entry.get("ok"):
                failures += 1
                if entry.get("trace"):
                    print("       " + entry["trace"].strip().splitlines()[-1][:300])
    return failures


def _format_list(formats):
    return ", ".join(FORMAT_NAMES[e] for e in formats)


def _print_report(results, libs, workdir):
    versions = ", ".join(results[f"{lib}-save"]["version"] for lib in libs)
    print(f"{versions}; files in {workdir}")
    failures = 0
    for lib in libs:
        layer_types, passed = {}, {}
        to_fluxion = [e for e in SAVES[lib] if e in READS["fluxion"]]
        failures += _print_direction(
            f"{TITLES[lib]} -> Fluxion ({_format_list(to_fluxion)})",
            "fluxion", results[f"{lib}-save"]["save"], results["fluxion-both"]["load"][lib],
            to_fluxion,
            layer_types, passed)
        from_fluxion = [e for e in SAVES["fluxion"] if e in READS[lib]]
        failures += _print_direction(
            f"Fluxion -> {TITLES[lib]} ({_format_list(from_fluxion)})",
            lib, results["fluxion-both"]["save"], results[f"{lib}-load"]["load"]["fluxion"],
            from_fluxion, layer_types, passed)
        complete = len(to_fluxion) + len(from_fluxion)
        verified = sorted({t for name, oks in passed.items() if all(oks)
                           for t in layer_types[name]})
        partly = [name for name, oks in passed.items() if all(oks) and len(oks) < complete]
        print(f"\nLayers verified with {TITLES[lib]} (predictions equal after loading, both "
              f"ways, in {_format_list(sorted(set(to_fluxion) | set(from_fluxion)))}): "
              f"{', '.join(verified)}" + (f" (models {partly}: formats Keras cannot read "
                                          "skipped)" if partly else ""))
    print(f"\n{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
