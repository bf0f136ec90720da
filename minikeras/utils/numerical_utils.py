"""Label and array helpers: ``to_categorical`` (one-hot rows) and ``normalize`` (unit-norm rows).

Place in the stack: ``utils``, low, used on data before it reaches a model.
Both take NumPy arrays (or lists) and return NumPy arrays, as Keras does;
given a minikeras ``Tensor`` they return a Tensor, computed with
``minikeras.ops`` -- which sit above ``utils``, so ``_tensor_and_ops``
imports them only then. Read next: ``sequence_utils.py`` (``pad_sequences``).
"""

import numpy as np


def _tensor_and_ops():
    """``(Tensor, ops)``, imported on use: the engine sits above ``utils``."""
    from minikeras import ops
    from minikeras.autodiff.tensor import Tensor
    return Tensor, ops


def to_categorical(x, num_classes=None):
    """Integer class labels -> one-hot rows (for ``categorical_crossentropy``).

    Args:
        x: integer labels in ``[0, num_classes)``, any shape ``S``; a trailing
            axis of size 1 (``(N, 1)`` labels) is dropped first.
        num_classes: the number of classes; None means ``max(x) + 1``.
    Returns:
        float64 NumPy array of shape ``S + (num_classes,)`` (a float32
        Tensor for a Tensor input): 1 at each label, 0 elsewhere.
    Raises:
        ValueError: a label is negative or ``>= num_classes``.

    Example:
        >>> to_categorical([0, 2, 1], num_classes=3)
        array([[1., 0., 0.], [0., 0., 1.], [0., 1., 0.]])
    """
    Tensor, ops = _tensor_and_ops()
    labels = np.asarray(x.numpy() if isinstance(x, Tensor) else x).astype("int64")
    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]  # (N, 1) -> (N,)
    labels = labels.reshape(-1)
    if num_classes is None or num_classes == 0:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    _check_labels(labels, num_classes)
    if isinstance(x, Tensor):
        return ops.one_hot(labels.reshape(shape), num_classes)
    categorical = np.zeros((labels.size, num_classes))
    categorical[np.arange(labels.size), labels] = 1  # (N,) -> (N, num_classes)
    return categorical.reshape(shape + (num_classes,))


def _check_labels(labels, num_classes):
    """Keras lets NumPy index with a bad label (an IndexError, or a silent
    wrap-around for a negative one); minikeras names the label instead."""
    if not labels.size:
        return
    low, high = int(labels.min()), int(labels.max())
    if low < 0 or high >= num_classes:
        bad = low if low < 0 else high
        raise ValueError(
            f"to_categorical: every label must be in [0, num_classes) = [0, {num_classes}). "
            f"Received: a label {bad} (labels range from {low} to {high}), num_classes={num_classes}"
        )


def normalize(x, axis=-1, order=2):
    """Divides ``x`` by its norm along ``axis``; an all-zero slice stays zero.

    Args:
        x: array of any shape (a NumPy array, a list, or a Tensor).
        axis: the axis along which each slice gets norm 1.
        order: the norm's order (2: Euclidean; 1: sum of absolute values).
    Returns:
        An array (a Tensor for a Tensor input) of ``x``'s shape.
    """
    Tensor, ops = _tensor_and_ops()
    if isinstance(x, Tensor):
        norm = ops.norm(x, ord=order, axis=axis, keepdims=True)
        return x / ops.where(ops.equal(norm, 0.0), ops.ones_like(norm), norm)
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1  # a zero slice divided by 1 stays zero
    return x / np.expand_dims(norm, axis if axis is not None else -1)
