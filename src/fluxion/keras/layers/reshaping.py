"""Reshaping layers: Flatten, Reshape, Permute, RepeatVector.

Example:
>>> from fluxion import keras
>>> keras.layers.Flatten()(fluxion.ones((2, 28, 28))).shape
TensorShape([2, 784])
"""
import math

from ...ops import array_ops as a
from ..engine.input_spec import InputSpec
from ..engine.layer import Layer


def _product(dims):
    return None if None in dims else math.prod(dims)


class Flatten(Layer):
    """Flattens each sample to one dimension: `(batch, d1, d2, ...)` -> `(batch, d1*d2*...)`.

    Args:
        data_format: "channels_last" (default) or "channels_first" (moves channels last
            before flattening, so weights match a channels-last model).

    Example:
    >>> keras.layers.Flatten()(fluxion.ones((2, 3, 4))).shape
    TensorShape([2, 12])
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        shape = tuple(inputs.shape)
        if self.data_format == "channels_first" and len(shape) > 2:
            inputs = a.transpose(inputs, (0,) + tuple(range(2, len(shape))) + (1,))
        if len(shape) == 1:
            return a.expand_dims(inputs, 1)
        size = _product(shape[1:])
        if size is not None:
            return a.reshape(inputs, (-1, size))
        if shape[0] is not None:
            return a.reshape(inputs, (shape[0], -1))
        return self._unknown_dims_output(inputs)  # (None, None, 3) -> (None, None)

    def compute_output_shape(self, input_shape):
        if len(input_shape) == 1:
            return (input_shape[0], 1)
        return (input_shape[0], _product(tuple(input_shape[1:])))

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """Reshapes each sample to `target_shape` (one entry may be -1, inferred).

    Example:
    >>> keras.layers.Reshape((3, -1))(fluxion.ones((2, 12))).shape
    TensorShape([2, 3, 4])
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)
        if sum(d == -1 for d in self.target_shape) > 1 or any(
                d is None or (d < 1 and d != -1) for d in self.target_shape):
            raise ValueError(f"Reshape: target_shape must hold positive ints and at most one "
                             f"-1. Received: target_shape={self.target_shape}")

    def compute_output_shape(self, input_shape):
        size = _product(tuple(input_shape[1:]))
        target = self.target_shape
        if -1 in target:
            known = math.prod(d for d in target if d != -1)
            if size is None:
                target = tuple(None if d == -1 else d for d in target)
            elif size % known:
                raise ValueError(self._mismatch(input_shape))
            else:
                target = tuple(size // known if d == -1 else d for d in target)
        elif size is not None and size != math.prod(target):
            raise ValueError(self._mismatch(input_shape))
        return (input_shape[0],) + target

    def _mismatch(self, input_shape):
        return (f"Layer '{self.name}' (Reshape): the total size of each sample must be "
                f"unchanged. Input shape {tuple(input_shape)} has "
                f"{_product(tuple(input_shape[1:]))} values per sample; target_shape="
                f"{self.target_shape} needs {math.prod(d for d in self.target_shape if d != -1)}"
                f"{' times some number' if -1 in self.target_shape else ''}.")

    def call(self, inputs):
        shape = tuple(inputs.shape)
        target = self.compute_output_shape(shape)[1:]
        if None not in target:
            return a.reshape(inputs, (-1,) + target)
        if shape[0] is not None:
            return a.reshape(inputs, (shape[0],) + self.target_shape)
        return self._unknown_dims_output(inputs)  # (None, None, 3) -> (None, None, 3)

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class Permute(Layer):
    """Permutes the non-batch axes; `dims` is 1-indexed (`(2, 1)` swaps the first two).

    Example:
    >>> keras.layers.Permute((2, 1))(fluxion.ones((5, 3, 4))).shape
    TensorShape([5, 4, 3])
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError("Invalid permutation argument `dims` for Permute Layer. The set "
                             "of indices in `dims` must be consecutive and start from 1. "
                             f"Received dims={self.dims}")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs):
        return a.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": list(self.dims)}


class RepeatVector(Layer):
    """Repeats each input vector `n` times: `(batch, features)` -> `(batch, n, features)`.

    Example:
    >>> keras.layers.RepeatVector(3)(fluxion.ones((2, 4))).shape
    TensorShape([2, 3, 4])
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or n < 1:
            raise ValueError(f"RepeatVector: n must be a positive int. Received: n={n!r}")
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return a.tile(a.expand_dims(inputs, 1), (1, self.n, 1))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        return {**super().get_config(), "n": self.n}
