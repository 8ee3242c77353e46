"""`keras.backend`: session-wide settings and the layer-name counters.

Example:
>>> from fluxion.keras import backend
>>> backend.floatx()
'float32'
"""
import collections
import re

import numpy as np

from ..core import dtypes
from ..ops.random_ops import set_seed as _set_seed

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_NAME_COUNTS = collections.defaultdict(int)


def floatx():
    """Returns the default float type of layer weights and computations, as a string.

    Example:
    >>> floatx()
    'float32'
    """
    return _FLOATX


def set_floatx(value):
    """Sets the default float type ('float16', 'float32' or 'float64').

    Example:
    >>> set_floatx("float32")
    """
    global _FLOATX
    if value not in ("float16", "float32", "float64", "bfloat16"):
        raise ValueError(f"set_floatx: unknown float type. Expected one of 'float16', "
                         f"'float32', 'float64'. Received: value={value!r}")
    _FLOATX = str(value)


def epsilon():
    """Returns the fuzz factor used in numeric expressions (1e-7).

    Example:
    >>> epsilon()
    1e-07
    """
    return _EPSILON


def set_epsilon(value):
    """Sets the fuzz factor returned by `epsilon()`."""
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    """Returns 'channels_last' (the only layout Fluxion's image layers default to)."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    """Sets the default image layout ('channels_last' or 'channels_first')."""
    global _IMAGE_DATA_FORMAT
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("set_image_data_format: expected 'channels_last' or 'channels_first'. "
                         f"Received: data_format={data_format!r}")
    _IMAGE_DATA_FORMAT = data_format


def standardize_dtype(dtype):
    """Returns the name of `dtype` (None gives `floatx()`).

    Example:
    >>> standardize_dtype(np.float64)
    'float64'
    """
    if dtype is None:
        return floatx()
    if isinstance(dtype, dict) and dtype.get("class_name") == "DTypePolicy":
        return dtype["config"]["name"]
    if hasattr(dtype, "name") and isinstance(dtype.name, str) and \
            not isinstance(dtype, (np.dtype, type)):
        return dtypes.as_dtype(dtype.name).name
    return dtypes.as_dtype(dtype).name


def get_uid(prefix=""):
    """Returns 1, 2, 3, ... for successive calls with the same `prefix` (reset by
    `clear_session`).

    Example:
    >>> clear_session(); get_uid("dense"), get_uid("dense")
    (1, 2)
    """
    _NAME_COUNTS[prefix] += 1
    return _NAME_COUNTS[prefix]


def unique_object_name(prefix):
    """Returns `prefix` the first time, then `prefix_1`, `prefix_2`, ... (Keras 3 naming).

    Example:
    >>> clear_session(); unique_object_name("dense"), unique_object_name("dense")
    ('dense', 'dense_1')
    """
    uid = get_uid(prefix)
    return prefix if uid == 1 else f"{prefix}_{uid - 1}"


def to_snake_case(name):
    """Converts a class name to the snake_case prefix of its instances' names.

    Example:
    >>> to_snake_case("GlobalMaxPooling1D")
    'global_max_pooling1d'
    """
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
    return name


def clear_session(free_memory=True):
    """Resets the automatic layer and model names (`dense`, `dense_1`, ... start over).

    Example:
    >>> clear_session()
    """
    _NAME_COUNTS.clear()


def set_random_seed(seed):
    """Seeds Fluxion's random ops (initializers, dropout) for reproducible runs."""
    _set_seed(seed)


def count_params(x):
    """Returns the number of elements of a variable or tensor.

    Example:
    >>> import fluxion
    >>> count_params(fluxion.Variable(fluxion.zeros((3, 4))))
    12
    """
    return int(np.prod(tuple(x.shape), dtype=np.int64))


def int_shape(x):
    """Returns the shape of a tensor or variable as a tuple of ints (None where unknown)."""
    return tuple(x.shape)
