"""The main job runs end to end (on a few hundred bundled digits), and the guide's
convnet learns real MNIST (the slow test, on ../shared/datasets/mnist-t10k)."""

import os

import numpy as np
import pytest

import minikeras as keras
from minikeras.datasets import mnist
from minikeras.examples import mnist_convnet


def test_main_job_runs_end_to_end(tmp_path, capsys):
    mnist_convnet.main(["--epochs", "1", "--samples", "200", "--batch-size", "64", "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert "x_train shape: (200, 28, 28, 1)" in printed and "Total params: 260,298" in printed
    assert "Test accuracy:" in printed.strip().splitlines()[-1]
    assert sorted(os.listdir(tmp_path)) == ["final_model.keras", "model_at_epoch_1.keras"]
    reloaded = keras.saving.load_model(tmp_path / "final_model.keras")
    again = keras.saving.load_model(tmp_path / "final_model.keras")
    x = np.zeros((2, 28, 28, 1), "float32")
    np.testing.assert_array_equal(reloaded.predict(x, verbose=0), again.predict(x, verbose=0))


T10K = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "datasets", "mnist-t10k")


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir(T10K), reason="../shared/datasets/mnist-t10k is absent")
def test_guide_convnet_reaches_089_on_real_mnist():
    images, labels = mnist.load_idx(os.path.join(T10K, "t10k-images-idx3-ubyte.gz"),
                                    os.path.join(T10K, "t10k-labels-idx1-ubyte.gz"))
    x = np.expand_dims(images.astype("float32") / 255, -1)  # (10000, 28, 28) -> (10000, 28, 28, 1)
    keras.utils.set_random_seed(0)
    model = mnist_convnet.build_model()
    mnist_convnet.compile_model(model)
    history = model.fit(x[:8000], labels[:8000], batch_size=128, epochs=2,
                        validation_data=(x[8000:], labels[8000:]), verbose=0)
    val_accuracy = history.history["val_acc"][-1]
    print(f"validation accuracy after 2 epochs: {val_accuracy:.4f}")
    assert val_accuracy >= 0.89
