"""``Wrapper`` and ``SpectralNormalization``: a layer that holds another layer and changes it.

Place in the stack: over ``layer.py``. ``Wrapper`` owns the wrapped layer,
builds it, and saves it inside its own config (``{"layer": {...}}``), as
Keras's wrappers do. ``SpectralNormalization`` is the first user here:

Spectral normalisation (Miyato et al., 2018) divides a kernel ``W`` by its
largest singular value ``sigma``, so the layer can stretch no input by more
than a factor 1 (it is 1-Lipschitz), which steadies GAN discriminators.
``sigma`` is estimated by power iteration, one step per training call,
carried over in the non-trainable ``vector_u`` (shape ``(1, units)``):

    v = normalize(u W^T),  u = normalize(v W),  sigma = v W u^T

with ``W`` reshaped to ``(-1, units)``. As in Keras, each training call
*assigns* ``W / sigma`` to the wrapped layer's kernel (so the gradient step
that follows acts on the normalised kernel); inference uses the kernel as
it is. Read next: ``rnn/time_distributed.py``, another wrapper.
"""

from minikeras import backend
from minikeras import initializers
from minikeras import ops
from minikeras.backend import context
from minikeras.layers.input_spec import InputSpec
from minikeras.layers.layer import Layer


class Wrapper(Layer):
    """Base class of layers that wrap another layer (not a layer to use by itself).

    Args:
        layer: the ``Layer`` to wrap.
        **kwargs: ``Layer`` arguments (``name``...).
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Layer {layer} supplied to Wrapper isn't a supported layer type. Please ensure "
                             "wrapped layer is a valid Keras layer.")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True

    def get_config(self):
        from minikeras.saving import serialize_keras_object
        return {**super().get_config(), "layer": serialize_keras_object(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from minikeras.saving import deserialize_keras_object
        config = dict(config)
        layer = deserialize_keras_object(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)


def _unit(x):
    """``x`` scaled to length 1 over all entries; a zero array stays zero (Keras's ``x * min(1/|x|, 1/eps)``)."""
    return x * ops.rsqrt(ops.maximum(ops.sum(ops.square(x)), backend.epsilon() ** 2))


class SpectralNormalization(Wrapper):
    """Divides the wrapped layer's kernel by its largest singular value while training.

    Args:
        layer: a layer with a ``kernel`` (``Dense``, ``Conv2D``...) or
            ``embeddings`` (``Embedding``).
        power_iterations: power-iteration steps per training call (1).
        **kwargs: ``Layer`` arguments.

    Input and output: those of the wrapped layer; the output takes the input's dtype.
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(layer, **kwargs)
        if power_iterations <= 0:
            raise ValueError("`power_iterations` should be greater than zero. Received: "
                             f"`power_iterations={power_iterations}`")
        self.power_iterations = power_iterations

    def build(self, input_shape):
        super().build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        if hasattr(self.layer, "kernel"):
            self.kernel = self.layer.kernel
        elif hasattr(self.layer, "embeddings"):
            self.kernel = self.layer.embeddings
        else:
            raise ValueError(f"{type(self.layer).__name__} object has no attribute 'kernel' nor 'embeddings'")
        self.kernel_shape = tuple(self.kernel.shape)
        self.vector_u = self.add_weight(shape=(1, self.kernel_shape[-1]),
                                        initializer=initializers.TruncatedNormal(stddev=0.02), trainable=False,
                                        name="vector_u", dtype=self.kernel.dtype)

    def call(self, inputs, training=False):
        if training and bool(ops.any(ops.not_equal(self.kernel, 0))):
            with context.no_grad():  # an assignment, as in Keras: no gradient flows through sigma
                vector_u, kernel = self.normalized_weights()
            self.vector_u.assign(vector_u)
            self.kernel.assign(kernel)
        output = self.layer(inputs)
        return ops.cast(output, inputs.dtype)

    def normalized_weights(self):
        """One round of power iteration: the new ``vector_u`` (1, units) and ``kernel / sigma``."""
        weights = ops.reshape(self.kernel, (-1, self.kernel_shape[-1]))  # (..., units) -> (K, units)
        vector_u = ops.convert_to_tensor(self.vector_u)
        for _ in range(self.power_iterations):
            vector_v = _unit(ops.matmul(vector_u, ops.transpose(weights)))  # (1, K)
            vector_u = _unit(ops.matmul(vector_v, weights))  # (1, units)
        sigma = ops.matmul(ops.matmul(vector_v, weights), ops.transpose(vector_u))  # (1, 1)
        kernel = ops.reshape(ops.divide(self.kernel, sigma), self.kernel_shape)
        return vector_u, kernel

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations}
