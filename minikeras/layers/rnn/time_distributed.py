"""``TimeDistributed``: the same layer applied to every time step.

Place in the stack: a wrapper over any layer. ``TimeDistributed(Dense(8))``
on ``(N, T, D)`` applies one ``Dense`` (one set of weights) to each of the
``T`` slices ``(N, D)`` and stacks the results into ``(N, T, 8)``. As in
Keras, the wrapped layer's ``call`` runs once per step, so a layer whose
result depends on the whole batch (``BatchNormalization``) sees one step's
batch at a time. Read next: ``minikeras/layers/masking.py``.
"""

from minikeras import ops
from minikeras.layers.layer import Layer
from minikeras.layers.layer_utils import call_arguments
from minikeras.layers.rnn.stacked_rnn_cells import build_sublayer


class TimeDistributed(Layer):
    """Applies ``layer`` to every temporal slice of the input.

    Args:
        layer: a ``Layer`` instance.
        **kwargs: ``Layer`` arguments.

    Shapes:
        ``(N, T, ...)`` -> ``(N, T, ...layer's output without its batch axis)``.
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `TimeDistributed` layer with a "
                             f"`keras.layers.Layer` instance. Received: {layer}")
        super().__init__(**kwargs)
        self.layer = layer
        self.supports_masking = True

    def _child_input_shape(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape` with at "
                             f"least 3 dimensions, received: {input_shape}")
        return (input_shape[0], *input_shape[2:])  # (N, T, ...) -> (N, ...)

    def build(self, input_shape):
        build_sublayer(self, self.layer, self._child_input_shape(input_shape))
        self.built = True

    def compute_output_shape(self, input_shape):
        child = self.layer.compute_output_shape(self._child_input_shape(input_shape))
        return (child[0], input_shape[1], *child[1:])

    def call(self, inputs, training=None, mask=None):
        self._check_mask(inputs, mask)
        has_training, has_mask, _ = call_arguments(type(self.layer))
        outputs = []
        for t in range(inputs.shape[1]):
            kwargs = {}
            if has_mask and mask is not None:
                kwargs["mask"] = mask[:, t]
            if has_training:
                kwargs["training"] = training
            outputs.append(self.layer.call(inputs[:, t], **kwargs))
        return ops.stack(outputs, axis=1)  # T x (N, ...) -> (N, T, ...)

    def _check_mask(self, inputs, mask):
        if mask is None:
            return
        if len(mask.shape) < 2 or tuple(mask.shape[:2]) != tuple(inputs.shape[:2]):
            raise ValueError(
                f"The `mask` passed to the `TimeDistributed` layer '{self.name}' has a shape "
                f"{tuple(mask.shape)} that is incompatible with the input shape "
                f"{tuple(inputs.shape)}. The first two dimensions of the mask (batch size and "
                f"timesteps) must match the input's first two dimensions: "
                f"({inputs.shape[0]}, {inputs.shape[1]})."
            )

    def get_config(self):
        from minikeras.saving import serialize_keras_object
        return {**super().get_config(), "layer": serialize_keras_object(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from minikeras.saving import deserialize_keras_object
        config = dict(config)
        layer = deserialize_keras_object(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)
