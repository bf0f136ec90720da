"""Scaled dot-product attention as one op: ``dot_product_attention``.

Place in the stack: the last op family of ``minikeras.autodiff``, after
``nn.py`` (softmax) and ``linalg.py`` (einsum); the ``MultiHeadAttention`` layer calls
it. Attention reads like a soft dictionary lookup: each query compares itself
with every key (a dot product), the comparisons become weights that sum to 1
(a softmax over the keys), and the answer is the weighted sum of the values.

It could be written with the ops already there (einsum, where, softmax,
einsum) and its gradient would follow. As one op it keeps a single (B, N, T, S)
probability array for backward instead of four, and the backward pass shows
the chain of the four steps in six lines. The letters: B batch, T query
length, S key length, N heads, H size per head. Read next:
``matrix_ops.py`` (linear algebra); for this op's layer
``minikeras/layers/attention/``.
"""

import math

import numpy

from minikeras.autodiff.combine import repeat
from minikeras.autodiff.contraction import einsum_pair
from minikeras.autodiff.op import Op
from minikeras.autodiff.op import unbroadcast
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp
from minikeras.backend import kernel_choice


class DotProductAttention(Op):
    """out = softmax(mask(scale * q.k + bias)) . v, the softmax over the keys S.

    Shapes: q (B, T, N, H), k (B, S, N, H), v (B, S, N, Hv), optional bias
    broadcastable to (B, N, T, S) -> out (B, T, N, Hv). With p the (B, N, T, S)
    probabilities and dp = dout . v (over Hv):
        dv = p^T . dout                         (B, S, N, Hv)
        dlogits = p * (dp - sum_s(dp * p))      (the softmax VJP), 0 where masked
        dq = scale * dlogits . k,  dk = scale * dlogits^T . q,  dbias = dlogits
    ``mask`` (booleans broadcastable to (B, N, T, S), True = attend) is not an
    input: nothing flows back into it. Masked logits become a large negative
    number (-0.7 x the dtype's largest value, as Keras's JAX backend), so a
    row with every key masked gets equal weights.
    The two products are BLAS calls (``contraction.py``); the softmax between
    them and its VJP are a row-wise kernel (``kernels/rowwise_reference.py``
    has the NumPy definition, ``numba_rowwise.py`` the one pass per row), which
    overwrites the (B, N, T, S) array it is given: at T = S = 128 a fresh 8 MB
    array per step costs more than the arithmetic.
    """
    def __init__(self, scale, mask):
        self.scale, self.mask = scale, mask

    def forward(self, q, k, v, bias=None):
        self.q, self.k, self.v, self.bias_shape = q, k, v, None if bias is None else bias.shape
        self.kernels = kernel_choice.rowwise_kernels(q)
        logits = einsum_pair("BTNH", "BSNH", "BNTS", q, k)  # a new array: the kernel may overwrite it
        self.p = self.kernels.softmax_forward(logits, self.scale, bias, self.mask)
        return einsum_pair("BNTS", "BSNH", "BTNH", self.p, v)

    def backward(self, dy):
        # Operand order: the (B, N, T, S) array goes where einsum_pair needs no transposed copy of it.
        dv = einsum_pair("BTNH", "BNTS", "BSNH", dy, self.p)
        dp = einsum_pair("BTNH", "BSNH", "BNTS", dy, self.v)  # a new array: dlogits overwrites it
        dlogits = self.kernels.softmax_backward(self.p, dp, self.mask)
        dbias = None if self.bias_shape is None else unbroadcast(dlogits.copy(), self.bias_shape)
        dq = einsum_pair("BNTS", "BSNH", "BTNH", dlogits, self.k)
        dk = einsum_pair("BTNH", "BNTS", "BSNH", self.q, dlogits)
        dq *= dq.dtype.type(self.scale)  # the scale on the small (B, T, N, H) results
        dk *= dk.dtype.type(self.scale)
        return (dq, dk, dv) if dbias is None else (dq, dk, dv, dbias)


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """Scaled dot-product attention, Keras 3's ``keras.ops.dot_product_attention``.

    Args:
        query: (B, T, N, H).
        key: (B, S, N, H), or (B, S, K, H) with K dividing N (grouped-query
            attention: each key head serves N / K query heads).
        value: (B, S, N, Hv), or (B, S, K, Hv).
        bias: optional, added to the logits; broadcastable to (B, N, T, S).
        mask: optional booleans broadcastable to (B, N, T, S); True = attend.
        scale: multiplies q.k; default ``1 / sqrt(H)``.
        is_causal: query t attends only to keys s <= t (a lower-triangular mask).
        flash_attention: ``None`` or ``False``: the computation above. ``True``
            raises RuntimeError, as Keras's JAX backend does without cuDNN:
            flash attention is a fused GPU kernel, which minikeras has not.
        attn_logits_soft_cap: must be None (Keras supports it on TPU only).
    Returns:
        (B, T, N, Hv).
    """
    if attn_logits_soft_cap is not None:
        raise ValueError("attn_logits_soft_cap is only supported for JAX on TPU. "
                         "Set attn_logits_soft_cap=None when not using JAX on TPU.")
    query, key, value = as_tensor(query), as_tensor(key), as_tensor(value)
    _check_shapes(query.shape, key.shape, value.shape)
    if flash_attention:
        raise RuntimeError("cuDNN is not detected. (dot_product_attention: flash_attention=True asks for a fused "
                           "GPU kernel, which minikeras does not have; pass None or False.)")
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    if key.shape[2] != query.shape[2]:
        # Grouped-query attention: each key/value head serves N / K query heads. (B, S, K, H) -> (B, S, N, H)
        group = query.shape[2] // key.shape[2]
        key, value = repeat(key, group, axis=2), repeat(value, group, axis=2)
    mask = _combined_mask(get_xp(query.data), query.shape, key.shape, mask, is_causal)
    operands = (query, key, value) if bias is None else (query, key, value, as_tensor(bias))
    return DotProductAttention(float(scale), mask)(*operands)


def _check_shapes(query_shape, key_shape, value_shape):
    """4-D inputs whose batch, head and length axes agree, else a clear error."""
    if len(query_shape) != 4 or len(key_shape) != 4 or len(value_shape) != 4:
        raise ValueError("`dot_product_attention` only supports 4D inputs. "
                         f"Received: query.shape={query_shape}, key.shape={key_shape}, "
                         f"value.shape={value_shape}.")
    if key_shape[:3] != value_shape[:3] or key_shape[0] != query_shape[0] or key_shape[3] != query_shape[3]:
        raise ValueError("dot_product_attention: expected query (B, T, N, H), key (B, S, N, H) and "
                         f"value (B, S, N, Hv). Received: query.shape={query_shape}, "
                         f"key.shape={key_shape}, value.shape={value_shape}.")
    if query_shape[2] % key_shape[2] != 0:
        raise ValueError("dot_product_attention: the query's heads must be a multiple of the key's and value's "
                         f"(each key head serves a group of query heads). Received: query.shape={query_shape}, "
                         f"key.shape={key_shape}.")


def _combined_mask(xp, query_shape, key_shape, mask, is_causal):
    """The boolean mask as a raw ``xp`` array broadcastable to (B, N, T, S), or None."""
    logits_shape = (query_shape[0], query_shape[2], query_shape[1], key_shape[1])
    if mask is not None:
        mask = xp.asarray(as_tensor(mask).data).astype(bool)
        try:
            numpy.broadcast_shapes(mask.shape, logits_shape)
        except ValueError:
            raise ValueError(f"dot_product_attention: the mask of shape {mask.shape} does not broadcast "
                             f"to the logits' shape (B, N, T, S) = {logits_shape}.") from None
    if is_causal:
        causal = xp.tril(xp.ones(logits_shape[2:], dtype=bool))  # (T, S): key s <= query t
        mask = causal if mask is None else xp.logical_and(mask, causal)
    return mask
