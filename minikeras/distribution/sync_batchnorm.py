"""Batch statistics over the whole global batch: ``moments`` summed across processes.

Place in the stack: part of ``minikeras.distribution``, called by
``BatchNormalization`` (``minikeras/layers/normalization.py``) in training.
Under ``DataParallel`` each process sees only its slice of the batch, but
one process given the whole batch would normalise with the mean and
variance of ALL of it. To train the same model, the per-feature sums are
added across processes (two all-reduces of C numbers per layer and step,
tiny next to the gradients). Read next: ``data_parallel.py``.

The gradient needs care. The trainer averages the processes' gradients
weighted by their share of the batch, ``s_r = n_r / n``
(``data_parallel.all_reduce_gradients``), i.e. it differentiates
``F = sum_r s_r L_r`` where ``L_r`` is the loss of rank r's slice. A sum
``y = sum_r x_r`` seen by every rank reaches every rank's loss, so

    dF/dx_r = dF/dy = sum_r' s_r' dy_r'     (dy_r' = dL_r'/dy on rank r')

and since rank r's gradient will be multiplied by ``s_r`` afterwards, its
local backward must return ``(sum_r' s_r' dy_r') / s_r``: another all-reduce,
in the backward pass. That is ``AllReduceSum`` below.
"""

from minikeras.autodiff import Op
from minikeras.autodiff.elementwise import divide
from minikeras.autodiff.elementwise import subtract
from minikeras.autodiff.math import as_float
from minikeras.autodiff.math import square
from minikeras.autodiff.normalization import moments as local_moments
from minikeras.autodiff.reduce import normalize_axis
from minikeras.autodiff.reduce import sum as reduce_sum
from minikeras.autodiff.shape import reshape
from minikeras.distribution.distribution_lib import active_data_parallel


class AllReduceSum(Op):
    """y = sum over ranks of x (the same y on every rank);  dx = (sum over ranks of s * dy) / s.

    ``s`` is this rank's share of the global batch (see the module docstring).
    Any shape; x has the same shape on every rank.
    """

    def __init__(self, communicator, share):
        self.communicator, self.share = communicator, share

    def forward(self, x):
        return self.communicator.allreduce_sum(x).astype(x.dtype, copy=False)

    def backward(self, dy):
        return (self.communicator.allreduce_sum(dy * self.share) / self.share).astype(dy.dtype, copy=False)


def moments(x, axes):
    """Mean and variance over ``axes`` of the batch of ALL processes (of this one alone without DataParallel).

    Args:
        x: e.g. (N_r, H, W, C), this rank's slice of the batch.
        axes: the reduced axes, e.g. [0, 1, 2].
    Returns:
        ``(mean, variance)``, each (C,) for the example above, identical on every rank.
    """
    data_parallel = active_data_parallel()
    if data_parallel is None:
        return local_moments(x, axes=axes)
    world = data_parallel.communicator
    x = as_float(x)
    axes = normalize_axis(axes, x.ndim)
    kept_shape = tuple(size for axis, size in enumerate(x.shape) if axis not in axes)
    # 1. How many entries each statistic summarises, here and in total.
    local_count = 1
    for axis in axes:
        local_count *= x.shape[axis]
    total_count = float(world.allreduce_sum([float(local_count)])[0])
    share = local_count / total_count
    # 2. The mean: sum over the global batch / count. (N_r, H, W, C) -> (1, 1, 1, C).
    mean = divide(AllReduceSum(world, share)(reduce_sum(x, axis=axes, keepdims=True)), total_count)
    # 3. The variance: the mean squared distance to that mean (two passes, as one process does).
    squares = reduce_sum(square(subtract(x, mean)), axis=axes, keepdims=True)
    variance = divide(AllReduceSum(world, share)(squares), total_count)
    # (1, 1, 1, C) -> (C,)
    return reshape(mean, kept_shape), reshape(variance, kept_shape)
