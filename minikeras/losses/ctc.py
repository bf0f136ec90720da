"""The CTC loss as a Keras loss: ``ctc`` and ``CTC``, for sequence labelling without alignments.

Place in the stack: over ``loss.py`` (read it first) and ``ops.ctc_loss``
(whose op and gradient are explained in ``minikeras/autodiff/ctc.py``).
Keras's convention: label 0 is the blank and pads the targets, so a row's
label count is its number of nonzero labels, and every row uses all T frames.
"""

from minikeras import ops
from minikeras.losses.loss import Loss
from minikeras.losses.loss import LossFunctionWrapper


def ctc(y_true, y_pred):
    """The CTC loss of each row.

    Args:
        y_true: (N, L) integer labels, 0 for padding (0 is also the blank).
        y_pred: (N, T, K) logits (not softmax-ed).
    Returns:
        Tensor of shape ``(N,)``.
    """
    if len(ops.shape(y_true)) != 2:
        raise ValueError("Targets `y_true` are expected to be a tensor of shape `(batch_size, max_length)` in "
                         f"integer format. Received: y_true.shape={ops.shape(y_true)}")
    if len(ops.shape(y_pred)) != 3:
        raise ValueError("Logits `y_pred` are expected to be a tensor of shape `(batch_size, max_length, "
                         f"num_classes)`. Received: y_pred.shape={ops.shape(y_pred)}")
    batch, steps = ops.shape(y_pred)[:2]
    output_length = ops.full((batch,), steps, dtype="int32")
    label_length = ops.cast(ops.sum(ops.not_equal(y_true, 0), axis=-1), "int32")
    return ops.ctc_loss(y_true, y_pred, label_length, output_length, mask_index=0)


class CTC(LossFunctionWrapper):
    """``ctc`` as a Loss. Args: reduction, name, dtype as in ``Loss``."""

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(ctc, name=name, reduction=reduction, dtype=dtype)

    def get_config(self):
        return Loss.get_config(self)
