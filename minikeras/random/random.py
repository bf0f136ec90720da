"""Random tensors and random ops: ``normal``, ``uniform``, ``dropout``, ``shuffle``...

Place in the stack: ``minikeras.random`` (Keras's ``keras.random``), after
``seed_generator.py``. Each function makes one fresh generator from its
``seed`` argument (see ``seed_generator.py``), draws with the active array
module (NumPy, or CuPy on the GPU), and returns a ``Tensor``. ``dropout`` and
``shuffle`` are differentiable: the random choice is made once, in the
forward pass, and the backward pass reuses it.
"""

from minikeras import backend
from minikeras.autodiff.combine import take
from minikeras.autodiff.op import Op
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.random.seed_generator import make_generator


def _float_dtype(dtype, function_name):
    dtype = backend.standardize_dtype(dtype) if dtype is not None else backend.floatx()
    if not backend.is_float_dtype(dtype):
        raise ValueError(
            f"`keras.random.{function_name}` requires a floating point `dtype`. Received: dtype={dtype} "
        )
    return dtype


def _shape(shape):
    return (int(shape),) if isinstance(shape, int) else tuple(int(size) for size in shape)


# Draws per step when filling a large array: 8 MB of float64 temporaries,
# whatever the size of the weight being initialised.
_CHUNK = 1 << 20


def _chunks(size):
    """``(start, stop)`` pairs that cover ``range(size)`` in steps of ``_CHUNK``."""
    return ((start, min(start + _CHUNK, size)) for start in range(0, size, _CHUNK))


def _fill(draw, shape, scale, shift, dtype):
    """An array of ``dtype`` holding ``draw(n) * scale + shift``, filled chunk by chunk.

    Why chunks: drawing the whole array at once in float64 and then scaling it
    makes three float64 temporaries the size of the array, about six times a
    float32 weight (1.2 GB for a 244 MB ``Dense(8000)`` kernel). A generator
    returns the same numbers whether it is asked for ``n`` values at once or
    in pieces, and each value goes through the same float64 arithmetic and the
    same cast, so the result is bit for bit the one of the one-shot version.

    Args:
        draw: ``draw(n)`` returns ``n`` float64 draws, e.g. ``generator.random``.
        shape: the output shape.
        scale, shift: the affine map applied to every draw (in float64).
        dtype: the output dtype.
    Returns:
        A raw array of ``shape`` and ``dtype``.
    """
    out = backend.get_xp().empty(shape, dtype=dtype)
    flat = out.reshape(-1)  # a view: writing into it fills ``out``
    for start, stop in _chunks(flat.size):
        flat[start:stop] = draw(stop - start) * scale + shift
    return out


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from the normal distribution N(mean, stddev**2).

    Args:
        shape: the output shape.
        mean, stddev: the distribution's parameters.
        dtype: a float dtype (``floatx()`` by default).
        seed: None, an int, or a ``SeedGenerator``.
    """
    dtype = _float_dtype(dtype, "normal")
    return Tensor(_fill(make_generator(seed).standard_normal, _shape(shape), stddev, mean, dtype))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples uniformly from [minval, maxval)."""
    dtype = _float_dtype(dtype, "uniform")
    return Tensor(_fill(make_generator(seed).random, _shape(shape), maxval - minval, minval, dtype))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples N(mean, stddev**2), redrawing any value more than 2 stddev from the mean.

    Draws every value once (in chunks, see ``_fill``), remembers the
    positions of the ~4.6% rejected ones, then redraws those positions in
    order until none is left.
    """
    dtype = _float_dtype(dtype, "truncated_normal")
    xp = backend.get_xp()
    generator = make_generator(seed)
    out = xp.empty(_shape(shape), dtype=dtype)
    flat = out.reshape(-1)
    # 1. One draw per value; keep the flat positions that fell outside +-2.
    rejected = []
    for start, stop in _chunks(flat.size):
        values = generator.standard_normal(stop - start)
        flat[start:stop] = values * stddev + mean
        rejected.append(xp.flatnonzero(abs(values) > 2) + start)
    positions = xp.concatenate(rejected) if rejected else xp.zeros(0, dtype="int64")
    # 2. Redraw only the rejected positions; each round keeps ~95% of them.
    while positions.size:
        values = generator.standard_normal(positions.size)
        flat[positions] = values * stddev + mean
        positions = positions[abs(values) > 2]
    return Tensor(out)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Samples integers uniformly from [minval, maxval)."""
    dtype = backend.standardize_dtype(dtype)
    if backend.is_float_dtype(dtype):
        raise ValueError(f"`keras.random.randint` requires an integer `dtype`. Received: dtype={dtype} ")
    values = make_generator(seed).integers(minval, maxval, size=_shape(shape))
    return Tensor(values.astype(dtype))


def categorical(logits, num_samples, dtype="int32", seed=None):
    """Draws class indices from the distributions softmax(logits) per row.

    Uses the Gumbel-max trick: argmax(logits + g) with g = -log(-log(u)),
    u uniform, is distributed as softmax(logits).

    Args:
        logits: (N, C) unnormalised log-probabilities.
        num_samples: S draws per row.
    Returns:
        (N, S) integer class indices.
    """
    logits = as_tensor(logits)
    if logits.ndim != 2:
        raise ValueError(
            f"`logits` should be a 2-D tensor with shape [batch_size, num_classes]. Received: logits={logits.shape}"
        )
    batch, classes = logits.shape
    uniform_draws = make_generator(seed).random((batch, num_samples, classes))  # (N, S, C)
    tiny = 1e-20  # keeps log away from 0
    gumbel = -backend.get_xp(uniform_draws).log(-backend.get_xp(uniform_draws).log(uniform_draws + tiny) + tiny)
    scores = logits.data[:, None, :] + gumbel  # (N, 1, C) + (N, S, C)
    return Tensor(scores.argmax(axis=-1).astype(backend.standardize_dtype(dtype)))


def gamma(shape, alpha, dtype=None, seed=None):
    """Samples the Gamma(alpha, 1) distribution."""
    dtype = _float_dtype(dtype, "gamma")
    return Tensor(make_generator(seed).gamma(alpha, 1.0, size=_shape(shape)).astype(dtype))


def beta(shape, alpha, beta, dtype=None, seed=None):  # noqa: A002  (Keras's name)
    """Samples the Beta(alpha, beta) distribution."""
    dtype = _float_dtype(dtype, "beta")
    return Tensor(make_generator(seed).beta(alpha, beta, size=_shape(shape)).astype(dtype))


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Samples the number of successes in ``counts`` trials of probability ``probabilities``."""
    dtype = _float_dtype(dtype, "binomial")
    return Tensor(make_generator(seed).binomial(counts, probabilities, size=_shape(shape)).astype(dtype))


class Dropout(Op):
    """y = x * mask, mask = keep / (1 - rate) with keep ~ Bernoulli(1 - rate);
    dx = dy * mask (the same mask: it is drawn once, in ``__init__``).

    Scaling the kept entries by 1 / (1 - rate) keeps the expected value of
    every entry unchanged, so nothing needs rescaling at inference.
    """
    def __init__(self, mask):
        self.mask = mask  # noise_shape, broadcast against x

    def forward(self, x):
        return x * self.mask.astype(x.dtype, copy=False)

    def backward(self, dy):
        return dy * self.mask.astype(dy.dtype, copy=False)


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zeroes each entry with probability ``rate`` and scales the rest by 1 / (1 - rate).

    Args:
        inputs: any shape.
        rate: in [0, 1).
        noise_shape: the shape of the mask, broadcast against ``inputs``
            (None entries take the input's size): (N, 1, C) drops whole channels.
        seed: None, an int, or a ``SeedGenerator``.
    Returns:
        A tensor of ``inputs``' shape.
    """
    inputs = as_tensor(inputs)
    if not 0 <= rate < 1:
        raise ValueError(
            f"Invalid value received for argument `rate`. Expected a float value between 0 and 1 "
            f"(1 excluded). Received: rate={rate}"
        )
    if noise_shape is None:
        noise_shape = inputs.shape
    noise_shape = tuple(size if wanted is None else int(wanted) for wanted, size in zip(noise_shape, inputs.shape))
    keep = make_generator(seed).random(noise_shape) >= rate
    return Dropout(keep / (1 - rate))(inputs)


def shuffle(x, axis=0, seed=None):
    """Randomly permutes ``x`` along ``axis`` (differentiable: a gather)."""
    x = as_tensor(x)
    order = make_generator(seed).permutation(x.shape[axis])
    return take(x, order, axis=axis)
