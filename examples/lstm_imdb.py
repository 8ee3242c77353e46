"""IMDb sentiment with an LSTM: Embedding(10000, 128) -> LSTM(128) -> Dense(1, sigmoid).

The Keras IMDb LSTM example with the import line changed. Reviews are the 10,000 most frequent
words, padded/truncated to 200 tokens (`pad_sequences`, padding before the text). Run it from the
project root:

    FLUXION_DATA_DIR=/path/to/data python examples/lstm_imdb.py [epochs]

IMDb comes from `$FLUXION_DATA_DIR/imdb/` when that is set, else it is downloaded once. Prints
Keras's progress lines, the time of each epoch and the test accuracy (about 86-88% after 2-3
epochs).
"""
import sys
import time

import fluxion as tf
from fluxion import keras
from fluxion.keras import layers

MAX_FEATURES = 10000
MAXLEN = 200


def load_data():
    """Padded (25000, 200) int32 word ids and 0/1 labels, train and test."""
    (x_train, y_train), (x_test, y_test) = keras.datasets.imdb.load_data(num_words=MAX_FEATURES)
    pad = keras.preprocessing.sequence.pad_sequences
    return (pad(x_train, maxlen=MAXLEN), y_train), (pad(x_test, maxlen=MAXLEN), y_test)


def build_model():
    """The model of the Keras IMDb LSTM example (without dropout)."""
    model = keras.Sequential([
        keras.Input(shape=(MAXLEN,), dtype="int32"),
        layers.Embedding(MAX_FEATURES, 128),
        layers.LSTM(128),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def main(epochs=3, batch_size=64, verbose=2):
    tf.keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = load_data()
    model = build_model()
    model.summary()
    times = []

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.start)

    model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=verbose,
              callbacks=[Timer()])
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=500, verbose=0)
    print("seconds per epoch:", " ".join(f"{t:.1f}" for t in times))
    print(f"test loss {loss:.4f}, test accuracy {accuracy:.4f}")
    return accuracy


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
