"""Compiled kernels for the hottest element-wise work: an optional extra, `pip install
fluxion[numba]`.

NumPy runs an optimizer update as a dozen passes over memory, each writing a temporary, and a
small op as several calls; the compiled kernels (`kernels.numba_kernels`: optimizer rules,
dropout's keep mask, relu and its gradient, argmax, first-axis sums, softmax and its
cross-entropy) do it in one loop with the same arithmetic in the same order, so their results are
bit-identical to NumPy's and a seed gives the same bits with or without numba, and whichever
moment the compiled kernels become ready.

Numba is imported and the kernels compiled on a background thread, started by `preload()` (when
`fluxion.keras` is imported) or by the first request for a kernel: about 0.4 s, or a few seconds
the first time on a machine, after which numba caches the machine code on disk. Until then
`kernel()` returns None and callers run NumPy.
`FLUXION_NUMBA=0` in the environment turns the compiled kernels off.
"""
import importlib.util
import os
import threading
import warnings

import numpy as np

ENABLED = os.environ.get("FLUXION_NUMBA", "1") != "0"
_kernels = None        # name -> kernel once loaded ({} without numba)
_loading = None        # the loading thread
_lock = threading.Lock()


def kernel(name, dtype=np.float32):
    """The compiled kernel `name` for arrays of `dtype`, or None: numba is not installed, is
    turned off, is still loading, or has no such kernel (only float32 ones; the caller then
    runs NumPy).

    Names: the optimizer rules "adam" and "sgd" (the arguments of `kernels.training`'s rules)
    and the kernels of `numba_kernels.KERNELS` (their docstrings give their arguments).

    Example:
    >>> k = kernel("adam")   # None until numba has loaded, then the compiled rule
    >>> k is None or callable(k)
    True
    """
    if not ENABLED:
        return None
    if _kernels is None:
        _start()
        return None
    return _kernels.get(name) if np.dtype(dtype) == np.float32 else None


def preload():
    """Starts loading the compiled kernels on a background thread, so that they are ready when
    training starts (`fluxion.keras` calls this when imported).

    Example:
    >>> preload()
    """
    if ENABLED:
        _start()


def wait():
    """Loads the compiled kernels now (blocking) and returns their names; none without numba
    (`FLUXION_NUMBA=0` only stops `kernel()` from handing them out).

    Example:
    >>> names = wait()   # ["adam", "argmax_rows", ...] with numba installed, else []
    >>> names == [] or "adam" in names
    True
    """
    _start()
    _loading.join()
    return sorted(_kernels)


def _start():
    global _loading
    with _lock:
        if _loading is None:
            _loading = threading.Thread(target=_load, name="fluxion-numba", daemon=True)
            _loading.start()


def _load():
    global _kernels
    if importlib.util.find_spec("numba") is None:
        _kernels = {}
        return
    try:
        from . import numba_kernels
    except Exception as exc:  # an installed numba that cannot compile: say so, run NumPy
        warnings.warn(f"fluxion: numba is installed but its kernels failed to compile ({exc}); "
                      "running NumPy kernels instead. Set FLUXION_NUMBA=0 to silence this.",
                      stacklevel=1)
        _kernels = {}
        return
    _kernels = {**numba_kernels.RULES, **numba_kernels.KERNELS}
