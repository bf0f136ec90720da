"""Pictures and folders of examples: ``load_img`` & co., ``image_dataset_from_directory``,
``text_dataset_from_directory``. Tiny PNG and text files written into ``tmp_path``.
"""

import os

import numpy as np
import pytest

import minikeras as keras
from minikeras import utils


def _write_pictures(root, per_class=3, classes=("cats", "dogs")):
    rng = np.random.default_rng(0)
    for label, name in enumerate(classes):
        os.makedirs(root / name)
        for i in range(per_class):
            pixels = rng.integers(0, 256, (6, 8, 3)).astype("uint8")
            utils.save_img(root / name / f"{i}.png", pixels, scale=False)
    (root / "cats" / "notes.txt").write_text("not a picture")
    return root


def test_save_load_round_trip(tmp_path):
    pixels = np.arange(6 * 8 * 3).reshape(6, 8, 3) % 256
    utils.save_img(tmp_path / "a.png", pixels, scale=False)
    img = utils.load_img(tmp_path / "a.png")
    assert img.size == (8, 6) and img.mode == "RGB"
    np.testing.assert_array_equal(utils.img_to_array(img), pixels.astype("float32"))
    gray = utils.img_to_array(utils.load_img(tmp_path / "a.png", color_mode="grayscale"), data_format="channels_first")
    assert gray.shape == (1, 6, 8)
    assert utils.load_img(tmp_path / "a.png", target_size=(3, 4), keep_aspect_ratio=True).size == (4, 3)
    # scale=True stretches to 0..255: a constant 0/1 picture becomes 0/255.
    stretched = utils.img_to_array(utils.array_to_img(np.eye(3)[:, :, None]))
    np.testing.assert_array_equal(stretched[:, :, 0], 255 * np.eye(3))
    with pytest.raises(ValueError, match="Expected image array to have rank 3"):
        utils.array_to_img(np.zeros((2, 2)))
    with pytest.raises(ValueError, match='color_mode must be "grayscale", "rgb", or "rgba"'):
        utils.load_img(tmp_path / "a.png", color_mode="cmyk")


def test_smart_resize_crops_to_the_aspect_ratio():
    image = np.zeros((4, 8, 1), "float32")
    image[:, 2:6] = 1.0  # the centre 4x4 square, which the crop keeps
    out = keras.preprocessing.image.smart_resize(image, (2, 2))
    assert isinstance(out, np.ndarray) and out.shape == (2, 2, 1)
    np.testing.assert_allclose(out, 1.0)


def test_image_dataset_batches_labels_and_split(tmp_path):
    root = _write_pictures(tmp_path / "pets")
    dataset = utils.image_dataset_from_directory(root, image_size=(4, 4), batch_size=4, shuffle=False)
    assert dataset.class_names == ["cats", "dogs"] and len(dataset) == 2
    images, labels = dataset[0]
    assert images.shape == (4, 4, 4, 3) and images.dtype == np.float32
    np.testing.assert_array_equal(labels, [0, 0, 0, 1]) and labels.dtype == np.int32
    _, one_hot = utils.image_dataset_from_directory(root, image_size=4, label_mode="categorical", shuffle=False)[0]
    assert one_hot.shape == (6, 2) and one_hot.dtype == np.float32
    train, val = utils.image_dataset_from_directory(root, image_size=(4, 4), validation_split=0.5, subset="both",
                                                    seed=7, batch_size=None)
    assert len(train) == 3 and len(val) == 3 and set(train.file_paths).isdisjoint(val.file_paths)
    again = utils.image_dataset_from_directory(root, image_size=(4, 4), validation_split=0.5, subset="validation",
                                               seed=7)
    assert again.file_paths == val.file_paths  # same seed, same split
    image, label = val[0]
    assert image.shape == (4, 4, 3) and label.shape == ()


def test_fit_streams_an_image_dataset(tmp_path):
    root = _write_pictures(tmp_path / "pets", per_class=2)
    dataset = utils.image_dataset_from_directory(root, image_size=(4, 4), batch_size=2, seed=1,
                                                 label_mode="binary", verbose=False)
    model = keras.Sequential([keras.Input((4, 4, 3)), keras.layers.Rescaling(1 / 255), keras.layers.Flatten(),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    history = model.fit(dataset, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_image_dataset_bad_folders(tmp_path):
    with pytest.raises(ValueError, match="Could not find directory"):
        utils.image_dataset_from_directory(tmp_path / "missing")
    (tmp_path / "empty" / "a").mkdir(parents=True)
    with pytest.raises(ValueError, match="No images found in directory"):
        utils.image_dataset_from_directory(tmp_path / "empty")
    with pytest.raises(ValueError, match="you must provide a `seed` argument"):
        utils.image_dataset_from_directory(tmp_path / "empty", validation_split=0.2, subset="training")
    with pytest.raises(ValueError, match="`label_mode` argument must be one of"):
        utils.image_dataset_from_directory(tmp_path / "empty", label_mode="sparse")


def test_text_dataset(tmp_path):
    for label, name in enumerate(("neg", "pos")):
        (tmp_path / name).mkdir()
        for i in range(2):
            (tmp_path / name / f"{i}.txt").write_text(f"{name} review {i} é")
    dataset = utils.text_dataset_from_directory(tmp_path, batch_size=3, shuffle=False, max_length=12)
    texts, labels = dataset[0]
    assert dataset.class_names == ["neg", "pos"] and texts.shape == (3,)
    assert list(texts) == ["neg review 0", "neg review 1", "pos review 0"]
    np.testing.assert_array_equal(labels, [0, 0, 1])
    whole = utils.text_dataset_from_directory(tmp_path, labels=None, shuffle=False)[0]
    assert whole[0] == "neg review 0 é"
