"""`keras.random`: random ops with Keras 3's seeds, and `SeedGenerator`.

A `seed` argument is one of:

- an int: the values depend on it alone (the same values on every call);
- a `SeedGenerator`: each call takes the generator's next seed, so calls differ, and the
  sequence is part of the model's state (saved with it, restored by `load_model`, advanced
  inside compiled training steps);
- None: the global random stream (reproducible after `keras.utils.set_random_seed`).

Example:
>>> from fluxion import keras
>>> a = keras.random.uniform((2,), seed=3)
>>> bool((a.numpy() == keras.random.uniform((2,), seed=3).numpy()).all())
True
>>> gen = keras.random.SeedGenerator(42)
>>> bool((keras.random.normal((2,), seed=gen).numpy() ==
...       keras.random.normal((2,), seed=gen).numpy()).all())
False
"""
import numpy as np

from .. import nn
from ..core.tensor import convert_to_tensor
from ..core.variable import Variable
from ..ops import random_ops
from . import backend

_MAX_SEED = 2 ** 31 - 1
_generator_names = {}


def _unique_name(base):
    index = _generator_names.get(base, -1) + 1
    _generator_names[base] = index
    return base if index == 0 else f"{base}_{index}"


def make_default_seed():
    """A seed for an unseeded generator: the next op seed of the global sequence when a
    global seed is set (`keras.utils.set_random_seed`, `fluxion.random.set_seed`), else fresh
    entropy."""
    pair = random_ops.get_seed(None)
    if pair is not None:
        return int(pair[1])
    return int(np.random.default_rng().integers(1, _MAX_SEED))


class SeedGenerator:
    """Generates a new seed for each call of a random op, from a state variable.

    The state is a non-trainable int64 variable `[seed, counter]` named
    `seed_generator_state`; `next()` returns it and increments the counter. Layers that draw
    random numbers (Dropout, the recurrent cells' dropout) own one, so their random sequence is
    saved and restored with the model and resumed training repeats an uninterrupted run.

    Args:
        seed: an int; None draws one from the global seed sequence (`make_default_seed`).
        name: the generator's name (default `seed_generator`, made unique).

    Raises:
        ValueError: for a seed that is not an int.

    Example:
    >>> gen = keras.random.SeedGenerator(7)
    >>> gen.next().numpy(), gen.next().numpy()
    (array([7, 0]), array([7, 1]))
    >>> gen.state.numpy()
    array([7, 2])
    """

    def __init__(self, seed=None, name=None, **kwargs):
        kwargs.pop("backend", None)
        if kwargs:
            raise ValueError(f"SeedGenerator: unrecognized keyword arguments: {kwargs}")
        self.name = name or _unique_name("seed_generator")
        self._initial_seed = seed
        if seed is None:
            seed = make_default_seed()
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise ValueError(f"SeedGenerator: argument `seed` must be an integer. Received: "
                             f"seed={seed!r}")
        self.state = Variable(np.array([int(seed), 0], dtype=np.int64), trainable=False,
                              name="seed_generator_state", dtype="int64")
        self.state.path = f"{self.name}/seed_generator_state"

    def next(self, ordered=True):
        """Returns the current state `[seed, counter]` (a tensor) and advances the counter
        (inside a traced function too: the assignment is part of the graph)."""
        value = self.state.read_value()
        if ordered:
            self.state.assign_add(np.array([0, 1], dtype=np.int64))
        else:
            self.state.assign((value + 1) * 5387 % 933199)
        return value

    def get_config(self):
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<SeedGenerator name={self.name} state={self.state.numpy().tolist()}>"


def draw_seed(seed):
    """The seed tensor a random op uses for `seed` (an int, a SeedGenerator), or None for
    the global stream.

    Raises:
        ValueError: for another kind of seed.
    """
    if seed is None:
        return None
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return convert_to_tensor(np.array([int(seed), 0], dtype=np.int64))
    raise ValueError("keras.random: argument `seed` must be an int, a "
                     f"`keras.random.SeedGenerator` or None. Received: seed={seed!r}")


def _dtype(dtype):
    return backend.standardize_dtype(dtype)


def _draw(stateful, stateless, seed, shape, *args, **kwargs):
    """`stateful(shape, *args)` on the global stream for seed None, else `stateless(shape,
    seed tensor, *args)` (TensorFlow's argument order)."""
    tensor_seed = draw_seed(seed)
    if tensor_seed is None:
        return stateful(shape, *args, **kwargs)
    return stateless(shape, tensor_seed, *args, **kwargs)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Values drawn uniformly from `[minval, maxval)`.

    Example:
    >>> keras.random.uniform((2, 3), seed=1).shape
    TensorShape([2, 3])
    """
    return _draw(random_ops.uniform, random_ops.stateless_uniform, seed, shape, minval, maxval,
                 dtype=_dtype(dtype))


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Values drawn from a normal distribution.

    Example:
    >>> keras.random.normal((2,), seed=1).dtype
    tf.float32
    """
    return _draw(random_ops.normal, random_ops.stateless_normal, seed, shape, mean, stddev,
                 dtype=_dtype(dtype))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal values, redrawn when more than two standard deviations from the mean.

    Example:
    >>> bool(abs(keras.random.truncated_normal((100,), seed=1).numpy()).max() <= 2)
    True
    """
    return _draw(random_ops.truncated_normal, random_ops.stateless_truncated_normal, seed,
                 shape, mean, stddev, dtype=_dtype(dtype))


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers drawn uniformly from `[minval, maxval)`.

    Example:
    >>> int(keras.random.randint((), 0, 1, seed=3).numpy())
    0
    """
    return uniform(shape, minval, maxval, dtype=dtype, seed=seed)


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zeroes each element with probability `rate`, scaling the others by `1 / (1 - rate)`.

    Example:
    >>> y = keras.random.dropout(fluxion.ones((2, 4)), 0.5, seed=1)
    >>> sorted(set(y.numpy().ravel().tolist())) in ([0.0, 2.0], [2.0], [0.0])
    True
    """
    tensor_seed = draw_seed(seed)
    if tensor_seed is None:
        return nn.dropout(inputs, rate, noise_shape=noise_shape)
    return nn.experimental.stateless_dropout(inputs, rate, tensor_seed, noise_shape=noise_shape)


__all__ = ["SeedGenerator", "dropout", "normal", "randint", "truncated_normal", "uniform"]
