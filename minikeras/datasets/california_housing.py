"""The California housing prices, as ``keras.datasets.california_housing.load_data()`` returns them.

Place in the stack: a data set loader over ``keras.utils.get_file``
(``minikeras/utils/file_utils.py``) and ``npz_utils.py``. 20,640 census
block groups of the 1990 US census, 8 features each (median income, house
age, rooms, location...), target: the median house value in dollars. The
file is Keras's ``california_housing.npz`` (arrays ``x`` (20640, 8) and ``y``).
"""

import numpy as np

from minikeras.datasets import npz_utils
from minikeras.utils.file_utils import get_file

# Keras's public copy and its sha256 (tests point these at a local server).
ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/california_housing.npz"
FILE_HASH = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"
SMALL_ROWS = 600  # version="small": the first 600 rows, for quick experiments


def load_data(version="large", path="california_housing.npz", test_split=0.2, seed=113):
    """Loads the data set (or its first 600 rows), shuffled with ``seed`` and split.

    Args:
        version: ``"large"`` (all 20,640 rows) or ``"small"`` (the first 600).
        path: file name of the cached copy (in ``~/.keras/datasets``).
        test_split: fraction of the rows kept for testing, in [0, 1).
        seed: seed of the shuffle before the split.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: float arrays of shapes
        (N, 8) and (N,).
    """
    npz_utils.check_test_split(test_split)
    path = get_file(path, origin=ORIGIN, file_hash=FILE_HASH)
    with np.load(path, allow_pickle=False) as arrays:
        x, y = arrays["x"], arrays["y"]
    if version == "small":
        x, y = x[:SMALL_ROWS], y[:SMALL_ROWS]
    elif version != "large":
        raise ValueError(f"Argument `version` must be one of 'small', 'large'. Received: version={version}")
    return npz_utils.shuffled_split(x, y, test_split, seed)
