"""``keras.utils.plot_model``: a functional model's graph of layers, drawn with matplotlib.

Place in the stack: a utility of ``keras.utils``; it imports nothing of
minikeras and reads the model it is given. Keras draws this picture with
graphviz (through ``pydot``), which learners often cannot install; minikeras
draws the same boxes and arrows with matplotlib, which it depends on anyway.

The picture is the graph that ``Model(inputs, outputs)`` recorded
(``minikeras/models/functional_graph.py``): one box per layer call (a *node*),
an arrow from each node to the nodes that use its outputs, the inputs at the
top (``rankdir="TB"``) or on the left (``"LR"``). A Sequential model built
with an ``Input`` has the same graph, a chain. A subclassed model has no
graph to read (its ``call`` is Python code), so it is drawn as one box, as
Keras does.

Read next: ``minikeras/models/summary.py`` (the same model as a table).
"""

import os


def _shape_text(tensors):
    shapes = [str(tuple(tensor.shape)).replace("None", "?") for tensor in tensors]
    return shapes[0] if len(shapes) == 1 else "[" + ", ".join(shapes) + "]"


def _node_label(node, show_shapes, show_dtype, show_layer_names, show_layer_activations, show_trainable):
    layer = node.layer
    kind = type(layer).__name__
    if kind == "Operation":  # an op called on symbolic tensors: name it by its op
        kind = f"op: {layer.name}"
    lines = [f"{layer.name} ({kind})" if show_layer_names else kind]
    activation = getattr(layer, "activation", None)
    if show_layer_activations and activation is not None:
        lines.append(f"activation: {getattr(activation, '__name__', activation)}")
    if show_shapes:
        if node.input_tensors:
            lines.append(f"in: {_shape_text(node.input_tensors)}")
        lines.append(f"out: {_shape_text(node.output_tensors)}")
    if show_dtype:
        lines.append(f"dtype: {node.output_tensors[0].dtype}")
    if show_trainable:
        lines.append(f"trainable: {layer.trainable}")
    return "\n".join(lines)


def model_layout(model, rankdir="TB"):
    """Where each node of a functional model goes.

    Args:
        model: a built functional or Sequential model.
        rankdir: ``"TB"`` (inputs at the top) or ``"LR"`` (inputs on the left).
    Returns:
        ``(nodes, positions, edges)``: the graph's nodes, inputs first; an
        ``(x, y)`` per node (by ``id``); and ``(parent, child)`` node pairs.
    """
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"plot_model: rankdir must be 'TB' or 'LR', received {rankdir!r}")
    graph = model._graph
    depths = sorted(graph.nodes_by_depth, reverse=True)  # the deepest (the inputs) first
    nodes, positions = [], {}
    for rank, depth in enumerate(depths):
        row = graph.nodes_by_depth[depth]
        for index, node in enumerate(row):
            across = index - (len(row) - 1) / 2.0
            positions[id(node)] = (across * 3.2, -rank * 1.4) if rankdir == "TB" else (rank * 3.4, -across * 1.4)
            nodes.append(node)
    known = {id(node) for node in nodes}
    edges = [(parent, node) for node in nodes for parent in node.parent_nodes if id(parent) in known]
    return nodes, positions, edges


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False, show_layer_names=False,
               rankdir="TB", expand_nested=False, dpi=200, show_layer_activations=False,
               show_trainable=False, splines="ortho", **kwargs):
    """Draws a model's graph of layers into ``to_file`` (Keras's signature).

    Args:
        model: a built model.
        to_file: the image file to write; its extension picks the format
            (``.png``, ``.svg``, ``.pdf``...).
        show_shapes: write each call's input and output shapes (``?`` for the batch).
        show_dtype: write each call's output dtype.
        show_layer_names: write each layer's name before its class.
        rankdir: ``"TB"`` top to bottom, or ``"LR"`` left to right.
        expand_nested: accepted for Keras's signature; nested models are drawn
            as one box.
        dpi: the image's resolution.
        show_layer_activations: write the activation of layers that have one.
        show_trainable: write whether each layer is trainable.
        splines: accepted for Keras's signature (graphviz's edge routing);
            arrows are straight here.
    Returns:
        An ``IPython.display.Image`` (``SVG`` for ``.svg``) of the file when
        IPython is installed, so that a notebook shows it, as Keras does;
        None for other formats or without IPython.
    """
    import matplotlib.pyplot as plt

    if not getattr(model, "built", False):
        raise ValueError("This model has not yet been built. Build the model first by calling `build()` or by "
                         "calling the model on a batch of data.")
    style = dict(show_shapes=show_shapes, show_dtype=show_dtype, show_layer_names=show_layer_names,
                 show_layer_activations=show_layer_activations, show_trainable=show_trainable)
    if getattr(model, "_graph", None) is None:
        labels, positions, edges = {0: f"{model.name} ({type(model).__name__})"}, {0: (0.0, 0.0)}, []
    else:
        nodes, positions, edges = model_layout(model, rankdir)
        labels = {id(node): _node_label(node, **style) for node in nodes}
        edges = [(id(parent), id(child)) for parent, child in edges]
    # 1. A figure sized to the graph.
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    width, height = max(xs) - min(xs) + 3.4, max(ys) - min(ys) + 1.4
    figure, ax = plt.subplots(figsize=(max(width, 3.4) * 0.9, max(height, 1.4) * 0.9))
    # 2. The boxes, then arrows from the edge of one box to the edge of the next
    #    (coordinates given as fractions of each box).
    boxes = {key: ax.text(*positions[key], label, ha="center", va="center", fontsize=8, family="monospace",
                          bbox=dict(boxstyle="round", facecolor="#e8f0fe", edgecolor="#4a6fa5"))
             for key, label in labels.items()}
    leave, enter = ((0.5, 0.0), (0.5, 1.0)) if rankdir == "TB" else ((1.0, 0.5), (0.0, 0.5))
    for parent, child in edges:
        ax.annotate("", xy=enter, xycoords=boxes[child], xytext=leave, textcoords=boxes[parent],
                    arrowprops=dict(arrowstyle="-|>", color="#555555", shrinkA=4, shrinkB=4))
    ax.set_xlim(min(xs) - 1.7, max(xs) + 1.7)
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.7)
    ax.axis("off")
    # 3. The file; the figure is closed so that a notebook shows the file's image only once.
    figure.savefig(to_file, dpi=dpi, bbox_inches="tight")
    plt.close(figure)
    try:
        from IPython import display
    except ImportError:
        return None
    extension = os.path.splitext(str(to_file))[1].lower()
    if extension == ".svg":
        return display.SVG(filename=str(to_file))
    return display.Image(filename=str(to_file)) if extension in (".png", ".jpg", ".jpeg", ".gif") else None
