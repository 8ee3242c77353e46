"""Saving and loading models with recurrent layers: cells named as Keras (`lstm_cell`, the
same in every LSTM) must not clash, and files written when cells had unique names still load
(weights are matched by the layers' attribute paths / order, not by cell names)."""
import numpy as np
import pytest

from fluxion import keras
from fluxion.keras import layers

RNG = np.random.default_rng(0)


def _model():
    return keras.Sequential([
        keras.Input((6,), dtype="int32"), layers.Embedding(12, 4, mask_zero=True),
        layers.Bidirectional(layers.LSTM(4, return_sequences=True)),
        layers.LSTM(3, return_sequences=True), layers.GRU(3), layers.Dense(1)])


def _data():
    x = RNG.integers(1, 12, size=(16, 6)).astype(np.int32)
    x[:4, :2] = 0
    return x, RNG.normal(size=(16, 1)).astype(np.float32)


def _uniquify_cells(model):
    """Gives every cell the unique name and weight paths (`lstm_cell_100/kernel`) that older
    Fluxion versions gave (before the optimizer names its slots after them)."""
    for k, layer in enumerate(l for l in model._flatten_layers() if l.name.endswith("_cell")):
        layer.name = f"{layer.name}_{100 + k}"
        for w in layer.weights:
            w.path = f"{layer.name}/{w.path.rsplit('/', 1)[-1]}"


@pytest.mark.parametrize("ext", [".keras", ".h5", ".weights.h5"])
@pytest.mark.parametrize("old_names", [False, True])
def test_save_and_load_models_with_rnns(tmp_path, ext, old_names):
    x, y = _data()
    model = _model()
    paths = [w.path for w in model.weights]
    assert len(set(paths)) == len(paths)  # e.g. bidirectional/forward_lstm/lstm_cell/kernel
    assert model.layers[2].cell.name == "lstm_cell"
    if old_names:
        _uniquify_cells(model)
    model.compile("adam", "mse")
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    path = tmp_path / f"model{ext}"
    if ext == ".weights.h5":
        model.save_weights(path)
        loaded = _model()
        loaded.load_weights(path)
    else:
        model.save(path)
        loaded = keras.models.load_model(path)
        assert int(loaded.optimizer.iterations.numpy()) == 2
        for a, b in zip(loaded.optimizer.variables, model.optimizer.variables):
            np.testing.assert_array_equal(np.asarray(a.numpy()), np.asarray(b.numpy()))
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.layers[2].cell.name == "lstm_cell"
