"""LeNet on MNIST: the book's convolutional network, built and trained with `fluxion.keras`.

Conv2D(20, 5x5, relu) -> MaxPooling2D(2x2) -> Conv2D(50, 5x5, relu) -> MaxPooling2D(2x2) ->
Flatten -> Dense(500, relu) -> Dense(10, softmax); Adam, categorical cross-entropy, batch 128.
With "valid" padding the model has 431,080 parameters (the book's variant with
`--padding same` keeps 28x28 and 14x14 maps and has 1,256,080). Run it from the project root:

    python examples/lenet_mnist.py                 # 5 epochs: about 99.1% test accuracy
    python examples/lenet_mnist.py --epochs 1

MNIST comes from `$FLUXION_DATA_DIR/mnist/` when that is set, else it is downloaded once into
`~/.fluxion/datasets/`. Prints the summary, Keras's progress bar per epoch, the seconds per epoch
and the test accuracy.
"""
import argparse
import time

import numpy as np

import fluxion as tf
from fluxion import keras
from fluxion.keras import layers


def load_mnist():
    """MNIST as float32 images (n, 28, 28, 1) in [0, 1] and one-hot float32 labels."""
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()

    def prepare(x, y):
        x = x.reshape(len(x), 28, 28, 1).astype(np.float32) / 255.0
        return x, keras.utils.to_categorical(y, 10).astype(np.float32)

    return prepare(x_train, y_train), prepare(x_test, y_test)


def build_lenet(padding="valid"):
    """The LeNet model of the book's chapter 4 (Keras Sequential API)."""
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(20, (5, 5), padding=padding, activation="relu"),
        layers.MaxPooling2D((2, 2), strides=(2, 2)),
        layers.Conv2D(50, (5, 5), padding=padding, activation="relu"),
        layers.MaxPooling2D((2, 2), strides=(2, 2)),
        layers.Flatten(),
        layers.Dense(500, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ], name="lenet")


class _EpochTimer(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def train(data=None, epochs=5, batch_size=128, padding="valid", seed=0, verbose=1):
    """Trains LeNet; returns `(test_accuracy, seconds per epoch, history)`.

    Args:
        data: `((x_train, y_train), (x_test, y_test))` as `load_mnist` returns; loaded if None.
        epochs: passes over the 60,000 training images.
        batch_size: images per Adam step.
        padding: "valid" (431,080 parameters) or "same" (the book's, 1,256,080).
        seed: seeds the weights and the shuffling.
        verbose: 0 silent, 1 a progress bar per epoch (and the summary), 2 one line per epoch.
    """
    (x_train, y_train), (x_test, y_test) = data or load_mnist()
    keras.utils.set_random_seed(seed)
    model = build_lenet(padding)
    if verbose:
        model.summary()
    model.compile(optimizer=keras.optimizers.Adam(), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    timer = _EpochTimer()
    history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs,
                        verbose=verbose, callbacks=[timer])
    _, accuracy = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)
    if verbose:
        per_epoch = ", ".join(f"{s:.1f}" for s in timer.seconds)
        print(f"seconds per epoch: {per_epoch}")
        print(f"test accuracy: {accuracy:.4f}")
    return float(accuracy), timer.seconds, history


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--padding", choices=["valid", "same"], default="valid")
    parser.add_argument("--verbose", type=int, default=1)
    args = parser.parse_args()
    print(f"fluxion {tf.__version__}")
    train(epochs=args.epochs, batch_size=args.batch_size, padding=args.padding,
          verbose=args.verbose)


if __name__ == "__main__":
    main()
