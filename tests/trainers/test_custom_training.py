"""Multi-output models, a custom ``train_step`` (the torch-guide form) and a loop written by hand."""

import numpy as np
import pytest

import minikeras as keras
from minikeras import ops


def regression_data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 4)).astype("float32")
    y_reg = (x @ np.array([[1.0], [-2.0], [0.5], [0.0]], dtype="float32")).astype("float32")
    y_cls = (x[:, 0] > x[:, 1]).astype("int64") + (x[:, 2] > 0.5).astype("int64")
    return x, y_reg, y_cls


def two_output_model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(4,))
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    reg = keras.layers.Dense(1, name="reg")(hidden)
    cls = keras.layers.Dense(3, activation="softmax", name="cls")(hidden)
    return keras.Model(inputs, [reg, cls])


def test_multi_output_keys_and_weighted_total():
    x, y_reg, y_cls = regression_data()
    model = two_output_model()
    model.compile(optimizer="adam", loss=["mse", "sparse_categorical_crossentropy"], loss_weights=[1.0, 0.5],
                  metrics=[["mae"], ["accuracy"]])
    history = model.fit(x, [y_reg, y_cls], epochs=2, verbose=0, validation_split=0.25)
    assert list(history.history) == [
        "cls_accuracy", "cls_loss", "loss", "reg_loss", "reg_mae",
        "val_cls_accuracy", "val_cls_loss", "val_loss", "val_reg_loss", "val_reg_mae",
    ]
    logs = model.evaluate(x, [y_reg, y_cls], verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["reg_loss"] + 0.5 * logs["cls_loss"], rel=1e-5)
    values = model.evaluate(x, [y_reg, y_cls], verbose=0)
    # loss, per-output losses (model order), then the rest alphabetically (as Keras)
    assert values == pytest.approx([logs["loss"], logs["reg_loss"], logs["cls_loss"],
                                    logs["cls_accuracy"], logs["reg_mae"]])
    reg, cls = model.predict(x, verbose=0)
    assert reg.shape == (64, 1) and cls.shape == (64, 3)


def test_multi_output_dicts_by_output_name():
    x, y_reg, y_cls = regression_data()
    model = two_output_model()
    model.compile(optimizer="adam", loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"},
                  metrics={"cls": "accuracy"})
    logs = model.evaluate(x, {"reg": y_reg, "cls": y_cls}, verbose=0, return_dict=True)
    assert sorted(logs) == ["cls_accuracy", "cls_loss", "loss", "reg_loss"]
    assert logs["loss"] == pytest.approx(logs["reg_loss"] + logs["cls_loss"], rel=1e-5)


def test_multi_input_model():
    rng = np.random.default_rng(1)
    a, b = rng.random((32, 3)).astype("float32"), rng.random((32, 2)).astype("float32")
    y = (a.sum(axis=1) - b.sum(axis=1)).reshape(-1, 1).astype("float32")
    input_a, input_b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(2,), name="b")
    merged = keras.layers.Concatenate()([input_a, input_b])
    model = keras.Model([input_a, input_b], keras.layers.Dense(1)(merged))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    history = model.fit([a, b], y, epochs=10, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict({"a": a, "b": b}, verbose=0).shape == (32, 1)


class CustomModel(keras.Model):
    """The torch guide "Customizing what happens in fit()": own loss and metric trackers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
        self.loss_fn = keras.losses.MeanSquaredError()

    def train_step(self, data):
        x, y = data
        with keras.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.loss_fn(y, y_pred)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(grads, self.trainable_variables)
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    @property
    def metrics(self):
        # Listed here so that fit() resets them at the start of each epoch.
        return [self.loss_tracker, self.mae_metric]


def test_custom_train_step_with_own_metrics():
    x, y, _ = regression_data(128)
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(4,))
    model = CustomModel(inputs, keras.layers.Dense(1)(inputs))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05))
    history = model.fit(x, y, epochs=5, verbose=0)
    assert list(history.history) == ["loss", "mae"]
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.metrics_names == ["loss", "mae"]


def test_overriding_compute_loss_adds_a_term():
    x, y, _ = regression_data()

    class Penalised(keras.Sequential):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            loss = super().compute_loss(x, y, y_pred, sample_weight, training)
            return loss + 10.0

    keras.utils.set_random_seed(0)
    model = Penalised([keras.Input(shape=(4,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    keras.utils.set_random_seed(0)
    reference = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
    reference.compile(optimizer="sgd", loss="mse")
    assert model.evaluate(x, y, verbose=0) == pytest.approx(reference.evaluate(x, y, verbose=0) + 10.0, rel=1e-5)


def test_regularization_losses_are_added():
    x, y, _ = regression_data()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(4,)),
                              keras.layers.Dense(1, kernel_regularizer=keras.regularizers.L2(0.5))])
    model.compile(optimizer="sgd", loss="mse")
    residual = model.predict(x, verbose=0) - y
    kernel = keras.ops.convert_to_numpy(model.layers[0].kernel)
    expected = np.mean(residual ** 2) + 0.5 * np.sum(kernel ** 2)
    assert model.evaluate(x, y, verbose=0, batch_size=64) == pytest.approx(expected, rel=1e-5)


def test_loop_written_from_scratch():
    """The tape + optimizer.apply loop that the default train_step also runs."""
    x, y, _ = regression_data(64)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
    optimizer = keras.optimizers.SGD(learning_rate=0.1)
    loss_fn = keras.losses.MeanSquaredError()
    first = None
    for epoch in range(20):
        for start in range(0, 64, 16):
            with keras.GradientTape() as tape:
                loss = loss_fn(y[start:start + 16], model(x[start:start + 16], training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply(grads, model.trainable_variables)
            first = float(loss) if first is None else first
    assert float(loss) < 0.2 * first
    # the default train_step does exactly this: same start, same data, same result
    keras.utils.set_random_seed(0)
    fitted = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
    fitted.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss=keras.losses.MeanSquaredError())
    fitted.fit(x, y, batch_size=16, epochs=20, shuffle=False, verbose=0)
    for ours, theirs in zip(model.trainable_variables, fitted.trainable_variables):
        np.testing.assert_allclose(ops.convert_to_numpy(ours), ops.convert_to_numpy(theirs), rtol=1e-5, atol=1e-6)


def test_compile_config_round_trip():
    model = two_output_model()
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss=["mse", "sparse_categorical_crossentropy"],
                  loss_weights=[1.0, 0.5], metrics=[["mae"], ["accuracy"]])
    config = model.get_compile_config()
    assert sorted(config) == ["jit_compile", "loss", "loss_weights", "metrics", "optimizer",
                              "run_eagerly", "steps_per_execution", "weighted_metrics"]
    assert config["optimizer"]["class_name"] == "Adam"
    other = two_output_model()
    other.compile_from_config(config)
    assert other.compiled and type(other.optimizer).__name__ == "Adam"
    assert float(other.optimizer.learning_rate) == pytest.approx(0.01)
