"""CIFAR-100, as ``keras.datasets.cifar100.load_data()`` returns it.

Place in the stack: a data set loader over ``keras.utils.get_file``
(``minikeras/utils/file_utils.py``, which downloads and extracts the
archive) and ``cifar.py`` (which reads a batch). 60,000 colour 32x32
pictures in 100 fine classes grouped into 20 coarse ones (superclasses):
one training file of 50,000 and one test file of 10,000.
"""

import os

from minikeras.datasets import cifar
from minikeras.utils.file_utils import get_file

# The University of Toronto's archive and Keras's sha256 of it (tests point these at a local server).
ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
FILE_HASH = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"


def load_data(label_mode="fine"):
    """Loads CIFAR-100.

    Args:
        label_mode: ``"fine"`` (100 classes) or ``"coarse"`` (20 superclasses).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 pictures of shape
        (50000, 32, 32, 3) / (10000, 32, 32, 3) (channels first when
        ``image_data_format()`` says so) and int64 labels (50000, 1) / (10000, 1) (Keras keeps the
        pickle's Python ints; CIFAR-10 stores uint8).
    """
    if label_mode not in ["fine", "coarse"]:
        raise ValueError(f'`label_mode` must be one of `"fine"`, `"coarse"`. Received: label_mode={label_mode}.')
    path = get_file(fname="cifar-100-python-target", origin=ORIGIN, extract=True, file_hash=FILE_HASH)
    path = os.path.join(path, "cifar-100-python")
    x_train, y_train = cifar.load_batch(os.path.join(path, "train"), label_key=f"{label_mode}_labels")
    x_test, y_test = cifar.load_batch(os.path.join(path, "test"), label_key=f"{label_mode}_labels")
    return cifar.finish(x_train, y_train, x_test, y_test, "int64")
