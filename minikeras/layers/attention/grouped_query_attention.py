"""``GroupQueryAttention``: multi-head attention whose key and value heads are shared by groups of query heads.

Place in the stack: beside ``multi_head_attention.py`` (read it first), over
``EinsumDense`` and ``ops.dot_product_attention``. Keras 3 exports the class
as ``keras.layers.GroupQueryAttention``; its Python name, and so the folder
of its weights in a ``.keras`` file, is ``GroupedQueryAttention``.

In multi-head attention every one of the N query heads has its own key and
value heads. Here there are only K key/value heads (``num_key_value_heads``,
K dividing N): query heads 0 .. N/K - 1 share key/value head 0, and so on.
The key and value projections, and the keys and values a decoder caches, are
N/K times smaller, for nearly the same quality (Ainslie et al., 2023). K = 1
is multi-query attention; K = N is multi-head attention again.

1. ``query``: (B, T, dim) -> (B, T, N, H); ``key``, ``value``: (B, S, dim) -> (B, S, K, H);
2. each key/value head repeated N/K times: (B, S, K, H) -> (B, S, N, H);
3. attention per head, as in ``MultiHeadAttention``: (B, T, N, H);
4. ``attention_output``: (B, T, N, H) -> (B, T, dim).

Masks are those of ``MultiHeadAttention`` (``attention_masks.py``): the
``query_mask`` (B, T), ``value_mask`` and ``key_mask`` (B, S) (by default
the inputs' Keras masks), an ``attention_mask`` (B, T, S), the causal mask
and a sliding window, ANDed into one. Read next: ``attention.py``.
"""

import math

from minikeras import constraints
from minikeras import initializers
from minikeras import ops
from minikeras import regularizers
from minikeras.backend import context
from minikeras.backend.config import is_flash_attention_enabled
from minikeras.layers.attention.attention_masks import combine_masks
from minikeras.layers.attention.attention_masks import masked_softmax
from minikeras.layers.core import Dropout
from minikeras.layers.einsum_dense import EinsumDense
from minikeras.layers.layer import Layer


class GroupedQueryAttention(Layer):
    """Grouped-query attention of ``query`` (B, T, dim) over ``value`` (B, S, dim).

    Args:
        head_dim: size H of every head.
        num_query_heads: number of query heads N.
        num_key_value_heads: number of key and value heads K; must divide N.
        dropout: dropout rate on the attention weights.
        use_bias: whether the projections have biases.
        sliding_window: optional int; query t sees keys s with |t - s| < it.
        flash_attention: Keras's flash-attention request (None: when possible,
            i.e. never in minikeras; True fails when called, as Keras without
            cuDNN; see ``keras.config.enable_flash_attention``).
        kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, activity_regularizer, kernel_constraint,
        bias_constraint: passed to the EinsumDense projections.
        use_gate: multiply the heads by a sigmoid gate projected from the query.
        seed: seed of the attention dropout.

    Call arguments:
        query (B, T, dim), value (B, S, dim), key (B, S, dim) (default: value),
        query_mask (B, T), value_mask (B, S), key_mask (B, S) (default: the
        inputs' Keras masks), attention_mask (B, T, S) booleans,
        return_attention_scores, training, use_causal_mask.

    Returns:
        (B, T, dim), and with ``return_attention_scores`` also the weights (B, N, T, S).
    """

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0, use_bias=True,
                 sliding_window=None, flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, use_gate=False,
                 seed=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        # 1. The arguments, with Keras's checks and messages.
        self.head_dim, self.num_query_heads, self.num_key_value_heads = head_dim, num_query_heads, num_key_value_heads
        if num_query_heads % num_key_value_heads != 0:
            raise ValueError("`num_query_heads` must be divisible by `num_key_value_heads`.")
        self.num_repeats = num_query_heads // num_key_value_heads
        self.dropout, self.use_bias, self.use_gate = dropout, use_bias, use_gate
        if sliding_window is not None and (not isinstance(sliding_window, int) or sliding_window <= 0):
            raise ValueError("`sliding_window` must be `None` or a positive integer. "
                             f"Received: sliding_window={sliding_window}")
        self.sliding_window = sliding_window
        # As Keras: False is read as "no preference" (None); the global switch decides then.
        self._flash_attention = flash_attention or is_flash_attention_enabled()
        if self._flash_attention and self.dropout > 0.0:
            raise ValueError("Dropout is not supported when flash attention is enabled. "
                             "Please set dropout to 0.0 to use flash attention.")
        # 2. What the projections get.
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._inverse_sqrt_head_dim = 1.0 / math.sqrt(float(head_dim))
        self._build_shapes = None

    # ----- build: three shapes, so it completes on the first call -----
    def build(self, query_shape, value_shape=None, key_shape=None):
        """Creates the projections (Keras's einsum letters: b batch, q query and k key
        positions, m model width, u query heads, v key/value heads, h head size)."""
        if value_shape is None:
            return  # Layer's lazy build knows only the query's shape: the first call finishes
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self._build_shapes = {"query_shape": query_shape, "value_shape": value_shape}
        self.feature_dim = query_shape[-1]
        query_heads, key_value_heads = (None, self.num_query_heads, self.head_dim), \
            (None, self.num_key_value_heads, self.head_dim)
        self._query_dense = self._projection("bqm,muh->bquh", query_heads, "uh", "query", query_shape)
        self._key_dense = self._projection("bkm,mvh->bkvh", key_value_heads, "vh", "key", key_shape)
        if self.use_gate:
            self._gate_dense = self._projection("bqm,muh->bquh", query_heads, "uh", "gate", query_shape,
                                                activation="sigmoid")
        self._value_dense = self._projection("bkm,mvh->bkvh", key_value_heads, "vh", "value", value_shape)
        self._dropout_layer = Dropout(rate=self.dropout, seed=self.seed, dtype=self.dtype)
        self._output_dense = self._projection("bquh,uhm->bqm", (None, self.feature_dim), "m", "attention_output",
                                              (None, None, self.num_query_heads, self.head_dim))
        self.built = True

    def _projection(self, equation, output_shape, bias_axes, name, input_shape, activation=None):
        """One built EinsumDense; each gets its own copy of the initializers (as in Keras)."""
        def copy(initializer):
            return type(initializer).from_config(initializer.get_config())
        layer = EinsumDense(equation, output_shape, bias_axes=bias_axes if self.use_bias else None,
                            activation=activation, name=name, kernel_initializer=copy(self.kernel_initializer),
                            bias_initializer=copy(self.bias_initializer),
                            kernel_regularizer=self.kernel_regularizer, bias_regularizer=self.bias_regularizer,
                            activity_regularizer=self.activity_regularizer,
                            kernel_constraint=self.kernel_constraint, bias_constraint=self.bias_constraint,
                            dtype=self.dtype)
        layer.build(input_shape)
        return layer

    def _finish_build(self, query, value, key):
        if self._build_shapes is None:
            with context.no_grad():
                self.build(query.shape, value.shape, None if key is None else key.shape)

    def get_build_config(self):
        return None if self._build_shapes is None else {"shapes_dict": dict(self._build_shapes)}

    def build_from_config(self, config):
        if config and config.get("shapes_dict"):
            self.build(**config["shapes_dict"])

    # ----- call -----
    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None, use_causal_mask=False):
        self._finish_build(query, value, key)
        # 1. One (B, T, S) boolean mask from the inputs' Keras masks and the arguments.
        query_mask = getattr(query, "_keras_mask", None) if query_mask is None else query_mask
        value_mask = getattr(value, "_keras_mask", None) if value_mask is None else value_mask
        if key_mask is None and key is not None:
            key_mask = getattr(key, "_keras_mask", None)
        key = value if key is None else key
        mask = combine_masks(self.name, query.shape, value.shape, query_mask, value_mask, key_mask,
                             attention_mask, use_causal_mask, self.sliding_window)
        # 2. Projections, then each key/value head repeated for its group: (B, S, K, H) -> (B, S, N, H).
        gate = self._gate_dense(query) if self.use_gate else None
        heads_query = self._query_dense(query)
        heads_key = ops.repeat(self._key_dense(key), self.num_repeats, axis=2)
        heads_value = ops.repeat(self._value_dense(value), self.num_repeats, axis=2)
        # 3. Attention, the gate, then the output projection (B, T, N, H) -> (B, T, dim).
        heads, scores = self._compute_attention(heads_query, heads_key, heads_value, mask, training,
                                                return_attention_scores)
        if gate is not None:
            heads = ops.multiply(heads, gate)
        output = self._output_dense(heads)
        if query_mask is not None:
            output._keras_mask = query_mask
        return (output, scores) if return_attention_scores else output

    def _compute_attention(self, query, key, value, mask, training=None, return_attention_scores=False):
        """(B, T, N, H) x3, mask (B, T, S) -> (B, T, N, H) and the scores (B, N, T, S) or None."""
        if self._flash_attention and return_attention_scores:
            raise ValueError("Returning attention scores is not supported when flash attention is enabled. "
                             "Please disable flash attention to access attention scores.")
        if mask is not None:
            mask = ops.expand_dims(mask, axis=-3)  # (B, T, S) -> (B, 1, T, S): every head
        # 1. The fused op when nothing needs the (B, N, T, S) weights themselves.
        if not (self.dropout > 0.0 or return_attention_scores):
            return ops.dot_product_attention(query, key, value, mask=mask, scale=self._inverse_sqrt_head_dim,
                                             flash_attention=self._flash_attention), None
        # 2. Step by step: scaled scores, masked softmax, dropout, weighted sum.
        query = ops.multiply(query, self._inverse_sqrt_head_dim)
        scores = ops.einsum("bquh,bkuh->buqk", query, key)
        scores = masked_softmax(scores, mask, (-1,))
        dropped = self._dropout_layer(scores, training=training) if self.dropout > 0.0 else scores
        return ops.einsum("buqk,bkuh->bquh", dropped, value), scores

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        if value_shape is not None:
            value_shape = tuple(value_shape)
            key_shape = value_shape if key_shape is None else tuple(key_shape)
            if query_shape[-1] != value_shape[-1]:
                raise ValueError("The last dimension of `query_shape` and `value_shape` must be equal, but are "
                                 f"{query_shape[-1]}, {value_shape[-1]}. Received: query_shape={query_shape}, "
                                 f"value_shape={value_shape}")
            if value_shape[1:-1] != key_shape[1:-1]:
                raise ValueError("All dimensions of `value` and `key`, except the last one, must be equal. "
                                 f"Received: value_shape={value_shape} and key_shape={key_shape}")
        return query_shape

    def compute_output_spec(self, query, value, key=None, return_attention_scores=False, **kwargs):
        from minikeras.layers.keras_tensor import KerasTensor
        shape = self.compute_output_shape(query.shape, value.shape, None if key is None else key.shape)
        self._finish_build(query, value, key)
        output = KerasTensor(shape, dtype=self.compute_dtype)
        if return_attention_scores:
            source_length = (value if key is None else key).shape[1]
            scores_shape = (query.shape[0], self.num_query_heads, query.shape[1], source_length)
            return output, KerasTensor(scores_shape, dtype=self.compute_dtype)
        return output

    def get_config(self):
        return {**super().get_config(), "head_dim": self.head_dim, "num_query_heads": self.num_query_heads,
                "num_key_value_heads": self.num_key_value_heads, "use_bias": self.use_bias,
                "use_gate": self.use_gate, "sliding_window": self.sliding_window, "dropout": self.dropout,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint), "seed": self.seed}
