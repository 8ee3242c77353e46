"""Autoencoders on MNIST: dense, stacked (deep), denoising and convolutional.

Each model learns to reproduce its input through a narrow code; all are trained with Adam and
binary cross-entropy on the pixels in [0, 1] and report the mean squared reconstruction error on
the 10,000 test images:

- dense: 784 -> 32 (relu) -> 784 (sigmoid), the single-layer autoencoder;
- stacked: 784 -> 128 -> 64 -> 32 -> 64 -> 128 -> 784;
- denoising: a convolutional autoencoder trained to map noisy digits (Gaussian noise of
  standard deviation 0.5, clipped to [0, 1]) to clean ones; writes a PNG with rows of inputs,
  noisy inputs and reconstructions;
- conv: Conv2D/MaxPooling2D down to a 4x4x8 code, Conv2D/UpSampling2D back to 28x28.

Run it from the project root (MNIST from `$FLUXION_DATA_DIR/mnist/`, else downloaded once):

    python examples/autoencoders.py                      # all four, default epochs
    python examples/autoencoders.py --kinds denoising --epochs 5 --png denoised.png

The PNG is drawn with matplotlib when it is installed (`pip install fluxion[plots]`), else
written directly as an 8-bit grayscale PNG (zlib, no extra dependency).
"""
import argparse
import struct
import time
import zlib

import numpy as np

from fluxion import keras
from fluxion.keras import layers

EPOCHS = {"dense": 10, "stacked": 10, "denoising": 3, "conv": 5}


def load_mnist():
    """MNIST images as float32 in [0, 1]: (x_train, x_test), each of shape (n, 28, 28, 1)."""
    (x_train, _), (x_test, _) = keras.datasets.mnist.load_data()
    return tuple(x.reshape(len(x), 28, 28, 1).astype(np.float32) / 255.0
                 for x in (x_train, x_test))


def add_noise(x, stddev=0.5, seed=0):
    """Gaussian noise, clipped back to [0, 1] (the denoising autoencoder's corruption)."""
    noise = np.random.default_rng(seed).normal(0.0, stddev, x.shape).astype(np.float32)
    return np.clip(x + noise, 0.0, 1.0)


def dense_autoencoder(code=32):
    """784 -> code -> 784, one hidden layer."""
    inputs = keras.Input((28, 28, 1))
    encoded = layers.Dense(code, activation="relu")(layers.Flatten()(inputs))
    decoded = layers.Dense(784, activation="sigmoid")(encoded)
    return keras.Model(inputs, layers.Reshape((28, 28, 1))(decoded), name="dense_autoencoder")


def stacked_autoencoder(sizes=(128, 64, 32)):
    """A deep autoencoder: the encoder's layers narrow to the code, the decoder mirrors them."""
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten()],
                             name="stacked_autoencoder")
    for units in sizes:
        model.add(layers.Dense(units, activation="relu"))
    for units in reversed(sizes[:-1]):
        model.add(layers.Dense(units, activation="relu"))
    model.add(layers.Dense(784, activation="sigmoid"))
    model.add(layers.Reshape((28, 28, 1)))
    return model


def conv_autoencoder(filters=(16, 8, 8), name="conv_autoencoder"):
    """Conv2D + MaxPooling2D to a (4, 4, filters[-1]) code; Conv2D + UpSampling2D back."""
    inputs = keras.Input((28, 28, 1))
    x = inputs
    for f in filters:
        x = layers.Conv2D(f, 3, activation="relu", padding="same")(x)
        x = layers.MaxPooling2D(2, padding="same")(x)  # 28 -> 14 -> 7 -> 4
    for i, f in enumerate(reversed(filters)):
        # "valid" once, so that 16 -> 14 and the last upsampling gives 28
        x = layers.Conv2D(f, 3, activation="relu", padding="valid" if i == 2 else "same")(x)
        x = layers.UpSampling2D(2)(x)
    outputs = layers.Conv2D(1, 3, activation="sigmoid", padding="same")(x)
    return keras.Model(inputs, outputs, name=name)


def denoising_autoencoder(filters=16):
    """The convolutional denoiser: two Conv2D + MaxPooling2D stages to a 7x7 code and back."""
    inputs = keras.Input((28, 28, 1))
    x = inputs
    for _ in range(2):
        x = layers.Conv2D(filters, 3, activation="relu", padding="same")(x)
        x = layers.MaxPooling2D(2, padding="same")(x)
    for _ in range(2):
        x = layers.Conv2D(filters, 3, activation="relu", padding="same")(x)
        x = layers.UpSampling2D(2)(x)
    outputs = layers.Conv2D(1, 3, activation="sigmoid", padding="same")(x)
    return keras.Model(inputs, outputs, name="denoising_autoencoder")


BUILDERS = {"dense": dense_autoencoder, "stacked": stacked_autoencoder,
            "denoising": denoising_autoencoder, "conv": conv_autoencoder}


def train(kind, data=None, epochs=None, batch_size=128, seed=0, verbose=2):
    """Trains one autoencoder; returns `(model, test MSE, seconds)`.

    Args:
        kind: "dense", "stacked", "denoising" or "conv".
        data: `(x_train, x_test)` as `load_mnist` returns; loaded if None.
        epochs: default `EPOCHS[kind]`.
        batch_size: images per Adam step.
        seed: seeds the weights, the shuffling and the noise.
        verbose: passed to `fit` (0 silent, 1 progress bar, 2 one line per epoch).
    """
    x_train, x_test = data or load_mnist()
    keras.utils.set_random_seed(seed)
    model = BUILDERS[kind]()
    model.compile(optimizer="adam", loss="binary_crossentropy")
    inputs_train, inputs_test = x_train, x_test
    if kind == "denoising":
        inputs_train, inputs_test = add_noise(x_train, seed=seed), add_noise(x_test, seed=seed + 1)
    start = time.perf_counter()
    model.fit(inputs_train, x_train, batch_size=batch_size,
              epochs=EPOCHS[kind] if epochs is None else epochs, verbose=verbose,
              validation_data=(inputs_test, x_test))
    seconds = time.perf_counter() - start
    reconstructed = model.predict(inputs_test, batch_size=1000, verbose=0)
    mse = float(np.mean((reconstructed - x_test) ** 2))
    return model, mse, seconds


# --- the picture ---------------------------------------------------------------------------------
def write_png(path, image):
    """Writes a 2-D uint8 array as an 8-bit grayscale PNG (signature, IHDR, IDAT, IEND)."""
    image = np.ascontiguousarray(image, dtype=np.uint8)
    height, width = image.shape

    def chunk(tag, payload):
        body = tag + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + row.tobytes() for row in image)  # filter type 0 per row
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) +
                chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def save_comparison(path, rows, titles=("input", "noisy", "reconstructed")):
    """Saves rows of 28x28 images (values in [0, 1]) as one PNG grid, one row per array."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        grid = np.ones((len(rows) * 30, rows[0].shape[0] * 30), np.float32)
        for r, images in enumerate(rows):
            for c, image in enumerate(images):
                grid[r * 30 + 1: r * 30 + 29, c * 30 + 1: c * 30 + 29] = image.reshape(28, 28)
        write_png(path, np.round(np.clip(grid, 0, 1) * 255))
        return
    n = rows[0].shape[0]
    fig, axes = plt.subplots(len(rows), n, figsize=(n, len(rows) + 0.3))
    for r, images in enumerate(rows):
        for c in range(n):
            axes[r, c].imshow(images[c].reshape(28, 28), cmap="gray", vmin=0, vmax=1)
            axes[r, c].axis("off")
        axes[r, 0].set_title(titles[r], loc="left", fontsize=9)
    fig.savefig(path, dpi=80, bbox_inches="tight")
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kinds", nargs="+", choices=list(BUILDERS), default=list(BUILDERS))
    parser.add_argument("--epochs", type=int, default=None,
                        help="epochs for every model (default: " +
                        ", ".join(f"{k} {v}" for k, v in EPOCHS.items()) + ")")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--png", default="denoising_autoencoder.png")
    parser.add_argument("--verbose", type=int, default=2)
    args = parser.parse_args()
    data = load_mnist()
    results = {}
    for kind in args.kinds:
        print(f"--- {kind} autoencoder")
        model, mse, seconds = train(kind, data, args.epochs, args.batch_size,
                                    verbose=args.verbose)
        results[kind] = (mse, seconds, model.count_params())
        print(f"{kind}: test reconstruction MSE {mse:.5f} ({seconds:.0f} s)")
        if kind == "denoising":
            clean = data[1][:10]
            noisy = add_noise(data[1], seed=1)[:10]
            restored = model.predict(noisy, verbose=0)
            save_comparison(args.png, [clean, noisy, restored])
            print(f"wrote {args.png} (rows: inputs, noisy inputs, reconstructions)")
    print("\nmodel        params   test MSE   seconds")
    for kind, (mse, seconds, params) in results.items():
        print(f"{kind:<10} {params:>8,}   {mse:.5f}   {seconds:7.0f}")


if __name__ == "__main__":
    main()
