"""``keras.datasets`` loaders on tiny files in Keras's formats, served from 127.0.0.1.

Each test points a loader's ``ORIGIN`` (and ``FILE_HASH``) at
``tests/utils/local_http.py``'s server and its cache at ``tmp_path``;
``tests/conformance/test_datasets_keras.py`` checks the same loaders give
Keras's numbers on the same files.
"""

import hashlib
import io
import pickle

import numpy as np
import pytest

from minikeras import datasets
from minikeras.datasets import npz_utils
from minikeras.datasets import word_sequences
from tests.datasets import fake_files
from tests.utils.local_http import LocalServer
from tests.utils.local_http import closed_port_url

pytestmark = pytest.mark.data


@pytest.fixture
def serve(tmp_path, monkeypatch):
    """serve(module, bytes): the module's ORIGIN and FILE_HASH now point at these bytes."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with LocalServer() as server:
        def serve_file(module, data, origin="ORIGIN", hash_name="FILE_HASH"):
            path = f"/{module.__name__.rsplit('.', 1)[1]}/{origin}"
            server.files[path] = data
            monkeypatch.setattr(module, origin, server.url(path))
            monkeypatch.setattr(module, hash_name, hashlib.sha256(data).hexdigest())
        serve_file.server = server
        yield serve_file


def test_rank_arithmetic_by_hand():
    texts = word_sequences.shift_ranks([[5, 9], [1]], start_char=1, index_from=3)
    assert texts == [[1, 8, 12], [1, 4]]
    assert word_sequences.remove_long(3, texts, [0, 1]) == ([[1, 4]], [1])
    assert word_sequences.limit_vocabulary(texts, num_words=10, skip_top=2, oov_char=2) == [[2, 8, 2], [2, 4]]
    assert word_sequences.limit_vocabulary(texts, num_words=10, skip_top=2, oov_char=None) == [[8], [4]]
    assert word_sequences.shift_ranks([[5]], start_char=None, index_from=0) == [[5]]


def test_imdb_and_its_cache(serve, monkeypatch):
    serve(datasets.imdb, fake_files.imdb_npz())
    (x_train, y_train), (x_test, y_test) = datasets.imdb.load_data(num_words=9)
    assert x_train.dtype == object and x_train.shape == (4,) and x_test.shape == (2,)
    # Every review keeps its label through the shuffle: [1, 5, 9] -> [1, 8, 2 (12 >= 9)] labelled 0.
    pairs = sorted((tuple(x), int(y)) for x, y in zip(x_train, y_train))
    assert pairs == [((1, 4, 8, 2), 0), ((1, 5, 2), 1), ((1, 6), 0), ((1, 7, 7, 7, 7), 1)]
    # Offline now: the cached file is used.
    monkeypatch.setattr(datasets.imdb, "ORIGIN", closed_port_url())
    (again, _), _ = datasets.imdb.load_data(num_words=9)
    assert [list(x) for x in again] == [list(x) for x in x_train]
    with pytest.raises(ValueError, match="no sequence was kept. Increase maxlen"):
        datasets.imdb.load_data(maxlen=2)


def test_reuters_and_labels(serve):
    serve(datasets.reuters, fake_files.reuters_npz())
    (x_train, y_train), (x_test, y_test) = datasets.reuters.load_data(test_split=0.4, maxlen=5)
    assert len(x_train) + len(x_test) == 4  # the 4-word text (5 with start_char) is dropped
    assert len(x_train) == int(4 * 0.6) and y_train.dtype.kind == "i"
    assert datasets.reuters.get_label_names()[3] == "earn" and len(datasets.reuters.get_label_names()) == 46


def test_word_index(serve):
    serve(datasets.imdb, b'{"the": 1, "movie": 17}', "WORD_INDEX_ORIGIN", "WORD_INDEX_HASH")
    assert datasets.imdb.get_word_index() == {"the": 1, "movie": 17}


def test_housing(serve):
    serve(datasets.boston_housing, fake_files.housing_npz(13))
    (x_train, y_train), (x_test, y_test) = datasets.boston_housing.load_data()
    assert x_train.shape == (8, 13) and x_test.shape == (2, 13) and y_train.shape == (8,)
    serve(datasets.california_housing, fake_files.housing_npz(8, rows=700))
    (x_train, _), (x_test, _) = datasets.california_housing.load_data(version="small", test_split=0.5)
    assert x_train.shape == (300, 8) and x_test.shape == (300, 8)
    with pytest.raises(ValueError, match="Invalid `test_split` argument: 1"):
        datasets.boston_housing.load_data(test_split=1)
    with pytest.raises(ValueError, match="Argument `version` must be one of 'small', 'large'"):
        datasets.california_housing.load_data(version="medium")


def test_cifar(serve):
    serve(datasets.cifar10, fake_files.cifar10_tar_gz(rows=2))
    (x_train, y_train), (x_test, y_test) = datasets.cifar10.load_data()
    assert x_train.shape == (10, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (10, 1) and y_train.dtype == np.uint8 and x_test.shape == (2, 32, 32, 3)
    serve(datasets.cifar100, fake_files.cifar100_tar_gz(rows=3))
    (x_train, y_train), (x_test, y_test) = datasets.cifar100.load_data(label_mode="coarse")
    assert x_train.shape == (3, 32, 32, 3) and y_test.shape == (2, 1)
    with pytest.raises(ValueError, match='`label_mode` must be one of `"fine"`, `"coarse"`'):
        datasets.cifar100.load_data(label_mode="medium")


def test_fashion_mnist(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    files = fake_files.fashion_files()
    with LocalServer({"/f/" + name: data for name, data in files.items()}) as server:
        monkeypatch.setattr(datasets.fashion_mnist, "ORIGIN_FOLDER", server.url("/f/"))
        (x_train, y_train), (x_test, y_test) = datasets.fashion_mnist.load_data()
    assert x_train.shape == (3, 28, 28) and y_test.shape == (2,) and x_train.dtype == np.uint8
    assert (tmp_path / "datasets" / "fashion-mnist" / "t10k-labels-idx1-ubyte.gz").exists()


class _Evil:
    def __reduce__(self):
        return (print, ("pwned",))


def test_a_pickle_that_calls_code_is_refused(tmp_path):
    x = np.empty(1, dtype=object)
    x[0] = _Evil()
    path = tmp_path / "evil.npz"
    path.write_bytes(fake_files.npz_bytes(x=x))
    with pytest.raises(pickle.UnpicklingError, match="Refusing to deserialize `builtins.print`"):
        npz_utils.load_npz(path)
    with pytest.raises(pickle.UnpicklingError, match="Refusing"):
        npz_utils.RestrictedUnpickler(io.BytesIO(pickle.dumps(_Evil()))).load()
