"""`Dataset`: a lazy, composable pipeline of elements, as `tf.data.Dataset`.

A Dataset is a recipe: `_numpy_iter()` starts a fresh pass and yields elements (nested
tuples/dicts of NumPy arrays). Nothing is computed before iteration, so sources larger than
memory stream. Python iteration wraps the leaves in Tensors; `as_numpy_iterator` and the private
`_numpy_iter` (what Keras `fit` consumes) do not.

Datasets whose elements are rows of in-memory arrays (`from_tensor_slices`, then `shuffle`,
`take`, `skip`, `repeat`) also carry a row plan, so `batch` gathers a whole batch with one
fancy-indexing call per array instead of stacking elements one by one.
"""
import itertools
import math
import os

import numpy as np

from ..core.tensor import wrap
from . import structure as st
from . import threads

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2
INFINITE, UNKNOWN = INFINITE_CARDINALITY, UNKNOWN_CARDINALITY
_AUTOTUNE_BUFFER = 4


def _count(value, name, op):
    if hasattr(value, "numpy"):
        value = value.numpy()
    if isinstance(value, (bool, np.bool_)) or not float(value).is_integer():
        raise TypeError(f"Dataset.{op}: {name} must be an integer. Received: {name}={value!r}.")
    return int(value)


class _Rows:
    """Elements are `arrays[i]` (leaf-wise) for i in `indices()`, a fresh iterator per pass."""

    def __init__(self, arrays, indices):
        self.arrays, self.indices = arrays, indices
        self.leaves = st.flatten(arrays)

    def element(self, i):
        return st.pack(self.arrays, [leaf[i] for leaf in self.leaves])

    def gather(self, rows):
        return st.pack(self.arrays, [leaf[rows] for leaf in self.leaves])

    def derive(self, indices):
        return _Rows(self.arrays, indices)


class Dataset:
    """A sequence of elements (nested tuples/dicts of tensors), built lazily by transformations.

    Create one with `from_tensor_slices`, `from_tensors`, `from_generator`, `range`, `zip` or
    `TextLineDataset`, then chain transformations; iterate with `for` or `as_numpy_iterator`.

    Example:
    >>> ds = Dataset.range(10).map(lambda x: x * 2).filter(lambda x: x % 3 == 0).batch(2)
    >>> [b.tolist() for b in ds.as_numpy_iterator()]
    [[0, 6], [12, 18]]
    """

    def __init__(self, make_iter, cardinality, spec=None, rows=None):
        self._make_iter = make_iter
        self._card = cardinality
        self._spec = spec  # a structure of TensorSpec, or a callable computing it, or None
        self._rows = rows

    # ----- iteration -----------------------------------------------------------------------------
    def _numpy_iter(self):
        """A fresh pass over the elements as NumPy structures (the fast internal iterator)."""
        if self._rows is not None:
            rows = self._rows
            return (rows.element(i) for i in rows.indices())
        return iter(self._make_iter())

    def __iter__(self):
        return Iterator(self)

    def as_numpy_iterator(self):
        """Returns an iterator over the elements as NumPy arrays / scalars (bytes for strings).

        Example:
        >>> list(Dataset.from_tensor_slices([1, 2]).as_numpy_iterator())
        [np.int32(1), np.int32(2)]
        """
        return (st.to_numpy(e) for e in self._numpy_iter())

    def as_numpy(self):
        return self.as_numpy_iterator()

    # ----- properties ----------------------------------------------------------------------------
    def cardinality(self):
        """Returns the number of elements as an int64 scalar tensor: -1 = infinite
        (`INFINITE_CARDINALITY`), -2 = unknown (`UNKNOWN_CARDINALITY`), as TensorFlow.

        Example:
        >>> int(Dataset.range(10).batch(3).cardinality())
        4
        """
        return wrap(np.int64(self._card))

    def __len__(self):
        if self._card == INFINITE:
            raise TypeError("The dataset is infinite.")
        if self._card == UNKNOWN:
            raise TypeError("The dataset length is unknown.")
        return self._card

    def __bool__(self):
        return True

    @property
    def element_spec(self):
        """The TensorSpec structure of one element (computed from the first element when it
        cannot be derived statically, e.g. after `map`)."""
        if callable(self._spec):
            self._spec = self._spec()
        if self._spec is None:
            it = self._numpy_iter()
            first = next(it, None)
            threads.close(it)
            if first is None:
                raise ValueError("Dataset.element_spec: the dataset is empty and its element "
                                 "type cannot be inferred.")
            self._spec = st.spec_of(first)
        return self._spec

    def __repr__(self):
        try:
            spec = self.element_spec
        except ValueError:
            spec = "unknown"
        return f"<{type(self).__name__} element_spec={spec}>"

    def _derive(self, make_iter, cardinality, spec=None, rows=None):
        return Dataset(make_iter, cardinality, spec, rows)

    # ----- sources -------------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors, name=None):
        """Creates a dataset whose elements are slices of `tensors` along their first axis.

        Args:
            tensors: a tensor, array, list, or nested tuple/dict of them, all with the same
                first dimension.

        Example:
        >>> ds = Dataset.from_tensor_slices(({"a": [1, 2]}, [3.0, 4.0]))
        >>> [(e[0]["a"].numpy(), e[1].numpy()) for e in ds]
        [(np.int32(1), np.float32(3.0)), (np.int32(2), np.float32(4.0))]
        """
        arrays = st.to_element(tensors)
        leaves = st.flatten(arrays)
        if any(a.ndim == 0 for a in leaves):
            raise ValueError("Dataset.from_tensor_slices: every component needs at least one "
                             "dimension to slice; received a scalar. Use from_tensors for one "
                             "element.")
        sizes = {a.shape[0] for a in leaves}
        if len(sizes) > 1:
            raise ValueError("Dataset.from_tensor_slices: all components must have the same "
                             f"first dimension. Received sizes {sorted(sizes)} for shapes "
                             f"{[a.shape for a in leaves]}.")
        n = sizes.pop()
        spec = st.map_leaves(lambda a: st.TensorSpec.from_array(a, 0, drop=1), arrays)
        return Dataset(None, n, spec,
            _Rows(arrays, lambda: iter(range(n))))

    @staticmethod
    def from_tensors(tensors, name=None):
        """Creates a dataset with a single element, `tensors`.

        Example:
        >>> [t.numpy().tolist() for t in Dataset.from_tensors([1, 2])]
        [[1, 2]]
        """
        element = st.to_element(tensors)
        return Dataset(lambda: iter((element,)), 1, st.spec_of(element))

    @staticmethod
    def range(*args, dtype="int64", name=None):
        """Creates a dataset of evenly spaced integers, as Python's `range` (int64 elements).

        Example:
        >>> [int(x) for x in Dataset.range(1, 8, 3)]
        [1, 4, 7]
        """
        r = range(*(_count(a, "range argument", "range") for a in args))
        dt = st.np_dtype(dtype)
        return Dataset(lambda: (np.array(i, dt) for i in r), len(r),
                       st.TensorSpec((), dtype))

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None,
                       output_signature=None, name=None):
        """Creates a dataset from a Python generator function, called anew for every pass.

        Args:
            generator: a callable returning an iterator (called with `*args`).
            output_types: (legacy) a structure of dtypes.
            output_shapes: (legacy) a structure of shapes, None for unknown dimensions.
            args: a tuple of arguments for `generator`.
            output_signature: a structure of `TensorSpec`s (preferred).

        Each yielded value is converted to the declared dtype and its shape checked.

        Example:
        >>> def gen():
        ...     yield from ([1, 2], [3, 4])
        >>> ds = Dataset.from_generator(
        ...     gen, output_signature=fluxion.data.TensorSpec((2,), fluxion.int32))
        >>> [t.numpy().tolist() for t in ds]
        [[1, 2], [3, 4]]
        """
        if not callable(generator):
            raise TypeError("Dataset.from_generator: `generator` must be a callable that "
                            f"returns an iterator. Received: {type(generator).__name__}.")
        if output_signature is None:
            if output_types is None:
                raise TypeError("Dataset.from_generator: pass output_signature (or the legacy "
                                "output_types) to describe the elements.")
            if output_shapes is None:
                output_shapes = st.map_leaves(lambda _: None, output_types)
            flat_shapes = _flatten_shapes(output_types, output_shapes)
            output_signature = st.pack(output_types, [
                st.TensorSpec(shape if shape is not None else (), dtype)
                for dtype, shape in zip(st.flatten(output_types), flat_shapes)])
            unknown_rank = [shape is None for shape in flat_shapes]
        else:
            unknown_rank = [False] * len(st.flatten(output_signature))
        specs = st.flatten(output_signature)
        call_args = tuple(args or ())

        def make():
            for value in generator(*call_args):
                leaves = st.flatten(value) if st.is_structure(output_signature) else [value]
                if len(leaves) != len(specs):
                    raise TypeError("Dataset.from_generator: the generator yielded "
                                    f"{len(leaves)} components, but the signature declares "
                                    f"{len(specs)}: {output_signature}.")
                out = []
                for leaf, spec, free in zip(leaves, specs, unknown_rank):
                    try:
                        array = st.to_array(leaf, st.np_dtype(spec.dtype))
                    except (TypeError, ValueError) as e:
                        raise TypeError(f"Dataset.from_generator: cannot convert {leaf!r} to "
                                        f"{spec.dtype}: {e}") from None
                    if not free and not spec.is_compatible_with(array):
                        raise ValueError(f"Dataset.from_generator: the generator yielded an "
                                         f"element of shape {array.shape}, which does not "
                                         f"match the declared shape {spec.shape}.")
                    out.append(array)
                yield st.pack(output_signature, out)

        return Dataset(make, UNKNOWN, output_signature if not any(unknown_rank) else None)

    @staticmethod
    def zip(*datasets, name=None):
        """Zips datasets: element i is the structure of the datasets' elements i.

        Accepts a tuple/dict of datasets, or datasets as positional arguments; stops at the
        shortest.

        Example:
        >>> a, b = Dataset.range(3), Dataset.range(10, 12)
        >>> [(int(x), int(y)) for x, y in Dataset.zip(a, b)]
        [(0, 10), (1, 11)]
        """
        structure = datasets[0] if len(datasets) == 1 else tuple(datasets)
        members = st.flatten(structure)
        if not members or not all(isinstance(d, Dataset) for d in members):
            raise TypeError("Dataset.zip: expected datasets, or a tuple/dict of datasets. "
                            f"Received: {structure!r}.")
        cards = [d._card for d in members]
        if UNKNOWN in cards:
            card = UNKNOWN
        elif all(c == INFINITE for c in cards):
            card = INFINITE
        else:
            card = min(c for c in cards if c >= 0)

        def make():
            iterators = [d._numpy_iter() for d in members]
            for elements in zip(*iterators):
                yield st.pack(structure, elements)

        return Dataset(make, card, lambda: st.pack(structure,
                                                   [d.element_spec for d in members]))

    # ----- transformations -----------------------------------------------------------------------
    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """Applies `map_func` to each element (tuples are unpacked into arguments).

        The function receives Tensors, so fluxion ops work inside it; it may return tensors,
        arrays or Python values in any tuple/dict structure. With `num_parallel_calls` (an int
        or `AUTOTUNE`) it runs on that many background threads; the output order is always
        the input order.

        Example:
        >>> [int(x) for x in Dataset.range(4).map(lambda x: x * x, num_parallel_calls=2)]
        [0, 1, 4, 9]
        """
        def apply(element):
            args = st.to_tensors(element)
            out = map_func(*args) if isinstance(args, tuple) and not hasattr(args, "_fields") \
                else map_func(args)
            return st.to_element(out)

        workers = _parallelism(num_parallel_calls, "map")
        if workers <= 1:
            make = lambda: (apply(e) for e in self._numpy_iter())  # noqa: E731
        else:
            make = lambda: threads.parallel_map(apply, self._numpy_iter(), workers)  # noqa
        return self._derive(make, self._card)

    def filter(self, predicate, name=None):
        """Keeps the elements for which `predicate` (given Tensors) returns True.

        Example:
        >>> [int(x) for x in Dataset.range(6).filter(lambda x: x % 2 == 1)]
        [1, 3, 5]
        """
        def keep(element):
            args = st.to_tensors(element)
            result = predicate(*args) if isinstance(args, tuple) and \
                not hasattr(args, "_fields") else predicate(args)
            value = np.asarray(result)
            if value.shape != () or value.dtype != np.bool_:
                raise TypeError("Dataset.filter: the predicate must return a scalar bool. "
                                f"Received dtype {value.dtype} and shape {value.shape}.")
            return bool(value)

        return self._derive(lambda: (e for e in self._numpy_iter() if keep(e)), UNKNOWN,
                            lambda: self.element_spec)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None):
        """Shuffles with a buffer of `buffer_size` elements, as `tf.data`.

        The buffer is filled with the first `buffer_size` elements; each output is a uniformly
        random element of the buffer, replaced by the next input. A buffer at least as large as
        the dataset gives a uniform shuffle. With a `seed` the orders are reproducible: pass 1,
        2, ... of a dataset give the same sequence of orders every time the program runs
        (the same order every pass if `reshuffle_each_iteration=False`).

        Example:
        >>> ds = Dataset.range(5).shuffle(5, seed=1)
        >>> sorted(int(x) for x in ds)
        [0, 1, 2, 3, 4]
        """
        buffer_size = _count(buffer_size, "buffer_size", "shuffle")
        if buffer_size == AUTOTUNE:
            buffer_size = 1024
        if buffer_size <= 0:
            raise ValueError("Dataset.shuffle: buffer_size must be positive. Received: "
                             f"buffer_size={buffer_size}.")
        base = int(seed) if seed is not None else int(np.random.SeedSequence().entropy % 2**63)
        passes = itertools.count()

        def pass_seed():
            return [base, next(passes)] if reshuffle_each_iteration else [base, 0]

        def shuffled(source):
            return _buffer_shuffle(source, buffer_size, np.random.default_rng(pass_seed()))

        if self._rows is not None:
            rows = self._rows
            return self._derive(None, self._card, self._spec,
                                rows.derive(lambda: shuffled(rows.indices())))
        return self._derive(lambda: shuffled(self._numpy_iter()), self._card,
                            lambda: self.element_spec)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None):
        """Combines consecutive elements into batches (a new first axis).

        Example:
        >>> [b.tolist() for b in Dataset.range(5).batch(2).as_numpy_iterator()]
        [[0, 1], [2, 3], [4]]
        """
        return self._batched(batch_size, drop_remainder, None, None, "batch")

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder=False, name=None):
        """Batches elements of different shapes, padding each to a common shape.

        Args:
            batch_size: elements per batch.
            padded_shapes: a structure of shapes; None (or a None dimension) pads to the
                largest size in the batch. Default: pad every dimension to the batch maximum.
            padding_values: a structure of scalars (default 0, or b"" for strings).
            drop_remainder: drop a last, smaller batch.

        Example:
        >>> ds = Dataset.from_generator(lambda: iter([[1], [2, 3]]),
        ...                             output_signature=fluxion.data.TensorSpec((None,),
        ...                                                                    fluxion.int32))
        >>> next(ds.padded_batch(2).as_numpy_iterator()).tolist()
        [[1, 0], [2, 3]]
        """
        return self._batched(batch_size, drop_remainder, padded_shapes, padding_values,
                             "padded_batch", padded=True)

    def _batched(self, batch_size, drop_remainder, padded_shapes, padding_values, op,
                 padded=False):
        batch_size = _count(batch_size, "batch_size", op)
        if batch_size <= 0:
            raise ValueError(f"Dataset.{op}: batch_size must be positive. Received: "
                             f"batch_size={batch_size}.")
        card = self._card
        if card >= 0:
            card = card // batch_size if drop_remainder else math.ceil(card / batch_size)
        rows = self._rows
        stack = _Padder(padded_shapes, padding_values, op) if padded else _stack

        def make():
            if rows is not None and not padded:
                indices = rows.indices()
                while True:
                    chunk = np.fromiter(itertools.islice(indices, batch_size), dtype=np.int64)
                    if not len(chunk) or (drop_remainder and len(chunk) < batch_size):
                        return
                    yield rows.gather(chunk)
            it = self._numpy_iter()
            while True:
                chunk = list(itertools.islice(it, batch_size))
                if not chunk or (drop_remainder and len(chunk) < batch_size):
                    return
                yield stack(chunk)

        def spec():
            first = 0 if not drop_remainder else batch_size
            return st.map_leaves(lambda s: st.TensorSpec((first or None,) + tuple(
                None if padded else d for d in s.shape), s.dtype), self.element_spec)

        return self._derive(make, card, spec)

    def unbatch(self, name=None):
        """Splits each element into the slices along its first axis (the inverse of batch).

        Example:
        >>> [int(x) for x in Dataset.range(5).batch(2).unbatch()]
        [0, 1, 2, 3, 4]
        """
        def make():
            for element in self._numpy_iter():
                leaves = st.flatten(element)
                sizes = {len(a) for a in leaves}
                if len(sizes) > 1:
                    raise ValueError("Dataset.unbatch: the components of an element have "
                                     f"different first dimensions {sorted(sizes)}.")
                for i in range(sizes.pop() if sizes else 0):
                    yield st.pack(element, [a[i] for a in leaves])

        return self._derive(make, UNKNOWN, lambda: st.map_leaves(
            lambda s: st.TensorSpec(s.shape[1:], s.dtype), self.element_spec))

    def repeat(self, count=None, name=None):
        """Repeats the dataset `count` times (forever if None or -1).

        Example:
        >>> [int(x) for x in Dataset.range(2).repeat(2)]
        [0, 1, 0, 1]
        """
        count = -1 if count is None else _count(count, "count", "repeat")
        card = self._card
        if card == 0 or count == 0:
            card = 0
        elif count < 0:
            card = INFINITE
        elif card > 0:
            card *= count
        def make(source):
            for _ in (itertools.count() if count < 0 else range(count)):
                empty = True
                for e in source():
                    empty = False
                    yield e
                if empty:
                    return

        if self._rows is not None:
            rows = self._rows
            return self._derive(None, card, self._spec,
                                rows.derive(lambda: make(rows.indices)))
        return self._derive(lambda: make(self._numpy_iter), card, lambda: self.element_spec)

    def take(self, count, name=None):
        """Keeps the first `count` elements (all if -1).

        Example:
        >>> [int(x) for x in Dataset.range(10).take(3)]
        [0, 1, 2]
        """
        count = _count(count, "count", "take")
        card = self._card
        if count >= 0:
            card = count if card == INFINITE else (min(card, count) if card >= 0 else UNKNOWN)
        stop = None if count < 0 else count
        return self._sliced(lambda it: itertools.islice(it, stop), card)

    def skip(self, count, name=None):
        """Drops the first `count` elements (all if -1).

        Example:
        >>> [int(x) for x in Dataset.range(5).skip(3)]
        [3, 4]
        """
        count = _count(count, "count", "skip")
        card = self._card
        if count < 0:
            card = 0
        elif card >= 0:
            card = max(card - count, 0)
        if count < 0:
            return self._sliced(lambda it: iter(()), card)
        return self._sliced(lambda it: itertools.islice(it, count, None), card)

    def _sliced(self, cut, card):
        if self._rows is not None:
            rows = self._rows
            return self._derive(None, card, self._spec, rows.derive(lambda: cut(rows.indices())))
        return self._derive(lambda: cut(self._numpy_iter()), card, lambda: self.element_spec)

    def concatenate(self, dataset, name=None):
        """Returns the elements of this dataset followed by those of `dataset`.

        Example:
        >>> [int(x) for x in Dataset.range(2).concatenate(Dataset.range(5, 6))]
        [0, 1, 5]
        """
        a, b = self._card, dataset._card
        card = INFINITE if INFINITE in (a, b) else (UNKNOWN if UNKNOWN in (a, b) else a + b)
        return self._derive(lambda: itertools.chain(self._numpy_iter(), dataset._numpy_iter()),
                            card, lambda: self.element_spec)

    def enumerate(self, start=0, name=None):
        """Pairs each element with its int64 index: `(i, element)`.

        Example:
        >>> [(int(i), int(x)) for i, x in Dataset.range(5, 7).enumerate()]
        [(0, 5), (1, 6)]
        """
        def make():
            for i, e in enumerate(self._numpy_iter(), start):
                yield np.array(i, np.int64), e

        return self._derive(make, self._card,
                            lambda: (st.TensorSpec((), "int64"), self.element_spec))

    def prefetch(self, buffer_size, name=None):
        """Prepares up to `buffer_size` elements ahead on a background thread (`AUTOTUNE` ok),
        so producing the next elements overlaps with consuming the current one.

        Example:
        >>> [int(x) for x in Dataset.range(3).prefetch(fluxion.data.AUTOTUNE)]
        [0, 1, 2]
        """
        size = _count(buffer_size, "buffer_size", "prefetch")
        size = _AUTOTUNE_BUFFER if size == AUTOTUNE else size
        if size < 0:
            raise ValueError(f"Dataset.prefetch: buffer_size must be >= 0 or AUTOTUNE. "
                             f"Received: {buffer_size}.")
        if size == 0:
            return self
        return self._derive(lambda: threads.prefetch(self._numpy_iter, size), self._card,
                            lambda: self.element_spec)

    def cache(self, filename="", name=None):
        """Caches the elements: in memory (default) or in the file `filename`.

        The first complete pass fills the cache (a file is written to a temporary name and
        renamed when the pass completes); later passes read from it (a file cache streams,
        holding one element at a time). An interrupted first pass leaves no cache behind.

        Example:
        >>> ds = Dataset.range(3).map(lambda x: x + 1).cache()
        >>> [int(x) for x in ds] == [int(x) for x in ds] == [1, 2, 3]
        True
        """
        from .cache import file_cache, memory_cache
        make = file_cache(self._numpy_iter, os.fspath(filename)) if filename else \
            memory_cache(self._numpy_iter)
        return self._derive(make, self._card, lambda: self.element_spec)

    def apply(self, transformation_func):
        """Returns `transformation_func(self)`."""
        return transformation_func(self)

    def reduce(self, initial_state, reduce_func):
        """Folds the elements into one value: `state = reduce_func(state, element)`.

        Example:
        >>> int(Dataset.range(5).reduce(np.int64(0), lambda s, x: s + x))
        10
        """
        state = st.to_element(initial_state)
        for element in self._numpy_iter():
            out = reduce_func(st.to_tensors(state), st.to_tensors(element))
            state = st.to_element(out)
        return st.to_tensors(state)


class Iterator:
    """An iterator over a Dataset's elements as Tensors (what `iter(dataset)` returns)."""

    def __init__(self, dataset):
        self._dataset = dataset
        self._it = dataset._numpy_iter()

    def __iter__(self):
        return self

    def __next__(self):
        return st.to_tensors(next(self._it))

    def get_next(self):
        return next(self)

    @property
    def element_spec(self):
        return self._dataset.element_spec

    def close(self):
        close = getattr(self._it, "close", None)
        if close is not None:
            close()

    def __del__(self):
        self.close()


def _parallelism(num_parallel_calls, op):
    if num_parallel_calls is None:
        return 1
    n = _count(num_parallel_calls, "num_parallel_calls", op)
    if n == AUTOTUNE:
        return max(2, os.cpu_count() or 2)
    if n <= 0:
        raise ValueError(f"Dataset.{op}: num_parallel_calls must be positive or AUTOTUNE. "
                         f"Received: {num_parallel_calls}.")
    return n


def _buffer_shuffle(source, buffer_size, rng):
    buffer = list(itertools.islice(source, buffer_size))
    draws, k = rng.random(1024), 0
    for item in source:
        if k == len(draws):
            draws, k = rng.random(1024), 0
        i = int(draws[k] * len(buffer))
        k += 1
        yield buffer[i]
        buffer[i] = item
    order = rng.permutation(len(buffer))
    for i in order:
        yield buffer[i]


def _stack(elements):
    leaves = [st.flatten(e) for e in elements]
    out = []
    for j, column in enumerate(zip(*leaves)):
        shapes = {a.shape for a in column}
        if len(shapes) > 1:
            raise ValueError(f"Dataset.batch: cannot batch elements of different shapes "
                             f"{sorted(shapes)} (component {j}). Use padded_batch to pad them "
                             "to a common shape.")
        out.append(np.stack(column))
    return st.pack(elements[0], out)


class _Padder:
    """Stacks elements after padding each component to the batch's (or a given) shape."""

    def __init__(self, padded_shapes, padding_values, op):
        self.shapes, self.values, self.op = padded_shapes, padding_values, op

    def __call__(self, elements):
        template = elements[0]
        columns = list(zip(*[st.flatten(e) for e in elements]))
        n = len(columns)
        shapes = _flatten_shapes(template, self.shapes) if self.shapes is not None else \
            [None] * n
        values = st.flatten(self.values) if st.is_structure(self.values) else \
            [self.values] * n
        out = []
        for column, shape, value in zip(columns, shapes, values):
            ranks = {a.ndim for a in column}
            if len(ranks) > 1:
                raise ValueError(f"Dataset.{self.op}: components of different ranks "
                                 f"{sorted(ranks)} cannot be padded together.")
            biggest = np.max([a.shape for a in column], axis=0) if column[0].ndim else ()
            target = list(biggest) if shape is None else [
                int(b) if d is None or d == -1 else int(d) for d, b in zip(shape, biggest)]
            for a in column:
                if any(s > t for s, t in zip(a.shape, target)):
                    raise ValueError(f"Dataset.{self.op}: an element of shape {a.shape} does "
                                     f"not fit the padded shape {tuple(target)}.")
            fill = value if value is not None else (b"" if column[0].dtype.kind == "S" else 0)
            batch = np.full([len(column)] + target, fill, dtype=column[0].dtype)
            for i, a in enumerate(column):
                batch[(i,) + tuple(slice(0, s) for s in a.shape)] = a
            out.append(batch)
        return st.pack(template, out)


def _flatten_shapes(template, shapes):
    """Flattens a structure of shapes (tuples/lists of dims are leaves, not structure)."""
    if isinstance(template, dict):
        return [s for k in sorted(template) for s in _flatten_shapes(template[k], shapes[k])]
    if isinstance(template, tuple):
        return [s for t, sh in zip(template, shapes) for s in _flatten_shapes(t, sh)]
    if shapes is None:
        return [None]
    return [tuple(shapes) if not hasattr(shapes, "as_list") else tuple(shapes.as_list())]
