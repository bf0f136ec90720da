"""``Function``: a graph of ops and layers over KerasTensors, replayed on new inputs (``keras.Function``).

Place in the stack: beside ``functional_graph.py`` (the graph behind
``Model(inputs, outputs)``), which it resembles; read that first.

A ``Function`` is a functional model without the model: no weights of its
own, no ``fit``, no saving. Its inputs may be any KerasTensors, not only
``keras.Input``'s, so it captures a computation written with ``ops`` on
symbolic tensors::

    a, b = keras.KerasTensor((None, 3)), keras.KerasTensor((None, 3))
    fn = keras.Function([a, b], ops.sigmoid(a + b))
    fn([x1, x2])        # runs add, then sigmoid, on arrays

Calling it on arrays runs each recorded node in order (every op node is an
``Operation`` layer, ``minikeras/layers/operation.py``); calling it on
KerasTensors runs the same nodes symbolically, which records them again on
the new tensors (so a Function can be used while building another graph).
"""

from minikeras.backend import context
from minikeras.layers.keras_tensor import KerasTensor
from minikeras.utils import nest


class Function:
    """The computation linking ``inputs`` to ``outputs``, reusable on new values.

    Args:
        inputs: a KerasTensor or a nest (list, dict) of them.
        outputs: a KerasTensor or a nest of them, computed from ``inputs``.
        name: defaults to ``"function"``, ``"function_1"``...

    Raises:
        ValueError: for empty ``inputs`` or ``outputs``, or outputs that
            need a tensor that is not among ``inputs`` ("Graph disconnected").
    """

    def __init__(self, inputs, outputs, name=None):
        self.name = name or context.unique_name("function")
        self._inputs_struct, self._outputs_struct = inputs, outputs
        self._inputs, self._outputs = nest.flatten(inputs), nest.flatten(outputs)
        if not self._inputs:
            raise ValueError(f"`inputs` argument cannot be empty. Received:\ninputs={inputs}\noutputs={outputs}")
        if not self._outputs:
            raise ValueError(f"`outputs` argument cannot be empty. Received:\ninputs={inputs}\noutputs={outputs}")
        for tensor in self._inputs + self._outputs:
            if not isinstance(tensor, KerasTensor):
                raise ValueError(f"Function: all `inputs` and `outputs` must be KerasTensors. Received: {tensor!r}")
        self._nodes = _nodes_between(self._inputs, self._outputs)

    @property
    def inputs(self):
        """The symbolic inputs, as a flat list."""
        return self._inputs

    @property
    def outputs(self):
        """The symbolic outputs, as a flat list."""
        return self._outputs

    @property
    def operations(self):
        """The ops and layers of the graph, each once: the ``InputLayer``s of ``keras.Input`` inputs first."""
        operations = [tensor._keras_history[0] for tensor in self._inputs
                      if tensor._keras_history is not None and tensor._keras_history[0]._inbound_nodes[
                          tensor._keras_history[1]].is_input]
        for node in self._nodes:
            if not any(node.layer is known for known in operations):
                operations.append(node.layer)
        return operations

    def __call__(self, inputs):
        """Runs the graph on ``inputs`` (arrays: values; KerasTensors: symbolic outputs)."""
        return self.call(inputs)

    def call(self, inputs):
        """``outputs`` computed from new ``inputs``, given in the structure of the symbolic ones."""
        flat = self._check_inputs(inputs)
        values = {id(symbolic): value for symbolic, value in zip(self._inputs, flat)}
        for node in self._nodes:
            args, kwargs = node.fill_in(values)
            results = node.layer(*args, **kwargs)
            for symbolic, value in zip(node.output_tensors, nest.flatten(results)):
                values[id(symbolic)] = value
        return nest.pack_like(self._outputs_struct, [values[id(symbolic)] for symbolic in self._outputs])

    def compute_output_spec(self, inputs):
        """The symbolic outputs for symbolic ``inputs`` (nothing is computed, nothing recorded)."""
        flat = self._check_inputs(inputs)
        if all(tuple(x.shape) == tuple(ref.shape) for x, ref in zip(flat, self._inputs)):
            return nest.map_structure(lambda out: KerasTensor(out.shape, dtype=out.dtype), self._outputs_struct)
        values = {id(symbolic): value for symbolic, value in zip(self._inputs, flat)}
        for node in self._nodes:
            args, kwargs = node.fill_in(values)
            results = node.layer.compute_output_spec(*args, **kwargs)
            for symbolic, value in zip(node.output_tensors, nest.flatten(results)):
                values[id(symbolic)] = value
        return nest.pack_like(self._outputs_struct, [values[id(symbolic)] for symbolic in self._outputs])

    def compute_output_shape(self, input_shape):
        """The output shape(s) for input shape(s) in the structure of ``inputs``."""
        shapes = input_shape if isinstance(self._inputs_struct, (list, tuple, dict)) else [input_shape]
        shapes = list(shapes.values()) if isinstance(shapes, dict) else list(shapes)
        specs = [KerasTensor(tuple(shape), dtype=ref.dtype) for shape, ref in zip(shapes, self._inputs)]
        spec = self.compute_output_spec(nest.pack_like(self._inputs_struct, specs))
        return nest.map_structure(lambda out: tuple(out.shape), spec)

    def _check_inputs(self, inputs):
        """The flat list of ``inputs``, checked against the structure and shapes of the symbolic ones."""
        flat = nest.flatten(inputs)
        if len(flat) != len(self._inputs) or isinstance(inputs, dict) != isinstance(self._inputs_struct, dict):
            raise ValueError("Function was called with an invalid input structure. Expected input structure: "
                             f"{self._inputs_struct}\nReceived input structure: {inputs}")
        for value, reference in zip(flat, self._inputs):
            shape = tuple(getattr(value, "shape", ()))
            if len(shape) != len(reference.shape) or any(
                    size is not None and ref is not None and size != ref for size, ref in zip(shape, reference.shape)):
                raise ValueError(f"Function was passed incompatible inputs. For input '{reference.name}', expected "
                                 f"shape {reference.shape}, but received instead a tensor with shape {shape}.")
        return flat

    def __repr__(self):
        return f"<Function name={self.name}>"


def _nodes_between(inputs, outputs):
    """The nodes from ``inputs`` to ``outputs``, each after the nodes it needs (a depth-first walk).

    Raises:
        ValueError: if an output needs a tensor that neither ``inputs`` nor a node provides.
    """
    input_ids = {id(tensor) for tensor in inputs}
    ordered, done, accessed = [], set(), []

    def visit(tensor):
        if id(tensor) in input_ids:
            return
        history = tensor._keras_history
        if history is None:
            raise ValueError(f"Graph disconnected: cannot find parent for tensor {tensor}. The following previous "
                             f"operations were accessed without issue: {accessed}")
        layer, node_index, _ = history
        node = layer._inbound_nodes[node_index]
        if id(node) in done:
            return
        if node.is_input:  # a keras.Input that is not among `inputs`
            raise ValueError(f"Graph disconnected: cannot find parent for tensor {tensor} at operation "
                             f"'{layer.name}'. The following previous operations were accessed without issue: "
                             f"{accessed}")
        done.add(id(node))
        for parent in node.input_tensors:
            visit(parent)
        ordered.append(node)
        accessed.append(layer.name)

    for output in outputs:
        visit(output)
    return ordered
