"""``keras.utils.get_file`` against a local HTTP server: cache, hashes, failures, safe extraction.

No test touches the internet: ``tests/utils/local_http.py`` serves the bytes
from 127.0.0.1, and every test caches into its own ``tmp_path``.
"""

import hashlib
import io
import os
import tarfile
import zipfile

import pytest

from minikeras.utils import file_utils
from minikeras.utils import get_file
from tests.utils.local_http import LocalServer
from tests.utils.local_http import closed_port_url

DATA = b"minikeras " * 100
SHA256 = hashlib.sha256(DATA).hexdigest()
MD5 = hashlib.md5(DATA).hexdigest()


def _tar_bytes(members):
    """A .tar.gz holding ``members``: name -> bytes, or name -> ("symlink", target)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            if isinstance(content, tuple):
                info.type, info.linkname = tarfile.SYMTYPE, content[1]
                archive.addfile(info)
            else:
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def _zip_bytes(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.fixture
def server():
    with LocalServer({"/data.bin": DATA}) as local:
        yield local


def test_download_then_cache_without_network(server, tmp_path, capsys):
    path = get_file("data.bin", origin=server.url("/data.bin"), file_hash=SHA256, cache_dir=tmp_path)
    assert path == os.path.join(tmp_path, "datasets", "data.bin")
    assert open(path, "rb").read() == DATA
    assert "Downloading data from" in capsys.readouterr().out
    # Second call: served from the cache, even with the server gone from the URL.
    again = get_file("data.bin", origin=closed_port_url(), file_hash=SHA256, cache_dir=tmp_path)
    assert again == path and server.requests == ["/data.bin"]
    # md5 (32 hex digits, "auto"), the deprecated md5_hash, force_download, cache_subdir.
    get_file("data.bin", origin=server.url("/data.bin"), md5_hash=MD5, cache_dir=tmp_path, force_download=True)
    other = get_file(origin=server.url("/data.bin"), cache_dir=tmp_path, cache_subdir="models")
    assert other == os.path.join(tmp_path, "models", "data.bin") and len(server.requests) == 3


def test_the_default_cache_is_keras_own_folder(server, tmp_path, monkeypatch):
    # Keras's rule: $KERAS_HOME/datasets, else ~/.keras/datasets; a file
    # Keras downloaded before is found without the network, and the reverse.
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    path = get_file("data.bin", origin=server.url("/data.bin"), file_hash=SHA256)
    assert path == os.path.join(tmp_path, "keras_home", "datasets", "data.bin")
    monkeypatch.delenv("KERAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    path = get_file("data.bin", origin=server.url("/data.bin"), file_hash=SHA256)
    assert path == os.path.join(tmp_path, "home", ".keras", "datasets", "data.bin")


def test_bad_hash_raises_and_leaves_nothing(server, tmp_path):
    with pytest.raises(ValueError, match="Incomplete or corrupted file detected. The auto file hash"):
        get_file("data.bin", origin=server.url("/data.bin"), file_hash="0" * 64, cache_dir=tmp_path)
    assert os.listdir(tmp_path / "datasets") == []


def test_a_stale_cached_file_is_downloaded_again(server, tmp_path, capsys):
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "data.bin").write_bytes(b"half a fil")
    path = get_file("data.bin", origin=server.url("/data.bin"), file_hash=SHA256, cache_dir=tmp_path)
    assert open(path, "rb").read() == DATA
    assert "hash does not match the original value" in capsys.readouterr().out


def test_truncated_download_and_offline_fail_clearly(server, tmp_path):
    server.files["/short.bin"] = DATA
    server.truncated.add("/short.bin")
    with pytest.raises(file_utils.DownloadError, match="URL fetch failure on .*short.bin.*truncated"):
        get_file("short.bin", origin=server.url("/short.bin"), cache_dir=tmp_path)
    with pytest.raises(file_utils.DownloadError, match="404 -- Not Found"):
        get_file("missing.bin", origin=server.url("/missing.bin"), cache_dir=tmp_path)
    with pytest.raises(file_utils.DownloadError, match="offline, download the file elsewhere"):
        get_file("x.bin", origin=closed_port_url(), cache_dir=tmp_path)
    assert os.listdir(tmp_path / "datasets") == []  # no partial file left behind


def test_offline_setting_uses_the_cache_and_never_the_network(server, tmp_path, monkeypatch):
    get_file("data.bin", origin=server.url("/data.bin"), file_hash=SHA256, cache_dir=tmp_path)
    monkeypatch.setenv("MINIKERAS_OFFLINE", "1")
    assert get_file("data.bin", origin=server.url("/data.bin"), file_hash=SHA256, cache_dir=tmp_path)
    with pytest.raises(file_utils.DownloadError, match="MINIKERAS_OFFLINE=1 .* forbids downloading"):
        get_file("other.bin", origin=server.url("/data.bin"), cache_dir=tmp_path)
    assert server.requests == ["/data.bin"]


def test_bad_arguments():
    with pytest.raises(ValueError, match='specify the "origin" argument'):
        get_file("x")
    with pytest.raises(ValueError, match="Paths are no longer accepted"):
        get_file("a/b.txt", origin="http://127.0.0.1/b.txt")
    with pytest.raises(ValueError, match="Can't parse the file name"):
        get_file(origin="http://127.0.0.1/")


def test_extract_tar_and_zip_with_keras_folder_names(server, tmp_path):
    server.files["/a.tar.gz"] = _tar_bytes({"top/x.txt": b"x", "top/sub/y.txt": b"y"})
    server.files["/b.zip"] = _zip_bytes({"z.txt": "z"})
    folder = get_file("photos", origin=server.url("/a.tar.gz"), extract=True, cache_dir=tmp_path)
    assert folder == os.path.join(tmp_path, "datasets", "photos")
    assert open(os.path.join(folder, "top", "sub", "y.txt")).read() == "y"
    assert os.path.isfile(folder + "_archive")
    folder = get_file("b.zip", origin=server.url("/b.zip"), extract=True, cache_dir=tmp_path)
    assert folder == os.path.join(tmp_path, "datasets", "b_extracted")
    assert open(os.path.join(folder, "z.txt")).read() == "z"


def test_members_escaping_the_folder_are_skipped(server, tmp_path):
    server.files["/evil.zip"] = _zip_bytes({"../../escaped.txt": "no", "/abs.txt": "no", "ok.txt": "yes"})
    server.files["/evil.tar.gz"] = _tar_bytes({"../escaped.txt": b"no", "link": ("symlink", "../../outside"),
                                               "ok.txt": b"yes"})
    for name in ("evil.zip", "evil.tar.gz"):
        with pytest.warns(UserWarning, match="Skipping invalid path during archive extraction"):
            folder = get_file(name, origin=server.url("/" + name), extract=True, cache_dir=tmp_path / name)
        assert sorted(os.listdir(folder)) == ["ok.txt"]
        assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / name / "escaped.txt").exists()


def test_not_an_archive_warns(server, tmp_path):
    with pytest.warns(UserWarning, match="Could not extract archive"):
        get_file("data", origin=server.url("/data.bin"), extract=True, cache_dir=tmp_path)
