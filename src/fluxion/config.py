"""`fluxion.config` (as `tf.config`): threads, eager execution of functions, devices.

Example:
>>> import fluxion as tf
>>> tf.config.threading.set_intra_op_parallelism_threads(2)
>>> tf.config.list_physical_devices("GPU")
[]
"""
import types
from collections import namedtuple

from .graph.function import run_eagerly as _run_eagerly
from .graph.function import set_run_eagerly as _set_run_eagerly
from .kernels import parallel as _parallel

__all__ = ["functions_run_eagerly", "list_logical_devices", "list_physical_devices",
           "run_functions_eagerly", "threading"]

PhysicalDevice = namedtuple("PhysicalDevice", ["name", "device_type"])
LogicalDevice = namedtuple("LogicalDevice", ["name", "device_type"])


def _set_intra_op_parallelism_threads(num_threads):
    """Sets how many threads one large op may use; 0 (the default) means one per core.

    Example:
    >>> fluxion.config.threading.set_intra_op_parallelism_threads(1)
    """
    _parallel.set_num_threads(num_threads)


def _get_intra_op_parallelism_threads():
    """Returns the intra-op thread count set, 0 meaning one per core.

    Example:
    >>> fluxion.config.threading.get_intra_op_parallelism_threads()
    0
    """
    return _parallel.configured_threads()


def _set_inter_op_parallelism_threads(num_threads):
    """Accepted for TensorFlow compatibility: Fluxion runs independent ops one after another.

    Example:
    >>> fluxion.config.threading.set_inter_op_parallelism_threads(1)
    """
    if not isinstance(num_threads, int) or num_threads < 0:
        raise ValueError(f"set_inter_op_parallelism_threads: expected a non-negative int, "
                         f"received {num_threads!r}.")


def _get_inter_op_parallelism_threads():
    """Returns 0: independent ops are not run concurrently.

    Example:
    >>> fluxion.config.threading.get_inter_op_parallelism_threads()
    0
    """
    return 0


threading = types.SimpleNamespace(
    set_intra_op_parallelism_threads=_set_intra_op_parallelism_threads,
    get_intra_op_parallelism_threads=_get_intra_op_parallelism_threads,
    set_inter_op_parallelism_threads=_set_inter_op_parallelism_threads,
    get_inter_op_parallelism_threads=_get_inter_op_parallelism_threads,
)


def run_functions_eagerly(run_eagerly):
    """Makes every `fluxion.function` run its Python body eagerly (True) or compiled (False).

    For debugging: breakpoints and `print` work inside functions, at eager speed.

    Example:
    >>> fluxion.config.run_functions_eagerly(True)
    >>> fluxion.config.functions_run_eagerly()
    True
    >>> fluxion.config.run_functions_eagerly(False)
    """
    _set_run_eagerly(bool(run_eagerly))


def functions_run_eagerly():
    """Returns whether `run_functions_eagerly(True)` is in effect.

    Example:
    >>> fluxion.config.functions_run_eagerly()
    False
    """
    return _run_eagerly()


def list_physical_devices(device_type=None):
    """Lists the devices Fluxion computes on: the CPU.

    Args:
        device_type: "CPU", "GPU", ... or None for all.

    Example:
    >>> fluxion.config.list_physical_devices()
    [PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')]
    """
    if device_type not in (None, "CPU"):
        return []
    return [PhysicalDevice("/physical_device:CPU:0", "CPU")]


def list_logical_devices(device_type=None):
    """Lists the logical devices: the CPU (see `list_physical_devices`).

    Example:
    >>> fluxion.config.list_logical_devices("CPU")[0].name
    '/device:CPU:0'
    """
    if device_type not in (None, "CPU"):
        return []
    return [LogicalDevice("/device:CPU:0", "CPU")]


