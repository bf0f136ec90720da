"""Fashion-MNIST, as ``keras.datasets.fashion_mnist.load_data()`` returns it.

Place in the stack: a data set loader over ``keras.utils.get_file``
(``minikeras/utils/file_utils.py``) and the IDX reader of ``mnist.py``.
70,000 grayscale 28x28 pictures of clothes in 10 classes (0 T-shirt/top,
1 trouser, 2 pullover, 3 dress, 4 coat, 5 sandal, 6 shirt, 7 sneaker, 8 bag,
9 ankle boot), a drop-in replacement for MNIST. Keras fetches the four
gzipped IDX files of the original release into ``datasets/fashion-mnist/``.

License: the copyright of Fashion-MNIST is held by Zalando SE; it is
available under the MIT license.
"""

import os

from minikeras.datasets.mnist import load_idx
from minikeras.utils.file_utils import get_file

# Keras's public copies (tests point this at a local server). Keras gives no hashes for them.
ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")


def load_data():
    """Loads Fashion-MNIST.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 arrays of shapes
        (60000, 28, 28) and (60000,) for training, (10000, 28, 28) and
        (10000,) for testing.
    """
    # cache_subdir is relative to the cache root, as in Keras: ~/.keras/datasets/fashion-mnist/.
    subdir = os.path.join("datasets", "fashion-mnist")
    labels_train, images_train, labels_test, images_test = (
        get_file(name, origin=ORIGIN_FOLDER + name, cache_subdir=subdir) for name in FILES)
    x_train, y_train = load_idx(images_train, labels_train)
    x_test, y_test = load_idx(images_test, labels_test)
    return (x_train, y_train), (x_test, y_test)
