"""TensorBoard event files written without TensorFlow: the CRC, the framing, and what fit logs.

The files are read back here with a small TFRecord reader; TensorFlow's own
reader checks them in ``tests/conformance/test_tensorboard_tf.py``.
"""

import glob
import os
import struct

import numpy as np
import pytest

import minikeras as keras
from minikeras.callbacks import event_file


def test_crc32c_known_answer_and_framing():
    assert event_file.crc32c(b"123456789") == 0xE3069283  # the standard CRC-32C check value
    frame = event_file.tfrecord(b"abc")
    (length,) = struct.unpack("<Q", frame[:8])
    assert length == 3 and frame[12:15] == b"abc" and len(frame) == 8 + 4 + 3 + 4
    assert struct.unpack("<I", frame[15:])[0] == event_file.masked_crc32c(b"abc")


def _records(path):
    """The data of every TFRecord frame in ``path``, checking both CRCs."""
    data, records = open(path, "rb").read(), []
    while data:
        header, data = data[:12], data[12:]
        (length,), (length_crc,) = struct.unpack("<Q", header[:8]), struct.unpack("<I", header[8:])
        assert length_crc == event_file.masked_crc32c(header[:8])
        payload, (crc,), data = data[:length], struct.unpack("<I", data[length:length + 4]), data[length + 4:]
        assert crc == event_file.masked_crc32c(payload)
        records.append(payload)
    return records


def test_fit_writes_train_and_validation_events(tmp_path):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="dense")])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((8, 3), "float32"), np.zeros((8, 2), "float32")
    board = keras.callbacks.TensorBoard(tmp_path, histogram_freq=1, update_freq=2)
    model.fit(x, y, epochs=2, batch_size=2, validation_data=(x, y), verbose=0, callbacks=[board])
    (train,) = glob.glob(os.path.join(tmp_path, "train", "events.out.tfevents.*.v2"))
    (validation,) = glob.glob(os.path.join(tmp_path, "validation", "events.out.tfevents.*.v2"))
    records = _records(train)
    assert b"brain.Event:2" in records[0]
    # update_freq=2 over 8 batches: batch_loss at steps 2, 4, 6, 8; two epoch_loss; histograms of 2 weights.
    assert sum(b"batch_loss" in record for record in records) == 4
    assert sum(b"epoch_loss" in record for record in records) == 2
    assert sum(b"dense/kernel/histogram" in record for record in records) == 2
    assert sum(b"epoch_loss" in record for record in _records(validation)) == 2


def test_tensorflow_only_options_are_refused():
    with pytest.raises(ValueError, match="`write_images` needs TensorFlow's summary ops"):
        keras.callbacks.TensorBoard(write_images=True)
