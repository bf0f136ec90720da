"""Files that lie about their size or are not files at all.

A ZIP header's sizes are claims; the loader counts the bytes it actually
decompresses. A path named ``x.keras`` may be a FIFO or a symlink to
``/dev/zero``; the loader accepts regular files only and never blocks.
"""

import os
import resource
import struct
import subprocess
import sys
import tracemalloc
import zipfile

import pytest

from minikeras import saving
from tests.saving.helpers import TwoBlocks
from tests.saving.helpers import built

pytestmark = pytest.mark.saving


@pytest.fixture
def saved(tmp_path):
    path = str(tmp_path / "layer.keras")
    saving.save_model(built(TwoBlocks()), path)
    return path


def _add_understated_member(path, name, real_size, claimed_size):
    """Appends a deflated member of ``real_size`` zeros whose headers claim ``claimed_size`` bytes."""
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as file:
        file.writestr(name, b"\0" * real_size)
    data = bytearray(open(path, "rb").read())
    with zipfile.ZipFile(path) as file:
        info = file.getinfo(name)
    # Local header: uncompressed size at offset 22. Central directory: at offset 24.
    struct.pack_into("<I", data, info.header_offset + 22, claimed_size)
    central = data.find(b"PK\x01\x02", info.header_offset)
    while struct.unpack_from("<I", data, central + 42)[0] != info.header_offset:
        central = data.find(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, claimed_size)
    open(path, "wb").write(bytes(data))


@pytest.mark.parametrize("member", ["assets/vocabulary.txt", "config.json"])
def test_member_that_understates_its_size_is_not_inflated(saved, member):
    if member == "config.json":  # replace the real one: drop it, then add the liar
        with zipfile.ZipFile(saved) as file:
            kept = {info.filename: file.read(info) for info in file.infolist() if info.filename != member}
        with zipfile.ZipFile(saved, "w") as file:
            for name, data in kept.items():
                file.writestr(name, data)
    _add_understated_member(saved, member, real_size=64 * 2**20, claimed_size=1000)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="(?i)crc|zip bomb|not a valid"):
            saving.load_model(saved)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20, f"decompressing a 1000-byte claim took {peak / 2**20:.0f} MiB"


def test_compression_methods_without_an_output_bound_are_refused(saved):
    with zipfile.ZipFile(saved, "a", compression=zipfile.ZIP_BZIP2) as file:
        file.writestr("assets/big.txt", b"\0" * 1000)
    with pytest.raises(ValueError, match="compressed with method 12; only stored and deflated"):
        saving.load_model(saved)


# Runs in a child process, so that a loader that blocks on a FIFO or reads
# /dev/zero forever (in C, where no signal reaches it) fails the test by the
# timeout instead of hanging the suite; its address space is capped too.
_CHILD = """
import os, sys
from minikeras import saving
from tests.saving.helpers import TwoBlocks, built
folder = sys.argv[1]
os.mkfifo(os.path.join(folder, "fifo.keras")); os.mkfifo(os.path.join(folder, "fifo.weights.h5"))
os.symlink("/dev/zero", os.path.join(folder, "zero.keras"))
os.symlink("/dev/zero", os.path.join(folder, "zero.weights.h5"))
for name in ("fifo.keras", "zero.keras", "fifo.weights.h5", "zero.weights.h5"):
    path = os.path.join(folder, name)
    try:
        saving.load_model(path) if name.endswith(".keras") else saving.load_weights(built(TwoBlocks()), path)
        print(name, "loaded", flush=True)
    except ValueError as error:
        print(name, "ValueError", error, flush=True)
"""


def _limit_address_space():
    resource.setrlimit(resource.RLIMIT_AS, (8 * 2**30, 8 * 2**30))


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/zero"), reason="POSIX only")
def test_fifos_and_devices_are_refused_without_blocking(tmp_path):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        result = subprocess.run([sys.executable, "-c", _CHILD, str(tmp_path)], capture_output=True, text=True,
                                timeout=90, cwd=root, preexec_fn=_limit_address_space)
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"the loader blocked; it had answered: {error.stdout}")
    lines = result.stdout.splitlines()
    assert len(lines) == 4, result.stdout + result.stderr
    for line in lines:
        assert "ValueError" in line and "is not a regular file" in line, line


@pytest.mark.parametrize("name", ["x.keras", "x.weights.h5"])
def test_a_folder_is_refused(tmp_path, name):
    path = tmp_path / name
    path.mkdir()
    with pytest.raises(ValueError, match="is not a regular file"):
        if name.endswith(".keras"):
            saving.load_model(str(path))
        else:
            saving.load_weights(built(TwoBlocks()), str(path))


def test_a_symlink_to_a_regular_file_is_followed(saved, tmp_path):
    link = tmp_path / "link.keras"
    os.symlink(saved, link)
    assert saving.load_model(str(link)).built
