"""`fluxion.compat`: TensorFlow's compatibility modules.

`fluxion.compat.v1` is the TF 1.x graph-and-session style (see its docstring):

>>> import fluxion.compat.v1 as tf
"""
from . import v1  # noqa: F401
