"""Window functions for signal processing: ``bartlett``, ``blackman``, ``hamming``, ``hanning``, ``kaiser``.

Place in the stack: public ``keras.ops`` functions that make constant arrays
(no input tensor, so no gradient), like ``zeros`` in ``numpy.py``. A window
of ``M`` points tapers a frame to 0 (or near it) at both ends before a
Fourier transform, so that the frame's cut edges do not show up as high
frequencies; ``stft`` in ``signal.py`` multiplies each frame by one.
For n = 0 .. M-1 and t = 2 pi n / (M - 1):

    bartlett  1 - |2n / (M-1) - 1|                (a triangle)
    hanning   0.5 - 0.5 cos(t)
    hamming   0.54 - 0.46 cos(t)                  (does not reach 0)
    blackman  0.42 - 0.5 cos(t) + 0.08 cos(2t)
    kaiser    I0(beta sqrt(1 - (2n/(M-1) - 1)**2)) / I0(beta)

``M == 1`` gives ``[1.]``. Results are ``floatx()``, as in Keras. Read next: ``signal.py``.
"""

import math

from minikeras import backend
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp


def _points(x, function_name):
    """The window length M (a Python int, or a scalar tensor) and the positions 2n/(M-1) - 1 in [-1, 1]."""
    length = int(as_tensor(x).data) if not isinstance(x, int) else x
    if length < 0:
        raise ValueError(f"`{function_name}`: the window length must be >= 0. Received: x={length}")
    xp = get_xp()
    if length == 1:
        return length, xp.zeros(1)
    return length, 2.0 * xp.arange(length) / (length - 1) - 1.0


def _window(values):
    return Tensor(values.astype(backend.floatx()))


def bartlett(x):
    """The triangular window of ``x`` points: ``(x,)`` floats rising from 0 to 1 and back."""
    _, position = _points(x, "bartlett")
    return _window(1.0 - get_xp(position).abs(position))


def hanning(x):
    """The Hann window of ``x`` points (``0.5 - 0.5 cos``): ``(x,)`` floats."""
    _, position = _points(x, "hanning")
    xp = get_xp(position)
    return _window(0.5 + 0.5 * xp.cos(math.pi * position))


def hamming(x):
    """The Hamming window of ``x`` points (``0.54 - 0.46 cos``): ``(x,)`` floats."""
    _, position = _points(x, "hamming")
    xp = get_xp(position)
    return _window(0.54 + 0.46 * xp.cos(math.pi * position))


def blackman(x):
    """The Blackman window of ``x`` points: ``(x,)`` floats."""
    _, position = _points(x, "blackman")
    xp = get_xp(position)
    # t = pi (position + 1), so cos(t) = -cos(pi position) and cos(2t) = cos(2 pi position)
    return _window(0.42 + 0.5 * xp.cos(math.pi * position) + 0.08 * xp.cos(2 * math.pi * position))


def kaiser(x, beta):
    """The Kaiser window of ``x`` points; ``beta`` sets the shape (0: a rectangle; 5: near Hamming)."""
    _, position = _points(x, "kaiser")
    xp = get_xp(position)
    beta = float(as_tensor(beta).data)
    return _window(xp.i0(beta * xp.sqrt(xp.clip(1.0 - position ** 2, 0.0, None))) / xp.i0(beta))
