"""``Sequential``: a plain stack of layers, each feeding the next.

Place in the stack: a ``Model`` (``model.py``) whose layers form a chain.
``keras.Sequential([Input(shape=(28, 28, 1)), Conv2D(...), ..., Dense(10)])``
runs its layers in order. As soon as the input shape is known -- from an
``Input`` first, from a legacy ``input_shape=`` keyword of the first layer, or
from the first call -- the model builds itself by calling its layers on a
symbolic input: every layer gets its weights and its output shape (shown by
``summary()``), exactly as a functional model. Read next: ``summary.py``.
"""

from minikeras.layers.fusion import conv_then_max_pool
from minikeras.layers.input_layer import InputLayer
from minikeras.layers.keras_tensor import KerasTensor
from minikeras.layers.keras_tensor import standardize_keras_dtype
from minikeras.layers.layer import Layer
from minikeras.models.model import Model


class Sequential(Model):
    """A model made of a list of single-input, single-output layers.

    Args:
        layers: optional list of layers (a ``keras.Input`` tensor may come first).
        trainable: whether the weights are trained.
        name: default ``sequential``, ``sequential_1``...
    """

    def __init__(self, layers=None, trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        self._layers = []
        self._input_dtype = None
        for layer in layers or []:
            self.add(layer, rebuild=False)
        if self._layers:
            self._maybe_rebuild()

    @property
    def layers(self):
        """The layers, without the InputLayer."""
        return [layer for layer in self._layers if not isinstance(layer, InputLayer)]

    def add(self, layer, rebuild=True):
        """Appends a layer (or a ``keras.Input`` tensor, as the first element)."""
        # 1. A legacy `input_shape=` on the first layer becomes an InputLayer.
        if not self._layers and getattr(layer, "_input_shape_arg", None) is not None:
            self.add(InputLayer(shape=layer._input_shape_arg,
                                batch_size=getattr(layer, "_batch_size_arg", None)), rebuild=False)
        # 2. keras.Input(...) returns a KerasTensor: keep its InputLayer.
        if isinstance(layer, KerasTensor) and isinstance(layer._keras_history[0], InputLayer):
            layer = layer._keras_history[0]
        self._check_addable(layer)
        self._layers.append(layer)
        self._graph = None
        self.built = False
        if rebuild:
            self._maybe_rebuild()

    def _check_addable(self, layer):
        if not isinstance(layer, Layer):
            raise ValueError("Only instances of `keras.Layer` can be added to a Sequential model. "
                             f"Received: {layer} (of type {type(layer)})")
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(
                "All layers added to a Sequential model should have unique names. Name "
                f"'{layer.name}' is already the name of a layer in this model. Update the `name` "
                "argument to pass a unique name."
            )
        if isinstance(layer, InputLayer) and self._layers and isinstance(self._layers[0], InputLayer):
            raise ValueError(
                f"Sequential model '{self.name}' has already been configured to use input shape "
                f"{self._layers[0].batch_shape}. You cannot add a different Input layer to it."
            )

    def pop(self, rebuild=True):
        """Removes and returns the last layer."""
        if not self.layers:
            raise ValueError(f"Sequential model '{self.name}' has no layers to pop.")
        layer = self._layers.pop()
        self._graph = None
        self.built = False
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _maybe_rebuild(self):
        """Builds now if the input shape is known (an InputLayer comes first)."""
        if isinstance(self._layers[0], InputLayer) and len(self._layers) > 1:
            self.build(self._layers[0].batch_shape)

    def _maybe_build(self, first_input):
        # The first call also tells the input's dtype (strings for text models).
        if not self.built and first_input is not None and hasattr(first_input, "dtype"):
            self._input_dtype = standardize_keras_dtype(first_input.dtype)
        super()._maybe_build(first_input)

    def build(self, input_shape=None):
        """Builds every layer by calling it on a symbolic input of ``input_shape``.

        Args:
            input_shape: the full input shape, batch axis first (``(None, 784)``).
        """
        if not self._layers:
            raise ValueError(f"Sequential model {self.name} cannot be built because it has no "
                             "layers. Call `model.add(layer)`.")
        if input_shape is None:
            return
        input_shape = tuple(input_shape)
        if isinstance(self._layers[0], InputLayer):
            if tuple(self._layers[0].batch_shape) != input_shape:
                raise ValueError(
                    f"Sequential model '{self.name}' has already been configured to use input "
                    f"shape {self._layers[0].batch_shape}. You cannot build it with input_shape "
                    f"{input_shape}"
                )
        else:
            dtype = self._input_dtype or self.layers[0].compute_dtype
            self._layers.insert(0, InputLayer(batch_shape=input_shape, dtype=dtype))
        # Symbolic pass: builds the layers and records their output shapes.
        inputs = self._layers[0].output
        outputs = inputs
        for layer in self._layers[1:]:
            outputs = layer(outputs)
        self._init_graph(inputs, outputs)
        self._build_input_shape = input_shape

    def call(self, inputs, training=None, mask=None):
        """Runs the layers in order. The training flag and masks reach each
        layer through ``Layer.__call__`` (call context and ``_keras_mask``).

        A Conv2D followed by ``MaxPooling2D(2)`` may run as one op, with the
        same numbers and gradients (``layers/fusion.py``)."""
        outputs = inputs
        layers = self.layers
        index = 0
        while index < len(layers):
            if index + 1 < len(layers):
                fused = conv_then_max_pool(layers[index], layers[index + 1], outputs)
                if fused is not None:
                    outputs, index = fused, index + 2
                    continue
            outputs = layers[index](outputs)
            index += 1
        return outputs

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
        return shape

    @property
    def input_shape(self):
        """The full input shape once known (``(None, 28, 28, 1)``)."""
        if self._layers and isinstance(self._layers[0], InputLayer):
            return self._layers[0].batch_shape
        raise AttributeError(f"Sequential model '{self.name}' has no defined input shape yet.")

    # ----- configuration (the serialization itself is minikeras.saving's) -----
    def get_config(self):
        from minikeras.saving import serialize_keras_object
        config = Layer.get_config(self)
        config["layers"] = [serialize_keras_object(layer) for layer in self._layers]
        if self._graph is not None:
            config["build_input_shape"] = self._layers[0].batch_shape
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from minikeras.saving import deserialize_keras_object
        config = dict(config)
        layer_configs = config.pop("layers")
        build_input_shape = config.pop("build_input_shape", None)
        model = cls(**config)
        for layer_config in layer_configs:
            model.add(deserialize_keras_object(layer_config, custom_objects=custom_objects),
                      rebuild=False)
        if model._layers:
            model._maybe_rebuild()
        if not model.built and build_input_shape:
            model.build(build_input_shape)
        return model
