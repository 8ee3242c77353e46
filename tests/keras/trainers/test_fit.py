"""compile / fit / evaluate / predict on small synthetic problems: return values, semantics,
callbacks, reproducibility and error messages."""
import numpy as np
import pytest

import fluxion as fx
from fluxion import keras
from fluxion.keras import layers


def blobs(n=256, classes=3, dim=4, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 3, (classes, dim))
    labels = rng.integers(0, classes, n)
    x = (centers[labels] + rng.normal(0, 0.5, (n, dim))).astype("float32")
    return x, labels


def classifier(classes=3, dim=4):
    return keras.Sequential([keras.Input((dim,)), layers.Dense(16, activation="relu"),
                             layers.Dense(classes, activation="softmax")])


def test_fit_learns_and_returns_history():
    keras.utils.set_random_seed(1)
    x, y = blobs()
    model = classifier()
    # 64 steps: at Adam's default 1e-3 only some initialisations get there; 1e-2 all of
    # seeds 0-7 (0.99 or more)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, batch_size=32, epochs=8, verbose=0)
    assert list(history.history) == ["accuracy", "loss"]
    assert len(history.history["loss"]) == 8 and history.epoch == list(range(8))
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.95
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert accuracy > 0.95 and loss < 0.5
    assert model.evaluate(x, y, verbose=0, return_dict=True).keys() == {"accuracy", "loss"}
    probabilities = model.predict(x, batch_size=50, verbose=0)
    assert probabilities.shape == (256, 3) and probabilities.dtype == np.float32
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert model.predict_classes(x[:5]).shape == (5,)


def test_validation_split_takes_the_last_fraction_before_shuffling():
    x = np.arange(100, dtype="float32").reshape(100, 1)
    y = np.arange(100, dtype="float32").reshape(100, 1)
    seen = []

    class Record(keras.callbacks.Callback):  # reads batch logs, so fit runs train_function
        def on_train_batch_end(self, batch, logs=None):
            pass

    model = keras.Sequential([keras.Input((1,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    original = model.make_train_function()

    def spy(batch):
        seen.append(batch[0].copy())
        return original(batch)

    model._train_function = spy
    history = model.fit(x, y, batch_size=10, epochs=1, validation_split=0.2, verbose=0,
                        callbacks=[Record()])
    trained = np.concatenate(seen).ravel()
    assert sorted(trained.tolist()) == list(range(80))   # validation = samples 80..99
    assert "val_loss" in history.history


def test_same_seed_gives_bit_identical_weights_and_history():
    def run():
        keras.utils.set_random_seed(7)
        x, y = blobs()
        model = keras.Sequential([keras.Input((4,)), layers.Dense(16, activation="relu"),
                                  layers.Dropout(0.3), layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        history = model.fit(x, y, batch_size=32, epochs=3, verbose=0, validation_split=0.25)
        return model.get_weights(), history.history

    (w1, h1), (w2, h2) = run(), run()
    assert h1 == h2
    for a, b in zip(w1, w2):
        assert np.array_equal(a, b)


def test_eager_and_compiled_training_agree():
    def run(run_eagerly):
        keras.utils.set_random_seed(3)
        x, y = blobs(64)
        model = classifier()
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy",
                      run_eagerly=run_eagerly)
        model.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
        return model.get_weights()

    for a, b in zip(run(False), run(True)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_train_on_batch_and_predict_reuse_their_compiled_functions():
    x, y = blobs(64)
    model = classifier()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    for _ in range(5):
        loss, accuracy = model.train_on_batch(x[:16], y[:16])
    for _ in range(5):
        model.predict(x, batch_size=16, verbose=0)
    assert model._train_function.experimental_get_tracing_count() == 1
    assert model._predict_function.experimental_get_tracing_count() == 1
    assert isinstance(loss, float) and 0 <= accuracy <= 1
    assert model.test_on_batch(x[:16], y[:16], return_dict=True).keys() == {"accuracy",
                                                                              "loss"}
    assert model.predict_on_batch(x[:3]).shape == (3, 3)


def test_fit_on_a_dataset_and_on_a_generator():
    x, y = blobs(96)
    model = classifier()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    dataset = fx.data.Dataset.from_tensor_slices((x, y)).shuffle(96, seed=1).batch(32)
    history = model.fit(dataset, epochs=2, verbose=0, validation_data=dataset, shuffle=False)
    assert len(history.history["val_loss"]) == 2

    def batches():
        while True:
            for i in range(0, 96, 32):
                yield x[i:i + 32], y[i:i + 32]

    history = model.fit(batches(), steps_per_epoch=3, epochs=2, verbose=0, shuffle=False)
    assert len(history.history["loss"]) == 2
    with pytest.raises(ValueError, match="steps_per_epoch"):
        model.fit(dataset.repeat(), epochs=1, verbose=0, shuffle=False)


def test_multi_output_model_with_loss_dict_and_weights():
    inputs = keras.Input((4,))
    hidden = layers.Dense(8, activation="relu")(inputs)
    cls = layers.Dense(3, activation="softmax", name="cls")(hidden)
    reg = layers.Dense(1, name="reg")(hidden)
    model = keras.Model(inputs, [cls, reg])
    model.compile(optimizer="adam",
                  loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"},
                  loss_weights={"cls": 1.0, "reg": 0.5}, metrics={"cls": ["accuracy"]})
    x, y = blobs(64)
    history = model.fit(x, [y, x[:, :1]], epochs=2, batch_size=16, verbose=0)
    assert {"loss", "cls_accuracy"} <= set(history.history)


def test_sample_and_class_weights_change_the_loss():
    x, y = blobs(32)
    model = classifier()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    plain = model.evaluate(x, y, verbose=0)
    weighted = model.test_on_batch(x, y, sample_weight=np.zeros(32, "float32"))
    assert weighted == 0.0 and plain > 0
    model.fit(x, y, class_weight={0: 1.0, 1: 2.0, 2: 0.5}, epochs=1, verbose=0)


def test_early_stopping_and_learning_rate_schedule_in_fit():
    x, y = blobs(64)
    model = classifier()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1),
                  loss="sparse_categorical_crossentropy")
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=10.0)
    schedule = keras.callbacks.LearningRateScheduler(lambda epoch, lr: 0.01 * (epoch + 1))
    history = model.fit(x, y, epochs=10, verbose=0, callbacks=[stop, schedule])
    assert len(history.history["loss"]) == 2  # no improvement of 10.0: stops after patience
    assert float(model.optimizer.learning_rate) == pytest.approx(0.02)


def test_progress_output_verbose_2(capsys):
    x, y = blobs(64)
    model = classifier()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, batch_size=32, epochs=2, verbose=2)
    lines = [l for l in capsys.readouterr().out.splitlines() if l.strip()]
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert lines[1].startswith("2/2 - ") and " - accuracy: " in lines[1] and \
        " - loss: " in lines[1]


def test_errors_are_clear():
    x, y = blobs(32)
    model = classifier()
    for call in (lambda: model.fit(x, y, verbose=0), lambda: model.evaluate(x, y, verbose=0),
                 lambda: model.train_on_batch(x, y), lambda: model.test_on_batch(x, y)):
        with pytest.raises(ValueError, match=r"You must call `compile\(\)` before using the "
                                             r"model\. .*model\.compile\(optimizer="):
            call()
    with pytest.raises(ValueError, match="Could not interpret optimizer|Unknown optimizer"):
        model.compile(optimizer="adamm", loss="mse")
    with pytest.raises(ValueError, match="mean_squared_error|Unknown loss"):
        model.compile(optimizer="adam", loss="mean_squared_erorr")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="Data cardinality is ambiguous"):
        model.fit(x, y[:10], verbose=0)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        model.fit(x, y, verbose=0)


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_terminate_on_nan():
    x, _ = blobs(64)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e30), loss="mse")
    history = model.fit(x * 1e20, x[:, :1], epochs=5, batch_size=16, verbose=0,
                        callbacks=[keras.callbacks.TerminateOnNaN()])
    assert model.stop_training
    assert len(history.history.get("loss", [])) <= 1


def test_repeated_fit_and_predict_do_not_grow_memory():
    import gc
    import tracemalloc

    x, y = blobs(128)
    model = classifier()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])

    def work():
        model.fit(x, y, batch_size=32, epochs=1, verbose=0)
        model.predict(x, batch_size=32, verbose=0)
        model.train_on_batch(x[:32], y[:32])

    for _ in range(3):
        work()
    gc.collect()
    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    for _ in range(20):
        work()
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - baseline
    tracemalloc.stop()
    assert grown < 200_000, f"memory grew by {grown} bytes over 20 fit/predict rounds"
    assert model._train_function.experimental_get_tracing_count() == 1


def test_batch_logs_are_computed_only_when_a_callback_reads_them():
    x, y = blobs()

    def run(callbacks, verbose=0):
        keras.utils.set_random_seed(3)
        model = classifier()
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        history = model.fit(x, y, batch_size=32, epochs=2, verbose=verbose,
                            callbacks=callbacks)
        evaluated = model.evaluate(x, y, verbose=0)
        return model, history.history, evaluated

    quiet, quiet_history, quiet_eval = run([])
    assert quiet._train_function is None and quiet._test_function is None  # logs never built
    batch_logs = []
    reader = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: batch_logs.append(dict(logs)))
    read, read_history, read_eval = run([reader])
    assert read._train_function is not None
    assert quiet_history == read_history and quiet_eval == read_eval  # the same training
    assert len(batch_logs) == 16 and set(batch_logs[0]) == {"loss", "accuracy"}
    # running values: the epoch's last batch logs are the epoch's logs
    assert float(batch_logs[7]["loss"]) == pytest.approx(read_history["loss"][0], rel=1e-6)
    assert float(batch_logs[15]["accuracy"]) == pytest.approx(read_history["accuracy"][1])
    with_bar, _, _ = run([], verbose=1)
    assert with_bar._train_function is not None   # the bar of verbose=1 shows running values


def test_an_overridden_make_train_function_is_used():
    x, y = blobs(64)
    calls = []

    class Traced(keras.Sequential):
        def make_train_function(self, force=False):
            function = super().make_train_function(force)

            def counted(batch):
                calls.append(1)
                return function(batch)
            return counted

    model = Traced([keras.Input((4,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    assert len(calls) == 4


def test_shuffled_batches_reuse_their_arrays_and_hold_the_same_rows():
    from fluxion.keras.trainers.data_adapter import ArrayBatches
    x, y = blobs(100)
    batches = ArrayBatches(x, y, batch_size=32, shuffle=True)

    def epoch(reuse_buffers):
        np.random.seed(5)
        return [(bx, bx.copy(), by.copy()) for bx, by, _ in batches.epoch(reuse_buffers)]

    fresh, reused = epoch(False), epoch(True)
    for (_, fx_, fy), (_, rx, ry) in zip(fresh, reused):
        np.testing.assert_array_equal(fx_, rx)
        np.testing.assert_array_equal(fy, ry)
    assert reused[0][0] is reused[1][0] is reused[2][0]  # the three full batches: one array
    assert reused[3][0].shape == (4, 4) and reused[3][0] is not reused[0][0]
    assert fresh[0][0] is not fresh[1][0]


@pytest.mark.parametrize("setting, reuses", [("compiled", True), ("run_eagerly", False),
                                             ("batch_logs_read", False)])
def test_fit_reuses_batch_arrays_only_for_its_compiled_update(monkeypatch, setting, reuses):
    from fluxion.keras.trainers.data_adapter import ArrayBatches
    asked = []
    epoch = ArrayBatches.epoch

    def spy(self, reuse_buffers=False):
        asked.append(reuse_buffers)
        return epoch(self, reuse_buffers)

    monkeypatch.setattr(ArrayBatches, "epoch", spy)
    x, y = blobs(64)
    model = classifier()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy",
                  run_eagerly=setting == "run_eagerly")
    reader = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: None)
    model.fit(x, y, batch_size=16, epochs=2, verbose=0,
              callbacks=[reader] if setting == "batch_logs_read" else [])
    assert asked == [reuses, reuses]
