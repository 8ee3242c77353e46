"""Shared by the integration tests: the examples they run, and the real MNIST they need.

Missing data is a failure, never a skip: set FLUXION_DATA_DIR to the folder holding mnist/ (CI
uses ../shared/data next to the repository, which is also the default here)."""
import importlib.util
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def load_example(name):
    """Imports `examples/<name>.py` as a module."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def mnist_data_dir(monkeypatch):
    """The data folder holding MNIST, exported as FLUXION_DATA_DIR for the loaders."""
    data_dir = os.environ.get("FLUXION_DATA_DIR") or str(ROOT.parent / "shared" / "data")
    mnist = pathlib.Path(data_dir).expanduser() / "mnist"
    local = (mnist / "mnist.npz").exists() or (mnist / "train-images-idx3-ubyte.gz").exists()
    assert local, (f"MNIST is missing: expected {mnist}/mnist.npz (or the four IDX .gz files). "
                   "Set FLUXION_DATA_DIR to the folder holding mnist/.")
    monkeypatch.setenv("FLUXION_DATA_DIR", data_dir)
    return data_dir
