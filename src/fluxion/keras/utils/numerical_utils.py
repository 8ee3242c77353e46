"""`to_categorical` and `normalize`: NumPy in, NumPy out, as Keras's."""
import numpy as np

__all__ = ["to_categorical", "normalize"]


def to_categorical(y, num_classes=None, dtype="float32"):
    """Converts a class vector (integers) to a binary class matrix (one-hot).

    Args:
        y: array-like of class indices in `[0, num_classes)`. A trailing axis of size 1 is
            dropped, so labels of shape `(n, 1)` give `(n, num_classes)`.
        num_classes: the number of classes; default `max(y) + 1`.
        dtype: the output dtype (default float32).

    Returns:
        A NumPy array of shape `y.shape + (num_classes,)`.

    Raises:
        ValueError: a label is negative or not below `num_classes`.

    Example:
    >>> to_categorical([0, 1, 2, 3], num_classes=4)
    array([[1., 0., 0., 0.],
           [0., 1., 0., 0.],
           [0., 0., 1., 0.],
           [0., 0., 0., 1.]], dtype=float32)
    """
    y = np.asarray(y)
    if y.dtype.kind == "f" and y.size and not np.all(np.mod(y, 1) == 0):
        raise ValueError("to_categorical: class labels must be whole numbers. Received: "
                         f"{y.ravel()[:5]}...")
    y = y.astype(np.int64)
    shape = y.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    y = y.reshape(-1)
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    num_classes = int(num_classes)
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"to_categorical: every label must be in [0, {num_classes}) for "
                         f"num_classes={num_classes}. Received labels from {y.min()} to "
                         f"{y.max()}; pass a larger num_classes or fix the labels.")
    out = np.zeros((y.size, num_classes), dtype=dtype)
    out[np.arange(y.size), y] = 1
    return out.reshape(shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    """Normalizes an array to unit `order`-norm along `axis` (zero vectors stay zero).

    Args:
        x: array-like to normalize.
        axis: the axis along which to normalize.
        order: the norm order (2 for the L2 norm).

    Returns:
        A NumPy array of the same shape (float32 unless `x` is a floating NumPy array).

    Example:
    >>> normalize([[3.0, 4.0], [0.0, 0.0]])
    array([[0.6, 0.8],
           [0. , 0. ]], dtype=float32)
    """
    python_value = not isinstance(x, (np.ndarray, np.generic))
    x = np.asarray(x)
    if x.dtype.kind != "f" or python_value:  # Python floats are float32, as everywhere
        x = x.astype(np.float32)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis).astype(x.dtype)
