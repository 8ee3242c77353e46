"""Writing files so that a crash never leaves a partial one: write a temporary file in the same
directory, then `os.replace` it over the target."""
import os
import shutil


def temporary_path(path):
    """A hidden temporary name next to `path`, keeping its full extension (so that savers that
    dispatch on the extension, e.g. `.weights.h5`, see the same one)."""
    directory, base = os.path.split(os.path.abspath(path))
    return os.path.join(directory, f".tmp-{os.getpid()}-{base}")


def write_atomically(path, data):
    """Writes the bytes `data` to `path` atomically.

    Example:
    >>> import tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "x.txt"); write_atomically(p, b"hi")
    >>> open(p).read()
    'hi'
    """
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmp = temporary_path(path)
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def save_atomically(path, save):
    """Calls `save(temporary_path)` then renames the result over `path` (removing the temporary
    file if `save` fails)."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmp = temporary_path(path)
    try:
        save(tmp)
        if os.path.isdir(tmp) and os.path.isdir(path):
            shutil.rmtree(path)
        os.replace(tmp, path)
    finally:
        if os.path.isdir(tmp):
            shutil.rmtree(tmp)
        elif os.path.exists(tmp):
            os.remove(tmp)
