"""The book runner (`python -m fluxion.examples.book`) on a shortened configuration.

Trains the single-layer net, V5 (Adam), the batch-size study and the IMDb model for one epoch on
the first 6,000 samples of real MNIST and IMDb, and checks the printed table, results.json and the
plots (or the message that says matplotlib is missing). Missing data is a failure, never a skip.
"""
import importlib.util
import json
import os
import pathlib

import pytest

from fluxion.examples import book

ROOT = pathlib.Path(__file__).resolve().parents[2]
PROGRAMS = ROOT / "examples" / "book"
ONLY = "v1_single_layer,v5_adam,sweep_batch_size,imdb_sentiment"


def _require_local_data(monkeypatch):
    data_dir = pathlib.Path(os.environ.get("FLUXION_DATA_DIR") or ROOT.parent / "shared" / "data")
    for needed in ("mnist/mnist.npz", "imdb/imdb.npz"):
        assert (data_dir / needed).exists(), (
            f"{data_dir / needed} is missing. Set FLUXION_DATA_DIR to the folder holding "
            "mnist/ and imdb/.")
    monkeypatch.setenv("FLUXION_DATA_DIR", str(data_dir))


def test_book_runner_short_configuration(monkeypatch, capsys, tmp_path):
    _require_local_data(monkeypatch)
    out = tmp_path / "plots"
    results = book.main(["--quick", "--only", ONLY, "--epochs", "1", "--limit", "6000",
                         "--out", str(out), "--examples", str(PROGRAMS)])
    printed = capsys.readouterr().out

    by_label = {r.label: r for r in results}
    assert [r.experiment for r in results] == [
        "v1_single_layer", "v5_adam", *["sweep_batch_size"] * 4, "imdb_sentiment"]
    assert [r.value for r in results if r.experiment == "sweep_batch_size"] == [64, 128, 256, 512]
    for r in results:
        assert r.epochs == 1 and len(r.history["accuracy"]) == 1
        assert r.train == r.history["accuracy"][-1] and r.val == r.history["val_accuracy"][-1]
    # One epoch on 4,800 training images (the last 20% validate) still clearly learns.
    assert 0.60 < by_label["V1 single layer, SGD"].test < 0.92
    # V5 (38 Adam steps with dropout) lands at 0.77-0.81 over seeds 0-5.
    assert 0.75 < by_label["V5 Adam"].test < 0.97
    assert 0.70 < by_label["batch_size=64"].test < 0.97
    # Fewer steps per epoch, less progress: batch 64 beats batch 512 after one epoch.
    assert by_label["batch_size=64"].test > by_label["batch_size=512"].test
    assert 0.50 < by_label["IMDb sentiment, Adam"].test < 0.90
    assert by_label["V1 single layer, SGD"].params == 7850
    assert by_label["V5 Adam"].params == 784 * 128 + 128 + 128 * 128 + 128 + 128 * 10 + 10

    table = printed[printed.index("experiment"):]
    assert "book: train" in table
    assert "V1 single layer, SGD" in table and "89.96%" in table and "90.71%" in table
    assert "V5 Adam" in table and "97.82%" in table and "IMDb sentiment, Adam" in table
    assert f"{100 * by_label['V5 Adam'].test:5.2f}%" in table

    saved = json.loads((out / "results.json").read_text())
    assert [r["label"] for r in saved["results"]] == [r.label for r in results]
    if importlib.util.find_spec("matplotlib") is None:
        assert "Plots skipped: matplotlib is not installed" in printed
    else:
        for name in ("v1_single_layer_curves.png", "v5_adam_curves.png", "mnist_models.png",
                     "sweep_batch_size.png", "imdb_sentiment_curves.png"):
            assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert "Plots written to" in printed


def test_unknown_experiment_names_the_choices():
    with pytest.raises(SystemExit, match="unknown experiment 'v9_nothing'; choose from .*v5_adam"):
        book.main(["--only", "v9_nothing", "--examples", str(PROGRAMS)])
