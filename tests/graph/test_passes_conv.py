"""`share_conv_patches`: in compiled training steps a convolution and its filter gradient read one
copy of the input's patches, with results bit-identical to eager execution (no passes)."""
import numpy as np

import fluxion as fx
from fluxion import keras
from fluxion.graph import passes
from fluxion.keras import layers
from fluxion.ops.conv_ops import (
    _BACKPROP_FILTER,
    _BACKPROP_FILTER_ON_PATCHES,
    _CONV2D,
    _CONV2D_ON_PATCHES,
    _PATCHES,
)


def _model():
    """Each patch layout once, then a layer the kernels run on the output side."""
    keras.utils.set_random_seed(5)
    model = keras.Sequential([
        keras.Input((13, 12, 1)),
        layers.Conv2D(8, 3, activation="relu"),  # 1 channel: im2col, tap-major
        layers.Conv2D(16, 3, strides=2, padding="same", activation="relu"),  # im2col
        layers.Conv2D(12, (2, 5), padding="same", activation="relu"),  # 5 * 16 >= 64: row patches
        layers.Conv2D(1, 3, padding="same"),  # fewer outputs than inputs: output side
        layers.Flatten(),
        layers.Dense(3, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    return model


def _train(run_eagerly):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((24, 13, 12, 1)).astype(np.float32)
    y = rng.integers(0, 3, size=24).astype(np.int32)
    model = _model()
    model.run_eagerly = run_eagerly
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    return model, x


def _ops(function):
    (concrete,) = function._concrete.values()
    return [n.op for n in concrete.graph.nodes]


def test_compiled_fit_shares_patches_and_is_bit_identical_to_eager():
    compiled, x = _train(run_eagerly=False)
    eager, _ = _train(run_eagerly=True)
    for c, e in zip(compiled.get_weights(), eager.get_weights()):
        np.testing.assert_array_equal(c, e)
    ops = _ops(compiled._update_functions["train"])
    assert ops.count(_PATCHES) == 3
    assert ops.count(_CONV2D_ON_PATCHES) == ops.count(_BACKPROP_FILTER_ON_PATCHES) == 3
    # The output-side layer keeps its own kernels.
    assert ops.count(_CONV2D) == ops.count(_BACKPROP_FILTER) == 1
    np.testing.assert_array_equal(compiled.predict(x, verbose=0), eager.predict(x, verbose=0))


def test_inference_graphs_are_left_alone():
    model, x = _train(run_eagerly=False)
    model.predict(x, verbose=0)
    ops = _ops(model._predict_function)
    assert _PATCHES not in ops and ops.count(_CONV2D) == 4


def test_unknown_batch_size_is_left_alone():
    rng = np.random.default_rng(1)
    w = fx.Variable(rng.standard_normal((3, 3, 2, 4)).astype(np.float32))

    def filter_grad(x):
        with fx.GradientTape() as tape:
            loss = fx.reduce_sum(fx.nn.conv2d(x, w, 1, "SAME") ** 2)
        return tape.gradient(loss, w)

    compiled = fx.function(filter_grad, input_signature=[fx.TensorSpec((None, 6, 5, 2))])
    x = fx.constant(rng.standard_normal((3, 6, 5, 2)).astype(np.float32))
    np.testing.assert_array_equal(compiled(x).numpy(), filter_grad(x).numpy())
    ops = [n.op for n in compiled.get_concrete_function().graph.nodes]
    assert _PATCHES not in ops and _BACKPROP_FILTER in ops


def test_large_patches_are_not_kept_alive(monkeypatch):
    # Patches of a batch of 8, in bytes: 31,680 (8 * 11 * 10 positions * 9 taps * 1 channel * 4
    # bytes), 69,120 (8 * 6 * 5 * 9 * 8 * 4) and, row patches, 89,600 (7 rows * 8 * 5 * 5 * 16 * 4).
    monkeypatch.setattr(passes, "MAX_SHARED_PATCHES", 80_000)
    model, _ = _train(run_eagerly=False)
    ops = _ops(model._update_functions["train"])
    assert ops.count(_PATCHES) == 2 and ops.count(_BACKPROP_FILTER) == 2
