"""`keras.initializers`: how layer weights start, with Keras's exact defaults.

`random_uniform` is U(-0.05, 0.05), `random_normal` N(0, 0.05); Dense kernels default to
`glorot_uniform`, biases to `zeros`. A seeded initializer gives the same values on every call;
an unseeded one draws new values each call (reproducible after `fluxion.random.set_seed`).

Example:
>>> from fluxion.keras import initializers
>>> initializers.get("ones")((2,)).numpy()
array([1., 1.], dtype=float32)
"""
import math

import numpy as np

from ..core import dtypes
from ..core.tensor import constant as _constant
from ..core.tensor import wrap
from ..ops import random_ops
from . import backend
from .engine.serialization import lookup, serialize_keras_object


def _dtype(dtype):
    return dtypes.as_dtype(backend.standardize_dtype(dtype))


def _shape(shape):
    return tuple(int(d) for d in shape)


class Initializer:
    """Base class: `__call__(shape, dtype=None)` returns a tensor of that shape and dtype."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(f"{type(self).__name__} must implement __call__.")

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def clone(self):
        return type(self).from_config(self.get_config())


class Constant(Initializer):
    """Fills with `value`.

    Example:
    >>> Constant(3.0)((2,)).numpy()
    array([3., 3.], dtype=float32)
    """

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return _constant(self.value, dtype=_dtype(dtype), shape=_shape(shape))

    def get_config(self):
        return {"value": self.value}


class Zeros(Constant):
    """Fills with 0."""

    def __init__(self):
        super().__init__(0.0)

    def get_config(self):
        return {}


class Ones(Constant):
    """Fills with 1."""

    def __init__(self):
        super().__init__(1.0)

    def get_config(self):
        return {}


class _Random(Initializer):
    """Draws from a distribution; a given `seed` makes every call return the same values."""

    def __init__(self, seed=None):
        self.seed = seed

    def _draw(self, kind, shape, dtype, **params):
        if self.seed is None:
            return getattr(random_ops, kind)(shape, dtype=dtype, **params)
        stateless = getattr(random_ops, "stateless_" + kind)
        return stateless(shape, seed=[int(self.seed), 0], dtype=dtype, **params)

    def get_config(self):
        return {"seed": self.seed}


class RandomUniform(_Random):
    """Uniform on [minval, maxval), by default [-0.05, 0.05).

    Example:
    >>> bool((abs(RandomUniform(seed=1)((100,)).numpy()) <= 0.05).all())
    True
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        return self._draw("uniform", _shape(shape), _dtype(dtype), minval=self.minval,
                          maxval=self.maxval)

    def get_config(self):
        return {"seed": self.seed, "minval": self.minval, "maxval": self.maxval}


class RandomNormal(_Random):
    """Normal with `mean` (0) and `stddev` (0.05)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return self._draw("normal", _shape(shape), _dtype(dtype), mean=self.mean,
                          stddev=self.stddev)

    def get_config(self):
        return {"seed": self.seed, "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomNormal):
    """Normal with `mean` (0) and `stddev` (0.05), redrawn beyond two standard deviations."""

    def __call__(self, shape, dtype=None):
        return self._draw("truncated_normal", _shape(shape), _dtype(dtype), mean=self.mean,
                          stddev=self.stddev)


def compute_fans(shape):
    """Returns `(fan_in, fan_out)` of a weight shape, as Keras computes them.

    Example:
    >>> compute_fans((3, 3, 16, 32))
    (144, 288)
    """
    shape = _shape(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


class VarianceScaling(_Random):
    """Scales the spread to the weight's fan: variance `scale / fan`.

    Args:
        scale: the variance numerator (positive).
        mode: "fan_in", "fan_out" or "fan_avg".
        distribution: "truncated_normal", "untruncated_normal" or "uniform".
        seed: an int for repeatable values.

    Example:
    >>> VarianceScaling(distribution="uniform", seed=0)((4, 4)).shape
    TensorShape([4, 4])
    """

    MODES = ("fan_in", "fan_out", "fan_avg")
    DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform", "normal")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        if scale <= 0:
            raise ValueError(f"VarianceScaling: scale must be positive. Received: scale={scale}")
        if mode not in self.MODES:
            raise ValueError(f"VarianceScaling: mode must be one of {self.MODES}. "
                             f"Received: mode={mode!r}")
        distribution = distribution.lower()
        if distribution not in self.DISTRIBUTIONS:
            raise ValueError(f"VarianceScaling: distribution must be one of "
                             f"{self.DISTRIBUTIONS}. Received: distribution={distribution!r}")
        self.scale, self.mode = scale, mode
        self.distribution = "truncated_normal" if distribution == "normal" else distribution

    def __call__(self, shape, dtype=None):
        shape, dtype = _shape(shape), _dtype(dtype)
        fan_in, fan_out = compute_fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        scale = self.scale / max(1.0, fan[self.mode])
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * scale)
            return self._draw("uniform", shape, dtype, minval=-limit, maxval=limit)
        if self.distribution == "truncated_normal":
            # 0.8796... is the stddev of a standard normal truncated to (-2, 2).
            stddev = math.sqrt(scale) / 0.87962566103423978
            return self._draw("truncated_normal", shape, dtype, stddev=stddev)
        return self._draw("normal", shape, dtype, stddev=math.sqrt(scale))

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed}


def _variance_scaling_preset(name, scale, mode, distribution, doc):
    def __init__(self, seed=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    def get_config(self):
        return {"seed": self.seed}

    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config,
                                            "__doc__": doc})


GlorotUniform = _variance_scaling_preset(
    "GlorotUniform", 1.0, "fan_avg", "uniform",
    "Glorot (Xavier) uniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)).")
GlorotNormal = _variance_scaling_preset(
    "GlorotNormal", 1.0, "fan_avg", "truncated_normal",
    "Glorot normal: truncated normal, stddev = sqrt(2 / (fan_in + fan_out)).")
HeUniform = _variance_scaling_preset(
    "HeUniform", 2.0, "fan_in", "uniform", "He uniform: limit = sqrt(6 / fan_in).")
HeNormal = _variance_scaling_preset(
    "HeNormal", 2.0, "fan_in", "truncated_normal", "He normal: stddev = sqrt(2 / fan_in).")
LecunUniform = _variance_scaling_preset(
    "LecunUniform", 1.0, "fan_in", "uniform", "LeCun uniform: limit = sqrt(3 / fan_in).")
LecunNormal = _variance_scaling_preset(
    "LecunNormal", 1.0, "fan_in", "truncated_normal", "LeCun normal: stddev = sqrt(1 / fan_in).")


class Orthogonal(_Random):
    """A (semi-)orthogonal matrix times `gain`, from the QR decomposition of a normal draw.

    Shapes of rank > 2 are treated as `(prod(shape[:-1]), shape[-1])`.

    Example:
    >>> w = Orthogonal(seed=0)((3, 3)).numpy()
    >>> bool(np.allclose(w @ w.T, np.eye(3), atol=1e-5))
    True
    """

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape, dtype = _shape(shape), _dtype(dtype)
        if len(shape) < 2:
            raise ValueError("Orthogonal: the shape must have rank >= 2. "
                             f"Received: shape={shape}")
        rows, cols = int(np.prod(shape[:-1])), shape[-1]
        flat = (max(rows, cols), min(rows, cols))
        a = np.asarray(self._draw("normal", flat, dtypes.float64), dtype=np.float64)
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return wrap((self.gain * q).reshape(shape).astype(dtype._np))

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """`gain` times the identity matrix (2-D shapes only).

    Example:
    >>> Identity()((2, 2)).numpy()
    array([[1., 0.],
           [0., 1.]], dtype=float32)
    """

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape, dtype = _shape(shape), _dtype(dtype)
        if len(shape) != 2:
            raise ValueError("Identity: the shape must be 2-D. Received: "
                             f"shape={shape}")
        return wrap((self.gain * np.eye(*shape)).astype(dtype._np))

    def get_config(self):
        return {"gain": self.gain}


IdentityInitializer = Identity

_CLASSES = (Constant, Zeros, Ones, RandomUniform, RandomNormal, TruncatedNormal, VarianceScaling,
            GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal,
            Orthogonal, Identity)
ALL = {cls.__name__: cls for cls in _CLASSES}
ALL.update({
    "constant": Constant, "zeros": Zeros, "zero": Zeros, "ones": Ones, "one": Ones,
    "random_uniform": RandomUniform, "uniform": RandomUniform, "random_normal": RandomNormal,
    "normal": RandomNormal, "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling, "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal, "he_uniform": HeUniform, "he_normal": HeNormal,
    "lecun_uniform": LecunUniform, "lecun_normal": LecunNormal, "orthogonal": Orthogonal,
    "identity": Identity, "IdentityInitializer": Identity,
})

# Keras's function-style aliases: `initializers.glorot_uniform(seed=1)`.
constant, zeros, ones = Constant, Zeros, Ones
random_uniform, random_normal, truncated_normal = RandomUniform, RandomNormal, TruncatedNormal
glorot_uniform, glorot_normal, he_uniform, he_normal = (GlorotUniform, GlorotNormal,
                                                        HeUniform, HeNormal)
lecun_uniform, lecun_normal, orthogonal, variance_scaling = (LecunUniform, LecunNormal,
                                                             Orthogonal, VarianceScaling)
identity = Identity


def serialize(initializer):
    """Returns the Keras 3 config dict of an initializer.

    Example:
    >>> serialize(Zeros())["class_name"]
    'Zeros'
    """
    return serialize_keras_object(initializer, "keras.initializers")


def deserialize(config, custom_objects=None):
    """Creates an initializer from its config dict (or name)."""
    return lookup(config, "initializer", ALL, custom_objects)


def get(identifier):
    """Returns an initializer from a name, a config dict, an instance or a callable.

    Raises:
        ValueError: for an unknown name; the message lists the valid names.

    Example:
    >>> type(get("glorot_uniform")).__name__
    'GlorotUniform'
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if isinstance(identifier, type):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {identifier!r}")
