"""Normalization layers: ``BatchNormalization`` and ``LayerNormalization``.

Place in the stack: concrete layers over ``layer.py`` and the ops
``moments`` / ``batch_normalization`` (``minikeras/autodiff/normalization.py``).
Both rescale activations to mean 0 and variance 1, then let the network
choose a better scale and shift with two learned vectors, ``gamma`` and
``beta``. They differ in *which* values share a mean:

* BatchNormalization: one mean per feature, over the batch (and the spatial
  axes of an image). It needs a batch to compute it, so it keeps running
  averages (``moving_mean``, ``moving_variance``) for inference;
* LayerNormalization: one mean per sample, over its features. No batch, no
  running averages, the same computation in training and inference.

Read next: ``embedding.py``.
"""

from minikeras import constraints
from minikeras import initializers
from minikeras import ops
from minikeras import regularizers
from minikeras.distribution import sync_batchnorm
from minikeras.distribution.distribution_lib import active_data_parallel
from minikeras.layers.input_spec import InputSpec
from minikeras.layers.layer import Layer


def _check_axis(layer, axis, input_shape):
    """Refuses an axis the input does not have (``axis=5`` on a 2-D input), which
    would otherwise fail later with a bare ``IndexError`` or, taken modulo the
    rank, quietly normalize the wrong axis."""
    rank = len(input_shape)
    if not -rank <= axis < rank:
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': `axis={axis}` is out of range for an input of "
            f"rank {rank} (shape {tuple(input_shape)}); the axis must be in [{-rank}, {rank - 1}]."
        )


class BatchNormalization(Layer):
    """Normalizes each feature with the statistics of the batch.

    In training (``training=True``, the layer trainable) the output is
    ``gamma * (x - mean) / sqrt(var + epsilon) + beta`` with the batch's mean
    and variance, and the moving statistics move toward them:
    ``moving = moving * momentum + batch * (1 - momentum)``. In inference,
    and whenever the layer is frozen (``trainable = False``, as in Keras 3, for
    fine-tuning), the moving statistics are used and nothing is updated.

    Args:
        axis: the feature axis (-1: the channels of an NHWC image).
        momentum: weight of the old value in the moving averages (0.99).
        epsilon: added to the variance before the square root (1e-3).
        center: learn ``beta`` (else no shift).
        scale: learn ``gamma`` (else no scale).
        beta_initializer, gamma_initializer, moving_mean_initializer,
        moving_variance_initializer: zeros, ones, zeros, ones.
        beta_regularizer, gamma_regularizer, beta_constraint,
        gamma_constraint: optional, as in ``Dense``.
        **kwargs: ``Layer`` arguments.

    Shapes:
        output shape = input shape; the four weights are ``(C,)``, in the order
        gamma, beta, moving_mean, moving_variance.
    """

    _numeric_inputs_only = True  # strings are refused with a clear error (layer.py)

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, synchronized=False, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, **kwargs):
        super().__init__(**kwargs)
        if renorm:
            raise ValueError("BatchNormalization: minikeras does not implement batch "
                             "renormalization. Received: renorm=True")
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        # Kept for the config: under DataParallel the statistics are always those of
        # the global batch (as in Keras on JAX), synchronized or not.
        self.synchronized = synchronized
        self.supports_masking = True

    def build(self, input_shape):
        _check_axis(self, self.axis, input_shape)
        features = input_shape[self.axis]
        if features is None:
            raise ValueError(f"BatchNormalization ('{self.name}'): axis {self.axis} of the input "
                             f"should have a defined size. Received input_shape={input_shape}")
        shape = (features,)
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight(shape=shape, name="gamma", initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, autocast=False)
        if self.center:
            self.beta = self.add_weight(shape=shape, name="beta", initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, autocast=False)
        # Statistics, not parameters: the optimizer never touches them. All four weights keep
        # their own dtype (autocast=False): under "mixed_float16" the layer works in float32.
        self.moving_mean = self.add_weight(shape=shape, name="moving_mean", trainable=False,
                                           initializer=self.moving_mean_initializer, autocast=False)
        self.moving_variance = self.add_weight(shape=shape, name="moving_variance", trainable=False,
                                               initializer=self.moving_variance_initializer,
                                               autocast=False)
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: features})
        self.built = True

    def call(self, inputs, training=None, mask=None):
        axis = self.axis % inputs.ndim
        # float16 statistics overflow easily (a variance of 300**2 is already inf), so a mixed
        # policy's float16 inputs are normalized in float32 and the result cast back, as in Keras.
        # (float64 stays float64: Keras's JAX backend narrows it only because JAX has no float64.)
        if inputs.dtype == "float16":
            inputs = ops.cast(inputs, "float32")
        if training and self.trainable:
            # 1. Statistics of this batch, per feature: (N, H, W, C) -> (C,).
            mean, variance = self._batch_moments(inputs, axis, mask)
            # 2. Move the running averages toward them (outside any gradient).
            self._update_moving(self.moving_mean, mean)
            self._update_moving(self.moving_variance, variance)
        else:
            mean, variance = self.moving_mean, self.moving_variance
        # 3. Normalize, then scale by gamma and shift by beta.
        outputs = ops.batch_normalization(inputs, mean, variance, axis=axis, offset=self.beta,
                                          scale=self.gamma, epsilon=self.epsilon)
        return ops.cast(outputs, self.compute_dtype)

    def _batch_moments(self, inputs, axis, mask):
        """Mean and variance over every axis but ``axis``; masked steps left out."""
        reduction_axes = [index for index in range(inputs.ndim) if index != axis]
        if mask is None:
            # ops.moments in one process; under DataParallel, of every process's slice together.
            return sync_batchnorm.moments(inputs, axes=reduction_axes)
        if active_data_parallel() is not None:
            raise NotImplementedError(
                f"Layer '{self.name}': BatchNormalization with a mask is not synchronized across processes "
                "under DataParallel in minikeras. Drop the mask (or the BatchNormalization) to train this model "
                "with DataParallel.")
        # mask (N, T) -> weights (N, T, 1): a padded step counts for nothing.
        weights = ops.cast(mask, inputs.dtype)
        while weights.ndim < inputs.ndim:
            weights = ops.expand_dims(weights, -1)
        count = ops.sum(ops.broadcast_to(weights, inputs.shape), axis=reduction_axes)
        mean = ops.divide(ops.sum(ops.multiply(inputs, weights), axis=reduction_axes), count)
        centered = ops.subtract(inputs, mean)
        variance = ops.divide(ops.sum(ops.multiply(ops.square(centered), weights),
                                      axis=reduction_axes), count)
        return mean, variance

    def _update_moving(self, variable, batch_value):
        """``variable = variable * momentum + batch_value * (1 - momentum)``."""
        # Raw arrays: the update is state, not part of the loss's gradient.
        batch_value = batch_value.data.astype(variable.data.dtype)
        variable.assign(variable.data * self.momentum + batch_value * (1.0 - self.momentum))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
            "synchronized": self.synchronized,
            "renorm": False,
            "renorm_clipping": None,
            "renorm_momentum": 0.99,
        }


class LayerNormalization(Layer):
    """Normalizes each sample over its features: ``gamma * (x - mean) / sqrt(var + epsilon) + beta``.

    Args:
        axis: int or list of ints, the axes that share one mean (-1); a
            sorted list once built (``[-1]``), as in Keras's config.
        epsilon: added to the variance (1e-3).
        center, scale: learn ``beta`` / ``gamma``.
        rms_scaling: deprecated in Keras, kept for its configs: no centring
            and no ``beta``, ``x / sqrt(var + epsilon) * gamma``.
        beta_initializer, gamma_initializer, beta_regularizer,
        gamma_regularizer, beta_constraint, gamma_constraint: as in
        ``BatchNormalization``.
        **kwargs: ``Layer`` arguments.

    Shapes:
        output shape = input shape; ``gamma`` and ``beta`` have the sizes of
        the normalized axes.
    """

    _numeric_inputs_only = True  # strings are refused with a clear error (layer.py)

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else int(axis)
        self.epsilon = float(epsilon)
        self.center = center
        self.scale = scale
        self.rms_scaling = rms_scaling
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def _axes(self, ndim):
        """The normalized axes as sorted non-negative ints."""
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        return sorted(axis % ndim for axis in axes)

    def build(self, input_shape):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for axis in axes:
            _check_axis(self, axis, input_shape)
        # As Keras: once built, `axis` is a sorted list, and the config stores it so.
        self.axis = sorted(axes)
        axes = self._axes(len(input_shape))
        shape = tuple(input_shape[axis] for axis in axes)
        self.gamma = self.beta = None
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight(shape=shape, name="gamma", initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight(shape=shape, name="beta", initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint)
        self.built = True

    def _broadcast(self, weight, ndim, axes):
        """``(C,)`` -> ``(1, ..., C)``: sizes on the normalized axes, 1 elsewhere."""
        shape = [1] * ndim
        for axis, size in zip(axes, weight.shape):
            shape[axis] = size
        return ops.reshape(weight, shape)

    def call(self, inputs):
        axes = self._axes(inputs.ndim)
        if axes == [inputs.ndim - 1] and not self.rms_scaling and str(inputs.dtype) in ("float32", "float64"):
            # The usual case (a transformer's features): one fused op and its kernel
            # (autodiff/normalization.py); the same formula as below.
            return ops.layer_normalization(inputs, self.gamma, self.beta, axis=-1, epsilon=self.epsilon)
        # 1. One scale per sample: 1 / sqrt(var + epsilon), shape (N, ..., 1).
        mean, variance = ops.moments(inputs, axes=axes, keepdims=True)
        inv = ops.rsqrt(ops.add(variance, self.epsilon))
        if self.gamma is not None:
            inv = ops.multiply(inv, self._broadcast(self.gamma, inputs.ndim, axes))
        if self.rms_scaling:
            return ops.multiply(inputs, inv)
        # 2. x * inv + (beta - mean * inv): the (x - mean) * inv + beta of the formula,
        #    with the per-sample vectors combined before touching the big tensor.
        shift = ops.negative(ops.multiply(mean, inv))
        if self.beta is not None:
            shift = ops.add(shift, self._broadcast(self.beta, inputs.ndim, axes))
        return ops.add(ops.multiply(inputs, inv), shift)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }
