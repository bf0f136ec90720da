"""``MultiHeadAttention``: the transformer's attention, Keras 3's layer.

Place in the stack: over ``EinsumDense`` (``layers/einsum_dense.py``) and
``ops.dot_product_attention`` (``autodiff/attention.py``); read those first.
The layer is four projections around one attention computation:

1. ``query``, ``key``, ``value``: EinsumDense layers that turn each token of
   width C into N heads of size H: (B, T, C) -> (B, T, N, H);
2. attention per head: weights softmax(q . k / sqrt(H)) over the keys, then
   the weighted sum of the values: (B, T, N, H);
3. ``attention_output``: an EinsumDense that merges the heads back:
   (B, T, N, H) -> (B, T, C) (or ``output_shape``).

The sublayers carry Keras's attribute and layer names (``query_dense``
named ``query``...; Keras keeps ``_query_dense`` behind a ``query_dense``
property, and its files use the property's name) and weight shapes, so
``.keras`` files load both ways.

Masks: the Keras masks of ``query`` / ``value`` / ``key`` (from
``Embedding(mask_zero=True)``), an explicit ``attention_mask`` (B, T, S) and
the causal mask are ANDed into one boolean (B, T, S) mask: query t may
attend to key s where it is True. As in Keras, the computation goes through
``ops.dot_product_attention`` unless dropout, ``return_attention_scores`` or
more than one attention axis need the step-by-step einsum path; the two paths
differ only for a query whose every key is masked (equal weights there, zeros
on the einsum path). Read next: ``attention.py`` (Attention, AdditiveAttention).
"""

import math
import string

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


class MultiHeadAttention(Layer):
    """Multi-head attention of ``query`` (B, T, dim) over ``value`` (B, S, dim).

    Args:
        num_heads: number of heads N.
        key_dim: size H of each head of query and key.
        value_dim: size of each head of value (default ``key_dim``).
        dropout: dropout rate on the attention weights.
        use_bias: whether the four projections have biases.
        output_shape: output size(s) after the batch and query axes (default:
            the query's last size).
        attention_axes: the axes attention runs over (default: all between the
            batch axis and the features, i.e. ``(1,)`` for (B, T, dim)).
        sliding_window: optional int; query t sees keys s with |t - s| < it.
        use_gate: multiply the heads by a sigmoid gate projected from the query.
        flash_attention: Keras's flash-attention request (None: when possible,
            i.e. never in minikeras; True fails when called, as Keras does
            without cuDNN; see ``keras.config.enable_flash_attention``).
        kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, activity_regularizer, kernel_constraint,
        bias_constraint: passed to the four EinsumDense projections.
        seed: seed of the attention dropout.

    Call arguments:
        query (B, T, dim), value (B, S, dim), key (B, S, dim) (default: value),
        query_mask (B, T) (ignored as in Keras 3.15: the query's own Keras mask
        is used), value_mask (B, S), key_mask (B, S) (default: the value's and
        key's Keras masks),
        attention_mask (B, T, S) booleans, return_attention_scores,
        training, use_causal_mask.

    Returns:
        (B, T, dim) (or ``output_shape``), and with ``return_attention_scores``
        also the weights (B, N, T, S).
    """

    def __init__(self, num_heads, key_dim=None, value_dim=None, dropout=0.0, use_bias=True, output_shape=None,
                 attention_axes=None, sliding_window=None, flash_attention=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate=False, seed=None, **kwargs):
        # 1. The arguments Keras checks, with its messages (key_dim first: it has no default).
        _check_positive("num_heads", num_heads)
        _check_positive("key_dim", key_dim)
        if value_dim is not None:
            _check_positive("value_dim", value_dim, "or `None`")
        if sliding_window is not None and (not isinstance(sliding_window, int) or sliding_window <= 0):
            raise ValueError("`sliding_window` must be `None` or a positive integer. "
                             f"Received: sliding_window={sliding_window}")
        super().__init__(**kwargs)
        self.supports_masking = True
        # 2. The configuration, under Keras's attribute names.
        self._num_heads, self._key_dim = num_heads, key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout, self._use_bias, self._use_gate = dropout, use_bias, use_gate
        # As Keras: False is read as "no preference" (None); the global switch decides then.
        self._flash_attention = flash_attention or is_flash_attention_enabled()
        if self._flash_attention and self._dropout > 0.0:
            raise ValueError("Dropout is not supported when flash attention is enabled. "
                             "Please set dropout to 0.0 to use flash attention.")
        if output_shape:
            output_shape = (output_shape,) if isinstance(output_shape, int) else tuple(output_shape)
        self._output_shape = output_shape
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes and not isinstance(attention_axes, (list, tuple)):
            raise ValueError(f"`attention_axes` must be an int, list, or tuple.Received: "
                             f"attention_axes={attention_axes}")
        self._attention_axes = attention_axes
        self._sliding_window = sliding_window
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(self._key_dim))
        self._build_shapes = None

    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)

    # ----- build: three shapes, so it completes on the first call -----
    def build(self, query_shape, value_shape=None, key_shape=None):
        """Creates the projections. ``Layer``'s lazy build passes only the
        query's shape; the first call then finishes with all three."""
        if value_shape is None:
            return
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        _check_value_key(value_shape, key_shape)
        self._build_shapes = {"query_shape": query_shape, "value_shape": value_shape}
        # 1. Input projections: (B, T, dim) -> (B, T, N, H).
        self.query_dense = self._projection(query_shape, self._key_dim, "query")
        self.key_dense = self._projection(key_shape, self._key_dim, "key")
        if self._use_gate:
            self._gate_dense = self._projection(query_shape, self._value_dim, "gate", activation="sigmoid")
        self.value_dense = self._projection(value_shape, self._value_dim, "value")
        # 2. The attention equations, over `attention_axes` of the (B, T, N, H) projections.
        rank = len(query_shape) + 1
        if self._attention_axes is None:
            self._attention_axes = tuple(range(1, rank - 2))
        else:
            self._attention_axes = tuple(axis if axis >= 0 else (rank - 1) + axis for axis in self._attention_axes)
        self._dot_product_equation, self._combine_equation, scores_rank = attention_equations(
            rank, self._attention_axes)
        self._norm_axes = tuple(range(scores_rank - len(self._attention_axes), scores_rank))
        self._dropout_layer = Dropout(rate=self._dropout, seed=self.seed, dtype=self.dtype)
        # 3. Output projection: (B, T, N, Hv) -> (B, T, dim or output_shape).
        output_shape = self._output_shape or (query_shape[-1],)
        equation, bias_axes, output_rank = projection_equation(len(query_shape) - 1, 2, len(output_shape))
        self.output_dense = EinsumDense(equation, _partial_shape(output_rank - 1, output_shape),
                                         bias_axes=bias_axes if self._use_bias else None,
                                         name="attention_output", **self._sublayer_arguments())
        heads_shape = tuple(query_shape[:-1]) + (self._num_heads, self._value_dim)
        self.output_dense.build(heads_shape)
        self.built = True

    def _projection(self, input_shape, head_size, name, activation=None):
        """An EinsumDense (B, ..., dim) -> (B, ..., N, head_size), built."""
        equation, bias_axes, output_rank = projection_equation(len(input_shape) - 1, 1, 2)
        layer = EinsumDense(equation, _partial_shape(output_rank - 1, (self._num_heads, head_size)),
                            bias_axes=bias_axes if self._use_bias else None, activation=activation,
                            name=name, **self._sublayer_arguments())
        layer.build(input_shape)
        return layer

    def _sublayer_arguments(self):
        """Each projection gets its own copy of the initializers (as in Keras)."""
        def copy(initializer):
            return type(initializer).from_config(initializer.get_config())
        return {"kernel_initializer": copy(self._kernel_initializer),
                "bias_initializer": copy(self._bias_initializer),
                "kernel_regularizer": self._kernel_regularizer, "bias_regularizer": self._bias_regularizer,
                "activity_regularizer": self._activity_regularizer,
                "kernel_constraint": self._kernel_constraint, "bias_constraint": self._bias_constraint,
                "dtype": self.dtype}

    def _finish_build(self, query, value, key):
        if self._build_shapes is None:
            with context.no_grad():
                self.build(query.shape, value.shape, None if key is None else key.shape)

    def get_build_config(self):
        return None if self._build_shapes is None else {"shapes_dict": dict(self._build_shapes)}

    def build_from_config(self, config):
        if config and config.get("shapes_dict"):
            self.build(**config["shapes_dict"])
        elif config and config.get("input_shape"):
            self.build(config["input_shape"], config["input_shape"])

    # ----- call -----
    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None, use_causal_mask=False):
        self._finish_build(query, value, key)
        # 1. Masks: the inputs' Keras masks unless given, then one (B, T, S) boolean mask.
        #    As in Keras 3.15, the query's mask is always the query tensor's own
        #    (an explicit `query_mask` argument is not used).
        query_mask = _keras_mask(query)
        value_mask = _keras_mask(value) if value_mask is None else value_mask
        if key_mask is None and key is not None:
            key_mask = _keras_mask(key)
        # As Keras does, the masks are taken off the input tensors: they are
        # handled here, and the projections below do not support masking.
        for tensor in (query, value, key):
            if getattr(tensor, "_keras_mask", None) is not None:
                tensor._keras_mask = None
        key = value if key is None else key
        mask = combine_masks(self.name, query.shape, value.shape, query_mask, value_mask, key_mask,
                             attention_mask, use_causal_mask, self._sliding_window)
        # 2. Projections: (B, T, dim) -> (B, T, N, H).
        gate = self._gate_dense(query) if self._use_gate else None
        query, key, value = self.query_dense(query), self.key_dense(key), self.value_dense(value)
        # 3. Attention, then the output projection (B, T, N, Hv) -> (B, T, dim).
        heads, scores = self._compute_attention(query, key, value, mask, training, return_attention_scores)
        if gate is not None:
            heads = ops.multiply(heads, gate)
        output = self.output_dense(heads)
        if query_mask is not None:
            output._keras_mask = query_mask
        return (output, scores) if return_attention_scores else output

    def _compute_attention(self, query, key, value, mask, training=None, return_attention_scores=False):
        """(B, T, N, H), (B, S, N, H), (B, S, N, Hv), mask (B, T, S) -> (B, T, N, Hv) and the scores."""
        if self._flash_attention and return_attention_scores:
            raise ValueError("Returning attention scores is not supported when flash attention is enabled. "
                             "Please disable flash attention to access attention scores.")
        # 1. The fused op when nothing needs the (B, N, T, S) weights themselves.
        if not (self._dropout > 0.0 or return_attention_scores or query.ndim != 4):
            if mask is not None:
                mask = ops.expand_dims(mask, axis=-3)  # (B, T, S) -> (B, 1, T, S): every head
            return ops.dot_product_attention(query, key, value, mask=mask, scale=self._inverse_sqrt_key_dim,
                                             flash_attention=self._flash_attention), None
        # 2. Step by step: scaled scores, masked softmax, dropout, weighted sum.
        query = ops.multiply(query, self._inverse_sqrt_key_dim)
        scores = ops.einsum(self._dot_product_equation, key, query)  # (B, N, T, S)
        if mask is not None:
            for _ in range(scores.ndim - mask.ndim):  # (B, T, S) -> (B, 1, T, S): every head
                mask = ops.expand_dims(mask, axis=-len(self._attention_axes) * 2 - 1)
        scores = masked_softmax(scores, mask, self._norm_axes)
        dropped = self._dropout_layer(scores, training=training) if self._dropout > 0.0 else scores
        return ops.einsum(self._combine_equation, dropped, value), scores

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        if value_shape is not None:
            _check_value_key(tuple(value_shape), tuple(value_shape if key_shape is None else key_shape))
        return query_shape[:-1] + self._output_shape if self._output_shape else query_shape

    def compute_output_spec(self, query, value, key=None, return_attention_scores=False, **kwargs):
        from minikeras.layers.keras_tensor import KerasTensor
        self._finish_build(query, value, key)
        output = KerasTensor(self.compute_output_shape(query.shape, value.shape, key and key.shape),
                             dtype=self.compute_dtype)
        if return_attention_scores:
            scores_shape = (query.shape[0], self._num_heads, query.shape[1], value.shape[1])
            return output, KerasTensor(scores_shape, dtype=self.compute_dtype)
        return output

    def get_config(self):
        return {**super().get_config(), "num_heads": self._num_heads, "key_dim": self._key_dim,
                "value_dim": self._value_dim, "dropout": self._dropout, "use_bias": self._use_bias,
                "use_gate": self._use_gate, "output_shape": self._output_shape,
                "attention_axes": self._attention_axes, "sliding_window": self._sliding_window,
                "kernel_initializer": initializers.serialize(self._kernel_initializer),
                "bias_initializer": initializers.serialize(self._bias_initializer),
                "kernel_regularizer": regularizers.serialize(self._kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self._bias_regularizer),
                "activity_regularizer": regularizers.serialize(self._activity_regularizer),
                "kernel_constraint": constraints.serialize(self._kernel_constraint),
                "bias_constraint": constraints.serialize(self._bias_constraint), "seed": self.seed}


def _check_positive(name, value, extra=""):
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        expected = f"a positive integer {extra}".strip()
        raise ValueError(f"Received an invalid value for argument `{name}`, expected {expected}. "
                         f"Received: {name}={value}")


def _check_value_key(value_shape, key_shape):
    if value_shape[1:-1] != key_shape[1:-1]:
        raise ValueError("All dimensions of `value` and `key`, except the last one, must be equal. "
                         f"Received: value_shape={value_shape} and key_shape={key_shape}")


def _keras_mask(tensor):
    return getattr(tensor, "_keras_mask", None)


def _partial_shape(rank, known_last):
    return [None] * (rank - len(known_last)) + list(known_last)


def projection_equation(free_dims, bound_dims, output_dims):
    """The EinsumDense equation of a projection, its bias letters and output rank.

    ``free_dims`` axes pass through, ``bound_dims`` are summed with the kernel,
    ``output_dims`` are new: (2, 1, 2) -> ``"abc,cde->abde"``, bias ``"de"``, rank 4.
    """
    letters = string.ascii_lowercase
    free, bound = letters[:free_dims], letters[free_dims:free_dims + bound_dims]
    new = letters[free_dims + bound_dims:free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{new}->{free}{new}", new, free_dims + output_dims


def attention_equations(rank, attention_axes):
    """Einsum equations of the scores and of the weighted sum, and the scores' rank.

    Projected tensors are (B, <other axes>, <attention axes>, N, H). For rank 4
    and axes (1,): scores ``"aecd,abcd->acbe"`` (key, query -> (B, N, T, S)),
    combination ``"acbe,aecd->abcd"`` (weights, value -> (B, T, N, H)).
    """
    letters = string.ascii_lowercase
    target = letters[:rank]
    batch_dims = [i for i in range(rank) if i not in attention_axes and i != rank - 1]
    source, offset = "", rank
    for i in range(rank):
        if i in batch_dims or i == rank - 1:
            source += target[i]
        else:
            source += letters[offset]
            offset += 1
    product = "".join([target[i] for i in batch_dims] + [target[i] for i in attention_axes]
                      + [source[i] for i in attention_axes])
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)
