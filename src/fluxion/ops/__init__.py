"""Primitive ops: the registry, and the op modules that fill it.

Importing `operators` installs the Python operators (`+`, `@`, `[]`, ...) on Tensor and Variable.
"""
from . import (  # noqa: F401
    array_ops,
    clip_ops,
    index_ops,
    logging_ops,
    math_ops,
    operators,
    scatter_ops,
    segment_ops,
)
from .registry import REGISTRY, OpDef, Spec, bind  # noqa: F401
