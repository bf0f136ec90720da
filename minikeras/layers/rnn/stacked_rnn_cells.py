"""``StackedRNNCells``: several cells acting as one; and helpers shared by the RNN layers.

Place in the stack: under ``rnn.py``, which wraps a list of cells in a
``StackedRNNCells``. At each time step the first cell reads ``x_t``, the
second reads the first one's output, and so on; the states are a list with
one entry per cell (itself a list for an LSTM cell, whose state is
``[h, c]``). ``RNN([LSTMCell(8), LSTMCell(4)])`` is a two-layer LSTM that
walks time once, instead of two ``LSTM`` layers that each walk it.

The helpers below are used by every layer of this package:
``check_cell`` (what a cell must have) and ``build_sublayer`` (build a layer
held by another one, as Keras does: its weights are named under the
holder's, ``lstm/lstm_cell/kernel``). Read next: ``rnn.py``.
"""

from minikeras import ops
from minikeras.backend import context
from minikeras.layers.layer import Layer
from minikeras.layers.layer_utils import call_arguments
from minikeras.utils import nest


def check_cell(cell, owner):
    """Raises a clear error unless ``cell`` has ``call`` and an int or list ``state_size``.

    Args:
        cell: the candidate cell.
        owner: what is being built, for the message (``"RNN layer 'rnn'"``).
    """
    if not callable(getattr(cell, "call", None)):
        raise ValueError(f"{owner}: argument `cell` should have a `call(inputs, states)` method. "
                         f"Received: cell={cell!r} (of type {type(cell).__name__})")
    state_size = getattr(cell, "state_size", None)
    if state_size is None:
        raise ValueError(
            f"{owner}: the RNN cell {type(cell).__name__} should have a `state_size` attribute "
            "(single integer or list of integers, one integer per RNN state): a state of the "
            "cell has shape (batch, state_size). Received: cell without `state_size`."
        )
    if not isinstance(state_size, (list, tuple, int)):
        raise ValueError(f"{owner}: `state_size` must be an integer, or a list/tuple of integers "
                         f"(one for each state tensor). Received: state_size={state_size!r}")


def build_sublayer(owner, layer, input_shape):
    """Builds ``layer`` (held by ``owner``) for ``input_shape`` unless it is built.

    As in Keras, the weights made here are named under the owner
    (``lstm_cell/kernel`` -> ``lstm/lstm_cell/kernel``) and the build shape is
    remembered, so the sublayer's saved config has its ``build_config``.
    """
    if layer.built:
        return
    with context.no_grad():
        layer.build(input_shape)
    layer.built = True
    layer._build_input_shape = input_shape
    for weight in layer.weights:
        weight.path = f"{owner.name}/{weight.path}"


class StackedRNNCells(Layer):
    """Wraps a list of RNN cells so that they behave as a single cell.

    Args:
        cells: list of cells (each with ``call`` and ``state_size``).
        **kwargs: ``Layer`` arguments.
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            check_cell(cell, f"StackedRNNCells '{self.name}'")
        self.cells = list(cells)

    @property
    def state_size(self):
        return [cell.state_size for cell in self.cells]

    @property
    def output_size(self):
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        return last.state_size[0] if isinstance(last.state_size, (list, tuple)) else last.state_size

    def get_initial_state(self, batch_size=None):
        """One entry per cell: its own initial states, or zeros."""
        states = []
        for cell in self.cells:
            if hasattr(cell, "get_initial_state"):
                states.append(cell.get_initial_state(batch_size=batch_size))
            elif isinstance(cell.state_size, int):
                states.append(ops.zeros((batch_size, cell.state_size), dtype=self.compute_dtype))
            else:
                states.append([ops.zeros((batch_size, size), dtype=self.compute_dtype)
                               for size in cell.state_size])
        return states

    def build(self, input_shape):
        """Builds each cell for the output size of the one before."""
        for cell in self.cells:
            if isinstance(cell, Layer):
                build_sublayer(self, cell, input_shape)
            output_size = getattr(cell, "output_size", None)
            if output_size is None:
                output_size = nest.flatten(cell.state_size)[0]
            input_shape = (input_shape[0], output_size)  # (N, D) -> (N, this cell's units)
        self.built = True

    def call(self, inputs, states, training=False):
        """One time step through every cell: ``(N, D) -> (N, last cell's units)``."""
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            was_list = nest.is_nested(cell_states)
            cell_states = list(cell_states) if was_list else [cell_states]
            if isinstance(cell, Layer):
                kwargs = {"training": training} if call_arguments(type(cell))[0] else {}
                inputs, cell_states = cell(inputs, cell_states, **kwargs)
            else:
                inputs, cell_states = cell.call(inputs, cell_states)
            if not nest.is_nested(cell_states):
                cell_states = [cell_states]
            if len(cell_states) == 1 and not was_list:
                cell_states = cell_states[0]
            new_states.append(cell_states)
        if len(new_states) == 1:
            new_states = new_states[0]
        return inputs, new_states

    def get_config(self):
        from minikeras.saving import serialize_keras_object
        return {**super().get_config(), "cells": [serialize_keras_object(cell) for cell in self.cells]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from minikeras.saving import deserialize_keras_object
        config = dict(config)
        cells = [deserialize_keras_object(cell, custom_objects=custom_objects)
                 for cell in config.pop("cells")]
        return cls(cells, **config)
