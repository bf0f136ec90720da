"""Tiny files in the exact formats of Keras's data sets, for tests that must not download.

Each builder returns the bytes of one file as Keras's servers hold it, with
a few rows of made-up numbers: ``.npz`` archives (IMDB and Reuters with
pickled object arrays of lists), CIFAR's tar.gz of pickled dicts, and
Fashion-MNIST's gzipped IDX files.
"""

import gzip
import io
import pickle
import tarfile

import numpy as np


def npz_bytes(**arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def ragged(lists):
    """An object array of lists, as IMDB and Reuters store their texts."""
    array = np.empty(len(lists), dtype=object)
    array[:] = [list(item) for item in lists]
    return array


def imdb_npz():
    x_train = ragged([[1, 5, 9], [2, 7], [4, 4, 4, 4], [3]])
    x_test = ragged([[6, 1], [8, 2, 3]])
    return npz_bytes(x_train=x_train, y_train=np.array([0, 1, 1, 0]), x_test=x_test, y_test=np.array([1, 0]))


def reuters_npz():
    x = ragged([[1, 2], [3, 4, 5], [6], [7, 8, 9, 10], [11, 2]])
    return npz_bytes(x=x, y=np.array([3, 0, 45, 3, 1]))


def housing_npz(features, rows=10):
    rng = np.random.default_rng(1)
    return npz_bytes(x=rng.normal(size=(rows, features)), y=rng.normal(size=rows))


def _tar_gz(members):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def _cifar_batch(rows, seed, label_keys):
    rng = np.random.default_rng(seed)
    batch = {b"data": rng.integers(0, 256, (rows, 3072), dtype=np.uint8)}
    for key in label_keys:
        batch[key] = [int(label) for label in rng.integers(0, 10, rows)]
    return pickle.dumps(batch)  # protocol 2 (the real, Python 2 files) would need _codecs in Python 3


def cifar10_tar_gz(rows=2):
    members = {f"cifar-10-batches-py/data_batch_{i}": _cifar_batch(rows, i, [b"labels"]) for i in range(1, 6)}
    members["cifar-10-batches-py/test_batch"] = _cifar_batch(rows, 9, [b"labels"])
    return _tar_gz(members)


def cifar100_tar_gz(rows=3):
    keys = [b"fine_labels", b"coarse_labels"]
    return _tar_gz({"cifar-100-python/train": _cifar_batch(rows, 1, keys),
                    "cifar-100-python/test": _cifar_batch(rows - 1, 2, keys)})


def idx_gz(array):
    """Gzipped IDX bytes: magic 0x08 0x(ndim), the big-endian dimensions, the uint8 values."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return gzip.compress(header + array.tobytes())


def fashion_files(train_rows=3, test_rows=2):
    """The four files of Fashion-MNIST, name -> bytes."""
    rng = np.random.default_rng(3)
    return {
        "train-labels-idx1-ubyte.gz": idx_gz(rng.integers(0, 10, train_rows)),
        "train-images-idx3-ubyte.gz": idx_gz(rng.integers(0, 256, (train_rows, 28, 28))),
        "t10k-labels-idx1-ubyte.gz": idx_gz(rng.integers(0, 10, test_rows)),
        "t10k-images-idx3-ubyte.gz": idx_gz(rng.integers(0, 256, (test_rows, 28, 28))),
    }
