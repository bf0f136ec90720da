"""Layers that only move values around: ``Flatten``, ``Reshape``, ``Permute``.

Place in the stack: concrete layers over ``layer.py`` and ``minikeras.ops``.
None has weights, and none changes a value, so the gradient of each is the
inverse rearrangement (the ``reshape`` and ``transpose`` ops provide it). The
batch axis (axis 0) is never touched: shapes below are per sample. Read next:
``convolutional.py``.
"""

import math

from minikeras import ops
from minikeras.layers.input_spec import InputSpec
from minikeras.layers.layer import Layer
from minikeras.utils.argument_validation import check_data_format


def _product(sizes):
    """The product of ``sizes``, or None when one of them is unknown."""
    if any(size is None for size in sizes):
        return None
    return math.prod(sizes)


class Flatten(Layer):
    """Flattens each sample into a vector: ``(N, d1, d2, ...)`` -> ``(N, d1*d2*...)``.

    Args:
        data_format: ``"channels_last"`` (default) or ``"channels_first"``; a
            channels-first input is first moved to channels-last, so that the
            order of the flat features is the same for both formats.
        **kwargs: ``Layer`` arguments.
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = check_data_format(data_format, "Flatten")
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            # (N, C, H, W) -> (N, H, W, C)
            inputs = ops.transpose(inputs, (0,) + tuple(range(2, inputs.ndim)) + (1,))
        batch_size = inputs.shape[0]
        return ops.reshape(inputs, (batch_size, -1))  # (N, d1, d2, ...) -> (N, d1*d2*...)

    def compute_output_shape(self, input_shape):
        if len(input_shape) == 1:
            return (input_shape[0], 1)
        return (input_shape[0], _product(input_shape[1:]))

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """Gives each sample a new shape with the same number of values.

    Args:
        target_shape: tuple of ints without the batch axis; one entry may
            be -1, worked out from the others.
        **kwargs: ``Layer`` arguments.

    Shapes:
        ``(N, ...)`` -> ``(N, *target_shape)``.
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target_shape = tuple(target_shape)
        if sum(size == -1 for size in target_shape) > 1 or any(
                not isinstance(size, int) or size == 0 or size < -1 for size in target_shape):
            raise ValueError("Reshape: `target_shape` must be positive ints, with at most one -1. "
                             f"Received: target_shape={target_shape}")
        self.target_shape = target_shape

    def call(self, inputs):
        output_shape = self._resolved_shape(tuple(inputs.shape))
        return ops.reshape(inputs, (inputs.shape[0],) + output_shape)

    def _resolved_shape(self, input_shape):
        """``target_shape`` with -1 replaced, checked against the input's size."""
        known = _product([size for size in self.target_shape if size != -1])
        total = _product(input_shape[1:])
        if total is None:
            return tuple(None if size == -1 else size for size in self.target_shape)
        if (-1 in self.target_shape and total % known != 0) or (
                -1 not in self.target_shape and total != known):
            raise ValueError(
                f"The total size of the tensor must be unchanged. Received: input_shape="
                f"{input_shape[1:]}, target_shape={self.target_shape}")
        return tuple(total // known if size == -1 else size for size in self.target_shape)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolved_shape(tuple(input_shape))

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}


class Permute(Layer):
    """Reorders the axes of each sample (the batch axis stays first).

    Args:
        dims: a permutation of ``1, ..., rank - 1`` (numbered from 1, since
            0 is the batch axis): ``(2, 1)`` swaps the two axes of ``(N, T, C)``.
        **kwargs: ``Layer`` arguments.
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError("Invalid permutation argument `dims` for Permute Layer. The set of "
                             "indices in `dims` must be consecutive and start from 1. "
                             f"Received dims={self.dims}")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs):
        return ops.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[axis] for axis in self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}
