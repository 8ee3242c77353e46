"""Tensors, variables, dtypes and the per-thread execution state."""
from . import dtypes, nest  # noqa: F401
from .context import executing_eagerly  # noqa: F401
from .tensor import Tensor, TensorShape, constant, convert_to_tensor, is_tensor  # noqa: F401
from .variable import Variable  # noqa: F401
