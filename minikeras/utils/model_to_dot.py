"""``keras.utils.model_to_dot``: a model's graph of layers as a ``pydot`` graph (Graphviz's dot language).

Place in the stack: ``keras.utils``, beside ``model_visualization.py``
(``plot_model``, which draws the same graph with matplotlib and needs no
Graphviz). This function exists for code that wants the dot graph itself:
to write a ``.dot`` file, or to render it with Graphviz
(``dot.write_png(...)``, which needs Graphviz's ``dot`` program). It needs the
``pydot`` package (``pip install pydot``), imported on first use.

The graph is Keras's: one box per layer (named by the layer's ``id``, with
an HTML-like table as its label: name and class, then optionally the
activation, the input and output shapes, the output dtype, and whether it is
trainable), and one edge per connection, from the layer that produced a
tensor to each layer that consumed it. A Sequential model is a chain; a
functional model follows its recorded calls; a subclassed model is one box.
With ``expand_nested=True``, a model used as a layer becomes a dashed cluster
of its own boxes, and edges go to the layers inside it.
"""


def _import_pydot():
    try:
        import pydot
    except ImportError:
        raise ImportError("You must install pydot (`pip install pydot`) for model_to_dot to work. (To draw a model "
                          "without pydot or Graphviz, use `keras.utils.plot_model`, which minikeras draws with "
                          "matplotlib.)") from None
    return pydot


def _format_shape(shape):
    if shape is None:
        return "?"
    text = ", ".join(f"{key}: {value}" for key, value in shape.items()) if isinstance(shape, dict) else f"{shape}"
    return text.replace("}", "").replace("{", "")


def _structure(value, attribute):
    """``value.shape`` (or ``.dtype``) of a KerasTensor, or of each in a list/tuple/dict."""
    if isinstance(value, dict):
        return {key: _structure(item, attribute) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_structure(item, attribute) for item in value)
    result = getattr(value, attribute)
    return tuple(result) if attribute == "shape" else result


def _cell(text, colspan=None, color="white", font_color=None):
    span = f' colspan="{colspan}"' if colspan is not None else ""
    font = f' color="{font_color}"' if font_color else ""
    size = 16 if color == "black" else 14
    return f'<td{span} bgcolor="{color}"><font point-size="{size}"{font}>{text}</font></td>'


def make_layer_label(layer, show_layer_names, show_layer_activations, show_dtype, show_shapes, show_trainable):
    """The HTML-like table Keras puts in a layer's box: a title row, then one row of details."""
    # 1. The title row spans the detail columns.
    class_name = type(layer).__name__
    colspan = max(1, int(show_dtype) + int(show_trainable) + (2 if show_shapes else 0))
    title = f"<b>{layer.name}</b> ({class_name})" if show_layer_names else f"<b>{class_name}</b>"
    table = '<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">'
    table += f"<tr>{_cell(title, colspan, 'black', 'white')}</tr>"
    activation = getattr(layer, "activation", None)
    if show_layer_activations and activation is not None:
        name = getattr(activation, "name", None) or getattr(activation, "__name__", None) or str(activation)
        table += (f'<tr><td bgcolor="white" colspan="{colspan}"><font point-size="14">Activation: <b>{name}</b>'
                  "</font></td></tr>")
    # 2. The details: shapes, dtype, trainable.
    cells = []
    if show_shapes:
        try:
            input_shape, output_shape = _structure(layer.input, "shape"), _structure(layer.output, "shape")
        except (ValueError, AttributeError):
            input_shape = output_shape = None
        if class_name != "InputLayer":
            cells.append(_cell(f"Input shape: <b>{_format_shape(input_shape)}</b>"))
        cells.append(_cell(f"Output shape: <b>{_format_shape(output_shape)}</b>"))
    if show_dtype:
        try:
            dtype = _structure(layer.output, "dtype")
        except (ValueError, AttributeError):
            dtype = None
        cells.append(_cell(f"Output dtype: <b>{dtype or '?'}</b>"))
    if show_trainable and layer.weights:
        cells.append(_cell("<b>Trainable</b>", color="forestgreen", font_color="white") if layer.trainable else
                     _cell("<b>Non-trainable</b>", color="firebrick", font_color="white"))
    if cells:
        table += f"<tr>{''.join(cells)}</tr>"
    return table + "</table>>"


def _add_edge(pydot, dot, source, destination):
    source_id, destination_id = str(id(source)), str(id(destination))
    if not dot.get_edge(source_id, destination_id):
        edge = pydot.Edge(source_id, destination_id)
        edge.set("penwidth", "2")
        dot.add_edge(edge)


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True, rankdir="TB", expand_nested=False,
                 dpi=200, subgraph=False, show_layer_activations=False, show_trainable=False, splines="ortho",
                 **kwargs):
    """Returns a ``pydot.Dot`` (a ``pydot.Cluster`` with ``subgraph=True``) of the model's layers.

    Args:
        model: a built model.
        show_shapes, show_dtype, show_layer_names, show_layer_activations,
            show_trainable: what each box shows.
        rankdir: ``"TB"`` (top to bottom) or ``"LR"`` (left to right), for Graphviz.
        expand_nested: draw nested models as clusters of their layers.
        dpi, splines: Graphviz settings of the graph.
        subgraph: return a dashed cluster (used for nested models).
    """
    from minikeras.models.sequential import Sequential  # models are above utils in the stack

    # 1. Checks, then the graph and its settings.
    if not model.built:
        raise ValueError("This model has not yet been built. Build the model first by calling `build()` or by "
                         "calling the model on a batch of data.")
    pydot = _import_pydot()
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
    if subgraph:
        dot = pydot.Cluster(style="dashed", graph_name=model.name)
        dot.set("label", model.name)
        dot.set("labeljust", "l")
    else:
        dot = pydot.Dot()
        dot.set("rankdir", rankdir)
        dot.set("concentrate", True)
        dot.set("dpi", dpi)
        dot.set("splines", splines)
        dot.set_node_defaults(shape="record")
    style = dict(show_layer_names=show_layer_names, show_layer_activations=show_layer_activations,
                 show_dtype=show_dtype, show_shapes=show_shapes, show_trainable=show_trainable)
    # 2. The boxes (a subclassed model is one box; a nested model, a cluster when expanded).
    if isinstance(model, Sequential):
        layers = model.layers
    elif getattr(model, "_graph", None) is None:
        dot.add_node(_make_node(pydot, model, style))
        return dot
    else:
        layers = model._graph.layers
    for layer in layers:
        if expand_nested and _is_graph_model(layer):
            dot.add_subgraph(model_to_dot(layer, show_shapes, show_dtype, show_layer_names, rankdir, expand_nested,
                                          subgraph=True, show_layer_activations=show_layer_activations,
                                          show_trainable=show_trainable))
        else:
            dot.add_node(_make_node(pydot, layer, style))
    # 3. The edges: a chain for a Sequential model, the recorded calls otherwise.
    if isinstance(model, Sequential):
        if not expand_nested:
            for source, destination in zip(layers[:-1], layers[1:]):
                _add_edge(pydot, dot, source, destination)
            return dot
        layers = layers[1:]  # the first layer's input comes from outside the model
    own_nodes = None if isinstance(model, Sequential) else {id(node) for node in model._graph.nodes()}
    for layer in layers:
        for node in layer._inbound_nodes:
            if own_nodes is not None and id(node) not in own_nodes:
                continue  # a call of this layer in another model
            for input_index, tensor in enumerate(node.input_tensors):
                if tensor._keras_history is None:
                    continue
                source, _, output_index = tensor._keras_history
                destination = layer
                if expand_nested:
                    source = _innermost_source(source, output_index)
                    destination = _innermost_destination(destination, input_index)
                _add_edge(pydot, dot, source, destination)
    return dot


def _make_node(pydot, layer, style):
    node = pydot.Node(str(id(layer)), label=make_layer_label(layer, **style))
    node.set("fontname", "Helvetica")
    node.set("border", "0")
    node.set("margin", "0")
    return node


def _is_graph_model(layer):
    """A Sequential or functional model used as a layer (drawn as a cluster when expanded)."""
    from minikeras.models.model import Model
    return isinstance(layer, Model) and getattr(layer, "_graph", None) is not None


def _innermost_source(source, output_index):
    """The real layer inside (nested) models that produced the model's output ``output_index``."""
    while _is_graph_model(source):
        source, _, output_index = source.outputs[output_index]._keras_history
    return source


def _innermost_destination(destination, input_index):
    """The layer inside (nested) models that receives input ``input_index``."""
    from minikeras.models.sequential import Sequential
    while _is_graph_model(destination):
        if isinstance(destination, Sequential):
            destination = destination.layers[0]
        else:
            destination = destination.inputs[input_index]._keras_history[0]
    return destination
