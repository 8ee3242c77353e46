"""Per-thread execution state: the active gradient tapes and the current graph trace.

Kept in one thread-local object so that a `Dataset.map` worker thread never records onto the
main thread's tape.
"""
import threading


class _State(threading.local):
    def __init__(self):
        # Recording GradientTapes, outermost first. Each has `_record(op, inputs, outputs, attrs)`
        # and `_on_variable_read(variable, tensor)`.
        self.tapes = []
        # The graph builder of an enclosing `fluxion.function` trace, or None when eager.
        self.tracer = None


state = _State()


def executing_eagerly():
    """Returns True unless called while a `fluxion.function` is being traced.

    Example:
    >>> fluxion.executing_eagerly()
    True
    """
    return state.tracer is None


class init_scope:
    """A context in which ops run eagerly and untaped, even inside a traced function.

    Use it to create variables and their initial values while a function is being traced (as
    Keras does when a layer is built on its first call).

    Example:
    >>> with fluxion.init_scope():
    ...     v = fluxion.Variable(fluxion.zeros((2,)))
    """

    def __enter__(self):
        self._saved = state.tracer, state.tapes
        state.tracer, state.tapes = None, []
        return self

    def __exit__(self, *exc):
        state.tracer, state.tapes = self._saved
        return False
