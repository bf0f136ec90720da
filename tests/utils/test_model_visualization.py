"""``keras.utils.plot_model``: the functional graph, drawn with matplotlib into ``to_file``."""

import matplotlib
import numpy as np
import pytest

import minikeras as keras

matplotlib.use("Agg")


def _branching_model():
    inputs = keras.Input((4,), name="x")
    left = keras.layers.Dense(3, activation="relu", name="left")(inputs)
    right = keras.layers.Dense(3, name="right")(inputs)
    merged = keras.layers.Add(name="merge")([left, right])
    return keras.Model(inputs, keras.layers.Dense(2, name="out")(merged), name="branching")


def test_layout_puts_inputs_first_and_siblings_side_by_side():
    model = _branching_model()
    nodes, positions, edges = keras.utils.model_layout(model)
    names = [node.layer.name for node in nodes]
    assert names[0] == "x" and names[-1] == "out" and set(names[1:3]) == {"left", "right"}
    y = {node.layer.name: positions[id(node)][1] for node in nodes}
    assert y["x"] > y["left"] == y["right"] > y["merge"] > y["out"]  # top to bottom
    assert {(parent.layer.name, child.layer.name) for parent, child in edges} == {
        ("x", "left"), ("x", "right"), ("left", "merge"), ("right", "merge"), ("merge", "out")}
    _, across, _ = keras.utils.model_layout(model, rankdir="LR")
    assert len({x for x, _ in across.values()}) == 4  # one column per depth
    with pytest.raises(ValueError, match="rankdir must be 'TB' or 'LR'"):
        keras.utils.model_layout(model, rankdir="BT")


def test_plot_model_writes_the_file_and_returns_an_image(tmp_path):
    import matplotlib.pyplot as plt

    path = tmp_path / "model.png"
    image = keras.utils.plot_model(_branching_model(), to_file=str(path), show_shapes=True,
                                   show_layer_names=True, dpi=50)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert image is None or image.data == path.read_bytes()  # an IPython Image when IPython is installed
    assert not plt.get_fignums()  # the figure is closed: a notebook shows the file once


def test_a_subclassed_model_is_one_box_and_an_unbuilt_one_is_refused(tmp_path):
    class Tiny(keras.Model):
        def __init__(self):
            super().__init__(name="tiny")
            self.dense = keras.layers.Dense(2)

        def call(self, inputs):
            return self.dense(inputs)

    model = Tiny()
    with pytest.raises(ValueError, match="has not yet been built"):
        keras.utils.plot_model(model, to_file=str(tmp_path / "a.png"))
    model(np.ones((1, 3), "float32"))
    keras.utils.plot_model(model, to_file=str(tmp_path / "tiny.svg"))
    assert "<svg" in (tmp_path / "tiny.svg").read_text()
