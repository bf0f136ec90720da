"""What the ``*_dataset_from_directory`` functions share: indexing a folder, splitting, batching.

Place in the stack: the top (``keras.utils``); ``image_dataset.py`` and
``text_dataset.py`` build on it. Read this file first, then one of them.

A folder of examples looks like this (one subfolder per class)::

    main_directory/
        class_a/   a_1.png  a_2.png ...
        class_b/   b_1.png ...

``index_directory`` lists the files (sorted, so every run sees the same
order), gives each the index of its subfolder in the sorted class names,
and shuffles files and labels together with ``RandomState(seed)``. A
``validation_split`` then takes the last part of that one shuffled list for
validation: training and validation never share a file, provided both calls
use the same ``seed`` (hence Keras's rule that shuffling with a split needs one).

Keras returns a ``tf.data.Dataset``; minikeras has no TensorFlow, so it
returns a ``FileDataset``: a ``PyDataset`` that reads the files of a batch
only when that batch is asked for, with ``class_names`` and ``file_paths``
attributes as Keras sets them. It reshuffles between epochs, like a
``tf.data`` shuffle, from a generator seeded once (same seed, same batches);
the order differs from TensorFlow's, the content of each epoch does not.
"""

import os
from multiprocessing.pool import ThreadPool

import numpy as np

from minikeras.utils import io_utils
from minikeras.utils.dataset_methods import DatasetMethods
from minikeras.utils.py_dataset import PyDataset

LABEL_MODES = ("int", "categorical", "binary", None)


def check_label_arguments(labels, label_mode, class_names, files, samples):
    """Keras's checks of ``labels`` / ``label_mode`` / ``class_names``; returns ``(labels, label_mode)``.

    ``files`` and ``samples`` name the kind in the messages ("image files", "images").
    """
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError("`labels` argument should be a list/tuple of integer labels, of the same size as the "
                             f"number of {files} in the target directory. If you wish to infer the labels from "
                             'the subdirectory names in the target directory, pass `labels="inferred"`. If you '
                             f"wish to get a dataset that only contains {samples} (no labels), pass `labels=None`. "
                             f"Received: labels={labels}")
        if class_names:
            raise ValueError('You can only pass `class_names` if `labels="inferred"`. '
                             f"Received: labels={labels}, and class_names={class_names}")
    if label_mode not in LABEL_MODES:
        raise ValueError('`label_mode` argument must be one of "int", "categorical", "binary", or None. '
                         f"Received: label_mode={label_mode}")
    if labels is None or label_mode is None:
        return None, None
    return labels, label_mode


def check_validation_split_arg(validation_split, subset, shuffle, seed):
    """Keras's checks (and messages) for ``validation_split`` / ``subset`` / ``seed``."""
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: {validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be either "training", "validation" or "both", received: {subset}')
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must provide a `seed` "
                         "argument, to make sure that there is no overlap between the training and "
                         "validation subset.")


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None, follow_links=False,
                    verbose=True):
    """Lists the files of ``directory`` and their labels.

    Args:
        directory: the main folder.
        labels: ``"inferred"`` (label = index of the subfolder), None, or a
            list of ints, one per file in sorted order.
        formats: tuple of accepted file name endings (lower case), e.g. ``(".png",)``.
        class_names: with ``"inferred"``, the subfolders to use, in label order.
        shuffle, seed: shuffle files and labels together with ``RandomState(seed)``.
        follow_links: also walk into symbolic links to folders.
        verbose: print how many files and classes were found.

    Returns:
        ``(file_paths, labels, class_names)``: a list of paths, an int32
        array (N,) (or the given list, or None), a list of names (or None).
    """
    # 1. The class folders ("" when labels are not inferred: the whole tree is one class).
    if not os.path.isdir(directory):
        raise ValueError(f"Could not find directory {directory} (the `directory` argument).")
    if labels == "inferred":
        subdirs = [name for name in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, name)) and not name.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(set(subdirs)):
                raise ValueError("The `class_names` passed did not match the names of the subdirectories of the "
                                 f"target directory. Expected: {subdirs} (or a subset of it), but received: "
                                 f"class_names={class_names}")
            subdirs = class_names
    else:
        subdirs = [""]
        if class_names is not None:
            raise ValueError("When `labels=None` (no labels), argument `class_names` cannot be specified."
                             if labels is None else
                             "When argument `labels` is specified, argument `class_names` cannot be specified "
                             "(the `class_names` will be the sorted list of labels).")
    # 2. The files of each class folder (walked in parallel threads, collected in order).
    with ThreadPool() as pool:
        found = pool.starmap(_index_subdirectory, [(directory, name, follow_links, formats) for name in subdirs])
    filenames = [name for names in found for name in names]
    # 3. The labels.
    if labels == "inferred":
        labels = np.concatenate([np.full(len(names), index, dtype="int32") for index, names in enumerate(found)]
                                or [np.zeros(0, dtype="int32")])
        class_names = list(subdirs)
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(filenames):
            raise ValueError(f"Expected the lengths of `labels` to match the number of files in the target "
                             f"directory. len(labels) is {len(labels)} while we found {len(filenames)} files in "
                             f"directory {directory}.")
        class_names = [str(label) for label in sorted(set(labels))]
    if verbose:
        io_utils.print_msg(f"Found {len(filenames)} files." if labels is None else
                           f"Found {len(filenames)} files belonging to {len(class_names)} classes.")
    # 4. One shuffle for files and labels: the same seed gives the same permutation.
    file_paths = [os.path.join(directory, name) for name in filenames]
    if shuffle:
        seed = np.random.randint(1e6) if seed is None else seed
        np.random.RandomState(seed).shuffle(file_paths)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    return file_paths, labels, class_names


def _index_subdirectory(directory, subdir, follow_links, formats):
    """The paths (relative to ``directory``) of the accepted files under ``directory/subdir``, sorted."""
    root_dir = os.path.join(directory, subdir)
    walk = sorted(os.walk(root_dir, followlinks=follow_links), key=lambda entry: entry[0])
    return [os.path.join(subdir, os.path.relpath(os.path.join(root, name), root_dir))
            for root, _, files in walk for name in sorted(files) if name.lower().endswith(formats)]


def get_training_or_validation_split(samples, labels, validation_split, subset):
    """The training part (all but the last ``int(validation_split * N)``) or the validation part."""
    if not validation_split:
        return samples, labels
    num_val_samples = int(validation_split * len(samples))
    if subset == "training":
        io_utils.print_msg(f"Using {len(samples) - num_val_samples} files for training.")
        rows = slice(None, -num_val_samples)
    elif subset == "validation":
        io_utils.print_msg(f"Using {num_val_samples} files for validation.")
        rows = slice(-num_val_samples, None)
    else:
        raise ValueError(f'`subset` must be either "training" or "validation", received: {subset}')
    return samples[rows], (None if labels is None else labels[rows])


def datasets_for_subset(directory, file_paths, labels, class_names, label_mode, validation_split, subset, shuffle,
                        what, allowed, build):
    """The dataset(s) a ``*_dataset_from_directory`` function returns.

    Args:
        directory, file_paths, labels, class_names: from ``index_directory``.
        label_mode, validation_split, subset, shuffle: the caller's arguments.
        what: the files' name in the error message ("images", "text files").
        allowed: the message's last sentence ("Allowed formats: ...").
        build: ``build(paths, encoded_labels, shuffled)`` -> one ``FileDataset``.

    Returns:
        One dataset, or ``[training, validation]`` for ``subset="both"``; the
        validation set is never shuffled, as in Keras.
    """
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError('When passing `label_mode="binary"`, there must be exactly 2 class_names. '
                         f"Received: class_names={class_names}")

    def make(subset_name, shuffled):
        paths, subset_labels = get_training_or_validation_split(file_paths, labels, validation_split, subset_name)
        if not paths:
            kind = f"{subset_name} {what}" if subset_name in ("training", "validation") else what
            raise ValueError(f"No {kind} found in directory {directory}. {allowed}")
        encoded = encode_labels(subset_labels, label_mode, len(class_names) if class_names else 0)
        dataset = build(paths, encoded, shuffled)
        dataset.class_names = class_names
        return dataset

    if subset == "both":
        return [make("training", shuffle), make("validation", False)]
    return make(subset, shuffle)


def encode_labels(labels, label_mode, num_classes):
    """Integer labels (N,) to what the model sees.

    Returns:
        ``"int"``: int32 (N,); ``"categorical"``: float32 one-hot (N, num_classes);
        ``"binary"``: float32 (N, 1); None when ``label_mode`` is None.
    """
    if label_mode is None:
        return None
    labels = np.asarray(labels)
    if label_mode == "binary":
        return labels.astype("float32")[:, None]  # (N,) -> (N, 1)
    if label_mode == "categorical":
        return np.eye(num_classes, dtype="float32")[labels]  # (N,) -> (N, num_classes)
    return labels.astype("int32")


class FileDataset(DatasetMethods, PyDataset):
    """Examples read from files one batch at a time; subclasses say how one file is read.

    Args:
        file_paths: list of N paths.
        labels: array (N, ...) of encoded labels, or None (items are inputs only).
        batch_size: examples per batch (the last may be smaller); None: one example per item.
        shuffle: reshuffle the order every epoch.
        seed: int seed of those shuffles.

    The tf.data-style methods (``take``, ``map``, ``shuffle``...) come from
    ``dataset_methods.py``.

    Attributes:
        class_names: the class names (set by the ``*_from_directory`` function).
        file_paths: the files, in the order ``index_directory`` gave them.
    """

    def __init__(self, file_paths, labels, batch_size, shuffle, seed):
        super().__init__()
        self.file_paths, self.labels, self.batch_size = list(file_paths), labels, batch_size
        self.class_names = None
        self.shuffle = shuffle
        self._rng = np.random.RandomState(seed)
        self._order = self._rng.permutation(len(self.file_paths)) if shuffle else np.arange(len(self.file_paths))

    def load(self, path):
        """Returns the input read from one file (an array, or a string for text)."""
        raise NotImplementedError  # abstract: ImageDataset and TextDataset read their kind of file

    def stack(self, examples):
        """Joins the examples of one batch: (B, ...) arrays by default."""
        return np.stack(examples)

    def __len__(self):
        if self.batch_size is None:
            return len(self._order)
        return -(-len(self._order) // self.batch_size)  # ceil: the last batch may be smaller

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"{type(self).__name__}: index {index} out of range for {len(self)} items")
        size = self.batch_size or 1
        rows = self._order[index * size:(index + 1) * size]
        inputs = [self.load(self.file_paths[row]) for row in rows]
        inputs = inputs[0] if self.batch_size is None else self.stack(inputs)
        if self.labels is None:
            return inputs
        labels = self.labels[rows]
        return inputs, (labels[0] if self.batch_size is None else labels)

    def on_epoch_end(self):
        if self.shuffle:
            self._order = self._rng.permutation(len(self.file_paths))
