"""`reorder_relu_max_pool_grad`: relu's gradient is taken on max pooling's output side in
compiled steps, and compiled results stay bit-identical to eager ones (which run no passes)."""
import re

import numpy as np
import pytest

import fluxion as fx
from fluxion import keras
from fluxion.graph import passes
from fluxion.graph.ir import Graph
from fluxion.graph.tracer import GraphTracer
from fluxion.keras import layers
from fluxion.ops.conv_ops import _MAX_POOL, _MAX_POOL_GRAD
from fluxion.ops.nn_ops import _RELU, _RELU_GRAD
from fluxion.ops.registry import bind

# Shapes of the model below for a batch of 8: the relu outputs (pre-pool) and pooled outputs.
PRE_POOL = [(8, 12, 12, 4), (8, 5, 5, 6), (8, 3, 3, 6)]
POOLED = [(8, 6, 6, 4), (8, 3, 3, 6), (8, 2, 2, 6)]


def _model(bias):
    """Conv-relu-pool three times: 2x2 pooling that tiles, 2x2 "same" pooling with padding, and
    overlapping 3x3 windows of stride 2 ("same"), then a softmax classifier."""
    keras.utils.set_random_seed(3)
    conv = dict(activation="relu", bias_initializer=keras.initializers.Constant(bias))
    model = keras.Sequential([
        keras.Input((14, 14, 1)),
        layers.Conv2D(4, 3, **conv),
        layers.MaxPooling2D(2),
        layers.Conv2D(6, 2, **conv),
        layers.MaxPooling2D(2, padding="same"),
        layers.Conv2D(6, 3, padding="same", **conv),
        layers.MaxPooling2D(3, strides=2, padding="same"),
        layers.Flatten(),
        layers.Dense(3, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="sparse_categorical_crossentropy")
    return model


def _blocky_images(rng, n):
    """Images of constant 4x4 blocks with values in {0, 1, 2}: windows tie everywhere."""
    blocks = rng.integers(0, 3, size=(n, 4, 4, 1)).astype(np.float32)
    return np.repeat(np.repeat(blocks, 4, axis=1), 4, axis=2)[:, :14, :14]


def _negative_images(rng, n):
    return -np.abs(rng.standard_normal((n, 14, 14, 1))).astype(np.float32)


def _train(make_images, bias, run_eagerly):
    rng = np.random.default_rng(0)
    x = make_images(rng, 32)
    y = rng.integers(0, 3, size=32).astype(np.int32)
    model = _model(bias)
    model.run_eagerly = run_eagerly
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    return model


@pytest.mark.parametrize("make_images, bias", [(_blocky_images, 0.0), (_negative_images, -0.2)])
def test_compiled_fit_is_bit_identical_to_eager(make_images, bias):
    compiled = _train(make_images, bias, run_eagerly=False)
    eager = _train(make_images, bias, run_eagerly=True)
    for c, e in zip(compiled.get_weights(), eager.get_weights()):
        np.testing.assert_array_equal(c, e)
    # The data exercise ties at positive values and at zero, and dead windows.
    relu1 = fx.nn.relu(compiled.layers[0](make_images(np.random.default_rng(0), 8))).numpy()
    assert 0.2 < np.mean(relu1 == 0) < 1
    assert np.mean(compiled.layers[1](relu1).numpy() == 0) > 0.1


def _relu_grad_shapes(text):
    return {tuple(int(d) for d in m.split(", ") if d)
            for m in re.findall(r"= relu_grad\(.*\) *: \(([\d, ]+)\)", text)}


def test_train_step_takes_relu_grad_after_disjoint_pooling_only():
    model = _train(_blocky_images, 0.0, run_eagerly=False)
    (concrete,) = model._update_functions["train"]._concrete.values()
    shapes = _relu_grad_shapes(str(concrete.graph))
    # Disjoint windows (tiling, and "same" with padding): relu's gradient on the pooled side.
    assert POOLED[0] in shapes and POOLED[1] in shapes
    assert PRE_POOL[0] not in shapes and PRE_POOL[1] not in shapes
    # Overlapping windows: a position can win two windows, so the rewrite is not exact.
    assert PRE_POOL[2] in shapes and POOLED[2] not in shapes


def _pool_relu_grad(ksize, strides, padding):
    rng = np.random.default_rng(1)
    w = fx.Variable(rng.standard_normal((2, 3, 3, 40)).astype(np.float32))
    w.assign(fx.where(w < -1.0, np.float32(np.nan), w))  # NaN cotangents too

    def step(z):
        with fx.GradientTape() as tape:
            tape.watch(z)
            pooled = fx.nn.max_pool2d(fx.nn.relu(z), ksize, strides, padding)
            h, wide, c = pooled.shape[1:]
            loss = fx.reduce_sum(w[:, :h, :wide, :c] * pooled)
        return tape.gradient(loss, z)
    return step


def _pool_inputs(rng, shape):
    z = rng.integers(-2, 3, size=shape).astype(np.float32)  # ties at positive values and 0
    z[0, :2, :2, 0] = np.nan  # a NaN window: it routes no gradient
    z[1, :3, :3, 1] = -1.0  # an all-negative window: all zero after relu
    z[1, 2:4, 2:4, 2] = -0.0
    return z


@pytest.mark.parametrize("shape, ksize, strides, padding", [
    ((2, 6, 6, 5), 2, 2, "VALID"),  # tiling windows
    ((2, 5, 5, 5), 2, 2, "SAME"),  # padding
    ((2, 6, 6, 40), 2, 2, "VALID"),  # wide channels
    ((2, 7, 6, 5), 3, 3, "VALID"),  # a remainder in no window
    ((2, 6, 6, 5), 2, 3, "VALID"),  # gaps between windows
    ((2, 5, 5, 5), 3, 2, "SAME"),  # overlapping windows (left alone)
])
@pytest.mark.filterwarnings("ignore:invalid value")
def test_tape_gradient_compiled_is_bit_identical_to_eager(shape, ksize, strides, padding):
    step = _pool_relu_grad(ksize, strides, padding)
    compiled = fx.function(step)
    rng = np.random.default_rng(2)
    first, second = _pool_inputs(rng, shape), _pool_inputs(rng, shape)
    kept = compiled(fx.constant(first)).numpy()
    again = compiled(fx.constant(second)).numpy()  # reused buffers must not change `kept`
    for z, got in ((first, kept), (second, again)):
        want = step(fx.constant(z)).numpy()
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
    assert np.isnan(kept).any() and (kept == 0).any() and (kept != 0).any()
    graph = compiled.get_concrete_function(fx.constant(first)).graph
    relu_grads = [n for n in graph.nodes if n.op is _RELU_GRAD]
    overlapping = strides < ksize
    assert [tuple(n.outputs[0].shape) == shape for n in relu_grads] == [overlapping]


def _trace(fn, *shapes):
    graph = Graph("g")
    with GraphTracer(graph) as tracer:
        inputs = [tracer.placeholder(shape, "float32") for shape in shapes]
        graph.outputs = [tracer.lift(fn(*inputs))]
    return graph


def _pool_grad(r, g):
    y = fx.nn.max_pool2d(r, 2, 2, "VALID")
    return y, bind(_MAX_POOL_GRAD, r, y, g, ksize=(2, 2), strides=(2, 2), padding="VALID")


def _relu_grad_node(graph):
    (node,) = [n for n in graph.nodes if n.op is _RELU_GRAD]
    return node


def test_rewrite_applies_to_the_pattern():
    def fn(z, g):
        r = fx.nn.relu(z)
        _, routed = _pool_grad(r, g)
        return bind(_RELU_GRAD, routed, r)

    graph = passes.reorder_relu_max_pool_grad(_trace(fn, (1, 4, 4, 2), (1, 2, 2, 2)))
    node = _relu_grad_node(graph)
    assert tuple(node.outputs[0].shape) == (1, 2, 2, 2)
    assert graph.outputs[0]._producer.op is _MAX_POOL_GRAD
    assert graph.nodes.index(node) < graph.nodes.index(graph.outputs[0]._producer)


def test_no_rewrite_when_the_routed_gradient_has_another_use():
    def fn(z, g):
        r = fx.nn.relu(z)
        _, routed = _pool_grad(r, g)
        return bind(_RELU_GRAD, routed, r) + routed

    graph = passes.reorder_relu_max_pool_grad(_trace(fn, (1, 4, 4, 2), (1, 2, 2, 2)))
    node = _relu_grad_node(graph)
    assert tuple(node.outputs[0].shape) == (1, 4, 4, 2)
    assert node.inputs[0]._producer.op is _MAX_POOL_GRAD


def test_no_rewrite_when_the_mask_is_another_tensor():
    def fn(z, g):
        r = fx.nn.relu(z)
        _, routed = _pool_grad(r, g)
        return bind(_RELU_GRAD, routed, fx.nn.relu(z - 1.0))

    graph = passes.reorder_relu_max_pool_grad(_trace(fn, (1, 4, 4, 2), (1, 2, 2, 2)))
    assert tuple(_relu_grad_node(graph).outputs[0].shape) == (1, 4, 4, 2)


# --- pool_before_relu ----------------------------------------------------------------------------
def _both_passes(graph):
    return passes.pool_before_relu(passes.reorder_relu_max_pool_grad(graph))


def _nodes(graph, op):
    return [n for n in graph.nodes if n.op is op]


def test_pool_before_relu_applies_to_the_training_pattern():
    def fn(z, g):  # the form reorder_relu_max_pool_grad leaves (cotangent masked by y)
        r = fx.nn.relu(z)
        y = fx.nn.max_pool2d(r, 2, 2, "VALID")
        return bind(_MAX_POOL_GRAD, r, y, bind(_RELU_GRAD, g, y), ksize=(2, 2),
                    strides=(2, 2), padding="VALID")

    graph = _both_passes(_trace(fn, (1, 4, 4, 2), (1, 2, 2, 2)))
    z = graph.inputs[0]
    (relu,), (pool,), (grad,) = (_nodes(graph, op) for op in (_RELU, _MAX_POOL, _MAX_POOL_GRAD))
    assert tuple(relu.outputs[0].shape) == (1, 2, 2, 2)
    assert pool.inputs == (z,) and relu.inputs == pool.outputs
    assert _relu_grad_node(graph).inputs[1] is relu.outputs[0]
    assert grad.inputs[:2] == (z, pool.outputs[0]) and graph.outputs[0] is grad.outputs[0]
    assert graph.nodes.index(pool) < graph.nodes.index(relu)


def test_pool_before_relu_applies_to_inference():
    graph = _both_passes(_trace(lambda z: fx.nn.max_pool2d(fx.nn.relu(z), 2, 2, "VALID"),
                                (1, 4, 4, 2)))
    (relu,) = _nodes(graph, _RELU)
    assert tuple(relu.outputs[0].shape) == (1, 2, 2, 2)
    assert graph.outputs[0] is relu.outputs[0]


@pytest.mark.parametrize("case", ["relu_output_used", "cotangent_unmasked", "overlapping"])
def test_pool_before_relu_leaves_other_graphs_alone(case):
    def fn(z, g):
        r = fx.nn.relu(z)
        k, s = (3, 2) if case == "overlapping" else (2, 2)
        y = fx.nn.max_pool2d(r, k, s, "VALID")
        cotangent = g if case == "cotangent_unmasked" else bind(_RELU_GRAD, g, y)
        routed = bind(_MAX_POOL_GRAD, r, y, cotangent, ksize=(k, k), strides=(s, s),
                      padding="VALID")
        return (routed + r) if case == "relu_output_used" else routed

    graph = _both_passes(_trace(fn, (1, 5, 5, 2), (1, 2, 2, 2)))
    (relu,) = _nodes(graph, _RELU)
    assert tuple(relu.outputs[0].shape) == (1, 5, 5, 2)


def test_model_steps_pool_before_relu_and_predict_matches_eager():
    model = _train(_blocky_images, 0.0, run_eagerly=False)
    (concrete,) = model._update_functions["train"]._concrete.values()
    relu_shapes = {tuple(n.outputs[0].shape) for n in _nodes(concrete.graph, _RELU)}
    # Disjoint pooling: relu after it; overlapping windows: before it, as written.
    assert relu_shapes == {POOLED[0], POOLED[1], PRE_POOL[2]}
    for make_images in (_blocky_images, _negative_images):
        x = make_images(np.random.default_rng(5), 16)
        compiled = model.predict(x, batch_size=8, verbose=0)
        model.run_eagerly = True
        eager = model.predict(x, batch_size=8, verbose=0)
        model.run_eagerly = False
        np.testing.assert_array_equal(compiled, eager)
