"""Ready-made data sets, as in ``keras.datasets``.

Place in the stack: outside the library proper; only the examples and the
tests use it. ``mnist.load_data()`` downloads Keras's MNIST (or falls back to
the real sample bundled in ``data/``); ``download.py`` does the careful
fetching. The other data sets fetch Keras's own files through
``keras.utils.get_file`` (``minikeras/utils/file_utils.py``) into the same
cache, ``~/.keras/datasets/``; once there, they load offline.
"""

from minikeras.datasets import boston_housing
from minikeras.datasets import california_housing
from minikeras.datasets import cifar10
from minikeras.datasets import cifar100
from minikeras.datasets import fashion_mnist
from minikeras.datasets import imdb
from minikeras.datasets import mnist
from minikeras.datasets import reuters
