"""``Bidirectional``: one recurrent layer reads the sequence forwards, a copy reads it backwards.

Place in the stack: a wrapper over any layer of ``rnn.py`` (``LSTM``,
``GRU``, ``RNN(cell)``...). At step ``t`` a forward RNN has seen ``x_1..x_t``
only; a backward one (``go_backwards=True``) has seen ``x_t..x_T``. The
wrapper runs both and merges them, so each output sees the whole sequence:

* ``merge_mode="concat"`` (default): ``(N, ..., 2*units)``;
  ``"sum"``, ``"mul"``, ``"ave"``: ``(N, ..., units)``; ``None``: both, as a list.
* with ``return_sequences``, the backward outputs (made in reading order,
  last step first) are flipped back so that step ``t`` of both halves
  describes the same ``x_t``.
* with ``return_state``: ``[output, forward states..., backward states...]``.

As in Keras, the wrapped layer is not used itself: its config makes a fresh
``forward_<name>`` and a ``backward_<name>`` (``go_backwards`` flipped), or
the ``backward_layer`` you pass. Their weights are saved forward first.
Read next: ``time_distributed.py``.
"""

import copy

from minikeras import ops
from minikeras.layers.layer import Layer
from minikeras.layers.layer_utils import call_arguments
from minikeras.layers.rnn.stacked_rnn_cells import build_sublayer

MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _copy_with(layer, **changes):
    """A fresh layer from ``layer``'s config, with some config entries changed (built if
    ``layer`` was, as Keras's copy is)."""
    from minikeras.saving import deserialize_keras_object
    from minikeras.saving import serialize_keras_object
    config = copy.deepcopy(serialize_keras_object(layer))
    config["config"].update(changes)
    return deserialize_keras_object(config)


def _strip(name, prefix):
    return name[len(prefix):] if name.startswith(prefix) else name


class Bidirectional(Layer):
    """Bidirectional wrapper for RNNs.

    Args:
        layer: a recurrent layer (``LSTM``, ``GRU``, ``RNN``...), the forward direction.
        merge_mode: ``"concat"`` (default), ``"sum"``, ``"mul"``, ``"ave"`` or None.
        weights: optional initial weights, forward half then backward half.
        backward_layer: optional layer for the backward direction (with
            ``go_backwards`` opposite to ``layer``'s).
        **kwargs: ``Layer`` arguments.

    Shapes:
        ``(N, T, D)`` -> ``(N, 2*units)`` (concat), ``(N, T, 2*units)`` with
        ``return_sequences``.
    """

    _numeric_inputs_only = True  # strings are refused with a clear error (layer.py)

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `Bidirectional` layer with a "
                             f"`keras.layers.Layer` instance. Received: {layer}")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError("`backward_layer` need to be a `keras.layers.Layer` instance. "
                             f"Received: {backward_layer}")
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should be "
                             'one of {"sum", "mul", "ave", "concat", None}')
        super().__init__(**kwargs)
        self.forward_layer = _copy_with(layer, name=f"forward_{_strip(layer.name, 'forward_')}")
        if backward_layer is None:
            backward_layer = _copy_with(layer, go_backwards=not layer.go_backwards,
                                        name=f"backward_{_strip(layer.name, 'backward_')}")
        self.backward_layer = backward_layer
        if hasattr(layer, "use_cudnn"):
            self.forward_layer.use_cudnn = layer.use_cudnn
            self.backward_layer.use_cudnn = layer.use_cudnn
        self._check_directions()
        for direction in (self.forward_layer, self.backward_layer):
            # Padded steps must give zeros in a returned sequence: the two
            # halves are aligned step by step.
            if hasattr(direction, "zero_output_for_mask"):
                direction.zero_output_for_mask = direction.return_sequences
        self.merge_mode = merge_mode
        self._initial_weights = weights
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = layer.input_spec

    def _check_directions(self):
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError("Forward layer and backward layer should have different "
                             f"`go_backwards` value. Received: forward_layer.go_backwards "
                             f"{forward.go_backwards}, backward_layer.go_backwards="
                             f"{backward.go_backwards}")
        for attribute in ("stateful", "return_sequences", "return_state"):
            one, two = getattr(forward, attribute), getattr(backward, attribute)
            if one != two:
                raise ValueError("Forward layer and backward layer are expected to have the same "
                                 f'value for attribute "{attribute}", got "{one}" for forward '
                                 f'layer and "{two}" for backward layer')

    def build(self, sequences_shape, initial_state_shape=None):
        build_sublayer(self, self.forward_layer, sequences_shape)
        build_sublayer(self, self.backward_layer, sequences_shape)
        if self._initial_weights is not None:
            half = len(self._initial_weights) // 2
            self.forward_layer.set_weights(self._initial_weights[:half])
            self.backward_layer.set_weights(self._initial_weights[half:])
            self._initial_weights = None
        self.built = True

    def call(self, sequences, initial_state=None, mask=None, training=None):
        kwargs = {}
        has_training, has_mask, _ = call_arguments(type(self.forward_layer))
        if has_training and training is not None:
            kwargs["training"] = training
        if has_mask:
            kwargs["mask"] = mask
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2  # forward states first, then backward
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(sequences, initial_state=forward_state, **kwargs)
        y_reversed = self.backward_layer(sequences, initial_state=backward_state, **kwargs)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_reversed[1:])
            y, y_reversed = y[0], y_reversed[0]
        if self.return_sequences:
            y_reversed = ops.flip(y_reversed, axis=1)  # back to the forward time order
        output = self._merge(y, y_reversed)
        if self.return_state:
            return (output if self.merge_mode is None else [output]) + states
        return output

    def _merge(self, y, y_reversed):
        if self.merge_mode == "concat":
            return ops.concatenate([y, y_reversed], axis=-1)  # (..., U) x 2 -> (..., 2U)
        if self.merge_mode == "sum":
            return y + y_reversed
        if self.merge_mode == "ave":
            return (y + y_reversed) / 2
        if self.merge_mode == "mul":
            return y * y_reversed
        return [y, y_reversed]

    def reset_state(self):
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    def reset_states(self):
        self.reset_state()

    @property
    def states(self):
        if self.forward_layer.states and self.backward_layer.states:
            return tuple(self.forward_layer.states + self.backward_layer.states)
        return None

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        output_shape = self.forward_layer.compute_output_shape(sequences_shape)
        state_shapes = []
        if self.return_state:
            output_shape, state_shapes = output_shape[0], list(output_shape[1:])
        if self.merge_mode == "concat":
            output_shape = tuple(output_shape[:-1]) + (output_shape[-1] * 2,)
        outputs = [output_shape, output_shape] if self.merge_mode is None else [output_shape]
        if self.return_state:
            return outputs + state_shapes + state_shapes
        return outputs if self.merge_mode is None else tuple(output_shape)

    def compute_mask(self, inputs, previous_mask=None):
        mask = previous_mask[0] if isinstance(previous_mask, list) else previous_mask
        if self.return_sequences:
            output_mask = [mask, mask] if not self.merge_mode else mask
        else:
            output_mask = [None, None] if not self.merge_mode else None
        if self.return_state:
            states = len(self.forward_layer.state_size) * 2
            heads = output_mask if isinstance(output_mask, list) else [output_mask]
            return heads + [None] * states
        return output_mask

    def get_config(self):
        from minikeras.saving import serialize_keras_object
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": serialize_keras_object(self.forward_layer),
                "backward_layer": serialize_keras_object(self.backward_layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from minikeras.saving import deserialize_keras_object
        config = copy.deepcopy(config)
        config["layer"] = deserialize_keras_object(config["layer"], custom_objects=custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = deserialize_keras_object(backward, custom_objects=custom_objects)
        return cls(**config)
