"""The metric base classes: `Metric` (state in variables, `update_state`/`result`/`reset_state`),
`Mean`, `Sum` and `MeanMetricWrapper` (the running mean of a per-sample function).

State lives in non-trainable `Variable`s updated with `assign_add`, so metrics update inside a
compiled (`fluxion.function`) train step exactly as they do eagerly.
"""
import numpy as np

from ...core.context import init_scope
from ...core.tensor import Tensor, convert_to_tensor
from ...core.variable import Variable
from ...ops import array_ops as a
from ...ops import math_ops as m
from .. import backend, losses
from ..engine.serialization import serialize_keras_object
from ..losses import squeeze_or_expand_to_same_rank


def auto_name(class_name):
    """Keras's default name of an object: the class name in snake case, made unique
    (`"auc"`, then `"auc_1"`, ...; `keras.backend.clear_session()` starts over).

    Example:
    >>> backend.clear_session(); auto_name("AUC"), auto_name("AUC")
    ('auc', 'auc_1')
    """
    return backend.unique_object_name(backend.to_snake_case(class_name))


def as_tensor(x, dtype=None):
    """A tensor for `x` (variables are read), cast to `dtype` when given."""
    if isinstance(x, Variable):
        x = x.read_value()
    if isinstance(x, Tensor):
        return x if dtype is None or x.dtype == dtype else m.cast(x, dtype)
    return convert_to_tensor(x, dtype=dtype)


class Metric:
    """Base class of metrics: state in variables, `update_state(...)` accumulates a batch,
    `result()` computes the value, `reset_state()` starts over.

    Args:
        name: the metric's name (default: the class name in snake case, made unique as
            Keras does: `auc`, `auc_1`, ...).
        dtype: the dtype of the state and result (default `floatx()`).

    Example:
    >>> class Count(Metric):
    ...     def __init__(self, name="count"):
    ...         super().__init__(name=name)
    ...         self.n = self.add_variable((), name="n")
    ...     def update_state(self, values):
    ...         self.n.assign_add(fluxion.cast(fluxion.size(values), "float32"))
    ...     def result(self):
    ...         return self.n.read_value()
    >>> float(Count()([1, 2, 3]))
    3.0
    """

    def __init__(self, dtype=None, name=None):
        self.name = name or auto_name(type(self).__name__)
        self._dtype = backend.standardize_dtype(dtype)
        self._variables = []
        self._initial_values = []

    @property
    def dtype(self):
        return self._dtype

    @property
    def variables(self):
        """The metric's state variables."""
        return list(self._variables)

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="sum", name=None):
        """Creates a state variable ("zeros", "ones" or a number as the initial value)."""
        dtype = np.dtype(backend.standardize_dtype(dtype or self._dtype))
        shape = tuple(int(d) for d in shape)
        if initializer == "zeros":
            value = np.zeros(shape, dtype)
        elif initializer == "ones":
            value = np.ones(shape, dtype)
        else:
            value = np.full(shape, initializer, dtype)
        with init_scope():
            variable = Variable(value, trainable=False, name=name or "variable")
        variable.path = f"{self.name}/{name}"
        self._variables.append(variable)
        self._initial_values.append(value)
        return variable

    def add_weight(self, name=None, shape=(), initializer="zeros", dtype=None, aggregation="sum",
                   **kwargs):
        """tf.keras 2's name for `add_variable` (the name comes first)."""
        return self.add_variable(shape, initializer, dtype, aggregation, name)

    def update_state(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement update_state().")

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must implement result().")

    def reset_state(self):
        """Resets the state variables to their initial values."""
        for variable, value in zip(self._variables, self._initial_values):
            variable.assign(value)

    reset_states = reset_state  # tf.keras 2 name

    def __call__(self, *args, **kwargs):
        """Updates the state with one batch and returns the result."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self._dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def reduce_to_samplewise_values(values, sample_weight, dtype, reduce_fn=m.reduce_mean):
    """Keras 3's rule: weights are aligned to `values` (the extra value axes are reduced with
    `reduce_fn`: `reduce_mean` for `Mean`, `reduce_sum` for `Sum`), values are multiplied by
    them, then each is reduced to one entry per sample.

    Args:
        values: the values, shaped `(batch, ...)`.
        sample_weight: None or weights broadcastable to the leading axes of `values`.
        dtype: the dtype of the computation.
        reduce_fn: the reduction of the extra axes.

    Returns:
        `(values, sample_weight)`, both of shape `(batch,)` (or scalars).

    Example:
    >>> v, _ = reduce_to_samplewise_values([[1.0, 2.0], [3.0, 4.0]], None, "float32",
    ...                                    fluxion.reduce_sum)
    >>> v.numpy()
    array([3., 7.], dtype=float32)
    """
    values = as_tensor(values, dtype)
    if sample_weight is not None:
        sample_weight = as_tensor(sample_weight, dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        w_ndim, v_ndim = len(sample_weight.shape), len(values.shape)
        if v_ndim > w_ndim:
            values = reduce_fn(values, axis=list(range(w_ndim, v_ndim)))
        sample_weight = a.broadcast_to(sample_weight, a.shape(values)) \
            if tuple(sample_weight.shape) != tuple(values.shape) else sample_weight
        values = values * sample_weight
        if w_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=list(range(1, w_ndim)))
    if len(values.shape) > 1:
        values = reduce_fn(values, axis=list(range(1, len(values.shape))))
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of the values seen (all axes are summed; weights of shape `(batch,)`
    weight each sample's sum).

    Example:
    >>> float(Sum()([1.0, 3.0, 5.0]))
    9.0
    >>> float(Sum()([[1.0, 1.0], [2.0, 2.0]], sample_weight=[1.0, 0.0]))
    2.0
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(dtype=dtype, name=name)
        self.total = self.add_variable((), name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(values, sample_weight, self.dtype,
                                                m.reduce_sum)
        self.total.assign_add(m.reduce_sum(values))

    def result(self):
        return self.total.read_value()


class Mean(Metric):
    """The (weighted) mean of the values seen: `total / count`.

    Example:
    >>> metric = Mean()
    >>> metric.update_state([1.0, 3.0, 5.0, 7.0])
    >>> float(metric.result())
    4.0
    >>> metric.reset_state(); metric.update_state([1.0, 3.0], sample_weight=[1, 0])
    >>> float(metric.result())
    1.0
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(dtype=dtype, name=name)
        self.total = self.add_variable((), name="total")
        self.count = self.add_variable((), name="count")

    def update_state(self, values, sample_weight=None):
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, self.dtype)
        self.total.assign_add(m.reduce_sum(values))
        if sample_weight is not None:
            count = m.reduce_sum(sample_weight)
        elif len(values.shape) >= 1:
            n = values.shape[0]
            count = m.cast(a.shape(values)[0] if n is None else n, self.dtype)
        else:
            count = m.cast(1, self.dtype)
        self.count.assign_add(as_tensor(count, self.dtype))

    def result(self):
        return m.divide_no_nan(self.total.read_value(), self.count.read_value())


class MeanMetricWrapper(Mean):
    """The running mean of `fn(y_true, y_pred, **kwargs)`, a per-sample metric function.

    As in Keras, wrapping a Keras loss (a `keras.losses` function or a loss class instance)
    marks the metric as minimised (`_direction = "down"`), which callbacks with `mode="auto"`
    use; a metric of another function has no known direction.

    Example:
    >>> metric = MeanMetricWrapper(lambda y, p: fluxion.abs(y - p), name="mae")
    >>> float(metric([1.0, 2.0], [2.0, 4.0]))
    1.5
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or auto_name("MeanMetricWrapper"), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs
        if any(fn is obj or type(fn) is obj for obj in losses.ALL.values()):
            self._direction = "down"

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self._fn(as_tensor(y_true), as_tensor(y_pred), **self._fn_kwargs)
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        config = {"name": self.name, "dtype": self.dtype, **self._fn_kwargs}
        if type(self) is MeanMetricWrapper:
            config["fn"] = serialize_keras_object(self._fn, "keras.metrics")
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if cls is MeanMetricWrapper:
            from . import deserialize, function_by_name
            fn = config["fn"]
            config["fn"] = deserialize(fn) if isinstance(fn, dict) else function_by_name(fn)
        return cls(**config)


def wrapper_class(class_name, fn, default_name, doc, direction=None, **defaults):
    """A `MeanMetricWrapper` subclass for `fn` with keyword hyper-parameters `defaults`
    (positional arguments fill them in order, as Keras's constructors do); `direction` ("up"
    when higher is better) becomes the class's `_direction`."""
    keys = list(defaults)

    def __init__(self, *args, name=default_name, dtype=None, **kwargs):
        params = dict(defaults)
        params.update(zip(keys, args))
        unknown = set(kwargs) - set(keys)
        if unknown or len(args) > len(keys):
            raise TypeError(f"{class_name}: unexpected arguments {sorted(unknown) or args}. "
                            f"Valid: {keys + ['name', 'dtype']}.")
        params.update(kwargs)
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **params)
        for key, value in params.items():
            setattr(self, key, value)

    attrs = {"__init__": __init__, "__doc__": doc}
    if direction is not None:
        attrs["_direction"] = direction
    cls = type(class_name, (MeanMetricWrapper,), attrs)
    cls.__module__ = "fluxion.keras.metrics"
    return cls
