"""``minikeras.ops`` math: Keras 3's ``keras.ops.math`` names (logsumexp, top_k, erf...).

Place in the stack: the public namespace above ``minikeras.autodiff``.
``top_k`` and ``in_top_k`` are written here from sorting and gathering ops,
so ``top_k``'s values keep their gradient with no new backward pass.
"""

from minikeras.autodiff import math
from minikeras.autodiff import reduce
from minikeras.autodiff.combine import take_along_axis
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp
from minikeras.ops.symbolic import functional_aware

# ----- the engine's ops, each recording a graph node when given KerasTensors (symbolic.py) -----
erf = functional_aware(math.erf)
rsqrt = functional_aware(math.rsqrt)
logsumexp = functional_aware(reduce.logsumexp)


@functional_aware
def top_k(x, k, sorted=True):  # noqa: A002  (Keras's name)
    """The ``k`` largest entries of the last axis, and their indices.

    Args:
        x: (..., C).
        k: how many to keep.
        sorted: accepted for Keras compatibility; results are always sorted, largest first.
    Returns:
        ``(values, indices)``, each (..., k); indices are int32.
    """
    x = as_tensor(x)
    xp = get_xp(x.data)
    # a stable sort of -x: largest first, ties keep the lower index (as Keras)
    order = xp.argsort(-x.data, axis=-1, kind="stable")[..., :k].astype("int32")
    return take_along_axis(x, Tensor(order), axis=-1), Tensor(order)


@functional_aware
def in_top_k(targets, predictions, k):
    """Whether each target class is among the ``k`` highest predictions.

    Args:
        targets: (N,) int class indices.
        predictions: (N, C) scores.
    Returns:
        (N,) booleans.
    """
    targets, predictions = as_tensor(targets), as_tensor(predictions)
    xp = get_xp(predictions.data)
    rows = xp.arange(predictions.shape[0])
    target_scores = predictions.data[rows, targets.data.astype(int)]  # (N,)
    # a class is in the top k when fewer than k classes score strictly higher
    higher = (predictions.data > target_scores[:, None]).sum(axis=-1)
    return Tensor(higher < k)


__all__ = ["erf", "in_top_k", "logsumexp", "rsqrt", "top_k"]
