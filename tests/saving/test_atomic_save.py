"""Saving: through symlinks, with the right permissions, and cleaning up after killed saves."""

import os
import signal
import stat
import subprocess
import sys

import numpy as np
import pytest

from minikeras import saving
from minikeras.saving import atomic_file
from tests.saving.helpers import TwoBlocks
from tests.saving.helpers import built

pytestmark = pytest.mark.saving

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _save(kind, layer, path):
    if kind == "model":
        saving.save_model(layer, path)
    else:
        saving.save_weights(layer, path)


def _name(kind):
    return "m.keras" if kind == "model" else "m.weights.h5"


def _same_weights(path, layer, kind):
    loaded = saving.load_model(path) if kind == "model" else built(TwoBlocks())
    if kind == "weights":
        saving.load_weights(loaded, path)
    return all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(layer.weights, loaded.weights))


@pytest.mark.parametrize("kind", ["model", "weights"])
def test_saving_to_a_symlink_writes_through_it(tmp_path, kind):
    (tmp_path / "runs").mkdir()
    target = tmp_path / "runs" / _name(kind)
    link = tmp_path / f"latest-{_name(kind)}"
    _save(kind, built(TwoBlocks()), str(target))
    os.symlink(os.path.join("runs", _name(kind)), link)  # a relative link, resolved from its folder
    layer = built(TwoBlocks())
    _save(kind, layer, str(link))
    assert os.path.islink(link), "the symlink was replaced by a regular file"
    assert _same_weights(str(target), layer, kind), "the link's target is stale"
    assert sorted(os.listdir(tmp_path / "runs")) == [_name(kind)]  # the temporary file went there, and away


def test_saving_through_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "m.keras"
    os.symlink(tmp_path / "new.keras", link)
    layer = built(TwoBlocks())
    saving.save_model(layer, str(link))
    assert os.path.islink(link) and _same_weights(str(tmp_path / "new.keras"), layer, "model")


@pytest.fixture
def umask():
    previous = os.umask(0o022)
    yield lambda mask: os.umask(mask)
    os.umask(previous)


@pytest.mark.parametrize("kind", ["model", "weights"])
@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_files_honour_the_umask(tmp_path, umask, kind, mask, mode):
    umask(mask)
    path = tmp_path / _name(kind)
    _save(kind, built(TwoBlocks()), str(path))
    assert stat.S_IMODE(os.stat(path).st_mode) == mode


@pytest.mark.parametrize("kind", ["model", "weights"])
def test_overwriting_keeps_the_files_mode(tmp_path, umask, kind):
    path = tmp_path / _name(kind)
    _save(kind, built(TwoBlocks()), str(path))
    os.chmod(path, 0o640)
    umask(0o077)
    _save(kind, built(TwoBlocks()), str(path))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


# The child saves with a writer that stops halfway (the temporary file holds
# part of the archive) and waits to be killed.
_KILLED_SAVER = """
import sys, time
from minikeras import saving
from minikeras.saving import archive
from tests.saving.helpers import TwoBlocks, built
def stuck_write(path, *args):
    with open(path, "wb") as file:
        file.write(b"PK" + bytes(4096))
    print("writing", flush=True)
    time.sleep(120)
archive.write_archive = stuck_write
saving.save_model(built(TwoBlocks()), sys.argv[1])
"""


def _temporary_files(folder):
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


def test_the_next_save_removes_the_temporary_files_of_a_killed_save(tmp_path):
    path = str(tmp_path / "m.keras")
    saving.save_model(built(TwoBlocks()), path)
    before = open(path, "rb").read()
    for _ in range(2):
        child = subprocess.Popen([sys.executable, "-c", _KILLED_SAVER, path], cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert child.stdout.readline().strip() == "writing", child.stderr.read()
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
            child.stdout.close()
            child.stderr.close()
        # One stale file, the killed child's: the second child's save removed the first one's.
        stale = _temporary_files(tmp_path)
        assert len(stale) == 1 and f".{child.pid}." in stale[0], stale
    assert open(path, "rb").read() == before  # the killed saves never touched the file
    # A temporary file of a live process (this one's parent) and one of another host stay.
    alive = f".m.keras.{atomic_file._host()}.{os.getppid()}.abc123.tmp"
    other_host = ".m.keras.elsewhere-host.1.abc123.tmp"
    (tmp_path / alive).write_bytes(b"x")
    (tmp_path / other_host).write_bytes(b"x")
    layer = built(TwoBlocks())
    saving.save_model(layer, path)
    assert _temporary_files(tmp_path) == sorted([alive, other_host])
    assert _same_weights(path, layer, "model")


def test_process_is_alive():
    assert atomic_file.process_is_alive(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert not atomic_file.process_is_alive(child.pid)
