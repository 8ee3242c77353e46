"""OpInfo entries for linear algebra (fluxion.linalg, fluxion.tensordot/einsum/norm)."""
import numpy as np

import fluxion as fx
from fluxion import linalg as L

from .opinfo import ErrorCase, OpInfo, Sample, away_from, distinct, rand

_TOL = {"float32": 1e-4}


def _f32(*shape):
    return np.ones(shape, np.float32)


def _well_conditioned(rng, shape, dtype):
    """Random matrices plus n * I: far from singular."""
    n = shape[-1]
    return (rand(rng, shape, dtype) + n * np.eye(n)).astype(dtype)


# --- tensordot / einsum --------------------------------------------------------------------------
def tensordot_samples(rng, dtype):
    for sa, sb, axes in [((2, 3), (3, 4), 1), ((2, 3, 4), (3, 4, 2), 2), ((2, 3), (4,), 0),
                         ((3, 2, 4), (4, 3), [[0, 2], [1, 0]]), ((2, 3), (2, 3), [[-1], [1]]),
                         ((2, 3), (3, 2), [[0, 1], [1, 0]])]:
        yield Sample((rand(rng, sa, dtype), rand(rng, sb, dtype), axes))


def tensordot_errors():
    return [ErrorCase((_f32(2, 3), _f32(4, 2), 1), {}, ValueError,
                      r"tensordot: axis 1 of a \(shape \(2, 3\)\) has size 3 but axis 0 of b"),
            ErrorCase((_f32(2, 3), _f32(3, 2), [[0], [0, 1]]), {}, ValueError, "same length"),
            ErrorCase((_f32(2, 3), _f32(3, 2), 3), {}, ValueError, "between 0 and")]


EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (3, 2)]), ("ii->i", [(3, 3)]), ("ii", [(3, 3)]),
    ("ij->", [(2, 3)]), ("ij->ji", [(2, 3)]), ("i,j->ij", [(2,), (3,)]),
    ("bij,bkj->bik", [(2, 2, 3), (2, 4, 3)]), ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
    ("iij->ij", [(2, 2, 3)]), ("ij,j", [(2, 3), (3,)]), ("ijk->ikj", [(2, 3, 2)]),
    ("i,i->", [(4,), (4,)]), ("ij->j", [(3, 2)]),
]


def einsum_samples(rng, dtype):
    for eq, shapes in EINSUM_CASES:
        yield Sample((eq,) + tuple(rand(rng, s, dtype) for s in shapes))


def einsum_errors():
    return [ErrorCase(("ij,jk->ik", _f32(2, 3)), {}, ValueError, "names 2 operand"),
            ErrorCase(("ij,jk->ik", _f32(2, 3), _f32(4, 2)), {}, ValueError,
                      "index 'j' has size 3 in operand 0 but size 4 in operand 1"),
            ErrorCase(("ijk->i", _f32(2, 3)), {}, ValueError, "operand 0 has shape"),
            ErrorCase(("ij->ix", _f32(2, 3)), {}, ValueError, "output subscript 'x'"),
            ErrorCase(("i1->i", _f32(2, 3)), {}, ValueError, "invalid subscript")]


# --- matrices ------------------------------------------------------------------------------------
def square_samples(rng, dtype):
    for shape in [(3, 3), (2, 3, 3), (1, 1), (2, 1, 2, 2)]:
        yield Sample((_well_conditioned(rng, shape, dtype),))


def signed_square_samples(rng, dtype):
    yield from square_samples(rng, dtype)
    flip = np.diag([1.0, -1.0, 1.0]).astype(dtype)
    yield Sample((flip @ _well_conditioned(rng, (3, 3), dtype),))  # a negative determinant


def _square_errors(name):
    fn = getattr(L, name)
    return lambda: [ErrorCase((_f32(2, 3),), {}, ValueError,
                              rf"{name}: expected a square matrix .* received shape \(2, 3\)"),
                    ErrorCase((_f32(3),), {}, ValueError, f"{name}: expected a square"),
                    ErrorCase((np.ones((2, 2), np.int32),), {}, TypeError, "int32")] \
        if fn is not None else ()


def solve_samples(rng, dtype):
    for sa, sb, adjoint in [((3, 3), (3, 2), False), ((3, 3), (3, 1), True),
                            ((2, 3, 3), (2, 3, 2), False), ((2, 2, 2), (1, 2, 3), True)]:
        yield Sample((_well_conditioned(rng, sa, dtype), rand(rng, sb, dtype)),
                     {"adjoint": adjoint})


def solve_ref(a, b, adjoint=False):
    return np.linalg.solve(np.swapaxes(a, -1, -2) if adjoint else a, b)


def solve_errors():
    return [ErrorCase((_f32(2, 3), _f32(2, 1)), {}, ValueError, "solve: expected a square"),
            ErrorCase((_f32(3, 3), _f32(2, 1)), {}, ValueError,
                      r"solve: rhs must have shape \(\.\.\., 3, k\)")]


def _spd(a):
    """A symmetric positive-definite function of `a`, in fluxion and in NumPy."""
    n = a.shape[-1]
    if isinstance(a, np.ndarray):
        return a @ np.swapaxes(a, -1, -2) + n * np.eye(n, dtype=a.dtype)
    return fx.matmul(a, a, transpose_b=True) + n * np.eye(n, dtype=a.dtype.as_numpy_dtype)


def spd_samples(rng, dtype):
    for shape in [(3, 3), (2, 2, 2), (1, 1)]:
        yield Sample((rand(rng, shape, dtype),))


def diag_samples(rng, dtype):
    for shape in [(3,), (2, 3)]:
        yield Sample((rand(rng, shape, dtype),))
    yield Sample((rand(rng, (2,), dtype),), {"num_rows": 2, "num_cols": 4})
    yield Sample((rand(rng, (2,), dtype),), {"num_rows": 3, "num_cols": 2})
    # Off the main diagonal (TF: diag([1, 2, 3], k=1) is 4 x 4, k=1 with num_rows=5 is 5 x 4).
    yield Sample((rand(rng, (3,), dtype),), {"k": 1})
    yield Sample((rand(rng, (2, 3), dtype),), {"k": -2})
    yield Sample((rand(rng, (3,), dtype),), {"k": 1, "num_rows": 5})
    yield Sample((rand(rng, (3,), dtype),), {"k": -1, "num_cols": 5})
    yield Sample((rand(rng, (2,), dtype),), {"k": 1, "padding_value": 9})


def diag_ref(d, k=0, num_rows=-1, num_cols=-1, padding_value=0):
    n = d.shape[-1]
    min_rows, min_cols = n + max(-k, 0), n + max(k, 0)
    if num_rows == -1 and num_cols == -1:
        num_rows = num_cols = max(min_rows, min_cols)
    rows = min_rows if num_rows == -1 else num_rows
    cols = min_cols if num_cols == -1 else num_cols
    out = np.full(d.shape[:-1] + (rows, cols), padding_value, d.dtype)
    for i in range(n):
        out[..., i + max(-k, 0), i + max(k, 0)] = d[..., i]
    return out


def diag_part_samples(rng, dtype):
    yield from matrix_samples(rng, dtype)
    for k in (1, 3, -2):  # TF on a 3 x 4 matrix: k=1 gives 3 values, k=3 one, k=-2 one
        yield Sample((rand(rng, (3, 4), dtype),), {"k": k})
    yield Sample((rand(rng, (2, 2, 3), dtype),), {"k": -1})


def matrix_samples(rng, dtype):
    for shape in [(3, 3), (2, 3, 4), (4, 2), (2, 1, 3, 3)]:
        yield Sample((rand(rng, shape, dtype),))


# --- norm ----------------------------------------------------------------------------------------
def norm_samples(rng, dtype):
    x = away_from(rng, (3, 4), dtype, (0.0,), 0.1)
    for kw in [{}, {"axis": 1}, {"axis": 0, "keepdims": True}, {"ord": 1},
               {"ord": 2, "axis": -1}, {"ord": 3, "axis": 0}, {"ord": 1.5}, {"axis": [0, 1]},
               {"ord": "fro", "axis": (0, 1)}, {"keepdims": True}]:
        yield Sample((x,), kw)
    for kw in [{"ord": np.inf, "axis": 1}, {"ord": 1, "axis": (0, 1)},
               {"ord": np.inf, "axis": (1, 0), "keepdims": True}, {"ord": np.inf, "axis": (1, 2)}]:
        yield Sample((distinct(rng, (2, 3, 4), dtype, 0.2, 2.0) * rng.choice([-1, 1], (2, 3, 4)),),
                     kw)
    yield Sample((away_from(rng, (5,), dtype, (0.0,), 0.1),), {})


def norm_ref(x, ord="euclidean", axis=None, keepdims=False):
    a = np.abs(x)
    if isinstance(axis, (list, tuple)):
        r, c = (i % x.ndim for i in axis)
        if ord in ("euclidean", "fro"):
            out = np.sqrt((a ** 2).sum(axis=(r, c), keepdims=True))
        elif ord == 1:
            out = a.sum(axis=r, keepdims=True).max(axis=c, keepdims=True)
        else:
            out = a.sum(axis=c, keepdims=True).max(axis=r, keepdims=True)
        return out if keepdims else out.squeeze((r, c))
    if ord in ("euclidean", 2):
        out = np.sqrt((a ** 2).sum(axis=axis, keepdims=keepdims))
    elif ord == np.inf:
        out = a.max(axis=axis, keepdims=keepdims)
    else:
        out = (a ** ord).sum(axis=axis, keepdims=keepdims) ** (1.0 / ord)
    if keepdims and axis is None:
        out = out.reshape((1,) * x.ndim)
    return out


def norm_errors():
    x = _f32(2, 3)
    return [ErrorCase((x,), {"ord": "fro"}, ValueError, "norm: ord='fro' is not a supported "
                                                         "vector norm"),
            ErrorCase((x,), {"ord": -1}, ValueError, "not a supported vector norm"),
            ErrorCase((x,), {"ord": -2, "axis": (0, 1)}, ValueError,  # as TensorFlow
                      r"not supported for matrix norms \(supported: 'euclidean', 'fro', 1, 2"),
            ErrorCase((x,), {"axis": 2}, ValueError, "norm: axis 2 is out of range"),
            ErrorCase((x,), {"axis": (0, 1, 1)}, ValueError, "norm: axis must be")]


def spectral_samples(rng, dtype):
    # Matrices with well separated singular values (the largest is then differentiable).
    base = np.array([[3.0, 1.0, 0.5], [0.2, 2.0, -0.4]])
    yield Sample(((base + rand(rng, (2, 3), np.float64, -0.1, 0.1)).astype(dtype),),
                 {"ord": 2, "axis": [0, 1]})  # TF: ord=2 is the largest singular value
    batch = np.stack([base, -base[:, ::-1] * 0.5, [[1.0, 0.3, 0.0], [0.0, 4.0, 0.2]]])
    yield Sample((batch.astype(dtype),), {"ord": 2, "axis": [-2, -1], "keepdims": True})
    yield Sample((np.ascontiguousarray(np.transpose(batch, (1, 0, 2))).astype(dtype),),
                 {"ord": 2, "axis": (0, 2)})


def spectral_ref(x, ord=2, axis=None, keepdims=False):
    return np.linalg.norm(x, ord, axis=tuple(axis), keepdims=keepdims)


def spectral_grad(x):
    with fx.GradientTape() as tape:
        tape.watch(x)
        y = fx.reduce_sum(fx.linalg.norm(x, ord=2, axis=[-2, -1]))
    return tape.gradient(y, x)


def spectral_grad_ref(x):
    u, _, vt = np.linalg.svd(x)  # d sigma_max / dA = u1 v1^T (the sign of the pair cancels)
    return u[..., :, :1] * vt[..., :1, :]


def clip_by_global_norm_samples(rng, dtype):
    ts = (rand(rng, (2,), dtype), rand(rng, (2, 3), dtype))
    yield Sample((ts, 0.5))  # clipped
    yield Sample((ts, 50.0))  # unchanged
    yield Sample((ts, 0.5), {"use_norm": 4.0}, grad_args=())


def clip_by_global_norm_ref(ts, clip_norm, use_norm=None):
    norm = np.sqrt(sum(np.sum(t * t) for t in ts)) if use_norm is None else use_norm
    scale = clip_norm / max(norm, clip_norm)
    return [t * scale for t in ts] + [np.array(norm, ts[0].dtype)]


def clip_by_global_norm_fn(ts, clip_norm, use_norm=None):
    clipped, norm = fx.clip_by_global_norm(ts, clip_norm, use_norm)
    return clipped + [norm]


def band_ref(x, num_lower, num_upper):
    m, n = x.shape[-2:]
    out = x.copy()
    for i in range(m):
        for j in range(n):
            if (num_lower >= 0 and i - j > num_lower) or (num_upper >= 0 and j - i > num_upper):
                out[..., i, j] = 0
    return out


def band_samples(rng, dtype):
    for lower, upper in [(0, 0), (-1, 0), (0, -1), (1, 2), (-1, -1)]:
        yield Sample((rand(rng, (2, 3, 4), dtype), lower, upper))


def matvec_samples(rng, dtype):
    yield Sample((rand(rng, (2, 3), dtype), rand(rng, (3,), dtype)))
    yield Sample((rand(rng, (4, 2, 3), dtype), rand(rng, (4, 3), dtype)))
    yield Sample((rand(rng, (3, 2), dtype), rand(rng, (3,), dtype)), {"transpose_a": True})


def matvec_ref(a, b, transpose_a=False):
    if transpose_a:
        a = np.swapaxes(a, -1, -2)
    return np.einsum("...ij,...j->...i", a, b)


OPS = [
    OpInfo("tensordot", fx.linalg.tensordot, lambda a, b, axes: np.tensordot(a, b, axes),
           tensordot_samples, errors=tensordot_errors, atol=_TOL),
    OpInfo("einsum", L.einsum, lambda eq, *xs: np.einsum(eq, *xs), einsum_samples,
           errors=einsum_errors, atol=_TOL),
    OpInfo("einsum(int)", L.einsum, lambda eq, *xs: np.einsum(eq, *xs),
           lambda rng, dt: [Sample(("ij,j->i", np.arange(6, dtype=np.int32).reshape(2, 3),
                                    np.array([1, 2, 3], np.int32)))], dtypes=("int32",),
           grad=False),
    OpInfo("inv", L.inv, np.linalg.inv, square_samples, errors=_square_errors("inv"), atol=_TOL),
    OpInfo("inv(adjoint)", lambda x: L.inv(x, adjoint=True),
           lambda x: np.linalg.inv(np.swapaxes(x, -1, -2)), square_samples, atol=_TOL),
    OpInfo("det", L.det, np.linalg.det, signed_square_samples, errors=_square_errors("det"),
           rtol=_TOL, grad_atol=1e-4),
    OpInfo("slogdet", L.slogdet, lambda x: tuple(np.linalg.slogdet(x)), signed_square_samples,
           errors=_square_errors("slogdet"), atol=_TOL),
    OpInfo("solve", L.solve, solve_ref, solve_samples, errors=solve_errors, atol=_TOL),
    OpInfo("cholesky", lambda a: L.cholesky(_spd(a)), lambda a: np.linalg.cholesky(_spd(a)),
           spd_samples, atol=_TOL),
    OpInfo("linalg.cholesky", L.cholesky, np.linalg.cholesky,
           lambda rng, dt: [Sample((np.array([[4.0, 2.0], [2.0, 5.0]], dt),))], grad=False,
           errors=_square_errors("cholesky")),
    # TF 2.21: a matrix that is not positive definite gets NaN in its lower triangle; the
    # others of the batch are factored.
    OpInfo("cholesky(not positive definite)", L.cholesky,
           lambda x: np.stack([np.linalg.cholesky(x[0]), np.tril(np.full((2, 2), np.nan))]),
           lambda rng, dt: [Sample((np.array([[[4.0, 2.0], [2.0, 5.0]], [[1.0, 2.0], [2.0, 1.0]]],
                                             dt),))], grad=False),
    OpInfo("logdet", lambda a: L.logdet(_spd(a)), lambda a: np.linalg.slogdet(_spd(a))[1],
           spd_samples, atol=_TOL),
    OpInfo("diag_part", L.diag_part, lambda x, k=0: np.diagonal(x, k, -2, -1),
           diag_part_samples,
           errors=lambda: [ErrorCase((_f32(3),), {}, ValueError, "diag_part: input must have "
                                                                  "rank >= 2"),
                           ErrorCase((_f32(3, 4),), {"k": 4}, ValueError,
                                     "diag_part: diagonal k=4 is outside a 3 x 4 matrix"),
                           ErrorCase((_f32(3, 4),), {"k": (0, 1)}, ValueError,
                                     "diag_part: k must be one diagonal index")]),
    OpInfo("diag", L.diag, diag_ref, diag_samples,
           errors=lambda: [ErrorCase((_f32(3),), {"num_rows": 2, "num_cols": 2}, ValueError,
                                     "diag: a diagonal of length 3 at k=0 does not fit"),
                           ErrorCase((_f32(3),), {"k": 1, "num_rows": 5, "num_cols": 6},
                                     ValueError, "diag: a diagonal of length 3 at k=1 does "
                                                 "not fit a 5 x 6 matrix")]),
    OpInfo("trace", L.trace, lambda x: np.trace(x, 0, -2, -1), matrix_samples,
           errors=lambda: [ErrorCase((_f32(3),), {}, ValueError, "trace: input must have")]),
    OpInfo("matrix_transpose", L.matrix_transpose, lambda x: np.swapaxes(x, -1, -2),
           matrix_samples,
           errors=lambda: [ErrorCase((_f32(3),), {}, ValueError, "matrix_transpose: input")]),
    OpInfo("matvec", L.matvec, matvec_ref, matvec_samples, atol=_TOL,
           errors=lambda: [ErrorCase((_f32(2, 3), _f32(4)), {}, ValueError,
                                     r"matvec: a of shape \(2, 3\) has 3 columns, but b"),
                           ErrorCase((_f32(2, 3), np.float32(1.0)), {}, ValueError, "matvec")]),
    OpInfo("band_part", L.band_part, band_ref, band_samples,
           errors=lambda: [ErrorCase((_f32(3), 0, 0), {}, ValueError, "band_part: input")]),
    OpInfo("global_norm", lambda *ts: L.global_norm(list(ts)),
           lambda *ts: np.sqrt(sum((t ** 2).sum() for t in ts)),
           lambda rng, dt: [Sample((away_from(rng, (2, 3), dt), away_from(rng, (4,), dt)))]),
    OpInfo("global_norm(empty)", L.global_norm, lambda ts: np.float32(0.0),  # TF: 0.0
           lambda rng, dt: [Sample(([],)), Sample(([None],))], dtypes=("float32",), grad=False,
           errors=lambda: [ErrorCase((fx.constant([1.0]),), {}, TypeError,
                                     "global_norm: t_list must be a list")]),
    OpInfo("norm", fx.linalg.norm, norm_ref, norm_samples, errors=norm_errors, atol=_TOL),
    # Second derivatives of the spectral norm are not supported (the singular vectors of its
    # gradient are computed without a gradient of their own).
    OpInfo("norm(ord=2, matrix)", fx.linalg.norm, spectral_ref, spectral_samples,
           second_order=False, atol=_TOL),
    OpInfo("norm(ord=2, matrix, gradient)", spectral_grad, spectral_grad_ref,
           lambda rng, dt: [Sample(s.args) for s in spectral_samples(rng, dt)][:2], grad=False,
           atol=_TOL),
    OpInfo("clip_by_global_norm(list)", lambda *ts: clip_by_global_norm_fn(ts[:-1], ts[-1]),
           lambda *ts: clip_by_global_norm_ref(ts[:-1], ts[-1]),
           lambda rng, dt: [Sample(s.args[0] + (s.args[1],), s.kwargs) for s in
                            clip_by_global_norm_samples(rng, dt) if not s.kwargs]),
    OpInfo("clip_by_global_norm", clip_by_global_norm_fn, clip_by_global_norm_ref,
           lambda rng, dt: [s for s in clip_by_global_norm_samples(rng, dt) if s.kwargs],
           grad=False,
           errors=lambda: [ErrorCase((fx.constant([1.0]), 1.0), {}, TypeError,
                                     "clip_by_global_norm: t_list must be a list")]),
]
