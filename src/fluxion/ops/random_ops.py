"""Random ops with TensorFlow's global-seed + op-seed semantics (`fluxion.random`).

Seeds. A random op derives its stream from a pair `(global seed, op seed)`, as TensorFlow does:

- neither seed set: fresh entropy, different values on every call and every run;
- global seed set (`set_seed`), no op seed: each call takes the next op seed from a sequence
  determined by the global seed, so a program re-run gives the same values;
- op seed set, no global seed: the pair `(DEFAULT_GLOBAL_SEED, op seed)`;
- both set: the pair `(global seed, op seed)`.

Repeated calls of one op with one seed pair give successive draws of its stream; `set_seed`
restarts every stream (and the op-seed sequence).

Streams. Draw number `k` (0, 1, ...) of op `name` with seed pair `(a, b)` uses
`np.random.Generator(np.random.Philox(key=[a mod 2**64, b mod 2**64], counter=[0, 0, 0, k]))`;
stateless ops (`stateless_uniform(shape, seed=[a, b])`) use `counter=[0, 0, 1, 0]`. The counter of
each `(name, a, b)` is kept here and advanced by the kernel itself, so a traced graph that holds
the op draws new numbers on every run, just as eager code does. A stateless op's seed is an input
tensor, so it may come from a variable inside a compiled function (as Keras's `SeedGenerator`).

Uniform values and dropout masks are made from raw 64-bit words of SFC64, fast. The words of a
draw come in blocks of 2**18, so that large draws are made in parallel, block by block, with
the words a single thread would produce. Block `j` of draw `k` on stream `s` (0 stateful, 1
stateless) with seed pair `(a, b)` is SFC64 seeded the way NumPy's SFC64 seeds itself from three
words (counter 1, first 12 outputs discarded), the words being the little-endian 64-bit words of
`hashlib.blake2b(struct.pack("<5Q", a mod 2**64, b mod 2**64, s, k, j), digest_size=24)`: any
two blocks, draws, streams or seeds, however close, start from unrelated states. Float32
uniforms are `(u32 >> 8) * 2**-24` of the 32-bit halves (low half first), float64 ones
`(u64 >> 11) * 2**-53`; a dropout mask keeps an element when its 32-bit value is at least
`round(rate * 2**32)`.

Each sampler is a primitive without a gradient; `mean`, `stddev`, `minval` and `maxval` are applied
with ordinary (differentiable) ops afterwards, as in TensorFlow.
"""
import functools
import hashlib
import random as _pyrandom
import struct
import threading

import numpy as np

from ..core import dtypes
from ..core.tensor import Tensor, convert_to_tensor
from ..kernels import compiled, parallel
from .math_ops import add, multiply, subtract
from .registry import OpDef, Spec, bind

__all__ = [
    "categorical", "normal", "set_seed", "shuffle", "stateless_categorical", "stateless_normal",
    "stateless_truncated_normal", "stateless_uniform", "truncated_normal", "uniform",
]

DEFAULT_GLOBAL_SEED = 87654321
_MAXINT32 = 2 ** 31 - 1
_MASK64 = (1 << 64) - 1
_MAXUINT32 = (1 << 32) - 1
_STATEFUL, _STATELESS = 0, 1
_WARM_UP = 12                   # SFC64 outputs discarded after setting a block's state
BLOCK_WORDS = 1 << 18           # raw words per block


class _SeedState:
    """The module's random state: the global seed, the op-seed sequence and the stream counters."""

    def __init__(self):
        self.global_seed = None
        self.op_seeds = None          # random.Random(global seed): op seeds for unseeded calls
        self.counters = {}            # (op name, a, b) -> draws made so far
        self._entropy = None

    @property
    def entropy(self):
        """The generator for calls with neither seed (made on first use: importing
        numpy.random costs ~15 ms of `import fluxion`)."""
        if self._entropy is None:
            self._entropy = np.random.default_rng()
        return self._entropy


_state = _SeedState()


def set_seed(seed):
    """Sets the global random seed.

    Random ops combine it with their own `seed` argument (see the module docstring for the four
    cases). Calling `set_seed` again restarts every op's sequence. It does not seed Python's
    `random` or NumPy's global generator (`keras.utils.set_random_seed` does all three).

    Args:
        seed: an integer, or None to go back to unseeded (random) behaviour.

    Example:
    >>> fluxion.random.set_seed(1234)
    >>> a = fluxion.random.uniform([2])
    >>> fluxion.random.set_seed(1234)
    >>> bool(fluxion.reduce_all(a == fluxion.random.uniform([2])))
    True
    """
    if seed is not None:
        seed = _int_seed("set_seed", seed)
    _state.global_seed = seed
    _state.op_seeds = None if seed is None else _pyrandom.Random(seed)
    _state.counters.clear()


def get_seed(op_seed):
    """Returns the seed pair `(global seed, op seed)` an op with seed `op_seed` uses, or None.

    None means that neither seed is set: the op draws from fresh entropy.

    Example:
    >>> fluxion.random.set_seed(None)
    >>> fluxion.ops.random_ops.get_seed(7)
    (87654321, 7)
    """
    g = _state.global_seed
    if op_seed is not None:
        op_seed = _int_seed("seed", op_seed)
        return (DEFAULT_GLOBAL_SEED if g is None else g, op_seed)
    if g is None:
        return None
    return (g, _state.op_seeds.randint(0, _MAXINT32))


def _int_seed(what, seed):
    try:
        return int(np.asarray(seed).item()) if isinstance(seed, (Tensor, np.ndarray)) \
            else int(seed)
    except (TypeError, ValueError):
        raise TypeError(f"{what}: a seed must be an integer, received {seed!r}.") from None


class _Stream:
    """One draw's stream: seed pair, stream (stateful or stateless) and draw number."""

    __slots__ = ("key", "stream", "index")

    def __init__(self, seed, stream, index):
        self.key = (seed[0] & _MASK64, seed[1] & _MASK64)
        self.stream, self.index = stream, index

    def generator(self):
        """A NumPy Generator on Philox at counter `[0, 0, stream, index]` (the samplers that
        need more than raw words: normal, categorical, permutations)."""
        key = np.array(self.key, np.uint64)
        counter = np.array([0, 0, self.stream, self.index], np.uint64)
        return np.random.Generator(np.random.Philox(key=key, counter=counter))

    def words_key(self):
        """What identifies the stream's raw words: `(a, b, s, k)` of the module docstring."""
        return self.key + (self.stream, self.index)


_SEED_WORDS = struct.Struct("<5Q")      # (a, b, s, k, j) of the module docstring
_COUNTER = (1).to_bytes(8, "little")    # SFC64's fourth state word, its counter
_local = threading.local()              # one SFC64 per thread: blocks are made in parallel


def _block_state(words_key, block):
    """The SFC64 state (four words) that starts block `block` of the stream whose
    `words_key()` is `words_key`."""
    digest = hashlib.blake2b(_SEED_WORDS.pack(*words_key, block), digest_size=24).digest()
    return np.frombuffer(digest + _COUNTER, "<u8")


def _block_words(words_key, block, count):
    """The first `count` (at most `BLOCK_WORDS`) raw words of block `block` of the stream
    whose `words_key()` is `words_key`, after `_WARM_UP` words to skip."""
    try:
        bit_generator = _local.sfc64
    except AttributeError:
        bit_generator = _local.sfc64 = np.random.SFC64(0)
    bit_generator.state = {"bit_generator": "SFC64",
                           "state": {"state": _block_state(words_key, block)},
                           "has_uint32": 0, "uinteger": 0}
    return bit_generator.random_raw(count + _WARM_UP)


def _stateful_stream(op_name, seed):
    """The stream of the next draw of op `op_name` with seed pair `seed`; advances it."""
    if seed is None:
        return _Stream(tuple(int(k) for k in _state.entropy.integers(0, _MASK64, 2,
                                                                     dtype=np.uint64)),
                       _STATEFUL, 0)
    key = (op_name,) + seed
    index = _state.counters.get(key, 0)
    _state.counters[key] = index + 1
    return _Stream(seed, _STATEFUL, index)


# --- samplers: NumPy only, `draw(stream, *arrays, **attrs)` -------------------------------------
def _fill_from_words(stream, shape, dtype, per_word, convert, args, out):
    """An array of `shape` (or `out`) whose flat elements are `convert(values, piece, *args)`
    of the stream's consecutive 64-bit (`per_word` 1) or 32-bit (2) values, made block by
    block, blocks in parallel."""
    out = np.empty(shape, dtype) if out is None else out
    flat = out.reshape(-1)
    size, block_size = flat.size, BLOCK_WORDS * per_word  # elements
    if size <= block_size:  # one block: no pieces, no threads
        _fill_blocks(stream.words_key(), flat, per_word, convert, args, 0, size)
    else:
        parallel.for_pieces(functools.partial(_fill_blocks, stream.words_key(), flat, per_word,
                                              convert, args), size, align=block_size)
    return out


def _fill_blocks(words_key, flat, per_word, convert, args, start, stop):
    """Elements `[start, stop)` of `_fill_from_words` (`start` a multiple of the block size)."""
    block_size = BLOCK_WORDS * per_word
    name = _COMPILED.get(convert)
    fused = compiled.kernel(name, flat.dtype) if name else None
    for low in range(start, stop, block_size):
        high = min(low + block_size, stop)
        if fused is not None:  # the words and the conversion in one compiled loop
            fused(_block_state(words_key, low // block_size), _WARM_UP, *args, flat[low:high])
            continue
        words = _block_words(words_key, low // block_size, -(-(high - low) // per_word))
        skip = _WARM_UP * per_word
        convert((words.view(np.uint32) if per_word == 2 else words)[skip:skip + high - low],
                flat[low:high], *args)


def _to_unit_float(bits, out):
    if bits.dtype == np.uint32:
        np.multiply(bits >> np.uint32(8), np.float32(2 ** -24), out=out, dtype=np.float32)
    else:
        np.multiply(bits >> np.uint64(11), 2.0 ** -53, out=out)


def _to_keep_mask(bits, out, threshold, scale):
    np.multiply(bits >= threshold, scale, out=out)


_COMPILED = {_to_keep_mask: "keep_mask"}  # converters with a compiled kernel (kernels.compiled)


def _draw_uniform(stream, shape, dtype, out=None):
    if dtype == np.float16:  # k / 2**11 is exact in float16, so 1.0 can never appear
        gen = stream.generator()
        return (gen.integers(0, 2048, shape, dtype=np.int32) * np.float32(2 ** -11)).astype(dtype)
    return _fill_from_words(stream, shape, dtype, 1 if np.dtype(dtype).itemsize == 8 else 2,
                            _to_unit_float, (), out)


def _draw_keep_mask(stream, shape, dtype, rate, out=None):
    """0 where dropped (probability `rate`), `1 / (1 - rate)` where kept."""
    return _fill_from_words(stream, shape, dtype, 2, _to_keep_mask, _mask_constants(rate, dtype),
                            out)


@functools.lru_cache(maxsize=64)
def _mask_constants(rate, dtype):
    """The 32-bit threshold below which an element is dropped, and the scale of kept ones."""
    return (np.uint32(min(round(rate * 2 ** 32), _MAXUINT32)),
            np.dtype(dtype).type(1.0 / (1.0 - rate)))


def _draw_uniform_int(stream, minval, maxval, shape, dtype):
    return stream.generator().integers(minval, maxval, shape, dtype=dtype)


def _draw_normal(stream, shape, dtype):
    gen = stream.generator()
    work = np.float32 if dtype == np.float16 else dtype
    return gen.standard_normal(shape, dtype=work).astype(dtype, copy=False)


def _draw_truncated_normal(stream, shape, dtype):
    gen = stream.generator()
    work = np.float32 if dtype == np.float16 else dtype
    z = gen.standard_normal(shape, dtype=work)
    bad = np.abs(z) > 2
    while bad.any():  # re-pick values more than 2 standard deviations out
        z[bad] = gen.standard_normal(int(bad.sum()), dtype=work)
        bad = np.abs(z) > 2
    return z.astype(dtype, copy=False)


def _draw_categorical(stream, logits, num_samples, dtype):
    gen = stream.generator()
    logits = logits.astype(np.float64)
    batch, classes = logits.shape
    out = np.empty((batch, num_samples), dtype=dtype)
    if out.size == 0:
        return out
    u = gen.random((batch, num_samples))
    for i in range(batch):  # inverse CDF of softmax(logits[i])
        p = np.exp(logits[i] - np.max(logits[i]))
        cdf = np.cumsum(p)
        index = np.searchsorted(cdf / cdf[-1], u[i], side="right")
        out[i] = np.minimum(index, np.flatnonzero(p)[-1])
    return out


def _draw_shuffle(stream, x):
    if x.ndim == 0:
        return x.copy()
    return x[stream.generator().permutation(x.shape[0])]


# --- shape/dtype rules (infer) ------------------------------------------------------------------
# `seed` is an attribute of stateful primitives and the first input of stateless ones. Each
# factory takes the public op's name, which the rule's error messages show.
def _shape_rule(op_name):
    def infer(shape, dtype, seed=None, rate=None):
        return Spec(tuple(shape), np.dtype(dtype))
    return infer


def _uniform_int_rule(op_name):
    def infer(minval, maxval, shape, dtype, seed=None):
        if len(minval.shape) or len(maxval.shape):
            raise ValueError(f"{op_name}: for integer dtypes minval and maxval must be scalars, "
                             f"received shapes {tuple(minval.shape)} and {tuple(maxval.shape)}.")
        return Spec(tuple(shape), np.dtype(dtype))
    return infer


def _categorical_rule(op_name):
    def infer(logits, num_samples, dtype, seed=None):
        if len(logits.shape) != 2:
            raise ValueError(f"{op_name}: logits must be 2-D (batch_size, num_classes), "
                             f"received shape {tuple(logits.shape)}.")
        if np.dtype(logits.dtype).kind != "f":
            raise TypeError(f"{op_name}: logits must be floating, received dtype "
                            f"{np.dtype(logits.dtype).name}. Cast them with fluxion.cast.")
        if logits.shape[1] == 0:
            raise ValueError(f"{op_name}: logits must have at least one class, received shape "
                             f"{tuple(logits.shape)}.")
        return Spec((logits.shape[0], num_samples), np.dtype(dtype))
    return infer


def _shuffle_rule(op_name):
    def infer(x, seed=None):
        return Spec(tuple(x.shape), x.dtype)
    return infer


def _seed_input_rule(op_name, infer):
    """`infer` for a stateless primitive, whose first input is the seed tensor."""
    def infer_stateless(seed, *specs, **attrs):
        if len(seed.shape) != 1 or seed.shape[0] not in (2, None) or \
                np.dtype(seed.dtype).kind not in "iu":
            raise ValueError(f"{op_name}: seed must be two integers (shape [2]), received shape "
                             f"{tuple(seed.shape)} and dtype {np.dtype(seed.dtype).name}.")
        return infer(*specs, **attrs)
    return infer_stateless


def _random_ops(name, draw, rule, public=None, stateless=True, writes_out=False):
    """Registers primitives `random_<name>` and `stateless_random_<name>`; returns both OpDefs.

    `rule(op_name)` builds the shape/dtype rule whose errors name public op `op_name` (by
    default `name`; the stateless one is `stateless_<public>`). `writes_out`: `draw` takes an
    `out=` array to fill, so a compiled graph can reuse the result's buffer.
    """
    op_name, public = f"random_{name}", public or name

    def stateful_kernel(*arrays, seed, **attrs):
        return draw(_stateful_stream(op_name, seed), *arrays, **attrs)

    def stateless_kernel(seed, *arrays, **attrs):
        return draw(_Stream(seed.tolist(), _STATELESS, 0), *arrays, **attrs)

    return (OpDef(op_name, stateful_kernel, rule(public), stateful=True,
                  out_kernel=stateful_kernel if writes_out else None),
            OpDef(f"stateless_{op_name}", stateless_kernel,
                  _seed_input_rule(f"stateless_{public}", rule(f"stateless_{public}")),
                  out_kernel=stateless_kernel if writes_out else None)
            if stateless else None)


_UNIFORM = _random_ops("uniform", _draw_uniform, _shape_rule, writes_out=True)
_KEEP_MASK = _random_ops("keep_mask", _draw_keep_mask, _shape_rule, "dropout", writes_out=True)
_UNIFORM_INT = _random_ops("uniform_int", _draw_uniform_int, _uniform_int_rule, "uniform")
_NORMAL = _random_ops("normal", _draw_normal, _shape_rule)
_TRUNCATED = _random_ops("truncated_normal", _draw_truncated_normal, _shape_rule)
_CATEGORICAL = _random_ops("categorical", _draw_categorical, _categorical_rule)
_SHUFFLE = _random_ops("shuffle", _draw_shuffle, _shuffle_rule, stateless=False)


# --- argument checks ---------------------------------------------------------------------------
_FLOATS = ("float16", "float32", "float64")
_INTS = ("int32", "int64")


def _dtype_arg(op_name, dtype, allowed):
    dt = dtypes.as_dtype(dtype)
    if dt.name not in allowed:
        raise ValueError(f"{op_name}: dtype must be one of {', '.join(allowed)}, received "
                         f"{dt.name}.")
    return dt


def _shape_arg(op_name, shape):
    if isinstance(shape, (Tensor, np.ndarray)):
        shape = np.asarray(shape).tolist()
    if isinstance(shape, (int, np.integer)):
        shape = [shape]
    try:
        dims = tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        raise TypeError(f"{op_name}: shape must be a list of non-negative ints, received "
                        f"{shape!r}.") from None
    if any(d < 0 for d in dims):
        raise ValueError(f"{op_name}: shape must be a list of non-negative ints, received "
                         f"{list(dims)}.")
    return dims


def _stateless_seed(op_name, seed):
    """`seed` as a shape-[2] integer tensor (a list, an array, or a tensor, possibly symbolic)."""
    if not isinstance(seed, Tensor):
        values = np.asarray(seed)
        if values.dtype.kind not in "iu":
            raise ValueError(f"{op_name}: seed must be two integers (shape [2]), received "
                             f"{seed!r}.")
        seed = convert_to_tensor(values.astype(np.int64, copy=False))
    shape, dtype = tuple(seed.shape), seed.dtype
    if len(shape) != 1 or shape[0] not in (2, None) or not dtype.is_integer:
        raise ValueError(f"{op_name}: seed must be two integers (shape [2]), received shape "
                         f"{list(shape)} and dtype {dtype.name}.")
    return seed


def _bind_random(op_name, ops, seed, stateless, *tensors, **attrs):
    """Runs the stateful (`ops[0]`, seed pair as attribute) or stateless (`ops[1]`, seed tensor
    as first input) primitive."""
    if stateless:
        return bind(ops[1], _stateless_seed(op_name, seed), *tensors, **attrs)
    return bind(ops[0], *tensors, seed=get_seed(seed), **attrs)


# --- public ops ---------------------------------------------------------------------------------
def _uniform(op_name, shape, minval, maxval, dtype, seed, stateless):
    dt = _dtype_arg(op_name, dtype, _FLOATS + _INTS)
    shape = _shape_arg(op_name, shape)
    if dt.is_integer:
        if maxval is None:
            raise ValueError(f"{op_name}: maxval must be given for integer dtype {dt.name} "
                             "(values are drawn from [minval, maxval)).")
        lo, hi = convert_to_tensor(minval, dtype=dt), convert_to_tensor(maxval, dtype=dt)
        if lo._value.ndim or hi._value.ndim:
            raise ValueError(f"{op_name}: for integer dtypes minval and maxval must be scalars, "
                             f"received shapes {lo._value.shape} and {hi._value.shape}.")
        if not lo._value < hi._value and np.prod(shape) > 0:
            raise ValueError(f"{op_name}: need minval < maxval for integer dtypes, received "
                             f"minval={lo._value.item()}, maxval={hi._value.item()}.")
        return _bind_random(op_name, _UNIFORM_INT, seed, stateless, lo, hi, shape=shape,
                            dtype=dt._np)
    u = _bind_random(op_name, _UNIFORM, seed, stateless, shape=shape, dtype=dt._np)
    if _is_number(minval, 0) and (maxval is None or _is_number(maxval, 1)):
        return u
    lo = convert_to_tensor(minval, dtype=dt)
    hi = convert_to_tensor(1 if maxval is None else maxval, dtype=dt)
    return add(multiply(u, subtract(hi, lo)), lo)


def _is_number(value, number):
    return type(value) in (int, float) and value == number


def _scaled(op_name, ops, shape, mean, stddev, dtype, seed, stateless):
    dt = _dtype_arg(op_name, dtype, _FLOATS)
    shape = _shape_arg(op_name, shape)
    z = _bind_random(op_name, ops, seed, stateless, shape=shape, dtype=dt._np)
    if _is_number(mean, 0) and _is_number(stddev, 1):
        return z
    return add(multiply(z, convert_to_tensor(stddev, dtype=dt)), convert_to_tensor(mean, dtype=dt))


def keep_mask(op_name, shape, rate, dtype, seed, stateless):
    """The mask of `dropout`: `1 / (1 - rate)` with probability `1 - rate`, else 0.

    Example:
    >>> m = keep_mask("dropout", (2, 3), 0.5, fluxion.float32, seed=1, stateless=False)
    >>> sorted(set(m.numpy().ravel().tolist())) in ([0.0, 2.0], [0.0], [2.0])
    True
    """
    dt = _dtype_arg(op_name, dtype, _FLOATS)
    return _bind_random(op_name, _KEEP_MASK, seed, stateless, shape=tuple(shape), dtype=dt._np,
                        rate=float(rate))


def uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None):
    """Outputs random values from a uniform distribution over `[minval, maxval)`.

    Args:
        shape: the output shape (a list of ints, or a 1-D integer tensor).
        minval: lower bound (inclusive), a scalar or a tensor broadcastable to `shape`.
        maxval: upper bound (exclusive); 1 by default for floats, required for integer dtypes.
        dtype: float16, float32, float64, int32 or int64.
        seed: the op seed, combined with the global seed (see `fluxion.random.set_seed`).
        name: unused; accepted for TensorFlow compatibility.

    Raises:
        ValueError: for an integer dtype without `maxval`, or with `minval >= maxval`.

    Example:
    >>> fluxion.random.uniform([2, 3], seed=1).shape
    TensorShape([2, 3])
    """
    return _uniform("uniform", shape, minval, maxval, dtype, seed, False)


def normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Outputs random values from a normal distribution.

    Args:
        shape: the output shape (a list of ints, or a 1-D integer tensor).
        mean: the mean, a scalar or a tensor broadcastable to `shape`.
        stddev: the standard deviation, a scalar or a broadcastable tensor.
        dtype: float16, float32 or float64.
        seed: the op seed, combined with the global seed (see `fluxion.random.set_seed`).
        name: unused; accepted for TensorFlow compatibility.

    Example:
    >>> fluxion.random.normal([2], mean=5.0, seed=1).dtype
    tf.float32
    """
    return _scaled("normal", _NORMAL, shape, mean, stddev, dtype, seed, False)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Outputs normal random values, re-picking any more than 2 standard deviations from `mean`.

    Args are those of `normal`.

    Example:
    >>> x = fluxion.random.truncated_normal([1000], seed=1)
    >>> bool(fluxion.reduce_max(fluxion.abs(x)) <= 2.0)
    True
    """
    return _scaled("truncated_normal", _TRUNCATED, shape, mean, stddev, dtype, seed, False)


def _categorical(op_name, logits, num_samples, dtype, seed, stateless):
    logits = convert_to_tensor(logits, dtype_hint=dtypes.float32)
    dt = _dtype_arg(op_name, dtypes.int64 if dtype is None else dtype, _INTS)
    num_samples = _int_seed(f"{op_name}: num_samples", num_samples)
    if num_samples < 0:
        raise ValueError(f"{op_name}: num_samples must be >= 0, received {num_samples}.")
    value = logits._value  # validated here: NumPy would fail less clearly in the kernel
    _categorical_rule(op_name)(Spec(value.shape, value.dtype), num_samples=num_samples,
                               dtype=dt._np)
    return _bind_random(op_name, _CATEGORICAL, seed, stateless, logits, num_samples=num_samples,
                        dtype=dt._np)


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """Draws samples from categorical distributions given by unnormalized log-probabilities.

    Args:
        logits: a 2-D tensor `(batch_size, num_classes)`; row `i` gives the log-probabilities
            (up to a constant) of the classes of distribution `i`.
        num_samples: how many samples to draw from each row.
        dtype: int32 or int64 (the default).
        seed: the op seed, combined with the global seed (see `fluxion.random.set_seed`).
        name: unused; accepted for TensorFlow compatibility.

    Returns:
        An integer tensor of shape `(batch_size, num_samples)` of class indices.

    Example:
    >>> fluxion.random.categorical([[0.0, -1e9]], 3, seed=1)
    <tf.Tensor: shape=(1, 3), dtype=int64, numpy=array([[0, 0, 0]])>
    """
    return _categorical("categorical", logits, num_samples, dtype, seed, False)


def shuffle(value, seed=None, name=None):
    """Randomly shuffles a tensor along its first dimension.

    Args:
        value: the tensor to shuffle.
        seed: the op seed, combined with the global seed (see `fluxion.random.set_seed`).
        name: unused; accepted for TensorFlow compatibility.

    Example:
    >>> sorted(fluxion.random.shuffle([1, 2, 3], seed=1).numpy().tolist())
    [1, 2, 3]
    """
    return bind(_SHUFFLE[0], convert_to_tensor(value), seed=get_seed(seed))


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=dtypes.float32, name=None,
                      alg="auto_select"):
    """Like `uniform`, but the values are a function of `seed` (two integers) alone.

    The same `seed` gives the same values on every call; the global seed plays no part.

    Example:
    >>> a = fluxion.random.stateless_uniform([3], seed=[1, 2])
    >>> bool(fluxion.reduce_all(a == fluxion.random.stateless_uniform([3], seed=[1, 2])))
    True
    """
    return _uniform("stateless_uniform", shape, minval, maxval, dtype, seed, True)


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None,
                     alg="auto_select"):
    """Like `normal`, but the values are a function of `seed` (two integers) alone.

    Example:
    >>> fluxion.random.stateless_normal([2], seed=[1, 2]).shape
    TensorShape([2])
    """
    return _scaled("stateless_normal", _NORMAL, shape, mean, stddev, dtype, seed, True)


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32,
                               name=None, alg="auto_select"):
    """Like `truncated_normal`, but the values are a function of `seed` (two integers) alone.

    Example:
    >>> fluxion.random.stateless_truncated_normal([2], seed=[1, 2]).shape
    TensorShape([2])
    """
    return _scaled("stateless_truncated_normal", _TRUNCATED, shape, mean, stddev, dtype, seed,
                   True)


def stateless_categorical(logits, num_samples, seed, dtype=dtypes.int64, name=None):
    """Like `categorical`, but the samples are a function of `seed` (two integers) alone.

    Example:
    >>> fluxion.random.stateless_categorical([[0.0, 0.0]], 4, seed=[1, 2]).shape
    TensorShape([1, 4])
    """
    return _categorical("stateless_categorical", logits, num_samples, dtype, seed, True)
