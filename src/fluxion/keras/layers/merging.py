"""Merge layers: combine a list of tensors (Add, Subtract, Multiply, Average, Maximum,
Minimum, Concatenate, Dot), and their functional forms (`add([a, b])`, ...).

Example:
>>> from fluxion import keras
>>> keras.layers.Add()([fluxion.ones((1, 2)), fluxion.ones((1, 2))]).numpy()
array([[2., 2.]], dtype=float32)
"""
from functools import reduce

import numpy as np

from ... import nn
from ...ops import array_ops as a
from ...ops import math_ops as m
from ...ops import rules
from ..engine.layer import Layer


class _Merge(Layer):
    """Element-wise merge of a list of inputs of broadcast-compatible shapes.

    Inputs of lower rank are expanded at axis 1 until the ranks match (`(batch, 4)` merges
    with `(batch, 3, 4)` as `(batch, 1, 4)`); a list of one input returns that input. The output
    mask is the OR of the input masks, or None if any input has none. Add, Subtract and Average
    ignore the masks in their values; Multiply, Maximum and Minimum skip masked positions.
    """

    min_inputs = 1

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _check(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) < self.min_inputs:
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) should be called on "
                             "a list of inputs (at least one). Received: "
                             f"input_shape={input_shape}")

    def build(self, input_shape):
        self._check(input_shape)
        self.compute_output_shape(input_shape)

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        batch = [s[0] for s in input_shape]
        try:
            rest = rules.broadcast_shapes(self.name, *[tuple(s[1:]) for s in input_shape])
        except ValueError:
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}): the inputs must "
                             "have the same shape (or broadcast). Received shapes: "
                             f"{[tuple(s) for s in input_shape]}") from None
        known = [b for b in batch if b is not None]
        return (known[0] if known else None,) + tuple(rest)

    def call(self, inputs, mask=None):
        return self._merge_all(_same_rank(inputs))

    def _merge_all(self, inputs):
        return reduce(self._merge, inputs)

    def _merge_skipping_masked(self, inputs, mask):
        """Folds `_merge` over the inputs, a masked position of one operand taking the other
        operand's value (so it does not change the result); where every input is masked, the
        result is the first input's value."""
        inputs, masks = _same_rank_masked(inputs, mask)
        out, out_mask = inputs[0], masks[0]
        for x, mk in zip(inputs[1:], masks[1:]):
            if mk is not None:
                x = a.where(mk, x, out)
            if out_mask is not None:
                out = a.where(out_mask, out, x)
            out_mask = None if mk is None or out_mask is None else m.logical_or(out_mask, mk)
            out = self._merge(out, x)
        return out

    def compute_mask(self, inputs, mask=None):
        if mask is None or not isinstance(mask, (list, tuple)):
            return None
        if any(mk is None for mk in mask):
            return None
        return reduce(m.logical_or, mask)


class Add(_Merge):
    """The element-wise sum of the inputs."""

    _merge = staticmethod(m.add)


class Subtract(_Merge):
    """`inputs[0] - inputs[1]` (exactly two inputs)."""

    _merge = staticmethod(m.subtract)

    def _check(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) != 2:
            raise ValueError(f"Layer '{self.name}' (Subtract) should be called on exactly 2 "
                             f"inputs. Received: input_shape={input_shape}")


class Multiply(_Merge):
    """The element-wise product of the inputs.

    A masked position of an input counts as 1; where all inputs have masks and every one is
    masked, the output is 0.

    Example:
    >>> x = fluxion.constant([[[2.0], [3.0]]])
    >>> x._keras_mask = fluxion.constant([[True, False]])
    >>> keras.layers.Multiply()([x, fluxion.constant([[[5.0], [7.0]]])]).numpy()[..., 0]
    array([[10.,  7.]], dtype=float32)
    """

    _merge = staticmethod(m.multiply)

    def call(self, inputs, mask=None):
        inputs, masks = _same_rank_masked(inputs, mask)
        one = m.cast(1, inputs[0].dtype)
        out = reduce(m.multiply, [x if mk is None else a.where(mk, x, one)
                                  for x, mk in zip(inputs, masks)])
        if mask is not None and all(mk is not None for mk in masks):
            out = a.where(reduce(m.logical_or, masks), out, m.cast(0, out.dtype))
        return out


class Maximum(_Merge):
    """The element-wise maximum of the inputs (masked positions of an input are skipped)."""

    _merge = staticmethod(m.maximum)

    def call(self, inputs, mask=None):
        return self._merge_skipping_masked(inputs, mask)


class Minimum(_Merge):
    """The element-wise minimum of the inputs (masked positions of an input are skipped)."""

    _merge = staticmethod(m.minimum)

    def call(self, inputs, mask=None):
        return self._merge_skipping_masked(inputs, mask)


class Average(_Merge):
    """The element-wise mean of the inputs."""

    _merge = staticmethod(m.add)

    def _merge_all(self, inputs):
        return reduce(m.add, inputs) * (1.0 / len(inputs))


class Concatenate(_Merge):
    """Joins the inputs along `axis` (default the last); other axes must match.

    Example:
    >>> keras.layers.Concatenate()([fluxion.ones((2, 3)), fluxion.ones((2, 4))]).shape
    TensorShape([2, 7])
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        ranks = {len(s) for s in input_shape}
        shapes = [tuple(s) for s in input_shape]
        if len(ranks) != 1:
            raise ValueError(f"Layer '{self.name}' (Concatenate): the inputs must have the same "
                             f"rank. Received shapes: {shapes}")
        rank = ranks.pop()
        axis = self.axis % rank
        out = list(shapes[0])
        for shape in shapes[1:]:
            for i, (x, y) in enumerate(zip(out, shape)):
                if i == axis:
                    out[i] = None if x is None or y is None else x + y
                elif x is not None and y is not None and x != y:
                    raise ValueError(
                        f"Layer '{self.name}' (Concatenate) requires inputs with matching "
                        f"shapes except for the concatenation axis (axis={self.axis}). "
                        f"Received: input_shape={shapes}")
                elif x is None:
                    out[i] = y
        return tuple(out)

    def call(self, inputs, mask=None):
        return a.concat(list(inputs), axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        """Per input, its mask (all True where it has none) broadcast to the input's shape;
        these are concatenated along `axis` and reduced with `any` over the last axis."""
        if mask is None or not isinstance(mask, (list, tuple)):
            return None
        if all(mk is None for mk in mask):
            return None
        full = []
        for x, mk in zip(inputs, mask):
            if mk is None:
                mk = a.ones_like(x, dtype="bool")
            elif len(mk.shape) < len(x.shape):
                mk = m.logical_or(a.expand_dims(mk, -1), a.zeros_like(x, dtype="bool"))
            full.append(mk)
        return m.reduce_any(a.concat(full, axis=self.axis), axis=-1)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Dot(_Merge):
    """The dot product of two batches of samples along `axes` (the batch axis is kept).

    For inputs of shapes `(batch, 3, 5)` and `(batch, 10, 3)` with `axes=(1, 2)` the output has
    shape `(batch, 5, 10)`: each sample's remaining axes of the first input, then the second's.
    An output of rank 1 becomes `(batch, 1)`.

    Args:
        axes: an int (the same axis of both inputs) or a pair `(axis_1, axis_2)`; not 0.
        normalize: if True, L2-normalize the samples along the dot axes first (the output is
            then the cosine similarity).

    Example:
    >>> x = fluxion.reshape(fluxion.range(10.0), (1, 5, 2))
    >>> y = fluxion.reshape(fluxion.range(10.0, 20.0), (1, 2, 5))
    >>> keras.layers.Dot(axes=(1, 2))([x, y]).numpy()
    array([[[260., 360.],
            [320., 445.]]], dtype=float32)
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)) or len(axes) != 2 or not all(
                    isinstance(ax, int) for ax in axes):
                raise ValueError("Dot: `axes` must be an int or a list of 2 ints. Received: "
                                 f"axes={axes!r}")
        self.axes = axes
        self.normalize = normalize

    def _check(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) != 2:
            raise ValueError(f"Layer '{self.name}' (Dot) should be called on a list of 2 "
                             f"inputs. Received: input_shape={input_shape}")

    def _dot_axes(self, shape1, shape2):
        axes = [self.axes] * 2 if isinstance(self.axes, int) else self.axes
        out = [ax % len(s) for ax, s in zip(axes, (shape1, shape2))]
        if 0 in out:
            raise ValueError(f"Layer '{self.name}' (Dot) cannot take the dot product over the "
                             f"batch axis 0. Received: axes={self.axes}")
        return out

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        shape1, shape2 = (list(s) for s in input_shape)
        ax1, ax2 = self._dot_axes(shape1, shape2)
        d1, d2 = shape1[ax1], shape2[ax2]
        if d1 is not None and d2 is not None and d1 != d2:
            raise ValueError(f"Layer '{self.name}' (Dot): incompatible input shapes: axis "
                             f"values {d1} (at axis {ax1}) != {d2} (at axis {ax2}). Full input "
                             f"shapes: {tuple(shape1)}, {tuple(shape2)}")
        shape1.pop(ax1)
        shape2.pop(ax2)
        out = shape1 + shape2[1:]
        return tuple(out + [1] if len(out) == 1 else out)

    def call(self, inputs):
        x, y = inputs
        if None in tuple(x.shape)[1:] + tuple(y.shape)[1:]:
            return self._unknown_dims_output(list(inputs))
        ax1, ax2 = self._dot_axes(tuple(x.shape), tuple(y.shape))
        if self.normalize:  # Keras's x * min(rsqrt(sum(x**2)), 1e7)
            x, y = nn.l2_normalize(x, ax1, epsilon=1e-14), nn.l2_normalize(y, ax2, epsilon=1e-14)
        out_shape = self.compute_output_shape([tuple(x.shape), tuple(y.shape)])[1:]
        # (batch, rest_x..., k) @ (batch, k, rest_y...) as a batched matmul of 3-D tensors
        x = _move_axis(x, ax1, len(x.shape) - 1)
        y = _move_axis(y, ax2, 1)
        k = x.shape[-1]
        out = m.matmul(a.reshape(x, (-1, _size(x.shape[1:-1]), k)),
                       a.reshape(y, (-1, k, _size(y.shape[2:]))))
        return a.reshape(out, (-1,) + tuple(out_shape))

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def _move_axis(x, source, dest):
    perm = [i for i in range(len(x.shape)) if i != source]
    perm.insert(dest, source)
    return x if perm == sorted(perm) else a.transpose(x, perm)


def _size(dims):
    return int(np.prod([int(d) for d in dims], dtype=np.int64))


def _same_rank_masked(inputs, mask):
    """`_same_rank` of the inputs, and per input its mask (None if it has none) expanded over
    the last axis to the input's shape (the same rank expansion applies)."""
    inputs = list(inputs)
    masks = list(mask) if isinstance(mask, (list, tuple)) else [None] * len(inputs)
    full = []
    for x, mk in zip(inputs, masks):
        if mk is not None:
            if len(mk.shape) < len(x.shape):
                mk = a.expand_dims(mk, -1)
            mk = m.logical_or(mk, a.zeros_like(x, dtype="bool"))
        full.append(mk)
    rank = max(len(x.shape) for x in inputs)
    return _same_rank(inputs), [None if mk is None else _expand_to(mk, rank) for mk in full]


def _expand_to(x, rank):
    for _ in range(rank - len(x.shape)):
        x = a.expand_dims(x, 1)
    return x


def _same_rank(inputs):
    """Expands lower-rank inputs at axis 1 until all have the highest rank."""
    rank = max(len(x.shape) for x in inputs)
    return [_expand_to(x, rank) for x in inputs]


def _functional(cls):
    def merge(inputs, **kwargs):
        return cls(**kwargs)(inputs)
    merge.__name__ = cls.__name__.lower()
    merge.__doc__ = f"Functional form of `{cls.__name__}`: `{cls.__name__}(**kwargs)(inputs)`."
    return merge


add, subtract, multiply = _functional(Add), _functional(Subtract), _functional(Multiply)
average, maximum, minimum = _functional(Average), _functional(Maximum), _functional(Minimum)


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of `Concatenate`: `Concatenate(axis=axis, **kwargs)(inputs)`."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, **kwargs):
    """Functional form of `Dot`: `Dot(axes=axes, **kwargs)(inputs)`."""
    return Dot(axes=axes, **kwargs)(inputs)
