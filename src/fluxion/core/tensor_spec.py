"""`TensorSpec`: the shape (None for unknown sizes) and dtype a tensor is expected to have.

Used by `fluxion.function(input_signature=...)` and as the element spec of datasets.
"""
import numpy as np

from . import dtypes
from .tensor import TensorShape


class TensorSpec:
    """Describes a tensor: its shape (None where any size fits), dtype and an optional name.

    Example:
    >>> fluxion.TensorSpec((None, 3), fluxion.float32)
    TensorSpec(shape=(None, 3), dtype=tf.float32, name=None)
    """

    def __init__(self, shape, dtype=dtypes.float32, name=None):
        self.shape = TensorShape(shape)
        # Datasets of text hold NumPy bytes: "string" stands for them (there is no string dtype).
        self.dtype = dtype if isinstance(dtype, str) and dtype == "string" else \
            dtypes.as_dtype(dtype)
        self.name = name

    @classmethod
    def from_array(cls, array, batch_dims=0, drop=0):
        """The spec of `array` with its first `batch_dims` sizes unknown and `drop` axes removed."""
        shape = (None,) * batch_dims + tuple(array.shape[batch_dims + drop:])
        kind = array.dtype.kind
        return cls(shape, "string" if kind in "SUO" else dtypes.as_dtype(array.dtype))

    def is_compatible_with(self, value):
        """True if `value` (an array, tensor or TensorSpec) has a fitting shape and dtype."""
        if not self.shape.is_compatible_with(value.shape if hasattr(value, "shape") else
                                             np.shape(value)):
            return False
        dtype = getattr(value, "dtype", None)
        if dtype is None or self.dtype == "string":
            return True
        return np.dtype(getattr(dtype, "_np", dtype)) == self.dtype._np

    def __eq__(self, other):
        return isinstance(other, TensorSpec) and (self.shape, self.dtype, self.name) == \
            (other.shape, other.dtype, other.name)

    def __hash__(self):
        return hash((self.shape, str(self.dtype)))

    def __repr__(self):
        dtype = "tf.string" if self.dtype == "string" else repr(self.dtype)
        return f"TensorSpec(shape={self.shape}, dtype={dtype}, name={self.name!r})"
