"""The ``.keras`` file itself: a ZIP archive, written atomically and read defensively.

Place in the stack: the lowest layer of ``saving_lib.py``; it knows about
files and bytes only, nothing about models. Layout, in this order, stored
uncompressed (as Keras writes it)::

    metadata.json      {"keras_version": "3.15.1", "date_saved": ..., "minikeras_version": ...}
    config.json        the model's serialized config
    model.weights.h5   the variables (``h5_store.py``)
    assets/...         extra files, e.g. a TextVectorization vocabulary

Writing: every save goes to a temporary file in the destination's folder,
renamed over the destination only when complete (``os.replace`` is atomic on
one file system). A crash or an exception halfway leaves the previous file
intact.

Reading: a ``.keras`` file may come from anyone, so before anything is
extracted each member is checked: no path escaping the archive ("zip slip"),
no member over 4 GiB or expanding to more than 100 times its stored size
("zip bomb"), all required members present. Any problem is one ``ValueError``.
"""

import contextlib
import json
import os
import posixpath
import tempfile
import zipfile

MAX_MEMBER_BYTES = 4 * 2**30
MAX_EXPANSION = 100
MAX_JSON_BYTES = 256 * 2**20
REQUIRED_MEMBERS = ("metadata.json", "config.json", "model.weights.h5")


class ArchiveError(ValueError):
    """The file is not a valid, safe ``.keras`` archive."""


@contextlib.contextmanager
def atomic_write(filepath):
    """Yields a temporary path next to ``filepath``; renames it into place on success.

    Example:
        >>> with atomic_write("model.keras") as temp_path:
        ...     write_everything_to(temp_path)   # an exception here keeps the old file
    """
    folder = os.path.dirname(os.path.abspath(filepath))
    os.makedirs(folder, exist_ok=True)
    handle, temp_path = tempfile.mkstemp(prefix="." + os.path.basename(filepath) + ".", suffix=".tmp", dir=folder)
    os.close(handle)
    try:
        yield temp_path
        os.replace(temp_path, filepath)
    finally:
        if os.path.exists(temp_path):
            os.remove(temp_path)


def write_archive(path, metadata, config, weights_bytes, assets):
    """Writes the ZIP members in Keras's order, uncompressed.

    Args:
        path: the (temporary) file to write.
        metadata: dict for ``metadata.json``.
        config: dict for ``config.json``.
        weights_bytes: the content of ``model.weights.h5``.
        assets: ``{relative path: bytes}`` stored under ``assets/``.
    """
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("metadata.json", json.dumps(metadata))
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("model.weights.h5", weights_bytes)
        for relative_path in sorted(assets):
            archive.writestr(f"assets/{relative_path}", assets[relative_path])


class ArchiveContents:
    """What ``read_archive`` returns: the parsed JSON members, the weights bytes and the assets."""

    def __init__(self, metadata, config, weights_bytes, assets):
        self.metadata = metadata
        self.config = config
        self.weights_bytes = weights_bytes
        self.assets = assets  # {path relative to assets/: bytes}


def read_archive(filepath):
    """Reads and checks a ``.keras`` archive.

    Args:
        filepath: path of the file.

    Returns:
        An ``ArchiveContents``.

    Raises:
        ArchiveError: truncated or corrupt file, unsafe member, missing member, bad JSON.
    """
    try:
        with zipfile.ZipFile(filepath, "r") as archive:
            members = {info.filename: info for info in archive.infolist()}
            for info in members.values():
                check_member(info, filepath)
            missing = [name for name in REQUIRED_MEMBERS if name not in members]
            if missing:
                raise ArchiveError(f"The file {filepath} is not a complete .keras archive: it lacks {missing}.")
            metadata = _read_json(archive, members["metadata.json"], filepath)
            config = _read_json(archive, members["config.json"], filepath)
            weights_bytes = archive.read(members["model.weights.h5"])
            assets = {name[len("assets/"):]: archive.read(info) for name, info in members.items()
                      if name.startswith("assets/") and not name.endswith("/")}
    except ArchiveError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
        raise ArchiveError(f"The file {filepath} is not a valid .keras archive (truncated or corrupt): {error}") from None
    if not isinstance(metadata, dict) or not isinstance(config, dict):
        raise ArchiveError(f"The file {filepath} is corrupt: metadata.json and config.json must hold JSON objects.")
    return ArchiveContents(metadata, config, weights_bytes, assets)


def check_member(info, filepath):
    """Refuses path traversal and zip-bomb members (Keras's limits)."""
    name = info.filename
    normalized = posixpath.normpath(name)
    if (name.startswith(("/", "\\")) or "\\" in name or ":" in name
            or normalized.startswith("..") or "/../" in f"/{name}/" or "\0" in name):
        raise ArchiveError(f"The file {filepath} contains an unsafe member path {name!r} (it escapes the archive).")
    if info.file_size > MAX_MEMBER_BYTES:
        raise ArchiveError(f"The file {filepath} contains a member {name!r} of {info.file_size} bytes, "
                           "over the 4 GiB limit.")
    if info.file_size > MAX_EXPANSION * max(info.compress_size, 1) and info.file_size > 2**20:
        raise ArchiveError(f"The file {filepath} contains a member {name!r} that expands from "
                           f"{info.compress_size} to {info.file_size} bytes (a zip bomb?).")


def _read_json(archive, info, filepath):
    if info.file_size > MAX_JSON_BYTES:
        raise ArchiveError(f"The file {filepath} has an oversized {info.filename}.")
    text = archive.read(info)
    try:
        return json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ArchiveError(f"The file {filepath} has an invalid {info.filename}: {error}") from None


def safe_asset_path(root, relative_path):
    """Joins an asset's archive path to ``root``, refusing anything that leaves ``root``."""
    target = os.path.realpath(os.path.join(root, *relative_path.split("/")))
    if os.path.commonpath([os.path.realpath(root), target]) != os.path.realpath(root):
        raise ArchiveError(f"Unsafe asset path {relative_path!r}.")
    return target
