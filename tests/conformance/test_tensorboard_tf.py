"""minikeras's TensorBoard event files read by TensorFlow's own reader (which checks every CRC)."""

import glob
import os

import numpy as np
import pytest

import minikeras

tf = pytest.importorskip("tensorflow")

pytestmark = pytest.mark.training


def test_tensorflow_reads_the_scalars_and_histograms(tmp_path):
    minikeras.utils.set_random_seed(0)
    model = minikeras.Sequential([minikeras.Input((3,)), minikeras.layers.Dense(2, name="dense")])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    x, y = np.linspace(0, 1, 24, dtype="float32").reshape(8, 3), np.ones((8, 2), "float32")
    history = model.fit(x, y, epochs=2, batch_size=4, verbose=0,
                        callbacks=[minikeras.callbacks.TensorBoard(tmp_path, histogram_freq=1)])
    (path,) = glob.glob(os.path.join(tmp_path, "train", "*"))
    scalars, histograms = {}, {}
    for event in tf.data.TFRecordDataset(path):
        parsed = tf.compat.v1.Event.FromString(event.numpy())
        for value in parsed.summary.value:
            if value.HasField("histo"):
                histograms[(value.tag, parsed.step)] = value.histo
            else:
                scalars[(value.tag, parsed.step)] = value.simple_value
    for epoch, loss in enumerate(history.history["loss"]):
        assert scalars[("epoch_loss", epoch)] == pytest.approx(loss, rel=1e-6)
        assert scalars[("epoch_mae", epoch)] == pytest.approx(history.history["mae"][epoch], rel=1e-6)
    assert scalars[("epoch_learning_rate", 0)] == pytest.approx(0.001)
    kernel = histograms[("dense/kernel/histogram", 1)]
    assert kernel.num == 6 and sum(kernel.bucket) == 6
    assert kernel.max == pytest.approx(float(model.layers[0].kernel.numpy().max()), rel=1e-6)
