"""Fourier transforms and framing: ``fft``, ``fft2``, ``ifft2``, ``rfft``, ``irfft``, ``stft``, ``istft``, ``extract_sequences``.

Place in the stack: public ``keras.ops`` functions written with the engine's
``matmul``, so every gradient comes from it. As in Keras, a complex tensor
is a pair ``(real, imag)`` of float tensors of one shape.

The discrete Fourier transform of n samples x_t is a matrix product:

    X_k = sum_t x_t exp(-2 pi i k t / n) = sum_t x_t (cos(2 pi k t / n) - i sin(2 pi k t / n))

so with the (n, n) matrices C = cos(2 pi t k / n) and S = sin(2 pi t k / n):

    real(X) = real(x) C + imag(x) S          imag(X) = imag(x) C - real(x) S

This costs n**2 per transform, where NumPy's FFT algorithm costs n log n;
the point here is the formula (and a gradient for free). The inverse uses
``+ sin`` and divides by n. ``rfft`` keeps the n // 2 + 1 non-redundant
outputs of a real signal; ``irfft`` rebuilds the signal from them, counting
each inner frequency twice (it stands for its mirror image too).

``stft`` cuts a signal into frames of ``fft_length`` samples every
``sequence_stride``, multiplies each by a window, and takes its ``rfft``:
(..., T) -> two (..., frames, fft_length // 2 + 1). ``istft`` inverts it by
overlap-adding the windowed inverse transforms and dividing by the
overlap-added squared window.
"""

import math

from minikeras.autodiff import combine
from minikeras.autodiff import elementwise
from minikeras.autodiff import matmul as matmul_op
from minikeras.autodiff import shape
from minikeras.autodiff.math import as_float
from minikeras.autodiff.scatter import SegmentSum
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp
from minikeras.ops.symbolic import functional_aware


def _complex_pair(x, function_name):
    """``(real, imag)`` as two float tensors of one shape."""
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"`{function_name}` takes a complex tensor as a tuple (real, imag). Received: {type(x)}")
    real, imag = as_float(x[0]), as_float(x[1])
    if real.shape != imag.shape:
        raise ValueError(f"`{function_name}`: the real and imaginary parts must have one shape. "
                         f"Received: {real.shape} and {imag.shape}")
    return real, imag


def _cos_sin(rows, columns, n, dtype):
    """The (rows, columns) matrices cos(2 pi t k / n) and sin(2 pi t k / n)."""
    xp = get_xp()
    angle = 2 * math.pi * xp.outer(xp.arange(rows), xp.arange(columns)) / n
    return Tensor(xp.cos(angle).astype(dtype)), Tensor(xp.sin(angle).astype(dtype))


def _dft_last_axis(real, imag, inverse=False):
    """The DFT (or inverse DFT) along the last axis of a (real, imag) pair."""
    n = real.shape[-1]
    cos, sin = _cos_sin(n, n, n, real.data.dtype)
    if inverse:  # exp(+i ...): flip the sign of S, and divide by n
        sin = Tensor(-sin.data)
    new_real = elementwise.add(matmul_op.matmul(real, cos), matmul_op.matmul(imag, sin))
    new_imag = elementwise.subtract(matmul_op.matmul(imag, cos), matmul_op.matmul(real, sin))
    if inverse:
        new_real, new_imag = elementwise.divide(new_real, float(n)), elementwise.divide(new_imag, float(n))
    return new_real, new_imag


@functional_aware
def fft(x):
    """The DFT along the last axis: ``(real, imag)`` (..., n) -> ``(real, imag)`` (..., n)."""
    return _dft_last_axis(*_complex_pair(x, "fft"))


def _two_axes(x, inverse, function_name):
    real, imag = _dft_last_axis(*_complex_pair(x, function_name), inverse=inverse)
    real, imag = shape.swapaxes(real, -1, -2), shape.swapaxes(imag, -1, -2)  # then the same along axis -2
    real, imag = _dft_last_axis(real, imag, inverse=inverse)
    return shape.swapaxes(real, -1, -2), shape.swapaxes(imag, -1, -2)


@functional_aware
def fft2(x):
    """The 2-D DFT over the last two axes: ``(real, imag)`` (..., H, W) -> the same shapes."""
    return _two_axes(x, False, "fft2")


@functional_aware
def ifft2(x):
    """The inverse 2-D DFT over the last two axes (divides by H * W)."""
    return _two_axes(x, True, "ifft2")


def _fit_length(x, length):
    """``x`` cut or zero-padded on the last axis to ``length``."""
    if x.shape[-1] >= length:
        return x[..., :length]
    return combine.pad(x, [(0, 0)] * (x.ndim - 1) + [(0, length - x.shape[-1])])


@functional_aware
def rfft(x, fft_length=None):
    """The DFT of a real signal (..., n), keeping frequencies 0 .. n // 2: two (..., n // 2 + 1) tensors.

    ``fft_length`` cuts or zero-pads the signal to that many samples first.
    """
    x = as_float(x)
    n = x.shape[-1] if fft_length is None else int(fft_length)
    x = _fit_length(x, n)
    cos, sin = _cos_sin(n, n // 2 + 1, n, x.data.dtype)
    return matmul_op.matmul(x, cos), elementwise.negative(matmul_op.matmul(x, sin))


@functional_aware
def irfft(x, fft_length=None):
    """The real signal (..., n) whose ``rfft`` is ``x = (real, imag)`` (..., m); n defaults to 2 (m - 1)."""
    real, imag = _complex_pair(x, "irfft")
    n = 2 * (real.shape[-1] - 1) if fft_length is None else int(fft_length)
    real, imag = _fit_length(real, n // 2 + 1), _fit_length(imag, n // 2 + 1)
    cos, sin = _cos_sin(n // 2 + 1, n, n, real.data.dtype)  # (m, n)
    twice = get_xp().full((n // 2 + 1, 1), 2.0)
    twice[0] = 1.0
    if n % 2 == 0:
        twice[-1] = 1.0  # the Nyquist frequency n/2 is its own mirror image
    cos, sin = Tensor(cos.data * twice.astype(cos.data.dtype)), Tensor(sin.data * twice.astype(cos.data.dtype))
    signal = elementwise.subtract(matmul_op.matmul(real, cos), matmul_op.matmul(imag, sin))
    return elementwise.divide(signal, float(n))


@functional_aware
def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of ``sequence_length`` samples every ``sequence_stride`` along the last axis:
    (..., T) -> (..., frames, sequence_length), frames = (T - sequence_length) // sequence_stride + 1."""
    x = as_tensor(x)
    frames = (x.shape[-1] - sequence_length) // sequence_stride + 1
    xp = get_xp(x.data)
    index = xp.arange(frames)[:, None] * sequence_stride + xp.arange(sequence_length)  # (frames, length)
    return combine.take(x, index, axis=x.ndim - 1)


def _window(window, sequence_length, fft_length, dtype):
    """The (fft_length,) window: ``"hann"``/``"hamming"`` (periodic, as scipy) or given, centred with zeros."""
    xp = get_xp()
    if window is None:
        values = xp.ones(sequence_length)
    elif isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError(f'If a string is passed to `window`, it must be one of `"hann"`, `"hamming"`. '
                             f"Received: window={window}")
        t = xp.arange(sequence_length)
        a = 0.5 if window == "hann" else 0.54
        values = a - (1 - a) * xp.cos(2 * math.pi * t / sequence_length)
    else:
        values = as_tensor(window).data
        if values.shape != (sequence_length,):
            raise ValueError(f"The shape of `window` must be equal to [sequence_length]. "
                             f"Received: window shape={values.shape}")
    left = (fft_length - sequence_length) // 2
    return xp.pad(values, (left, fft_length - sequence_length - left)).astype(dtype)


@functional_aware
def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """Short-time Fourier transform of real signals (..., T): two (..., frames, fft_length // 2 + 1).

    With ``center``, the signal is first padded by ``fft_length // 2`` on each
    side by reflection, so that frame f is centred on sample f * stride.
    """
    x = as_tensor(x)
    if x.dtype not in ("float32", "float64"):
        raise TypeError(f"Invalid input type. Expected `float32` or `float64`. Received: input type={x.dtype}")
    if fft_length < sequence_length:
        raise ValueError(f"`fft_length` must equal or larger than `sequence_length`. Received: "
                         f"sequence_length={sequence_length}, fft_length={fft_length}")
    if center:
        x = _reflect_pad(x, fft_length // 2)
    frames = extract_sequences(x, fft_length, sequence_stride)  # (..., frames, fft_length)
    frames = elementwise.multiply(frames, Tensor(_window(window, sequence_length, fft_length, x.data.dtype)))
    return rfft(frames)


def _reflect_pad(x, width):
    """``x`` padded by ``width`` on both ends of the last axis, mirrored without repeating the edge."""
    size = x.shape[-1]
    index = list(range(width, 0, -1)) + list(range(size)) + list(range(size - 2, size - 2 - width, -1))
    return combine.take(x, index, axis=x.ndim - 1)


@functional_aware
def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann", center=True):
    """The signal whose ``stft`` is ``x = (real, imag)`` (..., frames, fft_length // 2 + 1): (..., T).

    Each frame's inverse transform is windowed and added in place (overlap-add),
    then divided by the overlap-added squared window.
    """
    real, imag = _complex_pair(x, "istft")
    if real.ndim < 2:
        raise ValueError(f"Input `x` must have at least 2 dimensions. Received shape: {real.shape}")
    window_values = _window(window, sequence_length, fft_length, real.data.dtype)
    frames = elementwise.multiply(irfft((real, imag), fft_length), Tensor(window_values))  # (..., F, fft_length)
    count = frames.shape[-2]
    total = fft_length + sequence_stride * (count - 1)
    # overlap-add: sample j of frame f lands at position f * stride + j (a segment sum over positions)
    xp = get_xp(real.data)
    positions = (xp.arange(count)[:, None] * sequence_stride + xp.arange(fft_length)).reshape(-1)
    batch_shape = frames.shape[:-2]
    flat = shape.reshape(frames, (-1, count * fft_length))  # (B, F*fft_length)
    signal = shape.transpose(SegmentSum(positions, total)(shape.transpose(flat, (1, 0))), (1, 0))  # (B, total)
    norm = xp.zeros(total, dtype=real.data.dtype)
    xp.add.at(norm, positions, xp.tile(window_values ** 2, count))
    signal = elementwise.divide(signal, Tensor(xp.where(norm > 1e-10, norm, 1.0)))
    signal = shape.reshape(signal, batch_shape + (total,))
    start = fft_length // 2 if center else 0
    end = start + length if length is not None else (total - fft_length // 2 if center else total)
    return signal[..., start:end]
