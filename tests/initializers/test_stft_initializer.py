"""The STFT initializer: its kernels are the DFT matrix, times a normalised window."""

import numpy as np
import pytest

from minikeras import initializers


def test_unwindowed_kernels_are_numpys_real_fft():
    # A frame x of n samples: sum_t x[t] * kernel[t, 0, k] is numpy's rfft(x)[k].
    n = 8
    real = np.asarray(initializers.STFT("real", window=None, scaling=None)((n, 1, n // 2 + 1), dtype="float64"))
    imag = np.asarray(initializers.STFT("imag", window=None, scaling=None)((n, 1, n // 2 + 1), dtype="float64"))
    x = np.random.default_rng(0).normal(size=n)
    np.testing.assert_allclose(x @ real[:, 0] + 1j * (x @ imag[:, 0]), np.fft.rfft(x), atol=1e-12)


def test_window_and_scalings():
    window = np.hanning(6)  # numpy's Hann is scipy's symmetric one
    plain = np.asarray(initializers.STFT(window=None, scaling=None)((6, 1, 5), dtype="float64"))
    density = np.asarray(initializers.STFT()((6, 1, 5), dtype="float64"))
    spectrum = np.asarray(initializers.STFT(scaling="spectrum")((6, 1, 5), dtype="float64"))
    np.testing.assert_allclose(density, plain * window[:, None, None] / np.sqrt(np.sum(window ** 2)), atol=1e-12)
    np.testing.assert_allclose(spectrum, plain * window[:, None, None] / np.sum(window), atol=1e-12)
    assert np.asarray(initializers.get("stft")((6, 1, 5))).dtype == "float32"


def test_config_round_trip_and_errors():
    initializer = initializers.STFT("imag", "hamming", "spectrum", periodic=True)
    assert initializers.STFT.from_config(initializer.get_config()).get_config() == initializer.get_config()
    with pytest.raises(ValueError, match="side should be 'real' or 'imag'"):
        initializers.STFT(side="complex")
    with pytest.raises(ValueError, match="Scaling is invalid"):
        initializers.STFT(scaling="l2")
    with pytest.raises(ValueError, match=r"shape of `window` must be equal to \[frame_length\]"):
        initializers.STFT(window=np.ones(5))((6, 1, 5))
