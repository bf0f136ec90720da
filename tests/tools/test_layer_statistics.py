"""``layer_statistics`` / ``LayerStatistics``: per-layer activations and gradients, a dead layer by name."""

import matplotlib
import numpy as np
import pytest

import minikeras as keras
from minikeras import tools

matplotlib.use("Agg")
pytestmark = pytest.mark.training
X = np.random.default_rng(0).normal(size=(16, 5)).astype("float32")
Y = np.arange(16) % 3


def _model(dead_bias=-10.0):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((5,)),
        keras.layers.Dense(6, activation="relu", name="first"),
        keras.layers.Dense(4, activation="relu", name="second",
                           bias_initializer=keras.initializers.Constant(dead_bias)),
        keras.layers.Dense(3, activation="softmax", name="out"),
    ])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    return model


def test_a_dead_relu_layer_is_found_by_name_and_blocks_the_gradient():
    snapshots = tools.layer_statistics(_model(), X, Y)
    assert list(snapshots) == ["first", "second", "out"]
    assert snapshots["second"].dead_fraction == 1.0 and tools.dead_layers(snapshots) == ["second"]
    assert snapshots["first"].gradient_rms == 0.0  # nothing flows back through the dead layer
    assert snapshots["out"].gradient_rms > 0 and snapshots["out"].weight_update_ratio > 0


def test_numbers_match_the_layer_outputs_and_the_tape():
    model = _model(dead_bias=0.0)
    snapshots = tools.layer_statistics(model, X, Y)
    first = np.maximum(X @ model.get_layer("first").kernel.numpy() + model.get_layer("first").bias.numpy(), 0)
    assert snapshots["first"].activation_mean == pytest.approx(float(first.mean()), rel=1e-5)
    assert snapshots["first"].dead_fraction == float(np.mean(np.all(first == 0, axis=0)))
    assert snapshots["first"].activations.shape == (first.size,)
    # d loss / d probabilities, from the probabilities alone
    probabilities = keras.ops.convert_to_tensor(model.predict(X, verbose=0))
    with keras.GradientTape() as tape:
        tape.watch(probabilities)
        loss = keras.ops.mean(keras.losses.sparse_categorical_crossentropy(Y, probabilities))
    expected = np.sqrt(np.mean(tape.gradient(loss, probabilities).numpy().astype("float64") ** 2))
    assert snapshots["out"].gradient_rms == pytest.approx(float(expected), rel=1e-4)


def test_the_callback_reads_before_training_and_after_each_epoch_and_plots():
    import matplotlib.pyplot as plt

    model = _model(dead_bias=0.0)
    callback = tools.LayerStatistics(X, Y, every=2)
    model.fit(X, Y, epochs=2, batch_size=8, verbose=0, callbacks=[callback])
    assert [epoch for epoch, _ in callback.history] == [0, 2]
    figure = tools.plot_layer_histograms(callback.history[-1][1])
    assert len(figure.axes) == 6 and figure.axes[0].get_title().startswith("first\ndead")
    plt.close(figure)
    figure = tools.plot_layer_trends(callback.history, "gradient_rms")
    assert [line.get_label() for line in figure.axes[0].lines] == ["first", "second", "out"]
    plt.close(figure)


def test_a_model_without_a_graph_is_refused():
    class Subclassed(keras.Model):
        def __init__(self):
            super().__init__(name="subclassed")
            self.dense = keras.layers.Dense(2)

        def call(self, inputs):
            return self.dense(inputs)

    with pytest.raises(ValueError, match="needs a model with a graph"):
        tools.layer_statistics(Subclassed(), X, Y, loss="mse")
