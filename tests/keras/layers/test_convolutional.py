"""Conv1D, Conv2D, Conv1DTranspose, Conv2DTranspose: values against direct NumPy loops for each
padding / stride / dilation / data format, gradients against finite differences, configs, shapes,
the LeNet summary, and the input checks."""
import math

import numpy as np
import pytest

import fluxion
from fluxion import keras
from fluxion.keras import layers
from tests.keras.layer_testing import run_layer_test

RNG = np.random.default_rng(0)


def _data(*shape):
    return RNG.normal(size=shape).astype(np.float32)


def _same_before(size, k, stride, dilation):
    """TensorFlow's SAME padding before the data along one axis."""
    span = (k - 1) * dilation + 1
    out = -(-size // stride)
    return max((out - 1) * stride + span - size, 0) // 2


def conv2d_reference(x, kernel, bias, strides, padding, dilation, groups=1):
    """A direct loop over output positions and window taps (NHWC, kernel (kh, kw, c/g, o))."""
    n, h, w, c = x.shape
    kh, kw, cg, o = kernel.shape
    (sh, sw), (dh, dw) = strides, dilation
    if padding == "same":
        oh, ow = -(-h // sh), -(-w // sw)
        top, left = _same_before(h, kh, sh, dh), _same_before(w, kw, sw, dw)
    else:
        oh, ow = (h - (kh - 1) * dh - 1) // sh + 1, (w - (kw - 1) * dw - 1) // sw + 1
        top = left = 0
    og = o // groups
    out = np.zeros((n, oh, ow, o))
    for i in range(oh):
        for j in range(ow):
            for p in range(kh):
                for q in range(kw):
                    r, s = i * sh + p * dh - top, j * sw + q * dw - left
                    if not (0 <= r < h and 0 <= s < w):
                        continue
                    for g in range(groups):
                        patch = x[:, r, s, g * cg:(g + 1) * cg]
                        out[:, i, j, g * og:(g + 1) * og] += patch @ kernel[p, q, :, g * og:
                                                                            (g + 1) * og]
    return out + (0 if bias is None else bias)


def conv2d_transpose_reference(x, kernel, bias, strides, padding, dilation, out_hw):
    """Scatters every input pixel through the kernel (kh, kw, filters, in) into `out_hw`."""
    n, h, w, _ = x.shape
    kh, kw, o, _ = kernel.shape
    (sh, sw), (dh, dw) = strides, dilation
    oh, ow = out_hw
    top = _same_before(oh, kh, sh, dh) if padding == "same" else 0
    left = _same_before(ow, kw, sw, dw) if padding == "same" else 0
    out = np.zeros((n, oh, ow, o))
    for i in range(h):
        for j in range(w):
            for p in range(kh):
                for q in range(kw):
                    r, s = i * sh + p * dh - top, j * sw + q * dw - left
                    if 0 <= r < oh and 0 <= s < ow:
                        out[:, r, s] += x[:, i, j] @ kernel[p, q].T
    return out + (0 if bias is None else bias)


def _weights(layer):
    kernel = np.asarray(layer.kernel.numpy(), np.float64)
    bias = None if layer.bias is None else np.asarray(layer.bias.numpy(), np.float64)
    return kernel, bias


def _to_last(x, rank):
    return np.moveaxis(x, 1, -1) if rank else x


# --- Conv2D --------------------------------------------------------------------------------------
CONV2D_CASES = [  # padding, strides, dilation_rate, input spatial size
    ("valid", (1, 1), (1, 1), (6, 5)),
    ("same", (1, 1), (1, 1), (5, 6)),
    ("valid", (2, 2), (1, 1), (7, 6)),
    ("same", (2, 2), (1, 1), (6, 7)),
    ("same", (2, 1), (1, 1), (5, 5)),
    ("valid", (1, 1), (2, 2), (7, 7)),
    ("same", (1, 1), (2, 1), (5, 6)),
]


@pytest.mark.parametrize("padding,strides,dilation,hw", CONV2D_CASES)
def test_conv2d_matches_direct_loops(padding, strides, dilation, hw):
    x = _data(2, *hw, 2)

    def expected(layer, x):
        kernel, bias = _weights(layer)
        return conv2d_reference(x.astype(np.float64), kernel, bias, strides, padding, dilation)

    run_layer_test(layers.Conv2D, {"filters": 3, "kernel_size": (3, 2), "strides": strides,
                                   "padding": padding, "dilation_rate": dilation,
                                   "bias_initializer": "random_normal"},
                   input_data=x, expected_output=expected, expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=0)


@pytest.mark.parametrize("padding,strides,dilation", [
    ("same", (1, 1), (1, 1)), ("valid", (1, 1), (1, 2)), ("same", (2, 1), (1, 1))])
def test_conv2d_with_few_output_channels(padding, strides, dilation):
    # Fewer output than input channels: the kernels expand the output side (see kernels/conv.py).
    x = _data(2, 6, 5, 6)

    def expected(layer, x):
        kernel, bias = _weights(layer)
        return conv2d_reference(x.astype(np.float64), kernel, bias, strides, padding, dilation)

    run_layer_test(layers.Conv2D, {"filters": 1, "kernel_size": 3, "strides": strides,
                                   "padding": padding, "dilation_rate": dilation,
                                   "bias_initializer": "ones"},
                   input_data=x, expected_output=expected)


def test_conv2d_channels_first_groups_activation_no_bias():
    x = _data(2, 4, 5, 5)  # channels first, 4 channels in 2 groups

    def expected(layer, x):
        kernel, _ = _weights(layer)
        assert kernel.shape == (3, 3, 2, 6)
        y = conv2d_reference(np.moveaxis(x, 1, -1).astype(np.float64), kernel, None, (1, 1),
                             "same", (1, 1), groups=2)
        return np.moveaxis(np.maximum(y, 0), -1, 1)

    layer = run_layer_test(layers.Conv2D, {"filters": 6, "kernel_size": 3, "padding": "same",
                                           "data_format": "channels_first", "groups": 2,
                                           "activation": "relu", "use_bias": False},
                           input_data=x, expected_output=expected,
                           expected_output_shape=(2, 6, 5, 5), expected_num_trainable_weights=1)
    assert layer.bias is None


def test_conv2d_defaults_config_and_alias():
    layer = layers.Conv2D(20, 5)
    config = layer.get_config()
    assert config["kernel_size"] == (5, 5) and config["strides"] == (1, 1)
    assert config["padding"] == "valid" and config["data_format"] == "channels_last"
    assert config["dilation_rate"] == (1, 1) and config["groups"] == 1
    assert config["activation"] == "linear" and config["use_bias"] is True
    assert config["kernel_initializer"]["class_name"] == "GlorotUniform"
    assert config["bias_initializer"]["class_name"] == "Zeros"
    assert layers.Convolution2D is layers.Conv2D and layers.Convolution1D is layers.Conv1D
    assert layers.Convolution2DTranspose is layers.Conv2DTranspose
    y = layer(fluxion.ones((1, 28, 28, 1)))
    assert y.shape == (1, 24, 24, 20) and y.dtype == fluxion.float32
    assert layer.kernel.shape == (5, 5, 1, 20) and layer.bias.shape == (20,)
    assert layers.Conv2D(4, 3, padding="SAME").padding == "same"


# --- Conv1D --------------------------------------------------------------------------------------
@pytest.mark.parametrize("padding,stride,dilation", [
    ("valid", 1, 1), ("same", 1, 1), ("causal", 1, 1), ("valid", 2, 1), ("same", 2, 1),
    ("causal", 1, 2), ("same", 1, 2)])
def test_conv1d_matches_direct_loops(padding, stride, dilation):
    x = _data(2, 7, 3)

    def expected(layer, x):
        kernel, bias = _weights(layer)
        x64 = x.astype(np.float64)
        if padding == "causal":  # left padding by (k - 1) * dilation, then valid
            x64 = np.pad(x64, ((0, 0), (2 * dilation, 0), (0, 0)))
        y = conv2d_reference(x64[:, None], kernel[None], bias, (1, stride),
                             "valid" if padding == "causal" else padding, (1, dilation))
        return y[:, 0]

    run_layer_test(layers.Conv1D, {"filters": 2, "kernel_size": 3, "strides": stride,
                                   "padding": padding, "dilation_rate": dilation,
                                   "bias_initializer": "ones"},
                   input_data=x, expected_output=expected, expected_num_trainable_weights=2)


def test_conv1d_channels_first():
    x = _data(2, 3, 6)

    def expected(layer, x):
        kernel, bias = _weights(layer)
        y = conv2d_reference(np.moveaxis(x, 1, -1)[:, None].astype(np.float64), kernel[None],
                             bias, (1, 1), "valid", (1, 1))
        return np.moveaxis(y[:, 0], -1, 1)

    run_layer_test(layers.Conv1D, {"filters": 4, "kernel_size": 2,
                                   "data_format": "channels_first"},
                   input_data=x, expected_output=expected, expected_output_shape=(2, 4, 5))


# --- transposed convolutions ---------------------------------------------------------------------
TRANSPOSE_CASES = [  # padding, strides, output_padding, dilation, expected output size (h, w)
    ("valid", (1, 1), None, (1, 1), (5, 6)),
    ("valid", (2, 2), None, (1, 1), (7, 9)),
    ("same", (2, 2), None, (1, 1), (6, 8)),
    ("same", (2, 2), (1, 0), (1, 1), (6, 7)),
    ("valid", (2, 3), (1, 2), (1, 1), (8, 14)),
    ("same", (1, 1), None, (2, 2), (3, 4)),
    ("valid", (1, 1), None, (2, 1), (7, 6)),
]


@pytest.mark.parametrize("padding,strides,output_padding,dilation,out_hw", TRANSPOSE_CASES)
def test_conv2d_transpose_matches_scatter_loops(padding, strides, output_padding, dilation,
                                                out_hw):
    x = _data(2, 3, 4, 2)

    def expected(layer, x):
        kernel, bias = _weights(layer)
        assert kernel.shape == (3, 3, 3, 2)  # (kh, kw, filters, input channels)
        return conv2d_transpose_reference(x.astype(np.float64), kernel, bias, strides, padding,
                                          dilation, out_hw)

    run_layer_test(layers.Conv2DTranspose,
                   {"filters": 3, "kernel_size": 3, "strides": strides, "padding": padding,
                    "output_padding": output_padding, "dilation_rate": dilation,
                    "bias_initializer": "random_normal"},
                   input_data=x, expected_output=expected, expected_output_shape=(2,) + out_hw
                   + (3,), expected_num_trainable_weights=2)


def test_conv2d_transpose_keras_output_sizes_and_channels_first():
    # Keras's documented rule, e.g. a 7x7 map with a 3x3 kernel and stride 2.
    assert layers.Conv2DTranspose(8, 3, 2, "same").compute_output_shape(
        (None, 7, 7, 16)) == (None, 14, 14, 8)
    assert layers.Conv2DTranspose(8, 3, 2, "valid").compute_output_shape(
        (None, 7, 7, 16)) == (None, 15, 15, 8)
    assert layers.Conv2DTranspose(8, 3, 2, "same", output_padding=1).compute_output_shape(
        (None, 7, 7, 16)) == (None, 14, 14, 8)
    assert layers.Conv2DTranspose(8, 4, 2, "same", output_padding=1).compute_output_shape(
        (None, 7, 7, 16)) == (None, 13, 13, 8)
    assert layers.Conv2DTranspose(8, 1, 3, "valid").compute_output_shape(
        (None, 7, 7, 16)) == (None, 21, 21, 8)
    x = _data(2, 2, 3, 3)

    def expected(layer, x):
        kernel, bias = _weights(layer)
        y = conv2d_transpose_reference(np.moveaxis(x, 1, -1).astype(np.float64), kernel, bias,
                                       (2, 2), "same", (1, 1), (6, 6))
        return np.moveaxis(y, -1, 1)

    run_layer_test(layers.Conv2DTranspose, {"filters": 3, "kernel_size": 3, "strides": 2,
                                            "padding": "same", "data_format": "channels_first",
                                            "bias_initializer": "ones"},
                   input_data=x, expected_output=expected, expected_output_shape=(2, 3, 6, 6))


def test_conv1d_transpose():
    x = _data(2, 4, 3)

    def expected(layer, x):
        kernel, bias = _weights(layer)
        y = conv2d_transpose_reference(x[:, None].astype(np.float64), kernel[None], bias, (1, 2),
                                       "valid", (1, 1), (1, 9))
        return y[:, 0]

    run_layer_test(layers.Conv1DTranspose, {"filters": 2, "kernel_size": 3, "strides": 2},
                   input_data=x, expected_output=expected, expected_output_shape=(2, 9, 2))


def test_transposed_conv_with_unknown_batch_runs_any_batch():
    inputs = keras.Input((4, 4, 3))
    outputs = layers.Conv2DTranspose(2, 3, strides=2, padding="same")(inputs)
    assert tuple(outputs.shape) == (None, 8, 8, 2)
    model = keras.Model(inputs, outputs)
    for batch in (1, 3):
        assert model(np.ones((batch, 4, 4, 3), np.float32)).shape == (batch, 8, 8, 2)
    compiled = fluxion.function(lambda x: model(x), reduce_retracing=True)
    for batch in (2, 5, 7):
        assert compiled(np.ones((batch, 4, 4, 3), np.float32)).shape == (batch, 8, 8, 2)


# --- models and messages -------------------------------------------------------------------------
def test_lenet_summary_counts_431080_parameters(capsys):
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(20, (5, 5), activation="relu"),
        layers.MaxPooling2D((2, 2), strides=(2, 2)),
        layers.Conv2D(50, (5, 5), activation="relu"),
        layers.MaxPooling2D((2, 2), strides=(2, 2)),
        layers.Flatten(),
        layers.Dense(500, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    # 5*5*1*20 + 20, 5*5*20*50 + 50, (4*4*50)*500 + 500, 500*10 + 10
    expected = [5 * 5 * 20 + 20, 5 * 5 * 20 * 50 + 50, 4 * 4 * 50 * 500 + 500, 500 * 10 + 10]
    assert sum(expected) == 431_080 == model.count_params()
    assert [lay.count_params() for lay in model.layers if lay.weights] == expected
    assert [tuple(lay.output.shape) for lay in model.layers[:5]] == [
        (None, 24, 24, 20), (None, 12, 12, 20), (None, 8, 8, 50), (None, 4, 4, 50),
        (None, 800)]
    model.summary()
    printed = capsys.readouterr().out
    assert "Total params: 431,080" in printed and "(None, 24, 24, 20)" in printed
    assert printed.count("(Conv2D)") == 2 and "25,050" in printed


def test_conv_layers_train_in_a_compiled_fit():
    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 8, 8, 1)).astype(np.float32)
    y = (x[:, 2:6, 2:6, 0].mean(axis=(1, 2)) > 0).astype(np.float32)
    model = keras.Sequential([
        keras.Input((8, 8, 1)), layers.Conv2D(4, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(), layers.Conv2DTranspose(2, 2, strides=2),
        layers.Conv2D(2, 3, strides=2), layers.Flatten(), layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=16, epochs=20, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.9


def test_conv2d_rank_error_names_layer_and_suggests_a_channel_axis():
    layer = layers.Conv2D(4, 3, name="conv_a")
    with pytest.raises(ValueError) as info:
        layer(np.ones((2, 28, 28), np.float32))
    message = str(info.value)
    assert 'layer "conv_a"' in message and "rank 4" in message and "found ndim=3" in message
    assert "Reshape((28, 28, 1))" in message and "expand_dims" in message
    with pytest.raises(ValueError, match="rank 3"):
        layers.Conv1D(2, 3)(keras.Input((5, 5, 5)))


@pytest.mark.parametrize("kwargs,match", [
    ({"filters": 0, "kernel_size": 3}, "filters"),
    ({"filters": 4, "kernel_size": (3, 3, 3)}, "kernel_size"),
    ({"filters": 4, "kernel_size": 3, "strides": 2, "dilation_rate": 2}, "dilation_rate > 1"),
    ({"filters": 4, "kernel_size": 3, "padding": "full"}, "padding"),
    ({"filters": 4, "kernel_size": 3, "data_format": "NHWC"}, "data_format"),
    ({"filters": 5, "kernel_size": 3, "groups": 2}, "divisible"),
])
def test_conv2d_argument_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        layers.Conv2D(**kwargs)


def test_build_time_errors():
    with pytest.raises(ValueError, match="input channels must be evenly divisible"):
        layers.Conv2D(4, 3, groups=2)(np.ones((1, 5, 5, 3), np.float32))
    with pytest.raises(ValueError, match="greater than output padding"):
        layers.Conv2DTranspose(4, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="padding"):
        layers.Conv2DTranspose(4, 3, padding="causal")
    with pytest.raises(ValueError, match="conv2d"):  # window larger than the input
        layers.Conv2D(4, 5)(np.ones((1, 3, 3, 1), np.float32))
    layer = layers.Conv2D(4, 3)
    layer(np.ones((1, 5, 5, 2), np.float32))
    with pytest.raises(ValueError, match="axis -1"):
        layer(np.ones((1, 5, 5, 3), np.float32))


def test_output_shapes_match_keras_formula():
    for padding in ("valid", "same"):
        for stride in (1, 2, 3):
            for size in (5, 8, 9):
                layer = layers.Conv2D(2, 3, strides=stride, padding=padding)
                shape = layer.compute_output_shape((None, size, size, 1))
                want = math.ceil(size / stride) if padding == "same" else \
                    (size - 3) // stride + 1
                assert shape == (None, want, want, 2)
                assert layer(np.ones((1, size, size, 1), np.float32)).shape == (1, want, want, 2)
