"""Fashion-MNIST: 70,000 28x28 grayscale images of 10 clothing categories."""
import os

from . import _common
from .mnist import IDX_FILES, read_idx_splits

FILE_HASHES = {
    "train-labels-idx1-ubyte.gz":
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "train-images-idx3-ubyte.gz":
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "t10k-labels-idx1-ubyte.gz":
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    "t10k-images-idx3-ubyte.gz":
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
}


def load_data():
    """Loads the Fashion-MNIST dataset (a drop-in replacement for MNIST).

    Files come from `$FLUXION_DATA_DIR/fashion_mnist/` (the four IDX `.gz` files), else from the
    cache `~/.fluxion/datasets/fashion-mnist/`, downloaded from Keras's canonical URLs and
    checked against their published SHA-256.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 arrays of shapes `(60000, 28, 28)`,
        `(60000,)`, `(10000, 28, 28)`, `(10000,)`. Labels 0-9: T-shirt/top, Trouser, Pullover,
        Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot.

    Example:
    >>> (x_train, y_train), _ = load_data()  # doctest: +SKIP
    >>> x_train.shape  # doctest: +SKIP
    (60000, 28, 28)
    """
    paths = [_common.locate("fashion_mnist", "fashion_mnist", name, _common.origin(name),
                            FILE_HASHES[name], cache_subdir=os.path.join("datasets",
                                                                         "fashion-mnist"))[0]
             for name in IDX_FILES]
    return read_idx_splits(*paths)
