"""Reading the data set files that hold pickles, without running their code.

Place in the stack: beside the loaders of ``minikeras/datasets/``. IMDB and
Reuters store reviews of different lengths as NumPy *object* arrays of
lists, which ``.npy`` can only hold as a pickle; CIFAR's batches are pickled
dicts. Unpickling calls whatever function the file names, so a tampered file
could run any code (``os.system``...). The ``RestrictedUnpickler`` below
allows only the few names that rebuild NumPy arrays and refuses the rest,
the same list Keras 3.15 uses. Read ``imdb.py`` next.
"""

import io
import pickle
import zipfile

import numpy as np

# (module, name) pairs a data set pickle may refer to: NumPy's array
# reconstruction under its NumPy 1 and NumPy 2 module paths. Builtins such as
# list, dict, bytes and int are pickle opcodes, not lookups, so need no entry.
ALLOWED_GLOBALS = frozenset({
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
})


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that only rebuilds NumPy arrays; any other global is refused."""

    def find_class(self, module, name):
        if (module, name) in ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"Refusing to deserialize `{module}.{name}` while loading a data set. "
            "The file may be corrupted or malicious.")


def load_npy(file):
    """Reads one ``.npy`` stream: numbers without pickle, object arrays restricted.

    Args:
        file: a seekable binary file positioned at the start of the ``.npy`` data.

    Returns:
        The array (for an object array: whatever the restricted pickle held).
    """
    version = np.lib.format.read_magic(file)
    # Format 3.0 differs from 2.0 only in the header's text encoding.
    read_header = np.lib.format.read_array_header_1_0 if version[0] == 1 else np.lib.format.read_array_header_2_0
    _, _, dtype = read_header(file)
    file.seek(0)
    if not dtype.hasobject:
        return np.lib.format.read_array(file, allow_pickle=False)
    np.lib.format.read_magic(file)
    read_header(file)
    return RestrictedUnpickler(file).load()


def load_npz(path):
    """Reads every ``.npy`` member of the ``.npz`` file at ``path`` into a dict of arrays."""
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.endswith(".npy"):
                with archive.open(member) as raw:
                    arrays[member[:-len(".npy")]] = load_npy(io.BytesIO(raw.read()))
    return arrays


def shuffled_split(x, y, test_split, seed):
    """Shuffles ``(x, y)`` with ``RandomState(seed)`` and cuts off the last ``test_split`` part.

    Args:
        x: array of shape (N, ...).
        y: array of shape (N, ...).
        test_split: fraction in [0, 1) that goes to the test set.
        seed: int seed of the shuffle (Keras's default is 113).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``; the training part has
        ``int(N * (1 - test_split))`` rows.
    """
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))


def check_test_split(test_split):
    """Keras's check (and message) for the ``test_split`` argument."""
    if not 0 <= test_split < 1:
        raise ValueError(f"Invalid `test_split` argument: {test_split}. "
                         "It must be between 0 and 1 (exclusive of 1).")
