"""``STFTSpectrogram`` and ``MelSpectrogram``: sound to pictures of its frequencies over time.

Place in the stack: concrete layers over ``ops.conv`` and ``ops.stft``
(``ops/signal.py``); read ``initializers/stft_initializer.py`` first. A
spectrogram cuts a signal into short overlapping frames and takes the Fourier
transform of each: row ``t`` says how much of each frequency frame ``t`` holds.

* ``STFTSpectrogram`` computes the transform as a ``Conv1D`` whose kernels are
  the ``STFT`` initializer's windowed cosines and sines (``real_kernel`` and
  ``imag_kernel``, ``(frame_length, 1, K)`` with ``K = fft_length // 2 + 1``),
  slid with stride ``frame_step``. They are ordinary weights, so a model can
  fine-tune its own front end (or freeze it with ``trainable=False``). Each
  input channel is transformed separately. ``mode`` picks what comes out:
  ``"real"``, ``"imag"``, ``"stft"`` (both, concatenated), ``"angle"``
  (the phase), ``"psd"`` (power, the mirrored bins counted twice),
  ``"magnitude"`` or ``"log"`` (of the magnitude, the default).
* ``MelSpectrogram`` has no weights: ``ops.stft`` of a centred signal, the
  magnitude to the power ``mag_exp``, then a fixed matrix that sums the
  linear frequency bins into ``num_mel_bins`` triangular bands evenly spaced
  on the mel scale (``mel = 1127 ln(1 + f / 700)``, close to how pitch is
  heard), then decibels ``10 log10(power / ref_power)`` clipped ``top_db``
  below the loudest value. Read next: ``preprocessing.py``.
"""

import math
import warnings

import numpy

from minikeras import backend
from minikeras import initializers
from minikeras import ops
from minikeras.initializers.stft_initializer import _check_window
from minikeras.kernels.geometry import conv_output_length
from minikeras.layers.input_spec import InputSpec
from minikeras.layers.layer import Layer
from minikeras.utils.argument_validation import check_data_format

MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")


class STFTSpectrogram(Layer):
    """Spectrograms of 1-D signals by a convolution with Fourier kernels (see the module docstring).

    Args:
        mode: one of ``MODES`` (default ``"log"``).
        frame_length: samples per frame ``T`` (default 256).
        frame_step: samples between frames (default ``frame_length // 2``).
        fft_length: points ``n`` of the transform (default: the power of two
            at or above ``frame_length``); ``K = n // 2 + 1`` bins come out.
        window, periodic, scaling: the ``STFT`` initializer's arguments.
        padding: ``"valid"`` (default) or ``"same"``, of the convolution.
        expand_dims: keep channels and bins apart as two axes.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: ``Layer`` arguments.

    Shapes (channels last; ``F`` frames, ``C`` channels):
        ``(N, time, C)`` -> ``(N, F, C * K)``, or ``(N, F, K, C)`` with
        ``expand_dims`` (channels first: ``(N, C * K, F)`` or ``(N, C, F, K)``);
        ``"stft"`` gives ``2K`` bins.
    """

    def __init__(self, mode="log", frame_length=256, frame_step=None, fft_length=None, window="hann",
                 periodic=False, scaling="density", padding="valid", expand_dims=False, data_format=None,
                 **kwargs):
        if frame_step is not None and (frame_step > frame_length or frame_step < 1):
            raise ValueError("`frame_step` should be a positive integer not greater than `frame_length`. "
                             f"Received frame_step={frame_step}, frame_length={frame_length}")
        if fft_length is not None and fft_length < frame_length:
            raise ValueError("`fft_length` should be not less than `frame_length`. "
                             f"Received fft_length={fft_length}, frame_length={frame_length}")
        if fft_length is not None and (fft_length & -fft_length) != fft_length:
            warnings.warn(f"`fft_length` is recommended to be a power of two. Received fft_length={fft_length}",
                          stacklevel=2)
        if mode not in MODES:
            raise ValueError(f"Output mode is invalid, it must be one of {', '.join(MODES)}. Received: mode={mode}")
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError(f"Scaling is invalid, it must be `None`, 'density' or 'spectrum'. "
                             f"Received scaling={scaling}")
        if padding not in ("valid", "same"):
            raise ValueError(f"Padding is invalid, it should be 'valid', 'same'. Received: padding={padding}")
        _check_window(window)
        super().__init__(**kwargs)
        self.mode, self.frame_length, self.frame_step, self.fft_length = mode, frame_length, frame_step, fft_length
        self._frame_step = frame_step or frame_length // 2
        self._fft_length = fft_length or 2 ** int(math.ceil(math.log2(frame_length)))
        self.window, self.periodic, self.scaling, self.padding = window, periodic, scaling, padding
        self.expand_dims = expand_dims
        self.data_format = check_data_format(data_format, "STFTSpectrogram")
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape):
        shape = (self.frame_length, 1, self._fft_length // 2 + 1)  # (T, 1, K)
        if self.mode != "imag":
            self.real_kernel = self.add_weight(name="real_kernel", shape=shape, initializer=initializers.STFT(
                "real", self.window, self.scaling, self.periodic))
        if self.mode != "real":
            self.imag_kernel = self.add_weight(name="imag_kernel", shape=shape, initializer=initializers.STFT(
                "imag", self.window, self.scaling, self.periodic))
        self.built = True

    def call(self, inputs):
        if inputs.dtype not in ("float16", "float32", "float64"):
            raise TypeError("Invalid input type. Expected `float16`, `float32` or `float64`. "
                            f"Received: input type={inputs.dtype}")
        real = self._transform(inputs, self.real_kernel) if self.mode != "imag" else None
        imag = self._transform(inputs, self.imag_kernel) if self.mode != "real" else None
        if self.mode in ("real", "imag"):
            return self._arrange(real if self.mode == "real" else imag)
        if self.mode == "angle":
            return self._arrange(ops.arctan2(imag, real))
        if self.mode == "stft":
            return self._arrange(ops.concatenate([real, imag], axis=-1))  # K real bins, then K imaginary
        power = ops.square(real) + ops.square(imag)
        if self.mode == "psd":
            # Bins 1 .. K-2 stand for themselves and their mirror images above n / 2.
            return self._arrange(power + ops.pad(power[..., 1:-1], [(0, 0), (0, 0), (0, 0), (1, 1)]))
        magnitude = self._arrange(ops.sqrt(ops.maximum(power, backend.epsilon())))
        if self.mode == "magnitude":
            return magnitude
        return ops.log(ops.maximum(magnitude, backend.epsilon()))

    def _transform(self, inputs, kernel):
        """One side of the transform of every channel: ``(N, time, C)`` -> ``(N, C, F, K)``."""
        if self.data_format == "channels_last":
            inputs = ops.transpose(inputs, (0, 2, 1))  # (N, time, C) -> (N, C, time)
        batch, channels, length = inputs.shape
        signals = ops.reshape(inputs, (-1, length, 1))  # (N, C, time) -> (N*C, time, 1): one signal each
        outputs = ops.conv(signals, ops.cast(kernel, inputs.dtype), strides=self._frame_step,
                           padding=self.padding)  # (N*C, F, K)
        return ops.reshape(outputs, (-1, channels) + tuple(outputs.shape[1:]))

    def _arrange(self, outputs):
        """``(N, C, F, K)`` -> the layout of the class docstring (C-major when C and K merge)."""
        batch, channels, frames, bins = outputs.shape
        if self.data_format == "channels_last":
            if self.expand_dims:
                return ops.transpose(outputs, (0, 2, 3, 1))  # (N, F, K, C)
            return ops.reshape(ops.transpose(outputs, (0, 2, 1, 3)), (-1, frames, channels * bins))
        if self.expand_dims:
            return outputs  # (N, C, F, K)
        return ops.reshape(ops.transpose(outputs, (0, 1, 3, 2)), (-1, channels * bins, frames))

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            batch, length, channels = input_shape
        else:
            batch, channels, length = input_shape
        bins = (self._fft_length // 2 + 1) * (2 if self.mode == "stft" else 1)
        frames = conv_output_length(length, self.frame_length, self.padding, self._frame_step)
        if self.data_format == "channels_last":
            return (batch, frames, bins, channels) if self.expand_dims else (batch, frames, channels * bins)
        return (batch, channels, frames, bins) if self.expand_dims else (batch, channels * bins, frames)

    def get_config(self):
        return {**super().get_config(), "mode": self.mode, "frame_length": self.frame_length,
                "frame_step": self.frame_step, "fft_length": self.fft_length, "window": self.window,
                "periodic": self.periodic, "scaling": self.scaling, "padding": self.padding,
                "data_format": self.data_format, "expand_dims": self.expand_dims}


def hertz_to_mel(frequencies):
    """The HTK mel scale: ``1127 ln(1 + f / 700)`` (equal steps sound about equally far apart)."""
    return 1127.0 * numpy.log(1.0 + frequencies / 700.0)


def linear_to_mel_weight_matrix(num_mel_bins, num_spectrogram_bins, sampling_rate, lower_edge_hertz,
                                upper_edge_hertz, dtype="float32"):
    """The ``(num_spectrogram_bins, num_mel_bins)`` matrix that sums linear bins into mel bands.

    Band ``m`` is a triangle on the mel axis, rising from edge ``m`` to a peak
    of 1 at edge ``m + 1`` and falling to 0 at edge ``m + 2``, the
    ``num_mel_bins + 2`` edges spaced evenly in mels from ``lower_edge_hertz``
    to ``upper_edge_hertz``. The DC bin (0 Hz) gets no weight (HTK's convention).
    """
    # 1. The mel value of each linear bin, 0 .. sampling_rate / 2 (DC left out): (bins - 1, 1).
    frequencies = numpy.linspace(0.0, sampling_rate / 2.0, num_spectrogram_bins, dtype=dtype)[1:]
    bins_mel = hertz_to_mel(frequencies)[:, None]
    # 2. Each band's lower edge, centre and upper edge: (1, num_mel_bins) each.
    edges = numpy.linspace(hertz_to_mel(numpy.asarray(lower_edge_hertz, dtype)),
                           hertz_to_mel(numpy.asarray(upper_edge_hertz, dtype)), num_mel_bins + 2, dtype=dtype)
    lower, center, upper = edges[None, :-2], edges[None, 1:-1], edges[None, 2:]
    # 3. The rising and falling sides of each triangle, cut at zero.
    rising = (bins_mel - lower) / (center - lower)
    falling = (upper - bins_mel) / (upper - center)
    weights = numpy.maximum(0.0, numpy.minimum(rising, falling))
    return numpy.pad(weights, [(1, 0), (0, 0)]).astype(dtype)  # the DC row back, all zeros


class MelSpectrogram(Layer):
    """Mel-scaled (decibel) spectrograms of raw audio (see the module docstring); no weights.

    Args:
        fft_length: points of each transform (2048).
        sequence_stride: samples between frames (512).
        sequence_length: samples per frame (default ``fft_length``).
        window: ``"hann"`` (default), ``"hamming"``, an array or None.
        sampling_rate: samples per second (16000).
        num_mel_bins: mel bands (128).
        min_freq, max_freq: the bands' range in Hz (20, default ``sampling_rate / 2``).
        power_to_db: convert to decibels (True); top_db: dynamic range kept (80).
        mag_exp: the magnitude's exponent (2: power).
        min_power, ref_power: floor and reference of the decibel scale.
        **kwargs: ``Layer`` arguments.

    Shapes:
        ``(time,)`` -> ``(num_mel_bins, F)`` and ``(N, time)`` -> ``(N, num_mel_bins, F)``,
        ``F = 1 + time // sequence_stride`` (the signal is centred).
    """

    def __init__(self, fft_length=2048, sequence_stride=512, sequence_length=None, window="hann",
                 sampling_rate=16000, num_mel_bins=128, min_freq=20.0, max_freq=None, power_to_db=True,
                 top_db=80.0, mag_exp=2.0, min_power=1e-10, ref_power=1.0, **kwargs):
        self.fft_length = fft_length
        self.sequence_stride = sequence_stride
        self.sequence_length = sequence_length or fft_length
        if self.fft_length < self.sequence_length:
            raise ValueError("`fft_length` must be greater than or equal to   `sequence_length`. Received: "
                             f"`sequence_length`={self.sequence_length}, `fft_length`={self.fft_length}.")
        self.window, self.sampling_rate, self.num_mel_bins = window, sampling_rate, num_mel_bins
        self.min_freq, self.max_freq = min_freq, max_freq or int(sampling_rate / 2)
        self.power_to_db, self.top_db, self.mag_exp = power_to_db, top_db, mag_exp
        self.min_power, self.ref_power = min_power, ref_power
        super().__init__(**kwargs)

    def call(self, inputs):
        if inputs.ndim not in (1, 2):
            raise ValueError(f"MelSpectrogram layer '{self.name}' expects signals of shape (time,) or "
                             f"(batch, time); received an input of shape {tuple(inputs.shape)}.")
        dtype = self.compute_dtype if self.compute_dtype in ("float32", "float64") else "float32"
        inputs = ops.cast(inputs, dtype)
        # 1. |STFT| ** mag_exp of the centred signal: (..., F, fft_length // 2 + 1).
        real, imag = ops.stft(inputs, self.sequence_length, self.sequence_stride, self.fft_length,
                              window=self.window, center=True)
        spectrogram = ops.power(ops.sqrt(ops.square(real) + ops.square(imag)), self.mag_exp)
        # 2. Linear bins -> mel bands: (..., F, bins) @ (bins, M) -> (..., F, M).
        matrix = linear_to_mel_weight_matrix(self.num_mel_bins, spectrogram.shape[-1], self.sampling_rate,
                                             self.min_freq, self.max_freq)
        outputs = ops.tensordot(spectrogram, ops.convert_to_tensor(matrix, dtype=dtype), axes=1)
        if self.power_to_db:
            outputs = self._decibels(outputs)
        return ops.cast(ops.swapaxes(outputs, -1, -2), self.compute_dtype)  # (..., F, M) -> (..., M, F)

    def _decibels(self, power):
        """``10 log10(power / ref_power)``, floored at ``min_power`` and ``top_db`` below the batch's loudest."""
        decibels = 10.0 * ops.log10(ops.maximum(power, self.min_power))
        decibels = decibels - 10.0 * math.log10(max(abs(self.ref_power), self.min_power))
        return ops.maximum(decibels, ops.max(decibels) - self.top_db)

    def compute_output_shape(self, input_shape):
        length = input_shape[-1]
        frames = None if length is None else 1 + length // self.sequence_stride
        return tuple(input_shape[:-1]) + (self.num_mel_bins, frames)

    def get_config(self):
        return {**super().get_config(), "fft_length": self.fft_length, "sequence_stride": self.sequence_stride,
                "sequence_length": self.sequence_length, "window": self.window,
                "sampling_rate": self.sampling_rate, "num_mel_bins": self.num_mel_bins,
                "min_freq": self.min_freq, "max_freq": self.max_freq, "power_to_db": self.power_to_db,
                "top_db": self.top_db, "mag_exp": self.mag_exp, "min_power": self.min_power,
                "ref_power": self.ref_power}
