"""``clone_model``: a new model with the same architecture and new (freshly initialised) weights.

Place in the stack: beside ``functional.py``; read ``functional_graph.py``
first. Cloning never copies weights (call ``clone.set_weights(model.get_weights())``
for that). By model kind:

* **Sequential**: a new ``Sequential`` of the cloned layers (after a new
  ``Input`` of the same shape, if the model had one);
* **functional**: the graph is replayed node by node on new inputs, as
  ``FunctionalGraph.run`` replays it on values: each layer is replaced by its
  clone (a layer called twice, shared, is cloned once and called twice), and
  op nodes (``x + y``) are called again as they are;
* **subclassed**: ``from_config(get_config())``, when the class supports it.

``clone_function(layer)`` decides how each layer is copied; the default
rebuilds it from its config. Returning the layer itself shares it (with its
weights) between the two models.
"""

from minikeras.layers.input_layer import Input
from minikeras.layers.input_layer import InputLayer
from minikeras.layers.keras_tensor import KerasTensor
from minikeras.layers.layer import Layer
from minikeras.layers.operation import Operation
from minikeras.models.model import Model
from minikeras.models.sequential import Sequential
from minikeras.utils import nest


def _rebuild_from_config(layer):
    """The default ``clone_function``: a new layer of the same class and config."""
    return type(layer).from_config(layer.get_config())


def clone_model(model, input_tensors=None, clone_function=None, call_function=None, recursive=False, **kwargs):
    """Copies a model's architecture, with new weights.

    Args:
        model: a Sequential, functional or subclassed ``Model``.
        input_tensors: optional ``keras.Input`` tensor(s) to build the clone
            on, in the structure of ``model.inputs`` (one tensor for a Sequential).
        clone_function: ``layer -> new layer``; default: rebuild from config.
        call_function: ``(layer, *args, **kwargs) -> outputs``, to change how
            each cloned layer is called in a functional graph.
        recursive: also clone the layers inside nested Sequential and
            functional models with ``clone_function`` (default: a nested
            model is one layer for ``clone_function``).
    Returns:
        A new ``Model`` of the same kind.
    Raises:
        ValueError: ``input_tensors`` that are not symbolic, or arguments a
            subclassed model cannot honour.
    """
    if kwargs:
        raise ValueError(f"Unexpected keyword argument(s) for clone_model: {sorted(kwargs)}")
    clone_function = clone_function or _rebuild_from_config
    if recursive:
        inner = clone_function

        def clone_function(layer):  # noqa: F811  (the recursive variant of the same argument)
            if isinstance(layer, Sequential) or (isinstance(layer, Model) and layer._graph is not None):
                return clone_model(layer, clone_function=inner, call_function=call_function, recursive=True)
            return inner(layer)

    if input_tensors is not None:
        for tensor in nest.flatten(input_tensors):
            if not isinstance(tensor, KerasTensor):
                raise ValueError("clone_model: `input_tensors` must be symbolic tensors from `keras.Input`. "
                                 f"Received: an object of type {type(tensor).__name__}")
    if isinstance(model, Sequential):
        return _clone_sequential(model, input_tensors, clone_function)
    if isinstance(model, Model) and model._graph is not None:
        return _clone_functional(model, input_tensors, clone_function, call_function)
    if input_tensors is not None or clone_function is not _rebuild_from_config or call_function is not None:
        raise ValueError("clone_model: arguments `input_tensors`, `clone_function` and `call_function` need a "
                         f"Sequential or functional model; model '{model.name}' is subclassed "
                         f"({type(model).__name__}). Received: input_tensors={input_tensors}, "
                         f"clone_function={clone_function}, call_function={call_function}")
    return type(model).from_config(model.get_config())


def _clone_sequential(model, input_tensors, clone_function):
    """A new Sequential of cloned layers, after a new (or the given) Input."""
    layers = [clone_function(layer) for layer in model.layers]
    first = model._layers[0] if model._layers else None
    if input_tensors is not None:
        inputs = nest.flatten(input_tensors)
        if len(inputs) != 1:
            raise ValueError(f"clone_model: a Sequential model takes one input tensor. Received: {len(inputs)}")
        layers.insert(0, inputs[0])
    elif isinstance(first, InputLayer):
        layers.insert(0, Input(batch_shape=first.batch_shape, dtype=first.dtype, name=first.name))
    return Sequential(layers, trainable=model.trainable, name=model.name)


def _clone_functional(model, input_tensors, clone_function, call_function):
    """Replays the graph on new inputs with cloned layers."""
    graph = model._graph
    # 1. The new inputs, matched one to one with the old ones.
    if input_tensors is None:
        new_inputs = [Input(batch_shape=tensor.shape, dtype=tensor.dtype, name=tensor._keras_history[0].name)
                      for tensor in graph.inputs]
    else:
        new_inputs = nest.flatten(input_tensors)
        if len(new_inputs) != len(graph.inputs):
            raise ValueError(f"clone_model: model '{model.name}' has {len(graph.inputs)} input(s); "
                             f"`input_tensors` has {len(new_inputs)}.")
    values = {id(old): new for old, new in zip(graph.inputs, new_inputs)}
    # 2. Each layer cloned once; every node called again on the new tensors.
    clones = {}
    for node in graph.nodes():
        if node.is_input:
            continue
        layer = node.layer
        is_layer = isinstance(layer, Layer) and not isinstance(layer, Operation)
        if is_layer and id(layer) not in clones:
            clones[id(layer)] = clone_function(layer)
        new_layer = clones.get(id(layer), layer)  # op nodes (x + y) are reused as they are
        args, call_kwargs = node.fill_in(values)
        if call_function is not None and is_layer:
            outputs = call_function(new_layer, *args, **call_kwargs)
        else:
            outputs = new_layer(*args, **call_kwargs)
        for old, new in zip(node.output_tensors, nest.flatten(outputs)):
            values[id(old)] = new
    # 3. The same input and output structures (list, dict) around the new tensors.
    inputs = nest.pack_like(graph.inputs_structure, new_inputs)
    outputs = nest.pack_like(graph.outputs_structure, [values[id(old)] for old in graph.outputs])
    return Model(inputs, outputs, name=model.name, trainable=model.trainable)
