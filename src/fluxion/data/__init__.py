"""`fluxion.data`: input pipelines (`Dataset`), as `tf.data`.

Example:
>>> ds = fluxion.data.Dataset.from_tensor_slices(([1.0, 2.0, 3.0], [0, 1, 0])).batch(2)
>>> [x.numpy().tolist() for x, y in ds]
[[1.0, 2.0], [3.0]]
"""
from . import experimental
from .dataset import (
    AUTOTUNE,
    INFINITE_CARDINALITY,
    UNKNOWN_CARDINALITY,
    Dataset,
    Iterator,
)
from .structure import TensorSpec
from .text_line import TextLineDataset
