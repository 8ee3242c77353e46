"""ONNX export: the exported MLP, CNN and recurrent models run in onnxruntime with Fluxion's
outputs (onnx and onnxruntime are test extras)."""
import numpy as np
import pytest

from fluxion import keras
from fluxion.keras import layers

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from fluxion.export.onnx import export_onnx  # noqa: E402


def run(model, inputs, tmp_path):
    path = tmp_path / "model.onnx"
    proto = export_onnx(model, path)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feeds = dict(zip([i.name for i in proto.graph.input],
                     inputs if isinstance(inputs, list) else [inputs]))
    got = session.run(None, feeds)
    expected = model(inputs, training=False)
    expected = [np.asarray(e) for e in (expected if isinstance(expected, list) else [expected])]
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g.shape == e.shape
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-5)
    return proto


def test_book_mlp(tmp_path):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((784,)), layers.Dense(128, activation="relu"),
                              layers.Dropout(0.3), layers.Dense(64, activation="gelu"),
                              layers.Dense(32, activation="swish"),
                              layers.Dense(10, activation="softmax")])
    x = np.random.default_rng(0).random((5, 784), dtype=np.float32)
    proto = run(model, x, tmp_path)
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_cnn(tmp_path, padding):
    keras.utils.set_random_seed(1)
    model = keras.Sequential([
        keras.Input((14, 14, 2)), layers.Conv2D(4, 3, padding=padding, activation="relu"),
        layers.BatchNormalization(), layers.MaxPooling2D(2, padding=padding),
        layers.Conv2D(6, 3, strides=2, padding=padding), layers.AveragePooling2D(2),
        layers.Flatten(), layers.Dense(3, activation="softmax")])
    bn = model.layers[1]
    rng = np.random.default_rng(2)
    bn.moving_mean.assign(rng.normal(size=4).astype("float32"))
    bn.moving_variance.assign(rng.random(4).astype("float32") + 0.5)
    run(model, rng.random((3, 14, 14, 2), dtype=np.float32), tmp_path)


def test_conv1d_global_pooling_reshape_merge(tmp_path):
    keras.utils.set_random_seed(2)
    a, b = keras.Input((12, 3)), keras.Input((12, 3))
    h = layers.Conv1D(5, 3, padding="same", activation="tanh")(a)
    h = layers.Add()([h, layers.Conv1D(5, 3, padding="same")(b)])
    m = layers.GlobalMaxPooling1D()(h)
    v = layers.GlobalAveragePooling1D()(h)
    h = layers.Concatenate()([m, v])
    h = layers.Reshape((2, 5))(h)
    h = layers.Flatten()(h)
    out = layers.LeakyReLU(negative_slope=0.3)(layers.Dense(4)(h))
    model = keras.Model([a, b], out)
    rng = np.random.default_rng(3)
    run(model, [rng.normal(size=(2, 12, 3)).astype("float32") for _ in range(2)], tmp_path)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleRNN"])
def test_recurrent(tmp_path, kind):
    keras.utils.set_random_seed(3)
    rnn = getattr(layers, kind)
    model = keras.Sequential([keras.Input((7,), dtype="int32"), layers.Embedding(20, 6),
                              rnn(8, return_sequences=True), rnn(5),
                              layers.Dense(1, activation="sigmoid")])
    for layer in model.layers[1:3]:  # non-zero biases exercise the gate reordering
        layer.cell.bias.assign(np.random.default_rng(4).normal(
            size=layer.cell.bias.shape).astype("float32"))
    run(model, np.random.default_rng(5).integers(0, 20, (4, 7)).astype("int32"), tmp_path)


def test_gru_reset_before(tmp_path):
    keras.utils.set_random_seed(4)
    model = keras.Sequential([keras.Input((6, 3)), layers.GRU(4, reset_after=False)])
    run(model, np.random.default_rng(6).normal(size=(2, 6, 3)).astype("float32"), tmp_path)


def test_unsupported_layer_is_named(tmp_path):
    model = keras.Sequential([keras.Input((4,)), layers.RepeatVector(2)])
    with pytest.raises(NotImplementedError, match=r"'repeat_vector\w*' \(RepeatVector\)"):
        export_onnx(model)
    with pytest.raises(NotImplementedError, match="go_backwards"):
        export_onnx(keras.Sequential([keras.Input((3, 2)), layers.LSTM(2, go_backwards=True)]))
