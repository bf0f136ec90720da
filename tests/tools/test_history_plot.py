"""``plot_history``: one panel per metric, training and validation curves together."""

import matplotlib
import pytest

from minikeras.tools import history_curves
from minikeras.tools import plot_history

matplotlib.use("Agg")
pytestmark = pytest.mark.training
LOGS = {"loss": [1.0, 0.5, 0.25], "accuracy": [0.5, 0.7, 0.9], "val_loss": [1.1, 0.7, 0.6],
        "val_accuracy": [0.4, 0.6, 0.8]}


def test_names_are_grouped_by_metric_training_first():
    assert history_curves({"val_loss": [1], "loss": [2], "mae": [3]}) == {"loss": ["loss", "val_loss"], "mae": ["mae"]}


def test_each_metric_gets_a_panel_with_its_curves_per_epoch():
    import matplotlib.pyplot as plt

    figure = plot_history(LOGS)
    loss, accuracy = figure.axes
    assert [loss.get_title(), accuracy.get_title()] == ["loss", "accuracy"]
    assert [line.get_label() for line in loss.lines] == ["loss", "val_loss"]
    assert list(loss.lines[1].get_xdata()) == [1, 2, 3] and list(loss.lines[1].get_ydata()) == [1.1, 0.7, 0.6]
    plt.close(figure)


def test_a_history_object_and_a_choice_of_metrics(tmp_path):
    import matplotlib.pyplot as plt

    import minikeras as keras

    history = keras.callbacks.History()
    history.history = LOGS
    figure = plot_history(history, metrics=["accuracy"])
    assert [axis.get_title() for axis in figure.axes] == ["accuracy"]
    plt.close(figure)
    with pytest.raises(ValueError, match=r"unknown metrics \['acc'\]; the history holds"):
        plot_history(history, metrics=["acc"])
    with pytest.raises(TypeError, match="History or a dict"):
        plot_history([1, 2])
