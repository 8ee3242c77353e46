"""`TextLineDataset`: the lines of one or more text files, streamed from disk."""
import gzip
import os
import zlib

import numpy as np

from . import structure as st
from .dataset import UNKNOWN_CARDINALITY, Dataset


def _open(path, compression_type):
    if compression_type in (None, ""):
        return open(path, "rb")
    if compression_type == "GZIP":
        return gzip.open(path, "rb")
    if compression_type == "ZLIB":
        return _ZlibReader(path)
    raise ValueError('TextLineDataset: compression_type must be "", "GZIP" or "ZLIB". '
                     f"Received: {compression_type!r}.")


class _ZlibReader:
    """Line iteration over a zlib stream, decompressed chunk by chunk."""

    def __init__(self, path):
        self._f = open(path, "rb")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()

    def __iter__(self):
        d, pending = zlib.decompressobj(), b""
        for chunk in iter(lambda: self._f.read(1 << 16), b""):
            pending += d.decompress(chunk)
            *lines, pending = pending.split(b"\n")
            for line in lines:
                yield line + b"\n"
        pending += d.flush()
        if pending:
            yield pending


class TextLineDataset(Dataset):
    """A dataset of the lines of text files (bytes, without the line ending).

    Files are read lazily, line by line, so a file larger than memory streams.

    Args:
        filenames: a file name or a list of them, read in order.
        compression_type: `""`/None, `"GZIP"` or `"ZLIB"`.
        buffer_size: accepted for TensorFlow compatibility.
        num_parallel_reads: accepted for TensorFlow compatibility (files are read in order).

    Example:
    >>> ds = TextLineDataset("/etc/hostname")  # doctest: +SKIP
    >>> next(ds.as_numpy_iterator())  # doctest: +SKIP
    b'myhost'
    """

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None, name=None):
        if isinstance(filenames, (str, bytes, os.PathLike)):
            filenames = [filenames]
        elif isinstance(filenames, Dataset):
            filenames = [f for f in filenames.as_numpy_iterator()]
        paths = [os.fsdecode(f) if isinstance(f, (bytes, np.bytes_)) else os.fspath(f)
                 for f in np.ravel(np.asarray(filenames, dtype=object))]
        for path in paths:
            if not os.path.isfile(path):
                raise FileNotFoundError(f"TextLineDataset: no such file: {path!r}.")
        _open(os.devnull, compression_type).close()  # validates compression_type early

        def make():
            for path in paths:
                with _open(path, compression_type) as f:
                    for line in f:
                        if line.endswith(b"\n"):
                            line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
                        yield np.array(line, dtype=object if not line else None)

        super().__init__(make, UNKNOWN_CARDINALITY, st.TensorSpec((), "string"))
        self._filenames = paths
