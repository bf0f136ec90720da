"""``STFT``: convolution kernels that compute a short-time Fourier transform.

Place in the stack: an initializer beside ``initializer.py``, used by
``layers/spectrogram.py``. The discrete Fourier transform of a frame
``x[0..T-1]`` at frequency bin ``k`` of an ``n``-point transform is

    X[k] = sum_t x[t] * exp(-2 pi i t k / n)
         = sum_t x[t] * cos(2 pi t k / n)  -  i * sum_t x[t] * sin(2 pi t k / n)

Each bin is a dot product of the frame with a fixed wave: exactly what one
filter of a ``Conv1D`` computes at each position. So a ``Conv1D`` whose
``K = n // 2 + 1`` filters are ``cos(-2 pi t k / n)`` ("real" side) and another
with ``sin(-2 pi t k / n)`` ("imag" side), slid over a signal with stride
``frame_step``, is a short-time Fourier transform. Bins above ``n / 2`` are
left out: for a real signal they mirror the lower ones.

Each wave is multiplied by a window (Hann by default: frames fade in and out,
so their edges do not smear energy over all bins) and divided by the window's
L2 norm (``scaling="density"``) or its sum (``"spectrum"``). Windows come from
``scipy.signal.get_window``, as in Keras. Read next: ``layers/spectrogram.py``.
"""

import math

import numpy

from minikeras import backend
from minikeras.initializers.initializer import Initializer


def _check_window(window):
    """A window name scipy does not know fails now, with scipy's message (as Keras)."""
    if isinstance(window, str):
        import scipy.signal
        scipy.signal.get_window(window, 1)


class STFT(Initializer):
    """Kernels ``(T, 1, K)`` of the real or imaginary part of a windowed Fourier transform.

    Args:
        side: ``"real"`` (cosines, default) or ``"imag"`` (minus sines).
        window: a name of ``scipy.signal.windows`` (``"hann"``, default), an
            array of ``T`` values, or None (no window).
        scaling: ``"density"`` (divide by the window's L2 norm, default),
            ``"spectrum"`` (by its sum) or None.
        periodic: use the periodic form of a named window (default False: symmetric).

    Called with ``shape = (T, 1, K)``: ``T`` the frame length, ``K = n // 2 + 1``
    the frequency bins of an ``n = 2 (K - 1)``-point transform.
    """

    def __init__(self, side="real", window="hann", scaling="density", periodic=False):
        if side not in ("real", "imag"):
            raise ValueError(f"side should be 'real' or 'imag', not {side}")
        _check_window(window)
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError("Scaling is invalid, it must be `None`, 'density' or 'spectrum'. "
                             f"Received scaling={scaling}")
        self.side = side
        self.window = window
        self.scaling = scaling
        self.periodic = periodic

    def __call__(self, shape, dtype=None):
        dtype = backend.standardize_dtype(dtype) or backend.floatx()
        frame_length, _, bins = shape
        # 1. The waves: angle -2 pi t k / n for time t (rows) and bin k (columns).
        n = 2 * (bins - 1)
        time = numpy.arange(frame_length, dtype=dtype).reshape(frame_length, 1, 1)
        frequency = numpy.arange(bins, dtype=dtype).reshape(1, 1, bins) / numpy.asarray(n, dtype)
        angle = -2 * time * frequency * numpy.asarray(math.pi, dtype)  # (T, 1, K)
        kernel = numpy.cos(angle) if self.side == "real" else numpy.sin(angle)
        # 2. The window, and its normalisation.
        window = self._window(frame_length, dtype)
        if window is not None:
            kernel = kernel * window.reshape(frame_length, 1, 1)
            if self.scaling == "density":
                kernel = kernel / numpy.sqrt(numpy.sum(numpy.square(window)))
            elif self.scaling == "spectrum":
                kernel = kernel / numpy.sum(numpy.abs(window))
        return backend.convert_to_tensor(kernel.astype(dtype), dtype=dtype)

    def _window(self, frame_length, dtype):
        """The ``(T,)`` window values, or None."""
        if self.window is None:
            return None
        window = self.window
        if isinstance(window, str):
            import scipy.signal
            window = scipy.signal.get_window(window, frame_length, self.periodic)
        window = numpy.asarray(window, dtype=dtype)
        if window.shape != (frame_length,):
            raise ValueError(f"The shape of `window` must be equal to [frame_length].Received: "
                             f"window shape={window.shape}")
        return window

    def get_config(self):
        return {"side": self.side, "window": self.window, "periodic": self.periodic, "scaling": self.scaling}
