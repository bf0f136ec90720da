"""compile / fit / evaluate / predict on small data, as in the guide's cells."""

import numpy as np
import pytest

import minikeras as keras
from minikeras.utils import progbar

BAR = "\u2501" * 20


def digits(n=256, seed=0):
    """Tiny "images" (n, 8, 8, 1) whose class (0-9) is the brightest row band."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n)
    x = rng.random((n, 8, 8, 1)).astype("float32") * 0.1
    for index, label in enumerate(y):
        x[index, (label * 8) // 10, :, 0] += 1.0
    return x, y


def convnet():
    """The guide's convnet, shrunk to 8x8 inputs."""
    return keras.Sequential([
        keras.layers.Input(shape=(8, 8, 1)),
        keras.layers.Conv2D(4, kernel_size=(3, 3), activation="relu"),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(10, activation="softmax"),
    ])


def mlp(seed=1):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.layers.Input(shape=(8, 8, 1)),
        keras.layers.Flatten(),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])


def compiled_mlp(**compile_args):
    model = mlp()
    compile_args.setdefault("loss", "sparse_categorical_crossentropy")
    compile_args.setdefault("optimizer", keras.optimizers.Adam(learning_rate=1e-2))
    model.compile(**compile_args)
    return model


def test_guide_cells_fit_history_evaluate_predict(tmp_path):
    x, y = digits()
    model = convnet()
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(),
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="acc")],
    )
    callbacks = [
        keras.callbacks.ModelCheckpoint(filepath=str(tmp_path / "model_at_epoch_{epoch}.keras")),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=2),
    ]
    history = model.fit(x, y, batch_size=32, epochs=2, validation_split=0.15, callbacks=callbacks, verbose=0)
    assert list(history.history) == ["acc", "loss", "val_acc", "val_loss"]
    assert history.epoch == [0, 1]
    assert history.params == {"verbose": 0, "epochs": 2, "steps": 7}  # ceil(217 / 32)
    assert model.history is history
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model_at_epoch_1.keras", "model_at_epoch_2.keras"]
    score = model.evaluate(x, y, verbose=0)
    assert isinstance(score, list) and len(score) == 2
    predictions = model.predict(x, verbose=0)
    assert predictions.shape == (256, 10) and isinstance(predictions, np.ndarray)
    np.testing.assert_allclose(predictions.sum(axis=1), 1.0, rtol=1e-5)


def test_training_lowers_the_loss():
    x, y = digits()
    model = compiled_mlp(metrics=["accuracy"])
    history = model.fit(x, y, epochs=5, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.5


def test_uncompiled_model_refuses_to_fit():
    x, y = digits(16)
    with pytest.raises(ValueError, match=r"You must call `compile\(\)` before using the model."):
        mlp().fit(x, y, verbose=0)


def test_epoch_loss_is_the_sample_weighted_mean():
    """250 samples in batches of 100 (the last one 50): the epoch loss is the dataset mean."""
    x, y = digits(250)
    model = compiled_mlp(optimizer=keras.optimizers.SGD(learning_rate=0.0))
    history = model.fit(x, y, batch_size=100, epochs=1, verbose=0, shuffle=False)
    probabilities = model.predict(x, verbose=0)
    expected = -np.mean(np.log(np.clip(probabilities[np.arange(250), y], 1e-7, 1.0)))
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-5)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-5)


def test_evaluate_forms():
    x, y = digits(64)
    model = compiled_mlp()
    loss = model.evaluate(x, y, verbose=0)
    assert isinstance(loss, float)
    model = compiled_mlp(metrics=["accuracy", "sparse_top_k_categorical_accuracy"])
    values = model.evaluate(x, y, verbose=0)
    as_dict = model.evaluate(x, y, verbose=0, return_dict=True)
    assert list(as_dict) == ["accuracy", "loss", "sparse_top_k_categorical_accuracy"]
    assert values == [as_dict["loss"], as_dict["accuracy"], as_dict["sparse_top_k_categorical_accuracy"]]
    assert model.metrics_names == ["loss", "compile_metrics"]


def test_predict_batches_and_needs_no_compile():
    x, _ = digits(70)
    model = mlp()
    batched = model.predict(x, batch_size=32, verbose=0)
    whole = keras.ops.convert_to_numpy(model(x))
    np.testing.assert_allclose(batched, whole, rtol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(x[:5]), whole[:5], rtol=1e-6)


def test_validation_split_takes_the_last_samples_before_shuffling():
    x, y = digits(100)
    x[:, 0, 0, 0] = np.arange(100)  # the row id rides in one pixel
    seen = []

    class Recording(keras.Sequential):
        def train_step(self, data):
            seen.extend(np.asarray(data[0])[:, 0, 0, 0].astype(int).tolist())
            return super().train_step(data)

    keras.utils.set_random_seed(3)
    model = Recording([keras.layers.Input(shape=(8, 8, 1)), keras.layers.Flatten(),
                       keras.layers.Dense(10, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    history = model.fit(x, y, validation_split=0.25, epochs=1, batch_size=10, verbose=0, shuffle=True)
    assert sorted(seen) == list(range(75))  # training saw exactly the first 75 rows...
    assert seen != list(range(75))  # ...shuffled
    # validation ran on the last 25, with the weights at the end of the epoch
    assert history.history["val_loss"][0] == pytest.approx(model.evaluate(x[75:], y[75:], verbose=0), rel=1e-5)


def test_validation_data_and_freq_and_initial_epoch():
    x, y = digits(64)
    model = compiled_mlp()
    history = model.fit(x, y, validation_data=(x[:16], y[:16]), validation_freq=2, epochs=4,
                        initial_epoch=1, verbose=0)
    assert history.epoch == [1, 2, 3]
    assert len(history.history["loss"]) == 3
    assert len(history.history["val_loss"]) == 2  # after epochs 2 and 4 (1-based)


def test_sample_weight_and_class_weight():
    x, y = digits(64)
    weights = (y == 3).astype("float32")
    model = compiled_mlp(optimizer=keras.optimizers.SGD(learning_rate=0.0), weighted_metrics=["accuracy"])
    plain = compiled_mlp(optimizer=keras.optimizers.SGD(learning_rate=0.0), metrics=["accuracy"])
    weighted = model.evaluate(x, y, sample_weight=weights, verbose=0, return_dict=True)
    probabilities = model.predict(x, verbose=0)
    per_sample = -np.log(probabilities[np.arange(64), y])
    # sum_over_batch_size: sum of weighted losses / number of samples
    assert weighted["loss"] == pytest.approx(np.sum(per_sample * weights) / 64, rel=1e-5)
    hits = probabilities.argmax(axis=1) == y
    assert weighted["accuracy"] == pytest.approx(hits[y == 3].mean(), abs=1e-6)
    assert plain.evaluate(x, y, verbose=0, return_dict=True)["accuracy"] == pytest.approx(hits.mean(), abs=1e-6)
    # class_weight {3: 1, others: 0} gives the same training loss as those sample weights
    by_class = model.fit(x, y, class_weight={c: float(c == 3) for c in range(10)}, epochs=1,
                         batch_size=64, verbose=0).history["loss"][0]
    by_sample = model.fit(x, y, sample_weight=weights, epochs=1, batch_size=64, verbose=0).history["loss"][0]
    assert by_class == pytest.approx(by_sample, rel=1e-6)
    with pytest.raises(ValueError, match="You cannot `class_weight` and `sample_weight` at the same time."):
        model.fit(x, y, sample_weight=weights, class_weight={0: 1.0}, verbose=0)


def test_on_batch_methods():
    x, y = digits(32)
    model = compiled_mlp(metrics=["accuracy"])
    loss, accuracy = model.train_on_batch(x, y)
    assert np.isfinite(loss) and 0.0 <= accuracy <= 1.0
    logs = model.test_on_batch(x, y, return_dict=True)
    assert list(logs) == ["accuracy", "loss"]
    assert model.predict_on_batch(x).shape == (32, 10)


def test_steps_per_epoch_on_arrays():
    x, y = digits(64)
    model = compiled_mlp()
    history = model.fit(x, y, batch_size=16, steps_per_epoch=2, epochs=3, verbose=0)
    assert history.params["steps"] == 2 and len(history.history["loss"]) == 3


def test_stop_training_from_a_callback():
    x, y = digits(64)
    model = compiled_mlp()
    stopper = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: setattr(model, "stop_training", True))
    assert len(model.fit(x, y, epochs=5, verbose=0, callbacks=[stopper]).history["loss"]) == 1


def test_early_stopping_and_terminate_on_nan_in_fit(capsys):
    x, y = digits(64)
    model = compiled_mlp(optimizer=keras.optimizers.SGD(learning_rate=0.0))
    stopper = keras.callbacks.EarlyStopping(monitor="loss", patience=1, verbose=1)
    history = model.fit(x, y, epochs=10, verbose=0, callbacks=[stopper])
    assert len(history.history["loss"]) == 2  # no change: stops after patience 1
    assert "Epoch 2: early stopping" in capsys.readouterr().out
    x_nan = x.copy()
    x_nan[0] = np.nan
    model = compiled_mlp()
    history = model.fit(x_nan, y, epochs=3, batch_size=64, verbose=0, callbacks=[keras.callbacks.TerminateOnNaN()])
    assert len(history.history["loss"]) == 1


def _fake_clock(monkeypatch, step=0.25):
    now = [0.0]

    def clock():
        now[0] += step
        return now[0]

    monkeypatch.setattr(progbar, "clock", clock)


def test_progress_bar_text_verbose_1_into_a_pipe(monkeypatch, capsys):
    x, y = digits(64)
    model = compiled_mlp(metrics=[keras.metrics.SparseCategoricalAccuracy(name="acc")])
    _fake_clock(monkeypatch)
    h = model.fit(x, y, batch_size=32, epochs=2, validation_data=(x, y)).history
    lines = []
    for epoch in range(2):
        lines.append(f"Epoch {epoch + 1}/2")
        # clock: created 0.25, step 1 at 0.5, step 2 at 0.75, final at 1.0 -> 0.75 s, 500 ms/step
        lines.append(f"2/2 {BAR} 1s 500ms/step - acc: {h['acc'][epoch]:.4f} - loss: {h['loss'][epoch]:.4f}"
                     f" - val_acc: {h['val_acc'][epoch]:.4f} - val_loss: {h['val_loss'][epoch]:.4f}")
    assert capsys.readouterr().out == "\n".join(lines) + "\n"


def test_progress_bar_text_verbose_2_and_evaluate(monkeypatch, capsys):
    x, y = digits(96)
    model = compiled_mlp()
    _fake_clock(monkeypatch)
    h = model.fit(x, y, batch_size=32, epochs=1, verbose=2).history
    # one epoch: no "Epoch 1/1". verbose 2 reads the clock only when created
    # (0.25) and at the end (0.5): 0.25 s over 3 steps
    assert capsys.readouterr().out == f"3/3 - 0s - 83ms/step - loss: {h['loss'][0]:.4f}\n"
    loss = model.evaluate(x, y, batch_size=48)
    assert capsys.readouterr().out == f"2/2 {BAR} 1s 500ms/step - loss: {loss:.4f}\n"
    model.predict(x, batch_size=96)
    # created at t, step 1 at t + 0.25, final at t + 0.5 (the only step is not left out)
    assert capsys.readouterr().out == f"1/1 {BAR} 0s 500ms/step\n"
    model.fit(x, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


def test_generator_that_runs_out_stops_training():
    x, y = digits(96)

    def three_batches():
        for start in range(0, 96, 32):
            yield x[start:start + 32], y[start:start + 32]

    model = compiled_mlp()
    with pytest.warns(UserWarning, match="Your input ran out of data; interrupting training"):
        history = model.fit(three_batches(), steps_per_epoch=2, epochs=5, verbose=0, shuffle=False)
    assert len(history.history["loss"]) == 2  # epoch 2 got one batch, then the source was empty


def test_predict_keeps_the_output_structure():
    inputs = keras.Input(shape=(8, 8, 1))
    flat = keras.layers.Flatten()(inputs)
    model = keras.Model(inputs, {"a": keras.layers.Dense(2)(flat), "b": keras.layers.Dense(3)(flat)})
    x, _ = digits(40)
    outputs = model.predict(x, batch_size=16, verbose=0)
    assert isinstance(outputs, dict) and outputs["a"].shape == (40, 2) and outputs["b"].shape == (40, 3)


def test_evaluate_needs_compile():
    x, y = digits(8)
    with pytest.raises(ValueError, match=r"You must call `compile\(\)` before using the model."):
        mlp().evaluate(x, y, verbose=0)


@pytest.mark.parametrize("split", [1.0, 1.5, -0.1, float("nan"), "0.2", True])
def test_validation_split_outside_zero_one_is_refused_by_name(split):
    # Before: 1.5 trained on everything and validated on nothing; -0.1 spoke of empty arrays.
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((10, 2), "float32"), np.ones((10, 1), "float32")
    with pytest.raises(ValueError, match=r"`validation_split` must be a float in \[0, 1\).*Received: validation_split="):
        model.fit(x, y, validation_split=split, verbose=0)


def test_nan_labels_reach_fit_as_a_clear_error():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    y = np.array([0.0, 1.0, np.nan, 2.0])
    with pytest.raises(ValueError, match="labels contain NaN"):
        model.fit(np.ones((4, 2), "float32"), y, verbose=0)
