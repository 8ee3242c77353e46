"""ONNX export of traced `fluxion.function`s: the exported graphs run in onnxruntime with
Fluxion's outputs (onnx and onnxruntime are test extras)."""
import numpy as np
import pytest

import fluxion as tf

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from fluxion.export.onnx import export_function, export_onnx  # noqa: E402

RNG = np.random.default_rng(0)


def rand(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def check(fn, *inputs, specs=None, tmp_path=None, rtol=1e-5, atol=1e-5):
    """Exports `fn` (traced at `specs`, default the inputs' own), runs it in onnxruntime on
    `inputs` and compares every output with Fluxion's."""
    path = None if tmp_path is None else tmp_path / "f.onnx"
    specs = [tf.TensorSpec(x.shape, x.dtype) for x in inputs] if specs is None else specs
    proto = export_function(fn, *specs, filepath=path)
    source = str(path) if path is not None else proto.SerializeToString()
    session = ort.InferenceSession(source, providers=["CPUExecutionProvider"])
    got = session.run(None, dict(zip([i.name for i in proto.graph.input], inputs)))
    expected = fn(*[tf.constant(x) for x in inputs])
    expected = [np.asarray(e) for e in (expected if isinstance(expected, (list, tuple))
                                        else [expected])]
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g.shape == e.shape and g.dtype == e.dtype, (g.shape, g.dtype, e.shape, e.dtype)
        np.testing.assert_allclose(g, e, rtol=rtol, atol=atol)
    return proto


def op_types(proto):
    return [n.op_type for n in proto.graph.node]


def test_mlp_forward_with_variables_and_dynamic_batch(tmp_path):
    w1, b1 = tf.Variable(rand(8, 16)), tf.Variable(rand(16))
    w2, b2 = tf.Variable(rand(16, 4)), tf.Variable(rand(4))

    @tf.function(input_signature=[tf.TensorSpec((None, 8), name="features")])
    def mlp(x):
        h = tf.nn.relu(tf.matmul(x, w1) + b1)
        return tf.nn.softmax(tf.matmul(h, w2) + b2)

    proto = export_onnx(mlp, tmp_path / "mlp.onnx")
    assert [i.name for i in proto.graph.input] == ["features"]
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    assert len(proto.graph.initializer) >= 4  # the variables' current values
    session = ort.InferenceSession(str(tmp_path / "mlp.onnx"),
                                   providers=["CPUExecutionProvider"])
    for batch in (1, 5, 13):  # one export, any batch size
        x = rand(batch, 8)
        (got,) = session.run(None, {"features": x})
        np.testing.assert_allclose(got, mlp(x).numpy(), rtol=1e-5, atol=1e-6)
    # The current variable values are exported: changing them changes a new export.
    w2.assign(w2 * 2.0)
    check(mlp, rand(3, 8), specs=[])


def test_concrete_function_and_parameter_names():
    f = tf.function(lambda a, b: tf.matmul(a, b, transpose_b=True) - a[:, :2] * 0.5)
    concrete = f.get_concrete_function(tf.TensorSpec((3, 4)), tf.TensorSpec((2, 4)))
    proto = export_function(concrete)
    assert [i.name for i in proto.graph.input] == ["input_0", "input_1"]
    assert [i.name for i in export_function(f, rand(3, 4), rand(2, 4)).graph.input] == ["a", "b"]
    check(f, rand(3, 4), rand(2, 4))
    check(tf.function(lambda a, b: tf.matmul(a, b, transpose_a=True)), rand(2, 4, 3),
          rand(4, 5))


def test_conv_net(tmp_path):
    k1, k2 = tf.Variable(rand(3, 3, 2, 4) * 0.3), tf.Variable(rand(3, 3, 4, 3) * 0.3)
    dense = tf.Variable(rand(12, 5) * 0.3)

    @tf.function
    def net(x):
        h = tf.nn.relu(tf.nn.conv2d(x, k1, strides=1, padding="SAME"))
        h = tf.nn.max_pool2d(h, 2, 2, "VALID")
        h = tf.nn.conv2d(h, k2, strides=2, padding="SAME", dilations=1)
        h = tf.nn.avg_pool2d(h, ksize=3, strides=2, padding="SAME")
        h = tf.nn.conv2d(h, k2[:1, :1, :3, :], 1, [[0, 0], [1, 0], [0, 1], [0, 0]])
        flat = tf.reshape(h, (-1, 12))
        return tf.nn.log_softmax(tf.matmul(flat, dense))

    check(net, rand(2, 9, 9, 2), tmp_path=tmp_path, atol=1e-4)
    dil = tf.function(lambda x: tf.nn.conv2d(x, k1, 1, "SAME", dilations=2))
    check(dil, rand(1, 7, 8, 2), atol=1e-4)


def test_fused_elementwise_chains():
    @tf.function
    def f(x, y):
        a = tf.exp(tf.sin(x) * 0.5 - y) + tf.square(y)
        b = tf.math.log1p(tf.abs(x)) / tf.sqrt(tf.abs(y) + 1.0)
        c = tf.maximum(tf.tanh(x), tf.minimum(tf.sigmoid(y), 0.3)) ** 2.0
        return a, -b + tf.math.expm1(c * 0.1), tf.math.rsqrt(tf.abs(x) + 1.0)

    x, y = rand(4, 5), rand(4, 5)
    graph = f.get_concrete_function(x, y).graph
    assert any(n.op.name.startswith("fused{") for n in graph.nodes)
    check(f, x, y)


def test_comparisons_logic_cast_where_and_integer_math():
    @tf.function
    def f(x, y, n):
        mask = tf.logical_and(tf.greater(x, 0.0), tf.logical_not(tf.less_equal(y, -0.5)))
        mask = tf.logical_or(mask, tf.equal(n, 3)) | tf.not_equal(n, 2)
        picked = tf.where(mask, x, y * 2.0)
        ints = tf.cast(x * 10.0, tf.int32)
        return (picked, tf.cast(mask, tf.float32), ints // 3, ints % 4, (x * 7.0) % 2.5,
                tf.clip_by_value(x, -0.5, 0.5), tf.math.divide_no_nan(x, tf.round(y)),
                tf.math.squared_difference(x, y), tf.math.is_finite(x / y))

    check(f, rand(3, 4), rand(3, 4), RNG.integers(0, 5, (3, 4)).astype(np.int32))


def test_reductions():
    @tf.function
    def f(x):
        return (tf.reduce_sum(x, axis=1, keepdims=True), tf.reduce_mean(x),
                tf.reduce_max(x, axis=[0, 2]), tf.reduce_min(x, axis=-1),
                tf.reduce_prod(x, axis=0, keepdims=True), tf.argmax(x, axis=1),
                tf.argmin(x, axis=2, output_type=tf.int32),
                tf.reduce_any(x > 1.0, axis=1), tf.reduce_all(x > -2.0, axis=(0, 1)))

    check(f, rand(2, 3, 4))
    check(tf.function(lambda x: tf.reduce_mean(x, axis=())), rand(3, 5))


def test_reductions_opset18(tmp_path):
    f = tf.function(lambda x: (tf.reduce_max(x, axis=1), tf.reduce_sum(x, axis=0)))
    proto = export_function(f, tf.TensorSpec((3, 4)), opset=18)
    x = rand(3, 4)
    got = ort.InferenceSession(proto.SerializeToString(),
                               providers=["CPUExecutionProvider"]).run(None, {"x": x})
    np.testing.assert_allclose(got[0], x.max(1), rtol=1e-6)
    np.testing.assert_allclose(got[1], x.sum(0), rtol=1e-5)


def test_slicing_shapes_and_gather():
    @tf.function
    def f(x, idx):
        return (x[1:, ::2, -1], x[..., 1], x[:, None, 0, ::-1], x[-1], x[:, idx],
                tf.gather(x, [4, 0, 1, 1], axis=2), tf.transpose(x, (2, 0, 1)),
                tf.expand_dims(x[0], 0), tf.squeeze(x[:, :1], 1),
                tf.broadcast_to(x[:1, :1], (2, 3, 5)), tf.tile(x[0], (2, 1)),
                tf.concat([x, x * 2.0], axis=-1), tf.stack([x[0], x[1]], axis=1))

    check(f, rand(3, 4, 5), np.array([2, 0, -1], np.int32))
    parts = tf.function(lambda x: tuple(tf.split(x, [1, 3], axis=1)))
    check(parts, rand(2, 4))
    extras = tf.function(lambda x, i: (
        tf.one_hot(i, 4), tf.pad(x, [[1, 0], [0, 2]]), tf.pad(x, [[1, 1], [2, 1]], "REFLECT"),
        tf.zeros_like(x), tf.ones_like(i), tf.math.cumsum(x, axis=1, exclusive=True),
        tf.gather_nd(x, [[0, 1], [2, 2]])))
    check(extras, rand(3, 4), np.array([0, 3, -1, 5], np.int32))


def test_dynamic_dims_in_slices_and_reshapes():
    @tf.function(input_signature=[tf.TensorSpec((None, None, 3))])
    def f(x):
        y = tf.nn.leaky_relu(x[:, 1:, :], alpha=0.1)
        return tf.reduce_sum(y, axis=1), y[:, None, ::-1], tf.shape(x)

    proto = export_function(f)
    session = ort.InferenceSession(proto.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    for shape in ((2, 4, 3), (5, 2, 3)):
        x = rand(*shape)
        for got, want in zip(session.run(None, {"x": x}), f(x)):
            np.testing.assert_allclose(got, want.numpy(), rtol=1e-5, atol=1e-6)


def test_nn_activations_and_losses():
    @tf.function
    def f(x, labels, sparse):
        return (tf.nn.relu6(x * 4.0), tf.nn.elu(x), tf.nn.selu(x), tf.nn.softplus(x),
                tf.nn.leaky_relu(x), tf.nn.softmax(x, axis=0), tf.math.erf(x),
                tf.identity(x), tf.stop_gradient(x),
                tf.nn.softmax_cross_entropy_with_logits(labels, x),
                tf.nn.sparse_softmax_cross_entropy_with_logits(sparse, x),
                tf.nn.sigmoid_cross_entropy_with_logits(tf.sigmoid(labels), x))

    labels = tf.nn.softmax(rand(4, 5)).numpy()
    check(f, rand(4, 5), labels, np.array([0, 4, 2, 1], np.int64))


def test_unsupported_op_names_it_and_lists_supported():
    f = tf.function(lambda x: tf.linalg.det(x))
    with pytest.raises(NotImplementedError, match=r"'det'.*Supported ops:.*matmul"):
        export_function(f, tf.TensorSpec((3, 3)))
    g = tf.function(lambda x: x[x > 0.0])
    with pytest.raises(NotImplementedError, match="getitem"):
        export_function(g, tf.TensorSpec((4,)))


def test_side_effects_are_rejected():
    v = tf.Variable(np.zeros(3, np.float32))

    @tf.function
    def step(x):
        v.assign_add(x)
        return v * 2.0

    with pytest.raises(ValueError, match="without side effects"):
        export_function(step, tf.TensorSpec((3,)))
    noisy = tf.function(lambda x: x + tf.random.normal((3,)))
    with pytest.raises(ValueError, match=r"random_normal.*without side effects"):
        export_function(noisy, tf.TensorSpec((3,)))


def test_argument_errors():
    with pytest.raises(TypeError, match="TensorSpec"):
        export_function(tf.function(lambda x: x + 1.0))
    with pytest.raises(TypeError, match="fluxion.function"):
        export_function(lambda x: x)


def test_keras_model_called_in_a_function_and_scalars():
    from fluxion import keras
    from fluxion.keras import layers
    keras.utils.set_random_seed(3)
    model = keras.Sequential([
        keras.Input((8, 8, 1)), layers.Conv2D(3, 3, padding="same", activation="relu"),
        layers.BatchNormalization(), layers.MaxPooling2D(), layers.Flatten(),
        layers.Dropout(0.5), layers.Dense(4, activation="softmax")])
    f = tf.function(lambda images: model(images, training=False))
    proto = export_onnx(f, input_signature=[tf.TensorSpec((None, 8, 8, 1))])
    x = rand(3, 8, 8, 1)
    session = ort.InferenceSession(proto.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, {"images": x})[0], model(x).numpy(),
                               rtol=1e-5, atol=1e-6)
    check(tf.function(lambda s: (tf.reduce_sum(s * 2.0), s)), np.array(1.5, np.float32))
