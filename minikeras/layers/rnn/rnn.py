"""``RNN``: runs a cell over the time axis; backpropagation through time for free.

Place in the stack: the first file of ``minikeras.layers.rnn``, over
``layer.py``. A recurrent layer is two things:

* a **cell**, which knows one time step: ``output, new_states =
  cell(x_t, states)`` with ``x_t`` of shape ``(N, features)`` and each state
  ``(N, state_size)`` (``simple_rnn.py``, ``lstm.py``, ``gru.py``, or your own);
* this **RNN** layer, which owns the loop over the ``T`` time steps, the
  initial state, masks (padded steps), ``go_backwards``, ``return_sequences``,
  ``return_state`` and ``stateful``.

Backpropagation through time (BPTT) needs no code here. The loop below is a
plain Python ``for`` over time steps; every step's ops (the slice
``sequences[:, t]``, the cell's matrix products and activations, the
``where`` of a mask) go on the ``GradientTape`` one after the other. Walking
the tape backwards (``autodiff/tape.py``) therefore walks time backwards, and
the gradient of each weight is summed over the steps that used it: that *is*
BPTT. The price is many small ops (about ten per step for an LSTM), which is
why ``LSTM``, ``GRU`` and ``SimpleRNN`` also have a fast path: one op for the
whole sequence (``autodiff/recurrent.py`` over ``kernels/``), chosen by
``inner_loop`` when it applies, as Keras chooses cuDNN.

Masks (from ``Embedding(mask_zero=True)`` or ``Masking``): at a masked step
every state keeps its previous value, and the output is the previous first
state (``zero_output_for_mask=False``, Keras's default) or zeros
(``zero_output_for_mask=True``, which ``Bidirectional`` sets when it returns
sequences). Read next: ``dropout_rnn_cell.py``, then ``simple_rnn.py``.
"""

from minikeras import backend
from minikeras import ops
from minikeras.autodiff import Tensor
from minikeras.autodiff import Variable
from minikeras.layers.layer import Layer
from minikeras.layers.layer_utils import call_arguments
from minikeras.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from minikeras.layers.rnn.stacked_rnn_cells import StackedRNNCells
from minikeras.layers.rnn.stacked_rnn_cells import build_sublayer
from minikeras.layers.rnn.stacked_rnn_cells import check_cell
from minikeras.utils import nest


class RNN(Layer):
    """Base class for recurrent layers: applies ``cell`` to each time step.

    Args:
        cell: an RNN cell: any object with a ``call(inputs, states,
            training=None)`` method returning ``(output, new_states)`` and a
            ``state_size`` attribute (an int, or a list of ints, one per
            state); optionally ``output_size`` and ``get_initial_state``. A
            list of cells is stacked (``StackedRNNCells``).
        return_sequences: return every step's output ``(N, T, units)``
            instead of the last one ``(N, units)``.
        return_state: also return the final states.
        go_backwards: read the sequence from the last step to the first (the
            returned sequence is then in reading order, i.e. reversed).
        stateful: the final states of a batch become the initial states of
            the next one (batch size must be fixed); ``reset_state()`` zeroes them.
        unroll: accepted for Keras compatibility; minikeras always loops in
            Python, which is what unrolling means.
        zero_output_for_mask: output zeros (instead of the previous output)
            at masked steps.
        **kwargs: ``Layer`` arguments.

    Call arguments:
        sequences: ``(N, T, features)``.
        initial_state: optional list of state tensors, ``(N, state_size)`` each.
        mask: optional boolean ``(N, T)``; False marks a padded step.
        training: passed to the cell (dropout).
    """

    _numeric_inputs_only = True  # strings are refused with a clear error (layer.py)

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        check_cell(cell, f"{type(self).__name__} layer '{kwargs.get('name') or ''}'")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True
        state_size = cell.state_size
        self.single_state = isinstance(state_size, int)
        self.state_size = [state_size] if self.single_state else list(state_size)
        # Stateful states are Variables but not weights (as in Keras): set
        # without the attribute tracking of Layer.__setattr__.
        object.__setattr__(self, "states", None)

    # ----- build -----
    def build(self, sequences_shape, initial_state_shape=None):
        self._check_sequence_shape(sequences_shape)
        step_shape = (sequences_shape[0],) + tuple(sequences_shape[2:])  # (N, T, D) -> (N, D)
        if isinstance(self.cell, Layer):
            build_sublayer(self, self.cell, step_shape)
        if self.stateful and self.states is None:
            if sequences_shape[0] is None:
                raise ValueError(f"RNN layer '{self.name}': when using `stateful=True` the batch "
                                 "size must be static. Found dynamic batch size: "
                                 f"sequence.shape={tuple(sequences_shape)}")
            states = [Variable(state.data, trainable=False, name="rnn_state")
                      for state in nest.flatten(self.get_initial_state(sequences_shape[0]))]
            object.__setattr__(self, "states", states)
        self.built = True

    def _check_sequence_shape(self, shape):
        if shape is None or len(shape) < 3:
            raise ValueError(
                f"RNN layer '{self.name}' expects a 3-D input (batch, timesteps, features); "
                f"received an input of shape {None if shape is None else tuple(shape)}. A single "
                "sequence needs a batch axis (`x[None]`); a feature vector per step needs a "
                "last axis of size 1 (`x[..., None]`)."
            )

    def get_initial_state(self, batch_size):
        """Zero states, ``(batch_size, size)`` each (or the cell's own ``get_initial_state``)."""
        if hasattr(self.cell, "get_initial_state"):
            states = self.cell.get_initial_state(batch_size=batch_size)
            return list(states) if nest.is_nested(states) else [states]
        dtype = getattr(self.cell, "compute_dtype", self.compute_dtype)
        return [ops.zeros((batch_size, size), dtype=dtype) for size in self.state_size]

    def reset_state(self):
        """Zeroes the states of a stateful layer."""
        for state in self.states or []:
            state.assign(backend.get_xp(state.data).zeros_like(state.data))

    def reset_states(self):
        """Alias of ``reset_state`` (Keras 2 name)."""
        self.reset_state()

    # ----- call -----
    def call(self, sequences, initial_state=None, mask=None, training=False):
        # 1. Check the input, the mask and the initial state.
        self._check_sequence_shape(tuple(sequences.shape))
        mask = self._standardize_mask(mask, sequences)
        if initial_state is None:
            initial_state = self.states if self.stateful else self.get_initial_state(sequences.shape[0])
        initial_state = self._standardize_initial_state(initial_state, sequences)
        # 2. Run the loop over time (or the fast path of LSTM/GRU/SimpleRNN).
        try:
            last_output, outputs, states = self.inner_loop(sequences, initial_state, mask, training)
        finally:
            reset_dropout_masks(self.cell)  # a new mask for each batch, as in Keras
        # 3. A stateful layer keeps its final states for the next batch.
        if self.stateful:
            for variable, state in zip(self.states, nest.flatten(states)):
                variable.assign(state.data)
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return [output] + list(states)
        return output

    def inner_loop(self, sequences, initial_state, mask, training=False):
        """The readable path: one cell call per time step, every op on the tape.

        Args:
            sequences: ``(N, T, D)``.
            initial_state: list of states (nested for stacked cells).
            mask: None or a boolean ``(N, T)`` tensor.
        Returns:
            ``(last_output (N, units), outputs (N, T, units) or None, final states)``;
            ``outputs`` is in reading order (reversed when ``go_backwards``).
        """
        steps = range(sequences.shape[1])
        states, outputs = initial_state, []
        for t in (reversed(steps) if self.go_backwards else steps):
            output, new_states = self._cell_step(sequences[:, t], states, training)
            if mask is not None:
                keep = mask[:, t]  # (N,): reshaped by _keep_where to broadcast over units (or feature maps)
                output = _keep_where(keep, output, self._masked_output(output, states))
                new_states = _keep_where(keep, new_states, states)
            states = new_states
            outputs.append(output)
        sequence = ops.stack(outputs, axis=1) if self.return_sequences else None  # T x (N, U) -> (N, T, U)
        return outputs[-1], sequence, states

    def _cell_step(self, step_input, states, training):
        """``output, new_states = cell(step_input, states)``, new_states as a list."""
        kwargs = {}
        if isinstance(self.cell, Layer):
            if call_arguments(type(self.cell))[0]:
                kwargs["training"] = training
            output, new_states = self.cell(step_input, states, **kwargs)
        else:
            output, new_states = self.cell.call(step_input, states)
        if not nest.is_nested(new_states):
            new_states = [new_states]
        return output, list(new_states)

    def _masked_output(self, output, states):
        """What a masked step emits: zeros, or the previous output (Keras takes
        the first state; for stacked cells, the last cell's first state)."""
        if self.zero_output_for_mask:
            return ops.zeros_like(output)
        previous = states[0]
        return states[-1][0] if nest.is_nested(previous) else previous

    # ----- argument checks -----
    def _standardize_mask(self, mask, sequences):
        """A boolean ``(N, T)`` tensor, or None; a clear error for a wrong shape."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if mask is None:
            return None
        mask = mask if isinstance(mask, Tensor) else Tensor(backend.convert_to_tensor(mask))
        expected = tuple(sequences.shape[:2])
        shape = tuple(mask.shape)
        if shape != expected and shape != expected + (1,):
            raise ValueError(
                f"RNN layer '{self.name}': the mask must have shape (batch, timesteps) = "
                f"{expected} for inputs of shape {tuple(sequences.shape)}; received a mask of "
                f"shape {shape}."
            )
        mask = ops.reshape(mask, expected)
        return mask if mask.dtype == "bool" else ops.cast(mask, "bool")

    def _standardize_initial_state(self, initial_state, sequences):
        """A list of tensors of the compute dtype, each checked against ``state_size``."""
        if not nest.is_nested(initial_state):
            initial_state = [initial_state]
        initial_state = nest.map_structure(self._as_state_tensor, list(initial_state))
        flat_states = nest.flatten(initial_state)
        flat_sizes = nest.flatten(self.state_size)
        batch = sequences.shape[0]
        received = [tuple(state.shape) for state in flat_states]
        expected = [(batch, size) for size in flat_sizes]
        if received != expected:
            raise ValueError(
                f"RNN layer '{self.name}': the initial state must be {len(expected)} tensor(s) "
                f"of shapes {expected} (batch, state_size) for inputs of shape "
                f"{tuple(sequences.shape)}; received {len(received)} of shapes {received}."
            )
        return initial_state

    def _as_state_tensor(self, state):
        dtype = self.compute_dtype
        if isinstance(state, Tensor):
            return state if state.dtype == dtype else ops.cast(state, dtype)
        return Tensor(backend.convert_to_tensor(state, dtype=dtype))

    # ----- shapes, masks, config -----
    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, length = sequences_shape[0], sequences_shape[1]
        output_size = getattr(self.cell, "output_size", None)
        if output_size is None:
            output_size = nest.flatten(self.state_size)[0]
        if self.return_sequences:
            output_shape = (batch, length, output_size)
        else:
            output_shape = (batch, output_size)
        if not self.return_state:
            return output_shape
        states = [[(batch, size) for size in item] if isinstance(item, (list, tuple))
                  else (batch, item) for item in self.state_size]
        return [output_shape] + states

    def compute_mask(self, inputs, previous_mask=None):
        """The input mask on the output sequence; nothing on a last output or a state."""
        mask = nest.flatten(previous_mask)[0] if previous_mask is not None else None
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self.state_size)
        return output_mask

    def get_config(self):
        from minikeras.saving import serialize_keras_object
        config = {
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "cell": serialize_keras_object(self.cell),
        }
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from minikeras.saving import deserialize_keras_object
        config = dict(config)
        cell = deserialize_keras_object(config.pop("cell"), custom_objects=custom_objects)
        return cls(cell, **config)


def _keep_where(keep, new_states, old_states):
    """Each new state where ``keep (N,)`` is True, the old one elsewhere (nested lists).

    ``keep`` becomes ``(N, 1)`` for ``(N, units)`` states and ``(N, 1, 1, 1)``
    for the ``(N, H, W, F)`` states of a ConvLSTM2D, so that it broadcasts.
    """
    if nest.is_nested(new_states):
        return [_keep_where(keep, new, old) for new, old in zip(new_states, old_states)]
    keep = ops.reshape(keep, (-1,) + (1,) * (new_states.ndim - 1))
    return ops.where(keep, new_states, old_states)


def reset_dropout_masks(cell):
    """Forgets the dropout masks a cell drew for this batch (also inside stacked cells)."""
    if isinstance(cell, DropoutRNNCell):
        cell.reset_dropout_mask()
        cell.reset_recurrent_dropout_mask()
    for inner in getattr(cell, "cells", []) if isinstance(cell, StackedRNNCells) else []:
        reset_dropout_masks(inner)
