"""clone_model with clone_function / input_tensors, compiled clones, and the compile config
methods of Model (Keras 3 semantics)."""
import json

import numpy as np
import pytest

from fluxion import keras
from fluxion.keras import layers, models


def compiled_sequential():
    model = models.Sequential([keras.Input((3,)), layers.Dense(2, name="d1"),
                               layers.Dense(1, name="d2")])
    model.compile(keras.optimizers.SGD(0.05), "mse", metrics=["mae"])
    return model


def renamed(layer):
    return layer.__class__.from_config({**layer.get_config(), "name": layer.name + "_c"})


def test_clone_function_on_sequential_and_compiled_clone():
    model = compiled_sequential()
    clone = models.clone_model(model, clone_function=renamed)
    assert [layer.name for layer in clone.layers] == ["d1_c", "d2_c"]
    assert clone.name == model.name and clone.compiled
    assert clone.optimizer is not model.optimizer and type(clone.optimizer).__name__ == "SGD"
    assert float(np.asarray(clone.optimizer.learning_rate)) == pytest.approx(0.05)
    assert clone.get_compile_config() == model.get_compile_config()
    x, y = np.ones((4, 3), "float32"), np.zeros((4, 1), "float32")
    assert list(clone.evaluate(x, y, verbose=0, return_dict=True)) == ["loss", "mae"]
    plain = models.clone_model(models.Sequential([keras.Input((3,)), layers.Dense(1)]))
    assert not plain.compiled


def test_clone_function_on_functional_replaces_and_shares_layers():
    inputs = keras.Input((3,), name="ia")
    hidden = layers.Dense(2, name="h")(inputs)
    model = keras.Model(inputs, [layers.Dense(1, name="o1")(hidden),
                                 layers.Dense(1, name="o2")(hidden)], name="ff")

    def widen(layer):
        return layers.Dense(5, name="h_x") if layer.name == "h" else renamed(layer)
    clone = models.clone_model(model, clone_function=widen)
    assert clone.name == "ff"
    assert [layer.name for layer in clone.layers] == ["ia", "h_x", "o1_c", "o2_c"]
    assert clone.get_layer("o1_c").kernel.shape == (5, 1)
    assert [tuple(o.shape) for o in clone.outputs] == [(None, 1), (None, 1)]
    shared = models.clone_model(model, clone_function=lambda layer: layer)
    assert shared.get_layer("h") is model.get_layer("h")
    x = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
    for a, b in zip(shared.predict(x, verbose=0), model.predict(x, verbose=0)):
        np.testing.assert_array_equal(a, b)
    new_input = keras.Input((3,), name="newin")
    on_input = models.clone_model(model, input_tensors=new_input)
    assert [layer.name for layer in on_input.layers] == ["newin", "h", "o1", "o2"]
    with pytest.raises(ValueError, match="must be KerasTensors"):
        models.clone_model(model, input_tensors=np.ones((1, 3)))
    with pytest.raises(ValueError, match="callable"):
        models.clone_model(model, clone_function="dense")


def test_clone_of_a_subclassed_model_refuses_clone_function():
    class Tiny(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = layers.Dense(1)

        def call(self, x):
            return self.dense(x)
    with pytest.raises(ValueError, match="only supported for Sequential models or Functional"):
        models.clone_model(Tiny(), clone_function=renamed)


def test_compile_config_methods_and_to_json():
    model = compiled_sequential()
    config = model.get_compile_config()
    assert config["loss"] == "mse" and config["metrics"] == ["mae"]
    assert config["optimizer"]["class_name"] == "SGD"
    other = models.Sequential([keras.Input((3,)), layers.Dense(1)])
    assert other.get_compile_config() == {}
    assert json.loads(other.to_json())["compile_config"] == {}
    other.compile_from_config(config)
    assert other.compiled and other.optimizer.built and other.loss == "mse"
    data = json.loads(model.to_json())
    assert data["compile_config"] == json.loads(json.dumps(config))
    rebuilt = models.model_from_json(model.to_json())
    assert not rebuilt.compiled and [layer.name for layer in rebuilt.layers] == ["d1", "d2"]
