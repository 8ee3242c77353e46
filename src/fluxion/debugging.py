"""`fluxion.debugging`: assertions and numeric checks (as `tf.debugging`).

Example:
>>> import fluxion as tf
>>> tf.debugging.assert_equal(tf.constant([1, 2]), [1, 2])
>>> tf.debugging.check_numerics(tf.constant(1.0), "x")
<tf.Tensor: shape=(), dtype=float32, numpy=1.0>
"""
from .ops.debugging_ops import *  # noqa: F401,F403 - its __all__
