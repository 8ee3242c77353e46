"""Errors fluxion raises beyond Python's built-in ones."""


class TracingError(TypeError):
    """A traced `fluxion.function` would not do what running the code eagerly does.

    Raised while tracing, with a message that says how to write the code instead (for example
    `fluxion.cond` for a Python `if` on a tensor).

    Example:
    >>> @fluxion.function
    ... def f(x):
    ...     return 1.0 if x > 0 else -1.0   # raises TracingError: use fluxion.cond
    """


# --- TensorFlow's error classes (`tf.errors`) -----------------------------------------------
# The canonical error codes, numbered as TensorFlow numbers them.
OK, CANCELLED, UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND, ALREADY_EXISTS, \
    PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION, ABORTED, OUT_OF_RANGE, \
    UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS, UNAUTHENTICATED = range(17)


class OpError(Exception):
    """The base class of the errors an op raises while it runs (`tf.errors.OpError`).

    Args:
        node_def: the graph node that failed, if known; otherwise None.
        op: the operation that failed, if known; otherwise None (always None when eager).
        message: the message describing the failure.
        error_code: one of the `fluxion.errors` codes (`INVALID_ARGUMENT`, ...).

    A single string argument is taken as the message: `OpError("failed")`.

    Example:
    >>> e = fluxion.errors.InvalidArgumentError(None, None, "bad shape")
    >>> (e.message, e.error_code, isinstance(e, fluxion.errors.OpError))
    ('bad shape', 3, True)
    """

    def __init__(self, node_def=None, op=None, message=None, error_code=UNKNOWN, *args):
        if message is None and isinstance(node_def, str):
            node_def, message = None, node_def
        message = "" if message is None else str(message)
        super().__init__(message)
        self._node_def, self._op, self._message = node_def, op, message
        self._error_code = error_code
        self._payloads = dict(args[0]) if args and isinstance(args[0], dict) else {}

    @property
    def message(self):
        """The error message."""
        return self._message

    @property
    def op(self):
        """The operation that failed, or None."""
        return self._op

    @property
    def node_def(self):
        """The graph node that failed, or None."""
        return self._node_def

    @property
    def error_code(self):
        """The integer error code (`fluxion.errors.INVALID_ARGUMENT`, ...)."""
        return self._error_code

    @property
    def experimental_payloads(self):
        """A dict of details about the error (empty unless given)."""
        return self._payloads

    def __str__(self):
        return self._message

    def __reduce__(self):
        return type(self), (self._node_def, None, self._message) + \
            ((self._error_code,) if type(self) is OpError else ())


def _error_class(name, code, summary):
    """Defines the OpError subclass `name` for error code `code` (TF's constructor: no code)."""
    def __init__(self, node_def=None, op=None, message=None, *args):
        OpError.__init__(self, node_def, op, message, code, *args)

    return type(name, (OpError,), {"__init__": __init__, "__module__": "fluxion.errors",
                                   "__doc__": f"{summary}\n\nExample:\n>>> raise fluxion."
                                              f"errors.{name}(None, None, 'message')"
                                              "  # doctest: +SKIP\n"})


CancelledError = _error_class("CancelledError", CANCELLED, "An operation was cancelled.")
UnknownError = _error_class("UnknownError", UNKNOWN, "An unknown error.")
InvalidArgumentError = _error_class(
    "InvalidArgumentError", INVALID_ARGUMENT,
    "An op received an invalid argument (a wrong shape, dtype or value).\n\nFluxion's ops "
    "raise it as a subclass that is also the matching built-in error, so `except "
    "ValueError` (or TypeError, IndexError) catches it too.")
DeadlineExceededError = _error_class("DeadlineExceededError", DEADLINE_EXCEEDED,
                                     "A deadline expired before the operation completed.")
NotFoundError = _error_class("NotFoundError", NOT_FOUND,
                             "A requested entity (a file, say) was not found.")
AlreadyExistsError = _error_class("AlreadyExistsError", ALREADY_EXISTS,
                                  "An entity to be created already exists.")
PermissionDeniedError = _error_class("PermissionDeniedError", PERMISSION_DENIED,
                                     "The caller may not run the operation.")
UnauthenticatedError = _error_class("UnauthenticatedError", UNAUTHENTICATED,
                                    "The request has no valid credentials.")
ResourceExhaustedError = _error_class("ResourceExhaustedError", RESOURCE_EXHAUSTED,
                                      "A resource (memory, say) ran out.")
FailedPreconditionError = _error_class(
    "FailedPreconditionError", FAILED_PRECONDITION,
    "The system is not in a state the operation needs (e.g. an uninitialized variable).")
AbortedError = _error_class("AbortedError", ABORTED, "The operation was aborted.")
OutOfRangeError = _error_class("OutOfRangeError", OUT_OF_RANGE,
                               "An iteration went past the end of its input.")
UnimplementedError = _error_class("UnimplementedError", UNIMPLEMENTED,
                                  "The operation is not implemented or not supported.")
InternalError = _error_class("InternalError", INTERNAL, "An internal invariant was broken.")
UnavailableError = _error_class("UnavailableError", UNAVAILABLE,
                                "The service is currently unavailable.")
DataLossError = _error_class("DataLossError", DATA_LOSS, "Unrecoverable data loss.")


def _invalid_argument_flavour(builtin):
    """InvalidArgumentError that is also the built-in `builtin`, built from one message."""
    def __init__(self, message="", *args):
        OpError.__init__(self, None, None, message, INVALID_ARGUMENT)

    def __reduce__(self):
        return type(self), (self._message,)

    return type(f"InvalidArgument{builtin.__name__}", (InvalidArgumentError, builtin),
                {"__init__": __init__, "__reduce__": __reduce__, "__module__": __name__,
                 "__doc__": f"The {builtin.__name__} an op raises for an invalid argument; "
                            "also an InvalidArgumentError."})


InvalidArgumentValueError = _invalid_argument_flavour(ValueError)
InvalidArgumentTypeError = _invalid_argument_flavour(TypeError)
InvalidArgumentIndexError = _invalid_argument_flavour(IndexError)
_FLAVOURS = ((IndexError, InvalidArgumentIndexError), (TypeError, InvalidArgumentTypeError),
             (ValueError, InvalidArgumentValueError))


def invalid_argument(error):
    """Returns `error` (a ValueError, TypeError or IndexError an op raised) as the matching
    InvalidArgumentError flavour, with the same message; other errors come back unchanged.

    Example:
    >>> e = invalid_argument(ValueError("reshape: ..."))
    >>> isinstance(e, ValueError) and isinstance(e, InvalidArgumentError)
    True
    """
    if isinstance(error, (OpError, TracingError)):
        return error
    for builtin, flavour in _FLAVOURS:
        if isinstance(error, builtin):
            return flavour(str(error) if error.args else "")
    return error
