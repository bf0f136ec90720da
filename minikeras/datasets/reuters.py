"""The Reuters newswire topics, as ``keras.datasets.reuters.load_data()`` returns them.

Place in the stack: a data set loader over ``keras.utils.get_file``
(``minikeras/utils/file_utils.py``), ``npz_utils.py`` and
``word_sequences.py`` (read it for the rank arguments). 11,228 newswires
from Reuters, each labelled with one of 46 topics (``get_label_names()``),
each a list of word ranks; split into train and test after a seeded shuffle.
"""

import json

import numpy as np

from minikeras.datasets import npz_utils
from minikeras.datasets import word_sequences
from minikeras.utils.file_utils import get_file

# Keras's public copies and hashes (tests point these at a local server).
ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/reuters.npz"
FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/reuters_word_index.json"
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"  # md5

LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply", "coffee",
    "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx",
    "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock",
    "retail", "ipi", "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
    "dlr", "gas", "silver", "wpi", "hog", "lead",
)


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113,
              start_char=1, oov_char=2, index_from=3):
    """Loads the newswires as lists of word ranks.

    Args:
        path: file name of the cached copy (in ``~/.keras/datasets``).
        num_words, skip_top, maxlen, start_char, oov_char, index_from: as in
            ``imdb.load_data`` (see ``word_sequences.py``).
        test_split: fraction of the newswires kept for testing.
        seed: seed of the shuffle before the split.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x_*`` object arrays of N
        lists of ints, ``y_*`` int arrays (N,) of topic numbers 0..45.
    """
    arrays = npz_utils.load_npz(get_file(fname=path, origin=ORIGIN, file_hash=FILE_HASH))
    texts, labels = arrays["x"], arrays["y"]
    indices = np.arange(len(texts))
    np.random.RandomState(seed).shuffle(indices)
    texts = word_sequences.shift_ranks(texts[indices], start_char, index_from)
    labels = labels[indices]
    if maxlen:
        texts, labels = word_sequences.remove_long(maxlen, texts, labels)
    texts = word_sequences.limit_vocabulary(texts, num_words, skip_top, oov_char)
    count = int(len(texts) * (1 - test_split))
    return ((word_sequences.as_object_array(texts[:count]), np.array(labels[:count])),
            (word_sequences.as_object_array(texts[count:]), np.array(labels[count:])))


def get_word_index(path="reuters_word_index.json"):
    """Returns the dict word -> rank (1 = most frequent) of the Reuters vocabulary."""
    path = get_file(path, origin=WORD_INDEX_ORIGIN, file_hash=WORD_INDEX_HASH)
    with open(path) as file:
        return json.load(file)


def get_label_names():
    """Returns the 46 topic names, in label order (label 3 is ``"earn"``)."""
    return LABEL_NAMES
