"""What IMDB and Reuters share: turning stored word ranks into model input.

Place in the stack: used by ``imdb.py`` and ``reuters.py``. Both files store
each text as a list of word ranks (1 = the most frequent word in the data
set). ``load_data`` then, in Keras's order:

1. prepends ``start_char`` and shifts every rank by ``index_from`` (so that
   0 stays free for padding and 1, 2 for "start" and "out of vocabulary");
2. drops the texts of ``maxlen`` words or more;
3. replaces ranks outside ``[skip_top, num_words)`` by ``oov_char`` (or
   removes them when ``oov_char`` is None).
"""

import numpy as np


def shift_ranks(texts, start_char, index_from):
    """Step 1: ``[start_char] + [rank + index_from ...]`` per text (list of lists of ints)."""
    if start_char is not None:
        return [[start_char] + [word + index_from for word in text] for text in texts]
    if index_from:
        return [[word + index_from for word in text] for text in texts]
    return [list(text) for text in texts]


def remove_long(maxlen, texts, labels):
    """Step 2: keeps the texts shorter than ``maxlen`` words, and their labels (two lists)."""
    kept = [(text, label) for text, label in zip(texts, labels) if len(text) < maxlen]
    return [text for text, _ in kept], [label for _, label in kept]


def limit_vocabulary(texts, num_words, skip_top, oov_char):
    """Step 3: ranks outside ``[skip_top, num_words)`` become ``oov_char`` (or go, if None).

    ``num_words`` None or 0 means the largest rank present, as in Keras (which
    then also maps that largest word to ``oov_char``).
    """
    if not num_words:
        num_words = max(max(text) for text in texts)
    if oov_char is not None:
        return [[word if skip_top <= word < num_words else oov_char for word in text] for text in texts]
    return [[word for word in text if skip_top <= word < num_words] for text in texts]


def as_object_array(texts):
    """A list of lists as Keras returns it: ``np.array(texts, dtype="object")``.

    Texts of different lengths give a 1-D array of lists; texts of equal
    length give a 2-D object array, as NumPy (and so Keras) does.
    """
    return np.array(texts, dtype="object")
