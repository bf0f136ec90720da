"""Tests of ``minikeras.datasets``: the download path against a local HTTP server,
the offline fallback to the bundled sample, and the IDX reader.

No test touches the internet: ``mnist.ORIGIN`` is pointed at a server on
127.0.0.1 started in a thread, serving a small ``.npz`` made here.
"""

import gzip
import hashlib
import http.server
import io
import os
import threading
import time

import numpy as np
import pytest

from minikeras.datasets import download
from minikeras.datasets import mnist

pytestmark = pytest.mark.data


def _small_npz_bytes():
    rng = np.random.default_rng(0)
    buffer = io.BytesIO()
    np.savez(
        buffer,
        x_train=rng.integers(0, 256, (6, 28, 28), dtype=np.uint8),
        y_train=np.arange(6, dtype=np.uint8),
        x_test=rng.integers(0, 256, (2, 28, 28), dtype=np.uint8),
        y_test=np.array([7, 3], dtype=np.uint8),
    )
    return buffer.getvalue()


GOOD_BYTES = _small_npz_bytes()
GOOD_HASH = hashlib.sha256(GOOD_BYTES).hexdigest()


class _Handler(http.server.BaseHTTPRequestHandler):
    requests_seen = []

    def do_GET(self):
        _Handler.requests_seen.append(self.path)
        if self.path == "/slow.npz":
            time.sleep(2.0)
        body = GOOD_BYTES if self.path != "/corrupt.npz" else GOOD_BYTES[:-100] + b"x" * 100
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server_url():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.delenv("MINIKERAS_OFFLINE", raising=False)
    monkeypatch.setattr(mnist, "FILE_HASH", GOOD_HASH)
    monkeypatch.setattr(mnist, "TIMEOUT_SECONDS", 0.5)
    return tmp_path


def test_download_succeeds_and_is_cached(server_url, home, monkeypatch, recwarn):
    monkeypatch.setattr(mnist, "ORIGIN", server_url + "/good.npz")
    _Handler.requests_seen.clear()
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert x_train.shape == (6, 28, 28) and x_train.dtype == np.uint8
    assert y_test.tolist() == [7, 3] and y_test.dtype == np.uint8
    assert os.listdir(home / "datasets") == ["mnist.npz"]  # no temporary file left behind
    mnist.load_data()  # the second call reads the cache
    assert _Handler.requests_seen == ["/good.npz"]
    assert not [w for w in recwarn if issubclass(w.category, UserWarning)]


def test_corrupt_download_falls_back_and_leaves_no_file(server_url, home, monkeypatch):
    monkeypatch.setattr(mnist, "ORIGIN", server_url + "/corrupt.npz")
    with pytest.warns(UserWarning, match="BUNDLED SAMPLE") as record:
        (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert "sha256" in str(record[0].message)
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    assert os.listdir(home / "datasets") == []


def test_timeout_falls_back_quickly(server_url, home, monkeypatch):
    monkeypatch.setattr(mnist, "ORIGIN", server_url + "/slow.npz")
    start = time.monotonic()
    with pytest.warns(UserWarning, match="timed out"):
        (x_train, _), _ = mnist.load_data()
    assert time.monotonic() - start < 1.8
    assert x_train.shape == (4000, 28, 28)


def test_offline_skips_the_network(server_url, home, monkeypatch):
    monkeypatch.setattr(mnist, "ORIGIN", server_url + "/good.npz")
    monkeypatch.setenv("MINIKERAS_OFFLINE", "1")
    _Handler.requests_seen.clear()
    with pytest.warns(UserWarning, match="MINIKERAS_OFFLINE"):
        (x_train, _), _ = mnist.load_data()
    assert _Handler.requests_seen == [] and len(x_train) == 4000


def test_offline_still_uses_a_verified_cache(home, monkeypatch):
    (home / "datasets").mkdir()
    (home / "datasets" / "mnist.npz").write_bytes(GOOD_BYTES)
    monkeypatch.setenv("MINIKERAS_OFFLINE", "1")
    (x_train, _), _ = mnist.load_data()
    assert x_train.shape == (6, 28, 28)


def test_no_fallback_raises(home, monkeypatch):
    monkeypatch.setenv("MINIKERAS_OFFLINE", "1")
    with pytest.raises(download.DownloadError, match="MINIKERAS_OFFLINE"):
        mnist.load_data(fallback=False)


def test_bundled_sample_is_shuffled_real_mnist():
    (x_train, y_train), (x_test, y_test) = mnist._read_npz(mnist.SAMPLE_PATH)
    assert x_train.dtype == y_train.dtype == np.uint8
    # The source is sorted by label: after the fixed shuffle, every class is
    # present in the last 15% of the training part (what validation_split keeps).
    assert set(np.unique(y_train[-600:])) == set(range(10))
    assert set(np.unique(y_test)) == set(range(10))
    assert 20 < x_train.mean() < 50 and x_train.max() == 255  # MNIST's mean pixel is about 33
    assert os.path.getsize(mnist.SAMPLE_PATH) < 3 * 2**20
    assert os.path.exists(os.path.join(os.path.dirname(mnist.SAMPLE_PATH), "MNIST_LICENSE.txt"))


def _write_idx(path, array, magic):
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    with gzip.open(path, "wb") as file:
        file.write(header + array.astype(np.uint8).tobytes())


def test_load_idx_reads_gzipped_files(tmp_path):
    images = np.arange(3 * 28 * 28).reshape(3, 28, 28) % 256
    _write_idx(tmp_path / "i.gz", images, 0x803)
    _write_idx(tmp_path / "l.gz", np.array([4, 2, 9]), 0x801)
    x, y = mnist.load_idx(tmp_path / "i.gz", tmp_path / "l.gz")
    np.testing.assert_array_equal(x, images)
    assert y.tolist() == [4, 2, 9] and x.dtype == np.uint8


def test_load_idx_rejects_bad_files(tmp_path):
    _write_idx(tmp_path / "i.gz", np.zeros((3, 28, 28)), 0x803)
    _write_idx(tmp_path / "l.gz", np.zeros(2), 0x801)
    with pytest.raises(ValueError, match="3 images but"):
        mnist.load_idx(tmp_path / "i.gz", tmp_path / "l.gz")
    with pytest.raises(ValueError, match="magic number"):
        mnist.load_idx(tmp_path / "l.gz", tmp_path / "l.gz")


T10K = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "datasets", "mnist-t10k")


@pytest.mark.skipif(not os.path.isdir(T10K), reason="../shared/datasets/mnist-t10k is absent")
def test_load_idx_reads_the_shared_t10k_files():
    x, y = mnist.load_idx(os.path.join(T10K, "t10k-images-idx3-ubyte.gz"),
                          os.path.join(T10K, "t10k-labels-idx1-ubyte.gz"))
    assert x.shape == (10000, 28, 28) and y[:5].tolist() == [7, 2, 1, 0, 4]
