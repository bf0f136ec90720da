"""Ready-made data sets, as in ``keras.datasets``.

Place in the stack: outside the library proper; only the examples and the
tests use it. ``mnist.load_data()`` downloads Keras's MNIST (or falls back to
the real sample bundled in ``data/``); ``download.py`` does the careful
fetching.
"""

from minikeras.datasets import mnist
