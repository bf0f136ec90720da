"""``ReversibleEmbedding``: an embedding that also turns vectors back into token logits.

Place in the stack: a subclass of ``embedding.py``'s ``Embedding`` (read that
first), over ``ops.take`` and ``ops.matmul``. A language model starts by
looking up each token id in a table ``E (V, D)`` (V = ``input_dim``, the
vocabulary, D = ``output_dim``) and ends by scoring every token of the
vocabulary against its last hidden vector ``h (D,)``. Reusing the same table
for both ends ("weight tying", Press and Wolf, 2016) saves ``V * D`` weights
and works as well or better:

    forward:  ids (N, T) ints          -> E[ids]                 (N, T, D)
    reverse:  hidden (N, T, D) floats  -> hidden @ E.T           (N, T, V)

``tie_weights=False`` gives the reverse direction a table of its own,
``reverse_embeddings (D, V)``. ``logit_soft_cap=c`` squashes the logits into
``(-c, c)`` with ``c * tanh(logits / c)`` (Gemma does this) so that no logit
grows without bound; near 0 it changes nothing, since ``tanh(x) ~ x``.
``reverse_dtype`` computes the reverse product in another dtype (for
example float32 logits from a float16 model). Read next: ``merging.py``.
"""

from minikeras import ops
from minikeras.layers import layer_symbolic
from minikeras.layers import layer_utils
from minikeras.layers.embedding import Embedding


class ReversibleEmbedding(Embedding):
    """An ``Embedding`` that can also be called with ``reverse=True`` to project back to ``input_dim``.

    Args:
        input_dim: the vocabulary size V (largest id + 1).
        output_dim: the size D of each vector.
        tie_weights: whether the reverse projection uses the transposed
            ``embeddings`` (True, default) or its own weight
            ``reverse_embeddings (D, V)``.
        embeddings_initializer, embeddings_regularizer, embeddings_constraint,
        mask_zero: as in ``Embedding``.
        reverse_dtype: dtype of the reverse product (default: the compute dtype).
        logit_soft_cap: optional float ``c``: reverse logits become ``c * tanh(logits / c)``.
        **kwargs: ``Layer`` arguments.

    Call arguments:
        inputs: integer ids ``(...)`` (forward) or vectors ``(..., D)`` (reverse).
        reverse: which direction (default False).

    Shapes:
        forward ``(...) -> (..., D)``; reverse ``(..., D) -> (..., V)``.
    """

    def __init__(self, input_dim, output_dim, tie_weights=True, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 reverse_dtype=None, logit_soft_cap=None, **kwargs):
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer,
                         embeddings_constraint=embeddings_constraint, mask_zero=mask_zero, **kwargs)
        self.tie_weights = tie_weights
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap
        # The mask is attached in `call` (only the forward direction has one), not by Layer.
        self.supports_masking = False

    def build(self, input_shape=None):
        if self.built:
            return
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(shape=(self.output_dim, self.input_dim),
                                                      name="reverse_embeddings",
                                                      initializer=self.embeddings_initializer)
        self.built = True

    def call(self, inputs, reverse=False):
        if not reverse:
            outputs = super().call(inputs)  # (...) ids -> (..., D)
            if self.mask_zero:
                outputs._keras_mask = super().compute_mask(inputs)
            return outputs
        self._check_hidden(inputs)
        kernel = ops.transpose(self.embeddings) if self.tie_weights else self.reverse_embeddings  # (D, V)
        if self.reverse_dtype is not None:
            inputs, kernel = ops.cast(inputs, self.reverse_dtype), ops.cast(kernel, self.reverse_dtype)
        logits = ops.matmul(inputs, kernel)  # (..., D) -> (..., V)
        if self.logit_soft_cap is not None:
            cap = self.logit_soft_cap
            logits = ops.multiply(ops.tanh(ops.divide(logits, cap)), cap)
        return logits

    def _check_hidden(self, inputs):
        """Reverse inputs are vectors of size ``output_dim``: say so, with the shapes."""
        shape = tuple(inputs.shape)
        if len(shape) == 0 or shape[-1] != self.output_dim:
            raise ValueError(
                f"ReversibleEmbedding '{self.name}': with `reverse=True` the inputs are hidden "
                f"vectors (..., output_dim) = (..., {self.output_dim}), projected to "
                f"(..., input_dim) = (..., {self.input_dim}); received inputs of shape {shape}.")

    def compute_mask(self, inputs, previous_mask=None):
        return None  # set in `call`: a reverse call has no mask

    def compute_output_shape(self, input_shape, reverse=False):
        if reverse:
            return tuple(input_shape[:-1]) + (self.input_dim,)
        return tuple(input_shape) + (self.output_dim,)

    def compute_output_spec(self, inputs, reverse=False):
        shape = self.compute_output_shape(layer_utils.shape_of(inputs), reverse=reverse)
        dtype = self.reverse_dtype if reverse and self.reverse_dtype else self.compute_dtype
        return layer_symbolic.specs_from_shapes(shape, dtype)

    def get_config(self):
        return {**super().get_config(), "tie_weights": self.tie_weights,
                "reverse_dtype": self.reverse_dtype, "logit_soft_cap": self.logit_soft_cap}

