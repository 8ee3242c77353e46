"""get_config/from_config, to_json/model_from_json and clone_model for whole models."""
import json

import numpy as np
import pytest

from fluxion.keras import layers, models

X = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")


def test_sequential_json_round_trip_matches_keras_layout():
    model = models.Sequential([layers.Input((4,)), layers.Dense(2, activation="relu",
                                                                  kernel_regularizer="l2")])
    data = json.loads(model.to_json())
    assert data["class_name"] == "Sequential" and data["module"] == "keras"
    dense = data["config"]["layers"][1]
    assert dense["class_name"] == "Dense" and dense["build_config"] == {"input_shape": [None, 4]}
    assert dense["config"]["kernel_regularizer"] == {
        "module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.01},
        "registered_name": None}
    assert data["config"]["layers"][0]["config"]["batch_shape"] == [None, 4]
    clone = models.model_from_json(model.to_json())
    assert clone.output_shape == (None, 2) and clone.layers[0].name == "dense"
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone(X).numpy(), model(X).numpy())


def test_functional_json_round_trip_with_shared_layer():
    a, b = layers.Input((4,), name="a"), layers.Input((4,), name="b")
    shared = layers.Dense(3, name="shared")
    out = layers.Add()([shared(a), shared(b)])
    model = models.Model([a, b], layers.Dense(1, name="out")(out))
    data = json.loads(model.to_json())
    assert data["class_name"] == "Functional"
    assert data["config"]["input_layers"] == [["a", 0, 0], ["b", 0, 0]]
    shared_config = [c for c in data["config"]["layers"] if c["name"] == "shared"][0]
    assert len(shared_config["inbound_nodes"]) == 2
    clone = models.model_from_json(model.to_json())
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone([X, 2 * X]).numpy(), model([X, 2 * X]).numpy(), rtol=1e-6)


def test_clone_model_has_new_weights_and_same_architecture():
    model = models.Sequential([layers.Dense(3, input_shape=(4,)), layers.Dense(1)])
    clone = models.clone_model(model)
    assert [w.shape for w in clone.weights] == [w.shape for w in model.weights]
    assert not np.array_equal(clone.layers[0].get_weights()[0], model.layers[0].get_weights()[0])


def test_custom_layers_load_only_through_custom_objects():
    class Scale(layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

    model = models.Sequential([layers.Input((4,)), Scale(3.0)])
    text = model.to_json()
    with pytest.raises(ValueError, match="Unknown layer class 'Scale'.*custom_objects"):
        models.model_from_json(text)
    clone = models.model_from_json(text, custom_objects={"Scale": Scale})
    np.testing.assert_allclose(clone(X).numpy(), 3 * X)


def test_lambda_with_named_function_round_trips_by_name():
    def double(x):
        return 2 * x
    model = models.Sequential([layers.Input((4,)), layers.Lambda(double)])
    clone = models.model_from_json(model.to_json(), custom_objects={"double": double})
    np.testing.assert_allclose(clone(X).numpy(), 2 * X)
    with pytest.raises(TypeError, match="lambda"):
        models.Sequential([layers.Input((4,)), layers.Lambda(lambda x: x)]).to_json()
