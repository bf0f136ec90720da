"""The ``.keras`` file itself: a ZIP archive, written atomically and read defensively.

Place in the stack: the lowest layer of ``saving_lib.py``; it knows about
files and bytes only, nothing about models. Layout, in this order, stored
uncompressed (as Keras writes it)::

    metadata.json      {"keras_version": "3.15.1", "date_saved": ..., "minikeras_version": ...}
    config.json        the model's serialized config
    model.weights.h5   the variables (``h5_store.py``)
    assets/...         extra files, e.g. a TextVectorization vocabulary

Writing: ``write_archive`` fills the temporary file that
``atomic_file.atomic_write`` renames into place, so a crash or an exception
halfway leaves the previous file intact.

Reading: a ``.keras`` file may come from anyone. Only a regular file is
opened (not a FIFO or a device). Before anything is extracted each member is
checked: no path escaping the archive ("zip slip"), stored or deflated only,
no member over 4 GiB or declaring more than 100 times its stored size ("zip
bomb"), all required members present. While a member is decompressed the
bytes actually produced are counted, so a header that understates a member's
size cannot make the reader inflate more than the limit. Any problem is one
``ValueError``.
"""

import json
import os
import posixpath
import stat
import zipfile

MAX_MEMBER_BYTES = 4 * 2**30
MAX_EXPANSION = 100
MAX_JSON_BYTES = 256 * 2**20
READ_CHUNK_BYTES = 2**20
ALLOWED_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
REQUIRED_MEMBERS = ("metadata.json", "config.json", "model.weights.h5")


class ArchiveError(ValueError):
    """The file is not a valid, safe ``.keras`` archive."""


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


def open_regular_file(filepath):
    """Opens ``filepath`` for reading, refusing anything but a regular file.

    A FIFO, a socket or a device (``/dev/zero`` behind a symlink named
    ``x.keras``) would block the loader or feed it bytes forever. Symlinks are
    followed; what they lead to must be a regular file. The check is made on
    the opened descriptor (``fstat``), so the file cannot be swapped between
    the check and the read; ``O_NONBLOCK`` keeps the ``open`` itself from
    waiting on a FIFO with no writer.

    Returns:
        A binary file object positioned at the start.

    Raises:
        ValueError: for a missing path or anything but a regular file.
    """
    try:
        descriptor = os.open(filepath, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise ValueError(f"Cannot open {filepath}: {error.strerror}.") from None
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        raise ValueError(f"{filepath} is not a regular file (it is a {_file_kind(mode)}); "
                         "minikeras only loads models and weights from regular files.")
    return os.fdopen(descriptor, "rb")


def _file_kind(mode):
    kinds = ((stat.S_ISFIFO, "FIFO"), (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"),
             (stat.S_ISSOCK, "socket"), (stat.S_ISDIR, "directory"))
    return next((name for test, name in kinds if test(mode)), "special file")


def read_archive(filepath):
    """Reads and checks a ``.keras`` archive.

    Args:
        filepath: path of the file.

    Returns:
        An ``ArchiveContents``.

    Raises:
        ArchiveError: truncated or corrupt file, unsafe member, missing member, bad JSON.
        ValueError: for a path that is not a regular file.
    """
    with open_regular_file(filepath) as file:
        return _read_archive(file, filepath)


def _read_archive(file, filepath):
    try:
        with zipfile.ZipFile(file, "r") as archive:
            members = {info.filename: info for info in archive.infolist()}
            for info in members.values():
                check_member(info, filepath)
            missing = [name for name in REQUIRED_MEMBERS if name not in members]
            if missing:
                raise ArchiveError(f"The file {filepath} is not a complete .keras archive: it lacks {missing}.")
            metadata = _read_json(archive, members["metadata.json"], filepath)
            config = _read_json(archive, members["config.json"], filepath)
            weights_bytes = read_member(archive, members["model.weights.h5"], filepath)
            assets = {name[len("assets/"):]: read_member(archive, info, filepath) for name, info in members.items()
                      if name.startswith("assets/") and not name.endswith("/")}
    except ArchiveError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
        raise ArchiveError(f"The file {filepath} is not a valid .keras archive (truncated or corrupt): {error}") from None
    if not isinstance(metadata, dict) or not isinstance(config, dict):
        raise ArchiveError(f"The file {filepath} is corrupt: metadata.json and config.json must hold JSON objects.")
    return ArchiveContents(metadata, config, weights_bytes, assets)


def check_member(info, filepath):
    """Refuses path traversal, unknown compression and zip-bomb members (Keras's limits)."""
    name = info.filename
    normalized = posixpath.normpath(name)
    if (name.startswith(("/", "\\")) or "\\" in name or ":" in name
            or normalized.startswith("..") or "/../" in f"/{name}/" or "\0" in name):
        raise ArchiveError(f"The file {filepath} contains an unsafe member path {name!r} (it escapes the archive).")
    if info.compress_type not in ALLOWED_COMPRESSION:
        # bzip2 and LZMA decompress a whole read at once, with no bound on the output.
        raise ArchiveError(f"The file {filepath} contains a member {name!r} compressed with method "
                           f"{info.compress_type}; only stored and deflated members are read.")
    if info.file_size > MAX_MEMBER_BYTES:
        raise ArchiveError(f"The file {filepath} contains a member {name!r} of {info.file_size} bytes, "
                           "over the 4 GiB limit.")
    if member_limit(info) < info.file_size:
        raise ArchiveError(f"The file {filepath} contains a member {name!r} that expands from "
                           f"{info.compress_size} to {info.file_size} bytes (a zip bomb?).")


def member_limit(info):
    """The most bytes a member may expand to: 100 times its stored size (at least 1 MiB)."""
    return min(MAX_MEMBER_BYTES, max(MAX_EXPANSION * info.compress_size, 2**20))


def read_member(archive, info, filepath, limit=None):
    """Decompresses one member, counting the bytes actually produced.

    The sizes in a ZIP header are claims: a member may declare 1 KB and hold a
    deflate stream of 2 GB, found out only by the CRC check at its very end.
    Reading in 1 MiB pieces and stopping once the limit is passed bounds the
    memory whatever the header says.
    """
    limit = min(member_limit(info), info.file_size) if limit is None else limit
    pieces, total = [], 0
    with archive.open(info) as member:
        while True:
            piece = member.read(READ_CHUNK_BYTES)
            if not piece:
                break
            total += len(piece)
            if total > limit:
                raise ArchiveError(f"The file {filepath} has a member {info.filename!r} that expands past "
                                   f"{limit} bytes, more than its header declares (a zip bomb?).")
            pieces.append(piece)
    return b"".join(pieces)


def _read_json(archive, info, filepath):
    if info.file_size > MAX_JSON_BYTES:
        raise ArchiveError(f"The file {filepath} has an oversized {info.filename}.")
    text = read_member(archive, info, filepath, limit=min(member_limit(info), MAX_JSON_BYTES))
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
