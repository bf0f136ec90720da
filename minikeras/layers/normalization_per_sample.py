"""Per-sample normalizations of transformers and small batches:
``GroupNormalization``, ``RMSNormalization``, ``UnitNormalization``.

Place in the stack: concrete layers over ``layer.py`` and ``ops``, after
``normalization.py`` (read ``LayerNormalization`` there first). Like
LayerNormalization, none of them looks at other samples of the batch, so
training and inference compute the same thing and no running statistics are
kept. What each divides by:

* GroupNormalization: the channels are split into ``groups``; each group of
  each sample is centred and scaled by its own mean and variance (over the
  group's channels and every spatial position). ``groups=1`` is
  LayerNormalization over all features, ``groups=-1`` (one per channel) is
  instance normalization.
* RMSNormalization: no centring; x / sqrt(mean(x^2) + epsilon) * scale, the
  root mean square of the features (used by many recent transformers).
* UnitNormalization: x / ||x||, each vector to length 1; nothing learned.

All three are compositions of differentiable ops, so their gradients come
from the ops they use. Read next: ``embedding.py``.
"""

from minikeras import constraints
from minikeras import initializers
from minikeras import ops
from minikeras import regularizers
from minikeras.layers.input_spec import InputSpec
from minikeras.layers.layer import Layer


def _check_axes(axis, input_shape):
    """Keras's out-of-bounds check of ``compute_output_shape``."""
    for one in axis if isinstance(axis, (list, tuple)) else [axis]:
        if one >= len(input_shape) or one < -len(input_shape):
            raise ValueError(f"Axis {one} is out of bounds for input shape {tuple(input_shape)}. "
                             f"Received: axis={axis}")
    return tuple(input_shape)


class GroupNormalization(Layer):
    """Normalizes each group of channels of each sample by its own statistics.

    Args:
        groups: number of groups (must divide the channels); -1 for one per channel.
        axis: the channel axis (-1).
        epsilon: added to the variance (1e-3).
        center, scale: learn ``beta`` / ``gamma`` (one per channel).
        beta_initializer, gamma_initializer, beta_regularizer,
        gamma_regularizer, beta_constraint, gamma_constraint: as in
        ``BatchNormalization``.

    Shapes:
        output shape = input shape, e.g. (N, H, W, C); ``gamma`` and ``beta`` (C,).
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        if not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError("Received an invalid value for argument `groups`, expected a positive integer "
                             f"(or `-1` for instance normalization). Received: groups={groups}")
        super().__init__(**kwargs)
        self.supports_masking = True
        self.groups, self.axis, self.epsilon = groups, axis, epsilon
        self.center, self.scale = center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def build(self, input_shape):
        channels = input_shape[self.axis]
        if channels is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined dimension but the layer "
                             f"received an input with shape {tuple(input_shape)}.")
        if self.groups == -1:
            self.groups = channels
        if channels < self.groups:
            raise ValueError(f"Number of groups ({self.groups}) cannot be more than the number of channels "
                             f"({channels}).")
        if channels % self.groups != 0:
            raise ValueError(f"Number of groups ({self.groups}) must be a multiple of the number of channels "
                             f"({channels}).")
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: channels})
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight(shape=(channels,), name="gamma", initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer, constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight(shape=(channels,), name="beta", initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer, constraint=self.beta_constraint)
        self.built = True

    def call(self, inputs):
        axis = self.axis % inputs.ndim
        channels = inputs.shape[axis]
        # 1. Split the channel axis: (N, ..., C) -> (N, ..., groups, C // groups).
        grouped_shape = list(inputs.shape[:axis]) + [self.groups, channels // self.groups] + list(
            inputs.shape[axis + 1:])
        grouped = ops.reshape(inputs, grouped_shape)
        # 2. One mean and variance per sample and group: every axis but N and the group axis.
        reduce_axes = [i for i in range(1, grouped.ndim) if i != axis]
        mean, variance = ops.moments(grouped, axes=reduce_axes, keepdims=True)
        inv = ops.rsqrt(ops.add(variance, self.epsilon))
        # 3. gamma and beta (C,) -> the grouped layout, 1 on the other axes.
        weight_shape = [1] * grouped.ndim
        weight_shape[axis], weight_shape[axis + 1] = self.groups, channels // self.groups
        if self.gamma is not None:
            inv = ops.multiply(inv, ops.reshape(self.gamma, weight_shape))
        shift = ops.negative(ops.multiply(mean, inv))
        if self.beta is not None:
            shift = ops.add(shift, ops.reshape(self.beta, weight_shape))
        return ops.reshape(ops.add(ops.multiply(grouped, inv), shift), inputs.shape)

    def compute_output_shape(self, input_shape):
        return _check_axes(self.axis, input_shape)

    def get_config(self):
        return {**super().get_config(), "groups": self.groups, "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint)}


class RMSNormalization(Layer):
    """``x / sqrt(mean(x**2 over axis) + epsilon) * scale``: no centring, no shift.

    Args:
        axis: int or list of ints, the normalized axes (-1).
        epsilon: added to the mean square (1e-6).

    Shapes:
        output shape = input shape; ``scale`` has the sizes of the normalized axes.
    """

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis, self.epsilon = axis, epsilon

    def build(self, input_shape):
        # As Keras: after build, `axis` is a sorted list (and the config says so).
        self.axis = sorted(self.axis) if isinstance(self.axis, (list, tuple)) else [self.axis]
        shape = tuple(input_shape[axis] for axis in self.axis)
        self.scale = self.add_weight(name="scale", shape=shape, initializer="ones")
        self.built = True

    def call(self, inputs):
        mean_square = ops.mean(ops.square(inputs), axis=tuple(self.axis), keepdims=True)
        outputs = ops.multiply(inputs, ops.rsqrt(ops.add(mean_square, self.epsilon)))
        # scale (C,) broadcasts over the leading axes when the normalized axes are the last ones.
        scale_shape = [1] * inputs.ndim
        for axis, size in zip(self.axis, self.scale.shape):
            scale_shape[axis] = size
        return ops.multiply(outputs, ops.reshape(self.scale, scale_shape))

    def compute_output_shape(self, input_shape):
        return _check_axes(self.axis, input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}


class UnitNormalization(Layer):
    """Scales each vector along ``axis`` to unit L2 length: ``x / max(||x||, 1e-6)``.

    Computed as ``x * min(1 / sqrt(sum(x**2)), 1e12)`` (Keras's
    ``ops.normalize``), so a zero vector stays zero.

    Args:
        axis: int or list of ints (-1).
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError("Invalid value for `axis` argument: expected an int or a list/tuple of ints. "
                            f"Received: axis={axis}")
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        axis = tuple(self.axis) if isinstance(self.axis, list) else self.axis
        square_sum = ops.sum(ops.square(inputs), axis=axis, keepdims=True)
        return ops.multiply(inputs, ops.minimum(ops.rsqrt(square_sum), 1e12))

    def compute_output_shape(self, input_shape):
        return _check_axes(self.axis, input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
