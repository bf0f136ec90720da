"""Attention masks: which keys each query may look at, and the softmax that obeys.

Place in the stack: helpers of ``multi_head_attention.py``, over ``ops``.
A mask is a boolean array, True where attention is allowed. Several sources
say where it is not, and the layer ANDs them into one (B, T, S) mask:

* the query's padding mask (B, T): a padded query attends to nothing;
* the value's and the key's padding masks (B, S): nobody attends to padding;
* ``use_causal_mask``: query t sees only keys s <= t (a decoder never reads
  the future), a lower-triangular (1, T, S) mask;
* ``sliding_window``: query t sees only keys with |t - s| < the window;
* the caller's own ``attention_mask`` (B, T, S).

A wrong shape is reported with the layer's name and both shapes, before it
could broadcast into a silently wrong mask. Read next: ``attention.py``.
"""

from minikeras import ops

# A masked score becomes this before the softmax: exp of it is 0 in float32.
LARGE_NEGATIVE = -1e9


def combine_masks(layer_name, query_shape, value_shape, query_mask=None, value_mask=None, key_mask=None,
                  attention_mask=None, use_causal_mask=False, sliding_window=None):
    """One boolean (B, T, S) mask from every source given, or None if none.

    Args:
        layer_name: for error messages.
        query_shape: (B, T, dim); value_shape: (B, S, dim).
        query_mask: (B, T); value_mask, key_mask: (B, S); attention_mask:
            (B, T, S) (or broadcastable to it); any of them None.
        use_causal_mask: AND the lower-triangular (1, T, S) mask.
        sliding_window: None or an int window.
    Returns:
        A boolean tensor broadcastable to (B, T, S), or None.
    """
    parts = []
    # 1. Padding masks: (B, T) -> (B, T, 1) and (B, S) -> (B, 1, S).
    if query_mask is not None:
        _check_shape(layer_name, "query_mask", query_mask, tuple(query_shape[:-1]))
        parts.append(ops.expand_dims(ops.cast(query_mask, "bool"), -1))
    for name, mask in (("value_mask", value_mask), ("key_mask", key_mask)):
        if mask is not None:
            _check_shape(layer_name, name, mask, tuple(value_shape[:-1]))
            parts.append(ops.expand_dims(ops.cast(mask, "bool"), -2))
    # 2. Position masks from the lengths T and S alone: (1, T, S).
    if use_causal_mask or sliding_window is not None:
        rows = ops.reshape(ops.arange(query_shape[1], dtype="int32"), (1, -1, 1))  # query t
        columns = ops.reshape(ops.arange(value_shape[1], dtype="int32"), (1, 1, -1))  # key s
        if use_causal_mask:
            parts.append(ops.greater_equal(rows, columns))
        if sliding_window is not None:
            parts.append(ops.less(ops.abs(ops.subtract(rows, columns)), sliding_window))
    # 3. The caller's mask.
    if attention_mask is not None:
        expected = tuple(query_shape[:-1]) + tuple(value_shape[1:-1])
        _check_broadcast(layer_name, attention_mask, expected)
        parts.insert(0, ops.cast(attention_mask, "bool"))
    mask = None
    for part in parts:
        mask = part if mask is None else ops.logical_and(mask, part)
    return mask


def masked_softmax(scores, mask, axes):
    """Softmax of ``scores`` over ``axes`` where ``mask`` is True, 0 elsewhere.

    Masked scores become -1e9 first, so they get no weight; the weights are
    zeroed at masked places afterwards too, so that a row with every key
    masked gives zeros rather than equal weights (Keras's ``Softmax`` layer).
    """
    if mask is not None:
        scores = ops.where(mask, scores, LARGE_NEGATIVE)
    weights = ops.softmax(scores, axis=axes if len(axes) > 1 else axes[0])
    if mask is not None:
        weights = ops.where(mask, weights, 0.0)
    return weights


def _check_shape(layer_name, name, mask, expected):
    if tuple(mask.shape) != expected:
        raise ValueError(f"Layer '{layer_name}': `{name}` must have shape {expected} (the input's shape "
                         f"without its last axis). Received: {name}.shape={tuple(mask.shape)}")


def _check_broadcast(layer_name, mask, expected):
    shape = tuple(mask.shape)
    fits = len(shape) <= len(expected) and all(
        a == b or a == 1 or a is None or b is None for a, b in zip(shape[::-1], expected[::-1]))
    if not fits:
        raise ValueError(f"Layer '{layer_name}': `attention_mask` must have shape (B, T, S) = {expected} "
                         f"or broadcast to it. Received: attention_mask.shape={shape}")
