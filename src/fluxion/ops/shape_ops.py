"""Shape helpers built on the array ops: `tf.sequence_mask`, `tf.meshgrid`, `tf.ensure_shape`."""
import numpy as np

from ..core import dtypes
from ..core.errors import InvalidArgumentValueError
from ..core.tensor import TensorShape, convert_to_tensor
from .array_ops import broadcast_to, expand_dims, range, reshape  # noqa: A004
from .math_ops import cast, less, maximum, reduce_max
from .registry import OpDef, Spec, bind

# Exported at the top level of `fluxion`.
__all__ = ["ensure_shape", "meshgrid", "sequence_mask"]


def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool, name=None):
    """A mask of shape `lengths.shape + (maxlen,)`: row `i` is True in its first `lengths[i]`
    entries.

    Args:
        lengths: integer (or float) lengths, any shape.
        maxlen: the mask's last dimension (default: the largest length).
        dtype: the mask's dtype (default bool).

    Example:
    >>> fluxion.sequence_mask([1, 3], 4).numpy()
    array([[ True, False, False, False],
           [ True,  True,  True, False]])
    """
    lengths = convert_to_tensor(lengths)
    if maxlen is None:
        maxlen = maximum(reduce_max(lengths), 0)
    positions = range(convert_to_tensor(maxlen), dtype=lengths.dtype)
    mask = less(positions, expand_dims(lengths, -1))
    dtype = dtypes.as_dtype(dtype)
    return mask if dtype == dtypes.bool else cast(mask, dtype)


def meshgrid(*args, **kwargs):
    """N-D coordinate grids from N 1-D coordinate vectors (`indexing="xy"` or `"ij"`).

    With `"xy"` (the default, as NumPy) the first two output dimensions are swapped.

    Example:
    >>> [g.numpy().tolist() for g in fluxion.meshgrid([1, 2], [3, 4, 5])]
    [[[1, 2], [1, 2], [1, 2]], [[3, 3], [4, 4], [5, 5]]]
    """
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"meshgrid: unexpected keyword arguments {sorted(kwargs)}; only "
                        "indexing and name are accepted.")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', received {indexing!r}.")
    xs = [reshape(convert_to_tensor(x), (-1,)) for x in args]
    if len({x.dtype for x in xs}) > 1:
        raise TypeError(f"meshgrid: all inputs must have one dtype, received "
                        f"{[x.dtype.name for x in xs]}. Cast them with fluxion.cast.")
    sizes = [x.shape[0] for x in xs]
    axes = list(np.arange(len(xs)))
    if indexing == "xy" and len(xs) > 1:
        axes[0], axes[1] = 1, 0
        sizes[0], sizes[1] = sizes[1], sizes[0]
    ones = [1] * len(xs)
    return [broadcast_to(reshape(x, ones[:a] + [-1] + ones[a + 1:]), sizes)
            for x, a in zip(xs, axes)]


def _ensure_check(op_name, actual, expected):
    """Raises unless `actual` (dims may be None) fits `expected` (None: any size)."""
    if len(actual) != len(expected) or any(
            a is not None and e is not None and a != e for a, e in zip(actual, expected)):
        raise InvalidArgumentValueError(
            f"{op_name}: the tensor's shape {tuple(actual)} is not compatible with the expected "
            f"shape {tuple(expected)}.")


def _ensure_kernel(x, shape):
    _ensure_check("ensure_shape", x.shape, shape)
    return x


def _ensure_infer(x, shape):
    _ensure_check("ensure_shape", tuple(x.shape), shape)
    return Spec(tuple(e if a is None else a for a, e in zip(x.shape, shape)), x.dtype)


_ENSURE_SHAPE = OpDef("ensure_shape", _ensure_kernel, _ensure_infer, lambda g, x, y, shape: (g,))


def ensure_shape(x, shape, name=None):
    """Returns `x`, checking that its shape fits `shape` (None: any size).

    Inside a `fluxion.function` the result's static shape takes the known dims of `shape`, and
    the check also runs when the function runs.

    Raises:
        InvalidArgumentError: if the shape of `x` does not fit.

    Example:
    >>> fluxion.ensure_shape(fluxion.zeros((3, 4)), [None, 4]).shape
    TensorShape([3, 4])
    """
    expected = TensorShape(shape)
    if expected.rank is None:
        return convert_to_tensor(x)
    return bind(_ENSURE_SHAPE, convert_to_tensor(x), shape=tuple(expected.as_list()))
