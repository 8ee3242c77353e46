"""Linear algebra ops (`tf.linalg`, and `tf.tensordot`, `tf.einsum`, `tf.norm`).

Primitives: einsum (its gradient is again an einsum), inv, det, slogdet, solve, cholesky,
matrix_diag_part and matrix_diag. The rest (tensordot, norm, trace, matrix_transpose, logdet)
are composites of existing ops. Every gradient is written with ops, so it is differentiable again.
"""
import string

import numpy as np

from ..core.tensor import Tensor, convert_to_tensor
from . import rules
from .array_ops import reshape, transpose
from .math_ops import abs, binary_args, log, matmul, pow, reduce_max, reduce_sum, sqrt, unary_arg
from .registry import OpDef, Spec, bind

# Exported at the top level of `fluxion` (the rest lives in `fluxion.linalg`).
__all__ = ["einsum", "norm", "tensordot"]

_F = "f"


# --- einsum --------------------------------------------------------------------------------------
def _tokens(sub):
    """'a...bc' -> ['a', '...', 'b', 'c']."""
    out, i = [], 0
    while i < len(sub):
        if sub.startswith("...", i):
            out.append("...")
            i += 3
        else:
            out.append(sub[i])
            i += 1
    return out


def _split(equation):
    lhs, rhs = equation.split("->")
    return [_tokens(s) for s in lhs.split(",")], _tokens(rhs)


def _parse_einsum(equation, shapes):
    """Validates `equation` against operand shapes; returns it in explicit form ('...->...')."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    ins = [_tokens(s) for s in lhs.split(",")]
    if len(ins) != len(shapes):
        raise ValueError(f"einsum: the equation '{equation}' names {len(ins)} operand(s) but "
                         f"{len(shapes)} were given.")
    letters = [t for sub in ins for t in sub]
    for t in letters + _tokens(rhs):
        if t != "..." and t not in string.ascii_letters:
            raise ValueError(f"einsum: invalid subscript {t!r} in '{equation}'; use letters, "
                             "',', '->' and '...'.")
    if not arrow:
        once = sorted(t for t in set(letters) if t != "..." and letters.count(t) == 1)
        rhs = ("..." if "..." in letters else "") + "".join(once)
    out = _tokens(rhs)
    sizes = {}
    for k, (sub, shape) in enumerate(zip(ins, shapes)):
        named = [t for t in sub if t != "..."]
        if sub.count("...") > 1 or len(named) > len(shape) or \
                ("..." not in sub and len(named) != len(shape)):
            raise ValueError(f"einsum: operand {k} has shape {tuple(shape)} (rank {len(shape)}) "
                             f"but its subscripts '{''.join(sub)}' in '{equation}' need rank "
                             f"{len(named)}{' or more' if '...' in sub else ''}.")
        ell = len(shape) - len(named)
        dims = iter(shape)
        for t in sub:
            if t == "...":
                for _ in range(ell):
                    next(dims)
                continue
            d = next(dims)
            seen = sizes.setdefault(t, (d, k))
            if d is not None and seen[0] is not None and d != seen[0]:
                raise ValueError(f"einsum: index '{t}' has size {seen[0]} in operand {seen[1]} "
                                 f"but size {d} in operand {k} ('{equation}').")
    for t in out:
        if t != "..." and (t not in sizes or out.count(t) > 1):
            raise ValueError(f"einsum: output subscript '{t}' in '{equation}' must appear in "
                             "an input, and only once in the output.")
    if "..." in out and "..." not in letters:
        raise ValueError(f"einsum: the output of '{equation}' has '...' but no input does.")
    return ",".join("".join(s) for s in ins) + "->" + "".join(out)


def _einsum_kernel(*xs, equation):
    return np.einsum(equation, *xs, optimize=len(xs) > 1)


def _einsum_infer(*specs, equation):
    ins, out = _split(equation)
    sizes, ell = {}, ()
    for sub, spec in zip(ins, specs):
        named = [t for t in sub if t != "..."]
        n_ell = len(spec.shape) - len(named)
        dims = list(spec.shape)
        pos = 0
        for t in sub:
            if t == "...":
                ell = rules.broadcast_shapes("einsum", ell, tuple(dims[pos:pos + n_ell]))
                pos += n_ell
            else:
                if sizes.get(t) is None:
                    sizes[t] = dims[pos]
                pos += 1
    shape = []
    for t in out:
        shape.extend(ell if t == "..." else (sizes[t],))
    dtype = specs[0].dtype
    for s in specs:
        if np.dtype(s.dtype) != np.dtype(dtype):
            raise TypeError(f"einsum: all operands must have one dtype, received "
                            f"{np.dtype(dtype).name} and {np.dtype(s.dtype).name}.")
    return Spec(tuple(shape), dtype)


def _einsum_vjp(g, *args, equation):
    """d/d operand k: an einsum of the cotangent with the other operands, to operand k's
    subscripts. Indices only operand k has are restored with a vector of ones; a repeated index
    (a diagonal) with an identity matrix."""
    *xs, _ = args
    ins, out = _split(equation)
    used = set(equation)
    fresh = iter(c for c in string.ascii_letters if c not in used)
    grads = []
    for k, (sub, x) in enumerate(zip(ins, xs)):
        others = [i for i in range(len(xs)) if i != k]
        subs = [out] + [ins[i] for i in others]
        operands = [g] + [xs[i] for i in others]
        available = {t for s in subs for t in s}
        n_ell = len(x.shape) - sum(t != "..." for t in sub)
        target, dims, pos, dtype = [], {}, 0, x.dtype._np
        for t in sub:
            if t == "...":
                if t not in available and n_ell:
                    subs.append(["..."])
                    operands.append(convert_to_tensor(np.ones(x.shape[pos:pos + n_ell], dtype)))
                target.append(t)
                pos += n_ell
                continue
            d = x.shape[pos]
            pos += 1
            if t in dims:  # a repeated index: a diagonal of operand k
                new = next(fresh)
                subs.append([t, new])
                operands.append(convert_to_tensor(np.eye(d, dtype=dtype)))
                target.append(new)
                continue
            dims[t] = d
            if t not in available:
                subs.append([t])
                operands.append(convert_to_tensor(np.ones(d, dtype)))
            target.append(t)
        eq = ",".join("".join(s) for s in subs) + "->" + "".join(target)
        grads.append(bind(_EINSUM, *operands, equation=eq))
    return tuple(grads)


_EINSUM = OpDef("einsum", _einsum_kernel, _einsum_infer, _einsum_vjp)


def einsum(equation, *inputs, **kwargs):
    """Sums products of tensors' elements as written in Einstein notation.

    Args:
        equation: e.g. `"ij,jk->ik"` (matmul), `"bij,bjk->bik"`, `"ii->i"` (diagonal), `"ii"`
            (trace), `"...ij->...ji"`. Without `->`, the output is the indices that appear once,
            in alphabetical order.
        *inputs: the operands, one per comma-separated term, of one dtype.

    Returns:
        The resulting tensor.

    Raises:
        ValueError: if the equation does not match the operands' ranks or sizes.

    Example:
    >>> fluxion.einsum("ij,jk->ik", [[1.0, 2.0]], [[3.0], [4.0]])
    <tf.Tensor: shape=(1, 1), dtype=float32, numpy=array([[11.]], dtype=float32)>
    """
    if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)) and inputs and \
            equation.count(",") + 1 == len(inputs[0]) > 1:
        inputs = tuple(inputs[0])
    if not inputs:
        raise ValueError("einsum: expected at least one operand.")
    xs = [convert_to_tensor(inputs[0])]
    for other in inputs[1:]:
        xs.append(binary_args("einsum", xs[0], other)[1])
    for x in xs:
        rules.check_dtype("einsum", x._value.dtype, "iufc")
    eq = _parse_einsum(str(equation), [tuple(x.shape) for x in xs])
    return bind(_EINSUM, *xs, equation=eq)


# --- tensordot -----------------------------------------------------------------------------------
def _axes_list(value):
    if isinstance(value, (int, np.integer)):
        return [int(value)]
    return [int(v) for v in np.asarray(value).reshape(-1)]


def tensordot(a, b, axes, name=None):
    """Contracts `axes` of `a` with `axes` of `b` (a generalized matrix product).

    Args:
        a, b: tensors of one dtype.
        axes: an int N (the last N axes of `a` with the first N of `b`), or a pair of lists
            `[a_axes, b_axes]` of equal length.

    Returns:
        A tensor with `a`'s free axes followed by `b`'s.

    Example:
    >>> fluxion.tensordot(fluxion.ones((2, 3)), fluxion.ones((3, 4)), 1).shape
    TensorShape([2, 4])
    """
    a, b = binary_args("tensordot", a, b)
    sa, sb = tuple(a.shape), tuple(b.shape)
    axes = axes.numpy().tolist() if hasattr(axes, "numpy") else axes
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if not 0 <= n <= min(len(sa), len(sb)):
            raise ValueError(f"tensordot: axes={n} must be between 0 and the smaller rank "
                             f"({min(len(sa), len(sb))}) of shapes {sa} and {sb}.")
        a_axes, b_axes = list(range(len(sa) - n, len(sa))), list(range(n))
    else:
        if len(axes) != 2:
            raise ValueError(f"tensordot: axes must be an int or a pair [a_axes, b_axes], "
                             f"received {axes!r}.")
        a_axes, b_axes = _axes_list(axes[0]), _axes_list(axes[1])
        if len(a_axes) != len(b_axes):
            raise ValueError(f"tensordot: a_axes {a_axes} and b_axes {b_axes} must have the same "
                             "length.")
    a_axes = [x % len(sa) if -len(sa) <= x < len(sa) else _bad_axis(x, sa) for x in a_axes]
    b_axes = [x % len(sb) if -len(sb) <= x < len(sb) else _bad_axis(x, sb) for x in b_axes]
    for i, j in zip(a_axes, b_axes):
        if sa[i] != sb[j]:
            raise ValueError(f"tensordot: axis {i} of a (shape {sa}) has size {sa[i]} but axis "
                             f"{j} of b (shape {sb}) has size {sb[j]}; contracted axes must "
                             "match.")
    free_a = [i for i in range(len(sa)) if i not in a_axes]
    free_b = [j for j in range(len(sb)) if j not in b_axes]
    k = int(np.prod([sa[i] for i in a_axes], dtype=np.int64))
    a2 = reshape(transpose(a, free_a + a_axes), (-1, k) if k else
                 (int(np.prod([sa[i] for i in free_a], dtype=np.int64)), 0))
    b2 = reshape(transpose(b, b_axes + free_b), (k, -1) if k else
                 (0, int(np.prod([sb[j] for j in free_b], dtype=np.int64))))
    return reshape(matmul(a2, b2), tuple(sa[i] for i in free_a) + tuple(sb[j] for j in free_b))


def _bad_axis(axis, shape):
    raise ValueError(f"tensordot: axis {axis} is out of range for a tensor of shape {shape}.")


# --- matrix primitives ---------------------------------------------------------------------------
def _square_infer(name, kinds=_F):
    def infer(x, **attrs):
        rules.check_dtype(name, x.dtype, kinds, "input")
        shape = tuple(x.shape)
        if len(shape) < 2 or (None not in shape[-2:] and shape[-1] != shape[-2]):
            raise ValueError(f"{name}: expected a square matrix or a batch of them, shape "
                             f"(..., n, n), received shape {shape}.")
        return Spec(shape, x.dtype)
    return infer


def _mt(x):
    """Swaps the last two axes."""
    n = len(x.shape)
    return transpose(x, tuple(range(n - 2)) + (n - 1, n - 2))


def _scalar_to_matrix(s):
    return reshape(s, tuple(s.shape) + (1, 1))


def _inv_vjp(g, x, out):
    return (-matmul(matmul(out, g, transpose_a=True), out, transpose_b=True),)


_INV = OpDef("inv", lambda x: np.linalg.inv(x), _square_infer("inv"), _inv_vjp)


def _det_infer(x, name="det"):
    return Spec(_square_infer(name)(x).shape[:-2], x.dtype)


_DET = OpDef("det", lambda x: np.asarray(np.linalg.det(x), x.dtype), _det_infer,
             lambda g, x, out: (_scalar_to_matrix(g * out) * _mt(bind(_INV, x)),))


def _slogdet_kernel(x):
    sign, logdet = np.linalg.slogdet(x)
    return np.asarray(sign, x.dtype), np.asarray(logdet, x.dtype)


_SLOGDET = OpDef("slogdet", _slogdet_kernel,
                 lambda x: (_det_infer(x, "slogdet"),) * 2,
                 lambda gs, x, outs: (_scalar_to_matrix(gs[1]) * _mt(bind(_INV, x)),),
                 num_outputs=2)


def _solve_kernel(a, b, adjoint=False):
    return np.linalg.solve(np.swapaxes(a, -1, -2) if adjoint else a, b)


def _solve_infer(a, b, adjoint=False):
    _square_infer("solve")(a)
    if np.dtype(a.dtype) != np.dtype(b.dtype):
        raise TypeError(f"solve: matrix and rhs must have one dtype, received "
                        f"{np.dtype(a.dtype).name} and {np.dtype(b.dtype).name}.")
    sa, sb = tuple(a.shape), tuple(b.shape)
    if len(sb) != len(sa) or (None not in (sa[-1], sb[-2]) and sb[-2] != sa[-1]):
        raise ValueError(f"solve: rhs must have shape (..., {sa[-1]}, k) to match matrix of "
                         f"shape {sa}, received shape {sb}.")
    batch = rules.broadcast_shapes("solve", sa[:-2], sb[:-2])
    return Spec(batch + sb[-2:], b.dtype)


def _solve_vjp(g, a, b, out, adjoint=False):
    gb = bind(_SOLVE, a, g, adjoint=not adjoint)
    if adjoint:
        return -matmul(out, gb, transpose_b=True), gb
    return -matmul(gb, out, transpose_b=True), gb


_SOLVE = OpDef("solve", _solve_kernel, _solve_infer, _solve_vjp)


def _cholesky_vjp(g, a, out):
    # With P = Phi(L^T G) (lower triangle, halved diagonal): A_bar = sym(L^-T P L^-1).
    n = a.shape[-1]
    lower = np.tril(np.ones((n, n)), -1) + 0.5 * np.eye(n)
    phi = matmul(out, g, transpose_a=True) * convert_to_tensor(lower.astype(a.dtype._np))
    left = bind(_SOLVE, out, phi, adjoint=True)             # L^-T P
    s = _mt(bind(_SOLVE, out, _mt(left), adjoint=True))     # (L^-T (L^-T P)^T)^T = L^-T P L^-1
    return (0.5 * (s + _mt(s)),)


def _cholesky_kernel(x):
    """NumPy's Cholesky factor; as TensorFlow's, a matrix that is not positive definite gets
    NaN in its lower triangle (and 0 above) instead of failing the whole batch."""
    try:
        return np.linalg.cholesky(x)
    except np.linalg.LinAlgError:
        out = np.zeros_like(x)
        for index in np.ndindex(x.shape[:-2]):
            try:
                out[index] = np.linalg.cholesky(x[index])
            except np.linalg.LinAlgError:
                out[index] = np.tril(np.full(x.shape[-2:], np.nan, x.dtype))
        return out


_CHOLESKY = OpDef("cholesky", _cholesky_kernel, _square_infer("cholesky"), _cholesky_vjp)


def _diag_part_infer(x, k):
    shape = tuple(x.shape)
    if len(shape) < 2:
        raise ValueError(f"diag_part: input must have rank >= 2, received shape {shape}.")
    m, n = shape[-2:]
    if None not in (m, n) and not -m < k < n and m * n:
        raise ValueError(f"diag_part: diagonal k={k} is outside a {m} x {n} matrix (expected "
                         f"{1 - m} <= k <= {n - 1}).")
    length = None if None in (m, n) else max(0, min(m + min(k, 0), n - max(k, 0)))
    return Spec(shape[:-2] + (length,), x.dtype)


def _diag_kernel(d, k, num_rows, num_cols, padding_value):
    out = np.full(d.shape[:-1] + (num_rows, num_cols), padding_value, d.dtype)
    i = np.arange(d.shape[-1])
    out[..., i - min(k, 0), i + max(k, 0)] = d
    return out


def _diag_infer(d, k, num_rows, num_cols, padding_value):
    if len(d.shape) < 1:
        raise ValueError("diag: diagonal must have rank >= 1, received a scalar.")
    return Spec(tuple(d.shape[:-1]) + (num_rows, num_cols), d.dtype)


_DIAG_PART = OpDef("matrix_diag_part", lambda x, k: np.diagonal(x, k, -2, -1).copy(),
                   _diag_part_infer,
                   lambda g, x, out, k: (bind(_DIAG, g, k=k, num_rows=x.shape[-2],
                                              num_cols=x.shape[-1], padding_value=0),))
_DIAG = OpDef("matrix_diag", _diag_kernel, _diag_infer,
              lambda g, d, out, k, num_rows, num_cols, padding_value: (
                  bind(_DIAG_PART, g, k=k),))


def _diagonal_index(op_name, k):
    """`k` as a Python int (TensorFlow also takes a pair (low, high) of diagonals: not here)."""
    if isinstance(k, Tensor):
        k = k.numpy()
    if np.ndim(k) == 1 and len(k) == 2 and k[0] == k[1]:
        k = k[0]
    if np.ndim(k) != 0 or not float(k).is_integer():
        raise ValueError(f"{op_name}: k must be one diagonal index (an int), received k={k!r}; "
                         "a band of diagonals (low, high) is not supported. Call it once per "
                         "diagonal.")
    return int(k)


# --- public matrix functions ---------------------------------------------------------------------
def inv(input, adjoint=False, name=None):
    """The inverse of a square matrix (or of each matrix in a batch `(..., n, n)`).

    Raises:
        ValueError: for a non-square input, or a singular matrix.

    Example:
    >>> fluxion.linalg.inv([[2.0, 0.0], [0.0, 4.0]]).numpy()
    array([[0.5 , 0.  ],
       [0.  , 0.25]], dtype=float32)
    """
    x = unary_arg("inv", input, _F)
    _square_infer("inv")(Spec(tuple(x.shape), x._value.dtype))
    return bind(_INV, _mt(x) if adjoint else x)


def det(input, name=None):
    """The determinant of a square matrix (or of each in a batch): shape `(...)`.

    Example:
    >>> fluxion.linalg.det([[2.0, 1.0], [1.0, 3.0]])
    <tf.Tensor: shape=(), dtype=float32, numpy=5.0>
    """
    x = unary_arg("det", input, _F)
    return bind(_DET, x)


def slogdet(input, name=None):
    """Sign and log of the absolute value of the determinant: `(sign, log_abs_determinant)`.

    Example:
    >>> sign, logdet = fluxion.linalg.slogdet([[2.0, 0.0], [0.0, -3.0]])
    >>> sign.numpy(), round(float(logdet), 4)
    (np.float32(-1.0), 1.7918)
    """
    x = unary_arg("slogdet", input, _F)
    return bind(_SLOGDET, x)


def logdet(matrix, name=None):
    """The log-determinant of a symmetric positive-definite matrix (via its Cholesky factor).

    Example:
    >>> fluxion.linalg.logdet([[2.0, 0.0], [0.0, 3.0]])
    <tf.Tensor: shape=(), dtype=float32, numpy=1.7917595>
    """
    chol = cholesky(matrix)
    return 2.0 * reduce_sum(log(diag_part(chol)), axis=-1)


def solve(matrix, rhs, adjoint=False, name=None):
    """Solves `matrix @ x = rhs` for `x` (`matrix^T @ x = rhs` when `adjoint`).

    Args:
        matrix: shape `(..., n, n)`.
        rhs: shape `(..., n, k)`.

    Example:
    >>> fluxion.linalg.solve([[2.0, 0.0], [0.0, 4.0]], [[2.0], [2.0]]).numpy()
    array([[1. ],
       [0.5]], dtype=float32)
    """
    a, b = binary_args("solve", matrix, rhs)
    rules.check_dtype("solve", a._value.dtype, _F, "matrix")
    _SOLVE.infer(Spec(tuple(a.shape), a._value.dtype), Spec(tuple(b.shape), b._value.dtype))
    return bind(_SOLVE, a, b, adjoint=bool(adjoint))


def cholesky(input, name=None):
    """The lower-triangular Cholesky factor `L` of a symmetric positive-definite matrix
    (`input = L @ L^T`); only the lower triangle of `input` is read.

    Example:
    >>> fluxion.linalg.cholesky([[4.0, 2.0], [2.0, 5.0]]).numpy()
    array([[2., 0.],
       [1., 2.]], dtype=float32)
    """
    x = unary_arg("cholesky", input, _F)
    _square_infer("cholesky")(Spec(tuple(x.shape), x._value.dtype))
    return bind(_CHOLESKY, x)


def diag_part(input, name="diag_part", k=0, padding_value=0, align="RIGHT_LEFT"):
    """The diagonal `k` of each matrix of `input` `(..., m, n)` (0: the main diagonal, k > 0
    above it, k < 0 below it): shape `(..., min(m + min(k, 0), n - max(k, 0)))`.

    `padding_value` and `align` matter only for a band of diagonals, which is not supported.

    Example:
    >>> fluxion.linalg.diag_part([[1.0, 2.0], [3.0, 4.0]])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 4.], dtype=float32)>
    >>> fluxion.linalg.diag_part([[1.0, 2.0], [3.0, 4.0]], k=1)
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([2.], dtype=float32)>
    """
    x, k = convert_to_tensor(input), _diagonal_index("diag_part", k)
    _DIAG_PART.infer(Spec(tuple(x.shape), x._value.dtype), k=k)
    return bind(_DIAG_PART, x, k=k)


def diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0,
         align="RIGHT_LEFT"):
    """A (batch of) matrix with `diagonal` on its diagonal `k` (0: the main one, k > 0 above
    it, k < 0 below it) and `padding_value` elsewhere.

    The matrix is square, `len + |k|` wide, unless `num_rows` or `num_cols` say otherwise; one
    of them must be the smallest that holds the diagonal, as in TensorFlow.

    Example:
    >>> fluxion.linalg.diag([1.0, 2.0]).numpy()
    array([[1., 0.],
       [0., 2.]], dtype=float32)
    >>> fluxion.linalg.diag([1.0, 2.0], k=1).numpy()
    array([[0., 1., 0.],
       [0., 0., 2.],
       [0., 0., 0.]], dtype=float32)
    """
    d = convert_to_tensor(diagonal)
    k = _diagonal_index("diag", k)
    if d.ndim < 1:
        _DIAG.infer(Spec((), d._value.dtype), k, 0, 0, 0)
    n = d.shape[-1]
    min_rows, min_cols = n - min(k, 0), n + max(k, 0)
    rows = -1 if num_rows is None else int(num_rows)
    cols = -1 if num_cols is None else int(num_cols)
    if rows == -1 and cols == -1:
        rows = cols = max(min_rows, min_cols)
    rows, cols = (min_rows if rows == -1 else rows), (min_cols if cols == -1 else cols)
    if rows < min_rows or cols < min_cols or (rows != min_rows and cols != min_cols):
        raise ValueError(f"diag: a diagonal of length {n} at k={k} does not fit a {rows} x "
                         f"{cols} matrix (it needs at least {min_rows} x {min_cols}, with one "
                         "of the two exactly that).")
    value = np.array(padding_value, d._value.dtype).item()
    return bind(_DIAG, d, k=k, num_rows=rows, num_cols=cols, padding_value=value)


def trace(x, name=None):
    """The sum of the main diagonal of each matrix of `x` `(..., m, n)`.

    Example:
    >>> fluxion.linalg.trace([[1.0, 2.0], [3.0, 4.0]])
    <tf.Tensor: shape=(), dtype=float32, numpy=5.0>
    """
    x = convert_to_tensor(x)
    if x.ndim < 2:
        raise ValueError(f"trace: input must have rank >= 2, received shape {tuple(x.shape)}.")
    return reduce_sum(diag_part(x), axis=-1)


def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    """Transposes the last two axes of `a` (rank >= 2).

    Example:
    >>> fluxion.linalg.matrix_transpose(fluxion.zeros((4, 2, 3))).shape
    TensorShape([4, 3, 2])
    """
    a = convert_to_tensor(a)
    if a.ndim < 2:
        raise ValueError(f"matrix_transpose: input must have rank >= 2, received shape "
                         f"{tuple(a.shape)}.")
    return _mt(a)


def matvec(a, b, transpose_a=False, adjoint_a=False, name=None):
    """Multiplies matrices `a` `(..., m, n)` by vectors `b` `(..., n)`: shape `(..., m)`.

    Example:
    >>> fluxion.linalg.matvec([[1.0, 2.0], [3.0, 4.0]], [1.0, 1.0]).numpy()
    array([3., 7.], dtype=float32)
    """
    a, b = binary_args("matvec", a, b)
    if b.ndim < 1 or a.ndim < 2:
        raise ValueError(f"matvec: a must be a matrix (rank >= 2) and b a vector (rank >= 1), "
                         f"received shapes {tuple(a.shape)} and {tuple(b.shape)}.")
    inner = a.shape[-2] if transpose_a or adjoint_a else a.shape[-1]
    if inner != b.shape[-1]:
        raise ValueError(f"matvec: a of shape {tuple(a.shape)} has {inner} "
                         f"{'rows' if transpose_a or adjoint_a else 'columns'}, but b of shape "
                         f"{tuple(b.shape)} has {b.shape[-1]} elements.")
    col = reshape(b, tuple(b.shape) + (1,))
    out = matmul(a, col, transpose_a=bool(transpose_a or adjoint_a))
    return reshape(out, tuple(out.shape)[:-1])


def band_part(input, num_lower, num_upper, name=None):
    """Keeps a band around the diagonal of each matrix and zeros the rest.

    Element `(i, j)` is kept when `i - j <= num_lower` and `j - i <= num_upper`; a negative
    bound keeps the whole triangle (`band_part(x, -1, 0)` is the lower triangle).

    Example:
    >>> fluxion.linalg.band_part(fluxion.ones((3, 3)), 0, 1).numpy()
    array([[1., 1., 0.],
           [0., 1., 1.],
           [0., 0., 1.]], dtype=float32)
    """
    x = convert_to_tensor(input)
    if x.ndim < 2:
        raise ValueError(f"band_part: input must have rank >= 2, received shape "
                         f"{tuple(x.shape)}.")
    m, n = x.shape[-2:]
    i, j = np.arange(m)[:, None], np.arange(n)[None, :]
    keep = np.ones((m, n), bool)
    if int(num_lower) >= 0:
        keep &= i - j <= int(num_lower)
    if int(num_upper) >= 0:
        keep &= j - i <= int(num_upper)
    return x * keep.astype(x.dtype.as_numpy_dtype)


def global_norm(t_list, name=None):
    """The Euclidean norm of all the values of a list of tensors, as one vector.

    Example:
    >>> fluxion.linalg.global_norm([[3.0], [4.0]])
    <tf.Tensor: shape=(), dtype=float32, numpy=5.0>
    """
    if not isinstance(t_list, (list, tuple)):
        raise TypeError(f"global_norm: t_list must be a list or tuple of tensors, received "
                        f"{type(t_list).__name__}.")
    tensors = [unary_arg("global_norm", t, _F) for t in t_list if t is not None]
    if not tensors:  # as TensorFlow: the norm of nothing is 0
        return convert_to_tensor(0.0)
    total = reduce_sum(tensors[0] * tensors[0])
    for t in tensors[1:]:
        total = total + reduce_sum(t * t)
    return sqrt(total)


# --- norm ----------------------------------------------------------------------------------------
def _spectral_norm_kernel(x):
    if not x.size:
        return np.zeros(x.shape[:-2], x.dtype)
    return np.linalg.svd(x, compute_uv=False)[..., 0].astype(x.dtype, copy=False)


def _top_singular_vectors(x):
    u, _, vt = np.linalg.svd(x, full_matrices=False)
    return u[..., :, 0].astype(x.dtype), vt[..., 0, :].astype(x.dtype)


# d sigma_max / dA = u1 v1^T (for a simple largest singular value). The singular vectors are
# computed again by a primitive of their own, with no gradient: second derivatives of the
# spectral norm are not supported.
_TOP_SINGULAR_VECTORS = OpDef(
    "top_singular_vectors", _top_singular_vectors,
    lambda x: (Spec(tuple(x.shape)[:-1], x.dtype),
               Spec(tuple(x.shape)[:-2] + tuple(x.shape)[-1:], x.dtype)), num_outputs=2)
_SPECTRAL_NORM = OpDef(
    "spectral_norm", _spectral_norm_kernel, lambda x: Spec(tuple(x.shape)[:-2], x.dtype),
    lambda g, x, out: (_spectral_norm_grad(g, x),))


def _spectral_norm_grad(g, x):
    u, v = bind(_TOP_SINGULAR_VECTORS, x)
    return reshape(g, tuple(g.shape) + (1, 1)) * \
        (reshape(u, tuple(u.shape) + (1,)) * reshape(v, tuple(v.shape)[:-1] + (1, -1)))


def _spectral_norm(x, rows, cols):
    """The largest singular value of the matrices over axes (rows, cols), those axes kept."""
    others = tuple(a for a in range(x.ndim) if a not in (rows, cols))
    s = bind(_SPECTRAL_NORM, transpose(x, others + (rows, cols)))
    return reshape(s, tuple(1 if a in (rows, cols) else d for a, d in enumerate(x.shape)))


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None):
    """The vector or matrix norm of `tensor`.

    Args:
        tensor: a float tensor.
        ord: `'euclidean'` (default), `'fro'` (matrices only), `1`, `2`, `np.inf`, or any
            `p > 0` for vector norms; matrix norms support `'euclidean'`, `'fro'`, `1`, `2`
            (the spectral norm, the largest singular value) and `np.inf`.
        axis: None (the whole tensor as one vector), an int (a batch of vectors), or a pair of
            ints (a batch of matrices).
        keepdims: keep the reduced axes as size 1.

    Returns:
        The norms.

    Raises:
        ValueError: for an unsupported `ord` or a bad `axis`.

    Example:
    >>> fluxion.norm([3.0, 4.0])
    <tf.Tensor: shape=(), dtype=float32, numpy=5.0>
    """
    x = unary_arg("norm", tensor, _F)
    keepdims = bool(keepdims)
    is_matrix = isinstance(axis, (list, tuple)) and len(axis) == 2
    if axis is not None and not is_matrix and not isinstance(axis, (int, np.integer)):
        raise ValueError(f"norm: axis must be None, an int or a pair of ints, received "
                         f"axis={axis!r}.")
    axes = rules.normalize_axis("norm", axis, x.ndim)
    if is_matrix:
        if ord not in ("euclidean", "fro", 1, 2, np.inf) or isinstance(ord, bool):
            raise ValueError(f"norm: ord={ord!r} is not supported for matrix norms (supported: "
                             "'euclidean', 'fro', 1, 2, np.inf).")
        rows, cols = (a % x.ndim for a in axis)
        if ord in ("euclidean", "fro"):
            out = sqrt(reduce_sum(x * x, axes, keepdims=True))
        elif ord == 2:
            out = _spectral_norm(x, rows, cols)
        else:  # 1: the largest column sum; inf: the largest row sum
            inner, outer = (rows, cols) if ord == 1 else (cols, rows)
            out = reduce_max(reduce_sum(abs(x), inner, keepdims=True), outer, keepdims=True)
    else:
        if ord == "euclidean" or ord == 2:
            out = sqrt(reduce_sum(x * x, axes, keepdims=True))
        elif isinstance(ord, str) or not np.isscalar(ord) or not ord > 0:
            raise ValueError(f"norm: ord={ord!r} is not a supported vector norm (supported: "
                             "'euclidean', 1, 2, np.inf or any p > 0; 'fro' is for matrices).")
        elif ord == np.inf:
            out = reduce_max(abs(x), axes, keepdims=True)
        elif ord == 1:
            out = reduce_sum(abs(x), axes, keepdims=True)
        else:
            out = pow(reduce_sum(pow(abs(x), float(ord)), axes, keepdims=True), 1.0 / ord)
    if keepdims:
        return out
    return reshape(out, rules.reduced_shape(tuple(x.shape), axes, False))
