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
