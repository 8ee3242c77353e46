"""Fluxion: TensorFlow 2 and Keras, rebuilt on NumPy.

Use it as you would TensorFlow:

>>> import fluxion as tf
>>> W = tf.Variable(tf.ones((2, 2)), name="W")
>>> (W * [1.0, 0.0] + 1.0).numpy()
array([[2., 1.],
       [2., 1.]], dtype=float32)
"""
__version__ = "0.1.0"

from . import config, debugging, errors, linalg, math, nn, random
from . import ops as _ops
from .autodiff import GradientTape, UnconnectedGradients, custom_gradient
from .core import nest
from .core.context import executing_eagerly, init_scope
from .core.dtypes import (
    DType,
    as_dtype,
    bool,
    complex64,
    complex128,
    double,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    uint8,
    uint16,
    uint32,
    uint64,
)
from .core.errors import TracingError
from .core.tensor import Tensor, TensorShape, constant, convert_to_tensor, is_tensor
from .core.tensor_spec import TensorSpec
from .core.variable import Variable
from .graph import cond, function, scan, while_loop
from .graph.functional_ops import foldl, foldr, map_fn, vectorized_map
from .graph.py_func_ops import numpy_function, py_function
from .ops.array_ops import *  # its __all__: the top-level array ops
from .ops.clip_ops import *  # its __all__: clip_by_value, clip_by_norm, clip_by_global_norm
from .ops.debugging_ops import assert_equal, assert_greater, assert_less, assert_rank
from .ops.histogram_ops import histogram_fixed_width, searchsorted
from .ops.index_ops import *  # its __all__: gather, boolean_mask, sort, slice, argmax, ...
from .ops.linalg_ops import *  # its __all__: einsum, norm, tensordot
from .ops.logging_ops import print
from .ops.math_ops import (
    abs,
    add,
    add_n,
    cast,
    ceil,
    cos,
    cumsum,
    divide,
    equal,
    exp,
    floor,
    greater,
    greater_equal,
    less,
    less_equal,
    log,
    logical_and,
    logical_not,
    logical_or,
    matmul,
    maximum,
    minimum,
    multiply,
    negative,
    not_equal,
    pow,
    reduce_all,
    reduce_any,
    reduce_logsumexp,
    reduce_max,
    reduce_mean,
    reduce_min,
    reduce_prod,
    reduce_std,
    reduce_sum,
    reduce_variance,
    round,
    sigmoid,
    sign,
    sin,
    sqrt,
    square,
    subtract,
    tanh,
    truediv,
)
from .ops.scatter_ops import *  # its __all__: scatter_nd, tensor_scatter_nd_*, roll
from .ops.segment_ops import *  # its __all__: unique, unique_with_counts
from .ops.shape_ops import *  # noqa: F401,F403
from .ops.tensor_array import TensorArray

newaxis = None  # `x[:, tf.newaxis]` inserts an axis of size 1


def __getattr__(name):
    """Imports `fluxion.keras`, `fluxion.data` and `fluxion.compat` on first use, so that
    `import fluxion` stays fast for code that needs only tensors and gradients."""
    if name in ("keras", "data", "compat"):
        import importlib
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'fluxion' has no attribute '{name}'")
