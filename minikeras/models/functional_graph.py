"""``FunctionalGraph``: the layer graph behind ``Model(inputs, outputs)``.

Place in the stack: the first file of ``minikeras.models``, right above
``minikeras.layers``. When layers are called on the ``KerasTensor``s of
``keras.Input``, each call leaves a ``Node`` (``layers/keras_tensor.py``), and
each output tensor remembers its node. ``FunctionalGraph`` walks those links
backwards from the outputs to the inputs, and sorts the nodes so that a node
always comes after the nodes it depends on:

* the *depth* of a node is its distance from the outputs (the output nodes
  have depth 0, their parents 1, ...); running the nodes by decreasing depth
  runs every node after its inputs are ready;
* ``layers`` lists each layer once, by decreasing depth, ties broken by the
  order of a depth-first walk (Keras's order, used by ``summary`` and saving).

``run`` then executes the graph on real tensors: a dict maps each symbolic
tensor (by ``id``) to its value, filled in node by node. Read next:
``model.py``.
"""

import numpy

from minikeras import ops
from minikeras.backend import context
from minikeras.layers.convolutional import Conv2D
from minikeras.layers.fusion import conv_then_max_pool
from minikeras.layers.input_layer import InputLayer
from minikeras.layers.keras_tensor import KerasTensor
from minikeras.layers.pooling import MaxPooling2D
from minikeras.utils import nest


class FunctionalGraph:
    """The directed acyclic graph of layer calls from ``inputs`` to ``outputs``.

    Args:
        inputs: a KerasTensor from ``keras.Input``, or a list or dict of them.
        outputs: a KerasTensor, or a list or dict of them, computed from ``inputs``.
        model_name: used in error messages.
    """

    def __init__(self, inputs, outputs, model_name="functional"):
        self.model_name = model_name
        self.inputs_structure = _as_structure(inputs)
        self.outputs_structure = _as_structure(outputs)
        self.inputs = nest.flatten(self.inputs_structure)
        self.outputs = nest.flatten(self.outputs_structure)
        _check_symbolic(self.inputs, "inputs")
        _check_symbolic(self.outputs, "outputs")
        nodes = _nodes_from_inputs_to_outputs(self.inputs, self.outputs)
        self.nodes_by_depth, self.layers = _sort_by_depth(nodes, self.inputs)
        self._check_connected()
        self._pool_after = _conv_pool_pairs(self.nodes(), self.outputs)

    # ----- structure -----
    @property
    def input_names(self):
        """Input names: the dict keys, else the names of the InputLayers."""
        if isinstance(self.inputs_structure, dict):
            return sorted(self.inputs_structure)
        return [tensor._keras_history[0].name for tensor in self.inputs]

    @property
    def output_names(self):
        """Output names: the dict keys, else the names of the output layers."""
        if isinstance(self.outputs_structure, dict):
            return sorted(self.outputs_structure)
        return [tensor._keras_history[0].name for tensor in self.outputs]

    def nodes(self):
        """Every node of the graph, deepest first."""
        return [node for depth in sorted(self.nodes_by_depth, reverse=True)
                for node in self.nodes_by_depth[depth]]

    def _check_connected(self):
        """Every node's inputs must be computable from the model's inputs."""
        computable = {id(tensor) for tensor in self.inputs}
        accessed = []
        for node in self.nodes():
            undeclared = [tensor for tensor in node.output_tensors if id(tensor) not in computable]
            if node.is_input and undeclared:
                raise ValueError(
                    f"Graph disconnected: the outputs need the input '{node.layer.name}' "
                    f"({undeclared[0]}), which is not among the model's `inputs`. Output is not "
                    "connected to `inputs`."
                )
            for tensor in node.input_tensors:
                if id(tensor) not in computable:
                    raise ValueError(
                        f"Graph disconnected: cannot find parent for tensor {tensor} at layer "
                        f"'{node.layer.name}'. The following previous layers were accessed "
                        f"without issue: {accessed}"
                    )
            accessed.append(node.layer.name)
            computable.update(id(tensor) for tensor in node.output_tensors)

    # ----- running -----
    def flatten_call_inputs(self, inputs):
        """Matches the values passed to the model with the symbolic inputs.

        Accepts the same structure as ``inputs`` (a value, a list, a dict), a
        dict keyed by input names, or a list for a dict of inputs.
        Returns:
            A flat list of values, one per symbolic input.
        """
        names = self.input_names
        if isinstance(inputs, dict):
            missing = [name for name in names if name not in inputs]
            if missing:
                raise ValueError(f'Missing data for input "{missing[0]}". You passed a data '
                                 f"dictionary with keys {list(inputs)}. Expected the following "
                                 f"keys: {names}")
            if isinstance(self.inputs_structure, dict):
                return [inputs[key] for key in sorted(self.inputs_structure)]
            return [inputs[name] for name in names]
        flat = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(flat) != len(self.inputs):
            received = [getattr(value, "shape", type(value).__name__) for value in flat]
            raise ValueError(
                f'Layer "{self.model_name}" expects {len(self.inputs)} input(s), but it received '
                f"{len(flat)} input tensors. Expected inputs {names}; received values of shapes "
                f"{received}."
            )
        return flat

    def run(self, inputs):
        """Runs the layers on real values; returns the outputs' structure."""
        values = {id(symbolic): _adjust_input_rank(value, symbolic)
                  for symbolic, value in zip(self.inputs, self.flatten_call_inputs(inputs))}
        fused_pools = set()  # pooling nodes already computed with their convolution
        for node in self.nodes():
            if node.is_input or id(node) in fused_pools:
                continue
            args, kwargs = node.fill_in(values)
            # A Conv2D whose only reader is a MaxPooling2D(2) may run with it as one
            # op (layers/fusion.py), with the same numbers and gradients.
            pool_node = self._pool_after.get(id(node))
            if pool_node is not None and len(args) == 1 and not kwargs:
                fused = conv_then_max_pool(node.layer, pool_node.layer, args[0])
                if fused is not None:
                    values[id(pool_node.output_tensors[0])] = fused
                    fused_pools.add(id(pool_node))
                    continue
            # As in Keras, the model's own training flag (fit: True, predict:
            # False) wins over one recorded when the graph was built: Keras
            # records `training=True` for layers whose `call` defaults to it
            # (the augmentation layers), which must still be off in predict.
            recorded = kwargs.pop("training", None)
            if recorded is not None and context.in_training() is None:
                kwargs["training"] = recorded
            outputs = node.layer(*args, **kwargs)
            for symbolic, value in zip(node.output_tensors, nest.flatten(outputs)):
                values[id(symbolic)] = value
        flat_outputs = [values[id(symbolic)] for symbolic in self.outputs]
        return nest.pack_like(self.outputs_structure, flat_outputs)


def _conv_pool_pairs(nodes, outputs):
    """``{id(conv node): pooling node}`` for each Conv2D call read only by a MaxPooling2D call.

    Such a pair may run as one op (``layers/fusion.py``
    decides each time); the convolution's own output is then never
    computed, so it must not be a model output nor read by any other node.
    """
    readers = {}
    for node in nodes:
        for tensor in node.input_tensors:
            readers.setdefault(id(tensor), []).append(node)
    model_outputs = {id(tensor) for tensor in outputs}
    pairs = {}
    for node in nodes:
        if type(node.layer) is not Conv2D or len(node.output_tensors) != 1:
            continue
        output = node.output_tensors[0]
        found = readers.get(id(output), [])
        if (len(found) == 1 and type(found[0].layer) is MaxPooling2D and id(output) not in model_outputs
                and len(found[0].input_tensors) == 1 and len(found[0].output_tensors) == 1
                and len(found[0].call_args) == 1 and not found[0].call_kwargs):
            pairs[id(node)] = found[0]
    return pairs


def _adjust_input_rank(value, symbolic):
    """Keras's leniency on one missing or extra last axis of size 1.

    A column (N,) fed to an ``Input(shape=(1,))`` becomes (N, 1) (a
    FeatureSpace's inputs, fed one value per row), and (N, ..., 1) fed to an
    input of one axis less loses that last axis. Other shapes pass unchanged,
    for the layers to check.
    """
    shape, expected = getattr(value, "shape", None), symbolic.shape
    if shape is None or len(shape) == len(expected):
        return value
    xp_module = numpy if isinstance(value, numpy.ndarray) else ops
    if len(shape) == len(expected) - 1 and expected[-1] == 1:
        return xp_module.expand_dims(value, -1)  # (N, ...) -> (N, ..., 1)
    if len(shape) == len(expected) + 1 and shape[-1] == 1:
        return xp_module.squeeze(value, axis=-1)  # (N, ..., 1) -> (N, ...)
    return value


def _as_structure(value):
    """Tuples become lists, as Keras stores them; a 1-element list stays a list."""
    if isinstance(value, tuple):
        return list(value)
    return value


def _check_symbolic(tensors, argument):
    for tensor in tensors:
        if not isinstance(tensor, KerasTensor) or tensor._keras_history is None:
            raise ValueError(
                f"All `{argument}` values must be KerasTensors produced by `keras.Input` and layer "
                f"calls (the functional API). Received: {argument}={tensor} of type {type(tensor)}"
            )


def _nodes_from_inputs_to_outputs(inputs, outputs):
    """Depth-first walk from the outputs back to the inputs.

    Returns:
        The nodes in an order where each node comes after its parents.
    """
    input_ids = {id(tensor) for tensor in inputs}
    finished, in_progress, ordered = set(), set(), []

    def visit(tensor):
        layer, node_index, _ = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        if id(node) in finished:
            return
        if id(tensor) in input_ids and not node.is_input:
            finished.add(id(node))  # an intermediate tensor used as an input
            return
        if id(node) in in_progress:
            raise ValueError(f"Tensor {tensor} from layer '{layer.name}' is part of a cycle.")
        in_progress.add(id(node))
        if id(tensor) not in input_ids:
            for parent_tensor in node.input_tensors:
                visit(parent_tensor)
        in_progress.discard(id(node))
        finished.add(id(node))
        ordered.append(node)

    for output in outputs:
        visit(output)
    return ordered


def _sort_by_depth(nodes, inputs):
    """Assigns depths and orders the layers as Keras does.

    Returns:
        ``({depth: [nodes]}, layers)``.
    """
    in_graph = {id(node) for node in nodes}
    first_seen = {}
    for node in nodes:
        first_seen.setdefault(id(node.layer), len(first_seen))
    node_depth, layer_depth, layers_by_id = {}, {}, {}
    # 1. From the outputs backwards: a parent is one deeper than its deepest child.
    for node in reversed(nodes):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        node_depth[id(node)] = depth
        layer_depth[id(node.layer)] = depth
        layers_by_id[id(node.layer)] = node.layer
        for parent in node.parent_nodes:
            if id(parent) in in_graph:
                node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    # 2. Inputs that no output uses still belong to the model.
    for tensor in inputs:
        layer, node_index, _ = tensor._keras_history
        if isinstance(layer, InputLayer) and id(layer) not in layer_depth:
            layer_depth[id(layer)] = 0
            layers_by_id[id(layer)] = layer
            first_seen[id(layer)] = -1
            nodes.append(layer._inbound_nodes[node_index])
            node_depth[id(nodes[-1])] = 0
    # 3. Group nodes by depth; order layers by decreasing depth, then walk order.
    nodes_by_depth = {}
    for node in nodes:
        nodes_by_depth.setdefault(node_depth[id(node)], []).append(node)
    layers = sorted(layers_by_id.values(),
                    key=lambda layer: (-layer_depth[id(layer)], first_seen[id(layer)]))
    _check_unique_names(layers)
    return nodes_by_depth, layers


def _check_unique_names(layers):
    names = [layer.name for layer in layers]
    for name in names:
        if names.count(name) != 1:
            raise ValueError(f'The name "{name}" is used {names.count(name)} times in the model. '
                             "All layer names should be unique.")
