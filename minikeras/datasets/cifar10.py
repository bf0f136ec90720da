"""CIFAR-10, as ``keras.datasets.cifar10.load_data()`` returns it.

Place in the stack: a data set loader over ``keras.utils.get_file``
(``minikeras/utils/file_utils.py``, which downloads and extracts the
archive) and ``cifar.py`` (which reads a batch). 60,000 colour 32x32
pictures in 10 classes (0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer,
5 dog, 6 frog, 7 horse, 8 ship, 9 truck): five training batches of 10,000
and one test batch. A small percentage of the labels is known to be wrong.
"""

import os

import numpy as np

from minikeras.datasets import cifar
from minikeras.utils.file_utils import get_file

# The University of Toronto's archive and Keras's sha256 of it (tests point these at a local server).
ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
FILE_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"


def load_data():
    """Loads CIFAR-10.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 pictures of shape
        (50000, 32, 32, 3) / (10000, 32, 32, 3) (channels first when
        ``image_data_format()`` says so) and uint8 labels (50000, 1) / (10000, 1).
    """
    path = get_file(fname="cifar-10-batches-py-target", origin=ORIGIN, extract=True, file_hash=FILE_HASH)
    path = os.path.join(path, "cifar-10-batches-py")
    # Keras fills arrays of a fixed 50,000 rows; concatenating the five batches is the same for the real files.
    batches = [cifar.load_batch(os.path.join(path, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([data for data, _ in batches])
    y_train = np.concatenate([np.asarray(labels, dtype="uint8") for _, labels in batches])
    x_test, y_test = cifar.load_batch(os.path.join(path, "test_batch"))
    return cifar.finish(x_train, y_train, x_test.astype(x_train.dtype), y_test, "uint8")
