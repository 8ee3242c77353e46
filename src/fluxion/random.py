"""`fluxion.random`: random tensors with TensorFlow's global + op seed semantics (as `tf.random`).

See `fluxion.ops.random_ops` for how seeds map to streams.
"""
from .ops.random_ops import (  # noqa: F401
    categorical,
    normal,
    set_seed,
    shuffle,
    stateless_categorical,
    stateless_normal,
    stateless_truncated_normal,
    stateless_uniform,
    truncated_normal,
    uniform,
)
