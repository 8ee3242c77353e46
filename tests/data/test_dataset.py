"""fluxion.data.Dataset: every transformation against a list-based reference."""
import gc
import gzip
import threading
import time
import tracemalloc

import numpy as np
import pytest

import fluxion as tf
from fluxion.data import (
    AUTOTUNE,
    INFINITE_CARDINALITY,
    UNKNOWN_CARDINALITY,
    Dataset,
    TensorSpec,
    TextLineDataset,
)


def values(ds):
    """Elements as plain Python (lists/numbers/tuples/dicts) for comparisons."""
    def plain(x):
        if isinstance(x, dict):
            return {k: plain(v) for k, v in x.items()}
        if isinstance(x, tuple):
            return tuple(plain(v) for v in x)
        return np.asarray(x).tolist()
    return [plain(e) for e in ds.as_numpy_iterator()]


def card(ds):
    return int(ds.cardinality())


def test_from_tensor_slices_structures_and_dtypes():
    ds = Dataset.from_tensor_slices(([1, 2, 3], {"f": [[1.0], [2.0], [3.0]]}))
    assert values(ds) == [(1, {"f": [1.0]}), (2, {"f": [2.0]}), (3, {"f": [3.0]})]
    x, d = next(iter(ds))
    assert isinstance(x, tf.Tensor) and x.dtype == tf.int32 and d["f"].dtype == tf.float32
    assert ds.element_spec == (TensorSpec((), tf.int32), {"f": TensorSpec((1,), tf.float32)})
    assert card(ds) == 3 and len(ds) == 3
    arr = np.arange(6, dtype=np.float64).reshape(3, 2)
    assert next(Dataset.from_tensor_slices(arr).as_numpy_iterator()).dtype == np.float64
    assert values(Dataset.from_tensor_slices(tf.constant([4, 5]))) == [4, 5]
    with pytest.raises(ValueError, match="same first dimension"):
        Dataset.from_tensor_slices(([1, 2], [1, 2, 3]))
    with pytest.raises(ValueError, match="scalar"):
        Dataset.from_tensor_slices(1.0)


def test_numpy_iterator_and_tensor_iteration():
    ds = Dataset.range(3)
    assert [type(v) for v in ds.as_numpy_iterator()] == [np.int64] * 3
    assert [repr(t) for t in ds][:1] == ["<tf.Tensor: shape=(), dtype=int64, numpy=0>"]
    assert repr(ds.element_spec) == "TensorSpec(shape=(), dtype=tf.int64, name=None)"


def test_sources():
    assert values(Dataset.from_tensors([1, 2])) == [[1, 2]]
    assert card(Dataset.from_tensors([1, 2])) == 1
    assert values(Dataset.range(2, 9, 3)) == [2, 5, 8] and card(Dataset.range(2, 9, 3)) == 3
    assert values(Dataset.range(5, 0, -2)) == [5, 3, 1]
    assert values(Dataset.range(3, dtype=tf.int32)) == [0, 1, 2]


def test_from_generator_signature_and_legacy_types():
    def gen(n):
        for i in range(int(n)):
            yield i, [float(i)] * (i + 1)
    sig = (TensorSpec((), tf.int64), TensorSpec((None,), tf.float32))
    ds = Dataset.from_generator(gen, output_signature=sig, args=(3,))
    assert values(ds) == [(0, [0.0]), (1, [1.0, 1.0]), (2, [2.0, 2.0, 2.0])]
    assert values(ds) == values(ds)  # the generator is called anew for every pass
    assert card(ds) == UNKNOWN_CARDINALITY and ds.element_spec == sig
    first = next(ds.as_numpy_iterator())
    assert first[0].dtype == np.int64 and first[1].dtype == np.float32
    legacy = Dataset.from_generator(lambda: iter([[1, 2], [3, 4]]), output_types=tf.int32,
                                    output_shapes=(2,))
    assert values(legacy) == [[1, 2], [3, 4]]
    bad = Dataset.from_generator(lambda: iter([[1, 2, 3]]),
                                 output_signature=TensorSpec((2,), tf.int32))
    with pytest.raises(ValueError, match="from_generator.*shape"):
        values(bad)


def test_zip_concatenate_enumerate():
    a, b = Dataset.range(3), Dataset.from_tensor_slices([10, 20])
    assert values(Dataset.zip((a, b))) == [(0, 10), (1, 20)]
    assert values(Dataset.zip(a, b)) == [(0, 10), (1, 20)]
    assert values(Dataset.zip({"x": a, "y": b})) == [{"x": 0, "y": 10}, {"x": 1, "y": 20}]
    assert card(Dataset.zip(a, b)) == 2 and card(Dataset.zip(a, a.repeat())) == 3
    assert values(a.concatenate(Dataset.range(7, 9))) == [0, 1, 2, 7, 8]
    assert card(a.concatenate(a)) == 6 and card(a.concatenate(a.repeat())) == INFINITE_CARDINALITY
    assert values(b.enumerate(start=5)) == [(5, 10), (6, 20)]
    with pytest.raises(TypeError, match="zip"):
        Dataset.zip([1, 2])


def test_map_receives_tensors_and_unpacks_tuples():
    ds = Dataset.from_tensor_slices(([1.0, 2.0], [3.0, 4.0]))
    seen = []

    def f(x, y):
        seen.append(type(x))
        return {"sum": tf.add(x, y), "twice": x * 2.0}
    out = ds.map(f)
    assert values(out) == [{"sum": 4.0, "twice": 2.0}, {"sum": 6.0, "twice": 4.0}]
    assert seen[0] is tf.Tensor and card(out) == 2
    assert out.element_spec == {"sum": TensorSpec((), tf.float32),
                                "twice": TensorSpec((), tf.float32)}
    assert values(Dataset.range(3).map(lambda x: (x, 1))) == [(0, 1), (1, 1), (2, 1)]


@pytest.mark.parametrize("calls", [2, 4, AUTOTUNE])
def test_parallel_map_keeps_order(calls):
    rng = np.random.RandomState(0)
    delays = rng.uniform(0, 0.004, 40)

    def slow(x):
        time.sleep(delays[int(x)])
        return x * x
    assert values(Dataset.range(40).map(slow, num_parallel_calls=calls)) == \
        [i * i for i in range(40)]


def test_map_errors_propagate_from_threads():
    def boom(x):
        if int(x) == 3:
            raise RuntimeError("bad element 3")
        return x
    with pytest.raises(RuntimeError, match="bad element 3"):
        values(Dataset.range(10).map(boom, num_parallel_calls=3).prefetch(2))


def test_filter():
    ds = Dataset.range(10).filter(lambda x: tf.equal(x % 3, 0))
    assert values(ds) == [0, 3, 6, 9] and card(ds) == UNKNOWN_CARDINALITY
    with pytest.raises(TypeError, match="scalar bool"):
        values(Dataset.range(3).filter(lambda x: x))


@pytest.mark.parametrize("source", ["slices", "generator"])
def test_batch(source):
    data = np.arange(14).reshape(7, 2)
    ds = Dataset.from_tensor_slices(data) if source == "slices" else Dataset.from_generator(
        lambda: iter(data), output_signature=TensorSpec((2,), tf.int64))
    assert values(ds.batch(3)) == [data[:3].tolist(), data[3:6].tolist(), data[6:].tolist()]
    assert values(ds.batch(3, drop_remainder=True)) == [data[:3].tolist(), data[3:6].tolist()]
    if source == "slices":
        assert card(ds.batch(3)) == 3 and card(ds.batch(3, drop_remainder=True)) == 2
        assert ds.batch(3).element_spec.shape.as_list() == [None, 2]
        assert ds.batch(3, drop_remainder=True).element_spec.shape.as_list() == [3, 2]
    with pytest.raises(ValueError, match="batch_size"):
        ds.batch(0)


def test_batch_of_structures_and_ragged_error():
    ds = Dataset.from_tensor_slices({"a": [1, 2, 3], "b": [[1, 1], [2, 2], [3, 3]]})
    assert values(ds.batch(2)) == [{"a": [1, 2], "b": [[1, 1], [2, 2]]},
                                   {"a": [3], "b": [[3, 3]]}]
    ragged = Dataset.from_generator(lambda: iter([[1], [1, 2]]),
                                    output_signature=TensorSpec((None,), tf.int32))
    with pytest.raises(ValueError, match="padded_batch"):
        values(ragged.batch(2))


def test_padded_batch():
    seqs = [[1], [2, 3], [4, 5, 6], [7]]
    ds = Dataset.from_generator(lambda: iter(seqs),
                                output_signature=TensorSpec((None,), tf.int32))
    assert values(ds.padded_batch(2)) == [[[1, 0], [2, 3]], [[4, 5, 6], [7, 0, 0]]]
    assert values(ds.padded_batch(3, padded_shapes=(4,), padding_values=-1)) == \
        [[[1, -1, -1, -1], [2, 3, -1, -1], [4, 5, 6, -1]], [[7, -1, -1, -1]]]
    assert values(ds.padded_batch(3, drop_remainder=True)) == [[[1, 0, 0], [2, 3, 0],
                                                                [4, 5, 6]]]
    pairs = Dataset.zip(ds, Dataset.range(4))
    assert values(pairs.padded_batch(2, padded_shapes=([None], []))) == \
        [([[1, 0], [2, 3]], [0, 1]), ([[4, 5, 6], [7, 0, 0]], [2, 3])]
    with pytest.raises(ValueError, match="does not fit"):
        values(ds.padded_batch(3, padded_shapes=(2,)))


def test_unbatch_repeat_take_skip():
    ds = Dataset.range(5)
    assert values(ds.batch(2).unbatch()) == [0, 1, 2, 3, 4]
    assert values(ds.take(2).repeat(3)) == [0, 1] * 3 and card(ds.take(2).repeat(3)) == 6
    assert card(ds.repeat()) == INFINITE_CARDINALITY
    assert values(ds.repeat().take(7)) == [0, 1, 2, 3, 4, 0, 1]
    assert card(ds.repeat().take(7)) == 7
    assert values(ds.skip(3)) == [3, 4] and card(ds.skip(3)) == 2 and card(ds.skip(9)) == 0
    assert values(ds.take(-1)) == values(ds) and values(ds.skip(-1)) == []
    assert values(ds.filter(lambda x: x > 10).repeat()) == []  # empty repeat ends
    with pytest.raises(TypeError, match="infinite"):
        len(ds.repeat())
    with pytest.raises(TypeError, match="unknown"):
        len(ds.filter(lambda x: x > 1))
    sliced = Dataset.from_tensor_slices(np.arange(10))
    assert values(sliced.skip(2).take(3).repeat(2)) == [2, 3, 4] * 2


def _epoch_orders(ds, epochs):
    return [values(ds) for _ in range(epochs)]


def test_shuffle_is_a_reproducible_permutation():
    ds = Dataset.range(50).shuffle(50, seed=42)
    orders = _epoch_orders(ds, 3)
    assert all(sorted(o) == list(range(50)) for o in orders)
    assert orders[0] != orders[1] != orders[2]  # reshuffled every epoch
    assert _epoch_orders(Dataset.range(50).shuffle(50, seed=42), 3) == orders  # reproducible
    assert values(Dataset.range(50).shuffle(50, seed=7)) != orders[0]
    fixed = Dataset.range(50).shuffle(50, seed=1, reshuffle_each_iteration=False)
    assert len({tuple(o) for o in _epoch_orders(fixed, 3)}) == 1
    unseeded = Dataset.range(50).shuffle(50, reshuffle_each_iteration=False)
    assert values(unseeded) == values(unseeded)
    assert values(Dataset.range(10).shuffle(1, seed=3)) == list(range(10))


def test_shuffle_buffer_semantics():
    # With a buffer of k, output i is drawn from inputs 0 .. i+k-1 only.
    for seed in range(5):
        out = values(Dataset.range(100).shuffle(4, seed=seed))
        assert sorted(out) == list(range(100))
        assert all(v <= i + 3 for i, v in enumerate(out))


def test_shuffle_fast_path_equals_generic_path():
    data = np.arange(30)
    slices = Dataset.from_tensor_slices(data).shuffle(8, seed=5).batch(4)
    gen = Dataset.from_generator(lambda: iter(data), output_signature=TensorSpec((), tf.int64))
    assert values(slices) == values(gen.shuffle(8, seed=5).batch(4))


def test_memory_cache_computes_once():
    calls = []

    def f(x):
        calls.append(int(x))
        return x + 1
    ds = Dataset.range(4).map(f).cache()
    assert values(ds) == values(ds) == [1, 2, 3, 4]
    assert calls == [0, 1, 2, 3]
    partial = Dataset.range(4).map(f).cache()
    calls.clear()
    it = partial.as_numpy_iterator()
    next(it)
    del it
    assert values(partial) == [1, 2, 3, 4] and calls == [0, 0, 1, 2, 3]  # partial pass dropped


def test_file_cache_streams_from_disk(tmp_path):
    path = tmp_path / "cache.bin"
    calls = []

    def f(x):
        calls.append(int(x))
        return {"v": tf.cast(x, tf.float32), "pair": (x, x * 2)}
    ds = Dataset.range(3).map(f).cache(str(path))
    it = ds.as_numpy_iterator()
    next(it)
    del it
    gc.collect()
    assert not path.exists() and list(tmp_path.iterdir()) == []  # nothing left behind
    first = values(ds)
    assert path.exists()
    calls.clear()
    assert values(ds) == first == [{"v": float(i), "pair": (i, 2 * i)} for i in range(3)]
    assert calls == []
    again = Dataset.range(3).map(f).cache(str(path))  # a new pipeline reuses the file
    assert values(again) == first and calls == []


def test_prefetch_overlaps_producer_and_consumer():
    def slow_source():
        for i in range(10):
            time.sleep(0.03)
            yield i
    ds = Dataset.from_generator(slow_source, output_signature=TensorSpec((), tf.int64))
    start = time.perf_counter()
    for _ in ds.prefetch(2):
        time.sleep(0.03)
    overlapped = time.perf_counter() - start
    # serial would take ~0.6 s; overlapped ~0.33 s. The margin is generous.
    assert overlapped < 0.5, overlapped
    assert values(ds.prefetch(AUTOTUNE)) == list(range(10))


def test_abandoned_iterators_do_not_leak_threads():
    ds = Dataset.range(1000).map(lambda x: x, num_parallel_calls=2).prefetch(3)
    before = threading.active_count()
    for _ in range(20):
        it = iter(ds)
        next(it)
        del it
    gc.collect()
    deadline = time.time() + 5
    while threading.active_count() > before and time.time() < deadline:
        time.sleep(0.05)
    assert threading.active_count() <= before


def test_reduce_and_element_spec_after_map():
    assert int(Dataset.range(5).reduce(np.int64(0), lambda s, x: s + x)) == 10
    ds = Dataset.range(3).map(lambda x: tf.cast(x, tf.float32) * [1.0, 2.0])
    assert ds.element_spec == TensorSpec((2,), tf.float32)


def test_text_line_dataset(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt.gz"
    a.write_bytes(b"first\r\nsecond\n\nlast")
    with gzip.open(b, "wb") as f:
        f.write(b"zipped 1\nzipped 2\n")
    assert values(TextLineDataset(str(a))) == [b"first", b"second", b"", b"last"]
    assert values(TextLineDataset([str(b)], compression_type="GZIP")) == [b"zipped 1",
                                                                           b"zipped 2"]
    ds = TextLineDataset(str(a))
    a.write_bytes(b"rewritten\n")  # read lazily, at iteration time
    assert values(ds) == [b"rewritten"] and card(ds) == UNKNOWN_CARDINALITY
    with pytest.raises(FileNotFoundError):
        TextLineDataset(str(tmp_path / "missing.txt"))


def test_text_line_dataset_streams_a_file_larger_than_its_footprint(tmp_path):
    path = tmp_path / "big.txt"
    line = b"x" * 99 + b"\n"
    with open(path, "wb") as f:
        for _ in range(80):
            f.write(line * 1000)  # 8 MB
    ds = TextLineDataset(str(path)).batch(500).prefetch(2)
    tracemalloc.start()
    count = sum(len(b) for b in ds.as_numpy_iterator())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 80_000
    assert peak < 2_000_000, peak  # a few batches in flight, never the 8 MB file


def test_unbatched_string_elements_iterate():
    ds = Dataset.from_tensor_slices(np.array(["a", "bc"]))
    assert [str(s) for s in ds.as_numpy_iterator()] == ["a", "bc"]
    assert [str(s) for s in ds] == ["a", "bc"]
