"""``image_dataset_from_directory``: a folder of pictures as batches of (images, labels).

Place in the stack: the top (``keras.utils``, also ``keras.preprocessing``).
It indexes the folder with ``dataset_utils.py`` (read that first), decodes
each picture with Pillow when its batch is asked for, and resizes it with
``ops.image.resize`` (bilinear, no antialiasing: the numbers of Keras's
``tf.image.resize``). ``fit`` takes the result directly::

    train = keras.utils.image_dataset_from_directory(
        "flowers", validation_split=0.2, subset="training", seed=1337, image_size=(180, 180))
    model.fit(train, epochs=3)

Differences from Keras (which returns a ``tf.data.Dataset``): the result is
a ``PyDataset`` (``dataset_utils.FileDataset``); ``format`` must be ``"tf"``
or ``"grain"`` as in Keras but both give this PyDataset; the resize methods
are those of ``ops.image.resize`` (TensorFlow's ``"area"``, ``"gaussian"`` and
``"mitchellcubic"`` are refused); ``pad_to_aspect_ratio`` pads before
resizing (``ops.image.resize``'s rule) where TensorFlow pads after;
``color_mode="grayscale"`` turns colour pictures gray with Pillow's formula
(ITU-R 601-2), TensorFlow's PNG decoder uses libpng's (pixels may differ by one).
"""

import numpy as np

from minikeras.backend.config import image_data_format
from minikeras.utils import dataset_utils
from minikeras.utils import image_utils

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5")
COLOR_CHANNELS = {"rgb": 3, "rgba": 4, "grayscale": 1}


class ImageDataset(dataset_utils.FileDataset):
    """Pictures decoded and resized per batch: items ``(images, labels)`` of shapes (B, OH, OW, C), (B, ...)."""

    def __init__(self, file_paths, labels, batch_size, shuffle, seed, image_size, color_mode, interpolation,
                 crop_to_aspect_ratio, pad_to_aspect_ratio, data_format):
        super().__init__(file_paths, labels, batch_size, shuffle, seed)
        self.image_size, self.color_mode, self.interpolation = tuple(image_size), color_mode, interpolation
        self.crop_to_aspect_ratio, self.pad_to_aspect_ratio = crop_to_aspect_ratio, pad_to_aspect_ratio
        self.data_format = data_format

    def load(self, path):
        """One picture as float32 (OH, OW, C) (channels first: (C, OH, OW)); uint8 with ``"nearest"``."""
        from minikeras import ops  # ops is above utils in the stack

        picture = image_utils.load_img(path, color_mode=self.color_mode)
        depth = "uint8" if picture.mode in ("L", "RGB", "RGBA") else "float32"  # 16/32-bit gray must not wrap
        image = image_utils.img_to_array(picture, data_format="channels_last", dtype=depth)  # (H, W, C)
        image = ops.image.resize(image, self.image_size, interpolation=self.interpolation,
                                 crop_to_aspect_ratio=self.crop_to_aspect_ratio,
                                 pad_to_aspect_ratio=self.pad_to_aspect_ratio, data_format="channels_last")
        image = ops.convert_to_numpy(image)  # float32, or still uint8 for "nearest" (TensorFlow's rule)
        return image.transpose(2, 0, 1) if self.data_format == "channels_first" else image  # -> (C, OH, OW)


def image_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, color_mode="rgb",
                                 batch_size=32, image_size=(256, 256), shuffle=True, seed=None, validation_split=None,
                                 subset=None, interpolation="bilinear", follow_links=False,
                                 crop_to_aspect_ratio=False, pad_to_aspect_ratio=False, data_format=None,
                                 format="tf", verbose=True):  # noqa: A002  (Keras's name)
    """Batches of pictures (and labels) from a folder with one subfolder per class.

    Args:
        directory: the main folder.
        labels: ``"inferred"`` (from the subfolders), None, or a list of ints,
            one per picture in the sorted order of the file paths.
        label_mode: ``"int"`` (int32 (B,)), ``"categorical"`` (float32 one-hot
            (B, num_classes)), ``"binary"`` (float32 (B, 1)), or None (no labels).
        class_names: the subfolders to use, in label order (only with ``"inferred"``).
        color_mode: ``"rgb"``, ``"rgba"`` or ``"grayscale"`` (3, 4 or 1 channels).
        batch_size: pictures per batch; None: one picture per item.
        image_size: ``(OH, OW)`` (or one int) every picture is resized to.
        shuffle: shuffle the files (and reshuffle every epoch).
        seed: seed of the shuffles; required with ``validation_split`` and ``shuffle``.
        validation_split: fraction of the files kept for validation.
        subset: ``"training"``, ``"validation"`` or ``"both"`` (returns both datasets).
        interpolation: resize method (see the module docstring).
        follow_links: walk into symbolic links to folders.
        crop_to_aspect_ratio: crop the centre to ``image_size``'s aspect ratio before resizing.
        pad_to_aspect_ratio: pad to that aspect ratio instead.
        data_format: ``"channels_last"`` or ``"channels_first"``; None: ``image_data_format()``.
        format: ``"tf"`` or ``"grain"`` (both give a PyDataset here).
        verbose: print how many files were found.

    Returns:
        An ``ImageDataset`` yielding ``(images, labels)`` with images float32
        (B, OH, OW, C) (uint8 with ``interpolation="nearest"``, as in Keras); or a list ``[train, validation]`` with ``subset="both"``.
    """
    # 1. Check the arguments with Keras's messages.
    labels, label_mode, image_size, interpolation = _checked_arguments(
        labels, label_mode, class_names, color_mode, image_size, interpolation, format)
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)
    seed = np.random.randint(1e6) if seed is None else seed
    # 2. Index the folder (one shuffle of the file list, seeded).
    image_paths, labels, class_names = dataset_utils.index_directory(
        directory, labels, formats=ALLOWLIST_FORMATS, class_names=class_names, shuffle=shuffle, seed=seed,
        follow_links=follow_links, verbose=verbose)
    data_format = image_data_format() if data_format is None else data_format
    # 3. One dataset, or training and validation.
    return dataset_utils.datasets_for_subset(
        directory, image_paths, labels, class_names, label_mode, validation_split, subset, shuffle,
        "images", f"Allowed formats: {ALLOWLIST_FORMATS}",
        lambda paths, encoded, shuffled: ImageDataset(
            paths, encoded, batch_size, shuffled, seed, image_size, color_mode, interpolation,
            crop_to_aspect_ratio, pad_to_aspect_ratio, data_format))


def _checked_arguments(labels, label_mode, class_names, color_mode, image_size, interpolation, format):  # noqa: A002
    """Keras's checks; returns ``(labels, label_mode, image_size, interpolation)`` normalised."""
    labels, label_mode = dataset_utils.check_label_arguments(labels, label_mode, class_names, "image files", "images")
    if color_mode not in COLOR_CHANNELS:
        raise ValueError(f'`color_mode` must be one of {{"rgb", "rgba", "grayscale"}}. Received: color_mode={color_mode}')
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    elif not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise ValueError(f"Invalid `image_size` value. Expected a tuple of 2 integers. Received: image_size={image_size}")
    interpolation = interpolation.lower()
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"Argument `interpolation` should be one of {INTERPOLATIONS} in minikeras (TensorFlow's "
                         f"'area', 'gaussian' and 'mitchellcubic' are not available). Received: "
                         f"interpolation={interpolation}")
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')
    return labels, label_mode, image_size, interpolation
