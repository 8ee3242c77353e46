"""model.save / load_model / save_weights / load_weights: round trips, resumed training,
atomic writes, damaged and unsafe files, Lambda layers and safe_mode."""
import io
import json
import os
import zipfile

import numpy as np
import pytest

from fluxion import keras
from fluxion.keras import layers

h5py = pytest.importorskip("h5py")  # the `h5` extra; installed with the test extras


def mlp(seed=0, dropout=0.2):
    keras.utils.set_random_seed(seed)
    middle = layers.Dropout(dropout) if dropout else layers.BatchNormalization()
    model = keras.Sequential([keras.Input((6,)), layers.Dense(8, activation="relu"),
                              middle, layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def data(n=64, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 6)).astype("float32"), rng.integers(0, 3, n)


def functional():
    inputs = keras.Input((5,), name="x")
    h = layers.Dense(4, activation="tanh", name="hidden")(inputs)
    h = layers.BatchNormalization()(h)
    return keras.Model(inputs, layers.Dense(2, name="out")(h))


@pytest.mark.parametrize("ext", [".keras", ".h5"])
def test_save_load_same_predictions_config_and_compile(tmp_path, ext):
    x, y = data()
    model = mlp()
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    path = tmp_path / f"model{ext}"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert [type(l).__name__ for l in loaded.layers] == ["Dense", "Dropout", "Dense"]
    assert loaded.get_layer(index=0).get_config()["units"] == 8
    assert type(loaded.optimizer).__name__ == "Adam"
    assert np.isclose(float(loaded.optimizer.learning_rate.numpy()), 0.01)
    assert int(loaded.optimizer.iterations.numpy()) == 8
    for a, b in zip(loaded.optimizer.variables, model.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(a.numpy()), np.asarray(b.numpy()))
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)


def test_keras_archive_layout(tmp_path):
    model = mlp()
    x, y = data()
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        assert set(archive.namelist()) == {"metadata.json", "config.json", "model.weights.h5"}
        config = json.loads(archive.read("config.json"))
        metadata = json.loads(archive.read("metadata.json"))
        weights = archive.read("model.weights.h5")
    assert metadata["keras_version"].startswith("3.")
    assert {k for k in config} >= {"module", "class_name", "config", "registered_name",
                                   "compile_config"}
    assert config["class_name"] == "Sequential"
    assert config["compile_config"]["loss"] == "sparse_categorical_crossentropy"
    assert config["compile_config"]["optimizer"]["class_name"] == "Adam"
    with h5py.File(io.BytesIO(weights), "r") as f:
        found = {}

        def record(name, obj):
            found[name] = getattr(obj, "shape", None)
        f.visititems(record)
    # Keras 3's paths: layers by class name made unique, optimizer slots interleaved.
    assert found["layers/dense/vars/0"] == (6, 8)
    assert found["layers/dense_1/vars/1"] == (3,)
    assert "layers/dropout/vars" in found and "vars" in found
    assert found["optimizer/vars/0"] == () and found["optimizer/vars/1"] == ()
    assert [found[f"optimizer/vars/{i}"] for i in range(2, 6)] == [(6, 8), (6, 8), (8,), (8,)]


def test_resumed_training_equals_uninterrupted(tmp_path):
    # Adam's slots, BatchNormalization's moving statistics and fit's shuffling all continue
    # (fit's shuffling: the process's random stream; Dropout: see the test after this one).
    x, y = data(96)
    reference = mlp(seed=3, dropout=0)
    reference.fit(x, y, epochs=2, batch_size=16, verbose=0)
    reference.fit(x, y, epochs=2, batch_size=16, verbose=0)

    model = mlp(seed=3, dropout=0)
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    model.save(tmp_path / "ckpt.keras")
    del model
    resumed = keras.models.load_model(tmp_path / "ckpt.keras")
    resumed.fit(x, y, epochs=2, batch_size=16, verbose=0)
    for a, b in zip(resumed.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert int(resumed.optimizer.iterations.numpy()) == 24


def test_functional_model_and_weights_files(tmp_path):
    model = functional()
    x = np.random.default_rng(0).normal(size=(4, 5)).astype("float32")
    model.save_weights(tmp_path / "w.weights.h5")
    model.save_weights(tmp_path / "legacy.h5")
    model.save(tmp_path / "m.keras")
    for path in ("w.weights.h5", "legacy.h5", "m.keras"):
        other = functional()
        assert not np.allclose(other(x).numpy(), model(x).numpy())
        other.load_weights(tmp_path / path)
        np.testing.assert_array_equal(other(x).numpy(), model(x).numpy())


def test_load_weights_mismatch_is_clear_and_changes_nothing(tmp_path):
    model = mlp()
    model.save_weights(tmp_path / "w.weights.h5")
    keras.utils.set_random_seed(5)
    other = keras.Sequential([keras.Input((6,)), layers.Dense(8), layers.Dropout(0.1),
                              layers.Dense(4)])
    before = other.get_weights()
    with pytest.raises(ValueError, match=r"Dense 'dense_\d+' \(path 'layers/dense_1'\) "
                                         r"expects 2 weights of shapes \[\(8, 4\), \(4,\)\]"):
        other.load_weights(tmp_path / "w.weights.h5")
    for a, b in zip(other.get_weights(), before):  # all or nothing
        np.testing.assert_array_equal(a, b)
    with pytest.warns(UserWarning, match="skipping Dense"):
        other.load_weights(tmp_path / "w.weights.h5", skip_mismatch=True)  # first layer loads
    np.testing.assert_array_equal(other.get_weights()[0], model.get_weights()[0])
    fewer = keras.Sequential([keras.Input((6,)), layers.Dense(8)])
    with pytest.raises(ValueError, match="which this model does not have"):
        fewer.load_weights(tmp_path / "w.weights.h5")
    with pytest.raises(ValueError, match="must end in `.weights.h5`"):
        model.save_weights(tmp_path / "w.bin")


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path, monkeypatch):
    from fluxion.keras.saving import archive
    model = mlp()
    path = tmp_path / "m.keras"
    model.save(path)
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(archive.json, "dumps", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        model.save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.keras"]  # no temporary file left behind
    with pytest.raises(FileExistsError):
        model.save(path, overwrite=False)


def test_truncated_corrupted_and_unsafe_archives_are_rejected(tmp_path):
    model = mlp()
    path = tmp_path / "m.keras"
    model.save(path)
    data_ = path.read_bytes()
    (tmp_path / "trunc.keras").write_bytes(data_[: len(data_) // 2])
    with pytest.raises(ValueError, match="not a valid .keras archive.*truncated or corrupted"):
        keras.models.load_model(tmp_path / "trunc.keras")
    corrupt = bytearray(data_)
    start = data_.find(b"HDF") + 2000  # flip bytes inside the stored weights
    corrupt[start:start + 64] = bytes(64)
    (tmp_path / "bad.keras").write_bytes(bytes(corrupt))
    with pytest.raises(ValueError, match="damaged .keras archive"):
        keras.models.load_model(tmp_path / "bad.keras")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp_path / "slip.keras", "w") as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
        dst.writestr("../../evil.py", "print('pwned')")
    with pytest.raises(ValueError, match="zip-slip"):
        keras.models.load_model(tmp_path / "slip.keras")
    (tmp_path / "junk.keras").write_bytes(b"not a zip at all")
    with pytest.raises(ValueError, match="not a valid .keras archive"):
        keras.models.load_model(tmp_path / "junk.keras")
    with pytest.raises(ValueError, match="Invalid filepath extension"):
        model.save(tmp_path / "model.pkl")
    (tmp_path / "trunc.h5").write_bytes((tmp_path / "m.keras").read_bytes()[:100])
    with pytest.raises(ValueError, match="not a readable HDF5 file"):
        keras.models.load_model(tmp_path / "trunc.h5")


def double(x):
    return 2.0 * x


def test_lambda_layer_needs_safe_mode_false_and_the_function(tmp_path):
    inputs = keras.Input((3,))
    model = keras.Model(inputs, layers.Dense(2)(layers.Lambda(double, name="twice")(inputs)))
    path = tmp_path / "lambda.keras"
    model.save(path)
    with pytest.raises(ValueError, match=r"Lambda layer \('twice'\).*safe_mode=False"):
        keras.models.load_model(path)
    with pytest.raises(ValueError, match="cannot restore function 'double'"):
        keras.models.load_model(path, safe_mode=False)
    loaded = keras.models.load_model(path, safe_mode=False, custom_objects={"double": double})
    x = np.ones((2, 3), "float32")
    np.testing.assert_array_equal(loaded(x).numpy(), model(x).numpy())


def test_custom_layer_loads_only_through_custom_objects(tmp_path):
    class Scale(layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

        def call(self, x):
            return x * self.w * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    inputs = keras.Input((3,))
    model = keras.Model(inputs, Scale(3.0)(inputs))
    model.layers[1].w.assign([1.0, 2.0, 3.0])
    model.save(tmp_path / "c.keras")
    with pytest.raises(ValueError, match="Unknown layer class 'Scale'.*custom_objects"):
        keras.models.load_model(tmp_path / "c.keras")
    loaded = keras.models.load_model(tmp_path / "c.keras", custom_objects={"Scale": Scale})
    np.testing.assert_allclose(loaded(np.ones((1, 3))).numpy(), [[3.0, 6.0, 9.0]])


def test_model_checkpoint_writes_loadable_models(tmp_path):
    x, y = data()
    model = mlp()
    path = str(tmp_path / "ep{epoch:02d}.keras")
    model.fit(x, y, epochs=2, verbose=0, callbacks=[keras.callbacks.ModelCheckpoint(path)])
    loaded = keras.models.load_model(tmp_path / "ep02.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_npz_weights_without_h5py(tmp_path, monkeypatch):
    from fluxion.keras.saving import saving_api
    monkeypatch.setattr(saving_api, "_have_h5py", lambda: False)
    x, y = data()
    model = mlp()
    model.fit(x, y, epochs=1, verbose=0)
    with pytest.warns(UserWarning, match="h5py is not installed"):
        saving_api._warned_no_h5py.clear()
        model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        assert "model.weights.npz" in archive.namelist()
    loaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    model.save_weights(tmp_path / "w.weights.npz")
    other = mlp(seed=9)
    other.load_weights(tmp_path / "w.weights.npz")
    np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))


def dropout_model(seed):
    """Dropout and an LSTM with dropout and recurrent dropout: every layer draws masks."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((5, 6)), layers.LSTM(8, dropout=0.2, recurrent_dropout=0.3),
        layers.Dropout(0.4), layers.Dense(8, activation="relu"), layers.Dropout(0.3),
        layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    return model


def sequences(n=48):
    rng = np.random.default_rng(5)
    return rng.normal(size=(n, 5, 6)).astype("float32"), rng.integers(0, 3, n)


def test_resumed_training_with_dropout_equals_uninterrupted(tmp_path):
    # The masks come from the layers' SeedGenerators, whose states the file holds: resumed
    # training repeats the uninterrupted run bit for bit whatever the process's random state.
    x, y = sequences()
    fit = dict(batch_size=16, verbose=0, shuffle=False)
    reference = dropout_model(seed=3)
    reference.fit(x, y, epochs=3, **fit)

    model = dropout_model(seed=3)
    model.fit(x, y, epochs=2, **fit)
    model.save(tmp_path / "ckpt.keras")
    states = [np.array(g.state.numpy()) for g in (model.layers[0].cell.seed_generator,
                                                  model.layers[1].seed_generator)]
    del model
    keras.utils.set_random_seed(12345)  # another process state: only the file can help
    resumed = keras.models.load_model(tmp_path / "ckpt.keras")
    assert [g.state.numpy().tolist() for g in (resumed.layers[0].cell.seed_generator,
                                               resumed.layers[1].seed_generator)] == \
        [s.tolist() for s in states]
    assert states[1][1] == 2 * 3  # two epochs of three steps: one mask per step
    resumed.fit(x, y, epochs=1, **fit)
    for a, b in zip(resumed.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(a, b)

    # Without the generators' state the continuation differs (the masks matter).
    other = keras.models.load_model(tmp_path / "ckpt.keras")
    other.layers[1].seed_generator.state.assign(np.array([1, 0], np.int64))
    other.fit(x, y, epochs=1, **fit)
    assert not np.array_equal(other.get_weights()[-2], reference.get_weights()[-2])


def test_seed_generator_state_in_weights_files(tmp_path):
    model = dropout_model(seed=1)
    x, y = sequences(16)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r") as f:
        state = np.asarray(f["layers/dropout/seed_generator/vars/0"])
        cell_state = np.asarray(f["layers/lstm/cell/seed_generator/vars/0"])
        assert "layers/dropout/vars" in f and len(f["layers/dropout/vars"]) == 0
    assert state.dtype == np.int64 and state.tolist() == \
        model.layers[1].seed_generator.state.numpy().tolist()
    assert cell_state[1] == 2 * 2 * 4  # per step: input and recurrent masks, one per gate
    # Seed generators are state, not weights: not in `weights`, nor in legacy .h5 files.
    assert all("seed_generator" not in v.path for v in model.weights)

    # A Keras file has no generator entries: it loads, the generators keep their state.
    with h5py.File(tmp_path / "w.weights.h5", "a") as f:
        del f["layers/dropout/seed_generator"], f["layers/dropout_1/seed_generator"]
        del f["layers/lstm/cell/seed_generator"]
    fresh = dropout_model(seed=2)
    before = fresh.layers[1].seed_generator.state.numpy().tolist()
    fresh.load_weights(tmp_path / "w.weights.h5")
    assert fresh.layers[1].seed_generator.state.numpy().tolist() == before
    for a, b in zip(fresh.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
