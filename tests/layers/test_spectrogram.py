"""STFTSpectrogram and MelSpectrogram: against NumPy's FFT, shapes, training the kernels, errors."""

import numpy as np
import pytest

from minikeras import layers
from minikeras import ops
from tests.layers.harness import check_layer
from tests.layers.harness import check_layer_gradients

RNG = np.random.default_rng(0)


def _frames(signal, length, step):
    count = (len(signal) - length) // step + 1
    return np.stack([signal[i * step:i * step + length] for i in range(count)])  # (F, length)


def test_stft_spectrogram_is_numpys_fft_of_each_frame():
    x = RNG.normal(size=(1, 32, 2))
    layer = layers.STFTSpectrogram(mode="stft", frame_length=8, frame_step=4, window=None, scaling=None,
                                   dtype="float64")
    output = layer(x).numpy()  # (1, F, C * 2K): channel 0's real and imaginary bins, then channel 1's
    for channel in range(2):
        expected = np.fft.rfft(_frames(x[0, :, channel], 8, 4), axis=-1)  # (F, K)
        got = output[0, :, channel * 10:(channel + 1) * 10]
        np.testing.assert_allclose(got[:, :5] + 1j * got[:, 5:], expected, atol=1e-10)


def test_modes_are_functions_of_the_same_transform():
    x = RNG.normal(size=(2, 24, 1)).astype("float32")
    out = {mode: layers.STFTSpectrogram(mode=mode, frame_length=8)(x).numpy() for mode in ("real", "imag", "psd",
                                                                                             "magnitude", "log")}
    power = out["real"] ** 2 + out["imag"] ** 2
    np.testing.assert_allclose(out["magnitude"], np.sqrt(power), rtol=1e-5)
    np.testing.assert_allclose(out["log"], np.log(out["magnitude"]), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out["psd"][..., [0, -1]], power[..., [0, -1]], rtol=1e-5)  # DC and Nyquist once
    np.testing.assert_allclose(out["psd"][..., 1:-1], 2 * power[..., 1:-1], rtol=1e-5)  # the rest twice


def test_harness_and_gradients_of_the_trainable_kernels():
    check_layer(lambda: layers.STFTSpectrogram(mode="magnitude", frame_length=8, frame_step=4), RNG.normal(
        size=(2, 24, 1)).astype("float32"), (2, 5, 5), 2)
    check_layer_gradients(layers.STFTSpectrogram(mode="psd", frame_length=4, dtype="float64"),
                          RNG.normal(size=(1, 12, 1)))


def test_mel_filter_bank_triangles_peak_at_one_and_skip_dc():
    from minikeras.layers.spectrogram import linear_to_mel_weight_matrix
    matrix = linear_to_mel_weight_matrix(6, 65, 16000, 20.0, 8000.0, dtype="float64")
    assert matrix.shape == (65, 6)
    np.testing.assert_array_equal(matrix[0], 0.0)
    assert np.all(matrix >= 0) and np.all(matrix.max(axis=0) <= 1.0) and np.all(matrix.max(axis=0) > 0.5)
    assert np.all(np.diff(matrix.argmax(axis=0)) > 0)  # band centres rise with the band index


def test_mel_spectrogram_of_one_signal_and_of_a_batch():
    signal = RNG.normal(size=50).astype("float32")
    layer = layers.MelSpectrogram(fft_length=16, sequence_stride=4, num_mel_bins=5, power_to_db=False)
    single = layer(signal).numpy()
    assert single.shape == (5, 13) == layer.compute_output_shape((50,))
    np.testing.assert_allclose(layer(np.stack([signal, signal])).numpy()[1], single, rtol=1e-6)
    real, imag = ops.stft(signal, 16, 4, 16)
    power = real.numpy() ** 2 + imag.numpy() ** 2  # (F, 9)
    from minikeras.layers.spectrogram import linear_to_mel_weight_matrix
    np.testing.assert_allclose(single, (power @ linear_to_mel_weight_matrix(5, 9, 16000, 20.0, 8000)).T,
                               rtol=1e-5, atol=1e-6)
    decibels = layers.MelSpectrogram(fft_length=16, sequence_stride=4, num_mel_bins=5, top_db=30.0)(signal).numpy()
    np.testing.assert_allclose(decibels, np.maximum(10 * np.log10(np.maximum(single, 1e-10)),
                                                    10 * np.log10(single.max()) - 30.0), rtol=1e-5, atol=1e-4)


def test_bad_inputs_and_arguments_are_named():
    with pytest.raises(ValueError, match=r"Input 0 of layer 'stft' .*expected ndim=3, found ndim=2.*\(2, 40\)"):
        layers.STFTSpectrogram(frame_length=8, name="stft")(np.zeros((2, 40), "float32"))
    with pytest.raises(TypeError, match="Expected `float16`, `float32` or `float64`"):
        layers.STFTSpectrogram(frame_length=8)(np.zeros((2, 40, 1), "int32"))
    with pytest.raises(ValueError, match="Output mode is invalid"):
        layers.STFTSpectrogram(mode="power")
    with pytest.raises(ValueError, match="`frame_step` should be a positive integer"):
        layers.STFTSpectrogram(frame_length=8, frame_step=9)
    with pytest.raises(ValueError, match=r"MelSpectrogram layer 'mel' expects signals .*\(2, 3, 40\)"):
        layers.MelSpectrogram(name="mel")(np.zeros((2, 3, 40), "float32"))
    with pytest.raises(ValueError, match="`fft_length` must be greater than or equal to"):
        layers.MelSpectrogram(fft_length=16, sequence_length=32)
