"""Keras's "Convolutional autoencoder for image denoising" runs unchanged (on 128 bundled digits)."""

import numpy as np

import minikeras as keras
from minikeras.examples import denoising_autoencoder


def test_denoising_autoencoder_runs_and_learns(capsys, tmp_path):
    keras.utils.set_random_seed(0)
    autoencoder, first, second = denoising_autoencoder.main(["--samples", "128", "--batch-size", "64",
                                                             "--epochs", "2"])
    printed = capsys.readouterr().out
    assert "Total params: 28,353" in printed  # the example's count, as Keras prints it
    assert "(Conv2DTranspose)" in printed
    # Eight Adam steps in all: the per-pixel crossentropy falls from log(2) at the start.
    losses = first.history["loss"] + second.history["loss"]
    assert second.history["val_loss"][-1] < first.history["loss"][0] - 0.03, losses
    images = np.random.default_rng(0).random((2, 28, 28, 1), dtype=np.float32)
    outputs = autoencoder.predict(images, verbose=0)
    assert outputs.shape == (2, 28, 28, 1) and 0.0 <= outputs.min() and outputs.max() <= 1.0
    autoencoder.save(tmp_path / "autoencoder.keras")
    reloaded = keras.saving.load_model(tmp_path / "autoencoder.keras")
    np.testing.assert_allclose(reloaded.predict(images, verbose=0), outputs, atol=1e-6)
