"""CIFAR-10: 60,000 32x32 colour images in 10 classes."""
import os

import numpy as np

from . import _common

CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"


def load_batch(fpath, label_key="labels"):
    """Reads one CIFAR python batch (a pickle, only NumPy arrays allowed) -> (data, labels).

    Returns `data` as uint8 `(n, 3, 32, 32)` and labels as a list of ints. Call it only on files
    from an archive whose hash was verified.
    """
    d = _common.unpickle_verified(fpath, True, encoding="bytes")
    d = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in d.items()}
    data = np.asarray(d["data"], dtype=np.uint8)
    return data.reshape(data.shape[0], 3, 32, 32), d[label_key]


def batches_folder(dataset, url, file_hash, top):
    """Finds the verified, extracted CIFAR archive and returns the folder holding its batches.

    The archive is taken from `$FLUXION_DATA_DIR/<dataset>/<its file name>` or downloaded into
    the cache; in both cases its SHA-256 must match the published one before it is extracted
    (the batches are pickles).
    """
    from ..utils import file_utils
    name = os.path.basename(url)
    archive, verified = _common.locate(dataset, dataset, name, url, file_hash)
    if not verified and not file_utils.validate_file(archive, file_hash):
        raise ValueError(f"{dataset}.load_data: {archive} does not have the official SHA-256 "
                         f"{file_hash}; refusing to unpickle its batches.")
    target = os.path.join(file_utils.fluxion_home(), "datasets", top)
    if not os.path.isdir(target):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        file_utils.extract_archive(archive, target, "tar")
    inner = os.path.join(target, top)
    return inner if os.path.isdir(inner) else target


def load_data():
    """Loads the CIFAR-10 dataset.

    Classes: 0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer, 5 dog, 6 frog, 7 horse, 8 ship,
    9 truck.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 arrays of shapes `(50000, 32, 32, 3)`,
        `(50000, 1)`, `(10000, 32, 32, 3)`, `(10000, 1)`.

    Example:
    >>> (x_train, y_train), _ = load_data()  # doctest: +SKIP
    >>> x_train.shape, y_train.shape  # doctest: +SKIP
    ((50000, 32, 32, 3), (50000, 1))
    """
    folder = batches_folder("cifar10", CIFAR10_URL, CIFAR10_SHA256, "cifar-10-batches-py")
    parts = [load_batch(os.path.join(folder, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([x for x, _ in parts])
    y_train = np.concatenate([np.asarray(y, dtype=np.uint8) for _, y in parts])
    x_test, y_test = load_batch(os.path.join(folder, "test_batch"))
    y_test = np.asarray(y_test, dtype=np.uint8)
    return ((x_train.transpose(0, 2, 3, 1), y_train.reshape(-1, 1)),
            (x_test.transpose(0, 2, 3, 1), y_test.reshape(-1, 1)))
