"""Layer behaviours a differential test against TF 2.21 / Keras 3.15 found different: dtype
casting, masks through merge/normalization/softmax layers, unknown dimensions, small configs.
The values in comments are TF's; the assertions compare with NumPy references."""
import numpy as np
import pytest

import fluxion
from fluxion import keras
from fluxion.keras import layers, models
from fluxion.keras.engine.keras_tensor import get_mask, set_mask


# --- F1 / F5: casting of float64/float16 and integer inputs -----------------------------------
@pytest.mark.parametrize("dtype", ["float64", "float16"])
def test_functional_call_casts_other_float_inputs(dtype):
    out = layers.Dense(4)(keras.Input((5,), dtype=dtype))  # TF: KerasTensor (None, 4) float32
    assert out.shape == (None, 4) and out.dtype == "float32"
    out = layers.BatchNormalization()(keras.Input((5,), dtype=dtype))
    assert out.shape == (None, 5) and out.dtype == "float32"
    inputs = keras.Input((5,), dtype=dtype)
    model = models.Model(inputs, layers.Dense(2, kernel_initializer="ones")(inputs))
    x = np.arange(10).reshape(2, 5).astype(dtype)
    got = model.predict(x, verbose=0)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, x.astype(np.float64).sum(1, keepdims=True) * [[1, 1]])


def test_cast_keeps_the_input_mask():
    x = fluxion.constant(np.ones((2, 3, 4)), dtype="float64")
    mask = fluxion.constant([[True, False, True], [False, True, True]])
    set_mask(x, mask)
    out = layers.Dense(2)(x)
    assert out.dtype == "float32"
    np.testing.assert_array_equal(np.asarray(get_mask(out)), np.asarray(mask))


def test_integer_inputs_are_cast_where_keras_computes_in_float():
    out = layers.Dense(2, kernel_initializer="ones")(fluxion.constant([[1, 2]]))
    assert out.dtype == "float32"
    np.testing.assert_array_equal(out.numpy(), [[3.0, 3.0]])  # TF: [[3., 3.]] float32
    ints = np.array([[[1], [2], [3]]], np.int32)
    conv = layers.Conv1D(1, 2, kernel_initializer="ones")(ints)
    np.testing.assert_array_equal(conv.numpy().ravel(), [3.0, 5.0])
    ln = layers.LayerNormalization()(np.array([[1, 2]], np.int32))  # TF: [[-1, 1]] float32
    np.testing.assert_allclose(ln.numpy(), [[-1.0, 1.0]], atol=2e-3)
    bn = layers.BatchNormalization()(np.array([[1, 2]], np.int32))  # TF: [[0.9995, 1.999]]
    np.testing.assert_allclose(bn.numpy(), [[1, 2] / np.sqrt(1.001)], rtol=1e-6)
    gap = layers.GlobalAveragePooling1D()(ints)  # TF: [[2.]] float32
    assert gap.dtype == "float32" and gap.numpy().tolist() == [[2.0]]
    # layers that keep the dtype in Keras keep integers
    assert layers.Flatten()(ints).dtype == "int32"
    assert layers.Add()([ints, ints]).dtype == "int32"


# --- F2 / F9: merge layers --------------------------------------------------------------------
M1 = np.array([[True, False, True, False]])
M2 = np.array([[False, False, True, True]])
X4 = np.ones((1, 4, 3), np.float32)


@pytest.mark.parametrize("cls", [layers.Add, layers.Subtract, layers.Multiply, layers.Average,
                                 layers.Maximum, layers.Minimum])
def test_elementwise_merge_masks_are_or_and_none_if_any_missing(cls):
    got = cls().compute_mask([X4, X4], [fluxion.constant(M1), fluxion.constant(M2)])
    np.testing.assert_array_equal(np.asarray(got), M1 | M2)  # TF: [[T, F, T, T]]
    assert cls().compute_mask([X4, X4], [fluxion.constant(M1), None]) is None  # TF: None


def test_concatenate_mask_follows_each_input():
    m1, m2 = fluxion.constant(M1), fluxion.constant(M2)
    # axis=1: the (1, 4) masks are concatenated to (1, 8)
    got = layers.Concatenate(axis=1).compute_mask([X4, X4], [m1, m2])
    np.testing.assert_array_equal(np.asarray(got), np.concatenate([M1, M2], 1))
    # an unmasked input counts as all True
    got = layers.Concatenate(axis=1).compute_mask([X4, X4], [m1, None])
    np.testing.assert_array_equal(np.asarray(got), np.concatenate([M1, np.ones_like(M2)], 1))
    # last axis: OR of the masks; no masks at all: None
    x2 = np.ones((1, 4, 2), np.float32)
    got = layers.Concatenate().compute_mask([X4, x2], [m1, m2])
    np.testing.assert_array_equal(np.asarray(got), M1 | M2)
    assert layers.Concatenate().compute_mask([X4, x2], [None, None]) is None


def test_masks_merge_in_a_model():
    ids = keras.Input((4,), dtype="int32")
    a = layers.Embedding(5, 2, mask_zero=True)(ids)
    b = layers.Embedding(5, 2)(ids)
    assert not hasattr(layers.Add()([a, b]), "_keras_mask")  # as in Keras 3: no attribute
    both = layers.Add()([a, layers.Embedding(5, 2, mask_zero=True)(ids)])
    assert both._keras_mask.shape == (None, 4)


@pytest.mark.parametrize("cls, op", [
    (layers.Add, np.add), (layers.Subtract, np.subtract), (layers.Multiply, np.multiply),
    (layers.Maximum, np.maximum), (layers.Minimum, np.minimum),
    (layers.Average, lambda p, q: (p + q) / 2)])
def test_merge_expands_lower_rank_inputs_at_axis_1(cls, op):
    ones = np.ones((2, 3, 4), np.float32)
    x = np.arange(8, dtype=np.float32).reshape(2, 4)
    got = cls()([ones, x]).numpy()  # TF Add: [:, 0] = [[1, 2, 3, 4], [5, 6, 7, 8]]
    np.testing.assert_allclose(got, op(ones, x[:, None, :]))
    assert cls()([keras.Input((3, 4)), keras.Input((4,))]).shape == (None, 3, 4)


# --- F3: BatchNormalization with a mask -------------------------------------------------------
def test_batch_normalization_uses_masked_moments():
    x = np.array([[[1., 10.], [2., 20.], [7., -3.]], [[4., 0.], [5., 1.], [6., 2.]]], np.float32)
    mask = np.array([[True, True, False], [True, False, False]])
    bn = layers.BatchNormalization(momentum=0.5)
    y = bn(x, training=True, mask=fluxion.constant(mask)).numpy()
    kept = x[mask]
    count = mask.sum() + 1e-7
    mean = kept.sum(0) / count
    var = ((kept - mean) ** 2).sum(0) / count
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-5, atol=1e-6)
    # TF: moving_mean [1.166667, 5.0], moving_variance [1.277778, 33.833332]
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.5 * mean, rtol=1e-6)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.5 + 0.5 * var, rtol=1e-6)
    np.testing.assert_allclose(bn.moving_mean.numpy(), [1.166667, 5.0], rtol=1e-6)
    with pytest.raises(ValueError, match="one dimension less"):
        bn(x, training=True, mask=fluxion.constant(np.ones((2, 3, 2), bool)))


def test_batch_normalization_mask_from_embedding_in_a_compiled_fit():
    ids = np.array([[1, 2, 0], [3, 0, 0]])
    inputs = keras.Input((3,), dtype="int32")
    h = layers.Embedding(4, 1, mask_zero=True, embeddings_initializer="ones", name="emb")(inputs)
    bn = layers.BatchNormalization(momentum=0.0, center=False, scale=False)
    model = models.Model(inputs, bn(h))
    model.get_layer("emb").set_weights([np.array([[100.], [1.], [2.], [3.]], np.float32)])
    model.compile("sgd", "mse")
    model.fit(ids, np.zeros((2, 3, 1)), epochs=1, batch_size=2, verbose=0)
    values = np.array([1., 2., 3.])  # the unmasked steps; the padding (100) is left out
    np.testing.assert_allclose(bn.moving_mean.numpy(), [values.sum() / (3 + 1e-7)], rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), [values.var()], rtol=1e-5)


# --- F6: LayerNormalization(rms_scaling=True) -------------------------------------------------
def test_layer_normalization_rms_scaling_divides_by_the_std():
    x = np.array([[1., 2., 4.], [0., -1., 3.]], np.float32)
    ln = layers.LayerNormalization(rms_scaling=True)
    got = ln(x).numpy()  # TF: [[0.8015, 1.6031, 3.2061], [0.0, -0.5882, 1.7647]]
    np.testing.assert_allclose(got, x / np.sqrt(x.var(-1, keepdims=True) + 1e-3), rtol=1e-5)
    assert [w.name for w in ln.weights] == ["gamma"] and ln.count_params() == 3
    assert ln.axis == [-1] and ln.get_config()["axis"] == [-1]
    assert layers.LayerNormalization().get_config()["axis"] == -1  # before build: as given
    ln2 = layers.LayerNormalization(axis=(2, 1))
    ln2(np.ones((2, 3, 4), np.float32))
    assert ln2.axis == [1, 2]
    ln3 = layers.LayerNormalization(rms_scaling=True, scale=False)
    ln3(x)
    assert [w.name for w in ln3.weights] == ["gamma"]


# --- F7: Softmax ------------------------------------------------------------------------------
def test_softmax_zeroes_masked_positions():
    got = layers.Softmax()(fluxion.constant([[1., 2.], [3., 4.]]),
                           mask=fluxion.constant([[True, False], [False, False]])).numpy()
    np.testing.assert_array_equal(got, [[1.0, 0.0], [0.0, 0.0]])  # TF: [[1, 0], [0, 0]]
    float_mask = fluxion.constant([[0.9, 0.1]])  # > 0.5 keeps
    np.testing.assert_array_equal(layers.Softmax()(fluxion.constant([[1., 2.]]),
                                                   mask=float_mask).numpy(), [[1.0, 0.0]])
    with pytest.raises(ValueError, match="Softmax.*broadcastable"):  # TF: ValueError too
        layers.Softmax()(np.ones((3, 4, 6), np.float32), mask=fluxion.constant(np.ones((3, 4))))


def test_softmax_over_several_axes():
    x = np.arange(12, dtype=np.float32).reshape(1, 2, 3, 2) / 5
    e = np.exp(x - x.max((1, 2), keepdims=True))
    np.testing.assert_allclose(layers.Softmax(axis=(1, 2))(x).numpy(),
                               e / e.sum((1, 2), keepdims=True), rtol=1e-5)
    e = np.exp(x - x.max(2, keepdims=True))
    np.testing.assert_allclose(layers.Softmax(axis=[2])(x).numpy(),
                               e / e.sum(2, keepdims=True), rtol=1e-5)
    assert layers.Softmax(axis=(1, 2)).get_config()["axis"] == (1, 2)


# --- F4: unknown non-batch dimensions ---------------------------------------------------------
@pytest.mark.parametrize("make, shape, expected", [
    (lambda: layers.UpSampling2D(), (None, None, 3), (None, None, None, 3)),
    (lambda: layers.UpSampling2D(interpolation="bilinear"), (None, None, 3),
     (None, None, None, 3)),
    (lambda: layers.UpSampling1D(), (None, 3), (None, None, 3)),
    (lambda: layers.Flatten(), (None, 3), (None, None)),
    (lambda: layers.Reshape((-1, 3)), (None, 3), (None, None, 3)),
])
def test_unknown_dims_in_the_functional_api(make, shape, expected):
    inputs = keras.Input(shape)
    layer = make()
    model = models.Model(inputs, layer(inputs))
    assert model.output_shape == expected
    for n in (2, 3):  # compiled predict, then eager: two spatial sizes, one model
        x = np.random.default_rng(n).normal(
            size=(2,) + tuple(n if d is None else d for d in shape)).astype(np.float32)
        want = layer(x).numpy()
        np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-6)
        np.testing.assert_allclose(model(x).numpy(), want, rtol=1e-6)


def test_flatten_reshape_values_with_unknown_dims():
    x = np.arange(18, dtype=np.float32).reshape(2, 3, 3)
    np.testing.assert_array_equal(layers.Flatten()(x).numpy(), x.reshape(2, 9))
    np.testing.assert_array_equal(layers.Reshape((-1, 3))(x).numpy(), x)
    up = layers.UpSampling2D()(x.reshape(2, 3, 3, 1)).numpy()
    np.testing.assert_array_equal(up[..., 0], x.repeat(2, 1).repeat(2, 2))


def test_fit_with_unknown_spatial_dims():
    inputs = keras.Input((None, None, 1))
    h = layers.UpSampling2D()(inputs)
    h = layers.Conv2D(2, 3, padding="same")(h)
    out = layers.Dense(1)(layers.GlobalAveragePooling2D()(h))
    model = models.Model(inputs, out)
    model.compile("sgd", "mse")
    for n in (4, 6):
        x = np.random.default_rng(n).normal(size=(4, n, n, 1)).astype(np.float32)
        history = model.fit(x, np.zeros((4, 1)), epochs=2, batch_size=2, verbose=0)
        assert np.isfinite(history.history["loss"]).all()
        np.testing.assert_allclose(model.predict(x, verbose=0), model(x).numpy(), rtol=1e-5,
                                   atol=1e-6)


def test_unknown_dims_inside_a_relaxed_trace_say_how_to_fix():
    layer = layers.Flatten()
    fn = fluxion.function(lambda t: layer(t), input_signature=[
        fluxion.TensorSpec((None, None, 3), "float32")])
    with pytest.raises(ValueError, match="Flatten.*input_signature"):
        fn(np.ones((2, 2, 3), np.float32))


# --- F8 is in test_embedding_pooling.py; F11 / F12 ---------------------------------------------
def test_keras_tensor_exposes_its_mask():
    ids = keras.Input((3,), dtype="int32")
    emb = layers.Embedding(4, 2, mask_zero=True)(ids)
    assert not hasattr(ids, "_keras_mask")  # Keras 3: absent until a layer attaches a mask
    assert emb._keras_mask.shape == (None, 3) and emb._keras_mask.dtype == "bool"
    assert layers.Dense(2)(emb)._keras_mask.shape == (None, 3)


def test_frozen_layer_builds_frozen_weights():
    layer = layers.Dense(2)
    layer.trainable = False
    layer.build((None, 3))
    assert [w.trainable for w in layer.weights] == [False, False]
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2
    layer.trainable = True
    assert [w.trainable for w in layer.weights] == [True, True]
    bn = layers.BatchNormalization(trainable=False)
    bn.build((None, 3))
    assert not any(w.trainable for w in bn.weights)


def test_global_pooling_data_format_follows_the_backend():
    keras.backend.set_image_data_format("channels_first")
    try:
        layer = layers.GlobalAveragePooling2D()
        assert layer.data_format == "channels_first"
        assert layer(np.ones((2, 3, 4, 5), np.float32)).shape == (2, 3)
    finally:
        keras.backend.set_image_data_format("channels_last")
    assert layers.GlobalMaxPooling1D().data_format == "channels_last"
