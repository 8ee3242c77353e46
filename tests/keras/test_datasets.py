"""keras.datasets: MNIST and IMDb on the real local copies; every loader's download path on small
files in the official formats, served from 127.0.0.1."""
import gzip
import hashlib
import io
import os
import pickle
import tarfile

import numpy as np
import pytest

from fluxion.keras import datasets
from fluxion.keras.datasets import _common, _sequences
from fluxion.keras.utils.file_utils import DownloadError

from .http_helper import serve

DATA = os.environ.get("FLUXION_DATA_DIR") or os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "shared", "data")


@pytest.fixture(autouse=True)
def local_data(monkeypatch, tmp_path):
    monkeypatch.setenv("FLUXION_DATA_DIR", os.path.abspath(DATA))
    monkeypatch.setenv("FLUXION_HOME", str(tmp_path / "home"))


@pytest.fixture
def served(monkeypatch, tmp_path):
    """No local copies; downloads come from a local server whose folder the test fills."""
    folder = tmp_path / "www"
    folder.mkdir()
    monkeypatch.setenv("FLUXION_DATA_DIR", str(tmp_path / "empty"))
    with serve(folder) as url:
        monkeypatch.setattr(_common, "ORIGIN_FOLDER", url)
        yield folder, url


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


# ----- MNIST ------------------------------------------------------------------------------------
def test_mnist_real_copy():
    (x_train, y_train), (x_test, y_test) = datasets.mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265,
                                             5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974,
                                            1009]
    assert round(float(x_train.mean()), 4) == 33.3184
    assert round(float(x_test.mean()), 4) == 33.7912


def test_mnist_idx_fallback_equals_npz(monkeypatch, tmp_path):
    folder = tmp_path / "data" / "mnist"
    folder.mkdir(parents=True)
    for name in datasets.mnist.IDX_FILES:
        os.symlink(os.path.abspath(os.path.join(DATA, "mnist", name)), folder / name)
    monkeypatch.setenv("FLUXION_DATA_DIR", str(tmp_path / "data"))
    (a, b), (c, d) = datasets.mnist.load_data()
    with np.load(os.path.join(DATA, "mnist", "mnist.npz")) as ref:
        for got, key in ((a, "x_train"), (b, "y_train"), (c, "x_test"), (d, "y_test")):
            np.testing.assert_array_equal(got, ref[key])


def test_mnist_offline_error_says_where_to_put_it(monkeypatch, tmp_path):
    monkeypatch.setenv("FLUXION_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(_common, "ORIGIN_FOLDER", "http://127.0.0.1:9/")
    with pytest.raises(DownloadError) as e:
        datasets.mnist.load_data()
    message = str(e.value)
    for part in ("mnist.npz", "http://127.0.0.1:9/mnist.npz", "FLUXION_DATA_DIR",
                 os.path.join(str(tmp_path / "home"), "datasets", "mnist.npz")):
        assert part in message


def _fake_mnist(path, n_train=6, n_test=4):
    rng = np.random.RandomState(0)
    arrays = {"x_train": rng.randint(0, 256, (n_train, 28, 28)).astype(np.uint8),
              "y_train": rng.randint(0, 10, n_train).astype(np.uint8),
              "x_test": rng.randint(0, 256, (n_test, 28, 28)).astype(np.uint8),
              "y_test": rng.randint(0, 10, n_test).astype(np.uint8)}
    np.savez_compressed(path, **arrays)
    return arrays


def test_mnist_download_verified_and_cached(served, monkeypatch, tmp_path):
    folder, _ = served
    arrays = _fake_mnist(folder / "mnist.npz")
    monkeypatch.setattr(datasets.mnist, "MNIST_SHA256", sha256(folder / "mnist.npz"))
    (x, y), (xt, yt) = datasets.mnist.load_data()
    np.testing.assert_array_equal(x, arrays["x_train"])
    np.testing.assert_array_equal(yt, arrays["y_test"])
    assert os.path.exists(tmp_path / "home" / "datasets" / "mnist.npz")
    monkeypatch.setattr(datasets.mnist, "MNIST_SHA256", "1" * 64)  # bad hash: rejected
    os.remove(tmp_path / "home" / "datasets" / "mnist.npz")
    with pytest.raises(ValueError, match="hash"):
        datasets.mnist.load_data()
    assert not os.path.exists(tmp_path / "home" / "datasets" / "mnist.npz")


def test_mnist_local_copy_structure_checked(monkeypatch, tmp_path):
    (tmp_path / "mnist").mkdir()
    np.savez(tmp_path / "mnist" / "mnist.npz", x_train=np.zeros((2, 28, 28), np.float32),
             y_train=np.zeros(2, np.uint8), x_test=np.zeros((1, 28, 28), np.uint8),
             y_test=np.zeros(1, np.uint8))
    monkeypatch.setenv("FLUXION_DATA_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="x_train.*float32"):
        datasets.mnist.load_data()


# ----- Fashion-MNIST ----------------------------------------------------------------------------
def _idx_gz(path, array):
    magic = (2051 if array.ndim == 3 else 2049).to_bytes(4, "big")
    header = magic + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def test_fashion_mnist_download(served, monkeypatch):
    folder, _ = served
    rng = np.random.RandomState(1)
    parts = {"train-images-idx3-ubyte.gz": rng.randint(0, 256, (5, 28, 28)),
             "train-labels-idx1-ubyte.gz": rng.randint(0, 10, 5),
             "t10k-images-idx3-ubyte.gz": rng.randint(0, 256, (3, 28, 28)),
             "t10k-labels-idx1-ubyte.gz": rng.randint(0, 10, 3)}
    for name, array in parts.items():
        _idx_gz(folder / name, array)
    monkeypatch.setattr(datasets.fashion_mnist, "FILE_HASHES",
                        {name: sha256(folder / name) for name in parts})
    (x, y), (xt, yt) = datasets.fashion_mnist.load_data()
    assert x.shape == (5, 28, 28) and xt.shape == (3, 28, 28) and x.dtype == np.uint8
    np.testing.assert_array_equal(x, parts["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(yt, parts["t10k-labels-idx1-ubyte.gz"])


# ----- CIFAR ------------------------------------------------------------------------------------
def _cifar_tar(path, top, batches):
    with tarfile.open(path, "w:gz") as tar:
        for name, content in batches.items():
            data = pickle.dumps(content, protocol=4)
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_cifar10_download(served, monkeypatch):
    folder, url = served
    rng = np.random.RandomState(2)
    batches = {f"data_batch_{i}": {b"data": rng.randint(0, 256, (2, 3072)).astype(np.uint8),
                                   b"labels": rng.randint(0, 10, 2).tolist()}
               for i in range(1, 6)}
    batches["test_batch"] = {b"data": rng.randint(0, 256, (3, 3072)).astype(np.uint8),
                             b"labels": [7, 8, 9]}
    _cifar_tar(folder / "cifar-10-python.tar.gz", "cifar-10-batches-py", batches)
    monkeypatch.setattr(datasets.cifar10, "CIFAR10_URL", url + "cifar-10-python.tar.gz")
    monkeypatch.setattr(datasets.cifar10, "CIFAR10_SHA256",
                        sha256(folder / "cifar-10-python.tar.gz"))
    (x, y), (xt, yt) = datasets.cifar10.load_data()
    assert x.shape == (10, 32, 32, 3) and y.shape == (10, 1) and x.dtype == y.dtype == np.uint8
    assert xt.shape == (3, 32, 32, 3) and yt.ravel().tolist() == [7, 8, 9]
    first = batches["data_batch_1"][b"data"][0].reshape(3, 32, 32)
    np.testing.assert_array_equal(x[0], first.transpose(1, 2, 0))  # channels last
    np.testing.assert_array_equal(y[8:, 0], batches["data_batch_5"][b"labels"])


def test_cifar100_download_and_label_modes(served, monkeypatch):
    folder, url = served
    rng = np.random.RandomState(3)
    split = lambda n: {b"data": rng.randint(0, 256, (n, 3072)).astype(np.uint8),  # noqa: E731
                       b"fine_labels": rng.randint(0, 100, n).tolist(),
                       b"coarse_labels": rng.randint(0, 20, n).tolist()}
    batches = {"train": split(4), "test": split(2)}
    _cifar_tar(folder / "cifar-100-python.tar.gz", "cifar-100-python", batches)
    monkeypatch.setattr(datasets.cifar100, "CIFAR100_URL", url + "cifar-100-python.tar.gz")
    monkeypatch.setattr(datasets.cifar100, "CIFAR100_SHA256",
                        sha256(folder / "cifar-100-python.tar.gz"))
    (x, y), (xt, yt) = datasets.cifar100.load_data()
    assert x.shape == (4, 32, 32, 3) and y.ravel().tolist() == batches["train"][b"fine_labels"]
    (_, y), _ = datasets.cifar100.load_data(label_mode="coarse")
    assert y.ravel().tolist() == batches["train"][b"coarse_labels"]
    with pytest.raises(ValueError, match="label_mode"):
        datasets.cifar100.load_data(label_mode="medium")


def test_cifar_refuses_unverified_archive(served, monkeypatch):
    folder, url = served
    _cifar_tar(folder / "cifar-10-python.tar.gz", "cifar-10-batches-py", {"x": {}})
    monkeypatch.setattr(datasets.cifar10, "CIFAR10_URL", url + "cifar-10-python.tar.gz")
    with pytest.raises(ValueError, match="hash"):
        datasets.cifar10.load_data()  # the official hash does not match the fake archive


# ----- Boston housing ---------------------------------------------------------------------------
def test_boston_housing_download(served, monkeypatch):
    folder, _ = served
    x = np.arange(20 * 13, dtype=np.float64).reshape(20, 13)
    y = np.arange(20, dtype=np.float64) + 0.5
    np.savez(folder / "boston_housing.npz", x=x, y=y)
    monkeypatch.setattr(datasets.boston_housing, "BOSTON_SHA256",
                        sha256(folder / "boston_housing.npz"))
    (xtr, ytr), (xte, yte) = datasets.boston_housing.load_data()
    order = list(range(20))
    np.random.RandomState(113).shuffle(order)
    assert xtr.shape == (16, 13) and xte.shape == (4, 13) and xtr.dtype == np.float64
    np.testing.assert_array_equal(ytr, y[order[:16]])
    np.testing.assert_array_equal(xte, x[order[16:]])


# ----- IMDb (real local copy) -------------------------------------------------------------------
@pytest.fixture(scope="module")
def imdb_default():
    old = os.environ.get("FLUXION_DATA_DIR")
    os.environ["FLUXION_DATA_DIR"] = os.path.abspath(DATA)
    try:
        return datasets.imdb.load_data()
    finally:
        if old is None:
            del os.environ["FLUXION_DATA_DIR"]
        else:
            os.environ["FLUXION_DATA_DIR"] = old


def test_imdb_published_facts(imdb_default):
    (x_train, y_train), (x_test, y_test) = imdb_default
    assert x_train.dtype == object and x_train.shape == (25000,) and x_test.shape == (25000,)
    assert y_train.dtype == np.int64 and np.bincount(y_train).tolist() == [12500, 12500]
    assert np.bincount(y_test).tolist() == [12500, 12500]
    assert x_train[0][:10] == [1, 14, 22, 16, 43, 530, 973, 1622, 1385, 65]
    assert len(x_train[0]) == 218 and x_train[0][-3:] == [19, 178, 32]
    assert x_test[0][:11] == [1, 591, 202, 14, 31, 6, 717, 10, 10, 18142, 10698]
    assert len(x_test[0]) == 68 and y_train[:10].tolist() == [1, 0, 0, 1, 0, 0, 1, 0, 1, 0]
    assert x_train[1534][9] == 2  # Keras's num_words quirk on the largest index
    train_len = np.array([len(s) for s in x_train])
    all_len = np.concatenate([train_len, [len(s) for s in x_test]])
    assert round(train_len.mean(), 5) == 238.71364 and train_len.max() == 2494
    assert max(len(s) for s in x_test) == 2315
    assert round(all_len.mean(), 2) == 234.76 and round(all_len.std(), 6) == 172.911495
    tokens = np.concatenate([np.concatenate(x_train), np.concatenate(x_test)])
    assert len(np.unique(tokens)) == 88585 and tokens.max() == 88586


def test_imdb_word_index_conventions(imdb_default):
    (x_train, _), _ = imdb_default
    word_index = datasets.imdb.get_word_index()
    assert len(word_index) == 88584 and word_index["the"] == 1
    inverted = {rank + 3: word for word, rank in word_index.items()}
    assert " ".join(inverted[i] for i in x_train[0][1:6]) == "this film was just brilliant"
    counts = np.bincount(np.concatenate(x_train))
    assert counts[4] == counts[3:].max()  # 4 = "the", the most frequent word
    assert counts[0] == 0 and counts[1] == 25000 and counts[3] == 0


def test_imdb_num_words_skip_top_maxlen(imdb_default):
    (x_default, y_default), (t_default, _) = imdb_default
    (x, y), (t, _) = datasets.imdb.load_data(num_words=10000)
    for got, ref in ((x[5], x_default[5]), (t[7], t_default[7])):
        assert got == [w if w < 10000 else 2 for w in ref]
    assert max(max(s) for s in x) == 9999
    (x, y), _ = datasets.imdb.load_data(maxlen=100)
    kept = [i for i, s in enumerate(x_default) if len(s) < 100]
    assert len(x) == len(kept) and x[3] == x_default[kept[3]]
    assert y.tolist() == y_default[kept].tolist()
    (x, _), _ = datasets.imdb.load_data(num_words=1000, skip_top=20)
    assert x[0][0] == 2 and x[0][1:4] == [w if 20 <= w < 1000 else 2 for w in x_default[0][1:4]]


def test_imdb_other_conventions(imdb_default):
    (x_default, _), _ = imdb_default
    (x, _), _ = datasets.imdb.load_data(start_char=None, index_from=0)
    assert x[0] == [w - 3 for w in x_default[0][1:]]
    (x, _), _ = datasets.imdb.load_data(num_words=100, oov_char=None)
    assert x[0] == [w for w in x_default[0] if w < 100]
    (x, y), _ = datasets.imdb.load_data(seed=1)
    assert x[0] != x_default[0]
    assert sorted(map(len, x)) == sorted(map(len, x_default))


# ----- IMDb / Reuters in the official (pickled) format ------------------------------------------
def _object_npz(path, **arrays):
    packed = {}
    for k, v in arrays.items():
        if isinstance(v, list):
            obj = np.empty(len(v), dtype=object)
            obj[:] = v
            v = obj
        packed[k] = v
    np.savez(path, **packed)


def keras_reference(splits, seed=113, start_char=1, oov_char=2, index_from=3, maxlen=None,
                    num_words=None, skip_top=0):
    """Keras's load_data steps written with plain lists."""
    rng = np.random.RandomState(seed)
    out = []
    for xs, ys in splits:
        order = np.arange(len(xs))
        rng.shuffle(order)
        xs = [list(xs[i]) for i in order]
        ys = [ys[i] for i in order]
        if start_char is not None:
            xs = [[start_char] + [w + index_from for w in s] for s in xs]
        else:
            xs = [[w + index_from for w in s] for s in xs]
        if maxlen:
            pairs = [(s, y) for s, y in zip(xs, ys) if len(s) < maxlen]
            xs, ys = [p[0] for p in pairs], [p[1] for p in pairs]
        out.append((xs, ys))
    if not num_words:
        num_words = max(max(s) for xs, _ in out for s in xs if s)
    result = []
    for xs, ys in out:
        if oov_char is not None:
            xs = [[w if skip_top <= w < num_words else oov_char for w in s] for s in xs]
        else:
            xs = [[w for w in s if skip_top <= w < num_words] for s in xs]
        result.append((xs, ys))
    return result


@pytest.mark.parametrize("kwargs", [
    {}, {"num_words": 8}, {"maxlen": 5, "seed": 7}, {"skip_top": 5, "num_words": 20},
    {"oov_char": None, "num_words": 10}, {"start_char": None, "index_from": 1},
])
def test_prepare_matches_list_reference(kwargs):
    rng = np.random.RandomState(0)
    splits = [([rng.randint(1, 30, rng.randint(0, 9)).tolist() for _ in range(40)],
               rng.randint(0, 2, 40).tolist()) for _ in range(2)]
    args = dict(seed=113, start_char=1, oov_char=2, index_from=3, maxlen=None, num_words=None,
                skip_top=0)
    args.update(kwargs)
    got = _sequences.prepare("test", [(_sequences.Ragged.from_lists(x), np.array(y))
                                      for x, y in splits], **args)
    for (seqs, labels), (ref_x, ref_y) in zip(got, keras_reference(splits, **args)):
        assert seqs.to_object_array().tolist() == ref_x and labels.tolist() == ref_y


def test_imdb_official_format_download(served, monkeypatch):
    folder, _ = served
    x_train, y_train = [[1, 2, 3], [4, 5], [6], [2, 2, 7]], np.array([1, 0, 1, 0])
    x_test, y_test = [[2], [7, 1]], np.array([0, 1])
    _object_npz(folder / "imdb.npz", x_train=x_train, y_train=y_train, x_test=x_test,
                y_test=y_test)
    monkeypatch.setattr(datasets.imdb, "IMDB_SHA256", sha256(folder / "imdb.npz"))
    (x, y), (xt, yt) = datasets.imdb.load_data(num_words=9)
    [(rx, ry), (rxt, ryt)] = keras_reference([(x_train, y_train), (x_test, y_test)],
                                             num_words=9)
    assert x.tolist() == rx and y.tolist() == ry and xt.tolist() == rxt and yt.tolist() == ryt


def test_imdb_refuses_pickles_without_the_official_hash(served, monkeypatch):
    folder, _ = served
    with pytest.raises(ValueError, match="Refusing to unpickle"):
        datasets.imdb.load_data(path=os.path.abspath(os.path.join(DATA, "imdb", "imdb.npz")))

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    obj = np.empty(1, dtype=object)
    obj[0] = Evil()
    np.savez(folder / "imdb.npz", x_train=obj, y_train=np.zeros(1), x_test=obj,
             y_test=np.zeros(1))
    monkeypatch.setattr(datasets.imdb, "IMDB_SHA256", sha256(folder / "imdb.npz"))
    with pytest.raises(pickle.UnpicklingError, match="posix.system|os.system"):
        datasets.imdb.load_data()


def test_reuters_official_format_download(served, monkeypatch):
    folder, _ = served
    rng = np.random.RandomState(5)
    xs = [rng.randint(1, 40, rng.randint(1, 12)).tolist() for _ in range(30)]
    ys = rng.randint(0, 46, 30)
    _object_npz(folder / "reuters.npz", x=xs, y=ys)
    monkeypatch.setattr(datasets.reuters, "REUTERS_SHA256", sha256(folder / "reuters.npz"))
    (x, y), (xt, yt) = datasets.reuters.load_data(num_words=30, maxlen=10, test_split=0.25)
    [(ref_x, ref_y)] = keras_reference([(xs, ys)], num_words=30, maxlen=10)
    cut = int(len(ref_x) * 0.75)
    assert x.tolist() == ref_x[:cut] and xt.tolist() == ref_x[cut:]
    assert y.tolist() == list(ref_y[:cut]) and yt.tolist() == list(ref_y[cut:])
    assert datasets.reuters.get_label_names()[3] == "earn"
