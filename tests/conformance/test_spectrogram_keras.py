"""STFTSpectrogram, MelSpectrogram and the STFT initializer against Keras 3.15.1.

Same kernels and outputs (float32, 1e-5) for every mode, both data formats,
padding, windows and scalings; weights' names and shapes; configs equal and
rebuilt by either library; the initializer's values and config; ``summary()``
and a ``.keras`` file of a small audio model, both ways. Skips when Keras is
not installed.
"""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")

import minikeras  # noqa: E402
from tests.conformance.test_summary_keras import summary_text  # noqa: E402

pytestmark = pytest.mark.layers
RNG = np.random.default_rng(18)
OTHER = {"expand_dims": True, "padding": "same", "frame_step": 3, "fft_length": 16, "window": "hamming",
         "periodic": True, "scaling": "spectrum"}


# (data format, modes, other arguments): every mode once, a few again with the other arguments.
STFT_CASES = [
    ("channels_last", ("log", "magnitude", "psd", "real", "imag", "angle", "stft"), {}),
    ("channels_last", ("log", "stft"), OTHER),
    ("channels_first", ("psd", "angle"), {}),
    ("channels_first", ("magnitude", "stft"), OTHER),
]


@pytest.mark.parametrize("data_format, modes, kwargs", STFT_CASES, ids=[str(i) for i in range(len(STFT_CASES))])
def test_stft_spectrogram_modes(data_format, modes, kwargs):
    x = RNG.normal(size=(2, 40, 2) if data_format == "channels_last" else (2, 2, 40)).astype("float32")
    for mode in modes:
        arguments = {"mode": mode, "frame_length": 8, "data_format": data_format, "name": "stft", **kwargs}
        ours = minikeras.layers.STFTSpectrogram(**arguments)
        theirs = keras.layers.STFTSpectrogram(**arguments)
        got, expected = ours(x).numpy(), np.asarray(theirs(x))
        assert [(w.path, tuple(w.shape)) for w in ours.weights] == \
            [(w.path, tuple(w.shape)) for w in theirs.weights]
        for mine, reference in zip(ours.weights, theirs.weights):
            np.testing.assert_allclose(mine.numpy(), np.asarray(reference), rtol=1e-6, atol=1e-6)
        if mode == "angle":  # the same angle may be written pi or -pi
            got, expected = np.exp(1j * got), np.exp(1j * expected)
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5, err_msg=f"{mode} {kwargs}")
        symbolic = (None,) + x.shape[1:]
        assert tuple(ours.compute_output_shape(symbolic)) == tuple(theirs.compute_output_shape(symbolic))
        config = ours.get_config()
        assert config == theirs.get_config()
        assert type(theirs).from_config(config).get_config() == config


def test_stft_initializer_values_names_and_config():
    for arguments in ({}, {"side": "imag", "window": "hamming", "scaling": "spectrum", "periodic": True},
                      {"window": None, "scaling": None}, {"window": np.linspace(0, 1, 6), "side": "imag"}):
        ours, theirs = minikeras.initializers.STFT(**arguments), keras.initializers.STFT(**arguments)
        np.testing.assert_allclose(np.asarray(ours((6, 1, 5))), np.asarray(theirs((6, 1, 5))), rtol=1e-6, atol=1e-6)
    config = {"side": "imag", "window": "blackman", "periodic": True, "scaling": "density"}
    serialized = keras.initializers.serialize(keras.initializers.STFT(**config))
    assert minikeras.initializers.serialize(minikeras.initializers.STFT(**config)) == serialized
    assert minikeras.initializers.deserialize(serialized).get_config() == config
    assert minikeras.initializers.stft is minikeras.initializers.STFTInitializer is minikeras.initializers.STFT
    for library in (minikeras, keras):
        with pytest.raises(ValueError, match="side should be 'real' or 'imag'"):
            library.initializers.STFT(side="both")


def test_mel_spectrogram():
    shape = (2, 64)  # one signal (64,) and power_to_db=False are checked in tests/layers/test_spectrogram.py
    x = RNG.normal(size=shape).astype("float32")
    # One configuration, every argument away from its default (each new one costs Keras seconds of compiling).
    arguments = {"fft_length": 16, "sequence_stride": 4, "sequence_length": 12, "window": "hamming",
                 "sampling_rate": 8000, "num_mel_bins": 4, "min_freq": 100.0, "max_freq": 3000, "top_db": 20.0,
                 "mag_exp": 1.0, "ref_power": 2.0}
    ours = minikeras.layers.MelSpectrogram(name="mel", **arguments)
    theirs = keras.layers.MelSpectrogram(name="mel", **arguments)
    np.testing.assert_allclose(ours(x).numpy(), np.asarray(theirs(x)), rtol=1e-5, atol=1e-5)
    assert tuple(ours.compute_output_shape(shape)) == tuple(theirs.compute_output_shape(shape))
    config = ours.get_config()
    assert config == theirs.get_config()
    assert type(theirs).from_config(config).get_config() == config


def _model(library):
    """Two-channel audio -> trainable STFT front end -> a score per clip."""
    L = library.layers
    audio = library.Input((40, 2), name="audio")
    x = L.STFTSpectrogram(frame_length=8, frame_step=4, name="stft")(audio)
    outputs = L.Dense(1, name="score")(L.GlobalAveragePooling1D(name="pool")(x))
    return library.Model(audio, outputs, name="listener")


def test_summary_and_keras_file_both_ways(tmp_path, monkeypatch):
    monkeypatch.setitem(os.environ, "COLUMNS", "200")  # no cropping by rich
    x = RNG.normal(size=(2, 40, 2)).astype("float32")
    theirs, ours = _model(keras), _model(minikeras)
    assert summary_text(ours, line_length=100) == summary_text(theirs, line_length=100)
    weights = [np.asarray(w) + 0.01 * RNG.normal(size=w.shape).astype("float32") for w in theirs.weights]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    expected = np.asarray(theirs(x))
    np.testing.assert_allclose(ours(x).numpy(), expected, rtol=1e-5, atol=1e-5)
    theirs.save(tmp_path / "keras.keras")
    loaded = minikeras.saving.load_model(tmp_path / "keras.keras")
    np.testing.assert_allclose(loaded(x).numpy(), expected, rtol=1e-5, atol=1e-5)
    loaded.save(tmp_path / "minikeras.keras")
    back = keras.saving.load_model(tmp_path / "minikeras.keras")
    np.testing.assert_allclose(np.asarray(back(x)), expected, rtol=1e-5, atol=1e-5)
