"""What CIFAR-10 and CIFAR-100 share: reading one pickled batch file.

Place in the stack: used by ``cifar10.py`` and ``cifar100.py``. The
original CIFAR release ("python version") is a tar.gz of pickled dicts with
bytes keys: ``b"data"``, a uint8 array (N, 3072) holding each picture's red,
green and blue 32x32 planes one after the other, and the labels as a list
(``b"labels"``, or ``b"fine_labels"`` / ``b"coarse_labels"`` for CIFAR-100).
The pickle is read with ``npz_utils.RestrictedUnpickler``: only NumPy arrays
can come out of it, never code.
"""

import numpy as np

from minikeras.backend import image_data_format
from minikeras.datasets.npz_utils import RestrictedUnpickler


def load_batch(fpath, label_key="labels"):
    """Reads one CIFAR batch file.

    Args:
        fpath: path of the pickled batch.
        label_key: ``"labels"`` (CIFAR-10), ``"fine_labels"`` or ``"coarse_labels"``.

    Returns:
        ``(data, labels)``: uint8 array (N, 3, 32, 32) and a list of N ints.
    """
    with open(fpath, "rb") as file:
        batch = RestrictedUnpickler(file, encoding="bytes").load()
    batch = {key.decode("utf8"): value for key, value in batch.items()}
    data = batch["data"]
    return data.reshape(data.shape[0], 3, 32, 32), batch[label_key]  # (N, 3072) -> (N, C, H, W)


def finish(x_train, y_train, x_test, y_test, label_dtype):
    """Labels to columns (N, 1) of ``label_dtype``; pictures to channels-last unless configured otherwise."""
    y_train = np.asarray(y_train, dtype=label_dtype).reshape(-1, 1)
    y_test = np.asarray(y_test, dtype=label_dtype).reshape(-1, 1)
    if image_data_format() == "channels_last":
        x_train, x_test = x_train.transpose(0, 2, 3, 1), x_test.transpose(0, 2, 3, 1)  # (N, C, H, W) -> (N, H, W, C)
    return (x_train, y_train), (x_test, y_test)
