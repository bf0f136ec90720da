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
``ValueError`` naming the file, and a dataset is only read if

* it is reached through plain (hard) links: an HDF5 external link would
  read another file, a soft link another path;
* its bytes live in this file: not HDF5 external storage (raw bytes of any
  local file) nor a virtual dataset (slices of other files' datasets);
* it holds plain numbers of a sane size (an HDF5 file can declare a huge,
  compressed or never-written dataset that would exhaust memory when read);
* the model needs it: names, counts and shapes are compared with the model
  from the metadata (``specs``) before anything is read (``read``).
"""

import h5py
import numpy as np

from minikeras.backend import convert_to_numpy
from minikeras.saving.archive import open_regular_file

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
    """Reads the ``vars`` groups of a weights file, validating before reading.

    Loading asks twice per object: ``specs(path)`` first (names, shapes and
    dtypes, from the file's metadata only: nothing is read), and ``read`` only
    for the arrays that fit the model. A file whose groups hold many more or
    much larger datasets than the model needs thus costs nothing to refuse.

    Args:
        source: a path or a binary file object.
        label: how to name the file in error messages.

    Raises:
        WeightsFileError: if the file is not a readable HDF5 file.
    """

    def __init__(self, source, label):
        self.label = label
        self._opened = None
        if isinstance(source, str):
            # A FIFO or a device named x.weights.h5 is refused, not read forever.
            source = self._opened = open_regular_file(source)
        try:
            self.file = h5py.File(source, "r")
        except Exception as error:  # h5py raises OSError, ValueError or its own types
            self._close_opened()
            raise WeightsFileError(f"{label} is not a readable HDF5 weights file ({error}).") from None

    def specs(self, path):
        """``{"0": (shape, dtype), ...}`` of the datasets stored for ``path`` ({} if absent).

        Reads metadata only. Every entry is checked: a dataset (not a link to
        another file, not external or virtual storage), of numbers, of a sane size.
        """
        vars_path = _vars_path(path)
        try:
            group = self._group(vars_path)
            if group is None:
                return {}
            specs = {}
            for key in group.keys():
                dataset = self._dataset(group, key)
                specs[key] = (tuple(dataset.shape), dataset.dtype)
            return specs
        except WeightsFileError:
            raise
        except Exception as error:
            raise WeightsFileError(f"{self.label} is corrupt: reading '{vars_path}' failed ({error}).") from None

    def read(self, path, key):
        """The array of dataset ``key`` of ``path``'s group (checked again, then read)."""
        vars_path = _vars_path(path)
        try:
            return np.asarray(self._dataset(self._group(vars_path), key)[()])
        except WeightsFileError:
            raise
        except Exception as error:
            raise WeightsFileError(f"{self.label} is corrupt: reading '{vars_path}/{key}' failed ({error}).") from None

    def _group(self, vars_path):
        """The group at ``vars_path``, reached through plain (hard) links only, or None."""
        group = self.file
        for part in vars_path.split("/"):
            link = group.get(part, getlink=True)
            if link is None:
                return None
            self._check_link(link, f"{group.name.rstrip('/')}/{part}")
            group = group[part]
        if not isinstance(group, h5py.Group):
            raise WeightsFileError(f"{self.label}: '{vars_path}' should be a group of datasets.")
        return group

    def _dataset(self, group, key):
        where = f"{self.label}: dataset '{group.name}/{key}'"
        self._check_link(group.get(key, getlink=True), f"{group.name}/{key}")
        dataset = group.get(key)
        if not isinstance(dataset, h5py.Dataset):
            raise WeightsFileError(f"{where} is not a dataset.")
        check_dataset_is_internal(dataset, where)
        if dataset.dtype.kind not in "biuf" or dataset.dtype.shape != () or dataset.dtype.names:
            raise WeightsFileError(f"{where} has dtype {dataset.dtype}; only numbers are allowed.")
        check_dataset_size(dataset, where)
        return dataset

    def _check_link(self, link, where):
        """Only hard links: an external link reads another file, a soft link another path."""
        if isinstance(link, h5py.ExternalLink):
            raise WeightsFileError(
                f"{self.label}: '{where}' is an HDF5 external link (to {link.filename!r}). Weights "
                "files may not refer to other files; refusing to follow it.")
        if not isinstance(link, h5py.HardLink):
            raise WeightsFileError(f"{self.label}: '{where}' is an HDF5 {type(link).__name__}; only "
                                   "plain groups and datasets are allowed in a weights file.")

    def _close_opened(self):
        if self._opened is not None:
            self._opened.close()

    def close(self):
        self.file.close()
        self._close_opened()


def check_dataset_is_internal(dataset, where):
    """Refuses datasets whose bytes live outside this file (external storage, virtual datasets)."""
    if dataset.external:
        raise WeightsFileError(
            f"{where} uses HDF5 external storage (its data would be read from another file). "
            "Weights files may not refer to other files.")
    if dataset.is_virtual:
        raise WeightsFileError(
            f"{where} is an HDF5 virtual dataset (its data would be read from other datasets or "
            "files). Weights files may not refer to other files.")


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
