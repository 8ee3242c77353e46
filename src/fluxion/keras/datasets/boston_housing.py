"""Boston housing prices: 506 samples of 13 features, target in k$ (a StatLib dataset)."""
import numpy as np

from . import _common

BOSTON_SHA256 = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Loads the Boston Housing dataset, shuffled with `seed`, then split.

    Note: the dataset has an ethical problem (its "B" feature); Keras discourages its use except
    to illustrate such issues.

    Args:
        path: the cache file name, or an absolute path to a local copy.
        test_split: the fraction kept for the test set (the end of the shuffled data).
        seed: the shuffle seed.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float64 arrays of shapes `(n, 13)` and `(n,)`.

    Example:
    >>> (x_train, y_train), (x_test, y_test) = load_data()  # doctest: +SKIP
    >>> x_train.shape, x_test.shape  # doctest: +SKIP
    ((404, 13), (102, 13))
    """
    if not 0 <= test_split < 1:
        raise ValueError(f"boston_housing.load_data: test_split must be in [0, 1). Received: "
                         f"test_split={test_split}.")
    fpath, _ = _common.locate("boston_housing", "boston_housing", "boston_housing.npz",
                              _common.origin("boston_housing.npz"), BOSTON_SHA256,
                              path=None if path == "boston_housing.npz" else path)
    arrays = _common.load_npz(fpath)
    _common.check_arrays("boston_housing", fpath, arrays,
                         {"x": (None, (None, 13)), "y": (None, (None,))})
    x, y = arrays["x"], arrays["y"]
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - test_split))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])
