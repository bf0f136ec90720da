"""Random initializers: plain distributions and the variance-scaling family.

Place in the stack: after ``initializer.py``. Why do initial weights need
care? A Dense layer sums ``fan_in`` products; if each weight has variance
``v``, the output's variance is about ``fan_in * v`` times the input's. Pick
``v = 1 / fan_in`` and the signal keeps its size through many layers. That is
all ``VarianceScaling`` does, and Glorot, He and LeCun are three choices of
its ``scale``, ``mode`` (which fan) and ``distribution``:

=================  =====  =========  ============================
initializer        scale  mode       distribution
=================  =====  =========  ============================
GlorotUniform      1      fan_avg    uniform  (Keras's default)
GlorotNormal       1      fan_avg    truncated_normal
HeUniform/Normal   2      fan_in     uniform / truncated_normal
LecunUniform/Normal 1     fan_in     uniform / truncated_normal
=================  =====  =========  ============================

Seeds follow Keras 3: an initializer made without ``seed`` picks one from
Python's ``random`` module when it is made, so
``minikeras.utils.set_random_seed(s)`` makes a whole model reproducible, and
calling the same initializer twice gives the same values. The draws come
from ``minikeras.random`` (an int seed always gives the same numbers; a
``SeedGenerator`` gives new ones at each call).
"""

import math

import numpy

from minikeras import backend
from minikeras import random
from minikeras.initializers.initializer import Initializer
from minikeras.initializers.initializer import _dtype
from minikeras.random.seed_generator import make_default_seed


def compute_fans(shape, input_axes=None, output_axes=None):
    """Returns ``(fan_in, fan_out)``: how many inputs feed one output unit, and
    how many outputs one input unit feeds.

    A Dense kernel ``(in, out)`` has fans ``(in, out)``. A conv kernel
    ``(KH, KW, C, F)`` sees ``KH * KW * C`` inputs per output, so its fans are
    ``(KH * KW * C, KH * KW * F)``: the receptive field times the channels.

    Args:
        shape: the weight's shape, a tuple of ints.
        input_axes, output_axes: optional lists of axes that override the
            rules above (both must be given).
    Returns:
        A tuple of two ints.
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return int(math.prod(shape[axis] for axis in input_axes)), int(
            math.prod(shape[axis] for axis in output_axes))
    if len(shape) == 0:  # a scalar weight
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    receptive_field = math.prod(shape[:-2])  # 1 for a Dense kernel
    return int(shape[-2] * receptive_field), int(shape[-1] * receptive_field)


def _check_seed(seed):
    """Keras accepts None, an int or a ``SeedGenerator``."""
    if seed is None or isinstance(seed, random.SeedGenerator):
        return seed
    if isinstance(seed, (int, numpy.integer)) and not isinstance(seed, bool):
        return int(seed)
    raise ValueError(
        "`seed` argument should be an instance of `keras.random.SeedGenerator()` or an integer. "
        f"Received: seed={seed}"
    )


class RandomInitializer(Initializer):
    """Base of the random initializers: owns the seed.

    Args:
        seed: an int for reproducible draws, a ``SeedGenerator``, or None to
            take an int from Python's ``random`` now (so ``set_random_seed``
            controls it).
    """

    def __init__(self, seed=None):
        self._init_seed = _check_seed(seed)  # what get_config reports
        self.seed = self._init_seed if seed is not None else make_default_seed()

    def get_config(self):
        seed = self._init_seed
        if isinstance(seed, random.SeedGenerator):
            seed = {"module": "keras.random", "class_name": "SeedGenerator",
                    "config": seed.get_config(), "registered_name": None}
        return {"seed": seed}

    @classmethod
    def from_config(cls, config):
        seed = config.get("seed")
        if isinstance(seed, dict):  # a serialized SeedGenerator
            config = {**config, "seed": random.SeedGenerator.from_config(seed["config"])}
        return cls(**config)


def _float(values, dtype):
    """A random Tensor -> a raw array of ``dtype`` (``floatx()`` by default)."""
    return backend.convert_to_tensor(values.data, dtype=_dtype(dtype))


class RandomNormal(RandomInitializer):
    """Draws from a normal distribution N(mean, stddev**2).

    Args:
        mean: the mean (0.0).
        stddev: the standard deviation (0.05).
        seed: see ``RandomInitializer``.
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        return _float(random.normal(shape, self.mean, self.stddev, _dtype(dtype), self.seed), dtype)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Draws uniformly from ``[minval, maxval)`` (Embedding's default).

    Args:
        minval: lower bound (-0.05).
        maxval: upper bound (0.05).
        seed: see ``RandomInitializer``.
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        return _float(random.uniform(shape, self.minval, self.maxval, _dtype(dtype), self.seed), dtype)

    def get_config(self):
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


class TruncatedNormal(RandomInitializer):
    """Normal draws, redrawn when more than two stddevs from the mean.

    Args:
        mean: the mean (0.0).
        stddev: the standard deviation before truncation (0.05).
        seed: see ``RandomInitializer``.
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        values = random.truncated_normal(shape, self.mean, self.stddev, _dtype(dtype), self.seed)
        return _float(values, dtype)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class VarianceScaling(RandomInitializer):
    """Draws with variance ``scale / n``, ``n`` chosen by ``mode`` from the fans.

    Args:
        scale: positive float (1.0).
        mode: ``"fan_in"``, ``"fan_out"`` or ``"fan_avg"``.
        distribution: ``"truncated_normal"``, ``"untruncated_normal"`` or
            ``"uniform"``.
        seed: see ``RandomInitializer``.
        input_axes, output_axes: optional axes for ``compute_fans``.
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(
                "Invalid `mode` argument: expected one of {'fan_in', 'fan_out', 'fan_avg'}. "
                f"Received: mode={mode}"
            )
        distribution = distribution.lower()
        if distribution == "normal":  # the old name of "truncated_normal"
            distribution = "truncated_normal"
        if distribution not in ("uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError(
                "Invalid `distribution` argument: expected one of {'uniform', 'truncated_normal', "
                f"'untruncated_normal'}}. Received: distribution={distribution}"
            )
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        # 1. The variance: scale divided by the chosen fan.
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fans = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        variance = self.scale / max(1.0, fans[self.mode])
        # 2. A distribution with that variance.
        shape, dtype = tuple(shape), _dtype(dtype)
        if self.distribution == "truncated_normal":
            # 0.8796... is the stddev of a unit normal cut at +-2: divide by it
            # so that the variance after truncation is the one asked for.
            stddev = math.sqrt(variance) / 0.87962566103423978
            values = random.truncated_normal(shape, 0.0, stddev, dtype, self.seed)
        elif self.distribution == "untruncated_normal":
            values = random.normal(shape, 0.0, math.sqrt(variance), dtype, self.seed)
        else:
            limit = math.sqrt(3.0 * variance)  # Var(U(-a, a)) = a**2 / 3
            values = random.uniform(shape, -limit, limit, dtype, self.seed)
        return _float(values, dtype)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class _FixedVarianceScaling(VarianceScaling):
    """A named VarianceScaling whose config is only ``seed`` and the axes."""

    def get_config(self):
        return {"seed": self._init_seed, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class GlorotUniform(_FixedVarianceScaling):
    """Uniform in ``[-limit, limit]``, ``limit = sqrt(6 / (fan_in + fan_out))``.
    Keras's default kernel initializer (Glorot and Bengio, 2010)."""

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(1.0, "fan_avg", "uniform", seed, input_axes, output_axes)


class GlorotNormal(_FixedVarianceScaling):
    """Truncated normal, ``stddev = sqrt(2 / (fan_in + fan_out))``."""

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed, input_axes, output_axes)


class HeUniform(_FixedVarianceScaling):
    """Uniform in ``[-limit, limit]``, ``limit = sqrt(6 / fan_in)``; for ReLU nets."""

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(2.0, "fan_in", "uniform", seed, input_axes, output_axes)


class HeNormal(_FixedVarianceScaling):
    """Truncated normal, ``stddev = sqrt(2 / fan_in)`` (He et al., 2015)."""

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(2.0, "fan_in", "truncated_normal", seed, input_axes, output_axes)


class LecunUniform(_FixedVarianceScaling):
    """Uniform in ``[-limit, limit]``, ``limit = sqrt(3 / fan_in)``."""

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(1.0, "fan_in", "uniform", seed, input_axes, output_axes)


class LecunNormal(_FixedVarianceScaling):
    """Truncated normal, ``stddev = sqrt(1 / fan_in)``; SELU's companion."""

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(1.0, "fan_in", "truncated_normal", seed, input_axes, output_axes)


class Orthogonal(RandomInitializer):
    """An orthogonal matrix (times ``gain``), from the QR of a normal draw.

    A weight of more than two dimensions is treated as a matrix
    ``(prod(shape[:-1]), shape[-1])``, as Keras does for conv kernels.

    Args:
        gain: multiplier of the orthogonal matrix (1.0).
        seed: see ``RandomInitializer``.
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        rows, columns = math.prod(shape[:-1]), shape[-1]
        # 1. QR of a tall normal matrix gives Q with orthonormal columns.
        draws = random.normal((max(rows, columns), min(rows, columns)), dtype="float64", seed=self.seed)
        q, r = numpy.linalg.qr(draws.numpy())  # on the host: QR is not a minikeras op
        # 2. Fix the signs so that Q is uniformly distributed over rotations.
        q = q * numpy.sign(numpy.diag(r))
        if rows < columns:
            q = q.T
        return backend.convert_to_tensor(self.gain * q.reshape(shape), dtype=_dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}
