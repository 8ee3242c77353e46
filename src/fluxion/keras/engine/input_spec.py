"""`InputSpec`: what a layer accepts (rank, fixed axis sizes), checked on every call.

Example:
>>> from fluxion.keras.engine.input_spec import InputSpec
>>> InputSpec(min_ndim=2, axes={-1: 784})
InputSpec(min_ndim=2, axes={-1: 784})
"""
from ...core import nest


class InputSpec:
    """Specifies the rank, dtype and axis sizes of one input of a layer.

    Args:
        dtype: the expected dtype (not enforced: inputs are cast to the layer's dtype).
        shape: the full expected shape (None for any size).
        ndim, min_ndim, max_ndim: the expected rank, or its bounds.
        axes: `{axis: size}` for axes whose size is fixed (negative axes count from the end).
        name: the input's name, shown in messages.
        allow_last_axis_squeeze: accept an extra or missing trailing axis of size 1.
        optional: the input may be None.
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None, allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = dtype
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if shape is not None else ndim
        self.max_ndim, self.min_ndim = max_ndim, min_ndim
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name
        self.optional = optional
        if self.ndim is not None and self.axes:
            too_far = [a for a in self.axes if a >= self.ndim or a < -self.ndim]
            if too_far:
                raise ValueError(f"InputSpec: axes {too_far} are out of range for ndim="
                                 f"{self.ndim}.")

    def __repr__(self):
        parts = [f"{k}={v}" for k, v in (
            ("dtype", self.dtype), ("shape", self.shape), ("ndim", self.ndim),
            ("max_ndim", self.max_ndim), ("min_ndim", self.min_ndim),
            ("axes", self.axes or None)) if v is not None and not (k == "ndim" and self.shape)]
        return f"InputSpec({', '.join(parts)})"

    def get_config(self):
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes}


def _shape_str(shape):
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + \
        ("," if len(shape) == 1 else "") + ")"


def _flatten_hint(spec_value, shape):
    """Our hint for the commonest mistake: images fed to a Dense layer."""
    rest = shape[1:]
    if len(shape) > 2 and None not in rest:
        size = 1
        for d in rest:
            size *= d
        if size == spec_value:
            return (f" The input has {size} values per sample in shape {_shape_str(rest)}: "
                    "add a Flatten() layer before this one.")
    return ""


def assert_input_compatibility(input_spec, inputs, layer_name):
    """Raises a ValueError naming the layer if `inputs` do not match `input_spec`.

    Args:
        input_spec: an InputSpec, a list of them, or None.
        inputs: the layer's inputs (tensors, a list of them, ...).
        layer_name: the layer's name, used in messages.
    """
    if not input_spec:
        return
    specs = nest.flatten(input_spec)
    flat = nest.flatten(inputs)
    if len(specs) != len(flat):
        raise ValueError(f'Layer "{layer_name}" expects {len(specs)} input(s), but it received '
                         f"{len(flat)} input tensors.")
    for index, (spec, x) in enumerate(zip(specs, flat)):
        if spec is None or (x is None and spec.optional):
            continue
        if not hasattr(x, "shape"):
            raise TypeError(f'Input {index} of layer "{layer_name}" is not a tensor. '
                            f"Received: {x!r}")
        shape = tuple(x.shape)
        ndim = len(shape)
        where = f'Input {index} of layer "{layer_name}" is incompatible with the layer'
        if spec.ndim is not None and not spec.allow_last_axis_squeeze and ndim != spec.ndim:
            raise ValueError(f"{where}: expected ndim={spec.ndim}, found ndim={ndim}. Full shape "
                             f"received: {_shape_str(shape)}")
        if spec.max_ndim is not None and ndim > spec.max_ndim:
            raise ValueError(f"{where}: expected max_ndim={spec.max_ndim}, found ndim={ndim}. "
                             f"Full shape received: {_shape_str(shape)}")
        if spec.min_ndim is not None and ndim < spec.min_ndim:
            raise ValueError(f"{where}: expected min_ndim={spec.min_ndim}, found ndim={ndim}. "
                             f"Full shape received: {_shape_str(shape)}")
        for axis, value in spec.axes.items():
            if value is None or not -ndim <= axis < ndim:
                continue
            if shape[axis] not in (value, None):
                raise ValueError(f"{where}: expected axis {axis} of input shape to have value "
                                 f"{value}, but received input with shape {_shape_str(shape)}."
                                 + _flatten_hint(value, shape))
        if spec.shape is not None and ndim == len(spec.shape):
            for expected, actual in zip(spec.shape, shape):
                if expected is not None and actual is not None and expected != actual:
                    raise ValueError(f"{where}: expected shape={_shape_str(spec.shape)}, found "
                                     f"shape={_shape_str(shape)}")
