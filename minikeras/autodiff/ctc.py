"""Connectionist temporal classification (CTC): the loss of a sequence labelling with no alignment.

Place in the stack: an op family of ``minikeras.autodiff``, after
``scatter.py``. A speech or handwriting model emits, for each of T frames,
logits over K classes, one of which is the *blank* (``mask_index``). A
target of L labels (``c a t``) is read off a frame path by merging repeats
and dropping blanks (``-cc-aa-t-`` -> ``cat``). The loss is
``-log p(target)``, the probability summed over every such path.

The sum is a dynamic programme over the *extended* target, the labels with
blanks around and between them (``- c - a - t -``, S = 2L + 1 states):

    alpha[t, s] = y[t, l'(s)] * (alpha[t-1, s] + alpha[t-1, s-1] + alpha[t-1, s-2])

where the jump from ``s-2`` is allowed only onto a label that differs from
the one two back (it would otherwise merge with it). Paths start in the first
two states and end in the last two, so ``p = alpha[T-1, S-1] + alpha[T-1, S-2]``.
``beta`` is the same recursion run from the end (the forward one on the
reversed sequence). Everything is done with logarithms (``logaddexp``),
since products of T probabilities underflow.

Gradient with respect to the logits u (y = softmax(u)), for the frames t < T:

    dloss/du[t, k] = y[t, k] - (1 / (p y[t, k])) * sum over s with l'(s) = k of alpha[t, s] beta[t, s]

(Graves et al., 2006): what the model predicts minus how much of the
target's probability passes through class k at frame t. Read next: ``remat.py``.
"""

from minikeras.autodiff.op import Op
from minikeras.backend import get_xp


def extended_labels(labels, blank):
    """``[c, a, t]`` -> ``[-, c, -, a, -, t, -]`` with ``-`` the blank: (L,) -> (2L + 1,)."""
    xp = get_xp(labels)
    extended = xp.full(2 * len(labels) + 1, blank, dtype=labels.dtype)
    extended[1::2] = labels
    return extended


def log_alpha(log_probs, labels, blank):
    """The forward variables in log space: (T, S) from the (T, S) log-probabilities of each state's label."""
    xp = get_xp(log_probs)
    steps, states = log_probs.shape
    alpha = xp.full((steps, states), -xp.inf)
    alpha[0, :2] = log_probs[0, :2]
    # the jump s-2 -> s: only onto a label (not a blank) that differs from the label two states back
    can_skip = xp.zeros(states, dtype=bool)
    can_skip[2:] = (labels[2:] != blank) & (labels[2:] != labels[:-2])
    for t in range(1, steps):
        previous = alpha[t - 1]
        total = previous.copy()
        total[1:] = xp.logaddexp(total[1:], previous[:-1])
        total[2:] = xp.where(can_skip[2:], xp.logaddexp(total[2:], previous[:-2]), total[2:])
        alpha[t] = total + log_probs[t]
    return alpha


class CTCLoss(Op):
    """loss[b] = -log p(target[b] | logits[b]) for (B, T, K) logits;  dlogits = dloss[b] * (y - occupancy / p).

    ``target`` (B, L) holds the labels; ``target_length`` (B,) and ``output_length`` (B,)
    say how many labels and frames of each row count. Frames past a row's
    length get no gradient.
    """
    def __init__(self, target, target_length, output_length, blank):
        self.target, self.target_length, self.output_length = target, target_length, output_length
        self.blank = blank

    def forward(self, logits):
        xp = get_xp(logits)
        shifted = logits - logits.max(axis=-1, keepdims=True)
        log_probs = shifted - xp.log(xp.exp(shifted).sum(axis=-1, keepdims=True))  # log softmax over K
        losses = xp.zeros(logits.shape[0], dtype=logits.dtype)
        self.dlogits = xp.zeros_like(logits)
        for b in range(logits.shape[0]):
            losses[b], self.dlogits[b] = self._one_row(log_probs[b], b)
        return losses

    def _one_row(self, log_probs, b):
        """The loss of row b and its gradient (T, K) with respect to the row's logits."""
        xp = get_xp(log_probs)
        steps = int(self.output_length[b])
        labels = extended_labels(self.target[b, :int(self.target_length[b])], self.blank)
        # 1. Forward and backward variables over the S states, then log p.
        state_log_probs = log_probs[:steps, labels]  # (T, K) -> (T, S)
        alpha = log_alpha(state_log_probs, labels, self.blank)
        beta = log_alpha(state_log_probs[::-1, ::-1], labels[::-1], self.blank)[::-1, ::-1]
        log_p = xp.logaddexp(alpha[-1, -1], alpha[-1, -2]) if len(labels) > 1 else alpha[-1, -1]
        # 2. Occupancy of each class at each frame: log sum over its states of alpha * beta (both hold y once).
        occupancy = xp.full((steps, log_probs.shape[1]), -xp.inf)
        for s, label in enumerate(labels.tolist()):
            occupancy[:, label] = xp.logaddexp(occupancy[:, label], alpha[:, s] + beta[:, s])
        gradient = xp.zeros_like(log_probs)
        gradient[:steps] = xp.exp(log_probs[:steps]) - xp.exp(occupancy - log_probs[:steps] - log_p)
        return -log_p, gradient

    def backward(self, dloss):
        return self.dlogits * dloss[:, None, None]
