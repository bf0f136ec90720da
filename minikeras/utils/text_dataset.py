"""``text_dataset_from_directory``: a folder of ``.txt`` files as batches of (strings, labels).

Place in the stack: the top (``keras.utils``, also ``keras.preprocessing``).
It indexes the folder with ``dataset_utils.py`` (read that first) and reads
the files of a batch when that batch is asked for. Pair it with a
``TextVectorization`` layer, as Keras's text classification guide does::

    train = keras.utils.text_dataset_from_directory(
        "aclImdb/train", validation_split=0.2, subset="training", seed=1337)
    vectorize.adapt(train.map(lambda x, y: x))   # in Keras; here: texts of the batches

Differences from Keras (which returns a ``tf.data.Dataset`` of byte
strings): the result is a ``PyDataset`` whose batches hold a NumPy array of
Python strings (B,), each file decoded as UTF-8; ``max_length`` still counts
bytes, as TensorFlow's ``substr`` does (a character cut in two is dropped).
"""

import numpy as np

from minikeras.utils import dataset_utils


class TextDataset(dataset_utils.FileDataset):
    """Text files read per batch: items ``(texts, labels)``, texts a str array (B,)."""

    def __init__(self, file_paths, labels, batch_size, shuffle, seed, max_length):
        super().__init__(file_paths, labels, batch_size, shuffle, seed)
        self.max_length = max_length

    def load(self, path):
        """The file's text (its first ``max_length`` bytes when set)."""
        with open(path, "rb") as file:
            raw = file.read() if self.max_length is None else file.read(self.max_length)
        return raw.decode("utf-8", errors="ignore")

    def stack(self, examples):
        return np.array(examples, dtype=object)  # a str array (B,): no fixed width, no truncation


def text_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                max_length=None, shuffle=True, seed=None, validation_split=None, subset=None,
                                follow_links=False, format="tf", verbose=True):  # noqa: A002  (Keras's name)
    """Batches of texts (and labels) from a folder with one subfolder of ``.txt`` files per class.

    Args:
        directory: the main folder.
        labels: ``"inferred"`` (from the subfolders), None, or a list of ints,
            one per file in the sorted order of the file paths.
        label_mode: ``"int"`` (int32 (B,)), ``"categorical"`` (float32 one-hot
            (B, num_classes)), ``"binary"`` (float32 (B, 1)), or None (no labels).
        class_names: the subfolders to use, in label order (only with ``"inferred"``).
        batch_size: texts per batch; None: one text per item.
        max_length: keep only the first ``max_length`` bytes of each file.
        shuffle: shuffle the files (and reshuffle every epoch).
        seed: seed of the shuffles; required with ``validation_split`` and ``shuffle``.
        validation_split: fraction of the files kept for validation.
        subset: ``"training"``, ``"validation"`` or ``"both"`` (returns both datasets).
        follow_links: walk into symbolic links to folders.
        format: ``"tf"`` or ``"grain"`` (both give a PyDataset here).
        verbose: print how many files were found.

    Returns:
        A ``TextDataset`` yielding ``(texts, labels)``; a list ``[train, validation]``
        with ``subset="both"``.
    """
    # 1. Check the arguments with Keras's messages.
    labels, label_mode = dataset_utils.check_label_arguments(labels, label_mode, class_names, "text files",
                                                             "text samples")
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)
    seed = np.random.randint(1e6) if seed is None else seed
    # 2. Index the folder (one shuffle of the file list, seeded).
    file_paths, labels, class_names = dataset_utils.index_directory(
        directory, labels, formats=(".txt",), class_names=class_names, shuffle=shuffle, seed=seed,
        follow_links=follow_links, verbose=verbose)
    # 3. One dataset, or training and validation.
    return dataset_utils.datasets_for_subset(
        directory, file_paths, labels, class_names, label_mode, validation_split, subset, shuffle,
        "text files", "Allowed format: .txt",
        lambda paths, encoded, shuffled: TextDataset(paths, encoded, batch_size, shuffled, seed, max_length))
