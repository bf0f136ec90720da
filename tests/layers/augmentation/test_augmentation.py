"""Augmentation layers: off at inference, seeded, and random in the right way (NumPy only).

Keras equality of the deterministic part lives in
``tests/conformance/test_augmentation_keras.py``; here: what the random part
must look like (value ranges, fractions changed, shapes), reproducibility
with a seed, configs and errors.
"""

import numpy as np
import pytest

from minikeras import layers

RNG = np.random.default_rng(0)
IMAGES = RNG.uniform(0, 255, size=(16, 8, 8, 3)).astype("float32")

# One small instance of each layer, with the arguments that make it change every image.
LAYERS = {
    "RandomFlip": lambda seed: layers.RandomFlip(seed=seed),
    "RandomRotation": lambda seed: layers.RandomRotation(0.2, seed=seed),
    "RandomZoom": lambda seed: layers.RandomZoom((-0.3, 0.3), seed=seed),
    "RandomTranslation": lambda seed: layers.RandomTranslation(0.2, 0.2, seed=seed),
    "RandomShear": lambda seed: layers.RandomShear(0.3, 0.3, seed=seed),
    "RandomCrop": lambda seed: layers.RandomCrop(5, 6, seed=seed),
    "RandomContrast": lambda seed: layers.RandomContrast(0.5, seed=seed),
    "RandomBrightness": lambda seed: layers.RandomBrightness(0.3, seed=seed),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_seed_reproducibility_inference_and_config(name):
    layer = LAYERS[name](7)
    first, second = np.asarray(layer(IMAGES)), np.asarray(layer(IMAGES))
    np.testing.assert_array_equal(first, np.asarray(LAYERS[name](7)(IMAGES)))  # same seed, same images
    assert not np.array_equal(first, second)  # the generator moves on between calls
    single = layer(IMAGES[0])  # one (H, W, C) image is a batch of one
    assert single.shape == layer.compute_output_shape(IMAGES[0].shape)
    restored = type(layer).from_config(layer.get_config())
    assert restored.get_config() == layer.get_config()
    if name != "RandomCrop":  # RandomCrop center-crops at inference
        np.testing.assert_array_equal(np.asarray(layer(IMAGES.astype("uint8"), training=False)),
                                      IMAGES.astype("uint8").astype("float32"))


def test_flip_flips_about_half_of_the_images_and_nothing_else():
    out = np.asarray(layers.RandomFlip("horizontal", seed=1)(np.tile(IMAGES[:1], (200, 1, 1, 1))))
    flipped = np.all(out == IMAGES[0, :, ::-1], axis=(1, 2, 3))
    unchanged = np.all(out == IMAGES[0], axis=(1, 2, 3))
    assert np.all(flipped | unchanged) and 70 < flipped.sum() < 130


def test_rotation_by_half_a_turn_and_angle_range():
    layer = layers.RandomRotation((0.5, 0.5), fill_mode="constant")
    np.testing.assert_allclose(np.asarray(layer(IMAGES[:2])), IMAGES[:2, ::-1, ::-1], atol=1e-3)
    angles = layers.RandomRotation(0.1, seed=2).get_random_transformation(IMAGES)["angle"]
    assert angles.shape == (16,) and np.all(np.abs(angles) <= 36) and angles.std() > 5


def test_zoom_out_shrinks_the_picture():
    square = np.zeros((1, 9, 9, 1), "float32")
    square[0, 2:7, 2:7] = 1.0
    out = np.asarray(layers.RandomZoom((0.8, 0.8), fill_mode="constant")(square))  # zoom factor 1.8
    assert out.sum() < square.sum() and out[0, 4, 4, 0] == 1.0


def test_translation_moves_by_whole_pixels():
    shift = layers.RandomTranslation((0.25, 0.25), (-0.25, -0.25), fill_mode="constant")
    out = np.asarray(shift(IMAGES[:1]))  # 2 pixels down, 2 pixels left
    np.testing.assert_allclose(out[0, 2:, :6], IMAGES[0, :6, 2:], atol=1e-4)


def test_crop_window_lies_inside_the_image():
    out = np.asarray(layers.RandomCrop(5, 6, seed=3)(IMAGES))
    windows = [IMAGES[:, top:top + 5, left:left + 6] for top in range(4) for left in range(3)]
    assert any(np.array_equal(out, window) for window in windows)
    assert layers.RandomCrop(4, 4)(IMAGES, training=False).shape == (16, 4, 4, 3)


def test_colour_layers_stay_in_value_range():
    bright = np.asarray(layers.RandomBrightness(0.9, value_range=(0, 255), seed=1)(IMAGES))
    assert bright.min() >= 0 and bright.max() <= 255 and not np.allclose(bright, IMAGES)
    unit = IMAGES / 255
    contrast = np.asarray(layers.RandomContrast((0.5, 0.9), value_range=(0, 1), seed=1)(unit))
    assert contrast.min() >= 0 and contrast.max() <= 1 and not np.allclose(contrast, unit)
    delta = layers.RandomBrightness((-0.2, 0.1), seed=4).get_random_transformation(IMAGES)["rgb_delta"]
    assert np.all(delta >= -0.2 * 255) and np.all(delta <= 0.1 * 255)


def test_errors_name_the_layer_or_the_argument():
    with pytest.raises(ValueError, match="RandomFlip works on images of float"):
        layers.RandomFlip()(np.zeros((2, 4, 4, 3), bool))
    with pytest.raises(ValueError, match="RandomRotation: expected images of rank 3"):
        layers.RandomRotation(0.1)(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"The `factor` argument should be a number .* \[0, 1\]"):
        layers.RandomContrast(1.5)
    with pytest.raises(ValueError, match="Received: input_number=-1.0"):
        layers.RandomZoom(-1.0)
    with pytest.raises(NotImplementedError, match="Unknown `fill_mode` mirror"):
        layers.RandomTranslation(0.1, 0.1, fill_mode="mirror")
    with pytest.raises(ValueError, match="RandomFlip: `mode` must be one of"):
        layers.RandomFlip("diagonal")


def test_augmentation_inside_a_model_is_off_in_predict():
    from minikeras import Sequential
    from minikeras import layers as L
    model = Sequential([L.Input((8, 8, 3)), L.RandomFlip(seed=1), L.RandomRotation(0.3, seed=1),
                        L.RandomZoom(0.2, seed=1)])
    np.testing.assert_allclose(model.predict(IMAGES, verbose=0), IMAGES)
    assert not np.allclose(np.asarray(model(IMAGES, training=True)), IMAGES)
