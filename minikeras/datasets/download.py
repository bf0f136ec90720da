"""Downloading a data file safely: a short timeout, a sha256 check, an atomic write.

Place in the stack: beside the data set loaders (``mnist.py``), above
``backend/config.py`` (which says where minikeras keeps its user files). It is
the small cousin of ``keras.utils.get_file``: it fetches one URL into the
cache folder ``~/.keras/datasets/`` (``$KERAS_HOME/datasets/`` when that
variable is set), the one Keras uses and checks the bytes against a known sha256.

Why each step:
- a timeout, so an offline machine fails in seconds instead of hanging;
- a sha256 check, so a truncated or tampered download is never used;
- the bytes go to a temporary file in the cache folder, renamed into place
  (``os.replace``) only once the hash matches, so an interrupted download
  never leaves a half-written file that a later run would trust.
"""

import hashlib
import os
import tempfile
import time
import urllib.request

from minikeras.backend.config import dataset_cache_root

CHUNK_BYTES = 1 << 16
MAX_DOWNLOAD_BYTES = 256 * 2**20  # no data set minikeras fetches is larger


class DownloadError(OSError):
    """Raised when a file could not be fetched or did not match its hash."""


def cache_dir():
    """Returns the folder of downloaded data sets, ``~/.keras/datasets`` (Keras's)."""
    return os.path.join(dataset_cache_root(), "datasets")


def sha256_of_file(path):
    """Returns the hexadecimal sha256 of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def cached_file(fname, file_hash):
    """Returns the cached path of ``fname`` if it exists and matches ``file_hash``, else None."""
    path = os.path.join(cache_dir(), fname)
    if os.path.isfile(path) and (file_hash is None or sha256_of_file(path) == file_hash):
        return path
    return None


def get_file(fname, origin, file_hash, timeout=10.0):
    """Downloads ``origin`` into the cache as ``fname`` unless a good copy is there.

    Args:
        fname: file name inside the cache folder (an absolute path is used
            as it is, as in Keras).
        origin: the URL to fetch.
        file_hash: expected sha256 (hex string) of the file, or None to skip the check.
        timeout: seconds allowed for connecting, for each read, and (times
            ten) for the whole download.

    Returns:
        The local path of the verified file.

    Raises:
        DownloadError: on any network error, timeout, oversized or corrupt download.
    """
    found = cached_file(fname, file_hash)
    if found is not None:
        return found
    path = os.path.join(cache_dir(), fname)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # A temporary file in the same folder, so the final os.replace is atomic.
    handle, temp_path = tempfile.mkstemp(prefix=".download-", dir=os.path.dirname(path))
    try:
        with os.fdopen(handle, "wb") as file:
            digest = _fetch_into(origin, file, timeout)
        if file_hash is not None and digest != file_hash:
            raise DownloadError(
                f"The file downloaded from {origin} is corrupt: its sha256 is {digest}, "
                f"expected {file_hash}."
            )
        os.replace(temp_path, path)
    except BaseException:
        os.remove(temp_path)
        raise
    return path


def _fetch_into(origin, file, timeout):
    """Streams ``origin`` into the open ``file``; returns the sha256 of the bytes."""
    digest = hashlib.sha256()
    deadline = time.monotonic() + 10 * timeout
    received = 0
    try:
        with urllib.request.urlopen(origin, timeout=timeout) as response:
            for chunk in iter(lambda: response.read(CHUNK_BYTES), b""):
                received += len(chunk)
                if received > MAX_DOWNLOAD_BYTES:
                    raise DownloadError(f"{origin} sent more than {MAX_DOWNLOAD_BYTES} bytes.")
                if time.monotonic() > deadline:
                    raise DownloadError(f"Downloading {origin} took more than {10 * timeout:.0f} s.")
                digest.update(chunk)
                file.write(chunk)
    except DownloadError:
        raise
    except (OSError, ValueError) as error:  # URLError, socket timeouts and HTTP errors are OSErrors
        raise DownloadError(f"Could not download {origin}: {error}") from error
    return digest.hexdigest()
