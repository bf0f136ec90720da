"""Reference kernels that normalise rows: the attention softmax and layer normalisation.

Place in the stack: ``kernels/``, the bottom of minikeras (plain arrays in
and out). This file is the definition of two families of the kernel contract
(``kernels/__init__.py``): ``softmax`` and ``layer_norm``.
``numba_rowwise.py`` computes the same numbers faster (one pass over each
row while it sits in the cache, rows shared among threads), ``numba_cuda.py``
on a GPU, and ``tests/kernels/test_rowwise_kernels.py`` checks that they do.

Both families normalise the last axis of an array, one row at a time:

* ``softmax``: attention's weights. Each row holds one query's scores
  against every key S; the row becomes positive weights that sum to 1:

      p = exp(z - max(z)) / sum(exp(z - max(z))),   z = scale * logits + bias

  Keys the mask forbids (False) get the score ``MASKED_LOGIT`` first, which
  is so negative that their weight is exactly 0; a row whose every key is
  forbidden gets equal weights (what Keras's JAX backend gives). The
  backward pass (the softmax VJP): ``dz = p * (dy - sum_s(dy * p))``.

* ``layer_norm``: each row (one token's C features) gets mean 0 and
  variance 1, then a learned scale and shift:

      y = (x - mean) * inverse_std * gamma + beta,  inverse_std = 1 / sqrt(var + epsilon)

  and its VJP, with xhat = (x - mean) * inverse_std and g = dy * gamma:

      dx = inverse_std * (g - mean(g) - xhat * mean(g * xhat))    (per row)
      dgamma = sum over rows of dy * xhat,   dbeta = sum over rows of dy

  The two means come from differentiating through the row's own mean and
  variance: moving one x moves the statistics every y of the row used.

Each function overwrites an input its caller owns (``logits``, ``dy``), as
the op does with the arrays it just computed: at T = S = 128 the (B, N, T, S)
arrays are 8 MB each, and a fresh one costs page faults. Read next:
``numba_rowwise.py``.
"""

import numpy as np

# A masked score before the softmax: -0.7 x the largest float32, as Keras's JAX
# backend. exp(MASKED_LOGIT - max) is exactly 0 unless the whole row is masked.
MASKED_LOGIT_FRACTION = -0.7


def softmax_forward(logits, scale=1.0, bias=None, mask=None):
    """Attention weights: the softmax over the last axis of ``scale * logits + bias``, masked.

    Args:
        logits: ``(..., S)``, e.g. ``(B, N, T, S)`` query-key products;
            overwritten (the result is written into it).
        scale: multiplies the logits (``1 / sqrt(H)`` in attention).
        bias: None or an array broadcastable to ``logits``, added after scaling.
        mask: None or booleans broadcastable to ``logits``; False = that key is
            not attended to.
    Returns:
        The probabilities, ``logits``'s shape (the ``logits`` array itself).
    """
    z = logits
    z *= z.dtype.type(scale)
    if bias is not None:
        z += bias
    if mask is not None:
        np.copyto(z, z.dtype.type(MASKED_LOGIT_FRACTION * np.finfo(z.dtype).max), where=~mask)
    # Subtracting the row's max before exp changes nothing but avoids overflow.
    z -= z.max(axis=-1, keepdims=True)
    np.exp(z, out=z)
    z *= 1.0 / z.sum(axis=-1, keepdims=True)
    return z


def softmax_backward(probabilities, dy, mask=None):
    """The softmax VJP: ``dz = p * (dy - sum_s(dy * p))``, 0 where masked.

    Args:
        probabilities: ``(..., S)``, what :func:`softmax_forward` returned.
        dy: the gradient with respect to the probabilities, same shape;
            overwritten (the result is written into it).
        mask: the forward pass's mask (a masked logit was replaced by a
            constant, so nothing flows back through it), or None.
    Returns:
        dz, the gradient with respect to ``scale * logits + bias`` (the ``dy``
        array itself); the caller multiplies by ``scale`` for the logits.
    """
    row_sums = (dy * probabilities).sum(axis=-1, keepdims=True)  # (..., 1)
    dy -= row_sums
    dy *= probabilities
    if mask is not None:
        dy *= mask
    return dy


def layer_norm_forward(x, gamma=None, beta=None, epsilon=1e-3):
    """Layer normalisation of each row of ``x``.

    Args:
        x: ``(R, C)``: R rows (tokens, samples) of C features.
        gamma: ``(C,)`` scale, or None (1).
        beta: ``(C,)`` shift, or None (0).
        epsilon: added to the variance.
    Returns:
        ``(y, mean, inverse_std)``: y ``(R, C)``, and the two ``(R,)`` row
        statistics the backward pass needs.
    """
    mean = x.mean(axis=1)
    centred = x - mean[:, None]
    inverse_std = 1.0 / np.sqrt((centred * centred).mean(axis=1) + epsilon)
    y = centred * inverse_std[:, None]  # xhat
    if gamma is not None:
        y *= gamma
    if beta is not None:
        y += beta
    return y.astype(x.dtype, copy=False), mean, inverse_std.astype(x.dtype, copy=False)


def layer_norm_backward(x, dy, mean, inverse_std, gamma=None):
    """Gradients of :func:`layer_norm_forward`.

    Args:
        x: ``(R, C)``, the forward input.
        dy: ``(R, C)``, the gradient of the output.
        mean, inverse_std: ``(R,)``, from the forward pass.
        gamma: ``(C,)`` or None, as in the forward pass.
    Returns:
        ``(dx, dgamma, dbeta)``: ``(R, C)``, ``(C,)``, ``(C,)`` (the caller
        ignores those of absent parameters).
    """
    xhat = (x - mean[:, None]) * inverse_std[:, None]
    g = dy if gamma is None else dy * gamma
    dx = g - g.mean(axis=1, keepdims=True) - xhat * (g * xhat).mean(axis=1, keepdims=True)
    dx *= inverse_std[:, None]
    return dx, (dy * xhat).sum(axis=0), dy.sum(axis=0)
