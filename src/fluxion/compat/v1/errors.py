"""`tf.compat.v1.errors`: the errors `Session.run` raises, named as TensorFlow names them."""


class OpError(Exception):
    """The base of the errors a graph raises while it runs.

    Example:
    >>> issubclass(FailedPreconditionError, OpError)
    True
    """

    def __init__(self, node_def=None, op=None, message=""):
        if message == "" and isinstance(node_def, str):
            node_def, message = None, node_def
        super().__init__(message)
        self.message = message
        self.op = op


class FailedPreconditionError(OpError):
    """Raised when a graph reads a variable that has not been initialized yet.

    Example:
    >>> raise FailedPreconditionError("Attempting to use uninitialized value W")  # doctest: +SKIP
    """


class InvalidArgumentError(OpError, ValueError):
    """Raised when `Session.run` gets a bad argument, such as a placeholder with no feed.

    Example:
    >>> raise InvalidArgumentError("You must feed a value for ...")  # doctest: +SKIP
    """
