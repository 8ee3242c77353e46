"""A small stand-in for a Keras model with the attributes callbacks use, and a loop that calls
the hooks in the order `fit` does (the real Model/fit is built elsewhere)."""
import os

import numpy as np

import fluxion as tf
from fluxion.keras import callbacks as cbks
from fluxion.keras import optimizers


class FakeLayer:
    def __init__(self, name):
        self.name = name


class FakeModel:
    """Two weights trained on a quadratic bowl `sum((w - target)**2)`."""

    def __init__(self, optimizer=None):
        self.kernel = tf.Variable(np.array([[1.0, -1.0], [0.5, 2.0]], np.float32), name="kernel")
        self.kernel.path = "dense/kernel"
        self.bias = tf.Variable(np.array([0.1, -0.2], np.float32), name="bias")
        self.bias.path = "dense/bias"
        self.optimizer = optimizer or optimizers.SGD(0.1)
        self.stop_training = False
        self.layers = [FakeLayer("dense"), FakeLayer("dense_1")]
        self.saved = []

    @property
    def weights(self):
        return [self.kernel, self.bias]

    trainable_variables = weights

    def get_weights(self):
        return [np.array(v.numpy()) for v in self.weights]

    def set_weights(self, weights):
        for v, w in zip(self.weights, weights):
            v.assign(np.asarray(w, np.float32))

    def save(self, path, overwrite=True):
        assert not os.path.exists(path)  # written to a fresh temporary name
        np.savez(open(path, "wb"), *self.get_weights())
        self.saved.append(("model", path))

    def save_weights(self, path, overwrite=True):
        np.savez(open(path, "wb"), *self.get_weights())
        self.saved.append(("weights", path))

    def train_step(self, epoch, batch):
        target = np.float32(0.3 * epoch + 0.1 * batch)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(self.kernel - target)) + \
                tf.reduce_sum(tf.square(self.bias + target))
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        return float(loss)


def run_fit(model, callbacks, epochs=3, steps=4, val_losses=None, verbose=0, on_batch=None):
    """Calls the hooks as fit does; returns the History. `val_losses[epoch]` gives val_loss."""
    cbl = cbks.CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=model,
                            verbose=verbose, epochs=epochs, steps=steps)
    model.stop_training = False
    cbl.on_train_begin()
    start = getattr(model, "_initial_epoch", 0)
    for epoch in range(start, epochs):
        cbl.on_epoch_begin(epoch)
        total = 0.0
        for batch in range(steps):
            cbl.on_train_batch_begin(batch)
            total += model.train_step(epoch, batch)
            if on_batch is not None:
                on_batch(epoch, batch)
            cbl.on_train_batch_end(batch, {"loss": total / (batch + 1)})
        logs = {"loss": total / steps}
        if val_losses is not None:
            logs["val_loss"] = val_losses[epoch]
        cbl.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    cbl.on_train_end()
    return cbl._history
