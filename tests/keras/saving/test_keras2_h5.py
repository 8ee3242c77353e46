"""Legacy `.h5` files in tf.keras 2's spelling: Fluxion reads files laid out as tf.keras 2 (and
tf_keras) writes them, and writes files in that layout (checked against real tf_keras by
tools/keras_interchange.py)."""
import json

import numpy as np
import pytest

from fluxion import keras
from fluxion.keras import layers
from fluxion.keras.saving.keras2 import from_keras2, to_keras2

h5py = pytest.importorskip("h5py")


def _dense(name, units, activation="linear"):
    return {"class_name": "Dense", "config": {
        "name": name, "trainable": True, "dtype": "float32", "units": units,
        "activation": activation, "use_bias": True,
        "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform",
                               "config": {"seed": None}, "registered_name": None},
        "bias_initializer": {"class_name": "Zeros", "config": {}},
        "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
        "kernel_constraint": None, "bias_constraint": None}}


def _keras2_file(path, rng):
    """A functional model as tf.keras 2.21 writes it: legacy nodes, `batch_input_shape`,
    `Custom>Adam`, BatchNormalization(axis=[1]) and optimizer weights without a learning rate."""
    def layer(config, name, inbound):
        return dict(config, name=name, inbound_nodes=inbound)
    inputs = [layer({"class_name": "InputLayer", "config": {
        "batch_input_shape": [None, 3], "dtype": "float32", "sparse": False, "ragged": False,
        "name": n}}, n, []) for n in ("a", "b")]
    model_config = {"class_name": "Functional", "config": {
        "name": "model", "trainable": True, "layers": inputs + [
            layer(_dense("d1", 2, "relu"), "d1", [[["a", 0, 0, {}]]]),
            layer(_dense("d2", 2), "d2", [[["b", 0, 0, {}]]]),
            layer({"class_name": "Add", "config": {"name": "add", "trainable": True,
                                                   "dtype": "float32"}},
                  "add", [[["d1", 0, 0, {}], ["d2", 0, 0, {}]]]),
            layer({"class_name": "BatchNormalization", "config": {
                "name": "bn", "trainable": True, "dtype": "float32", "axis": [1],
                "momentum": 0.99, "epsilon": 0.001, "center": True, "scale": True}},
                "bn", [[["add", 0, 0, {}]]])],
        "input_layers": [["a", 0, 0], ["b", 0, 0]], "output_layers": [["bn", 0, 0]]}}
    training_config = {"loss": "mean_squared_error", "metrics": None, "weighted_metrics": None,
                       "loss_weights": None, "optimizer_config": {
                           "class_name": "Custom>Adam", "config": {
                               "name": "Adam", "weight_decay": None, "clipnorm": None,
                               "global_clipnorm": None, "clipvalue": None, "use_ema": False,
                               "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                               "jit_compile": False, "is_legacy_optimizer": False,
                               "learning_rate": 0.005, "beta_1": 0.9, "beta_2": 0.999,
                               "epsilon": 1e-07, "amsgrad": False}}}
    weights = {"d1": [("kernel", (3, 2)), ("bias", (2,))], "d2": [("kernel", (3, 2)),
                                                                  ("bias", (2,))],
               "bn": [("gamma", (2,)), ("beta", (2,)), ("moving_mean", (2,)),
                      ("moving_variance", (2,))]}
    arrays = {n: [rng.uniform(0.5, 1.5, s).astype("float32") for _, s in w]
              for n, w in weights.items()}
    with h5py.File(path, "w") as f:
        f.attrs.update(keras_version="2.21.0", backend="tensorflow",
                       model_config=json.dumps(model_config),
                       training_config=json.dumps(training_config))
        group = f.create_group("model_weights")
        group.attrs["layer_names"] = np.array([b"a", b"b", b"d1", b"d2", b"add", b"bn"],
                                              dtype=object)
        for name in ("a", "b", "add"):
            group.create_group(name).attrs["weight_names"] = np.zeros((0,))
        for name, spec in weights.items():
            names = [f"{name}/{w}:0" for w, _ in spec]
            sub = group.create_group(name)
            sub.attrs["weight_names"] = np.array([n.encode() for n in names], dtype=object)
            for n, array in zip(names, arrays[name]):
                sub.create_dataset(n, data=array)
        opt = f.create_group("optimizer_weights")
        slots = [("iteration:0", np.int64(7))] + [
            (f"Adam/{s}/{n}/{w}:0", np.full(shape, 0.25 if s == "m" else 0.5, "float32"))
            for n in ("d1", "d2", "bn") for w, shape in weights[n][:2] for s in ("m", "v")]
        opt.attrs["weight_names"] = np.array([n.encode() for n, _ in slots], dtype=object)
        for n, value in slots:
            opt.create_dataset(n, data=value)
    return arrays


def test_reads_a_tf_keras_2_model_file(tmp_path):
    rng = np.random.default_rng(0)
    arrays = _keras2_file(tmp_path / "k2.h5", rng)
    model = keras.models.load_model(tmp_path / "k2.h5")
    a, b = rng.normal(size=(4, 3)).astype("float32"), rng.normal(size=(4, 3)).astype("float32")
    d1, d2, bn = arrays["d1"], arrays["d2"], arrays["bn"]
    h = np.maximum(a @ d1[0] + d1[1], 0) + b @ d2[0] + d2[1]
    expected = bn[0] * (h - bn[2]) / np.sqrt(bn[3] + 1e-3) + bn[1]
    np.testing.assert_allclose(model.predict([a, b], verbose=0), expected, rtol=1e-5, atol=1e-6)
    assert type(model.optimizer).__name__ == "Adam"
    assert np.isclose(float(model.optimizer.learning_rate.numpy()), 0.005)
    assert int(model.optimizer.iterations.numpy()) == 7
    momentum = [v for v in model.optimizer.variables if "momentum" in v.path]
    assert len(momentum) == 6 and all(np.all(v.numpy() == 0.25) for v in momentum)


def states_model():
    keras.utils.set_random_seed(3)
    x, h0, c0 = keras.Input((5, 3), name="x"), keras.Input((4,), name="h0"), \
        keras.Input((4,), name="c0")
    seq, h, c = layers.LSTM(4, return_sequences=True, return_state=True)(
        x, initial_state=[h0, c0])
    out = layers.SimpleRNN(4)(seq, initial_state=h)
    model = keras.Model([x, h0, c0], layers.Dense(2)(layers.Concatenate()([out, c])))
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mean_squared_error")
    return model


def test_writes_tf_keras_2_layout_and_round_trips(tmp_path):
    rng = np.random.default_rng(1)
    x = [rng.normal(size=s).astype("float32") for s in ((8, 5, 3), (8, 4), (8, 4))]
    y = rng.normal(size=(8, 2)).astype("float32")
    model = states_model()
    model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "r") as f:
        config = json.loads(f.attrs["model_config"])
        training = json.loads(f.attrs["training_config"])
        optimizer_names = [n.decode() if isinstance(n, bytes) else n
                           for n in f["optimizer_weights"].attrs["weight_names"]]
    by_name = {layer["name"]: layer for layer in config["config"]["layers"]}
    assert by_name["x"]["config"]["batch_input_shape"] == [None, 5, 3]
    lstm = next(v for k, v in by_name.items() if k.startswith("lstm"))
    assert lstm["config"]["dtype"] == "float32"
    # Keras 2 nodes: the initial states are the node's extra input tensors.
    assert [ref[0] for ref in lstm["inbound_nodes"][0]] == ["x", "h0", "c0"]
    assert training["optimizer_config"]["class_name"] == "Custom>Adam"
    assert training["optimizer_config"]["config"]["is_legacy_optimizer"] is False
    assert not any("learning_rate" in n for n in optimizer_names)
    assert len(optimizer_names) == 1 + 2 * len(model.trainable_variables)

    loaded = keras.models.load_model(tmp_path / "m.h5")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    for a, b in zip(loaded.optimizer.variables, model.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(a.numpy()), np.asarray(b.numpy()))
    model.fit(x, y, epochs=1, batch_size=4, verbose=0, shuffle=False)
    loaded.fit(x, y, epochs=1, batch_size=4, verbose=0, shuffle=False)
    for a, b in zip(loaded.weights, model.weights):
        np.testing.assert_array_equal(np.asarray(a.numpy()), np.asarray(b.numpy()))


def test_config_conversions_round_trip():
    config = keras.Sequential([keras.Input((3,)), layers.Dense(2), layers.LeakyReLU(0.2)])
    config = {"class_name": "Sequential", "config": config.get_config()}
    old = to_keras2(config)
    entries = old["config"]["layers"]
    assert entries[0]["config"]["batch_input_shape"] == [None, 3]
    assert entries[-1]["config"]["alpha"] == pytest.approx(0.2)
    assert entries[1]["config"]["dtype"] == "float32"
    rebuilt = keras.Sequential.from_config(from_keras2(old)["config"])
    assert [type(l).__name__ for l in rebuilt.layers] == ["Dense", "LeakyReLU"]
    assert rebuilt.layers[1].negative_slope == pytest.approx(0.2)
