"""NumPy kernels and shape rules for indexing, gathering and scattering (no fluxion imports).

An index key (`x[key]`) is carried as an `IndexKey` attribute: its items are ints, slices, None,
Ellipsis and `ArrayRef(i)` markers that stand for the i-th index array, which the op receives as
an input (so index tensors stay values of the computation, not attributes).
"""
import numpy as np

from . import parallel
from .shapes import BroadcastError, broadcast_shape


class ArrayRef(int):
    """Marks the position of an index array among an indexing op's extra inputs."""

    def __repr__(self):
        return f"<array {int(self)}>"


class IndexKey:
    """A hashable index key (slices are unhashable before Python 3.12)."""

    __slots__ = ("items", "has_arrays")

    def __init__(self, items, has_arrays=False):
        self.items = items
        self.has_arrays = has_arrays

    def _encoded(self):
        return tuple(("s", k.start, k.stop, k.step) if type(k) is slice else
                     ("a", int(k)) if type(k) is ArrayRef else k for k in self.items)

    def __hash__(self):
        return hash(self._encoded())

    def __eq__(self, other):
        return isinstance(other, IndexKey) and self._encoded() == other._encoded()

    def __repr__(self):
        return "[" + ", ".join(_item_str(k) for k in self.items) + "]"

    def resolve(self, arrays):
        """The NumPy key, with each `ArrayRef` replaced by its array."""
        if not self.has_arrays:
            return self.items
        return tuple(arrays[k] if type(k) is ArrayRef else k for k in self.items)


def _item_str(k):
    if type(k) is slice:
        text = ("" if k.start is None else str(k.start)) + ":" + \
            ("" if k.stop is None else str(k.stop))
        return text + ("" if k.step is None else f":{k.step}")
    return "..." if k is Ellipsis else "None" if k is None else repr(k)


def index_shape(op_name, shape, items, arrays):
    """The result shape of `x[key]` under NumPy's rules, validating the key.

    Args:
        op_name: the name used in error messages.
        shape: the indexed tensor's shape (dims may be None).
        items: the key's items (see `IndexKey`).
        arrays: `(shape, np.dtype)` of each index array.

    Raises:
        IndexError: for too many indices, an int out of range or a mask of the wrong shape.
        TypeError: for an index array that is neither integer nor bool.
    """
    ndim = len(shape)
    consumed = 0
    for k in items:
        if type(k) is ArrayRef:
            a_shape, a_dtype = arrays[k]
            consumed += len(a_shape) if np.dtype(a_dtype).kind == "b" else 1
        elif k is not None and k is not Ellipsis:
            consumed += 1
    if sum(k is Ellipsis for k in items) > 1:
        raise IndexError(f"{op_name}: an index can have only one ellipsis ('...').")
    if consumed > ndim:
        raise IndexError(f"{op_name}: too many indices for a tensor of rank {ndim} (shape "
                         f"{tuple(shape)}): the key uses {consumed} dimensions.")
    fill = (slice(None),) * (ndim - consumed)
    if Ellipsis in [k for k in items if type(k) is not ArrayRef]:
        at = next(i for i, k in enumerate(items) if k is Ellipsis)
        items = tuple(items[:at]) + fill + tuple(items[at + 1:])
    else:
        items = tuple(items) + fill
    advanced = any(type(k) is ArrayRef for k in items)
    before, after, adv_shapes, adv_at = [], [], [], []
    axis = 0
    for pos, k in enumerate(items):
        out = after if adv_at else before
        if k is None:
            out.append(1)
        elif type(k) is slice:
            if k.step == 0:
                raise ValueError(f"{op_name}: slice step cannot be zero.")
            n = shape[axis]
            out.append(None if n is None else len(range(*k.indices(n))))
            axis += 1
        elif type(k) is ArrayRef:
            a_shape, a_dtype = arrays[k]
            kind = np.dtype(a_dtype).kind
            if kind == "b":
                dims = tuple(shape[axis:axis + len(a_shape)])
                if any(a is not None and b is not None and a != b
                       for a, b in zip(a_shape, dims)):
                    raise IndexError(f"{op_name}: a boolean mask of shape {tuple(a_shape)} does "
                                     f"not match dimensions {axis}.. of the tensor's shape "
                                     f"{tuple(shape)}; the mask's shape must equal {dims}.")
                adv_shapes.append((None,))
                axis += len(a_shape)
            elif kind in "iu":
                adv_shapes.append(tuple(a_shape))
                axis += 1
            else:
                raise TypeError(f"{op_name}: index arrays must be integer or bool, received "
                                f"dtype {np.dtype(a_dtype).name}.")
            adv_at.append(pos)
        else:
            n = shape[axis]
            if n is not None and not -n <= k < n:
                raise IndexError(f"{op_name}: index {k} is out of range for axis {axis} of size "
                                 f"{n} (tensor shape {tuple(shape)}); valid indices are "
                                 f"{-n} to {n - 1}.")
            if advanced:
                adv_shapes.append(())
                adv_at.append(pos)
            axis += 1
    if not advanced:
        return tuple(before)
    broadcast = _broadcast(op_name, adv_shapes)
    if adv_at[-1] - adv_at[0] + 1 == len(adv_at):
        return tuple(before) + broadcast + tuple(after)
    return broadcast + tuple(before) + tuple(after)


def _broadcast(op_name, shapes):
    try:
        return broadcast_shape(*shapes)
    except BroadcastError:
        raise IndexError(f"{op_name}: index arrays of shapes "
                         f"{' and '.join(str(tuple(s)) for s in shapes)} do not "
                         "broadcast together.") from None


def scatter_into(g, arrays, key, shape):
    """The transpose of `x[key]`: zeros of `shape` with `g` added at the indexed positions."""
    out = np.zeros(shape, dtype=g.dtype)
    index = key.resolve(arrays)
    if any(a.dtype.kind in "iu" for a in arrays):
        np.add.at(out, index, g)  # repeated integer indices accumulate
    else:
        out[index] = g
    return out


def check_indices(indices, size, what):
    """Raises IndexError unless every index is in [0, size) (TensorFlow's CPU semantics).

    `what()` describes the indexed axis; it is called only to build the message.
    """
    if indices.size:
        low, high = indices.min(), indices.max()
        if low < 0 or high >= size:
            bad = low if low < 0 else high
            where = [int(i) for i in np.argwhere(indices == bad)[0]]
            raise IndexError(f"indices{where} = {bad} is not in [0, {size}) ({what()}).")


def gather(params, indices, axis, batch_dims, out=None):
    """`params` gathered along `axis` at `indices`; the first `batch_dims` dims are batch dims.

    With `out`, the result is written there (a compiled graph's reused buffer).
    """
    def what():
        return f"axis {axis} of params with shape {params.shape}"
    if out is not None:
        if batch_dims:
            np.copyto(out, gather(params, indices, axis, batch_dims))
            return out
        check_indices(indices, params.shape[axis], what)
        if axis or not indices.ndim or not len(indices):
            # Indices are checked: "clip" lets np.take write into `out` without a temporary.
            return np.take(params, indices, axis=axis, out=out, mode="clip")
        # Rows of indices in parallel (NumPy releases the GIL).
        parallel.for_pieces(lambda start, stop: np.take(
            params, indices[start:stop], axis=0, out=out[start:stop], mode="clip"),
            len(indices), min_piece=max(1, parallel.MIN_PIECE // max(out[0].size, 1)))
        return out
    if batch_dims == 0:
        if indices.dtype == np.int32:
            # Negative int32 indices viewed as uint32 are huge, so np.take rejects them too.
            try:
                return np.take(params, indices.view(np.uint32), axis=axis)
            except IndexError:
                check_indices(indices, params.shape[axis], what)
                raise
        check_indices(indices, params.shape[axis], what)
        return np.take(params, indices, axis=axis)
    check_indices(indices, params.shape[axis], what)
    batch = params.shape[:batch_dims]
    pre, post = params.shape[batch_dims:axis], params.shape[axis + 1:]
    n_b = int(np.prod(batch, dtype=np.int64))
    idx = indices.reshape(n_b, int(np.prod(indices.shape[batch_dims:], dtype=np.int64)))
    p = params.reshape(n_b, int(np.prod(pre, dtype=np.int64)), params.shape[axis],
                       int(np.prod(post, dtype=np.int64)))
    out = p[np.arange(n_b)[:, None], :, idx, :]        # (n_b, n_idx, pre, post)
    out = out.transpose(0, 2, 1, 3)
    return out.reshape(batch + pre + indices.shape[batch_dims:] + post)


def gather_nd(params, indices, batch_dims):
    """`params[indices[..., 0], indices[..., 1], ...]` per batch element."""
    m = indices.shape[-1]
    dims = params.shape[batch_dims:batch_dims + m]
    for j, n in enumerate(dims):
        check_indices(indices[..., j], n, lambda j=j: f"dimension {batch_dims + j} of params "
                      f"with shape {params.shape}")
    batch = params.shape[:batch_dims]
    grid = tuple(np.arange(d).reshape((1,) * i + (d,) + (1,) * (indices.ndim - 2 - i))
                 for i, d in enumerate(batch))
    key = grid + tuple(indices[..., j] for j in range(m))
    if not key:  # empty coordinates select all of params, once per index row
        return np.array(np.broadcast_to(params, indices.shape[:-1] + params.shape))
    return params[key]


def unsorted_segment_sum(data, segment_ids, num_segments, out=None):
    """Sums the slices of `data` into `num_segments` rows by id; negative ids are dropped.

    With `out`, the sums are written there (a compiled graph's reused buffer).
    """
    check_indices(np.where(segment_ids < 0, 0, segment_ids), num_segments,
                  lambda: f"num_segments is {num_segments}")
    rest = data.shape[segment_ids.ndim:]
    if out is None:
        out = np.zeros((num_segments,) + rest, dtype=data.dtype)
    else:
        out.fill(0)
    ids = segment_ids.reshape(-1)
    rows = data.reshape((ids.size,) + rest)
    keep = ids >= 0
    if not keep.all():
        ids, rows = ids[keep], rows[keep]
    add_rows(out, ids, rows)
    return out


# Rows shorter than this, or fewer rows than this, are added by np.add.at (fast on short rows).
_SHORT_ROW = 8
_FEW_ROWS = 64


def add_rows(out, ids, rows):
    """`out[ids[k]] += rows[k]` for every k (ids in [0, len(out))), repeated ids accumulating
    (as `np.add.at`).

    `np.add.at` handles one element at a time, which is slow for long rows (an embedding's
    gradient: 100,000 rows of 256). Here the ids are sorted once; then the r-th occurrence of
    every id is added by one vectorised take-and-add per r, the ids ordered by how often they
    occur so that the ids still active at occurrence r are a prefix. Ids that occur more often
    than a cutoff (chosen to minimise the number of NumPy calls) are summed one by one. Each
    id's rows are added in their original order.
    """
    n = ids.shape[0]
    row = int(np.prod(rows.shape[1:], dtype=np.int64))
    if row < _SHORT_ROW or n < _FEW_ROWS:
        np.add.at(out, ids, rows)
        return
    rows = np.ascontiguousarray(rows.reshape(n, row))  # np.take copies other layouts per call
    target = out.reshape(out.shape[0], row)
    # Ids are in [0, len(out)): as 16-bit keys, NumPy's stable sort is a radix sort.
    key = ids.astype(np.uint16) if out.shape[0] <= 1 << 16 else ids
    order = np.argsort(key, kind="stable")
    sorted_ids = ids[order]
    first = np.empty(n, bool)
    first[0] = True
    np.not_equal(sorted_ids[1:], sorted_ids[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.diff(starts, append=n)
    by_count = np.argsort(-counts, kind="stable")
    starts, counts = starts[by_count], counts[by_count]
    # active[r - 1]: how many ids occur more than r times (a prefix, counts being descending).
    ranks = np.arange(1, counts[0] + 1)
    active = np.searchsorted(-counts, -ranks, side="left")
    cut = int(ranks[np.argmin(ranks + active)])
    heavy = int(active[cut - 1])  # ids seen more than `cut` times: summed one by one
    acc = np.empty((len(starts), row), rows.dtype)

    def add(lo, hi):  # the ids starts[lo:hi], on one thread
        np.take(rows, order[starts[lo:hi]], axis=0, out=acc[lo:hi], mode="clip")
        part = np.empty((hi - lo, row), rows.dtype)
        for r in range(1, cut):
            m = min(hi, int(active[r - 1])) - lo
            if m <= 0:
                break
            np.take(rows, order[starts[lo:lo + m] + r], axis=0, out=part[:m], mode="clip")
            np.add(acc[lo:lo + m], part[:m], out=acc[lo:lo + m])
        for i in range(lo, min(hi, heavy)):
            block = np.take(rows, order[starts[i] + cut: starts[i] + counts[i]], axis=0)
            block[0] += acc[i]
            np.add.reduce(block, axis=0, out=acc[i])  # row after row, in order

    # One run of ids per thread, of about equal numbers of rows.
    threads = min(parallel.num_threads(), max(1, n * row // parallel.MIN_PIECE), len(starts))
    bounds = np.searchsorted(np.cumsum(counts), np.arange(1, threads) * n / threads) + 1
    edges = [0] + sorted(set(int(b) for b in bounds if 0 < b < len(starts))) + [len(starts)]
    parallel.run([lambda lo=lo, hi=hi: add(lo, hi) for lo, hi in zip(edges[:-1], edges[1:])])
    target[sorted_ids[starts]] += acc


def pad_sources(n, before, after, mode):
    """For each padded position along an axis of size n, the source index (REFLECT/SYMMETRIC)."""
    idx = np.arange(-before, n + after)
    if mode == "REFLECT":
        idx = np.abs(idx)
        return np.where(idx >= n, 2 * (n - 1) - idx, idx)
    idx = np.where(idx < 0, -idx - 1, idx)
    return np.where(idx >= n, 2 * n - 1 - idx, idx)


def pad(x, paddings, mode, constant_values):
    if not paddings:  # a scalar
        return x
    if mode == "CONSTANT":
        return np.pad(x, paddings, constant_values=np.asarray(constant_values, x.dtype))
    return np.pad(x, paddings, mode=mode.lower())


def unpad(g, paddings, mode, shape):
    """The transpose of `pad`: sums each padded position back into its source."""
    if mode == "CONSTANT":
        return g[tuple(slice(b, b + n) for (b, _), n in zip(paddings, shape))]
    for axis, ((before, after), n) in enumerate(zip(paddings, shape)):
        if before == 0 and after == 0:
            continue
        moved = np.moveaxis(g, axis, 0)
        out = np.zeros((n,) + moved.shape[1:], dtype=g.dtype)
        np.add.at(out, pad_sources(n, before, after, mode), moved)
        g = np.moveaxis(out, 0, axis)
    return g


def one_hot(indices, on, off, depth, axis):
    """`on` where `indices == k` along a new axis of size `depth`, `off` elsewhere."""
    hot = indices[..., None] == np.arange(depth)
    out = np.where(hot, on, off)
    return out if axis == -1 else np.moveaxis(out, -1, axis)


def argsort(x, axis, descending):
    """Stable argsort along `axis` (ties keep their order in both directions)."""
    if not descending:
        return np.argsort(x, axis=axis, kind="stable")
    # Descending and stable: sort the reversed array, then map the positions back.
    n = x.shape[axis]
    order = np.argsort(np.flip(x, axis), axis=axis, kind="stable")
    return n - 1 - np.flip(order, axis)
