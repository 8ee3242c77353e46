"""MNIST handwritten digits: 60,000 training and 10,000 test images of 28x28 pixels."""
import os

from . import _common

MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
IDX_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def read_idx_splits(train_images, train_labels, test_images, test_labels):
    """Reads the four IDX files (MNIST / Fashion-MNIST layout) into the two splits."""
    x_train = _common.read_idx(train_images, _common.IDX_IMAGES)
    y_train = _common.read_idx(train_labels, _common.IDX_LABELS)
    x_test = _common.read_idx(test_images, _common.IDX_IMAGES)
    y_test = _common.read_idx(test_labels, _common.IDX_LABELS)
    for x, y, name in ((x_train, y_train, "train"), (x_test, y_test, "test")):
        if len(x) != len(y):
            raise ValueError(f"load_data: the {name} split has {len(x)} images but {len(y)} "
                             "labels.")
    return (x_train, y_train), (x_test, y_test)


def load_data(path="mnist.npz"):
    """Loads the MNIST dataset.

    The file comes from `path` if it is an existing absolute path, else from
    `$FLUXION_DATA_DIR/mnist/` (`mnist.npz`, or the four original IDX `.gz` files), else from
    the cache `~/.fluxion/datasets/`, downloaded from Keras's canonical URL and checked
    against its published SHA-256.

    Args:
        path: the file name in the cache, or an absolute path to a local `mnist.npz`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 arrays of shapes `(60000, 28, 28)`,
        `(60000,)`, `(10000, 28, 28)` and `(10000,)`; pixels in [0, 255], labels in [0, 9].

    Raises:
        DownloadError: no local copy and the download failed (the message says where to put
            the file).

    Example:
    >>> (x_train, y_train), (x_test, y_test) = load_data()  # doctest: +SKIP
    >>> x_train.shape, y_train[:5]  # doctest: +SKIP
    ((60000, 28, 28), array([5, 0, 4, 1, 9], dtype=uint8))
    """
    if _common.data_dir_file("mnist", "mnist.npz") is None and \
            not (os.path.isabs(os.fspath(path)) and os.path.exists(path)):
        idx = [_common.data_dir_file("mnist", name) for name in IDX_FILES]
        if all(idx):
            return read_idx_splits(*idx)
    fpath, _ = _common.locate("mnist", "mnist", "mnist.npz", _common.origin("mnist.npz"),
                              MNIST_SHA256, path=None if path == "mnist.npz" else path)
    arrays = _common.load_npz(fpath)
    _common.check_arrays("mnist", fpath, arrays, {
        "x_train": ("uint8", (None, 28, 28)), "y_train": ("uint8", (None,)),
        "x_test": ("uint8", (None, 28, 28)), "y_test": ("uint8", (None,))})
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
