"""MaxPooling1D/2D, AveragePooling1D/2D against direct NumPy loops (each padding, stride and
data format), and the resizing layers UpSampling1D/2D, ZeroPadding1D/2D, Cropping1D/2D."""
import numpy as np
import pytest

import fluxion
from fluxion import keras
from fluxion.keras import layers
from tests.keras.layer_testing import run_layer_test

RNG = np.random.default_rng(0)


def _distinct(*shape):
    """Values with distinct entries (no ties inside a window: the max gradient is unique)."""
    size = int(np.prod(shape))
    return (RNG.permutation(size).reshape(shape) / size - 0.5).astype(np.float32)


def pool2d_reference(x, pool, strides, padding, mode):
    """Direct windows over NHWC `x`; SAME padding never wins the max and is not averaged."""
    n, h, w, c = x.shape
    (ph, pw), (sh, sw) = pool, strides
    if padding == "same":
        oh, ow = -(-h // sh), -(-w // sw)
        top = max((oh - 1) * sh + ph - h, 0) // 2
        left = max((ow - 1) * sw + pw - w, 0) // 2
    else:
        oh, ow, top, left = (h - ph) // sh + 1, (w - pw) // sw + 1, 0, 0
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * sh - top, j * sw - left
            window = x[:, max(r0, 0):r0 + ph, max(c0, 0):c0 + pw]
            out[:, i, j] = window.max(axis=(1, 2)) if mode == "max" else window.mean(axis=(1, 2))
    return out


POOL_CASES = [  # pool_size, strides, padding, input (h, w)
    ((2, 2), None, "valid", (6, 4)),
    ((2, 2), None, "same", (5, 5)),
    ((3, 3), (2, 2), "valid", (7, 6)),
    ((3, 2), (1, 2), "same", (4, 5)),
    ((2, 3), (2, 1), "valid", (5, 5)),
]


@pytest.mark.parametrize("cls,mode", [(layers.MaxPooling2D, "max"),
                                      (layers.AveragePooling2D, "mean")])
@pytest.mark.parametrize("pool,strides,padding,hw", POOL_CASES)
def test_pooling2d_matches_direct_loops(cls, mode, pool, strides, padding, hw):
    x = _distinct(2, *hw, 3)
    run_layer_test(cls, {"pool_size": pool, "strides": strides, "padding": padding},
                   input_data=x, expected_num_trainable_weights=0,
                   expected_output=lambda layer, x: pool2d_reference(
                       x, pool, strides or pool, padding, mode))


@pytest.mark.parametrize("cls,mode", [(layers.MaxPooling2D, "max"),
                                      (layers.AveragePooling2D, "mean")])
def test_pooling2d_channels_first(cls, mode):
    x = _distinct(2, 3, 5, 4)
    run_layer_test(cls, {"pool_size": 2, "padding": "same", "data_format": "channels_first"},
                   input_data=x, expected_output_shape=(2, 3, 3, 2),
                   expected_output=lambda layer, x: np.moveaxis(pool2d_reference(
                       np.moveaxis(x, 1, -1), (2, 2), (2, 2), "same", mode), -1, 1))


@pytest.mark.parametrize("cls,mode", [(layers.MaxPooling1D, "max"),
                                      (layers.AveragePooling1D, "mean")])
@pytest.mark.parametrize("pool,strides,padding,data_format", [
    (2, None, "valid", "channels_last"), (3, 2, "same", "channels_last"),
    (2, 1, "valid", "channels_last"), (3, None, "same", "channels_first")])
def test_pooling1d_matches_direct_loops(cls, mode, pool, strides, padding, data_format):
    x = _distinct(2, 7, 3)
    first = data_format == "channels_first"

    def expected(layer, x):
        steps_last = np.moveaxis(x, 1, -1) if first else x
        y = pool2d_reference(steps_last[:, None], (1, pool), (1, strides or pool), padding,
                             mode)[:, 0]
        return np.moveaxis(y, -1, 1) if first else y

    run_layer_test(cls, {"pool_size": pool, "strides": strides, "padding": padding,
                         "data_format": data_format}, input_data=x, expected_output=expected)


def test_pooling_defaults_config_aliases_and_errors():
    layer = layers.MaxPooling2D()
    assert layer.get_config()["pool_size"] == (2, 2) and layer.get_config()["strides"] == (2, 2)
    assert layer.get_config()["padding"] == "valid"
    assert layers.MaxPooling1D().get_config()["pool_size"] == (2,)
    assert layers.MaxPooling2D(3, strides=1).strides == (1, 1)
    assert layers.MaxPool2D is layers.MaxPooling2D and layers.AvgPool2D is layers.AveragePooling2D
    assert layers.MaxPool1D is layers.MaxPooling1D and layers.AvgPool1D is layers.AveragePooling1D
    assert layers.AveragePooling2D(2).compute_output_shape((None, 7, 7, 3)) == (None, 3, 3, 3)
    for cls in (layers.AveragePooling1D, layers.AveragePooling2D):  # Keras 3.15: required
        with pytest.raises(TypeError, match="pool_size"):
            cls()
    assert layers.MaxPooling2D(padding="same").compute_output_shape((None, 7, 7, 3)) == \
        (None, 4, 4, 3)
    x = np.arange(16, dtype=np.int32).reshape(1, 4, 4, 1)
    assert layers.MaxPooling2D(dtype="int32")(x).numpy().ravel().tolist() == [5, 7, 13, 15]
    with pytest.raises(ValueError, match="rank 4"):
        layers.MaxPooling2D()(np.ones((2, 8, 8), np.float32))
    with pytest.raises(ValueError, match="pool_size"):
        layers.MaxPooling2D(pool_size=(2, 0))
    with pytest.raises(ValueError, match="padding"):
        layers.AveragePooling1D(2, padding="causal")
    with pytest.raises(ValueError, match="max_pool2d"):  # window larger than the input
        layers.MaxPooling2D(5)(np.ones((1, 3, 3, 1), np.float32))


def test_max_pooling_gradient_goes_to_the_window_maximum():
    x = fluxion.constant(np.array([[1, 5, 2, 0], [3, 4, 8, 1]], np.float32).reshape(1, 2, 4, 1))
    with fluxion.GradientTape() as tape:
        tape.watch(x)
        y = layers.MaxPooling2D()(x)
    grad = tape.gradient(y, x).numpy().reshape(2, 4)
    np.testing.assert_array_equal(grad, [[0, 1, 0, 0], [0, 0, 1, 0]])


# --- UpSampling ----------------------------------------------------------------------------------
def test_upsampling2d_nearest():
    x = _distinct(2, 3, 2, 4)
    run_layer_test(layers.UpSampling2D, {"size": (2, 3)}, input_data=x,
                   expected_output=lambda layer, x: x.repeat(2, axis=1).repeat(3, axis=2),
                   expected_output_shape=(2, 6, 6, 4))
    run_layer_test(layers.UpSampling2D, {"size": 2, "data_format": "channels_first"},
                   input_data=x, expected_output=lambda layer, x: x.repeat(2, 2).repeat(2, 3),
                   expected_output_shape=(2, 3, 4, 8))
    assert layers.UpSampling2D().get_config()["size"] == (2, 2)
    assert layers.UpSampling2D().get_config()["interpolation"] == "nearest"


def test_upsampling2d_bilinear_matches_tensorflow_resize():
    # tf.image.resize([[0, 1], [2, 3]], (4, 4), "bilinear") (half-pixel centers): each axis
    # maps [a, b] to [a, 0.75a + 0.25b, 0.25a + 0.75b, b].
    x = np.array([[0, 1], [2, 3]], np.float32).reshape(1, 2, 2, 1)
    ramp = np.array([0, 0.25, 0.75, 1])
    expected = (2 * ramp[:, None] + ramp[None, :]).reshape(1, 4, 4, 1)
    run_layer_test(layers.UpSampling2D, {"interpolation": "bilinear"}, input_data=x,
                   expected_output=expected)
    x = _distinct(2, 3, 4, 2)
    run_layer_test(layers.UpSampling2D, {"size": (3, 2), "interpolation": "bilinear"},
                   input_data=x, expected_output_shape=(2, 9, 8, 2),
                   expected_output=lambda layer, x: _bilinear_loops(x, 3, 2))
    with pytest.raises(ValueError, match="interpolation"):
        layers.UpSampling2D(interpolation="bicubic")


def _bilinear_loops(x, sh, sw):
    n, h, w, c = x.shape
    out = np.zeros((n, h * sh, w * sw, c))

    def taps(i, size, scale):
        pos = (i + 0.5) / scale - 0.5
        lo = int(np.floor(pos))
        frac = pos - lo
        return min(max(lo, 0), size - 1), min(max(lo + 1, 0), size - 1), frac

    for i in range(h * sh):
        r0, r1, fr = taps(i, h, sh)
        for j in range(w * sw):
            c0, c1, fc = taps(j, w, sw)
            top = x[:, r0, c0] * (1 - fc) + x[:, r0, c1] * fc
            bottom = x[:, r1, c0] * (1 - fc) + x[:, r1, c1] * fc
            out[:, i, j] = top * (1 - fr) + bottom * fr
    return out


def test_upsampling1d():
    x = _distinct(2, 3, 2)
    run_layer_test(layers.UpSampling1D, {"size": 3}, input_data=x,
                   expected_output=lambda layer, x: x.repeat(3, axis=1))


# --- ZeroPadding and Cropping --------------------------------------------------------------------
@pytest.mark.parametrize("padding,pairs", [
    (1, ((1, 1), (1, 1))), ((2, 1), ((2, 2), (1, 1))), (((1, 0), (2, 3)), ((1, 0), (2, 3)))])
def test_zero_padding2d(padding, pairs):
    x = _distinct(2, 3, 4, 2)
    run_layer_test(layers.ZeroPadding2D, {"padding": padding}, input_data=x,
                   expected_output=lambda layer, x: np.pad(x, ((0, 0),) + pairs + ((0, 0),)))
    assert layers.ZeroPadding2D(padding).get_config()["padding"] == pairs


def test_zero_padding_channels_first_and_1d():
    x = _distinct(2, 2, 3, 3)
    run_layer_test(layers.ZeroPadding2D, {"padding": ((1, 2), (0, 1)),
                                          "data_format": "channels_first"}, input_data=x,
                   expected_output=lambda layer, x: np.pad(x, ((0, 0), (0, 0), (1, 2), (0, 1))))
    x = _distinct(2, 4, 3)
    run_layer_test(layers.ZeroPadding1D, {"padding": (2, 1)}, input_data=x,
                   expected_output=lambda layer, x: np.pad(x, ((0, 0), (2, 1), (0, 0))))
    assert layers.ZeroPadding2D().compute_output_shape((None, 28, 28, 1)) == (None, 30, 30, 1)


def test_cropping():
    x = _distinct(2, 6, 7, 2)
    run_layer_test(layers.Cropping2D, {"cropping": ((1, 2), (0, 3))}, input_data=x,
                   expected_output=lambda layer, x: x[:, 1:4, 0:4],
                   expected_output_shape=(2, 3, 4, 2))
    run_layer_test(layers.Cropping2D, {"cropping": 1, "data_format": "channels_first"},
                   input_data=np.moveaxis(x, -1, 1), expected_output_shape=(2, 2, 4, 5),
                   expected_output=lambda layer, x: x[:, :, 1:-1, 1:-1])
    run_layer_test(layers.Cropping1D, {"cropping": (2, 1)}, input_data=x[:, :, :, 0],
                   expected_output=lambda layer, x: x[:, 2:-1])
    with pytest.raises(ValueError, match="Crop less"):
        layers.Cropping2D(((3, 3), (0, 0)))(x)


def test_convolutional_autoencoder_shapes_roundtrip():
    inputs = keras.Input((28, 28, 1))
    h = layers.Conv2D(8, 3, activation="relu", padding="same")(inputs)
    h = layers.MaxPooling2D(padding="same")(h)
    h = layers.Conv2D(4, 3, activation="relu", padding="same")(h)
    code = layers.MaxPooling2D(padding="same")(h)
    h = layers.UpSampling2D()(layers.Conv2D(4, 3, activation="relu", padding="same")(code))
    h = layers.UpSampling2D()(layers.Conv2D(8, 3, activation="relu", padding="same")(h))
    outputs = layers.Conv2D(1, 3, activation="sigmoid", padding="same")(h)
    model = keras.Model(inputs, outputs)
    assert tuple(code.shape) == (None, 7, 7, 4) and tuple(outputs.shape) == (None, 28, 28, 1)
    assert model(np.zeros((3, 28, 28, 1), np.float32)).shape == (3, 28, 28, 1)
