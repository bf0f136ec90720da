"""``keras.datasets``, ``get_file`` and the folder/picture utilities against Keras 3.15.1.

Keras's loaders are given the same tiny files as minikeras's (its
``get_file`` is replaced by one returning the local file), so both read the
same bytes; ``image_dataset_from_directory`` / ``text_dataset_from_directory``
are compared on the same folders (Keras's ``tf.data`` batches, unshuffled).
"""

import hashlib
import os
import tarfile

import numpy as np
import pytest

from minikeras import datasets
from minikeras import utils
from tests.datasets import fake_files
from tests.utils.local_http import LocalServer

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.data


def _both(tmp_path, monkeypatch, name, data, module, **kwargs):
    """load_data(**kwargs) of minikeras and Keras on the same file bytes."""
    import importlib

    path = tmp_path / name
    path.write_bytes(data)
    keras_module = importlib.import_module(f"keras.src.datasets.{module.__name__.rsplit('.', 1)[1]}")
    monkeypatch.setattr(keras_module, "get_file", lambda *args, **kw: str(path))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    os.makedirs(tmp_path / "datasets", exist_ok=True)
    os.replace(path, tmp_path / "datasets" / name)
    monkeypatch.setattr(module, "FILE_HASH", hashlib.sha256(data).hexdigest())
    ours = module.load_data(**kwargs)
    os.replace(tmp_path / "datasets" / name, path)
    return ours, keras_module.load_data(**kwargs)


def _assert_same(ours, theirs):
    for mine, keras_array in zip(ours[0] + ours[1], theirs[0] + theirs[1]):
        assert mine.dtype == keras_array.dtype and mine.shape == keras_array.shape
        if mine.dtype == object:
            assert [list(x) for x in mine] == [list(x) for x in keras_array]
        else:
            np.testing.assert_array_equal(mine, keras_array)


@pytest.mark.parametrize("kwargs", [{}, {"num_words": 7, "skip_top": 2, "maxlen": 4, "seed": 3},
                                    {"start_char": None, "oov_char": None, "index_from": 0}])
def test_imdb_matches_keras(tmp_path, monkeypatch, kwargs):
    _assert_same(*_both(tmp_path, monkeypatch, "imdb.npz", fake_files.imdb_npz(), datasets.imdb, **kwargs))


@pytest.mark.parametrize("kwargs", [{"test_split": 0.4}, {"num_words": 6, "maxlen": 4, "oov_char": None}])
def test_reuters_matches_keras(tmp_path, monkeypatch, kwargs):
    _assert_same(*_both(tmp_path, monkeypatch, "reuters.npz", fake_files.reuters_npz(), datasets.reuters, **kwargs))


def test_housing_matches_keras(tmp_path, monkeypatch):
    _assert_same(*_both(tmp_path, monkeypatch, "boston_housing.npz", fake_files.housing_npz(13),
                        datasets.boston_housing, seed=5))
    _assert_same(*_both(tmp_path, monkeypatch, "california_housing.npz", fake_files.housing_npz(8, rows=650),
                        datasets.california_housing, version="small", test_split=0.3))


def test_cifar100_matches_keras(tmp_path, monkeypatch):
    # Keras's CIFAR-10 reader fills fixed arrays of 50,000 rows, so only CIFAR-100 takes a tiny file.
    archive = tmp_path / "archive.tar.gz"
    archive.write_bytes(fake_files.cifar100_tar_gz())
    with tarfile.open(archive) as opened:
        opened.extractall(tmp_path / "keras_extracted", filter="data")
    import keras.src.datasets.cifar100 as keras_cifar100

    monkeypatch.setattr(keras_cifar100, "get_file", lambda *a, **k: str(tmp_path / "keras_extracted"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with LocalServer({"/c.tar.gz": archive.read_bytes()}) as server:
        monkeypatch.setattr(datasets.cifar100, "ORIGIN", server.url("/c.tar.gz"))
        monkeypatch.setattr(datasets.cifar100, "FILE_HASH", None)
        _assert_same(datasets.cifar100.load_data("coarse"), keras_cifar100.load_data("coarse"))


def test_get_file_names_paths_as_keras(tmp_path):
    archive = fake_files.cifar100_tar_gz()
    (tmp_path / "ours").mkdir()
    (tmp_path / "keras").mkdir()  # Keras falls back to /tmp/.keras when cache_dir does not exist yet
    with LocalServer({"/a.tar.gz": archive, "/b.bin": b"bytes"}) as server:
        for kwargs in ({"origin": server.url("/b.bin")}, {"fname": "named", "origin": server.url("/b.bin")},
                       {"fname": "data", "origin": server.url("/a.tar.gz"), "extract": True},
                       {"fname": "a.tar.gz", "origin": server.url("/a.tar.gz"), "extract": True},
                       {"origin": server.url("/a.tar.gz"), "extract": True, "cache_subdir": "sub"}):
            ours = utils.get_file(cache_dir=str(tmp_path / "ours"), **kwargs)
            theirs = keras.utils.get_file(cache_dir=str(tmp_path / "keras"), **kwargs)
            assert os.path.relpath(ours, tmp_path / "ours") == os.path.relpath(theirs, tmp_path / "keras")
            if os.path.isdir(ours):
                assert sorted(os.listdir(ours)) == sorted(os.listdir(theirs))


def _pictures(root, channels=3):
    """Pictures of different sizes (gray ones stored gray: decoders turn RGB to gray differently)."""
    rng = np.random.default_rng(0)
    for name, count in (("b_class", 2), ("a_class", 3)):
        os.makedirs(root / name)
        for i in range(count):
            size = (5 + i, 7, channels)
            utils.save_img(root / name / f"{i}.png", rng.integers(0, 256, size).astype("uint8"), scale=False)
    return root


@pytest.mark.parametrize("kwargs", [{"label_mode": "categorical"}, {"crop_to_aspect_ratio": True},
                                    {"color_mode": "grayscale", "interpolation": "nearest", "label_mode": None}])
def test_image_dataset_matches_keras(tmp_path, kwargs):
    root = _pictures(tmp_path, channels=1 if kwargs.get("color_mode") == "grayscale" else 3)
    common = dict(image_size=(4, 6), batch_size=4, shuffle=False, verbose=False, **kwargs)
    ours = utils.image_dataset_from_directory(root, **common)
    theirs = keras.utils.image_dataset_from_directory(str(root), **common)
    assert ours.class_names == theirs.class_names and ours.file_paths == theirs.file_paths
    for mine, keras_batch in zip(ours, theirs):
        mine, keras_batch = (mine, keras_batch) if kwargs.get("label_mode", 1) is None else (mine[0], keras_batch[0])
        assert mine.dtype == keras_batch.numpy().dtype  # float32; uint8 for "nearest", as TensorFlow's resize
        np.testing.assert_allclose(mine, keras_batch.numpy(), atol=1e-3)


def test_image_dataset_split_matches_keras(tmp_path):
    root = _pictures(tmp_path)
    common = dict(image_size=(4, 4), validation_split=0.4, seed=11, verbose=False)
    for subset in ("training", "validation"):
        ours = utils.image_dataset_from_directory(root, subset=subset, **common)
        theirs = keras.utils.image_dataset_from_directory(str(root), subset=subset, **common)
        assert ours.file_paths == theirs.file_paths


def test_text_dataset_matches_keras(tmp_path):
    for name in ("neg", "pos"):
        (tmp_path / name).mkdir()
        for i in range(3):
            (tmp_path / name / f"{i}.txt").write_text(f"{name} text {i}")
    common = dict(batch_size=4, shuffle=False, max_length=7, label_mode="binary", verbose=False)
    ours = utils.text_dataset_from_directory(tmp_path, **common)
    theirs = keras.utils.text_dataset_from_directory(str(tmp_path), **common)
    for (texts, labels), (keras_texts, keras_labels) in zip(ours, theirs):
        assert list(texts) == [text.decode() for text in keras_texts.numpy()]
        np.testing.assert_array_equal(labels, keras_labels.numpy())


def test_picture_helpers_match_keras(tmp_path):
    rng = np.random.default_rng(2)
    pixels = rng.uniform(-1, 3, (5, 6, 3))
    for data_format in ("channels_last", "channels_first"):
        ours = utils.img_to_array(utils.array_to_img(pixels), data_format=data_format)
        theirs = keras.utils.img_to_array(keras.utils.array_to_img(pixels), data_format=data_format)
        np.testing.assert_array_equal(ours, theirs)
    utils.save_img(tmp_path / "p.png", pixels)
    for kwargs in ({"target_size": (3, 4), "interpolation": "bilinear"}, {"color_mode": "rgba"},
                   {"target_size": (2, 5), "keep_aspect_ratio": True}):
        np.testing.assert_array_equal(utils.img_to_array(utils.load_img(tmp_path / "p.png", **kwargs)),
                                      keras.utils.img_to_array(keras.utils.load_img(tmp_path / "p.png", **kwargs)))
    batch = rng.uniform(size=(2, 5, 9, 1)).astype("float32")
    np.testing.assert_allclose(utils.image_utils.smart_resize(batch, (3, 3)),
                               keras.preprocessing.image.smart_resize(batch, (3, 3)), atol=1e-5)
