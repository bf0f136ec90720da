"""Merging layers: combine a list of tensors into one (``Add``, ``Concatenate``...).

Place in the stack: concrete layers over ``layer.py`` and ``minikeras.ops``,
used in the functional API to join branches (a residual connection is
``Add()([x, block(x)])``). None has weights. Element-wise merges follow NumPy
broadcasting, so their gradients sum back over broadcast axes (the
``unbroadcast`` of ``minikeras/autodiff/op.py``). Read next:
``preprocessing.py``.

Each layer also exists as a function, as in Keras: ``add([a, b])`` is
``Add()([a, b])``.
"""

from minikeras import ops
from minikeras.layers.layer import Layer


def _broadcast_shapes(shape1, shape2, layer_name):
    """The NumPy broadcast of two shapes (None: unknown), or Keras's error."""
    shape1, shape2 = tuple(shape1), tuple(shape2)
    rank = max(len(shape1), len(shape2))
    shape1 = (1,) * (rank - len(shape1)) + shape1
    shape2 = (1,) * (rank - len(shape2)) + shape2
    output = []
    for size1, size2 in zip(shape1, shape2):
        if size1 is None or size2 is None:
            known = size1 if size2 is None else size2
            output.append(None if known in (None, 1) else known)
        elif size1 == 1 or size2 == 1 or size1 == size2:
            output.append(max(size1, size2))
        else:
            raise ValueError(f"Inputs have incompatible shapes. Received shapes {shape1} and "
                             f"{shape2} (layer '{layer_name}').")
    return tuple(output)


class Merge(Layer):
    """Base of the merging layers: checks the list of inputs, merges pairwise."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _check_inputs(self, input_shapes):
        if not isinstance(input_shapes, (list, tuple)) or not all(
                isinstance(shape, (list, tuple)) for shape in input_shapes):
            raise ValueError("A merge layer should be called on a list of inputs. "
                             f"Received: input_shape={input_shapes} (not a list of shapes)")
        if len(input_shapes) < 1:
            raise ValueError("A merge layer should be called on a list of at least 1 input. "
                             f"Got {len(input_shapes)} inputs. Full input_shape received: "
                             f"{input_shapes}")

    def build(self, input_shape):
        self._check_inputs(input_shape)
        self.compute_output_shape(input_shape)  # raises on incompatible shapes
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"A merge layer should be called on a list of inputs. "
                             f"Received: inputs={inputs} (not a list of tensors)")
        output = inputs[0]
        for tensor in inputs[1:]:
            output = self._merge_function(output, tensor)
        return output

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        output_shape = tuple(input_shape[0])
        for shape in input_shape[1:]:
            output_shape = _broadcast_shapes(output_shape, shape, self.name)
        return output_shape

    def compute_mask(self, inputs, previous_mask=None):
        """A step is kept if it is kept in every input that has a mask."""
        if previous_mask is None:
            return None
        masks = [mask for mask in previous_mask if mask is not None]
        output = masks[0]
        for mask in masks[1:]:
            output = ops.logical_and(output, mask)
        return output


class Add(Merge):
    """The element-wise sum of its inputs: ``Add()([a, b, c]) = a + b + c``."""

    def _merge_function(self, x1, x2):
        return ops.add(x1, x2)


class Subtract(Merge):
    """``Subtract()([a, b]) = a - b``; exactly two inputs."""

    def _check_inputs(self, input_shapes):
        super()._check_inputs(input_shapes)
        if len(input_shapes) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs. "
                             f"Received: input_shape={input_shapes}")

    def _merge_function(self, x1, x2):
        return ops.subtract(x1, x2)


class Multiply(Merge):
    """The element-wise product of its inputs."""

    def _merge_function(self, x1, x2):
        return ops.multiply(x1, x2)


class Maximum(Merge):
    """The element-wise maximum of its inputs."""

    def _merge_function(self, x1, x2):
        return ops.maximum(x1, x2)


class Minimum(Merge):
    """The element-wise minimum of its inputs."""

    def _merge_function(self, x1, x2):
        return ops.minimum(x1, x2)


class Average(Merge):
    """The element-wise mean of its inputs."""

    def _merge_function(self, x1, x2):
        return ops.add(x1, x2)

    def call(self, inputs):
        return ops.divide(super().call(inputs), len(inputs))


class Concatenate(Merge):
    """Joins its inputs along ``axis``; the other sizes must match.

    Args:
        axis: the joining axis (-1: the features).
        **kwargs: ``Layer`` arguments.

    Shapes:
        ``[(N, 3), (N, 5)]`` -> ``(N, 8)`` with ``axis=-1``.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"A `Concatenate` layer should be called on a list of inputs. "
                             f"Received: inputs={inputs} (not a list of tensors)")
        return ops.concatenate(list(inputs), axis=self.axis)

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        shapes = [tuple(shape) for shape in input_shape]
        rank = len(shapes[0])
        axis = self.axis % rank if rank else 0
        for shape in shapes:
            others_match = len(shape) == rank and all(
                a is None or b is None or a == b
                for index, (a, b) in enumerate(zip(shape, shapes[0])) if index != axis)
            if not others_match:
                raise ValueError("A `Concatenate` layer requires inputs with matching shapes "
                                 "except for the concatenation axis. Received: input_shape="
                                 f"{input_shape}")
        sizes = [shape[axis] for shape in shapes]
        joined = None if any(size is None for size in sizes) else sum(sizes)
        return shapes[0][:axis] + (joined,) + shapes[0][axis + 1:]

    def compute_mask(self, inputs, previous_mask=None):
        """Masks of the inputs joined along the time axis (all-True where absent)."""
        if previous_mask is None:
            return None
        masks = [mask if mask is not None else ops.ones(tuple(tensor.shape[:-1]), dtype="bool")
                 for tensor, mask in zip(inputs, previous_mask)]
        if self.axis in (-1, len(inputs[0].shape) - 1):  # joining features: steps stay the same
            output = masks[0]
            for mask in masks[1:]:
                output = ops.logical_and(output, mask)
            return output
        return ops.concatenate(masks, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def add(inputs, **kwargs):
    """``Add(**kwargs)(inputs)``."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """``Subtract(**kwargs)(inputs)``."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """``Multiply(**kwargs)(inputs)``."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """``Average(**kwargs)(inputs)``."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """``Maximum(**kwargs)(inputs)``."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """``Minimum(**kwargs)(inputs)``."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """``Concatenate(axis=axis, **kwargs)(inputs)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)
