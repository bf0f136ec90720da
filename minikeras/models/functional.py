"""``Functional``: the class name of functional models, and their configs.

Place in the stack: beside ``model.py``. ``Model(inputs, outputs)`` already
is a functional model (it holds a ``FunctionalGraph``); ``Functional`` is the
same thing under the name Keras writes in saved files, so that loading a
``.keras`` file made by Keras (``"class_name": "Functional"``) finds a class.

The config of a functional model lists its layers (each serialized, with the
calls it took part in as ``inbound_nodes``) and names its inputs and outputs
as ``[layer name, node index, tensor index]``. ``model_from_config`` replays
those calls on new ``keras.Input``s to rebuild the graph. Op nodes
(``a + b``, ``ops.relu(x)``) are written as Keras writes them
(``"module": "keras.src.ops.numpy", "class_name": "Add"``) and rebuilt only
through the literal table of ``layers/operation_table.py``. Read next:
``summary.py``.
"""

from minikeras.layers.keras_tensor import KerasTensor
from minikeras.layers.operation import Operation
from minikeras.layers.operation import is_keras_operation_config
from minikeras.models.model import Model
from minikeras.utils import nest

# The plain values Keras writes as ``{"class_name": ..., "config": ...}`` in call arguments.
SPECIAL_VALUES = ("__slice__", "__ellipsis__", "__bytes__", "__numpy__")


class Functional(Model):
    """A functional model; ``Functional(inputs, outputs)`` equals ``Model(inputs, outputs)``."""

    def __init__(self, inputs, outputs, name=None, **kwargs):
        super().__init__(inputs, outputs, name=name, **kwargs)


def graph_config(model):
    """``{name, trainable, layers, input_layers, output_layers}`` as Keras writes it."""
    from minikeras.saving import serialize_keras_object
    graph = model._graph
    own_nodes = {id(node) for node in graph.nodes()}
    # 1. A layer's calls outside this model are dropped: renumber the others.
    new_index = {}
    for layer in graph.layers:
        kept = 1 if isinstance(layer, Model) and layer._graph is not None else 0
        for node in layer._inbound_nodes:
            if id(node) in own_nodes:
                new_index[id(node)] = kept
                kept += 1

    def tensor_config(tensor):
        layer, node_index, tensor_index = tensor._keras_history
        return [layer.name, new_index[id(layer._inbound_nodes[node_index])], tensor_index]

    def argument_config(value):
        if not isinstance(value, KerasTensor):
            return serialize_keras_object(value)  # 2.0, or a slice of x[:, :2]
        return {"class_name": "__keras_tensor__",
                "config": {"shape": list(value.shape), "dtype": value.dtype,
                           "keras_history": tensor_config(value)}}

    # 2. Each layer, with the calls that belong to this model.
    layer_configs = []
    for layer in graph.layers:
        if isinstance(layer, Operation):
            layer_config = layer.keras_config()  # "keras.src.ops.numpy", "Add"
        else:
            layer_config = serialize_keras_object(layer)
        layer_config["name"] = layer.name
        layer_config["inbound_nodes"] = [
            {"args": nest.map_structure(argument_config, list(node.call_args)),
             "kwargs": nest.map_structure(argument_config, node.call_kwargs)}
            for node in layer._inbound_nodes if id(node) in own_nodes and not node.is_input
        ]
        layer_configs.append(layer_config)
    return {"name": model.name, "trainable": model.trainable, "layers": layer_configs,
            "input_layers": nest.map_structure(tensor_config, graph.inputs_structure),
            "output_layers": nest.map_structure(tensor_config, graph.outputs_structure)}


def model_from_config(cls, config, custom_objects=None):
    """Rebuilds a functional model: make each layer, replay its calls in order."""
    from minikeras.layers.input_layer import InputLayer
    from minikeras.saving import deserialize_keras_object
    layers = {}
    outputs_by_node = {}  # (layer name, node index) -> outputs of that call
    pending = []
    for layer_config in config["layers"]:
        if is_keras_operation_config(layer_config):
            layer = Operation.from_keras_config(layer_config)  # through the literal op table only
        else:
            layer = deserialize_keras_object(layer_config, custom_objects=custom_objects)
        layers[layer_config["name"]] = layer
        if isinstance(layer, InputLayer):
            outputs_by_node[(layer.name, 0)] = layer.output
        pending.extend((layer, index, node) for index, node in
                       enumerate(layer_config.get("inbound_nodes", [])))

    def tensor_from(history):
        name, node_index, tensor_index = history
        return nest.flatten(outputs_by_node[(name, node_index)])[tensor_index]

    def argument_from(value):
        """Config values with each ``__keras_tensor__`` dict replaced by its tensor."""
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            return tensor_from(value["config"]["keras_history"])
        if isinstance(value, dict) and value.get("class_name") in SPECIAL_VALUES:
            return deserialize_keras_object(value)  # a slice, `...`, bytes or a NumPy array
        if isinstance(value, dict):
            return {key: argument_from(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [argument_from(item) for item in value]
        return value

    # Replay the calls whose inputs exist, until none is left (layers are
    # listed deepest first, so this usually takes one pass).
    while pending:
        ready = [item for item in pending if _inputs_ready(item[2], outputs_by_node)]
        if not ready:
            raise ValueError("Could not rebuild the functional model: its layer calls refer to "
                             "unknown tensors.")
        for layer, index, node in ready:
            args = argument_from(list(node["args"]))
            kwargs = argument_from(dict(node["kwargs"]))
            first_node = 1 if isinstance(layer, Model) and layer._graph is not None else 0
            outputs_by_node[(layer.name, first_node + index)] = layer(*args, **kwargs)
            pending.remove((layer, index, node))
    inputs = _structure_from(config["input_layers"], tensor_from)
    outputs = _structure_from(config["output_layers"], tensor_from)
    return cls(inputs, outputs, name=config.get("name"), trainable=config.get("trainable", True))


def _inputs_ready(node, outputs_by_node):
    histories = [leaf["config"]["keras_history"]
                 for leaf in _config_leaves([node["args"], node["kwargs"]])]
    return all((name, index) in outputs_by_node for name, index, _ in histories)


def _config_leaves(value):
    """The ``__keras_tensor__`` dicts inside a node config."""
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        return [value]
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _config_leaves(item)]
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in _config_leaves(item)]
    return []


def _structure_from(value, tensor_from):
    """``["dense", 0, 0]`` -> a tensor; lists and dicts of them -> the same structure."""
    if isinstance(value, dict):
        return {key: _structure_from(item, tensor_from) for key, item in value.items()}
    if isinstance(value, list) and len(value) == 3 and isinstance(value[0], str):
        return tensor_from(value)
    return [_structure_from(item, tensor_from) for item in value]
