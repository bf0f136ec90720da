"""``Loss``: the base class of the losses, and how per-sample values become one number.

Place in the stack: beside the trainer (``minikeras/trainers/``), over
``minikeras.ops``. A loss is built from ops, so the tape records it and
``tape.gradient(loss, weights)`` reaches the model through it. Read this file
first, then ``probabilistic.py`` (the crossentropies) and ``regression.py``.

Calling a loss, ``loss(y_true, y_pred, sample_weight)``, does three things:

1. ``call(y_true, y_pred)`` gives one value per sample (per position, for
   sequences): shape ``(N,)`` or ``(N, ...)``;
2. the values are multiplied by ``sample_weight`` (after matching ranks);
3. they are reduced to a scalar by ``reduction``:
   ``"sum_over_batch_size"`` (the default) and ``"mean"`` divide the sum by
   the number of values (not by the sum of the weights: a weight of 0 still
   counts in the denominator, as in Keras), ``"mean_with_sample_weight"``
   divides by the sum of the weights, ``"sum"`` does not divide, and
   ``"none"`` / ``None`` return the values unreduced.
"""

from minikeras import backend
from minikeras import ops
from minikeras.autodiff.tensor import Tensor
from minikeras.backend import context
from minikeras.utils.naming import to_snake_case

REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


def standardize_reduction(reduction):
    """Checks ``reduction`` against the allowed values, with Keras's message."""
    if reduction not in REDUCTIONS:
        allowed = set(REDUCTIONS)
        raise ValueError(
            f"Invalid value for argument `reduction`. Expected one of {allowed}. Received: reduction={reduction}"
        )
    return reduction


def convert(value, dtype):
    """``value`` as a Tensor of ``dtype``; a Tensor already of that dtype is kept
    (it may be the model's output, whose graph the gradient must go through)."""
    if isinstance(value, Tensor):
        return value if value.dtype == dtype else ops.cast(value, dtype)
    return Tensor(backend.convert_to_tensor(value, dtype=dtype))


class Loss:
    """Base class of the losses; subclass it and define ``call``.

    Args:
        name: defaults to the snake_case class name (``"my_loss"``).
        reduction: ``"sum_over_batch_size"`` (default), ``"sum"``, ``"mean"``,
            ``"mean_with_sample_weight"``, ``"none"`` or ``None``.
        dtype: the dtype of the computation; defaults to ``floatx()``.

    Example:
        >>> class MeanSquaredError(Loss):
        ...     def call(self, y_true, y_pred):
        ...         return ops.mean(ops.square(y_pred - y_true), axis=-1)
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or context.unique_name(to_snake_case(type(self).__name__))
        self.reduction = standardize_reduction(reduction)
        self._dtype = backend.standardize_dtype(dtype) or backend.floatx()

    @property
    def dtype(self):
        return self._dtype

    def call(self, y_true, y_pred):
        """Per-sample loss values, shape ``(N, ...)``; subclasses define it."""
        raise NotImplementedError("abstract: every Loss subclass defines call(y_true, y_pred)")

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The weighted, reduced loss (a scalar Tensor unless ``reduction`` is none).

        Args:
            y_true: targets, shape ``(N, ...)``.
            y_pred: predictions, shape ``(N, ...)``.
            sample_weight: optional weights, shape ``(N,)`` or broadcastable
                to the per-sample values.
        """
        y_pred = convert(y_pred, self.dtype)
        y_true = convert(y_true, self.dtype)
        values = self.call(y_true, y_pred)
        mask = getattr(values, "_keras_mask", None)
        return reduce_weighted_values(values, sample_weight, mask, self.reduction, self.dtype)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


class LossFunctionWrapper(Loss):
    """A ``Loss`` around a function ``fn(y_true, y_pred, **kwargs)``.

    Ranks are matched first (``(N,)`` labels against ``(N, 1)`` predictions),
    then ``fn`` gives the per-sample values.

    Args:
        fn: the loss function.
        reduction, name, dtype: as in ``Loss``.
        **kwargs: passed to ``fn`` on every call (``from_logits=True``...).
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = super().get_config()
        config.update({"fn": self.fn.__name__})
        config.update(self._fn_kwargs)
        return config

    def __repr__(self):
        return f"<LossFunctionWrapper({self.fn}, kwargs={self._fn_kwargs})>"


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Makes the ranks equal when they differ by one trailing size-1 axis.

    ``(N,)`` labels against ``(N, 1)`` predictions: the labels become
    ``(N, 1)`` (rank 1 is expanded); ``(N, T)`` against ``(N, T, 1)``: the
    size-1 axis is squeezed away.
    """
    x1_rank, x2_rank = len(x1.shape), len(x2.shape)
    if x1_rank == x2_rank + 1 and x1.shape[-1] == 1:
        if x2_rank == 1 and expand_rank_1:
            x2 = ops.expand_dims(x2, axis=-1)
        else:
            x1 = ops.squeeze(x1, axis=-1)
    if x2_rank == x1_rank + 1 and x2.shape[-1] == 1:
        if x1_rank == 1 and expand_rank_1:
            x1 = ops.expand_dims(x1, axis=-1)
        else:
            x2 = ops.squeeze(x2, axis=-1)
    return x1, x2


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Reduces the (weighted) per-sample values to a scalar.

    Args:
        values: Tensor of weighted losses, any shape.
        sample_weight: the weights (only ``"mean_with_sample_weight"`` reads them).
        reduction: one of ``REDUCTIONS``.
    Returns:
        A scalar Tensor, or ``values`` unchanged for ``"none"``/``None``, a
        scalar, or an empty ``(0,)`` input.
    """
    if reduction is None or reduction == "none" or tuple(values.shape) in ((), (0,)):
        return values
    loss = ops.sum(values)
    if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        if reduction == "mean_with_sample_weight" and sample_weight is not None:
            divisor = float(ops.sum(sample_weight).numpy())
        else:
            divisor = float(values.size)
        # Keras's divide_no_nan: a zero divisor gives a zero loss.
        loss = loss / divisor if divisor != 0 else loss * 0.0
    return loss


def reduce_weighted_values(values, sample_weight=None, mask=None, reduction="sum_over_batch_size", dtype=None):
    """Weights then reduces per-sample loss values, as ``Loss.__call__`` does.

    Args:
        values: per-sample losses, shape ``(N, ...)``.
        sample_weight: None or weights of shape ``(N,)``, ``(N, 1)``, or the
            values' shape.
        mask: None or a boolean mask of the values' shape (entries to keep).
        reduction: one of ``REDUCTIONS``.
        dtype: the dtype of the computation.
    """
    reduction = standardize_reduction(reduction)
    dtype = dtype or backend.floatx()
    values = convert(values, dtype)
    if sample_weight is not None:
        sample_weight = convert(sample_weight, dtype)
    # 1. A mask becomes a weight (0 for masked-out entries).
    sample_weight = apply_mask(sample_weight, mask, dtype, reduction)
    # 2. Weight the values, once their ranks match.
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    # 3. Reduce.
    return reduce_values(values, sample_weight, reduction)


def apply_mask(sample_weight, mask, dtype, reduction):
    """Merges a boolean mask into the sample weights.

    For the averaging reductions the kept entries get weight
    ``total / kept``, so that dividing by the number of values averages over
    the kept entries only.
    """
    if mask is None:
        return sample_weight
    mask = mask.data if isinstance(mask, Tensor) else backend.convert_to_tensor(mask)
    xp = backend.get_xp(mask)
    if reduction in ("mean", "sum_over_batch_size"):
        valid = float(xp.sum(mask.astype(dtype)))
        mask_weight = mask.size / valid if valid else 0.0
        float_mask = Tensor(xp.where(mask.astype(bool), mask_weight, 0.0).astype(dtype))
    else:
        float_mask = Tensor(mask.astype(dtype))
    if sample_weight is None:
        return float_mask
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
    return sample_weight * float_mask
