"""What every dataset loader shares: where files come from, and reading them safely.

A loader asks `locate` for a file. It is taken, in order, from
1. an explicit path given by the user (`load_data(path="/abs/mnist.npz")`),
2. `$FLUXION_DATA_DIR/<folder>/<name>` (local copies; their structure is checked by the loader),
3. the download cache `~/.fluxion/datasets/` (downloaded from the canonical URL when missing,
   its SHA-256 verified against the published value).
Offline with no copy anywhere, the error names the file, the URL and where to put it.
"""
import gzip
import io
import os
import pickle
import zipfile

import numpy as np

from ..utils import file_utils

# The canonical download folder of the Keras datasets. Read at call time, so tests can point it
# at a local server.
ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def origin(name):
    return ORIGIN_FOLDER + name


def data_dir_file(folder, name):
    """Returns `$FLUXION_DATA_DIR/folder/name` if that file exists, else None."""
    root = os.environ.get("FLUXION_DATA_DIR")
    if not root:
        return None
    path = os.path.join(os.path.expanduser(root), folder, name)
    return path if os.path.exists(path) else None


def locate(dataset, folder, name, url, file_hash, path=None, local_names=(), **get_file_args):
    """Finds or downloads one dataset file.

    Args:
        dataset: the loader's name, for messages ("mnist").
        folder: the sub-folder of `$FLUXION_DATA_DIR` holding local copies.
        name: the file's name in the cache (and in `folder`).
        url: the canonical URL.
        file_hash: the published SHA-256 of the canonical file.
        path: the user's `path=` argument; an existing file path is used as it is.
        local_names: other names to look for in `$FLUXION_DATA_DIR/folder`, first match wins.
        **get_file_args: passed to `get_file` (e.g. `cache_subdir`, `extract`).

    Returns:
        `(path, verified)`: verified is True when the file's hash matched the published one.
    """
    if path is not None and os.path.isabs(os.fspath(path)) and os.path.exists(path):
        return os.fspath(path), file_utils.validate_file(path, file_hash)
    for candidate in tuple(local_names) + (name,):
        local = data_dir_file(folder, candidate)
        if local is not None:
            return local, False
    fname = os.fspath(path) if path is not None else name
    try:
        return file_utils.get_file(fname, origin=url, file_hash=file_hash, **get_file_args), True
    except file_utils.DownloadError as e:
        cache = os.path.join(file_utils.fluxion_home(), get_file_args.get("cache_subdir",
                                                                          "datasets"))
        raise file_utils.DownloadError(
            f"{dataset}.load_data: cannot find or download '{name}' ({e}). Download it from "
            f"{url} and put it at {os.path.join(cache, os.path.basename(fname))}, or put a local "
            f"copy at $FLUXION_DATA_DIR/{folder}/{name} and set FLUXION_DATA_DIR.") from None


def check_arrays(dataset, path, arrays, expected):
    """Checks `{key: (dtype, shape-with-None)}` against loaded arrays; raises a clear error."""
    for key, (dtype, shape) in expected.items():
        if key not in arrays:
            raise ValueError(f"{dataset}.load_data: {path} has no array '{key}' (found "
                             f"{sorted(arrays)}); it is not a {dataset} file.")
        a = arrays[key]
        ok_shape = a.ndim == len(shape) and all(s is None or s == d for s, d in
                                                 zip(shape, a.shape))
        if (dtype is not None and a.dtype != dtype) or not ok_shape:
            raise ValueError(f"{dataset}.load_data: array '{key}' in {path} has dtype {a.dtype} "
                             f"and shape {a.shape}; expected {dtype} and {shape}.")


def load_npz(path):
    """Loads every array of a pickle-free .npz file into a dict."""
    with np.load(path, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def read_idx(path, expected_magic):
    """Reads a (possibly gzipped) IDX file (the MNIST format) into a uint8 array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[:4], "big")
    if magic != expected_magic:
        raise ValueError(f"read_idx: {path} starts with magic number {magic}; expected "
                         f"{expected_magic}. It is not an IDX file of the right kind.")
    ndim = magic & 0xFF
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    offset = 4 + 4 * ndim
    count = int(np.prod(dims))
    if len(data) - offset != count:
        raise ValueError(f"read_idx: {path} holds {len(data) - offset} bytes of data; its header "
                         f"{tuple(dims)} announces {count}. The file is truncated or corrupt.")
    return np.frombuffer(data, np.uint8, offset=offset).reshape(dims)


IDX_LABELS, IDX_IMAGES = 2049, 2051

# The only globals a pickled NumPy array needs. Anything else (os.system, eval, ...) is refused.
_ARRAY_GLOBALS = {("numpy", "ndarray"), ("numpy", "dtype"),
                  ("numpy.core.multiarray", "_reconstruct"),
                  ("numpy._core.multiarray", "_reconstruct"),
                  ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar")}


class _ArrayUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _ARRAY_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"Refusing to load '{module}.{name}' from a dataset file: "
                                     "only NumPy arrays are allowed. The file may be malicious.")


def unpickle_verified(path, verified, encoding="ASCII"):
    """Unpickles `path` only if its hash matched the official download's; arrays/builtins only.

    Legacy Keras files (imdb.npz and reuters.npz object arrays, the CIFAR batches) are pickles.
    Unpickling can run code hidden in a crafted file, so it happens here only after the caller
    verified the file's SHA-256 against the published one, and even then only NumPy's array
    reconstruction is allowed. An .npz archive is returned as a dict of its arrays.
    """
    if not verified:
        raise ValueError(f"Refusing to unpickle {path}: its SHA-256 does not match the official "
                         "file's. Use the pickle-free format (see PROVENANCE/README) or download "
                         "the official file.")
    if zipfile.is_zipfile(path):
        out = {}
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if member.endswith(".npy"):
                    out[member[:-4]] = _read_npy(io.BytesIO(archive.read(member)))
        return out
    with open(path, "rb") as f:
        return _ArrayUnpickler(f, encoding=encoding).load()


def _read_npy(f):
    version = np.lib.format.read_magic(f)
    header = np.lib.format.read_array_header_1_0 if version[0] == 1 else \
        np.lib.format.read_array_header_2_0
    shape, fortran, dtype = header(f)
    if not dtype.hasobject:
        count = int(np.prod(shape))
        array = np.frombuffer(f.read(count * dtype.itemsize), dtype=dtype, count=count)
        return array.reshape(shape, order="F" if fortran else "C")
    return _ArrayUnpickler(f, encoding="latin1").load()
