"""The weights file: variables stored with h5py under Keras's object-graph paths.

Place in the stack: under ``saving_lib.py`` and ``object_graph.py``, which
decide the paths; this module only writes and reads arrays. It is the same
for ``model.weights.h5`` inside a ``.keras`` archive and for a standalone
``*.weights.h5`` file.

Layout (identical to Keras 3, so each library reads the other's files)::

    layers/conv2d/vars      attrs: name="conv2d"   datasets "0" (3,3,1,4), "1" (4,)
    optimizer/vars          attrs: name="adam"     "0" iterations, "1" learning rate, ...
    vars                    attrs: name="sequential"   (the root model, usually empty)

Reading treats the file as untrusted: every h5py error becomes one
``ValueError`` naming the file, and a dataset is only read if it is plain
numbers of a sane size (an HDF5 file can declare a huge, compressed or
never-written dataset that would exhaust memory when read).
"""

import h5py
import numpy as np

from minikeras.backend import convert_to_numpy

MAX_DATASET_BYTES = 4 * 2**30  # the same limit Keras puts on archive members
MAX_EXPANSION = 100  # a dataset may not be more than 100 times larger than its stored bytes


class WeightsFileError(ValueError):
    """The weights file is corrupt, truncated or holds something other than plain arrays."""


class H5WeightsWriter:
    """Writes one ``vars`` group per saved object.

    Args:
        target: a path or a binary file object (``io.BytesIO`` for an archive).
    """

    def __init__(self, target):
        self.file = h5py.File(target, "w")

    def make(self, path, name=None):
        """Creates the group ``<path>/vars`` and returns a dict-like store for its variables."""
        group = self.file.create_group(_vars_path(path))
        if name is not None:
            group.attrs["name"] = name
        return _GroupWriter(group)

    def close(self):
        self.file.close()


class _GroupWriter:
    def __init__(self, group):
        self.group = group

    def __setitem__(self, key, value):
        self.group.create_dataset(str(key), data=convert_to_numpy(value))


class H5WeightsReader:
    """Reads the ``vars`` groups of a weights file, validating every dataset.

    Args:
        source: a path or a binary file object.
        label: how to name the file in error messages.

    Raises:
        WeightsFileError: if the file is not a readable HDF5 file.
    """

    def __init__(self, source, label):
        self.label = label
        try:
            self.file = h5py.File(source, "r")
        except Exception as error:  # h5py raises OSError, ValueError or its own types
            raise WeightsFileError(f"{label} is not a readable HDF5 weights file ({error}).") from None

    def get(self, path):
        """Returns the arrays stored for ``path`` as ``{"0": array, ...}`` ({} if absent)."""
        vars_path = _vars_path(path)
        try:
            group = self.file.get(vars_path)
            if group is None:
                return {}
            if not isinstance(group, h5py.Group):
                raise WeightsFileError(f"{self.label}: '{vars_path}' should be a group of datasets.")
            return {key: self._read_dataset(group, key) for key in group.keys()}
        except WeightsFileError:
            raise
        except Exception as error:
            raise WeightsFileError(f"{self.label} is corrupt: reading '{vars_path}' failed ({error}).") from None

    def _read_dataset(self, group, key):
        dataset = group.get(key)
        where = f"{self.label}: dataset '{group.name}/{key}'"
        if not isinstance(dataset, h5py.Dataset):
            raise WeightsFileError(f"{where} is not a dataset.")
        if dataset.dtype.kind not in "biuf":
            raise WeightsFileError(f"{where} has dtype {dataset.dtype}; only numbers are allowed.")
        check_dataset_size(dataset, where)
        return np.asarray(dataset[()])

    def close(self):
        self.file.close()


def check_dataset_size(dataset, where):
    """Refuses absurd shapes: over 4 GiB, or over 100 times the bytes actually stored."""
    num_bytes = int(np.prod(dataset.shape, dtype=np.float64)) * dataset.dtype.itemsize
    if num_bytes > MAX_DATASET_BYTES:
        raise WeightsFileError(f"{where} declares shape {dataset.shape} ({num_bytes} bytes), over the 4 GiB limit.")
    stored = dataset.id.get_storage_size()
    if num_bytes > 2**20 and num_bytes > MAX_EXPANSION * stored:
        raise WeightsFileError(
            f"{where} declares shape {dataset.shape} ({num_bytes} bytes) but stores only {stored} bytes."
        )


def _vars_path(path):
    return f"{path}/vars" if path else "vars"
