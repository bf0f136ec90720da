"""``draw_tape``: the graph a ``GradientTape`` recorded, drawn with matplotlib.

Place in the stack: part of ``minikeras.tools``; it reads the engine's own
structures and nothing else. While a tape is open, every op whose inputs
depend on a watched tensor is appended to ``tape.nodes`` as
``(op, inputs, output)`` (``minikeras/autodiff/tape.py``). That list *is* the
graph: the tensors are its values, the ops its edges' junctions, and the
order of recording is already a topological order. ``tape_graph`` turns the
list into boxes and arrows; given the ``target``, it also runs the tape's own
backward walk (``GradientTape._backpropagate``, the loop that ``gradient()``
runs) to label every tensor with the gradient the engine computes for it.

A non-persistent tape forgets its nodes when ``gradient()`` returns, so draw
before calling it, or record with ``GradientTape(persistent=True)``.

Read next: ``gradient_doctor.py``, which replays each of these ops against
finite differences.
"""

from dataclasses import dataclass
from dataclasses import field

import numpy as np


@dataclass
class TensorBox:
    """One tensor of the graph: ``kind`` is ``"source"`` (watched or a trainable
    Variable), ``"constant"`` (an input nothing watched) or ``"result"`` (an
    op's output). ``gradient`` is the engine's gradient array, or None."""

    label: str
    shape: tuple
    kind: str
    value: np.ndarray
    gradient: np.ndarray = None
    column: int = 0


@dataclass
class OpBox:
    """One recorded op: its class name, the ids of its input and output tensors."""

    name: str
    inputs: list
    output: int
    column: int = 0


@dataclass
class TapeGraph:
    """What ``draw_tape`` draws: tensors by ``id``, and ops in recording order."""

    tensors: dict = field(default_factory=dict)
    ops: list = field(default_factory=list)


def tape_graph(tape, target=None, names=None):
    """Reads the graph a tape recorded, with every tensor's gradient when ``target`` is given.

    Args:
        tape: a ``GradientTape`` that still holds its nodes (see the module docstring).
        target: the tensor to differentiate (the loss); None for no gradients.
        names: optional ``{label: tensor}`` to name inputs or intermediate
            values; Variables are named by their ``path`` otherwise, other
            inputs ``x0, x1...`` and results ``t0, t1...``.
    Returns:
        A ``TapeGraph``. Each box's ``column`` is its distance from the inputs
        (an op one more than its deepest input, its result one more than
        the op, an input one less than the first op reading it).
    """
    if not tape.nodes:
        raise ValueError(
            "The tape holds no recorded ops. A non-persistent tape forgets them when gradient() "
            "returns: draw it before, or record with GradientTape(persistent=True); and check that "
            "an input is watched (tape.watch(x)) or is a trainable Variable.")
    labels = {id(tensor): label for label, tensor in (names or {}).items()}
    gradients = tape._backpropagate(target, None) if target is not None else {}
    graph = TapeGraph()
    results = {id(output) for _, _, output in tape.nodes}

    def add_tensor(tensor, kind, column):
        key = id(tensor)
        if key not in graph.tensors:
            counter = sum(box.kind == kind for box in graph.tensors.values())
            default = getattr(tensor, "path", None) or ("t" if kind == "result" else "x") + str(counter)
            graph.tensors[key] = TensorBox(labels.get(key, default), tuple(tensor.shape), kind,
                                           np.asarray(tensor.data), gradients.get(key), column)
        return key

    for op, inputs, output in tape.nodes:
        # 1. An input first seen here (a watched tensor, a weight, a constant)
        #    sits just left of this op; the op goes right of its inputs made earlier.
        leaves = [tensor for tensor in inputs if id(tensor) not in results and id(tensor) not in graph.tensors]
        placed = [graph.tensors[id(tensor)].column for tensor in inputs if id(tensor) in graph.tensors]
        column = 1 + max(placed, default=0)
        for tensor in leaves:
            watched = id(tensor) in tape._watched or getattr(tensor, "trainable", False)
            add_tensor(tensor, "source" if watched else "constant", column - 1)
        # 2. The op, then its result one column further right.
        graph.ops.append(OpBox(type(op).__name__, [id(tensor) for tensor in inputs], id(output), column))
        add_tensor(output, "result", column + 1)
    return graph


def _tensor_text(box):
    text = f"{box.label}\n{box.shape}"
    if box.value.size == 1:
        text += f" = {float(box.value.reshape(-1)[0]):.4g}"
    if box.gradient is not None:
        gradient = np.asarray(box.gradient)
        text += (f"\ngrad {float(gradient.reshape(-1)[0]):.4g}" if gradient.size == 1
                 else f"\ngrad |max| {float(np.abs(gradient).max()):.3g}")
    return text


COLOURS = {"source": "#cfe8ff", "constant": "#eeeeee", "result": "#fff2c2", "op": "#d9f2d0"}


def draw_tape(tape, target=None, names=None, show_constants=True, ax=None):
    """Draws the recorded graph: inputs on the left, ops in green, results in yellow.

    Args:
        tape: a ``GradientTape`` that still holds its nodes.
        target: when given, each tensor also shows its gradient (the value
            for a scalar, the largest magnitude otherwise), as computed by
            the tape's own backward walk.
        names: optional ``{label: tensor}``, see ``tape_graph``.
        show_constants: draw inputs nothing watched (the ``2.0`` of ``x * 2.0``).
        ax: a matplotlib Axes to draw into; default a new figure sized to the graph.
    Returns:
        The ``matplotlib.figure.Figure``.
    """
    import matplotlib.pyplot as plt

    graph = tape_graph(tape, target, names)
    tensors = {key: box for key, box in graph.tensors.items() if show_constants or box.kind != "constant"}
    # 1. Place every box: x is its column, y spreads the boxes of a column.
    items = [(key, box.column) for key, box in tensors.items()] + [(index, op.column) for index, op in enumerate(graph.ops)]
    columns = {}
    for item, column in items:
        columns.setdefault(column, []).append(item)
    position = {}
    for column, members in columns.items():
        for row, item in enumerate(members):
            position[item] = (column * 1.5, (len(members) - 1) / 2.0 - row)
    if ax is None:
        tallest = max(len(members) for members in columns.values())
        _, ax = plt.subplots(figsize=(1.2 * (max(columns) + 1) + 1, 1.0 * tallest + 1))
    # 2. The boxes, then arrows from the right edge of each input's box to the
    #    left edge of its op's, and from the op to its result.
    boxes = {}
    for key, box in tensors.items():
        boxes[key] = ax.text(*position[key], _tensor_text(box), ha="center", va="center", fontsize=8,
                             bbox=dict(boxstyle="round", facecolor=COLOURS[box.kind], edgecolor="#888888"))
    for index, op in enumerate(graph.ops):
        boxes[index] = ax.text(*position[index], op.name, ha="center", va="center", fontsize=8, fontweight="bold",
                               bbox=dict(boxstyle="square", facecolor=COLOURS["op"], edgecolor="#559955"))
    arrow = dict(arrowstyle="-|>", color="#666666", shrinkA=3, shrinkB=3)
    for index, op in enumerate(graph.ops):
        for key in op.inputs:
            if key in boxes:
                ax.annotate("", xy=(0.0, 0.5), xycoords=boxes[index], xytext=(1.0, 0.5),
                            textcoords=boxes[key], arrowprops=arrow)
        ax.annotate("", xy=(0.0, 0.5), xycoords=boxes[op.output], xytext=(1.0, 0.5),
                    textcoords=boxes[index], arrowprops=arrow)
    xs = [x for x, _ in position.values()]
    ys = [y for _, y in position.values()]
    ax.set_xlim(min(xs) - 0.9, max(xs) + 0.9)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.axis("off")
    return ax.figure
