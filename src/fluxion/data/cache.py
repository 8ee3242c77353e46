"""`Dataset.cache` storage: in memory, or a file written atomically and read back streaming.

File format: a first line of JSON describing the element structure, then, per element, its
leaves as consecutive `.npy` records (`np.lib.format`), read back with pickling disabled.
"""
import json
import os
import tempfile
import threading

import numpy as np

from . import structure as st
from .threads import close


def memory_cache(make_iter):
    """Returns a `make_iter` replacement that records the first complete pass in memory."""
    state = {"elements": None}
    lock = threading.Lock()

    def make():
        with lock:
            cached = state["elements"]
        if cached is not None:
            yield from cached
            return
        recorded = []
        it = make_iter()
        try:
            for element in it:
                recorded.append(element)
                yield element
        finally:
            close(it)
        with lock:
            state["elements"] = recorded  # reached only when the pass completed

    return make


def _template(element):
    if isinstance(element, dict):
        return {"d": {k: _template(v) for k, v in element.items()}}
    if isinstance(element, tuple):
        return {"t": [_template(v) for v in element]}
    return 0


def _rebuild(template):
    if isinstance(template, dict) and "d" in template:
        return {k: _rebuild(v) for k, v in template["d"].items()}
    if isinstance(template, dict):
        return tuple(_rebuild(v) for v in template["t"])
    return 0


def file_cache(make_iter, filename):
    """Returns a `make_iter` replacement that caches the first complete pass in `filename`."""
    def read():
        with open(filename, "rb") as f:
            header = json.loads(f.readline())
            template = _rebuild(header["structure"])
            width = len(st.flatten(template))
            for _ in range(header["count"]):
                leaves = [np.lib.format.read_array(f, allow_pickle=False) for _ in range(width)]
                yield st.pack(template, leaves)

    def write():
        folder = os.path.dirname(os.path.abspath(filename))
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(filename) + ".")
        it = make_iter()
        count, template = 0, None
        try:
            with os.fdopen(fd, "wb") as body:
                for element in it:
                    if template is None:
                        template = _template(element)
                    for leaf in st.flatten(element):
                        np.lib.format.write_array(body, np.asarray(leaf), allow_pickle=False)
                    count += 1
                    yield element
            header = json.dumps({"structure": template or 0, "count": count}) + "\n"
            final_tmp = tmp + ".final"
            with open(final_tmp, "wb") as out, open(tmp, "rb") as body:
                out.write(header.encode())
                while chunk := body.read(1 << 20):
                    out.write(chunk)
            os.replace(final_tmp, filename)
        finally:
            close(it)
            for leftover in (tmp, tmp + ".final"):
                if os.path.exists(leftover):
                    os.remove(leftover)

    def make():
        return read() if os.path.exists(filename) else write()

    return make
