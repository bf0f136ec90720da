"""``Embedding``: integer ids to learned vectors, and the masks that mark padding.

Place in the stack: a concrete layer over ``layer.py`` and ``ops.take``.
An embedding is a lookup table ``(input_dim, output_dim)``: id ``i`` becomes
row ``i``. It is exactly a Dense layer applied to a one-hot vector, without
building the one-hot vector. The gradient of a lookup adds each upstream
gradient into the row it came from (rows not looked up get zero), which is
the backward pass of ``take``. Read next: ``merging.py``.

With ``mask_zero=True``, id 0 means "padding": the layer attaches a boolean
mask ``(N, T)`` to its output (``output._keras_mask``), and mask-aware layers
downstream (``GlobalAveragePooling1D``...) ignore the padded steps.
"""

import warnings

from minikeras import constraints
from minikeras import initializers
from minikeras import ops
from minikeras import regularizers
from minikeras.layers.core import check_no_quantization
from minikeras.layers.layer import Layer


class Embedding(Layer):
    """Maps each integer id in ``[0, input_dim)`` to a vector of ``output_dim`` floats.

    Args:
        input_dim: the vocabulary size (largest id + 1).
        output_dim: the size of each vector.
        embeddings_initializer: how the table starts (``"uniform"``:
            RandomUniform(-0.05, 0.05), as in Keras).
        embeddings_regularizer, embeddings_constraint: optional.
        mask_zero: whether id 0 is padding (then ids run up to ``input_dim - 1``
            for real tokens, and 0 is reserved).
        weights: optional list ``[table]`` to start from.
        **kwargs: ``Layer`` arguments.

    Shapes:
        ``(N, T)`` integer ids -> ``(N, T, output_dim)``; any input shape works,
        one axis is appended.
    """

    _numeric_inputs_only = True  # strings are refused with a clear error (layer.py)

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, lora_alpha=None, quantization_config=None,
                 **kwargs):
        if kwargs.pop("input_length", None) is not None:
            warnings.warn("Argument `input_length` is deprecated. Just remove it.", stacklevel=2)
        super().__init__(**kwargs)
        check_no_quantization(quantization_config, "Embedding")
        for argument, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Embedding: `{argument}` must be a positive integer. "
                                 f"Received: {argument}={value}")
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        if weights is not None:
            self.build()
            self.set_weights(weights)

    def build(self, input_shape=None):
        if self.built:
            return
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                          name="embeddings",
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        self.built = True

    def call(self, inputs):
        if inputs.dtype not in ("int32", "int64"):
            inputs = ops.cast(inputs, "int32")  # float ids from NumPy -> integer ids
        self._check_ids(inputs)
        return ops.take(self.embeddings, inputs, axis=0)  # (N, T) -> (N, T, output_dim)

    def _check_ids(self, inputs):
        """Out-of-range ids would index another row or fail obscurely: name them."""
        if inputs.size == 0:
            return
        low, high = int(ops.min(inputs)), int(ops.max(inputs))
        if low < 0 or high >= self.input_dim:
            raise ValueError(f"Embedding '{self.name}': input ids must be in [0, {self.input_dim}) "
                             f"(input_dim={self.input_dim}). Received ids from {low} to {high}.")

    def compute_mask(self, inputs, previous_mask=None):
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)  # (N, T) booleans, False on padding

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)  # re-added in Keras's position below
        return {
            **config,
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "quantization_config": None,
        }
