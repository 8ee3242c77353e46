"""`fluxion.errors`: TensorFlow's error classes and codes (as `tf.errors`).

The errors Fluxion's ops raise for invalid arguments are `InvalidArgumentError`s that are also
the matching built-in error (ValueError, TypeError or IndexError), so both kinds of `except`
catch them.

Example:
>>> import fluxion as tf
>>> try:
...     tf.reshape(tf.zeros((2, 3)), (4,))
... except tf.errors.InvalidArgumentError as e:
...     print(e.message)
reshape: cannot reshape a tensor of shape (2, 3) (6 elements) into shape (4,) (4 elements).
"""
from .core.errors import (  # noqa: F401
    ABORTED,
    ALREADY_EXISTS,
    CANCELLED,
    DATA_LOSS,
    DEADLINE_EXCEEDED,
    FAILED_PRECONDITION,
    INTERNAL,
    INVALID_ARGUMENT,
    NOT_FOUND,
    OK,
    OUT_OF_RANGE,
    PERMISSION_DENIED,
    RESOURCE_EXHAUSTED,
    UNAUTHENTICATED,
    UNAVAILABLE,
    UNIMPLEMENTED,
    UNKNOWN,
    AbortedError,
    AlreadyExistsError,
    CancelledError,
    DataLossError,
    DeadlineExceededError,
    FailedPreconditionError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    OpError,
    OutOfRangeError,
    PermissionDeniedError,
    ResourceExhaustedError,
    UnauthenticatedError,
    UnavailableError,
    UnimplementedError,
    UnknownError,
)
