"""CIFAR-100: 60,000 32x32 colour images in 100 fine classes (20 coarse superclasses)."""
import os

import numpy as np

from .cifar10 import batches_folder, load_batch

CIFAR100_URL = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
CIFAR100_SHA256 = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"


def load_data(label_mode="fine"):
    """Loads the CIFAR-100 dataset.

    Args:
        label_mode: `"fine"` (100 classes) or `"coarse"` (20 superclasses).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 arrays of shapes `(50000, 32, 32, 3)`,
        `(50000, 1)`, `(10000, 32, 32, 3)`, `(10000, 1)` (labels int64, as Keras).

    Example:
    >>> (x_train, y_train), _ = load_data(label_mode="coarse")  # doctest: +SKIP
    >>> int(y_train.max())  # doctest: +SKIP
    19
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError('cifar100.load_data: label_mode must be "fine" or "coarse". '
                         f"Received: label_mode={label_mode!r}.")
    folder = batches_folder("cifar100", CIFAR100_URL, CIFAR100_SHA256, "cifar-100-python")
    out = []
    for split in ("train", "test"):
        x, y = load_batch(os.path.join(folder, split), label_key=label_mode + "_labels")
        out.append((x.transpose(0, 2, 3, 1), np.asarray(y, dtype=np.int64).reshape(-1, 1)))
    return tuple(out)
