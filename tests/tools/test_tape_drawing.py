"""``tape_graph`` / ``draw_tape``: the tape's own nodes, as boxes, with the engine's gradients."""

import matplotlib
import numpy as np
import pytest

import minikeras as keras
from minikeras import ops
from minikeras.tools import draw_tape
from minikeras.tools import tape_graph

matplotlib.use("Agg")


def _record():
    x = keras.Variable(np.array([[1.0, 2.0], [3.0, 4.0]]), name="x")
    w = keras.Variable(np.array([0.5, -1.0]), name="w")
    with keras.GradientTape(persistent=True) as tape:
        hidden = x * w + 1.0
        loss = ops.sum(hidden * hidden)  # hidden is used twice
    return tape, x, w, hidden, loss


def test_the_graph_holds_each_op_in_recording_order_with_columns():
    tape, x, w, hidden, loss = _record()
    graph = tape_graph(tape, names={"h": hidden})
    assert [op.name for op in graph.ops] == ["Multiply", "Add", "Multiply", "Sum"]
    assert [op.column for op in graph.ops] == [1, 3, 5, 7]
    boxes = {box.label: box for box in graph.tensors.values()}
    assert boxes["x"].kind == "source" and boxes["w"].shape == (2,)
    assert boxes["x0"].kind == "constant" and boxes["x0"].column == 2  # the 1.0, left of its Add
    assert boxes["h"].kind == "result" and boxes["h"].column == 4
    assert graph.ops[2].inputs == [id(hidden), id(hidden)]
    assert all(box.gradient is None for box in boxes.values())


def test_gradients_are_the_tapes_own_and_reuse_adds_up():
    tape, x, w, hidden, loss = _record()
    graph = tape_graph(tape, target=loss, names={"h": hidden})
    boxes = {box.label: box for box in graph.tensors.values()}
    h = x.numpy() * w.numpy() + 1.0
    np.testing.assert_allclose(boxes["h"].gradient, 2 * h)  # both uses of h, summed
    np.testing.assert_allclose(boxes["w"].gradient, (2 * h * x.numpy()).sum(axis=0))
    np.testing.assert_allclose(boxes["w"].gradient, tape.gradient(loss, w).numpy())


def test_draw_tape_draws_a_box_per_tensor_and_op():
    import matplotlib.pyplot as plt

    tape, x, w, hidden, loss = _record()
    figure = draw_tape(tape, target=loss)
    texts = [text.get_text() for text in figure.axes[0].texts if text.get_text()]
    assert len(texts) == 4 + 7  # four ops, seven tensors (x, w, the constant, four results)
    assert any(text.startswith("x\n(2, 2)\ngrad |max|") for text in texts)
    assert any("() = " in text and text.endswith("grad 1") for text in texts)  # the loss
    plt.close(figure)
    figure = draw_tape(tape, show_constants=False)
    assert len([t for t in figure.axes[0].texts if t.get_text()]) == 10
    plt.close(figure)


def test_an_emptied_tape_says_why():
    tape, x, w, hidden, loss = _record()
    tape.reset()
    with pytest.raises(ValueError, match="persistent=True"):
        tape_graph(tape)
