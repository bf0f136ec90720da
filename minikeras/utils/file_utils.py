"""``get_file``: download a file once, check its hash, extract archives safely.

Place in the stack: the top (``keras.utils.get_file``); the data set loaders
of ``minikeras/datasets/`` fetch their files through it. It uses only the
standard library (``urllib``, ``hashlib``, ``tarfile``, ``zipfile``). Read
``minikeras/datasets/cifar10.py`` next for a caller that extracts an archive.

Where files go: ``cache_dir/cache_subdir/fname``. The default cache is
Keras's own, ``~/.keras`` (or ``$KERAS_HOME``; ``/tmp/.keras`` when that
cannot be written), so by default files land in ``~/.keras/datasets/`` and a
file Keras downloaded before is found here too. A file already there (and matching ``file_hash``
when one is given) is used without touching the network, so a machine that
is offline still loads every data set it fetched before.

Why each step:
- the bytes go to a hidden temporary file beside the target and are renamed
  into place (``os.replace``, atomic) only once the download finished and
  the hash matched: an interrupted or corrupt download never leaves a file
  that a later call would trust (Keras writes straight to the target and
  deletes it on error; a killed process can leave it behind);
- a timeout, so an offline machine fails in seconds with a message that
  says where to put the file by hand, instead of hanging;
- archive members that would land outside the extraction folder (``../x``,
  absolute paths, links pointing out: "zip slip" / "tar slip") are skipped
  with a warning, as Keras does; so are devices and other special files;
- an archive is extracted into a temporary folder renamed into place at the
  end, so a failed extraction leaves nothing half-written.
"""

import hashlib
import http.client
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile

from minikeras.backend import config
from minikeras.backend.config import dataset_cache_root
from minikeras.utils import io_utils

CHUNK_BYTES = 1 << 16
# Seconds allowed to connect and for each read; module-level so that a
# caller on a slow link can raise it.
TIMEOUT_SECONDS = 30.0


class DownloadError(Exception):
    """A file could not be fetched (network error, HTTP error, timeout)."""


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None, cache_subdir="datasets",
             hash_algorithm="auto", extract=False, archive_format="auto", cache_dir=None, force_download=False):
    """Downloads ``origin`` into the cache unless a good copy is already there.

    Args:
        fname: local file name; None takes the last part of ``origin``'s path.
            With ``extract=True`` it also names the extraction folder (see Returns).
        origin: the URL to fetch.
        untar: deprecated Keras name for ``extract=True, archive_format="tar"``.
        md5_hash: deprecated Keras name for ``file_hash`` with ``hash_algorithm="md5"``.
        file_hash: expected sha256 or md5 (hex string) of the downloaded file.
        cache_subdir: folder under ``cache_dir`` (an absolute path is used as it is).
        hash_algorithm: ``"sha256"``, ``"md5"`` or ``"auto"`` (64 hex digits: sha256, else md5).
        extract: extract the downloaded tar or zip archive.
        archive_format: ``"auto"`` (tar, then zip), ``"tar"``, ``"zip"``, a list of those, or None.
        cache_dir: root of the cache; None: Keras's, ``~/.keras`` (``$KERAS_HOME``).
        force_download: download even when a good copy is cached.

    Returns:
        The path of the file; with ``extract=True`` the path of the folder
        the archive was extracted into: ``<fname>`` when ``fname`` has no
        dot (the archive is then kept as ``<fname>_archive``), else
        ``<fname up to its first dot>_extracted`` (Keras's naming).

    Raises:
        ValueError: no ``origin``, a ``fname`` with a folder in it, or a
            downloaded file whose hash does not match.
        DownloadError: the network failed (offline, HTTP error, timeout), or a
            download was needed while ``MINIKERAS_OFFLINE=1``.
    """
    # 1. Where the file (and the extracted folder) go.
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    datadir = os.path.join(os.path.expanduser(cache_dir or dataset_cache_root()), cache_subdir)
    os.makedirs(datadir, exist_ok=True)
    download_target, extraction_dir = _target_paths(fname, origin, datadir, extract or untar)

    # 2. Download unless a copy with the right hash is cached.
    if force_download or not os.path.exists(download_target):
        downloaded = True
    elif file_hash is not None and not validate_file(download_target, file_hash, hash_algorithm):
        io_utils.print_msg(
            "A local file was found, but it seems to be incomplete or outdated because the "
            f"{hash_algorithm} file hash does not match the original value of {file_hash} "
            "so we will re-download the data.")
        downloaded = True
    else:
        downloaded = False
    if downloaded and config.flag("MINIKERAS_OFFLINE", "offline", False):
        raise DownloadError(f"{download_target} is not in the cache (or does not match its hash), and "
                            "MINIKERAS_OFFLINE=1 (or \"offline\": true in minikeras.json) forbids downloading "
                            f"it from {origin}. Copy the file there, or unset MINIKERAS_OFFLINE.")
    if downloaded:
        io_utils.print_msg(f"Downloading data from {origin}")
        _download(origin, download_target, file_hash, hash_algorithm)

    # 3. Extract (again only when the download is new or the folder is missing).
    if extraction_dir is None:
        return download_target
    if downloaded or not os.path.isdir(extraction_dir):
        if not extract_archive(download_target, extraction_dir, "tar" if untar else archive_format):
            warnings.warn("Could not extract archive.", stacklevel=2)
    return extraction_dir


def _target_paths(fname, origin, datadir, extract):
    """Returns ``(download_target, extraction_dir or None)`` with Keras's naming rules."""
    provided = fname is not None and str(fname) != ""
    fname = os.fspath(fname) if provided else os.path.basename(urllib.parse.urlsplit(origin).path)
    if not fname:
        raise ValueError(f"Can't parse the file name from the origin provided: '{origin}'."
                         "Please specify the `fname` argument.")
    if os.sep in fname:
        raise ValueError("Paths are no longer accepted as the `fname` argument. To specify the file's "
                         f"parent directory, use the `cache_dir` argument. Received: fname={fname}")
    if not extract:
        return os.path.join(datadir, fname), None
    if provided and "." in fname:  # "data.tar.gz": keep the archive's name, extract into "data_extracted"
        return os.path.join(datadir, fname), os.path.join(datadir, fname[:fname.find(".")] + "_extracted")
    return os.path.join(datadir, fname + "_archive"), os.path.join(datadir, fname)


def _download(origin, target, file_hash, hash_algorithm):
    """Streams ``origin`` to a temporary file, checks the hash, renames it to ``target``."""
    handle, temp_path = tempfile.mkstemp(prefix=".download-", dir=os.path.dirname(target))
    try:
        with os.fdopen(handle, "wb") as file:
            _fetch_into(origin, file)
        if file_hash is not None and not validate_file(temp_path, file_hash, hash_algorithm):
            raise ValueError(f"Incomplete or corrupted file detected. The {hash_algorithm} file hash does not "
                             f"match the provided value of {file_hash}.")
        os.replace(temp_path, target)
    except BaseException:
        os.remove(temp_path)
        raise


def _fetch_into(origin, file):
    """Copies the body at ``origin`` into the open ``file``, refusing a short body."""
    try:
        with urllib.request.urlopen(origin, timeout=TIMEOUT_SECONDS) as response:
            expected = response.headers.get("Content-Length")
            received = 0
            for chunk in iter(lambda: response.read(CHUNK_BYTES), b""):
                file.write(chunk)
                received += len(chunk)
    except urllib.error.HTTPError as error:
        raise DownloadError(f"URL fetch failure on {origin}: {error.code} -- {error.msg}") from error
    except http.client.IncompleteRead as error:  # the connection closed before Content-Length bytes came
        raise DownloadError(f"URL fetch failure on {origin}: truncated download ({error!r}).") from error
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:  # offline, refused, timed out
        reason = getattr(error, "reason", error)
        raise DownloadError(
            f"URL fetch failure on {origin}: {getattr(error, 'errno', None)} -- {reason}. "
            "If this machine is offline, download the file elsewhere and copy it into the cache "
            "folder (see get_file's `cache_dir`); it is then used without the network.") from error
    if expected is not None and received != int(expected):
        raise DownloadError(f"URL fetch failure on {origin}: the server announced {expected} bytes "
                            f"but sent {received} (truncated download).")


def resolve_hasher(algorithm, file_hash=None):
    """Returns a fresh ``hashlib`` object: sha256, or md5 (``"auto"``: by the hash's length)."""
    if algorithm == "sha256" or (algorithm == "auto" and file_hash is not None and len(file_hash) == 64):
        return hashlib.sha256()
    return hashlib.md5()


def hash_file(fpath, algorithm="sha256", chunk_size=65535):
    """Returns the hex digest of the file at ``fpath`` (``"sha256"``, ``"md5"`` or a hashlib object)."""
    hasher = resolve_hasher(algorithm) if isinstance(algorithm, str) else algorithm
    with open(fpath, "rb") as file:
        for chunk in iter(lambda: file.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash, algorithm="auto", chunk_size=65535):
    """True when the file's sha256 or md5 equals ``file_hash``."""
    return hash_file(fpath, resolve_hasher(algorithm, file_hash), chunk_size) == str(file_hash)


def extract_archive(file_path, path=".", archive_format="auto"):
    """Extracts a tar (plain, gz, bz2, xz) or zip archive into the folder ``path``.

    Members whose path would leave ``path`` are skipped with a warning, as are
    links pointing outside it and special files (devices, FIFOs).

    Args:
        file_path: the archive.
        path: the folder to create (replaced if it exists).
        archive_format: ``"auto"`` (tar, then zip), ``"tar"``, ``"zip"``, a list, or None.

    Returns:
        True if the file was an archive of an accepted format and was extracted.
    """
    if archive_format is None:
        return False
    formats = ["tar", "zip"] if archive_format == "auto" else (
        [archive_format] if isinstance(archive_format, str) else list(archive_format))
    for archive_type in formats:
        if archive_type not in ("tar", "zip"):
            raise NotImplementedError(archive_type)
        is_archive = tarfile.is_tarfile if archive_type == "tar" else zipfile.is_zipfile
        if is_archive(file_path):
            _extract_atomically(file_path, os.fspath(path), archive_type)
            return True
    return False


def _extract_atomically(file_path, path, archive_type):
    """Extracts into a temporary sibling folder, then renames it to ``path``."""
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    temp_dir = tempfile.mkdtemp(prefix=".extract-", dir=parent)
    try:
        if archive_type == "tar":
            with tarfile.open(file_path) as archive:
                members = list(_safe_tar_members(archive, temp_dir))
                archive.extractall(temp_dir, members=members, **_TAR_FILTER)
        else:
            with zipfile.ZipFile(file_path) as archive:
                archive.extractall(temp_dir, members=list(_safe_zip_members(archive, temp_dir)))
        if os.path.isdir(path):
            shutil.rmtree(path)
        os.replace(temp_dir, path)
    except BaseException:
        shutil.rmtree(temp_dir, ignore_errors=True)
        raise


# Python's own "data" filter (3.11.4+, 3.12) re-checks every member we kept.
_TAR_FILTER = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}


def _inside(base, relative):
    """True when ``base/relative``, resolved, is ``base`` or below it."""
    base = os.path.realpath(base)
    target = os.path.realpath(os.path.join(base, relative))
    return os.path.commonpath([base, target]) == base


def _skip(name):
    warnings.warn(f"Skipping invalid path during archive extraction: '{name}'.", stacklevel=4)


def _safe_tar_members(archive, base):
    """Yields the members of a tar archive that stay inside ``base``."""
    for member in archive.getmembers():
        if member.issym():  # a symlink's target is relative to its own folder
            ok = _inside(base, member.name) and _inside(base, os.path.join(os.path.dirname(member.name),
                                                                           member.linkname))
        elif member.islnk():  # a hard link's target is relative to the archive's root
            ok = _inside(base, member.name) and _inside(base, member.linkname)
        else:
            ok = (member.isfile() or member.isdir()) and _inside(base, member.name)
        if ok:
            yield member
        else:
            _skip(member.name)


def _safe_zip_members(archive, base):
    """Yields the members of a zip archive that stay inside ``base``."""
    for info in archive.infolist():
        if _inside(base, info.filename) and not os.path.isabs(info.filename):
            yield info
        else:
            _skip(info.filename)
