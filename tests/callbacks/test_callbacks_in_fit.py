"""Callbacks inside a real ``fit``: weights restored, files written, learning rate changed."""

import numpy as np

import minikeras as keras
from minikeras import ops


def small_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def data():
    rng = np.random.default_rng(0)
    x = rng.random((48, 4)).astype("float32")
    return x, (x[:, 0] * 3).astype("int64").clip(0, 2)


def test_early_stopping_restores_the_best_epochs_weights():
    x, y = data()
    model = small_model()
    snapshots = []
    record = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: snapshots.append(
        (logs["val_loss"], [ops.convert_to_numpy(w).copy() for w in model.weights])))
    # val_loss on shuffled labels gets worse as training fits the training labels
    rng = np.random.default_rng(1)
    stopper = keras.callbacks.EarlyStopping(patience=1, restore_best_weights=True)
    model.fit(x, y, validation_data=(x, rng.permutation(y)), epochs=8, batch_size=8, verbose=0,
              callbacks=[record, stopper])
    best = min(snapshots, key=lambda snapshot: snapshot[0])[1]
    for restored, expected in zip(model.get_weights(), best):
        np.testing.assert_array_equal(restored, expected)


def test_checkpoints_best_only_and_weights_only(tmp_path):
    x, y = data()
    model = small_model()
    best = keras.callbacks.ModelCheckpoint(str(tmp_path / "best.keras"), monitor="loss", save_best_only=True)
    weights = keras.callbacks.ModelCheckpoint(str(tmp_path / "w{epoch:02d}-{loss:.2f}.weights.h5"),
                                              save_weights_only=True, monitor="loss")
    history = model.fit(x, y, epochs=2, verbose=0, callbacks=[best, weights])
    names = sorted(path.name for path in tmp_path.iterdir())
    losses = history.history["loss"]
    assert names == ["best.keras", f"w01-{losses[0]:.2f}.weights.h5", f"w02-{losses[1]:.2f}.weights.h5"]
    reloaded = keras.saving.load_model(str(tmp_path / "best.keras"))
    np.testing.assert_allclose(reloaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_csv_logger_and_learning_rate_callbacks(tmp_path):
    x, y = data()
    model = small_model()
    path = tmp_path / "training.csv"
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[
        keras.callbacks.LearningRateScheduler(lambda epoch, lr: 0.5 / (epoch + 1)),
        keras.callbacks.CSVLogger(str(path)),
    ])
    np.testing.assert_allclose(history.history["learning_rate"], [0.5, 0.25, 0.5 / 3], rtol=1e-6)
    lines = path.read_bytes().decode().split("\r\n")
    # without validation, Keras still reserves a val_ column for every key
    assert lines[0] == "epoch,accuracy,learning_rate,loss,val_accuracy,val_learning_rate,val_loss"
    assert lines[1].endswith(",NA,NA,NA")
    assert [line.split(",")[0] for line in lines[1:4]] == ["0", "1", "2"]
    model = small_model()
    reducer = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=10.0)
    model.fit(x, y, epochs=3, verbose=0, callbacks=[reducer])
    # min_delta=10: no epoch counts as an improvement after the first; halved after epochs 2 and 3
    assert float(model.optimizer.learning_rate) == np.float32(0.125)
