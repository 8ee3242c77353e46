"""Multinomial logistic regression on MNIST, with GradientTape and plain SGD.

The model is one affine map from the 784 pixels to 10 class scores, trained on mini-batches with
the softmax cross-entropy loss. Run it from the project root:

    python examples/mnist_logistic_regression.py

MNIST comes from `$FLUXION_DATA_DIR/mnist/` when that is set, else it is downloaded once into
`~/.fluxion/datasets/`. Prints the loss of each epoch and the final test accuracy (about 92%).
"""
import time

import numpy as np

import fluxion as tf
from fluxion import keras, nn


def load_mnist():
    """MNIST as float32 pixels in [0, 1], flattened to 784 features, and int32 labels."""
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()

    def prepare(x, y):
        return x.reshape(len(x), 784).astype(np.float32) / 255.0, y.astype(np.int32)

    return prepare(x_train, y_train), prepare(x_test, y_test)


def train(data=None, epochs=5, batch_size=100, learning_rate=0.5, seed=0, verbose=True):
    """Fits the model with SGD; returns `(test_accuracy, per-epoch mean training losses)`.

    Args:
        data: `((x_train, y_train), (x_test, y_test))` as `load_mnist` returns; loaded if None.
        epochs: passes over the 60,000 training images.
        batch_size: images per SGD step.
        learning_rate: the SGD step size.
        seed: seeds the order of the mini-batches.
        verbose: print one line per epoch and the accuracy.
    """
    (x_train, y_train), (x_test, y_test) = data or load_mnist()
    W = tf.Variable(tf.zeros((784, 10)), name="W")
    b = tf.Variable(tf.zeros((10,)), name="b")
    rng = np.random.default_rng(seed)
    losses = []
    for epoch in range(epochs):
        start, total = time.perf_counter(), 0.0
        order = rng.permutation(len(x_train))
        steps = len(x_train) // batch_size
        for step in range(steps):
            batch = order[step * batch_size:(step + 1) * batch_size]
            x, y = tf.constant(x_train[batch]), tf.constant(y_train[batch])
            with tf.GradientTape() as tape:
                logits = tf.matmul(x, W) + b
                loss = tf.reduce_mean(
                    nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
            grad_W, grad_b = tape.gradient(loss, [W, b])
            W.assign_sub(learning_rate * grad_W)
            b.assign_sub(learning_rate * grad_b)
            total += float(loss)
        losses.append(total / steps)
        if verbose:
            print(f"epoch {epoch + 1}/{epochs}: loss {losses[-1]:.4f} "
                  f"({time.perf_counter() - start:.1f} s)")
    predictions = tf.argmax(tf.matmul(tf.constant(x_test), W) + b, axis=1)
    correct = tf.equal(predictions, tf.cast(tf.constant(y_test), predictions.dtype))
    accuracy = float(tf.reduce_mean(tf.cast(correct, tf.float32)))
    if verbose:
        print(f"test accuracy: {accuracy:.4f}")
    return accuracy, losses


if __name__ == "__main__":
    train()
