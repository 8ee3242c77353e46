"""`tf.compat.v1.errors`: the errors `Session.run` raises — the classes of `fluxion.errors`.

Example:
>>> from fluxion.compat.v1 import errors
>>> errors.InvalidArgumentError is fluxion.errors.InvalidArgumentError
True
"""
from ...core.errors import (  # noqa: F401
    FailedPreconditionError,
    InvalidArgumentError,
    InvalidArgumentValueError,
    OpError,
)
