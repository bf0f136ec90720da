"""The IMDB movie reviews, as ``keras.datasets.imdb.load_data()`` returns them.

Place in the stack: a data set loader over ``keras.utils.get_file``
(``minikeras/utils/file_utils.py``), ``npz_utils.py`` (reads the pickled
object arrays safely) and ``word_sequences.py`` (the rank arithmetic; read
it for what ``num_words``, ``skip_top``, ``start_char``, ``oov_char`` and
``index_from`` do). 25,000 training and 25,000 test reviews, each labelled
0 (negative) or 1 (positive), each a list of word ranks.

To read a review back as words, invert ``get_word_index()`` after adding
``index_from`` to its ranks (ranks 0, 1, 2 are padding, start and unknown).
"""

import json
import warnings

import numpy as np

from minikeras.datasets import npz_utils
from minikeras.datasets import word_sequences
from minikeras.utils.file_utils import get_file

# Keras's public copies and hashes (tests point these at a local server).
ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz"
FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb_word_index.json"
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"  # md5


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2,
              index_from=3, **kwargs):
    """Loads the reviews as lists of word ranks.

    Args:
        path: file name of the cached copy (in ``~/.keras/datasets``).
        num_words: keep the ``num_words - 1`` most frequent ranks; others become ``oov_char``.
        skip_top: ranks below this (the most frequent words) become ``oov_char``.
        maxlen: drop reviews of ``maxlen`` words or more (counting ``start_char``).
        seed: seed of the shuffles (train and test, one after the other).
        start_char: rank put at the start of every review (None: none).
        oov_char: rank of the words cut out (None: remove them).
        index_from: added to every stored rank.
        **kwargs: accepted for Keras 2's arguments and ignored, as in Keras 3 (warned about here).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x_*`` object arrays of N
        lists of ints, ``y_*`` int arrays (N,) of 0/1.

    Raises:
        ValueError: if ``maxlen`` leaves no review in the training or test set.
    """
    if kwargs:
        warnings.warn(f"imdb.load_data ignores the arguments {sorted(kwargs)}.", stacklevel=2)
    arrays = npz_utils.load_npz(get_file(fname=path, origin=ORIGIN, file_hash=FILE_HASH))
    rng = np.random.RandomState(seed)
    x_train, labels_train = _shuffled(rng, arrays["x_train"], arrays["y_train"])
    x_test, labels_test = _shuffled(rng, arrays["x_test"], arrays["y_test"])
    x_train = word_sequences.shift_ranks(x_train, start_char, index_from)
    x_test = word_sequences.shift_ranks(x_test, start_char, index_from)
    if maxlen:
        x_train, labels_train = word_sequences.remove_long(maxlen, x_train, labels_train)
        x_test, labels_test = word_sequences.remove_long(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, no sequence was kept. "
                             "Increase maxlen.")
    texts = word_sequences.limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([labels_train, labels_test])
    count = len(x_train)
    return ((word_sequences.as_object_array(texts[:count]), labels[:count]),
            (word_sequences.as_object_array(texts[count:]), labels[count:]))


def _shuffled(rng, texts, labels):
    indices = np.arange(len(texts))
    rng.shuffle(indices)
    return texts[indices], labels[indices]


def get_word_index(path="imdb_word_index.json"):
    """Returns the dict word -> rank (1 = most frequent) of the IMDB vocabulary."""
    path = get_file(fname=path, origin=WORD_INDEX_ORIGIN, file_hash=WORD_INDEX_HASH)
    with open(path) as file:
        return json.load(file)
