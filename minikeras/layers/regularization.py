"""Regularisation layers: noise during training, the identity at inference.

Place in the stack: concrete layers over ``layer.py`` and
``minikeras.random``, beside ``Dropout`` (``core.py``). Each one perturbs its
input only when ``training=True`` so the network cannot rely on any single
value; at inference it returns its input unchanged:

* ``SpatialDropout1D/2D/3D``: ``Dropout`` that drops whole channels (one
  keep/drop draw per sample and channel), since neighbouring pixels of a
  feature map are too correlated for single-value dropout to matter;
* ``GaussianNoise``: adds N(0, stddev**2) noise;
* ``GaussianDropout``: multiplies by N(1, rate / (1 - rate)) noise;
* ``AlphaDropout``: dropout for SELU networks, keeping mean and variance;
* ``ActivityRegularization``: no noise, adds an L1/L2 penalty on its input.

Every random draw comes from the layer's own ``SeedGenerator``: the same
``seed`` gives the same noise, call after call, in every run. The gradients
come from the ops (the noise is a constant of the backward pass). Read
next: ``dot.py``.
"""

import math

from minikeras import ops
from minikeras import random
from minikeras import regularizers
from minikeras.layers.core import Dropout
from minikeras.layers.input_spec import InputSpec
from minikeras.layers.layer import Layer
from minikeras.layers.reshaping import check_data_format

# The constants of SELU (Klambauer et al., 2017): AlphaDropout sets dropped
# units to SELU's lower limit -SCALE * ALPHA instead of 0.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _check_rate(rate, argument="rate"):
    if not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
        raise ValueError(f"Invalid value received for argument `{argument}`. Expected a float value "
                         f"between 0 and 1. Received: {argument}={rate}")


class BaseSpatialDropout(Dropout):
    """``Dropout`` whose mask has size 1 on every spatial axis.

    Args:
        rate: fraction of channels to drop, in [0, 1).
        seed: optional int, for reproducible masks.
        name, dtype: ``Layer`` arguments (the only ones Keras accepts here).
    """

    def __init__(self, rate, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        # Each subclass's _noise_shape says which axes keep size 1.
        return random.dropout(inputs, self.rate, noise_shape=self._noise_shape(inputs),
                              seed=self.seed_generator)

    def get_config(self):
        # As Keras: no `trainable`, no `noise_shape` (it follows from the data
        # format), and the dtype as a plain name rather than a policy dict.
        return {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype}


class SpatialDropout1D(BaseSpatialDropout):
    """Drops whole channels of a sequence: ``(N, T, C)``, mask ``(N, 1, C)``."""

    def __init__(self, rate, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.input_spec = InputSpec(ndim=3)

    def _noise_shape(self, inputs):
        batch, _, channels = inputs.shape
        return (batch, 1, channels)


class SpatialDropout2D(BaseSpatialDropout):
    """Drops whole feature maps: ``(N, H, W, C)``, mask ``(N, 1, 1, C)``
    (``(N, C, 1, 1)`` channels first)."""

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.data_format = check_data_format(data_format, "SpatialDropout2D")
        self.input_spec = InputSpec(ndim=4)

    def _noise_shape(self, inputs):
        if self.data_format == "channels_first":
            return (inputs.shape[0], inputs.shape[1], 1, 1)
        return (inputs.shape[0], 1, 1, inputs.shape[3])

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class SpatialDropout3D(BaseSpatialDropout):
    """Drops whole volumes: ``(N, D, H, W, C)``, mask ``(N, 1, 1, 1, C)``."""

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.data_format = check_data_format(data_format, "SpatialDropout3D")
        self.input_spec = InputSpec(ndim=5)

    def _noise_shape(self, inputs):
        if self.data_format == "channels_first":
            return (inputs.shape[0], inputs.shape[1], 1, 1, 1)
        return (inputs.shape[0], 1, 1, 1, inputs.shape[4])

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class GaussianNoise(Layer):
    """Adds zero-mean Gaussian noise during training: ``x + N(0, stddev**2)``.

    Args:
        stddev: float in [0, 1], the noise's standard deviation.
        seed: optional int.
        **kwargs: ``Layer`` arguments.
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_rate(stddev, "stddev")
        self.stddev = stddev
        self.seed = seed
        if stddev > 0:
            self.seed_generator = random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.stddev == 0:
            return inputs
        noise = random.normal(inputs.shape, mean=0.0, stddev=self.stddev,
                              dtype=self.compute_dtype, seed=self.seed_generator)
        return ops.add(inputs, noise)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(Layer):
    """Multiplies by N(1, rate / (1 - rate)) noise during training.

    The variance ``rate / (1 - rate)`` is that of ``Dropout(rate)``'s
    multiplier ``keep / (1 - rate)``, with the same mean 1, so the two
    regularise alike, but no value is zeroed.

    Args:
        rate: float in [0, 1).
        seed: optional int.
        **kwargs: ``Layer`` arguments.
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_rate(rate)
        self.rate = rate
        self.seed = seed
        if rate > 0:
            self.seed_generator = random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = random.normal(inputs.shape, mean=1.0, stddev=stddev,
                              dtype=self.compute_dtype, seed=self.seed_generator)
        return ops.multiply(inputs, noise)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class AlphaDropout(Layer):
    """Dropout that keeps a SELU network's mean and variance (self-normalising).

    A dropped value becomes ``alpha_p = -SCALE * ALPHA`` (SELU's limit for
    very negative inputs) instead of 0, then the affine map ``a * x + b``
    restores zero mean and unit variance:
    ``a = ((1 - rate) * (1 + rate * alpha_p**2)) ** -0.5``,
    ``b = -a * alpha_p * rate``.

    Args:
        rate: float in [0, 1), the fraction to drop.
        noise_shape: optional mask shape (None entries: the input's size).
        seed: optional int.
        **kwargs: ``Layer`` arguments.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_rate(rate)
        self.rate = rate
        self.seed = seed
        self.noise_shape = noise_shape
        if rate > 0:
            self.seed_generator = random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        noise_shape = inputs.shape if self.noise_shape is None else tuple(
            size if wanted is None else wanted for wanted, size in zip(self.noise_shape, inputs.shape))
        alpha_p = -SELU_ALPHA * SELU_SCALE
        kept = random.uniform(noise_shape, dtype=self.compute_dtype, seed=self.seed_generator)
        kept = ops.cast(ops.greater_equal(kept, self.rate), inputs.dtype)  # 1 keep, 0 drop
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        x = ops.add(ops.multiply(inputs, kept), ops.multiply(alpha_p, ops.subtract(1.0, kept)))
        return ops.add(ops.multiply(a, x), b)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}


class ActivityRegularization(Layer):
    """Returns its input unchanged and adds ``l1 * sum|x| + l2 * sum x**2``
    (divided by the batch size) to the model's losses.

    Args:
        l1, l2: non-negative penalty factors (0.0).
        **kwargs: ``Layer`` arguments.
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.supports_masking = True
        self.l1 = l1
        self.l2 = l2

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)  # rebuilt from l1 and l2
        return {**config, "l1": self.l1, "l2": self.l2}
