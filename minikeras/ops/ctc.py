"""CTC in ``keras.ops.nn``: ``ctc_loss`` (the op and its gradient are in ``autodiff/ctc.py``) and ``ctc_decode``.

Place in the stack: public ``keras.ops`` functions. Read ``autodiff/ctc.py``
first for what CTC computes. Decoding here is the greedy one: take the best
class of each frame, merge repeats, drop blanks.
"""

from minikeras import backend
from minikeras.autodiff import elementwise
from minikeras.autodiff.ctc import CTCLoss
from minikeras.autodiff.math import as_float
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp
from minikeras.ops.symbolic import functional_aware


@functional_aware
def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """The CTC loss of each row: ``-log p(target | output)``.

    Args:
        target: (B, L) integer labels, padded past ``target_length``.
        output: (B, T, K) logits (a log-softmax is applied inside).
        target_length: (B,) the number of labels of each row.
        output_length: (B,) the number of frames of each row.
        mask_index: the blank class.
    Returns:
        (B,) losses, at least float32.
    """
    output = as_float(output)
    if output.dtype not in ("float32", "float64"):
        output = elementwise.cast(output, "float32")
    target = as_tensor(target).data.astype("int64")
    if output.ndim != 3 or target.ndim != 2 or target.shape[0] != output.shape[0]:
        raise ValueError(f"`ctc_loss` expects target (B, L) and output (B, T, K). Received: "
                         f"target.shape={target.shape}, output.shape={output.shape}")
    lengths = as_tensor(target_length).data.astype("int64"), as_tensor(output_length).data.astype("int64")
    return CTCLoss(target, lengths[0], lengths[1], int(mask_index))(output)


@functional_aware
def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1, merge_repeated=True,
               mask_index=0):
    """Greedy CTC decoding of (B, T, K) class scores.

    Returns:
        ``(decoded, scores)``: decoded (1, B, T) int32 label sequences padded
        with -1, and scores (B, 1), minus the sum over frames of each frame's best score.
    """
    if strategy != "greedy":
        raise ValueError(f"Invalid strategy {strategy}. minikeras supports 'greedy' only "
                         "(Keras also has 'beam_search').")
    scores_in = as_float(inputs).data
    if scores_in.dtype not in ("float32", "float64"):
        scores_in = scores_in.astype("float32")
    xp = get_xp(scores_in)
    batch, steps, _ = scores_in.shape
    lengths = as_tensor(sequence_lengths).data.astype("int64")
    best, best_score = scores_in.argmax(axis=-1), scores_in.max(axis=-1)  # (B, T) each
    past_end = xp.arange(steps)[None, :] >= lengths[:, None]
    best = xp.where(past_end, mask_index, best)
    best_score = xp.where(past_end, 0.0, best_score).astype(scores_in.dtype)
    if merge_repeated:  # a label equal to the previous frame's is the same emission
        repeat = xp.zeros_like(past_end)
        repeat[:, 1:] = best[:, 1:] == best[:, :-1]
        best = xp.where(repeat, mask_index, best)
    decoded = xp.full((batch, steps), -1, dtype="int32")
    for b in range(batch):
        labels = best[b][best[b] != mask_index]
        decoded[b, :len(labels)] = labels
    scores = -best_score.sum(axis=1, keepdims=True)
    return Tensor(decoded[None]), Tensor(scores.astype(backend.standardize_dtype(scores_in.dtype)))
