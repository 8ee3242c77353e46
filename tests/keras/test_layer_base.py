"""The Layer contract: naming, lazy build, weight tracking, freezing, losses, training flag,
masks, dtype casting, default get_config."""
import numpy as np
import pytest

import fluxion
from fluxion.keras import backend, layers, models, regularizers

X = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")


@pytest.fixture(autouse=True)
def fresh_session():
    backend.clear_session()


def test_unique_names_per_class_and_clear_session():
    names = [layers.Dense(1).name, layers.Dense(1).name, layers.Dropout(0.1).name,
             layers.LeakyReLU().name, layers.GlobalMaxPooling1D().name]
    assert names == ["dense", "dense_1", "dropout", "leaky_re_lu", "global_max_pooling1d"]
    assert models.Sequential().name == "sequential"
    backend.clear_session()
    assert layers.Dense(1).name == "dense"


def test_unknown_keyword_arguments_are_rejected():
    with pytest.raises(TypeError, match="Unrecognized keyword arguments passed to Dense"):
        layers.Dense(2, unitz=3)


class Block(layers.Layer):
    """A custom layer: a weight made in build, a sub-layer, layers in a list and a dict."""

    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.inner = layers.Dense(units)
        self.stack = [layers.Dense(units), layers.Dense(units)]
        self.named = {"last": layers.Dense(units, use_bias=False)}
        self.counter = fluxion.Variable(0.0, trainable=False)

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(self.units,), initializer="ones", name="scale",
                                     regularizer=regularizers.L2(0.5))

    def call(self, x):
        x = self.inner(x) * self.scale
        for layer in self.stack:
            x = layer(x)
        self.add_loss(fluxion.reduce_sum(x) * 0.0 + 1.0)
        return self.named["last"](x)


def test_sub_layers_and_variables_are_tracked_everywhere():
    block = Block()
    assert not block.built and block.weights == [block.counter]
    block(X)
    names = [w.path if hasattr(w, "path") else w.name for w in block.weights]
    assert names[0] == "block/scale" and len(block.trainable_weights) == 1 + 2 + 4 + 1
    assert block.non_trainable_weights == [block.counter]
    assert [layer.name for layer in block._layers] == ["dense", "dense_1", "dense_2", "dense_3"]


def test_losses_are_recomputed_each_call():
    block = Block()
    block(X)
    block(X)
    losses = block.losses
    assert len(losses) == 2  # add_loss of the last call only + the weight penalty
    assert float(losses[0]) == 1.0 and float(losses[1]) == pytest.approx(0.5 * 2)


def test_kernel_and_activity_regularizers():
    layer = layers.Dense(2, kernel_regularizer=regularizers.L1(0.1),
                         activity_regularizer=regularizers.L2(0.01), kernel_initializer="ones")
    out = layer(X)
    activity, kernel = layer.losses
    assert float(kernel) == pytest.approx(0.1 * 8)
    # Keras 3 divides the activity penalty by the batch size
    assert float(activity) == pytest.approx(0.01 * float((out.numpy() ** 2).sum()) / len(X),
                                            rel=1e-5)


def test_freezing_a_model_freezes_its_layers_and_the_tape_ignores_them():
    model = models.Sequential([layers.Dense(3, input_shape=(4,)), layers.BatchNormalization(),
                               layers.Dense(1)])
    assert len(model.trainable_weights) == 6 and len(model.non_trainable_weights) == 2
    model.layers[0].trainable = False
    assert len(model.trainable_weights) == 4
    model.trainable = False
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 8
    assert all(not layer.trainable for layer in model.layers)
    with fluxion.GradientTape() as tape:
        fluxion.reduce_sum(model(X))
    assert len(tape.watched_variables()) == 0  # frozen weights are not watched
    model.trainable = True
    assert len(model.trainable_weights) == 6  # moving statistics stay non-trainable


def test_training_flag_propagates_to_nested_layers():
    seen = []

    class Probe(layers.Layer):
        def call(self, x, training=None):
            seen.append(training)
            return x

    class Outer(layers.Layer):
        def __init__(self):
            super().__init__()
            self.probe = Probe()

        def call(self, x):  # no training argument: the flag still reaches Probe
            return self.probe(x)

    Outer()(X, training=True)
    Outer()(X)
    assert seen == [True, None]


def test_inputs_are_converted_and_cast_to_the_layer_dtype():
    layer = layers.Dense(2)
    out = layer(X.astype("float64").tolist())
    assert out.dtype == fluxion.float32
    layer64 = layers.Dense(2, dtype="float64")
    assert layer64(X).dtype == fluxion.float64 and layer64.kernel.dtype == fluxion.float64
    ids = layers.Embedding(10, 2)(np.array([[1, 2]]))
    assert ids.dtype == fluxion.float32


def test_default_get_config_of_custom_layers_uses_constructor_arguments():
    config = Block(units=3, name="b").get_config()
    assert config["units"] == 3 and config["name"] == "b"
    assert Block.from_config(config).units == 3


def test_input_spec_checks_are_named():
    layer = layers.Dense(2)
    layer(X)
    with pytest.raises(ValueError, match='Input 0 of layer "dense".*value 4.*shape \\(3, 5\\)'):
        layer(np.zeros((3, 5), "float32"))


def test_masks_flow_from_embedding_through_layers_that_support_them():
    emb = layers.Embedding(5, 2, mask_zero=True)
    dense = layers.Dense(3)
    ids = np.array([[1, 0, 2]])
    out = dense(emb(ids))
    from fluxion.keras.engine.keras_tensor import get_mask
    np.testing.assert_array_equal(np.asarray(get_mask(out)), [[True, False, True]])
    x = layers.Input((3,), dtype="int32")
    symbolic = dense(emb(x))
    assert get_mask(symbolic) is not None


def test_keras_variables_are_named_as_in_keras_3_plain_ones_as_in_tensorflow():
    keras = fluxion.keras
    layer = keras.layers.Dense(2, name="d")
    layer.build((None, 3))
    assert [w.name for w in layer.weights] == ["kernel", "bias"]
    assert [w.path for w in layer.weights] == ["d/kernel", "d/bias"]
    metric = keras.metrics.Mean(name="m")
    assert sorted(v.name for v in metric.variables) == ["count", "total"]
    optimizer = keras.optimizers.Adam()
    optimizer.build(layer.trainable_variables)
    assert "d_kernel_momentum" in [v.name for v in optimizer.variables]
    assert fluxion.Variable(1.0, name="x").name == "x:0"
