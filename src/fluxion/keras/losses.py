"""`keras.losses`: loss classes, loss functions and string names, with Keras 3's semantics.

A loss function `fn(y_true, y_pred)` returns one value per sample (it reduces the last axis); a
`Loss` object weights those values with `sample_weight` and reduces them with its `reduction`:
`"sum_over_batch_size"` (default: the weighted sum divided by the number of values), `"sum"`,
`"mean_with_sample_weight"` (divided by the sum of the weights) or `"none"`.

Probabilities (not logits) are clipped to `[epsilon, 1 - epsilon]` (epsilon = 1e-7) before the
logarithm of the cross-entropies, as Keras does; with `from_logits=True` the fused, stable
`fluxion.nn` cross-entropies are used.

Example:
>>> from fluxion import keras
>>> float(keras.losses.MeanSquaredError()([[0.0, 1.0]], [[1.0, 1.0]]))
0.5
"""
import math

from ..core.tensor import Tensor, convert_to_tensor
from ..core.variable import Variable
from ..ops import array_ops as a
from ..ops import math_ops as m
from ..ops import nn_ops as nn
from . import activations, backend
from .engine.serialization import lookup, serialize_keras_object

_REDUCTIONS = ("sum", "sum_over_batch_size", "mean", "mean_with_sample_weight", "none", None)


class Reduction:
    """The reduction names (tf.keras 2's `tf.keras.losses.Reduction`)."""

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        standardize_reduction(key)


def standardize_reduction(reduction):
    """Checks a reduction name ("auto" means "sum_over_batch_size").

    Example:
    >>> standardize_reduction("auto")
    'sum_over_batch_size'
    """
    if reduction == "auto":
        return "sum_over_batch_size"
    if reduction not in _REDUCTIONS:
        raise ValueError(f"Invalid value for argument `reduction`. Expected one of "
                         f"{list(_REDUCTIONS)}. Received: reduction={reduction!r}")
    return reduction


# --- helpers ----------------------------------------------------------------------------------
def _tensor(x, dtype=None):
    if isinstance(x, Variable):
        x = x.read_value()
    if isinstance(x, Tensor):
        return x if dtype is None or x.dtype == dtype else m.cast(x, dtype)
    return convert_to_tensor(x, dtype=dtype)


def _float_pair(y_true, y_pred):
    """y_pred as a float tensor (floatx if it is not float), y_true cast to its dtype."""
    y_pred = _tensor(y_pred)
    if not y_pred.dtype.is_floating:
        y_pred = m.cast(y_pred, backend.floatx())
    return _tensor(y_true, y_pred.dtype), y_pred


def _shape(x):
    return tuple(x.shape)


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Aligns ranks that differ by a trailing axis of size 1 (so that `(n,)` against `(n, 1)`
    never broadcasts into `(n, n)`).

    Example:
    >>> a, b = squeeze_or_expand_to_same_rank(fluxion.zeros((3,)), fluxion.zeros((3, 1)))
    >>> a.shape, b.shape
    (TensorShape([3, 1]), TensorShape([3, 1]))
    """
    r1, r2 = len(x1.shape), len(x2.shape)
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = a.expand_dims(x2, -1)
        else:
            x1 = a.squeeze(x1, -1)
    elif r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = a.expand_dims(x1, -1)
        else:
            x2 = a.squeeze(x2, -1)
    return x1, x2


def _check_compatible(name, y_true, y_pred):
    s1, s2 = _shape(y_true), _shape(y_pred)
    for d1, d2 in zip(reversed(s1), reversed(s2)):
        if d1 is not None and d2 is not None and d1 != d2 and 1 not in (d1, d2):
            raise ValueError(f"{name}: y_true and y_pred have incompatible shapes: y_true has "
                             f"shape {s1} and y_pred has shape {s2}. They must be equal (or "
                             "broadcastable); check the model's output size and the labels.")


def _pair(name, y_true, y_pred):
    y_true, y_pred = _float_pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    _check_compatible(name, y_true, y_pred)
    return y_true, y_pred


def _mean(x, axis=-1):
    return m.reduce_mean(x, axis=axis)


def _eps(dtype):
    return m.cast(backend.epsilon(), dtype)


# --- loss functions ---------------------------------------------------------------------------
def mean_squared_error(y_true, y_pred):
    """`mean(square(y_true - y_pred), axis=-1)`.

    Example:
    >>> mean_squared_error([[0.0, 2.0]], [[1.0, 1.0]]).numpy()
    array([1.], dtype=float32)
    """
    y_true, y_pred = _pair("mean_squared_error", y_true, y_pred)
    return _mean(m.square(y_pred - y_true))


def mean_absolute_error(y_true, y_pred):
    """`mean(abs(y_true - y_pred), axis=-1)`.

    Example:
    >>> mean_absolute_error([[0.0, 2.0]], [[1.0, 1.0]]).numpy()
    array([1.], dtype=float32)
    """
    y_true, y_pred = _pair("mean_absolute_error", y_true, y_pred)
    return _mean(m.abs(y_pred - y_true))


def mean_absolute_percentage_error(y_true, y_pred):
    """`100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)`.

    Example:
    >>> mean_absolute_percentage_error([[2.0, 4.0]], [[1.0, 4.0]]).numpy()
    array([25.], dtype=float32)
    """
    y_true, y_pred = _pair("mean_absolute_percentage_error", y_true, y_pred)
    diff = m.abs((y_true - y_pred) / m.maximum(m.abs(y_true), _eps(y_pred.dtype)))
    return 100.0 * _mean(diff)


def mean_squared_logarithmic_error(y_true, y_pred):
    """`mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), axis=-1)`.

    Example:
    >>> round(float(mean_squared_logarithmic_error([[0.0]], [[math.e - 1]])[0]), 5)
    1.0
    """
    y_true, y_pred = _pair("mean_squared_logarithmic_error", y_true, y_pred)
    eps = _eps(y_pred.dtype)
    first = m.log(m.maximum(y_pred, eps) + 1.0)
    second = m.log(m.maximum(y_true, eps) + 1.0)
    return _mean(m.square(first - second))


def cosine_similarity(y_true, y_pred, axis=-1):
    """`-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`: -1 for equal directions.

    Example:
    >>> cosine_similarity([[0.0, 1.0]], [[0.0, 3.0]]).numpy()
    array([-1.], dtype=float32)
    """
    y_true, y_pred = _pair("cosine_similarity", y_true, y_pred)
    y_true = nn.l2_normalize(y_true, axis=axis)
    y_pred = nn.l2_normalize(y_pred, axis=axis)
    return -m.reduce_sum(y_true * y_pred, axis=axis)


def huber(y_true, y_pred, delta=1.0):
    """`mean(0.5 * e**2 if |e| <= delta else delta * |e| - 0.5 * delta**2, axis=-1)` with
    `e = y_pred - y_true`.

    Example:
    >>> huber([[0.0, 0.0]], [[0.5, 3.0]]).numpy()
    array([1.3125], dtype=float32)
    """
    y_true, y_pred = _pair("huber", y_true, y_pred)
    error = y_pred - y_true
    abs_error = m.abs(error)
    delta = float(delta)
    quadratic = 0.5 * m.square(error)
    linear = delta * abs_error - 0.5 * delta * delta
    return _mean(a.where(abs_error <= delta, quadratic, linear))


def log_cosh(y_true, y_pred):
    """`mean(log(cosh(y_pred - y_true)), axis=-1)`, computed stably.

    Example:
    >>> round(float(log_cosh([[0.0]], [[1.0]])[0]), 5)
    0.43378
    """
    y_true, y_pred = _pair("log_cosh", y_true, y_pred)
    x = y_pred - y_true
    return _mean(x + nn.softplus(-2.0 * x) - math.log(2.0))


def _hinge_labels(y_true):
    """Maps labels in {0, 1} to {-1, 1} (labels already in {-1, 1} are kept)."""
    binary = m.reduce_all(m.logical_or(m.equal(y_true, 0.0), m.equal(y_true, 1.0)))
    return a.where(binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred):
    """`mean(max(1 - y_true * y_pred, 0), axis=-1)`; labels in {0, 1} become {-1, 1}.

    Example:
    >>> hinge([[1.0, 0.0]], [[0.5, -2.0]]).numpy()
    array([0.25], dtype=float32)
    """
    y_true, y_pred = _pair("hinge", y_true, y_pred)
    return _mean(m.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0))


def squared_hinge(y_true, y_pred):
    """`mean(square(max(1 - y_true * y_pred, 0)), axis=-1)`; labels in {0, 1} become {-1, 1}.

    Example:
    >>> squared_hinge([[1.0, 0.0]], [[0.5, -2.0]]).numpy()
    array([0.125], dtype=float32)
    """
    y_true, y_pred = _pair("squared_hinge", y_true, y_pred)
    return _mean(m.square(m.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0)))


def categorical_hinge(y_true, y_pred):
    """`max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)` over the last axis.

    Example:
    >>> categorical_hinge([[0.0, 1.0]], [[0.3, 0.6]]).numpy()
    array([0.7], dtype=float32)
    """
    y_true, y_pred = _pair("categorical_hinge", y_true, y_pred)
    pos = m.reduce_sum(y_true * y_pred, axis=-1)
    neg = m.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return m.maximum(neg - pos + 1.0, 0.0)


def kl_divergence(y_true, y_pred):
    """`sum(y_true * log(y_true / y_pred), axis=-1)`, both clipped to `[epsilon, 1]`.

    Example:
    >>> round(float(kl_divergence([[0.5, 0.5]], [[0.25, 0.75]])[0]), 5)
    0.14384
    """
    y_true, y_pred = _pair("kl_divergence", y_true, y_pred)
    eps = _eps(y_pred.dtype)
    y_true = m.clip_by_value(y_true, eps, 1.0)
    y_pred = m.clip_by_value(y_pred, eps, 1.0)
    return m.reduce_sum(y_true * m.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """`mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)`.

    Example:
    >>> round(float(poisson([[1.0]], [[1.0]])[0]), 5)
    1.0
    """
    y_true, y_pred = _pair("poisson", y_true, y_pred)
    return _mean(y_pred - y_true * m.log(y_pred + _eps(y_pred.dtype)))


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy, averaged over `axis`.

    Args:
        y_true: targets in [0, 1].
        y_pred: probabilities (clipped to `[1e-7, 1 - 1e-7]`) or, with `from_logits=True`,
            logits.
        label_smoothing: targets become `y_true * (1 - s) + 0.5 * s`.
        axis: the axis averaged over (default the last).

    Example:
    >>> round(float(binary_crossentropy([[1.0]], [[0.5]])[0]), 5)
    0.69315
    """
    y_true, y_pred = _pair("binary_crossentropy", y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if not from_logits:
        y_pred, from_logits = _logits_or(y_pred, "sigmoid")
    if from_logits:
        values = nn.sigmoid_cross_entropy_with_logits(labels=y_true, logits=y_pred)
    else:
        eps = backend.epsilon()
        p = m.clip_by_value(y_pred, eps, 1.0 - eps)
        values = -(y_true * m.log(p) + (1.0 - y_true) * m.log(1.0 - p))
    return m.reduce_mean(values, axis=axis)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy scaled by the focal factor `(1 - p_t) ** gamma`, averaged over
    `axis` (with `apply_class_balancing`, also by `alpha` / `1 - alpha`).

    Example:
    >>> round(float(binary_focal_crossentropy([[1.0]], [[0.5]])[0]), 5)
    0.17329
    """
    y_true, y_pred = _pair("binary_focal_crossentropy", y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        values = nn.sigmoid_cross_entropy_with_logits(labels=y_true, logits=y_pred)
        y_pred = m.sigmoid(y_pred)
    else:
        eps = backend.epsilon()
        p = m.clip_by_value(y_pred, eps, 1.0 - eps)
        values = -(y_true * m.log(p) + (1.0 - y_true) * m.log(1.0 - p))
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    values = m.pow(1.0 - p_t, float(gamma)) * values
    if apply_class_balancing:
        values = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * values
    return m.reduce_mean(values, axis=axis)


def _check_categorical(name, y_true, y_pred):
    st, sp = _shape(y_true), _shape(y_pred)
    if len(st) == len(sp) and all(x == y or None in (x, y) for x, y in zip(st, sp)):
        return
    hint = ""
    if len(st) == len(sp) - 1 or (len(st) == len(sp) and st and st[-1] == 1
                                  and sp[-1] not in (1, None)):
        hint = (" The labels look like integer class indices: use "
                "loss='sparse_categorical_crossentropy', or one-hot encode them with "
                "keras.utils.to_categorical(y, num_classes).")
    raise ValueError(f"{name}: y_true and y_pred must have the same shape, received y_true "
                     f"of shape {st} and y_pred of shape {sp}.{hint}")


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Cross-entropy between one-hot (or probability) labels and predictions over `axis`.

    Args:
        y_true: one-hot labels, shaped like `y_pred`.
        y_pred: probabilities (normalised to sum to 1, clipped to `[1e-7, 1 - 1e-7]`) or, with
            `from_logits=True`, logits.
        label_smoothing: labels become `y_true * (1 - s) + s / num_classes`.
        axis: the class axis.

    Raises:
        ValueError: if the shapes differ; integer labels of shape `(n,)` get a hint to use
            `sparse_categorical_crossentropy`.

    Example:
    >>> round(float(categorical_crossentropy([[0.0, 1.0]], [[0.5, 0.5]])[0]), 5)
    0.69315
    """
    name = "categorical_crossentropy"
    y_true, y_pred = _float_pair(y_true, y_pred)
    _check_categorical(name, y_true, y_pred)
    if label_smoothing:
        num_classes = float(y_pred.shape[axis])
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    if not from_logits and axis in (-1, y_pred.ndim - 1):
        y_pred, from_logits = _logits_or(y_pred, "softmax")
    if from_logits:
        return nn.softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred, axis=axis)
    eps = backend.epsilon()
    p = y_pred / m.reduce_sum(y_pred, axis=axis, keepdims=True)
    p = m.clip_by_value(p, eps, 1.0 - eps)
    return -m.reduce_sum(y_true * m.log(p), axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Cross-entropy between integer class labels and predictions over the last axis.

    Args:
        y_true: class indices in `[0, num_classes)`, of shape `y_pred.shape[:-1]` (a trailing
            axis of size 1 is accepted).
        y_pred: probabilities (clipped to `[1e-7, 1 - 1e-7]`, then normalised by the softmax
            of their logarithms) or logits (`from_logits=True`).
        ignore_class: a label value whose entries give a loss of 0 (e.g. padding or void).

    Raises:
        ValueError: for labels outside `[0, num_classes)` (the message names the number of
            classes), or one-hot labels (with a hint to use `categorical_crossentropy`).

    Example:
    >>> round(float(sparse_categorical_crossentropy([1], [[0.5, 0.5]])[0]), 5)
    0.69315
    """
    name = "sparse_categorical_crossentropy"
    if axis not in (-1, len(_tensor(y_pred).shape) - 1):
        raise ValueError(f"{name}: only axis=-1 (the last axis) is supported. Received: "
                         f"axis={axis}")
    y_pred = _tensor(y_pred)
    if not y_pred.dtype.is_floating:
        y_pred = m.cast(y_pred, backend.floatx())
    y_true = _tensor(y_true)
    st, sp = _shape(y_true), _shape(y_pred)
    if len(st) == len(sp) and st and st[-1] == 1:
        y_true = a.squeeze(y_true, -1)
    elif len(st) == len(sp):
        raise ValueError(f"{name}: y_true of shape {st} has the rank of y_pred (shape {sp}); "
                         "sparse labels are class indices of shape y_pred.shape[:-1]. For "
                         "one-hot labels use loss='categorical_crossentropy'.")
    if not y_true.dtype.is_integer:
        y_true = m.cast(y_true, "int64")
    valid = None
    if ignore_class is not None:
        valid = m.not_equal(y_true, ignore_class)
        y_true = a.where(valid, y_true, a.zeros_like(y_true))
    if not from_logits:
        y_pred, from_logits = _logits_or(y_pred, "softmax")
    if not from_logits:
        # As Keras's TensorFlow backend: no renormalisation of the rows here (unlike the
        # categorical loss); the softmax of the log-probabilities normalises the values, but
        # the clipping happens first, so entries at exactly 0 or 1 get no gradient.
        eps = backend.epsilon()
        y_pred = m.log(m.clip_by_value(y_pred, eps, 1.0 - eps))
    try:
        values = nn.sparse_softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred)
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None
    if valid is not None:
        values = a.where(valid, values, a.zeros_like(values))
    return values


def _logits_or(y_pred, kind):
    """(logits, True) when `y_pred` came out of a Keras `kind` activation (softmax/sigmoid), as
    Keras's TensorFlow backend does; else (y_pred, False)."""
    logits = activations.logits_of(y_pred, kind)
    return (y_pred, False) if logits is None else (logits, True)


# --- reduction --------------------------------------------------------------------------------
def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Reduces per-sample loss values: "sum", "sum_over_batch_size" (sum / number of values),
    "mean_with_sample_weight" (sum / sum of weights) or "none"."""
    if reduction in (None, "none") or len(values.shape) == 0 or _shape(values) == (0,):
        return values
    loss = m.reduce_sum(values)
    if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        if reduction == "mean_with_sample_weight" and sample_weight is not None:
            divisor = m.reduce_sum(m.cast(sample_weight, loss.dtype))
        else:
            divisor = m.cast(a.size(values), loss.dtype)
        loss = m.divide_no_nan(loss, divisor)
    return loss


def reduce_weighted_values(values, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size", dtype=None):
    """Weights per-sample losses by `sample_weight` (and a 0/1 `mask`) and reduces them."""
    values = _tensor(values, dtype)
    if mask is not None:
        mask = m.cast(mask, values.dtype)
        if reduction in ("sum_over_batch_size", "mean"):
            total = m.cast(a.size(mask), values.dtype)
            mask = mask * (total / (m.reduce_sum(mask) + backend.epsilon()))
        if sample_weight is not None:
            mask, sample_weight = squeeze_or_expand_to_same_rank(
                mask, _tensor(sample_weight, values.dtype))
            sample_weight = sample_weight * mask
        else:
            sample_weight = mask
    if sample_weight is not None:
        sample_weight = _tensor(sample_weight, values.dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


# --- classes ----------------------------------------------------------------------------------
class Loss:
    """Base class of losses: subclasses implement `call(y_true, y_pred)` returning one value per
    sample; `__call__` applies `sample_weight` and the `reduction`.

    Args:
        name: the loss name.
        reduction: "sum_over_batch_size" (default), "sum", "mean_with_sample_weight" or "none".
        dtype: the dtype of the computation (default `floatx()`).

    Example:
    >>> class Absolute(Loss):
    ...     def call(self, y_true, y_pred):
    ...         return fluxion.reduce_mean(fluxion.abs(y_pred - y_true), axis=-1)
    >>> float(Absolute()([[0.0], [0.0]], [[1.0], [3.0]]))
    2.0
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or _snake(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self.dtype = dtype or backend.floatx()

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_pred = _tensor(y_pred)
        y_pred = m.cast(y_pred, self.dtype) if y_pred.dtype.name != self.dtype else y_pred
        values = self.call(_tensor(y_true), y_pred)
        return reduce_weighted_values(values, sample_weight, self._mask(y_true),
                                      self.reduction, self.dtype)

    def _mask(self, y_true):
        return None

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} must implement call().")

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _snake(name):
    out = "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
    return out


class LossFunctionWrapper(Loss):
    """Wraps a loss function `fn(y_true, y_pred, **kwargs)` into a `Loss`.

    Example:
    >>> loss = LossFunctionWrapper(mean_absolute_error, name="mae")
    >>> float(loss([[1.0]], [[3.0]]))
    2.0
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name or getattr(fn, "__name__", None), reduction, dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = super().get_config()
        config.update(self._fn_kwargs)
        if type(self) is LossFunctionWrapper:
            config["fn"] = serialize_keras_object(self.fn, "keras.losses")
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if cls is LossFunctionWrapper:
            config["fn"] = get(config["fn"])
        return cls(**config)


def _wrapper(fn, default_name, doc, **defaults):
    """A `LossFunctionWrapper` subclass for `fn` with keyword hyper-parameters `defaults`."""
    keys = list(defaults)

    def __init__(self, *args, reduction="sum_over_batch_size", name=default_name, dtype=None,
                 **kwargs):
        params = dict(defaults)
        if len(args) > len(keys):
            raise TypeError(f"{type(self).__name__} takes at most {len(keys)} positional "
                            f"arguments ({', '.join(keys)}).")
        params.update(zip(keys, args))
        unknown = set(kwargs) - set(keys)
        if unknown:
            raise TypeError(f"{type(self).__name__} got unexpected keyword arguments "
                            f"{sorted(unknown)}. Valid: {keys + ['reduction', 'name']}.")
        params.update(kwargs)
        LossFunctionWrapper.__init__(self, fn, reduction=reduction, name=name, dtype=dtype,
                                     **params)
        for key, value in params.items():
            setattr(self, key, value)

    return {"__init__": __init__, "__doc__": doc}


def _loss_class(class_name, fn, doc, default_name=None, **defaults):
    return type(class_name, (LossFunctionWrapper,),
                _wrapper(fn, default_name or fn.__name__, doc, **defaults))


MeanSquaredError = _loss_class("MeanSquaredError", mean_squared_error, """Mean of squared errors.

    Example:
    >>> float(MeanSquaredError()([[0.0, 1.0]], [[1.0, 1.0]]))
    0.5
    """)
MeanAbsoluteError = _loss_class("MeanAbsoluteError", mean_absolute_error,
                                "Mean of absolute errors (see `mean_absolute_error`).")
MeanAbsolutePercentageError = _loss_class(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error,
    "Mean absolute percentage error (see `mean_absolute_percentage_error`).")
MeanSquaredLogarithmicError = _loss_class(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
    "Mean squared logarithmic error (see `mean_squared_logarithmic_error`).")
CosineSimilarity = _loss_class("CosineSimilarity", cosine_similarity,
                               "Negative cosine similarity along `axis` (default -1).",
                               axis=-1)
Huber = _loss_class("Huber", huber, "Huber loss with threshold `delta` (default 1.0).",
                    default_name="huber_loss", delta=1.0)
LogCosh = _loss_class("LogCosh", log_cosh, "Mean of log(cosh(error)).")
Hinge = _loss_class("Hinge", hinge, "Hinge loss; labels in {0, 1} are mapped to {-1, 1}.")
SquaredHinge = _loss_class("SquaredHinge", squared_hinge, "Squared hinge loss.")
CategoricalHinge = _loss_class("CategoricalHinge", categorical_hinge, "Categorical hinge loss.")
KLDivergence = _loss_class("KLDivergence", kl_divergence,
                           "Kullback-Leibler divergence `sum(y_true * log(y_true / y_pred))`.")
Poisson = _loss_class("Poisson", poisson, "Poisson loss `mean(y_pred - y_true * log(y_pred))`.")
BinaryCrossentropy = _loss_class("BinaryCrossentropy", binary_crossentropy, """Binary
    cross-entropy (`from_logits=False`, `label_smoothing=0.0`, `axis=-1`).

    Example:
    >>> round(float(BinaryCrossentropy(from_logits=True)([[1.0]], [[0.0]])), 5)
    0.69315
    """, from_logits=False, label_smoothing=0.0, axis=-1)
BinaryFocalCrossentropy = _loss_class(
    "BinaryFocalCrossentropy", binary_focal_crossentropy,
    "Binary focal cross-entropy (`gamma=2.0`, `alpha=0.25`).", apply_class_balancing=False,
    alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1)
CategoricalCrossentropy = _loss_class("CategoricalCrossentropy", categorical_crossentropy,
                                      """Categorical cross-entropy for one-hot labels
    (`from_logits=False`, `label_smoothing=0.0`, `axis=-1`).

    Example:
    >>> round(float(CategoricalCrossentropy()([[0.0, 1.0]], [[0.2, 0.8]])), 5)
    0.22314
    """, from_logits=False, label_smoothing=0.0, axis=-1)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Categorical cross-entropy for integer labels (`from_logits=False`, `ignore_class=None`).

    With `ignore_class`, entries with that label are excluded: they get a loss of 0 and the
    "sum_over_batch_size" mean is taken over the other entries.

    Example:
    >>> loss = SparseCategoricalCrossentropy(from_logits=True)
    >>> round(float(loss([1, 0], [[0.0, 0.0], [0.0, 0.0]])), 5)
    0.69315
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, from_logits=from_logits, ignore_class=ignore_class)
        self.from_logits, self.ignore_class = from_logits, ignore_class

    def _mask(self, y_true):
        if self.ignore_class is None:
            return None
        y_true = _tensor(y_true)
        if len(y_true.shape) and y_true.shape[-1] == 1:
            y_true = a.squeeze(y_true, -1)
        return m.not_equal(y_true, m.cast(self.ignore_class, y_true.dtype))


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
huber_loss = huber

_FUNCTIONS = [mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
              mean_squared_logarithmic_error, cosine_similarity, huber, log_cosh, hinge,
              squared_hinge, categorical_hinge, kl_divergence, poisson, binary_crossentropy,
              binary_focal_crossentropy, categorical_crossentropy,
              sparse_categorical_crossentropy]
_CLASSES = [Loss, LossFunctionWrapper, MeanSquaredError, MeanAbsoluteError,
            MeanAbsolutePercentageError, MeanSquaredLogarithmicError, CosineSimilarity, Huber,
            LogCosh, Hinge, SquaredHinge, CategoricalHinge, KLDivergence, Poisson,
            BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy,
            SparseCategoricalCrossentropy]
ALL = {f.__name__: f for f in _FUNCTIONS}
ALL.update({c.__name__: c for c in _CLASSES})
ALL.update({"mse": mse, "MSE": mse, "mae": mae, "MAE": mae, "mape": mape, "MAPE": mape,
            "msle": msle, "MSLE": msle, "kld": kld, "KLD": kld, "logcosh": log_cosh,
            "kullback_leibler_divergence": kl_divergence, "huber_loss": huber})
for _cls in _CLASSES[2:]:
    _cls.__module__ = __name__


def serialize(loss):
    """Returns the Keras 3 config dict of a loss object, or the name of a loss function.

    Example:
    >>> serialize(mean_squared_error)
    'mean_squared_error'
    """
    return serialize_keras_object(loss, "keras.losses")


def deserialize(name, custom_objects=None):
    """Returns the loss named `name` (a function, or an instance for class names and configs).

    Example:
    >>> deserialize("mse") is mean_squared_error
    True
    """
    return lookup(name, "loss", ALL, custom_objects)


def get(identifier):
    """Returns a loss from a name, a config dict, a class, an instance or a function.

    Raises:
        ValueError: for an unknown name; the message lists the valid names.

    Example:
    >>> get("categorical_crossentropy") is categorical_crossentropy
    True
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")

