"""``model.summary()``: Keras 3's table of layers, shapes and parameter counts.

Place in the stack: a reporting helper of ``minikeras.models``, called by
``Model.summary``. Keras 3 draws this table with the ``rich`` library; this
file draws the same characters with plain string code, so that the output is
identical for a given ``line_length``:

1. choose the columns: "Layer (type)", "Output Shape", "Param #", plus
   "Connected to" when the model is not a simple chain, plus "Trainable";
2. compute the column widths from ``positions`` (fractions of the line),
   then shrink them as ``rich`` does to make room for the borders;
3. wrap each cell's text at spaces (a word too long for its column is cut
   with "…"), and draw the box;
4. add the parameter totals, with their size in memory.

Read next: ``minikeras/trainers/`` (compile, fit...).
"""

import re
import shutil
import sys

import numpy

from minikeras.layers.operation import Operation

# The box characters of rich's default table style (HEAVY_HEAD).
BOX = {
    "head_top": ("┏", "━", "┳", "┓"),
    "head_row": ("┃", "┃", "┃"),
    "head_bottom": ("┡", "━", "╇", "┩"),
    "row": ("│", "│", "│"),
    "row_separator": ("├", "─", "┼", "┤"),
    "bottom": ("└", "─", "┴", "┘"),
}

_WORD = re.compile(r"\s*\S+\s*")


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False,
                  show_trainable=False, layer_range=None):
    """Prints (or passes to ``print_fn``, in one call) the summary of ``model``."""
    # 1. The columns: a chain of layers needs no "Connected to".
    layers, sequential_like, relevant_nodes = _layers_and_layout(model)
    if sequential_like:
        default_length, positions = 88, positions or [0.45, 0.80, 1.0]
        header, alignment = ["Layer (type)", "Output Shape", "Param #"], ["left", "left", "right"]
    else:
        default_length, positions = 108, positions or [0.3, 0.56, 0.74, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        alignment = ["left", "left", "right", "left"]
    if show_trainable:
        default_length += 12
        positions = [position * 0.90 for position in positions] + [1.0]
        header.append("Trainable")
        alignment.append("center")
    # 2. The widths.
    default_length = min(default_length, shutil.get_terminal_size().columns - 4)
    line_length = line_length or default_length
    widths = _column_widths(positions, line_length)
    # 3. The rows, then the table.
    first, last = _layer_index_range(layers, layer_range)
    rows = []
    for layer in layers[first:last]:
        rows.extend(_layer_rows(layer, sequential_like, relevant_nodes, show_trainable,
                                expand_nested, level=0))
    lines = [f'Model: "{model.name}"'] + render_table(header, rows, widths, alignment)
    # 4. The totals.
    lines.extend(_totals(model))
    text = "\n".join(lines) + "\n"
    if print_fn is not None:
        print_fn(text)
    else:
        sys.stdout.write(text)


# ----- which layers, which layout -----
def _layers_and_layout(model):
    """Returns ``(layers, sequential_like, relevant_nodes)`` as Keras decides them."""
    graph = getattr(model, "_graph", None)
    if graph is None or _is_sequential_class(model):
        return model.layers, True, []
    nodes = []
    for depth_nodes in graph.nodes_by_depth.values():
        if len(depth_nodes) > 1 or (len(depth_nodes) == 1 and len(depth_nodes[0].input_tensors) > 1):
            return list(graph.layers), False, graph.nodes()
        nodes.extend(depth_nodes)
    node_ids = {id(node) for node in nodes}
    for layer in graph.layers:  # a shared layer makes the model non-sequential
        if sum(id(node) in node_ids for node in layer._inbound_nodes) > 1:
            return list(graph.layers), False, graph.nodes()
    return list(graph.layers), True, []


def _is_sequential_class(model):
    from minikeras.models.sequential import Sequential
    return isinstance(model, Sequential)


def _layer_index_range(layers, layer_range):
    """``[first, last + 1]`` of the rows to show; ``layer_range`` holds two name regexes."""
    if layer_range is None:
        return 0, len(layers)
    if len(layer_range) != 2:
        raise ValueError("layer_range must be a list or tuple of length 2. Received: "
                         f"layer_range = {layer_range} of length {len(layer_range)}")
    if not all(isinstance(name, str) for name in layer_range):
        raise ValueError(f"layer_range should contain string type only. Received: {layer_range}")
    lower = [index for index, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    upper = [index for index, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not lower or not upper:
        raise ValueError("Passed layer_names do not match the layer names in the model. "
                         f"Received: {layer_range}")
    if min(lower) > max(upper):
        return min(upper), max(lower) + 1
    return min(lower), max(upper) + 1


# ----- the cells of one layer -----
def _layer_rows(layer, sequential_like, relevant_nodes, show_trainable, expand_nested, level):
    prefix = "   " * level + "└ " if level else ""
    fields = [f"{prefix}{layer.name} ({_class_name(layer)})", format_layer_shape(layer),
              _param_field(layer)]
    if not sequential_like:
        fields.append(_connections(layer, relevant_nodes))
    if show_trainable:
        fields.append(("Y" if layer.trainable else "N") if layer.weights else "-")
    rows = [fields]
    nested = getattr(layer, "layers", None)
    if expand_nested and nested:
        for inner in nested:
            rows.extend(_layer_rows(inner, sequential_like, relevant_nodes, show_trainable,
                                    expand_nested, level + 1))
    return rows


def _class_name(layer):
    """``Model(inputs, outputs)`` is a functional model: Keras calls it "Functional"."""
    if isinstance(layer, Operation):  # an op node shows its Keras op class: "add (Add)"
        return layer.class_name
    name = type(layer).__name__
    if name == "Model" and getattr(layer, "_graph", None) is not None:
        return "Functional"
    return name


def _param_field(layer):
    if not layer.built:
        return "0 (unbuilt)"
    return f"{layer.count_params():,}"


def _format_shape(shape):
    return "(" + ", ".join(str(size) for size in shape) + ")"


def format_layer_shape(layer):
    """The output shape from the layer's last call in a graph, else from its build shape."""
    if layer._inbound_nodes:
        shapes = [_format_shape(tensor.shape) for tensor in layer._inbound_nodes[-1].output_tensors]
    elif layer._build_input_shape is not None:
        try:
            output_shape = layer.compute_output_shape(layer._build_input_shape)
        except Exception:  # a layer that cannot tell: shown as unknown, as in Keras
            return "?"
        shapes = [_format_shape(shape) for shape in _flat_shapes(output_shape)]
    else:
        return "?"
    if len(shapes) == 1:
        return shapes[0]
    return "[" + ", ".join(shapes) + "]"


def _flat_shapes(shapes):
    if isinstance(shapes, dict):
        return [shape for key in sorted(shapes) for shape in _flat_shapes(shapes[key])]
    if isinstance(shapes, (list, tuple)) and shapes and isinstance(shapes[0], (list, tuple, dict)):
        return [shape for item in shapes for shape in _flat_shapes(item)]
    return [tuple(shapes)]


def _connections(layer, relevant_nodes):
    """``"dense[0][0], dense_1[0][0]"``: the tensors each call of the layer used."""
    relevant = {id(node) for node in relevant_nodes}
    parts = []
    for node in layer._inbound_nodes:
        if relevant and id(node) not in relevant:
            continue  # a call that belongs to another model
        for tensor in node.input_tensors:
            inbound, node_index, tensor_index = tensor._keras_history
            parts.append(f"{inbound.name}[{node_index}][{tensor_index}]")
    return ", ".join(parts) or "-"


# ----- totals -----
def readable_memory_size(size):
    """``1041192`` bytes -> ``"1016.79 KB"`` (base 1024)."""
    for unit in ["B", "KB", "MB", "GB", "TB", "PB"]:
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _count_and_bytes(variables):
    unique = list({id(variable): variable for variable in variables}.values())
    count = sum(int(numpy.prod(variable.shape)) for variable in unique)
    size = sum(int(numpy.prod(variable.shape)) * numpy.dtype(variable.dtype).itemsize
               for variable in unique)
    return count, size


def _totals(model):
    trainable = _count_and_bytes(model.trainable_weights)
    non_trainable = _count_and_bytes(model.non_trainable_weights)
    optimizer = getattr(model, "optimizer", None)
    optimizer_built = bool(getattr(model, "compiled", False) and optimizer is not None
                           and getattr(optimizer, "built", False))
    optimizer_counts = _count_and_bytes(optimizer.variables) if optimizer_built else (0, 0)
    total = (trainable[0] + non_trainable[0] + optimizer_counts[0],
             trainable[1] + non_trainable[1] + optimizer_counts[1])
    lines = [f" Total params: {total[0]:,} ({readable_memory_size(total[1])})",
             f" Trainable params: {trainable[0]:,} ({readable_memory_size(trainable[1])})",
             f" Non-trainable params: {non_trainable[0]:,} "
             f"({readable_memory_size(non_trainable[1])})"]
    if optimizer_built:
        lines.append(f" Optimizer params: {optimizer_counts[0]:,} "
                     f"({readable_memory_size(optimizer_counts[1])})")
    return lines


# ----- drawing the table (what rich does for Keras) -----
def _column_widths(positions, line_length):
    """Column widths, padding included, borders excluded.

    Keras asks for ``int(position * line_length)`` column ends; rich then adds
    one space of padding on each side and takes back, evenly, what the
    borders need, so the table is exactly ``line_length`` wide.
    """
    if positions[-1] > 1:  # absolute positions (tf.keras style)
        positions = [position / line_length for position in positions]
    widths, current = [], 0
    for position in positions:
        width = int(position * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(width)
        current += width
    budget = line_length - (len(widths) + 1)  # room left by the vertical borders
    padded = [min(width + 2, budget) for width in widths]
    return _ratio_reduce(sum(padded) - budget, padded)


def _ratio_reduce(excess, widths):
    """Takes ``excess`` off ``widths`` in equal shares (rich's ``ratio_reduce``)."""
    if excess <= 0:
        return widths
    result, remaining, columns_left = [], excess, len(widths)
    for width in widths:
        taken = min(width, round(remaining / columns_left))
        result.append(width - taken)
        remaining -= taken
        columns_left -= 1
    return result


def _divide_line(text, width):
    """Where to break ``text`` so lines fit ``width``; words are never split."""
    breaks, offset = [], 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group(0)
        word_length = len(word.rstrip())
        if width - offset >= word_length:
            offset += len(word)
        elif word_length > width:  # alone on its line, cut later with "…"
            if start:
                breaks.append(start)
            offset = len(word)
        elif offset and start:
            breaks.append(start)
            offset = len(word)
    return breaks


def _truncate(text, width):
    return text if len(text) <= width else text[:width - 1] + "…"


def wrap_cell(text, width, justify):
    """The lines of one cell, each exactly ``width`` characters."""
    lines = []
    for paragraph in text.split("\n"):
        bounds = [0] + _divide_line(paragraph, width) + [len(paragraph)]
        for start, end in zip(bounds, bounds[1:]):
            line = paragraph[start:end]
            if len(line) > width:  # drop trailing spaces that overflow
                overflow = len(line) - width
                spaces = len(line) - len(line.rstrip())
                line = line[:len(line) - min(spaces, overflow)]
            if justify == "left":
                line = _truncate(line, width).ljust(width)
            elif justify == "right":
                line = _truncate(line.rstrip(), width).rjust(width)
            else:
                line = _truncate(line.rstrip(), width)
                line = (" " * ((width - len(line)) // 2) + line).ljust(width)
            lines.append(line)
    return lines


def _render_row(cells, widths, alignment, edges, vertical):
    """The text lines of one table row (cells padded by one space each side)."""
    wrapped = [wrap_cell(cell, width - 2, justify)
               for cell, width, justify in zip(cells, widths, alignment)]
    height = max(len(lines) for lines in wrapped)
    for index, lines in enumerate(wrapped):
        blank = [" " * (widths[index] - 2)] * (height - len(lines))
        wrapped[index] = blank + lines if vertical == "bottom" else lines + blank
    left, middle, right = edges
    return [left + middle.join(" " + lines[row] + " " for lines in wrapped) + right
            for row in range(height)]


def _rule(widths, characters):
    left, line, cross, right = characters
    return left + cross.join(line * width for width in widths) + right


def render_table(header, rows, widths, alignment):
    """Draws the boxed table: header, then rows separated by lines."""
    lines = [_rule(widths, BOX["head_top"])]
    lines += _render_row(header, widths, alignment, BOX["head_row"], vertical="bottom")
    lines.append(_rule(widths, BOX["head_bottom"]))
    for index, row in enumerate(rows):
        if index:
            lines.append(_rule(widths, BOX["row_separator"]))
        lines += _render_row(row, widths, alignment, BOX["row"], vertical="top")
    lines.append(_rule(widths, BOX["bottom"]))
    return lines
