"""`fluxion.print`: printing as an op, so that a traced function prints on every call."""
import builtins
import sys

import numpy as np

from ..core.tensor import Tensor, convert_to_tensor
from .registry import OpDef, bind

__all__ = ["print"]

_STREAMS = {"stderr": lambda: sys.stderr, "stdout": lambda: sys.stdout}


def _format(array, summarize):
    with np.printoptions(threshold=max(summarize * 2, 1), edgeitems=summarize):
        return np.array2string(np.asarray(array), separator=" ")


def _print_kernel(*arrays, template, stream, sep, end, summarize):
    values = iter(arrays)
    parts = [_format(next(values), summarize) if is_tensor else text
             for is_tensor, text in template]
    builtins.print(sep.join(parts), end=end, file=_STREAMS[stream]())
    return ()


_PRINT = OpDef("print", _print_kernel, lambda *specs, **attrs: (), num_outputs=None,
               stateful=True)


def print(*inputs, output_stream="stderr", summarize=3, sep=" ", end="\n", name=None):  # noqa: A001
    """Prints tensors and Python values; inside a `fluxion.function` it prints on every call.

    Args:
        *inputs: tensors, arrays or values to print (non-tensors are printed with `str`).
        output_stream: "stderr" (TensorFlow's default) or "stdout", or sys.stderr/sys.stdout.
        summarize: how many leading and trailing elements of each axis to show.

    Example:
    >>> fluxion.print("loss:", fluxion.constant(0.5), output_stream="stdout")
    loss: 0.5
    """
    stream = {sys.stderr: "stderr", sys.stdout: "stdout"}.get(output_stream, output_stream)
    if stream not in _STREAMS:
        raise ValueError(f"print: output_stream must be 'stderr' or 'stdout', received "
                         f"{output_stream!r}.")
    template, tensors = [], []
    for value in inputs:
        if isinstance(value, (Tensor, np.ndarray)) or hasattr(value, "read_value"):
            tensors.append(convert_to_tensor(value))
            template.append((True, ""))
        else:
            template.append((False, str(value)))
    bind(_PRINT, *tensors, template=tuple(template), stream=stream, sep=sep, end=end,
         summarize=int(summarize))
