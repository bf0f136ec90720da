"""The MNIST handwritten digits, as ``keras.datasets.mnist.load_data()`` returns them.

Place in the stack: the data the guide trains on; it uses only NumPy and
``download.py``. Read ``download.py`` for the cache, the timeout and the hash
check, and ``make_mnist_sample.py`` for how the bundled sample was made.

``load_data()`` first looks for Keras's own ``mnist.npz`` (60,000 training and
10,000 test digits, 11 MB) in ``~/.keras/datasets/``, then downloads it
from Keras's public location. When the download fails, or is skipped because
the environment variable ``MINIKERAS_OFFLINE`` is ``1`` (or ``minikeras.json``
says ``"offline": true``), it warns once and
returns the sample bundled with minikeras: 5,000 real MNIST digits (4,000 for
training, 1,000 for testing), so the guide still runs on a machine with no
network. Shapes and dtypes are Keras's either way.

License: Yann LeCun and Corinna Cortes hold the copyright of the MNIST data
set, a derivative work of the original NIST data sets. It is available under
the terms of the Creative Commons Attribution-Share Alike 3.0 license
(``data/MNIST_LICENSE.txt``).
"""

import gzip
import os
import warnings

import numpy as np

from minikeras.backend import config
from minikeras.datasets import download

# Keras's public copy of the data set and its sha256, exactly as in
# keras/src/datasets/mnist.py (tests point these at a local server).
ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
TIMEOUT_SECONDS = 10.0
SAMPLE_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "mnist_sample.npz")
_KEYS = ("x_train", "y_train", "x_test", "y_test")


def load_data(path="mnist.npz", *, fallback=True):
    """Loads MNIST: the full data set if it can be had, else the bundled sample.

    Args:
        path: file name of the cached copy, relative to ``~/.keras/datasets``.
        fallback: when False, a failed download raises instead of returning
            the bundled sample (the main job's ``--full`` uses this).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x_*`` uint8 arrays of
        shape (N, 28, 28) with pixel values 0..255, ``y_*`` uint8 labels of
        shape (N,). N is 60,000 / 10,000 for the full set and 4,000 / 1,000
        for the bundled sample.

    Raises:
        download.DownloadError: when ``fallback=False`` and the download failed.
    """
    try:
        local_path = _full_data_path(path)
    except download.DownloadError as error:
        if not fallback:
            raise
        _warn_fallback(error)
        local_path = SAMPLE_PATH
    return _read_npz(local_path)


def load_sample():
    """Returns the bundled sample directly, without trying the network or warning.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: 4,000 and 1,000 real MNIST
        digits, uint8 arrays of shapes (N, 28, 28) and (N,).
    """
    return _read_npz(SAMPLE_PATH)


def _full_data_path(path):
    """Returns the path of a verified full ``mnist.npz``, downloading it if needed."""
    if config.flag("MINIKERAS_OFFLINE", "offline", False):
        found = download.cached_file(path, FILE_HASH)
        if found is None:
            raise download.DownloadError(
                "MINIKERAS_OFFLINE=1 (or \"offline\": true in minikeras.json) is set, so no download was attempted")
        return found
    return download.get_file(path, ORIGIN, FILE_HASH, timeout=TIMEOUT_SECONDS)


def _warn_fallback(reason):
    target = os.path.join(download.cache_dir(), "mnist.npz")
    warnings.warn(
        "\n" + "!" * 78 + "\n"
        f"minikeras could not get the full MNIST data set ({reason}).\n"
        "Falling back to the BUNDLED SAMPLE of 5,000 real MNIST digits "
        "(4,000 train, 1,000 test) instead of 60,000 + 10,000.\n"
        "To get the full set: connect to the internet with MINIKERAS_OFFLINE unset, or copy "
        f"Keras's mnist.npz (from {ORIGIN}) to {target}.\n" + "!" * 78,
        UserWarning,
        stacklevel=3,
    )


def _read_npz(path):
    """Reads the four arrays from an .npz file (never unpickling anything)."""
    with np.load(path, allow_pickle=False) as arrays:
        x_train, y_train, x_test, y_test = (arrays[key] for key in _KEYS)
    return (x_train, y_train), (x_test, y_test)


def load_idx(images_path, labels_path):
    """Reads MNIST's original IDX files (``*-idx3-ubyte`` and ``*-idx1-ubyte``, gzipped or not).

    The IDX format is a big-endian header (magic number ``0x0803`` for images,
    ``0x0801`` for labels, then one uint32 per dimension) followed by raw uint8 values.

    Args:
        images_path: path of the images file.
        labels_path: path of the labels file.

    Returns:
        ``(images, labels)``: uint8 arrays of shapes (N, 28, 28) and (N,).

    Raises:
        ValueError: if a file is not an IDX file of the expected kind, or the counts differ.
    """
    images = _read_idx(images_path, expected_ndim=3)
    labels = _read_idx(labels_path, expected_ndim=1)
    if len(images) != len(labels):
        raise ValueError(f"{images_path} holds {len(images)} images but {labels_path} holds {len(labels)} labels.")
    return images, labels


def _read_idx(path, expected_ndim):
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as file:
        raw = file.read()
    magic = int.from_bytes(raw[:4], "big") if len(raw) >= 4 else -1
    if magic != 0x0800 + expected_ndim:
        raise ValueError(f"{path} is not an IDX file of {expected_ndim}-D uint8 data (magic number {magic:#x}).")
    header_bytes = 4 + 4 * expected_ndim
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(expected_ndim))
    if len(raw) != header_bytes + int(np.prod(shape)):
        raise ValueError(f"{path} is truncated or too long for its header shape {shape}.")
    return np.frombuffer(raw, dtype=np.uint8, offset=header_bytes).reshape(shape)
