"""``get_source_inputs``: the ``keras.Input`` tensors a symbolic tensor was computed from.

Place in the stack: the top (``keras.utils``), reading the functional graph
that ``minikeras/layers/keras_tensor.py`` records: every symbolic output
remembers the layer call (``Node``) that made it in ``_keras_history``, and
each node knows its input tensors. Walking those links backwards ends at the
nodes of ``InputLayer``s, which have no inputs.
"""

from minikeras.backend.keras_tensor import KerasTensor


def get_source_inputs(tensor):
    """The input tensors at the start of every path that leads to ``tensor``.

    Args:
        tensor: a ``KerasTensor`` (the output of a layer or an op called on
            ``keras.Input`` tensors).
    Returns:
        A list of ``KerasTensor``s, each once, in the order the walk meets
        them; ``[tensor]`` for a tensor that no layer produced.
    Example:
        >>> a, b = keras.Input((3,)), keras.Input((3,))
        >>> y = keras.layers.Dense(2)(keras.layers.Add()([a, b]))
        >>> get_source_inputs(y) == [a, b]
        True
    """
    if not isinstance(tensor, KerasTensor):
        raise TypeError(f"get_source_inputs: expected a symbolic KerasTensor (from `keras.Input` or a layer "
                        f"called on one). Received: an object of type {type(tensor).__name__}")
    return _sources(tensor, {})


def _sources(tensor, done):
    """Depth first, inputs in call order (Keras's order); ``done`` memoises each
    node's answer, so a graph with many paths (residual blocks) stays linear."""
    history = tensor._keras_history
    if history is None or not history[0]._inbound_nodes:
        return [tensor]
    layer, node_index, _ = history
    node = layer._inbound_nodes[node_index]
    if id(node) not in done:
        if node.is_input:
            done[id(node)] = list(node.output_tensors)
        else:
            sources = []
            for parent_tensor in node.input_tensors:
                for source in _sources(parent_tensor, done):
                    _add_once(sources, source)
            done[id(node)] = sources
    return done[id(node)]


def _add_once(tensors, tensor):
    """Appends ``tensor`` unless that very object is already there (KerasTensors compare by identity)."""
    if not any(existing is tensor for existing in tensors):
        tensors.append(tensor)
