"""model_to_dot: the boxes and edges of a chain, a subclassed model as one box, and what happens without pydot."""

import re
import sys

import pytest

import minikeras as keras
from minikeras import layers
from minikeras.utils import model_to_dot


def _names_and_edges(dot):
    names = {node.get_name(): re.search(r"<b>([^<]*)</b>", node.get("label")).group(1)
             for node in dot.get_nodes() if node.get("label")}
    return sorted(names.values()), [(names[edge.get_source()], names[edge.get_destination()])
                                    for edge in dot.get_edges()]


def test_a_sequential_model_is_a_chain_of_boxes():
    pytest.importorskip("pydot")
    model = keras.Sequential([keras.Input((3,)), layers.Dense(4, name="hidden"), layers.Dense(1, name="out")])
    dot = model_to_dot(model, show_shapes=True, rankdir="LR")
    assert _names_and_edges(dot) == (["hidden", "out"], [("hidden", "out")])
    assert dot.get("rankdir") == "LR"
    assert "Output shape: <b>(None, 1)</b>" in [node for node in dot.get_nodes() if node.get("label")][1].get("label")


def test_a_subclassed_model_is_one_box():
    pytest.importorskip("pydot")

    class Tiny(keras.Model):
        def __init__(self):
            super().__init__(name="tiny")
            self.dense = layers.Dense(2)

        def call(self, inputs):
            return self.dense(inputs)

    model = Tiny()
    model(keras.ops.ones((1, 3)))
    assert _names_and_edges(model_to_dot(model)) == (["tiny"], [])


def test_without_pydot_the_error_says_how_to_get_it(monkeypatch):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    monkeypatch.setitem(sys.modules, "pydot", None)  # `import pydot` now fails
    with pytest.raises(ImportError, match=r"install pydot \(`pip install pydot`\).*plot_model"):
        model_to_dot(model)


def test_unbuilt_models_and_unknown_arguments_are_refused():
    with pytest.raises(ValueError, match="has not yet been built"):
        model_to_dot(keras.Sequential([layers.Dense(1)]))
    pytest.importorskip("pydot")
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        model_to_dot(keras.Sequential([keras.Input((3,)), layers.Dense(1)]), show_colors=True)
