"""Circle loss: metric learning on unit-length embeddings (Sun et al., 2020).

Place in the stack: over ``loss.py``. The model outputs embeddings, shape
``(N, D)``, normalised to length 1 (a ``UnitNormalization`` layer), and the
labels are class ids, shape ``(N,)``. For every pair of samples the cosine
distance ``d = 1 - <a, b>`` is compared with a target: pairs of the same class
("positives") should sit closer than ``margin``, pairs of different classes
("negatives") farther than ``1 - margin``. Each pair is weighted by how far
it is from its optimum, so the pairs that are most wrong pull hardest:

    positives:  -gamma * max(margin + d, 0) * (margin - d)
    negatives:   gamma * max(1 + margin - d, 0) * (1 - margin - d)
    loss_i = softplus(logsumexp_j(positives_ij) + logsumexp_j(negatives_ij))

A sample with no positive in the batch has loss 0 and is left out of the
mean (the values carry a ``_keras_mask`` of ``loss > 0``, as in Keras).
"""

from minikeras import ops
from minikeras.losses.loss import Loss
from minikeras.losses.loss import LossFunctionWrapper

# Stands for -inf in the masked logsumexp: NumPy's logsumexp of a row of -inf
# is nan, and this gives the same loss (softplus of it is exactly 0).
_VERY_NEGATIVE = -1e9


def _masked_logsumexp(values, mask):
    """``log(sum(exp(values)))`` over the entries where ``mask`` is true, per row: ``(N, M) -> (N,)``."""
    return ops.logsumexp(ops.where(mask, values, _VERY_NEGATIVE), axis=1)


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal=True, gamma=80, margin=0.4):
    """The Circle loss of each sample.

    Args:
        y_true: integer labels, shape ``(N,)``.
        y_pred: unit-length embeddings, shape ``(N, D)``.
        ref_labels, ref_embeddings: the samples compared with (``(M,)`` and
            ``(M, D)``); default: the batch itself.
        remove_diagonal: leave out each sample's pair with itself.
        gamma: the scale of the pair scores (80).
        margin: the relaxation (0.4).
    Returns:
        Tensor of shape ``(N,)``, masked to the values above 0.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, "int32")
    ref_embeddings = y_pred if ref_embeddings is None else ops.convert_to_tensor(ref_embeddings)
    ref_labels = y_true if ref_labels is None else ops.cast(ref_labels, "int32")
    # 1. Cosine distances of all pairs: (N, D) x (D, M) -> (N, M).
    distances = ops.maximum(1.0 - ops.matmul(y_pred, ops.transpose(ref_embeddings)), 0.0)
    # 2. Which pairs share a class: (N, 1) == (1, M) -> (N, M).
    positive = ops.equal(ops.reshape(y_true, (-1, 1)), ops.reshape(ref_labels, (1, -1)))
    negative = ops.logical_not(positive)
    if remove_diagonal:
        positive = ops.logical_and(positive, ops.logical_not(ops.eye(positive.shape[0], positive.shape[1],
                                                                     dtype="bool")))
    positive_float = ops.cast(positive, distances.dtype)
    negative_float = ops.cast(negative, distances.dtype)
    # 3. The self-paced weights and the weighted distances to the optima.
    positive_weights = ops.maximum((margin + distances) * positive_float, 0.0)
    negative_weights = ops.maximum((1.0 + margin - distances) * negative_float, 0.0)
    positive_scores = -gamma * positive_weights * (margin - distances)
    negative_scores = gamma * negative_weights * ((1.0 - margin) - distances)
    # 4. Soft maximum over the positives and over the negatives of each row.
    loss = ops.softplus(_masked_logsumexp(positive_scores, positive) + _masked_logsumexp(negative_scores, negative))
    loss._keras_mask = loss.data > 0
    return loss


class Circle(LossFunctionWrapper):
    """``circle`` as a Loss.

    Args:
        gamma, margin, remove_diagonal: as in ``circle``.
        reduction, name, dtype: as in ``Loss``.
    """

    def __init__(self, gamma=80.0, margin=0.4, remove_diagonal=True, reduction="sum_over_batch_size",
                 name="circle", dtype=None):
        super().__init__(circle, name=name, reduction=reduction, dtype=dtype, gamma=gamma, margin=margin,
                         remove_diagonal=remove_diagonal)
        self.gamma, self.margin, self.remove_diagonal = gamma, margin, remove_diagonal

    def get_config(self):
        return {**Loss.get_config(self), "gamma": self.gamma, "margin": self.margin,
                "remove_diagonal": self.remove_diagonal}
