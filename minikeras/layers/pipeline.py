"""``Pipeline``: preprocessing layers applied one after the other, outside a model.

Place in the stack: a container layer over ``layer.py``. Unlike
``Sequential`` it is not a model (no ``fit``): it is one layer that chains
others, typically data preparation in a ``tf.data`` map or in front of a
model (``Pipeline([Rescaling(1 / 255), CenterCrop(24, 24)])``). The
training flag and the mask are passed on to each layer that takes them.
Its config holds the serialized layers. Read next: ``index_lookup.py``.
"""

from minikeras.layers import layer_utils
from minikeras.layers.layer import Layer


class Pipeline(Layer):
    """Applies ``layers`` in order.

    Args:
        layers: a list of layers.
        name: optional name.
    """

    def __init__(self, layers, name=None):
        super().__init__(name=name)
        self._pipeline_layers = list(layers)

    @property
    def layers(self):
        return self._pipeline_layers

    def call(self, inputs, training=True, mask=None):
        for layer in self._pipeline_layers:
            has_training, has_mask, _ = layer_utils.call_arguments(type(layer))
            kwargs = {}
            if has_mask and mask is not None:
                kwargs["mask"] = mask
            if has_training and training is not None:
                kwargs["training"] = training
            inputs = layer(inputs, **kwargs)
            mask = getattr(inputs, "_keras_mask", None)
        return inputs

    def get_config(self):
        from minikeras.saving import serialization_lib  # saving sits above layers
        return {"layers": [serialization_lib.serialize_keras_object(layer) for layer in self._pipeline_layers],
                "name": self.name}

    @classmethod
    def from_config(cls, config):
        from minikeras.saving import serialization_lib
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError("`Pipeline` config must contain a `layers` key mapping to a list of serialized "
                             f"layers. Received config with layers={layers}.")
        return cls([serialization_lib.deserialize_keras_object(layer) for layer in layers],
                   name=config.get("name"))
