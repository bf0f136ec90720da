"""``minikeras.ops`` core: conversion, dtype casts, shapes, ``stop_gradient``.

Place in the stack: the public ``keras.ops`` namespace, above
``minikeras.autodiff``. These are the ops that are about tensors themselves
rather than about math: what a value is made of and whether the gradient may
flow through it. ``numpy.py`` (the NumPy API) and ``nn.py`` (neural-network
ops) come next.
"""

from minikeras import backend
from minikeras.autodiff import elementwise
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.autodiff.tensor import is_tensor
from minikeras.backend.keras_tensor import KerasTensor
from minikeras.ops.symbolic import functional_aware

# Records a graph node when given a KerasTensor (symbolic.py).
cast = functional_aware(elementwise.cast)


@functional_aware
def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """Returns ``x`` (array, list, number, Tensor) as a minikeras ``Tensor``.

    Python floats become ``floatx()``; arrays keep their dtype unless
    ``dtype`` is given. A Tensor of the right dtype is returned unchanged.
    """
    if sparse or ragged:
        raise ValueError("minikeras has no sparse or ragged tensors: pass sparse=None and ragged=None.")
    if isinstance(x, Tensor):
        return x if dtype is None else cast(x, dtype)
    return as_tensor(x, dtype=None if dtype is None else backend.standardize_dtype(dtype))


def convert_to_numpy(x):
    """Returns a plain ``numpy.ndarray`` (outside the graph: no gradient)."""
    return backend.convert_to_numpy(x)


def shape(x):
    """The shape of ``x`` as a tuple of ints, e.g. ``(32, 10)``; a KerasTensor's has Nones."""
    if isinstance(x, (Tensor, KerasTensor)):
        return x.shape
    return tuple(as_tensor(x).shape)


def dtype(x):
    """The dtype of ``x`` as a string, e.g. ``"float32"``."""
    if isinstance(x, KerasTensor):
        return x.dtype
    return as_tensor(x).dtype


@functional_aware
def stop_gradient(variable):
    """Returns the same value as a tensor the tape has never seen.

    The gradient flows backwards only along recorded ops; a fresh Tensor made
    from the raw array has no recorded history, so nothing flows through it.
    """
    return Tensor(as_tensor(variable).data)


def size(x):
    """Number of entries."""
    return as_tensor(x).size


def ndim(x):
    """Number of axes."""
    if isinstance(x, KerasTensor):
        return x.ndim
    return as_tensor(x).ndim


__all__ = [
    "cast", "convert_to_numpy", "convert_to_tensor", "dtype", "is_tensor", "ndim", "shape",
    "size", "stop_gradient",
]
