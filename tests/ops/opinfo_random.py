"""OpInfo entries for fluxion.random.

What a reference can check deterministically. Random values cannot be compared with an
independent sampler, but fluxion documents exactly which stream each draw comes from (see
`fluxion.ops.random_ops`): draw `k` of an op with seed pair `(a, b)` samples normals, categories
and permutations with `Generator(Philox(key=[a, b], counter=[0, 0, 0, k]))` (a stateless op with
`seed=[a, b]`: `counter=[0, 0, 1, 0]`), and makes uniforms and dropout masks from the raw words of
SFC64 in blocks of 2**18 words, block `j` started from the state (the three words of
`blake2b(pack("<5Q", a, b, 0 or 1, k, j), digest_size=24)`, counter 1), its first 12 outputs
discarded. The references below rebuild those streams with NumPy alone and redo the
sampling (inverse CDF, re-picking, permutation) from that description, so they check the seed
semantics (`set_seed(G)` then `seed=S` is the pair (G, S), first draw), the sampling algorithms, the
result shapes/dtypes, the `infer` rules and the affine `mean`/`stddev`/`minval`/`maxval` part with
its gradients (the wrapped ops reset the global seed on every call, so they are deterministic and
finite differences apply). They pin the streams: changing them breaks bit-reproducibility of
users' seeded runs and must be deliberate. Whether the values have the right distribution is
checked statistically in tests/ops/test_random.py.
"""
import hashlib
import inspect
import struct

import numpy as np

from fluxion import nn
from fluxion import random as fr

from .opinfo import ErrorCase, OpInfo, Sample, rand

GLOBAL_SEED = 1234


def _seeded(fn):
    """`fn` called right after `set_seed(GLOBAL_SEED)`: its first draw, hence deterministic."""
    def call(*args, **kwargs):
        fr.set_seed(GLOBAL_SEED)
        return fn(*args, **kwargs)
    call.__name__ = fn.__name__
    return call


# --- references: `core(streams, **arguments)`, arguments bound by the public op's signature ------
def reference(fn, core, stateless):
    """A reference for public op `fn`: binds the call's arguments by name, then runs `core`."""
    signature = inspect.signature(fn)

    def ref(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        arguments.pop("name", None)
        arguments.pop("alg", None)
        arguments.pop("rng_alg", None)
        seed = arguments.pop("seed")
        return core(_stream(seed, stateless), **arguments)
    return ref


class _Streams:
    """The documented streams of one draw: `generator` (Philox) and `words(count)` (SFC64
    blocks)."""

    BLOCK = 1 << 18

    def __init__(self, key, stateless):
        self.key, self.stateless = key, int(stateless)
        counter = np.array([0, 0, int(stateless), 0], np.uint64)
        self.generator = np.random.Generator(
            np.random.Philox(key=np.array(key, np.uint64), counter=counter))

    def words(self, count):
        return sfc64_words(self.key, self.stateless, 0, count)

    def bits32(self, count):
        return self.words(-(-count // 2)).view(np.uint32)[:count]


def sfc64_words(key, stream, draw, count):
    """The first `count` raw words of draw `draw` on stream `stream` (0 stateful, 1 stateless)
    with seed pair `key`, as the module docstring of fluxion.ops.random_ops describes them."""
    blocks = []
    for j in range(-(-count // _Streams.BLOCK)):
        digest = hashlib.blake2b(struct.pack("<5Q", *key, stream, draw, j), digest_size=24)
        state = [*struct.unpack("<3Q", digest.digest()), 1]
        bit_generator = np.random.SFC64()
        bit_generator.state = {"bit_generator": "SFC64",
                               "state": {"state": np.array(state, np.uint64)},
                               "has_uint32": 0, "uinteger": 0}
        size = min(_Streams.BLOCK, count - j * _Streams.BLOCK)
        blocks.append(bit_generator.random_raw(12 + size)[12:])
    return np.concatenate(blocks) if blocks else np.zeros(0, np.uint64)


def _stream(seed, stateless):
    """The documented streams: (global, op) seed pair, first draw; or the stateless seed."""
    pair = seed if stateless else (GLOBAL_SEED, seed)
    return _Streams([int(s) % 2 ** 64 for s in pair], stateless)


def _shape(shape):
    return tuple(int(d) for d in np.asarray(shape).reshape(-1))


def _affine(z, scale, shift, dt, default):
    if all(isinstance(v, (int, float)) for v in (scale, shift)) and (scale, shift) == default:
        return z
    return z * np.asarray(scale, dt) + np.asarray(shift, dt)


def uniform_core(streams, shape, minval, maxval, dtype):
    dt, shape = np.dtype(dtype), _shape(shape)
    if dt.kind in "iu":
        return streams.generator.integers(minval, maxval, shape, dtype=dt)
    count = int(np.prod(shape))
    if dt == np.float32:
        u = ((streams.bits32(count) >> 8) * 2.0 ** -24).astype(dt).reshape(shape)
    else:
        u = ((streams.words(count) >> np.uint64(11)) * 2.0 ** -53).reshape(shape)
    maxval = 1 if maxval is None else maxval
    if not isinstance(maxval, (int, float)) or not isinstance(minval, (int, float)):
        return u * (np.asarray(maxval, dt) - np.asarray(minval, dt)) + np.asarray(minval, dt)
    return _affine(u, maxval - minval, minval, dt, (1, 0))


def _standard_normal(gen, shape, dt, truncate):
    z = gen.standard_normal(shape, dtype=dt)
    while truncate and np.any(np.abs(z) > 2):
        bad = np.abs(z) > 2
        z[bad] = gen.standard_normal(int(bad.sum()), dtype=dt)
    return z


def normal_core(truncate):
    def core(streams, shape, mean, stddev, dtype):
        dt = np.dtype(dtype)
        z = _standard_normal(streams.generator, _shape(shape), dt, truncate)
        return _affine(z, stddev, mean, dt, (1, 0))
    return core


def categorical_core(streams, logits, num_samples, dtype):
    batch = logits.shape[0]
    u = streams.generator.random((batch, num_samples))
    out = np.zeros((batch, num_samples), np.dtype(getattr(dtype, "name", dtype) or "int64"))
    for i in range(batch):
        p = np.exp(logits[i].astype(np.float64) - logits[i].max())
        cdf = np.cumsum(p / p.sum())
        for j in range(num_samples):  # the first class whose cumulative mass exceeds u
            out[i, j] = min(int(np.sum(cdf / cdf[-1] <= u[i, j])), int(np.flatnonzero(p)[-1]))
    return out


def shuffle_core(streams, value):
    value = np.asarray(value)
    return value if value.ndim == 0 else value[streams.generator.permutation(value.shape[0])]


def dropout_core(streams, x, rate, noise_shape=None):
    """The documented mask: keep where the stream's 32-bit word >= round(rate * 2**32)."""
    x = np.asarray(x)
    shape = x.shape if noise_shape is None else tuple(noise_shape)
    count = int(np.prod(shape))
    bits = streams.bits32(count).reshape(shape)
    mask = (bits >= round(rate * 2 ** 32)) * x.dtype.type(1 / (1 - rate))
    return x * mask.astype(x.dtype)


# --- samples ------------------------------------------------------------------------------------
def _call(stateless, i, shape, *rest, **kw):
    """A Sample: seed `i` goes to position 1 (stateless ops) or to keyword `seed`."""
    if stateless:
        floats = tuple(2 + k for k, r in enumerate(rest) if isinstance(r, np.ndarray))
        return Sample((shape, (i, 2 ** 40 + i), *rest), kw, grad_args=floats)
    return Sample((shape, *rest), {**kw, "seed": 10 + i})


def uniform_samples(stateless):
    def samples(rng, dtype):
        kw = {"dtype": dtype}
        yield _call(stateless, 1, (2, 3), **kw)
        yield _call(stateless, 2, (), **kw)
        yield _call(stateless, 3, (0, 4), **kw)
        yield _call(stateless, 4, np.array([3, 2], np.int32), **kw)  # shape as a tensor
        yield _call(stateless, 5, (5,), -2.0, 3.0, **kw)
        yield _call(stateless, -6, (2, 3), rand(rng, (3,), dtype, -2, -1),
                    rand(rng, (2, 1), dtype, 1, 2), **kw)
    return samples


def uniform_int_samples(stateless):
    def samples(rng, dtype):
        yield _call(stateless, 1, (4, 5), minval=-3, maxval=7, dtype=dtype)
        yield _call(stateless, 2, (6,), minval=0, maxval=2 ** 30, dtype=dtype)
        yield _call(stateless, 3, (0,), minval=0, maxval=1, dtype=dtype)
    return samples


def normal_samples(stateless):
    def samples(rng, dtype):
        kw = {"dtype": dtype}
        yield _call(stateless, 1, (3, 4), **kw)
        yield _call(stateless, 2, (), **kw)
        yield _call(stateless, 3, (0,), **kw)
        yield _call(stateless, 4, (200,), **kw)  # some re-picks when truncated
        yield _call(stateless, 5, (2, 3), rand(rng, (3,), dtype),
                    rand(rng, (2, 1), dtype, 0.5, 2.0), **kw)
    return samples


def categorical_samples(stateless):
    def seed(i):
        return (i, 2 ** 40 + i) if stateless else 10 + i

    def samples(rng, dtype):
        yield Sample((rand(rng, (3, 4), dtype, -2, 2), 5), {"seed": seed(1)})
        yield Sample((np.array([[0.0, -np.inf, 1.0]], dtype), 50), {"seed": seed(2)})
        yield Sample((rand(rng, (2, 3), dtype), 4), {"dtype": "int32", "seed": seed(3)})
        yield Sample((rand(rng, (0, 3), dtype), 4), {"seed": seed(4)})
        yield Sample((rand(rng, (2, 3), dtype), 0), {"seed": seed(5)})
    return samples


def shuffle_samples(rng, dtype):
    yield Sample((rand(rng, (6, 2), dtype),), {"seed": 1})
    yield Sample((np.arange(10).astype(dtype),), {"seed": 2})
    yield Sample((rand(rng, (0, 3), dtype),), {"seed": 3})
    yield Sample((rand(rng, (), dtype),), {"seed": 4})


def dropout_samples(stateless):
    def seed(i):
        return {"seed": (i, 2 ** 40 + i) if stateless else 10 + i}

    def samples(rng, dtype):
        yield Sample((rand(rng, (3, 4), dtype), 0.5), seed(1))
        yield Sample((rand(rng, (2, 3, 4), dtype), 0.25), {"noise_shape": (2, 1, 4), **seed(2)})
        yield Sample((rand(rng, (40,), dtype), 0.9), seed(3))
        yield Sample((rand(rng, (0, 2), dtype), 0.5), seed(4))
    return samples


# --- errors -------------------------------------------------------------------------------------
def shape_errors(name, extra=()):
    seed = {"seed": [1, 2]} if name.startswith("stateless") else {}
    return lambda: [
        ErrorCase(((2, -1),), seed, ValueError, rf"{name}: shape must be .*non-negative"),
        ErrorCase(((2,),), {**seed, "dtype": "int8"}, ValueError,
                  rf"{name}: dtype must be one of"),
        *extra,
    ]


def uniform_errors(name):
    seed = {"seed": [1, 2]} if name.startswith("stateless") else {}
    return shape_errors(name, [
        ErrorCase(((2,),), {**seed, "dtype": "int32"}, ValueError, "maxval must be given"),
        ErrorCase(((2,),), {**seed, "minval": 3, "maxval": 3, "dtype": "int32"}, ValueError,
                  "need minval < maxval"),
        *([ErrorCase(((2,),), {"seed": [1, 2, 3]}, ValueError, r"seed must be two integers")]
          if seed else []),
    ])


def categorical_errors(name):
    seed = {"seed": [1, 2]} if name.startswith("stateless") else {}
    return lambda: [
        ErrorCase((np.zeros(3, np.float32), 2), seed, ValueError, r"must be 2-D.*\(3,\)"),
        ErrorCase((np.zeros((2, 3), np.int32), 2), seed, TypeError, "must be floating"),
        ErrorCase((np.zeros((2, 3), np.float32), -1), seed, ValueError, "num_samples"),
        ErrorCase((np.zeros((2, 3), np.float32), 2), {**seed, "dtype": "float32"}, ValueError,
                  "dtype must be one of"),
    ]


def dropout_errors(name):
    seed = {"seed": [1, 2]} if name.startswith("stateless") else {}
    return lambda: [
        ErrorCase((np.ones(3, np.float32), 1.0), seed, ValueError, rf"{name}: rate must be"),
        ErrorCase((np.ones((2, 3), np.float32), 0.5), {**seed, "noise_shape": (3, 3)},
                  ValueError, name),
        *([ErrorCase((np.ones(3, np.float32), 0.5), {"seed": [1.5, 2.0]}, ValueError,
                     r"seed must be two integers")] if seed else []),
    ]


# --- the table ----------------------------------------------------------------------------------
_F = ("float32", "float64")
_I = ("int32", "int64")


def _entries(stateless):
    """The entries of one family: the stateful ops, or the stateless ones."""
    prefix = "stateless_" if stateless else ""

    def entry(op, core, samples, **kw):
        public = getattr(fr, prefix + op)
        fn = public if stateless else _seeded(public)
        return OpInfo(f"random.{prefix}{op}", fn, reference(public, core, stateless),
                      samples(stateless), **kw)

    return [
        entry("uniform", uniform_core, uniform_samples, dtypes=_F, second_order=False,
              errors=uniform_errors(prefix + "uniform")),
        entry("uniform", uniform_core, uniform_int_samples, dtypes=_I, grad=False),
        entry("normal", normal_core(False), normal_samples, dtypes=_F, second_order=False,
              errors=shape_errors(prefix + "normal")),
        entry("truncated_normal", normal_core(True), normal_samples, dtypes=_F,
              second_order=False, errors=shape_errors(prefix + "truncated_normal")),
        entry("categorical", categorical_core, categorical_samples, dtypes=_F, grad=False,
              out_dtype=lambda dt: None, errors=categorical_errors(prefix + "categorical")),
    ]


OPS = [
    *_entries(stateless=False),
    *_entries(stateless=True),
    OpInfo("nn.dropout", _seeded(nn.dropout), reference(nn.dropout, dropout_core, False),
           dropout_samples(False), dtypes=_F, second_order=False, errors=dropout_errors("dropout")),
    OpInfo("nn.experimental.stateless_dropout", nn.experimental.stateless_dropout,
           reference(nn.experimental.stateless_dropout, dropout_core, True),
           dropout_samples(True), dtypes=_F, second_order=False,
           errors=dropout_errors("stateless_dropout")),
    OpInfo("random.shuffle", _seeded(fr.shuffle), reference(fr.shuffle, shuffle_core, False),
           shuffle_samples, dtypes=("float32", "float64", "int32"), grad=False),
]
