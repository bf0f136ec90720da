"""Writing a file so that readers only ever see the old version or the new one.

Place in the stack: under ``saving_lib.py``, which wraps every save in
``atomic_write``; it knows about paths and file modes only. Read it to see
why a save that is killed halfway never leaves a broken ``model.keras``.

The recipe:

1. Follow symlinks first. Saving to ``latest.keras -> runs/7/model.keras``
   writes ``runs/7/model.keras`` (as Keras does); replacing the link itself
   with a regular file would leave the target stale.
2. Write everything to a temporary file in the target's folder (the same
   file system, so the final rename is atomic). Its name carries the host
   and process id: ``.model.keras.myhost.4711.k3j9x.tmp``.
3. Give it the mode the target should have: the existing file's mode when
   overwriting, else what ``open()`` would give a new file (0666 less the
   umask). ``tempfile.mkstemp`` alone makes every file 0600.
4. ``os.replace`` it over the target.

A process killed between 2 and 4 cannot clean up after itself. The next save
to the same target does it: it removes the temporary files of that target
whose process, on this host, no longer exists.
"""

import contextlib
import os
import re
import socket
import stat
import tempfile

_TEMP_SUFFIX = ".tmp"


@contextlib.contextmanager
def atomic_write(filepath):
    """Yields a temporary path next to ``filepath``'s target; renames it into place on success.

    Example:
        >>> with atomic_write("model.keras") as temp_path:
        ...     write_everything_to(temp_path)   # an exception here keeps the old file
    """
    target = os.path.realpath(filepath)  # 1. through symlinks
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    remove_stale_temporary_files(target)
    handle, temp_path = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=_TEMP_SUFFIX, dir=folder)
    os.close(handle)
    try:
        yield temp_path  # 2. the caller writes
        os.chmod(temp_path, _mode_for(target))  # 3.
        os.replace(temp_path, target)  # 4.
    finally:
        if os.path.lexists(temp_path):
            os.remove(temp_path)


def _host():
    """This machine's name, reduced to letters, digits and ``-`` (no dots: they separate fields)."""
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname()) or "host"


def _temp_prefix(target):
    """``.model.keras.myhost.4711.``: the random part and ``.tmp`` follow."""
    return f".{os.path.basename(target)}.{_host()}.{os.getpid()}."


def _mode_for(target):
    """The existing file's permission bits, else 0666 less the umask."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        return 0o666 & ~current_umask()


def current_umask():
    """The process's umask. Linux shows it in /proc; elsewhere set-and-restore is the only way."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def remove_stale_temporary_files(target):
    """Removes ``target``'s temporary files left by dead processes of this host.

    Returns:
        The paths removed.
    """
    folder, name = os.path.split(target)
    pattern = re.compile(rf"^\.{re.escape(name)}\.(?P<host>[A-Za-z0-9-]+)\.(?P<pid>\d+)\.[^./]+{re.escape(_TEMP_SUFFIX)}$")
    removed = []
    for entry in os.listdir(folder):
        match = pattern.match(entry)
        if match is None or match["host"] != _host() or process_is_alive(int(match["pid"])):
            continue
        path = os.path.join(folder, entry)
        with contextlib.suppress(FileNotFoundError):  # another saver may have removed it first
            os.remove(path)
            removed.append(path)
    return removed


def process_is_alive(pid):
    """True if a process with this id exists (signal 0 checks without sending anything)."""
    if pid == os.getpid() or os.name == "nt":  # on Windows, os.kill would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    except OverflowError:
        return False
    return True
