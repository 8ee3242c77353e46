"""Primitive ops: the registry, and the op modules that fill it.

Importing `operators` installs the Python operators (`+`, `@`, `[]`, ...) on Tensor and Variable.
"""
from . import array_ops, index_ops, logging_ops, math_ops, operators  # noqa: F401
from .registry import REGISTRY, OpDef, Spec, bind  # noqa: F401
