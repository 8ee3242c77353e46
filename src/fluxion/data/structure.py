"""Dataset elements: nested tuples/dicts of NumPy arrays, their specs and conversions.

As in `tf.data`, tuples (and namedtuples) and dicts are structure; a Python list is a value
(converted to one array). Internally every leaf is an `np.ndarray` (0-d for scalars); users see
fluxion Tensors when iterating in Python and NumPy values from `as_numpy_iterator`.
"""
import numpy as np

from ..core import dtypes
from ..core.tensor import Tensor, convert_to_tensor, wrap
from ..core.tensor_spec import TensorSpec  # noqa: F401  (re-exported: element specs)
from ..core.variable import Variable


def is_structure(x):
    return isinstance(x, (tuple, dict))


def flatten(x):
    """Leaves of a tuple/dict structure, dicts in sorted key order."""
    if isinstance(x, dict):
        return [leaf for k in sorted(x) for leaf in flatten(x[k])]
    if isinstance(x, tuple):
        return [leaf for item in x for leaf in flatten(item)]
    return [x]


def pack(template, leaves):
    """Rebuilds `template`'s structure from an iterator (or list) of leaves."""
    return _pack(template, iter(leaves))


def _pack(template, it):
    if isinstance(template, dict):
        return {k: _pack(template[k], it) for k in sorted(template)}
    if isinstance(template, tuple):
        items = [_pack(item, it) for item in template]
        return type(template)(*items) if hasattr(template, "_fields") else tuple(items)
    return next(it)


def map_leaves(func, x):
    if isinstance(x, dict):
        return {k: map_leaves(func, x[k]) for k in sorted(x)}
    if isinstance(x, tuple):
        items = [map_leaves(func, item) for item in x]
        return type(x)(*items) if hasattr(x, "_fields") else tuple(items)
    return func(x)


def to_array(value, dtype=None):
    """One leaf as an ndarray: Tensors unwrap, Python values follow TensorFlow's defaults
    (float32, int32), strings become bytes."""
    if isinstance(value, np.ndarray):
        array = value
    elif isinstance(value, (Tensor, Variable)):
        array = np.asarray(value)
    elif isinstance(value, (str, bytes)) or (isinstance(value, (list, np.generic)) and
                                            np.asarray(value).dtype.kind in "USO"):
        array = np.asarray(value)
        if array.dtype.kind == "U":
            array = np.char.encode(array, "utf-8")
        elif array.dtype.kind == "O":
            array = np.asarray([v.encode() if isinstance(v, str) else v
                                for v in array.ravel()]).reshape(array.shape)
    elif isinstance(value, np.generic):
        array = np.asarray(value)
    else:
        array = np.asarray(convert_to_tensor(value)._value)
    if dtype is not None and array.dtype != dtype:
        array = array.astype(dtype)
    return array


def to_element(value):
    """A user value (nested tuples/dicts of tensors, arrays, Python values) as an element."""
    return map_leaves(to_array, value)


def _output_leaf(array):
    """ndarray -> Tensor (bytes stay NumPy: fluxion tensors hold numbers only)."""
    if array.dtype.kind in "SUO":
        return np.asarray(array)[()] if array.ndim == 0 else array
    return wrap(array[()] if array.ndim == 0 else array)


def to_tensors(element):
    return map_leaves(_output_leaf, element)


def to_numpy(element):
    """ndarray leaves, 0-d arrays as NumPy scalars (as `as_numpy_iterator`)."""
    # np.asarray first: a string leaf may already be a NumPy scalar (np.str_ is a str)
    return map_leaves(lambda a: np.asarray(a)[()] if a.ndim == 0 else a, element)


def spec_of(element, batch_dims=0):
    return map_leaves(lambda a: TensorSpec.from_array(a, batch_dims), element)


def np_dtype(spec_dtype):
    if isinstance(spec_dtype, str) and spec_dtype == "string":
        return np.bytes_
    return dtypes.as_dtype(spec_dtype)._np
