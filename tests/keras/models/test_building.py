"""Sequential, Functional and subclassed models: building, calling, shared layers, nesting,
weights, errors."""
import numpy as np
import pytest

import fluxion
from fluxion.keras import layers, models

X = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")


def dense_reference(layer, x):
    kernel, bias = layer.get_weights()
    return x @ kernel + bias


# --- Sequential -----------------------------------------------------------------------------
def test_sequential_from_list_and_add_give_the_same_structure():
    a = models.Sequential([layers.Dense(3, input_dim=4), layers.Dense(2)])
    b = models.Sequential()
    b.add(layers.Input(shape=(4,)))
    b.add(layers.Dense(3))
    b.add(layers.Dense(2))
    assert a.output_shape == b.output_shape == (None, 2)
    assert [w.shape for w in a.weights] == [w.shape for w in b.weights]
    b.set_weights(a.get_weights())
    np.testing.assert_allclose(a(X).numpy(), b(X).numpy())


def test_sequential_is_built_lazily_from_the_first_call():
    model = models.Sequential([layers.Dense(3), layers.Dense(1)])
    assert not model.built and model.weights == []
    out = model(X)
    assert model.built and out.shape == (5, 1)
    first, second = model.layers
    np.testing.assert_allclose(out.numpy(), dense_reference(second, dense_reference(first, X)),
                               rtol=1e-5)


def test_sequential_batch_input_shape_and_pop():
    model = models.Sequential([layers.Dense(3, batch_input_shape=(None, 4)), layers.Dense(2)])
    assert model.input_shape == (None, 4)
    popped = model.pop()
    assert popped.units == 2 and model.output_shape == (None, 3)
    assert len(model.weights) == 2  # the popped layer's weights are gone
    assert len(model.layers) == 1
    model.pop()
    with pytest.raises(TypeError, match="no layers"):
        model.pop()


def test_sequential_rejects_non_layers_and_duplicate_names():
    model = models.Sequential()
    with pytest.raises(TypeError, match="Only instances of `keras.Layer`"):
        model.add("dense")
    with pytest.raises(ValueError, match="Name 'a' is already the name of a layer"):
        models.Sequential([layers.Dense(2, name="a", input_shape=(3,)), layers.Dense(2, name="a")])


def test_wrong_input_width_names_the_layer_and_suggests_flatten():
    model = models.Sequential([layers.Dense(10, input_shape=(784,))])
    with pytest.raises(ValueError) as info:
        model(np.zeros((2, 28, 28), "float32"))
    message = str(info.value)
    assert 'Input 0 of layer "dense" is incompatible with the layer: expected axis -1 of input ' \
           "shape to have value 784, but received input with shape (2, 28, 28)" in message
    assert "add a Flatten() layer" in message
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 784"):
        model(np.zeros((2, 100), "float32"))


def test_wrong_rank_is_a_clear_error():
    with pytest.raises(ValueError, match=r'layer "dense".*expected min_ndim=2, found ndim=1'):
        layers.Dense(2)(np.zeros(3, "float32"))


def test_unbuilt_model_weights_errors():
    model = models.Sequential([layers.Dense(2)])
    with pytest.raises(ValueError, match="isn't built"):
        model.count_params()
    with pytest.raises(AttributeError, match="not built yet"):
        _ = model.layers[0].kernel
    with pytest.raises(ValueError, match="expecting 0 weights.*build it first"):
        model.set_weights([np.zeros((3, 3))])


def test_set_weights_shape_mismatch_names_layer_and_weight():
    model = models.Sequential([layers.Input((4,)), layers.Dense(2)])
    with pytest.raises(ValueError, match=r"'sequential' weight 'dense/kernel' has shape \(4, 2\)"
                                         r".*\(3, 3\)"):
        model.set_weights([np.zeros((3, 3)), np.zeros(2)])


# --- Functional -----------------------------------------------------------------------------
def test_functional_multi_input_multi_output_and_get_layer():
    a, b = layers.Input((4,), name="a"), layers.Input((2,), name="b")
    h = layers.Dense(3, name="h")(a)
    joined = layers.Concatenate()([h, b])
    out1 = layers.Dense(1, name="out1")(joined)
    out2 = layers.Dense(2, name="out2")(h)
    model = models.Model(inputs=[a, b], outputs=[out1, out2])
    xb = np.ones((5, 2), "float32")
    y1, y2 = model([X, xb])
    h_value = dense_reference(model.get_layer("h"), X)
    np.testing.assert_allclose(
        y1.numpy(), dense_reference(model.get_layer("out1"), np.concatenate([h_value, xb], 1)),
        rtol=1e-5)
    np.testing.assert_allclose(y2.numpy(), dense_reference(model.get_layer("out2"), h_value),
                               rtol=1e-5)
    by_name = model({"a": X, "b": xb})
    np.testing.assert_allclose(by_name[0].numpy(), y1.numpy())
    assert [layer.name for layer in model.layers] == ["a", "h", "b", "concatenate", "out1",
                                                      "out2"]  # Keras 3's order
    assert model.get_layer(index=0).name == "a"
    with pytest.raises(ValueError, match="No such layer: nope. Existing layers are"):
        model.get_layer("nope")


def test_shared_embedding_for_two_text_inputs():
    """Two text inputs share one embedding (the Keras guide's shared-layer example)."""
    left, right = layers.Input((6,), dtype="int32"), layers.Input((6,), dtype="int32")
    shared = layers.Embedding(50, 8)
    encode = layers.GlobalAveragePooling1D()
    merged = layers.concatenate([encode(shared(left)), encode(shared(right))])
    model = models.Model([left, right], layers.Dense(1, activation="sigmoid")(merged))
    assert len(shared._inbound_nodes) == 2
    assert model.count_params() == 50 * 8 + 17
    ids = np.random.default_rng(1).integers(0, 50, size=(3, 6)).astype("int32")
    table = shared.get_weights()[0]
    kernel, bias = model.layers[-1].get_weights()
    features = np.concatenate([table[ids].mean(1), table[ids[::-1]].mean(1)], 1)
    expected = 1 / (1 + np.exp(-(features @ kernel + bias)))
    np.testing.assert_allclose(model([ids, ids[::-1]]).numpy(), expected, rtol=1e-5)


def test_nested_models_and_calling_a_model_on_new_inputs():
    encoder_in = layers.Input((4,))
    encoder = models.Model(encoder_in, layers.Dense(2, name="code")(encoder_in), name="encoder")
    x = layers.Input((4,))
    out = layers.Dense(1)(encoder(x))
    model = models.Model(x, out)
    assert model.layers[1] is encoder and out.shape == (None, 1)
    assert len(model.weights) == 4
    code = dense_reference(encoder.get_layer("code"), X)
    np.testing.assert_allclose(model(X).numpy(), dense_reference(model.layers[2], code),
                               rtol=1e-5)
    again = encoder(layers.Input((4,)))  # a second node on the same model
    assert again.shape == (None, 2) and len(encoder._inbound_nodes) == 2


def test_graph_disconnected_and_duplicate_names():
    a, b = layers.Input((2,), name="a"), layers.Input((2,), name="b")
    total = layers.Add()([a, b])
    with pytest.raises(ValueError, match="Graph disconnected.*'b'"):
        models.Model(a, total)
    x = layers.Input((2,))
    y = layers.Dense(2, name="same")(layers.Dense(2, name="same")(x))
    with pytest.raises(ValueError, match="layer names should be unique.*'same'"):
        models.Model(x, y)


def test_functional_model_as_a_layer_in_sequential():
    inner_in = layers.Input((4,))
    inner = models.Model(inner_in, layers.Dense(3)(inner_in))
    model = models.Sequential([layers.Input((4,)), inner, layers.Dense(1)])
    assert model.output_shape == (None, 1) and model(X).shape == (5, 1)


# --- Subclassing ------------------------------------------------------------------------------
class MLP(models.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.blocks = [layers.Dense(4, activation="relu"), layers.Dropout(0.5)]
        self.head = layers.Dense(1)

    def call(self, inputs, training=None):
        x = inputs
        for block in self.blocks:
            x = block(x, training=training)
        return self.head(x)


def test_subclassed_model_tracks_layers_in_lists_and_passes_training():
    model = MLP()
    assert model.name == "mlp"
    fluxion.random.set_seed(0)
    inference = model(X).numpy()
    assert len(model.weights) == 4 and len(model.layers) == 3
    np.testing.assert_array_equal(model(X).numpy(), inference)
    assert not np.array_equal(model(X, training=True).numpy(), inference)


def test_subclassed_model_build_and_symbolic_call():
    model = MLP()
    model.build((None, 4))
    assert model.built and len(model.weights) == 4
    x = layers.Input((4,))
    outer = models.Model(x, MLP()(x))
    assert outer.output_shape if hasattr(outer, "output_shape") else True
    assert outer(X).shape == (5, 1)


def test_model_without_call_is_a_clear_error():
    with pytest.raises(NotImplementedError, match="define call"):
        models.Model()(X)


def test_functional_names_are_numbered_as_in_keras_after_sequentials():
    # Keras 3 builds a hidden Functional model each time a Sequential connects its layers
    # (with an Input, on build(), on add() after the Input, on pop()): it takes a name.
    models.Sequential([layers.Input((3,)), layers.Dense(2)])
    lazy = models.Sequential([layers.Dense(2)])
    lazy.build((None, 3))
    inputs = layers.Input((3,))
    assert models.Model(inputs, layers.Dense(1)(inputs)).name == "functional_2"  # Keras 3.15
