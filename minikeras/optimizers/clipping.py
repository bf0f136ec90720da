"""Gradient clipping: keeping one bad batch from throwing the weights far away.

Place in the stack: used by ``optimizer.py`` before every update, when the
optimizer was created with ``clipnorm``, ``global_clipnorm`` or
``clipvalue``. A gradient explodes when the loss surface has a cliff (deep or
recurrent networks, a learning rate slightly too high); clipping bounds the
step without changing its direction (by norm) or by cutting each entry (by
value). All three work on raw arrays and return new ones.
"""

from minikeras import backend


def clip_by_value(grad, clipvalue):
    """Each entry limited to ``[-clipvalue, clipvalue]`` (the direction may change).

    Args:
        grad: raw array, any shape.
        clipvalue: positive float.
    Returns:
        Array of ``grad``'s shape.
    """
    return backend.get_xp(grad).clip(grad, -clipvalue, clipvalue)


def clip_by_norm(grad, clipnorm):
    """``grad`` rescaled so that its L2 norm is at most ``clipnorm`` (same direction).

    ``grad * clipnorm / max(||grad||, clipnorm)``: unchanged when already short
    enough (Keras's formula, so the float32 results are identical).

    Args:
        grad: raw array, any shape.
        clipnorm: positive float.
    Returns:
        Array of ``grad``'s shape.
    """
    xp = backend.get_xp(grad)
    l2norm = xp.sqrt(xp.sum(xp.square(grad)))
    return grad * clipnorm / xp.maximum(l2norm, clipnorm)


def clip_by_global_norm(grads, clipnorm):
    """All ``grads`` rescaled by one factor, so that their joint L2 norm is at most ``clipnorm``.

    Unlike clipping each gradient alone, this keeps the relative sizes of the
    gradients of different weights.

    Args:
        grads: list of raw arrays.
        clipnorm: positive float.
    Returns:
        List of arrays with the shapes of ``grads``.
    """
    xp = backend.get_xp(*grads)
    norm = xp.sqrt(sum(xp.sum(xp.square(grad)) for grad in grads))
    scale = clipnorm * xp.minimum(1.0 / norm, 1.0 / clipnorm)
    return [grad * scale.astype(grad.dtype) for grad in grads]
