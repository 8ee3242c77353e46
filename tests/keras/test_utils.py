"""keras.utils: to_categorical, normalize, Sequence, and get_file against a local HTTP server."""
import hashlib
import io
import os
import tarfile
import zipfile

import numpy as np
import pytest

from fluxion import keras
from fluxion.keras.utils import file_utils

from .http_helper import serve


def test_to_categorical_matches_keras():
    out = keras.utils.to_categorical([0, 1, 2, 3], num_classes=4)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.eye(4, dtype=np.float32))
    assert repr(keras.utils.to_categorical([0, 2], 3)) == (
        "array([[1., 0., 0.],\n       [0., 0., 1.]], dtype=float32)")


def test_to_categorical_shapes_and_default_classes():
    y = np.array([[1], [0], [2]])
    out = keras.utils.to_categorical(y)  # trailing axis of size 1 dropped, 3 classes inferred
    assert out.shape == (3, 3)
    np.testing.assert_array_equal(out.argmax(-1), [1, 0, 2])
    assert keras.utils.to_categorical(np.zeros((2, 4), int), 2).shape == (2, 4, 2)
    with pytest.raises(ValueError, match="to_categorical"):
        keras.utils.to_categorical([0, 5], num_classes=3)


def test_normalize():
    x = np.array([[3.0, 4.0], [0.0, 0.0]], dtype=np.float32)
    out = keras.utils.normalize(x)
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])
    assert out.dtype == np.float32
    out = keras.utils.normalize(np.array([[1.0, 2.0], [3.0, 4.0]]), axis=0, order=1)
    np.testing.assert_allclose(out, [[0.25, 2 / 6], [0.75, 4 / 6]])


def test_sequence_base_class():
    class Batches(keras.utils.Sequence):
        def __init__(self):
            super().__init__(workers=2)
            self.epochs = 0

        def __len__(self):
            return 3

        def __getitem__(self, i):
            return np.full((2,), i), np.array([i, i])

        def on_epoch_end(self):
            self.epochs += 1

    seq = Batches()
    assert len(seq) == 3 and seq.num_batches == 3 and seq.workers == 2
    assert [int(x[0]) for x, _ in seq] == [0, 1, 2]
    seq.on_epoch_end()
    assert seq.epochs == 1
    with pytest.raises(NotImplementedError):
        keras.utils.Sequence()[0]
    assert keras.utils.PyDataset is keras.utils.Sequence


@pytest.fixture
def server(tmp_path):
    folder = tmp_path / "www"
    folder.mkdir()
    (folder / "data.bin").write_bytes(os.urandom(100_000))
    with serve(folder) as url:
        yield folder, url


def _sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def test_get_file_download_then_cache_hit(server, tmp_path, capsys):
    folder, url = server
    good = _sha256(folder / "data.bin")
    cache = tmp_path / "cache"
    path = keras.utils.get_file("data.bin", origin=url + "data.bin", file_hash=good,
                                cache_dir=str(cache))
    assert path == str(cache / "datasets" / "data.bin")
    assert open(path, "rb").read() == (folder / "data.bin").read_bytes()
    assert "Downloading data from" in capsys.readouterr().out
    (folder / "data.bin").write_bytes(b"changed")  # a cache hit never asks the server
    again = keras.utils.get_file("data.bin", origin=url + "data.bin", file_hash=good,
                                 cache_dir=str(cache))
    assert again == path and _sha256(path) == good
    assert "Downloading" not in capsys.readouterr().out
    assert sorted(os.listdir(cache / "datasets")) == ["data.bin"]


def test_get_file_md5_and_default_name(server, tmp_path):
    folder, url = server
    md5 = hashlib.md5((folder / "data.bin").read_bytes()).hexdigest()
    path = keras.utils.get_file(origin=url + "data.bin", md5_hash=md5,
                                cache_dir=str(tmp_path), cache_subdir="sub")
    assert path == str(tmp_path / "sub" / "data.bin")
    assert file_utils.validate_file(path, md5)


def test_get_file_rejects_bad_hash_and_keeps_nothing(server, tmp_path):
    _, url = server
    with pytest.raises(ValueError, match="hash"):
        keras.utils.get_file("data.bin", origin=url + "data.bin", file_hash="0" * 64,
                             cache_dir=str(tmp_path))
    assert os.listdir(tmp_path / "datasets") == []


def test_get_file_redownloads_a_corrupted_cache_entry(server, tmp_path):
    folder, url = server
    good = _sha256(folder / "data.bin")
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "data.bin").write_bytes(b"stale")
    path = keras.utils.get_file("data.bin", origin=url + "data.bin", file_hash=good,
                                cache_dir=str(tmp_path))
    assert _sha256(path) == good


def test_interrupted_download_leaves_no_partial_file(server, tmp_path):
    _, url = server
    with pytest.raises(file_utils.DownloadError, match="interrupted|cut short"):
        keras.utils.get_file("data.bin", origin=url + "truncated/data.bin",
                             cache_dir=str(tmp_path))
    assert os.listdir(tmp_path / "datasets") == []


def test_offline_error_names_the_url(tmp_path):
    with pytest.raises(file_utils.DownloadError, match="http://127.0.0.1:9/x.bin"):
        keras.utils.get_file("x.bin", origin="http://127.0.0.1:9/x.bin", cache_dir=str(tmp_path))
    assert os.listdir(tmp_path / "datasets") == []


def _tar_with(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_get_file_extracts_tar_and_zip(server, tmp_path):
    folder, url = server
    _tar_with(folder / "pack.tar.gz", [("pack/a.txt", b"alpha"), ("pack/b/c.txt", b"gamma")])
    with zipfile.ZipFile(folder / "z.zip", "w") as z:
        z.writestr("inner/x.txt", "ex")
    out = keras.utils.get_file("pack.tar.gz", origin=url + "pack.tar.gz", extract=True,
                               file_hash=_sha256(folder / "pack.tar.gz"), cache_dir=str(tmp_path))
    assert out == str(tmp_path / "datasets" / "pack_extracted")
    assert open(os.path.join(out, "pack", "b", "c.txt"), "rb").read() == b"gamma"
    out = keras.utils.get_file("zdir", origin=url + "z.zip", extract=True,
                               cache_dir=str(tmp_path))
    assert open(os.path.join(out, "inner", "x.txt")).read() == "ex"
    assert os.path.exists(str(tmp_path / "datasets" / "zdir_archive"))


@pytest.mark.parametrize("name", ["../evil.txt", "/tmp/evil_abs.txt", "a/../../evil.txt"])
def test_tar_traversal_rejected(server, tmp_path, name):
    folder, url = server
    _tar_with(folder / "bad.tar.gz", [("ok.txt", b"fine"), (name, b"pwned")])
    with pytest.raises(ValueError, match="path traversal"):
        keras.utils.get_file("bad.tar.gz", origin=url + "bad.tar.gz", extract=True,
                             cache_dir=str(tmp_path / "c"))
    assert not (tmp_path / "c" / "evil.txt").exists() and not os.path.exists("/tmp/evil_abs.txt")
    assert not (tmp_path / "c" / "datasets" / "bad_extracted").exists()


def test_tar_symlink_escape_rejected(server, tmp_path):
    folder, url = server
    with tarfile.open(folder / "link.tar", "w") as tar:
        info = tarfile.TarInfo("link")
        info.type, info.linkname = tarfile.SYMTYPE, "../../outside"
        tar.addfile(info)
    with pytest.raises(ValueError, match="path traversal"):
        keras.utils.get_file("link.tar", origin=url + "link.tar", extract=True,
                             cache_dir=str(tmp_path))


def test_zip_slip_rejected(server, tmp_path):
    folder, url = server
    with zipfile.ZipFile(folder / "slip.zip", "w") as z:
        z.writestr("fine.txt", "ok")
        z.writestr("../../slipped.txt", "pwned")
    with pytest.raises(ValueError, match="path traversal"):
        keras.utils.get_file("slip.zip", origin=url + "slip.zip", extract=True,
                             cache_dir=str(tmp_path / "c"))
    assert not any(p.name == "slipped.txt" for p in tmp_path.rglob("*"))


def test_unpack_and_pack_x_y_sample_weight():
    unpack, pack = keras.utils.unpack_x_y_sample_weight, keras.utils.pack_x_y_sample_weight
    assert unpack((1,)) == (1, None, None)
    assert unpack([1, 2]) == (1, 2, None)
    assert unpack((1, 2, 3)) == (1, 2, 3)
    x = np.zeros(3)
    assert unpack(x)[0] is x and unpack(x)[1:] == (None, None)
    with pytest.raises(ValueError, match="4 elements"):
        unpack((1, 2, 3, 4))
    assert pack(1) == 1 and pack((1, 2)) == ((1, 2),) and pack(1, 2) == (1, 2)
    assert pack(1, 2, 3) == (1, 2, 3)
    assert unpack(pack((5, 6), 7)) == ((5, 6), 7, None)


def test_custom_object_scope_resolves_names_only_inside_it(tmp_path):
    class Twice(keras.layers.Layer):
        def call(self, x):
            return x * 2.0

    model = keras.Sequential([keras.Input((2,)), Twice(name="twice")])
    path = str(tmp_path / "twice.keras")
    model.save(path)
    with pytest.raises(ValueError, match="Twice"):
        keras.models.load_model(path)
    assert keras.utils.custom_object_scope is keras.utils.CustomObjectScope
    with keras.utils.custom_object_scope({"Twice": Twice}):
        assert keras.utils.get_custom_objects()["Twice"] is Twice
        loaded = keras.models.load_model(path)
    assert "Twice" not in keras.utils.get_custom_objects()
    np.testing.assert_array_equal(loaded(np.ones((1, 2), np.float32)).numpy(), [[2.0, 2.0]])
    keras.utils.get_custom_objects()["Twice"] = Twice  # the live table
    try:
        assert type(keras.models.load_model(path).layers[0]) is Twice
    finally:
        del keras.utils.get_custom_objects()["Twice"]
    with pytest.raises(TypeError, match="CustomObjectScope"):
        keras.utils.CustomObjectScope(["Twice"])


def test_register_keras_serializable_is_in_utils():
    @keras.utils.register_keras_serializable(package="utils_test")
    def triple(x):
        return 3 * x

    assert keras.utils.get_registered_object("utils_test>triple") is triple
    assert keras.utils.get_registered_name(triple) == "utils_test>triple"
