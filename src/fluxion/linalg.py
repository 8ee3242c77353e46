"""`fluxion.linalg`: linear algebra (as `tf.linalg`).

Example:
>>> import fluxion as tf
>>> tf.linalg.det([[2.0, 1.0], [1.0, 3.0]])
<tf.Tensor: shape=(), dtype=float32, numpy=5.0>
"""
from .ops.array_ops import eye  # noqa: F401
from .ops.linalg_ops import (  # noqa: F401
    band_part,
    cholesky,
    det,
    diag,
    diag_part,
    einsum,
    global_norm,
    inv,
    logdet,
    matrix_transpose,
    matvec,
    norm,
    slogdet,
    solve,
    tensordot,
    trace,
)
from .ops.math_ops import matmul  # noqa: F401
from .ops.nn_ops import l2_normalize  # noqa: F401

adjoint = matrix_transpose  # real tensors: the conjugate transpose is the transpose
