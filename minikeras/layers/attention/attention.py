"""``Attention`` (Luong, dot product) and ``AdditiveAttention`` (Bahdanau).

Place in the stack: layers over ``ops``, without projections (compare
``multi_head_attention.py``, which learns four). Both take
``[query, value]`` or ``[query, value, key]``: query (B, T, dim), value
(B, S, dim), key (B, S, dim) (default: value). They differ only in the score
of query t against key s:

* ``Attention``:           q_t . k_s (times a learned ``scale`` if
  ``use_scale``), or with ``score_mode="concat"``
  sum(tanh(q_t + k_s)) (times ``concat_score_weight``);
* ``AdditiveAttention``:   sum(scale * tanh(q_t + k_s)), ``scale`` a learned (dim,)
  vector.

Then the same three steps: softmax over the keys (masked keys get -1e9
first), optional dropout of the weights, weights . value. A masked query's
output row is set to 0. Read next: ``minikeras/layers/normalization_per_sample.py``.
"""

from minikeras import ops
from minikeras import random
from minikeras.layers.layer import Layer


class Attention(Layer):
    """Dot-product attention of ``query`` over ``value``: (B, T, dim), (B, S, dim) -> (B, T, dim).

    Args:
        use_scale: learn a scalar that multiplies the scores.
        score_mode: ``"dot"`` (q . k) or ``"concat"`` (sum(tanh(q + k))).
        dropout: rate of dropout on the attention weights (training only).
        seed: seed of that dropout.

    Call arguments:
        inputs: ``[query, value]`` or ``[query, value, key]``.
        mask: optional ``[query_mask (B, T), value_mask (B, S)]``.
        training, return_attention_scores (also return the (B, T, S) weights),
        use_causal_mask.
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.use_scale, self.score_mode, self.dropout, self.seed = use_scale, score_mode, dropout, seed
        if self.dropout > 0:
            self.seed_generator = random.SeedGenerator(seed)
        if score_mode not in ("dot", "concat"):
            raise ValueError("Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. "
                             f"Received: score_mode={score_mode}")
        self.supports_masking = True

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        self.scale = self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(), initializer="ones")
        self.built = True

    def _calculate_scores(self, query, key):
        """(B, T, dim), (B, S, dim) -> (B, T, S) scores."""
        if self.score_mode == "dot":
            scores = ops.matmul(query, ops.swapaxes(key, -2, -1))
            return scores if self.scale is None else ops.multiply(scores, self.scale)
        # (B, T, 1, dim) + (B, 1, S, dim) -> (B, T, S, dim), summed over dim
        pairs = ops.add(ops.expand_dims(query, -2), ops.expand_dims(key, -3))
        if self.scale is not None:
            pairs = ops.multiply(self.scale, pairs)
        return ops.multiply(self.concat_score_weight, ops.sum(ops.tanh(pairs), axis=-1))

    def _apply_scores(self, scores, value, scores_mask=None, training=False):
        """Masked softmax over S, dropout, then weights . value: (B, T, S), (B, S, dim) -> (B, T, dim)."""
        if scores_mask is not None:
            padding = ops.logical_not(scores_mask)
            if padding.ndim == 2:
                padding = ops.expand_dims(padding, -2)  # (B, S) -> (B, 1, S)
            scores = ops.where(padding, ops.subtract(scores, 1e9), scores)
        weights = ops.softmax(scores, axis=-1)
        if training and self.dropout > 0:
            weights = random.dropout(weights, self.dropout, seed=self.seed_generator)
        return ops.matmul(weights, value), weights

    def _score_mask(self, scores, value_mask, use_causal_mask):
        """The keys each query may see: the value mask, ANDed with the causal one."""
        if not use_causal_mask:
            return value_mask
        rows = ops.reshape(ops.arange(scores.shape[-2], dtype="int32"), (1, -1, 1))
        columns = ops.reshape(ops.arange(scores.shape[-1], dtype="int32"), (1, 1, -1))
        causal = ops.greater_equal(rows, columns)  # (1, T, S)
        if value_mask is None:
            return causal
        return ops.logical_and(ops.expand_dims(value_mask, -2), causal)

    def call(self, inputs, mask=None, training=False, return_attention_scores=False, use_causal_mask=False):
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = mask[0] if mask else None
        value_mask = mask[1] if mask else None
        self._check_masks(query, value, query_mask, value_mask)
        scores = self._calculate_scores(query, key)
        scores_mask = self._score_mask(scores, value_mask, use_causal_mask)
        output, weights = self._apply_scores(scores, value, scores_mask, training)
        if query_mask is not None:
            output = ops.where(ops.expand_dims(query_mask, -1), output, 0.0)  # a padded query outputs 0
        return (output, weights) if return_attention_scores else output

    def compute_mask(self, inputs, mask=None):
        self._validate_inputs(inputs, mask)
        if mask is None or mask[0] is None:
            return None
        return ops.convert_to_tensor(mask[0])

    def _after_call(self, first_input, outputs, previous_mask):
        """The output's mask is the query's (``compute_mask``), also with the weights returned."""
        first_output = outputs[0] if isinstance(outputs, tuple) else outputs
        super()._after_call(first_input, first_output, previous_mask)

    def compute_output_shape(self, input_shape):
        return (*input_shape[0][:-1], input_shape[1][-1])

    def compute_output_spec(self, inputs, mask=None, return_attention_scores=False, training=None,
                            use_causal_mask=False):
        from minikeras.layers.keras_tensor import KerasTensor
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        output = KerasTensor(self.compute_output_shape([query.shape, value.shape]), dtype=self.compute_dtype)
        if return_attention_scores:
            return output, KerasTensor((*query.shape[:-1], key.shape[-2]), dtype=self.compute_dtype)
        return output

    def _validate_inputs(self, inputs, mask=None):
        name = type(self).__name__
        if not isinstance(inputs, list):
            raise ValueError(f"{name} layer must be called on a list of inputs, namely [query, value] or "
                             f"[query, value, key]. Received: inputs={inputs}.")
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError(f"{name} layer accepts inputs list of length 2 or 3, namely [query, value] or "
                             f"[query, value, key]. Received length: {len(inputs)}.")
        if mask is not None:
            if not isinstance(mask, list):
                raise ValueError(f"{name} layer mask must be a list, namely [query_mask, value_mask]. "
                                 f"Received: mask={mask}.")
            if len(mask) < 2 or len(mask) > 3:
                raise ValueError(f"{name} layer accepts mask list of length 2 or 3. "
                                 f"Received: inputs={inputs}, mask={mask}.")

    def _check_masks(self, query, value, query_mask, value_mask):
        """Masks must be the inputs' shapes without the feature axis."""
        for label, mask, tensor in (("query", query_mask, query), ("value", value_mask, value)):
            if mask is not None and tuple(mask.shape) != tuple(tensor.shape[:-1]):
                raise ValueError(f"{type(self).__name__} layer '{self.name}': the {label} mask must have shape "
                                 f"{tuple(tensor.shape[:-1])} ({label}.shape={tuple(tensor.shape)} without its "
                                 f"last axis). Received: mask.shape={tuple(mask.shape)}")

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale, "score_mode": self.score_mode,
                "dropout": self.dropout, "seed": self.seed}


class AdditiveAttention(Attention):
    """Additive (Bahdanau) attention: score(t, s) = sum(scale * tanh(q_t + k_s)).

    Args:
        use_scale: learn the (dim,) ``scale`` vector (glorot-uniform start);
            else it is 1.
        dropout: rate of dropout on the attention weights.
        **kwargs: ``Attention`` / ``Layer`` arguments.
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        self.scale = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(input_shape[0][-1],), initializer="glorot_uniform")
        self.built = True

    def _calculate_scores(self, query, key):
        """(B, T, 1, dim) + (B, 1, S, dim) -> tanh -> times scale -> sum over dim: (B, T, S)."""
        pairs = ops.tanh(ops.add(ops.expand_dims(query, -2), ops.expand_dims(key, -3)))
        if self.scale is not None:
            pairs = ops.multiply(self.scale, pairs)
        return ops.sum(pairs, axis=-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
