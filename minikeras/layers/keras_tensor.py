"""``Node``: one call in the graph of the functional API (``KerasTensor`` is re-exported here).

Place in the stack: between ``layer.py`` and ``minikeras.models``.
``keras.Input(shape=(784,))`` returns a ``KerasTensor`` (defined at the bottom
of the stack, in ``minikeras/backend/keras_tensor.py``, so that ops can
recognise it too): a value with a shape ``(None, 784)`` and a dtype but no
data. Calling a layer or an op on it computes nothing; the layer works out the
output's shape and records a ``Node``: "this layer was called on these
symbolic inputs and produced these symbolic outputs". Each output remembers the
node that made it (``_keras_history``), so ``Model(inputs, outputs)`` can walk
from the outputs back to the inputs and recover the whole graph
(``minikeras/models/functional_graph.py``). Read next: ``input_layer.py``.
"""

from minikeras.backend.keras_tensor import KerasTensor
from minikeras.backend.keras_tensor import is_keras_tensor
from minikeras.backend.keras_tensor import standardize_keras_dtype
from minikeras.utils import nest

__all__ = ["KerasTensor", "Node", "any_symbolic", "is_keras_tensor", "standardize_keras_dtype"]


def any_symbolic(args, kwargs):
    """True when any leaf of the call arguments is a KerasTensor."""
    leaves = nest.flatten(list(args)) + nest.flatten(dict(kwargs))
    return any(isinstance(leaf, KerasTensor) for leaf in leaves)


class Node:
    """One call of a layer inside a functional graph.

    Args:
        layer: the layer that was called.
        call_args: the positional arguments, KerasTensors among them.
        call_kwargs: the keyword arguments (``training=True``...).
        outputs: the KerasTensor (or structure of them) the call returned.
    """

    def __init__(self, layer, call_args=(), call_kwargs=None, outputs=None):
        self.layer = layer
        self.call_args = tuple(call_args)
        self.call_kwargs = dict(call_kwargs or {})
        self.outputs = outputs
        self.input_tensors = [leaf for leaf in nest.flatten([list(self.call_args), self.call_kwargs])
                              if isinstance(leaf, KerasTensor)]
        self.output_tensors = [leaf for leaf in nest.flatten(outputs)
                               if isinstance(leaf, KerasTensor)]
        # 1. Register the node with its layer, 2. stamp the outputs with it.
        layer._inbound_nodes.append(self)
        node_index = len(layer._inbound_nodes) - 1
        for tensor_index, tensor in enumerate(self.output_tensors):
            tensor._keras_history = (layer, node_index, tensor_index)

    @property
    def is_input(self):
        """True for the node of an ``InputLayer`` (it has no inputs)."""
        return not self.input_tensors and not self.call_args

    @property
    def parent_nodes(self):
        """The nodes that produced this node's inputs."""
        parents = []
        for tensor in self.input_tensors:
            if tensor._keras_history is not None:
                layer, node_index, _ = tensor._keras_history
                parents.append(layer._inbound_nodes[node_index])
        return parents

    def fill_in(self, values_by_id):
        """Returns ``(args, kwargs)`` with each KerasTensor replaced by its value.

        Args:
            values_by_id: ``{id(keras_tensor): actual value}``.
        """
        def substitute(leaf):
            return values_by_id[id(leaf)] if isinstance(leaf, KerasTensor) else leaf

        args = nest.map_structure(substitute, list(self.call_args))
        kwargs = nest.map_structure(substitute, self.call_kwargs)
        return args, kwargs
