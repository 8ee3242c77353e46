"""Customising fit/evaluate/predict by overriding train_step/test_step/predict_step, as the Keras
guide "Customizing what happens in fit()" does (values checked against Keras 3.15)."""
import numpy as np
import pytest

import fluxion as tf
from fluxion import keras

RNG = np.random.default_rng(0)
X = RNG.random((256, 32)).astype("float32")
Y = RNG.random((256, 1)).astype("float32")


def _functional(model_class, units=8):
    inputs = keras.Input(shape=(32,))
    h = keras.layers.Dense(units, activation="relu",
                           kernel_initializer=keras.initializers.Constant(0.05))(inputs)
    outputs = keras.layers.Dense(1, kernel_initializer=keras.initializers.Constant(0.1))(h)
    return model_class(inputs, outputs)


class OwnMetrics(keras.Model):
    """The guide's model: its own trackers, compile() without a loss."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
        self.seen = []

    def train_step(self, data):
        self.seen.append(type(data).__name__ + str(len(data)))
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = keras.losses.MeanSquaredError()(y, y_pred)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        self.loss_tracker.update_state(keras.losses.MeanSquaredError()(y, y_pred))
        self.mae_metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}

    @property
    def metrics(self):
        return [self.loss_tracker, self.mae_metric]


def test_the_guides_model_trains_without_a_compiled_loss_as_keras():
    model = _functional(OwnMetrics)
    model.compile(optimizer=keras.optimizers.SGD(0.01))
    history = model.fit(X, Y, epochs=3, batch_size=32, verbose=0, shuffle=False)
    # Keras 3.15 with the same weights and data
    np.testing.assert_allclose(history.history["loss"], [0.09384, 0.08748, 0.08689], atol=1e-5)
    np.testing.assert_allclose(history.history["mae"], [0.25668, 0.25203, 0.25247], atol=1e-5)
    logs = model.evaluate(X, Y, verbose=0, return_dict=True)
    assert logs == pytest.approx({"loss": 0.0865636, "mae": 0.2524208}, abs=1e-6)
    assert model.seen == ["tuple2"]  # traced once, with (x, y): no sample weight added


def test_a_custom_step_gets_what_the_data_holds():
    seen = []

    class Spy(keras.Model):
        def train_step(self, data):
            seen.append(len(data) if isinstance(data, tuple) else "x")
            x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
            return {"n": tf.reduce_sum(tf.ones_like(y)) if y is not None else 0.0}

        def predict_step(self, data):
            seen.append("predict:" + ("tuple" if isinstance(data, tuple) else "x"))
            return self(data, training=False)

    model = _functional(Spy)
    model.compile(optimizer="sgd")
    model.fit(X[:8], Y[:8], batch_size=8, verbose=0)
    model.fit(X[:8], Y[:8], sample_weight=np.ones(8), batch_size=8, verbose=0)
    model.fit(tf.data.Dataset.from_tensor_slices(X[:8]).batch(8), verbose=0, shuffle=False)
    assert model.predict(X[:8], verbose=0).shape == (8, 1)
    assert seen == [2, 3, "x", "predict:x"]


def test_compute_loss_and_compiled_metrics_from_a_custom_step():
    class UsesCompiled(keras.Model):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(y=y, y_pred=y_pred)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    model = _functional(UsesCompiled, units=32)
    inputs = model.inputs[0]
    model = UsesCompiled(inputs, keras.layers.Dense(
        1, kernel_initializer=keras.initializers.Constant(0.1))(inputs))
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    history = model.fit(X, Y, epochs=2, batch_size=64, verbose=0, shuffle=False)
    assert [m.name for m in model.metrics] == ["loss", "mae"]
    np.testing.assert_allclose(history.history["loss"], [0.80456, 0.23343], atol=1e-5)
    np.testing.assert_allclose(history.history["mae"], [0.8183, 0.40001], atol=1e-4)


def test_without_any_loss_fit_says_what_to_do():
    model = _functional(keras.Model)
    model.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="No loss to compute"):
        model.fit(X[:8], Y[:8], verbose=0)


def test_add_loss_alone_is_a_loss():
    class Penalised(keras.layers.Layer):
        def call(self, x):
            self.add_loss(tf.reduce_mean(x ** 2))
            return x

    inputs = keras.Input((32,))
    outputs = Penalised()(keras.layers.Dense(
        4, kernel_initializer=keras.initializers.Constant(0.1))(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="sgd")
    history = model.fit(X[:16], None, batch_size=16, verbose=0)
    h = X[:16] @ np.full((32, 4), 0.1, np.float32)
    assert history.history["loss"][0] == pytest.approx(float((h ** 2).mean()), rel=1e-5)
