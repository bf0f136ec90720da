"""The Boston housing prices, as ``keras.datasets.boston_housing.load_data()`` returns them.

Place in the stack: a data set loader over ``keras.utils.get_file``
(``minikeras/utils/file_utils.py``) and ``npz_utils.py``. 506 Boston
suburbs of the 1970s, 13 features each (crime rate, rooms per dwelling...),
target: the median home value in thousands of dollars. The file is Keras's
own ``boston_housing.npz`` (arrays ``x`` (506, 13) and ``y`` (506,)).

Note: the data set has a feature built on the racial make-up of each town;
it is kept for reproducing old results, not as an example to follow.
"""

import numpy as np

from minikeras.datasets import npz_utils
from minikeras.utils.file_utils import get_file

# Keras's public copy and its sha256 (tests point these at a local server).
ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz"
FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Loads the data set, shuffled with ``seed`` and split.

    Args:
        path: file name of the cached copy (in ``~/.keras/datasets``).
        test_split: fraction of the rows kept for testing, in [0, 1).
        seed: seed of the shuffle before the split.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: float64 arrays of shapes
        (N, 13) and (N,); 404 / 102 rows with the default split.
    """
    npz_utils.check_test_split(test_split)
    path = get_file(path, origin=ORIGIN, file_hash=FILE_HASH)
    with np.load(path, allow_pickle=False) as arrays:
        x, y = arrays["x"], arrays["y"]
    return npz_utils.shuffled_split(x, y, test_split, seed)
