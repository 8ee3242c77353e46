"""Keras 3 semantics of the training API checked against hand-computed values: per-output losses
of multi-output models, steps_per_epoch continuing the data, predict's progress and callbacks,
the logs given to hooks and their key order."""
import warnings

import numpy as np
import pytest

import fluxion as fx
from fluxion import keras
from fluxion.keras import layers

N = 64
X = np.arange(N, dtype="float32")[:, None]


def zero_model(outputs=1, names=("out1", "out2")):
    """Outputs that are always 0 (zero kernels, no bias): a loss is then a function of y."""
    inputs = keras.Input((1,), name="x")
    outs = [layers.Dense(1, use_bias=False, kernel_initializer="zeros", name=names[i])(inputs)
            for i in range(outputs)]
    return keras.Model(inputs, outs if outputs > 1 else outs[0])


def frozen_sgd():
    return keras.optimizers.SGD(0.0)


# --- F1: per-output losses -------------------------------------------------------------------
def two_output_targets():
    rng = np.random.default_rng(0)
    return rng.normal(size=(N, 1)).astype("float32"), rng.normal(size=(N, 1)).astype("float32")


def test_multi_output_logs_unweighted_per_output_losses():
    y1, y2 = two_output_targets()
    model = zero_model(2)
    model.compile(frozen_sgd(), loss={"out1": "mse", "out2": "mae"},
                  loss_weights={"out1": 2.0, "out2": 0.5}, metrics={"out1": ["mae"]})
    mse, mae = float(np.mean(y1 ** 2)), float(np.mean(np.abs(y2)))
    # batches of 10 (the last of 4): the trackers weight each batch by its size
    history = model.fit(X, {"out1": y1, "out2": y2}, batch_size=10, epochs=2, verbose=0,
                        validation_data=(X, [y1, y2]), shuffle=False)
    assert list(history.history) == ["loss", "out1_loss", "out1_mae", "out2_loss", "val_loss",
                                     "val_out1_loss", "val_out1_mae", "val_out2_loss"]
    for prefix in ("", "val_"):
        np.testing.assert_allclose(history.history[prefix + "out1_loss"], [mse] * 2, rtol=1e-5)
        np.testing.assert_allclose(history.history[prefix + "out2_loss"], [mae] * 2, rtol=1e-5)
        np.testing.assert_allclose(history.history[prefix + "loss"], [2 * mse + 0.5 * mae] * 2,
                                   rtol=1e-5)
    # evaluate: [loss, out1_loss, out2_loss, *metrics]; the dict sorted by name
    result = model.evaluate(X, [y1, y2], batch_size=10, verbose=0)
    np.testing.assert_allclose(result, [2 * mse + 0.5 * mae, mse, mae,
                                        float(np.mean(np.abs(y1)))], rtol=1e-5)
    as_dict = model.evaluate(X, [y1, y2], verbose=0, return_dict=True)
    assert list(as_dict) == ["loss", "out1_loss", "out1_mae", "out2_loss"]
    assert model.metrics_names == ["loss", "out1_loss", "out2_loss", "out1_mae"]


def test_per_output_losses_in_batch_calls_with_sample_weights():
    y1, y2 = two_output_targets()
    w = np.linspace(0.0, 2.0, 8).astype("float32")
    model = zero_model(2)
    model.compile(frozen_sgd(), loss={"out1": "mse", "out2": "mae"})  # no metrics
    out1, out2 = float(np.sum(w * y1[:8, 0] ** 2) / 8), float(np.sum(w * np.abs(y2[:8, 0])) / 8)
    got = model.train_on_batch(X[:8], [y1[:8], y2[:8]], sample_weight=w)
    np.testing.assert_allclose(got, [out1 + out2, out1, out2], rtol=1e-5)
    got = model.test_on_batch(X[:8], [y1[:8], y2[:8]], sample_weight=w, return_dict=True)
    assert list(got) == ["loss", "out1_loss", "out2_loss"]
    np.testing.assert_allclose(list(got.values()), [out1 + out2, out1, out2], rtol=1e-5)
    # a loss dict and no metrics: still the list, not a scalar
    assert len(model.evaluate(X, [y1, y2], verbose=0)) == 3


def test_list_losses_are_named_after_the_output_layers():
    y1, y2 = two_output_targets()
    model = zero_model(2, names=("dense_a", "dense_b"))
    model.compile(frozen_sgd(), loss=["mse", "mae"], loss_weights=[2.0, 1.0])
    logs = model.evaluate(X, [y1, y2], verbose=0, return_dict=True)
    assert list(logs) == ["dense_a_loss", "dense_b_loss", "loss"]
    assert model.output_names == ["dense_a", "dense_b"]
    # a single output has no per-output entry
    single = zero_model(1)
    single.compile(frozen_sgd(), loss="mse", metrics=["mse", "mae"])
    assert list(single.evaluate(X, y1, verbose=0, return_dict=True)) == ["loss", "mae", "mse"]
    loss, mse, mae = single.evaluate(X, y1, verbose=0)  # the list keeps compile order
    assert loss == pytest.approx(mse) and mae == pytest.approx(float(np.mean(np.abs(y1))))


# --- F2: steps_per_epoch ---------------------------------------------------------------------
def index_model():
    model = zero_model(1)
    model.compile(frozen_sgd(), loss="mae")  # the loss of a batch: the mean of its indices
    return model


def ran_out(caught):
    return [w for w in caught if "Your input ran out of data" in str(w.message)]


def test_steps_per_epoch_continues_the_arrays_and_restarts_when_they_run_out():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = index_model().fit(X, X, batch_size=10, epochs=4, steps_per_epoch=3,
                                    shuffle=False, verbose=0)
    # epoch 1: rows 0-29, epoch 2: rows 30-59, epoch 3: rows 60-63 only (ran out), epoch 4
    # starts over
    assert history.history["loss"] == pytest.approx([14.5, 44.5, 61.5, 14.5])
    assert history.params["steps"] == 3 and len(ran_out(caught)) == 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = index_model().fit(X, X, batch_size=10, epochs=2, steps_per_epoch=9,
                                    shuffle=False, verbose=0)
    assert history.history["loss"] == pytest.approx([31.5, 31.5])  # 7 batches each
    assert history.params["steps"] == 9 and len(ran_out(caught)) == 2


def test_steps_per_epoch_keeps_one_shuffled_order_until_the_data_runs_out():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = index_model().fit(X, X, batch_size=10, epochs=3, steps_per_epoch=3,
                                    shuffle=True, verbose=0)
    # 30 + 30 + 4 rows: every row exactly once, whatever the order
    losses = history.history["loss"]
    assert (30 * losses[0] + 30 * losses[1] + 4 * losses[2]) / N == pytest.approx(31.5)


def test_steps_per_epoch_continues_a_finite_dataset():
    dataset = fx.data.Dataset.from_tensor_slices((X, X)).batch(10)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = index_model().fit(dataset, epochs=3, steps_per_epoch=4, verbose=0)
    assert history.history["loss"] == pytest.approx([19.5, 51.5, 19.5])
    assert len(ran_out(caught)) == 1
    repeated = index_model().fit(dataset.repeat(), epochs=3, steps_per_epoch=4, verbose=0,
                                 shuffle=False)
    # batches 0-3 (rows 0-39), then 4-6 and 0 (rows 40-63, 0-9), then 1-4 (rows 10-49)
    expected = [19.5, (np.sum(np.arange(40, 64)) + np.sum(np.arange(10))) / 34, 29.5]
    assert repeated.history["loss"] == pytest.approx(expected)


# --- F3: predict's progress and callbacks ----------------------------------------------------
class Recorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def _record(name):
        def hook(self, *args):
            logs = args[-1]
            self.calls.append((name,) + args[:-1] + (
                None if logs is None else sorted(logs) if name != "predict_batch_end"
                else logs["outputs"].shape,))
        return hook

    for _name in ("train_begin", "epoch_begin", "train_batch_begin", "test_begin",
                  "test_batch_begin", "predict_begin", "predict_batch_begin",
                  "predict_batch_end", "predict_end"):
        locals()["on_" + _name] = _record(_name)


def test_predict_shows_progress_and_calls_the_predict_hooks(capsys):
    model = zero_model(1)
    model.predict(X, batch_size=10)  # verbose="auto": a bar, as Keras
    out = capsys.readouterr().out
    assert out.startswith("7/7 ━━━━━━━━━━━━━━━━━━━━ ") and out.endswith("/step\n")
    model.predict(X, batch_size=10, verbose=2)
    line = capsys.readouterr().out
    assert line.startswith("7/7 - ") and line.endswith("/step\n") and line.count(" - ") == 2
    recorder = Recorder()
    model.predict(X, batch_size=30, verbose=0, callbacks=[recorder])
    assert capsys.readouterr().out == ""
    assert recorder.params == {"verbose": 0, "epochs": 1, "steps": 3}
    assert recorder.calls == [("predict_begin", []),
                              ("predict_batch_begin", 0, []), ("predict_batch_end", 0, (30, 1)),
                              ("predict_batch_begin", 1, []), ("predict_batch_end", 1, (30, 1)),
                              ("predict_batch_begin", 2, []), ("predict_batch_end", 2, (4, 1)),
                              ("predict_end", [])]


# --- F4 / F6: the logs of hooks and their order ----------------------------------------------
def test_begin_hooks_get_empty_dicts():
    model = zero_model(1)
    model.compile(frozen_sgd(), loss="mse")
    recorder = Recorder()
    seen = []
    lam = keras.callbacks.LambdaCallback(on_train_begin=lambda logs: seen.append(logs),
                                         on_epoch_begin=lambda epoch, logs: seen.append(logs))
    model.fit(X, X, batch_size=32, epochs=1, verbose=0, validation_data=(X, X),
              callbacks=[recorder, lam])
    assert recorder.calls == [("train_begin", []), ("epoch_begin", 0, []),
                              ("train_batch_begin", 0, []), ("train_batch_begin", 1, []),
                              ("test_begin", []), ("test_batch_begin", 0, []),
                              ("test_batch_begin", 1, [])]
    assert seen == [{}, {}]
    recorder.calls.clear()
    model.evaluate(X, X, batch_size=64, verbose=0, callbacks=[recorder])
    assert recorder.calls == [("test_begin", []), ("test_batch_begin", 0, [])]


def test_logs_are_sorted_by_name(capsys):
    x = np.random.default_rng(1).normal(size=(N, 3)).astype("float32")
    y = np.eye(2, dtype="float32")[(x[:, 0] > 0).astype("int64")]
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy", metrics=["accuracy", "mse"])
    history = model.fit(x, y, batch_size=32, epochs=1, verbose=2, validation_split=0.25)
    assert list(history.history) == ["accuracy", "loss", "mse", "val_accuracy", "val_loss",
                                     "val_mse"]
    line = capsys.readouterr().out.strip()
    names = ["accuracy", "loss", "mse", "val_accuracy", "val_loss", "val_mse"]
    positions = [line.index(f" - {name}: ") for name in names]
    assert positions == sorted(positions)
    assert list(model.evaluate(x, y, verbose=0, return_dict=True)) == ["accuracy", "loss", "mse"]
    assert list(model.train_on_batch(x, y, return_dict=True)) == ["accuracy", "loss", "mse"]
    loss, accuracy, mse = model.test_on_batch(x, y)  # the list: loss, then compile order
    assert 0.0 <= accuracy <= 1.0 and loss > 0.0 and 0.0 < mse


def test_fit_warns_that_shuffle_is_ignored_for_datasets_and_generators():
    dataset = fx.data.Dataset.from_tensor_slices((X, X)).batch(32)

    def generator():
        yield X[:32], X[:32]

    def shuffle_warnings(x, **kwargs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            index_model().fit(x, epochs=1, verbose=0, **kwargs)
        return [str(w.message) for w in caught if "`shuffle=True` was passed" in str(w.message)]

    assert shuffle_warnings(dataset) == [  # fit's default shuffle=True, as in Keras
        "`shuffle=True` was passed, but will be ignored since the data `x` was provided as a "
        "tf.data.Dataset. The Dataset is expected to already be shuffled (via "
        "`.shuffle(buffer_size)`)."]
    assert shuffle_warnings(generator(), steps_per_epoch=1) == [
        "`shuffle=True` was passed, but will be ignored since the data `x` was provided as a "
        "generator. The generator is expected to yield already-shuffled data."]
    assert shuffle_warnings(dataset, shuffle=False) == []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        index_model().evaluate(dataset, verbose=0)
        index_model().fit(X, X, epochs=1, verbose=0)
    assert not [w for w in caught if "shuffle" in str(w.message)]


def test_a_loss_dict_must_name_every_output_none_for_no_loss():
    y1, y2 = two_output_targets()
    model = zero_model(2)
    with pytest.raises(ValueError, match=r"Expected keys \['out1', 'out2'\] in loss dict, but "
                                         r"found loss.keys\(\)=\['out1'\]"):
        model.compile(frozen_sgd(), loss={"out1": "mse"})
    model.compile(frozen_sgd(), loss={"out1": "mse", "out2": None})
    got = model.evaluate(X, [y1, y2], verbose=0)
    assert got == pytest.approx(float(np.mean(y1 ** 2)), rel=1e-5)
