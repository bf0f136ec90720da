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
    "RandomGrayscale": lambda seed: layers.RandomGrayscale(0.5, seed=seed),
    "RandomColorDegeneration": lambda seed: layers.RandomColorDegeneration(0.5, seed=seed),
    "RandomHue": lambda seed: layers.RandomHue(0.5, seed=seed),
    "RandomSaturation": lambda seed: layers.RandomSaturation(0.5, seed=seed),
    "RandomColorJitter": lambda seed: layers.RandomColorJitter(brightness_factor=0.2, contrast_factor=0.2,
                                                               saturation_factor=0.5, hue_factor=0.2, seed=seed),
    "RandomInvert": lambda seed: layers.RandomInvert(seed=seed),
    "RandomPosterization": lambda seed: layers.RandomPosterization((1, 5), seed=seed),
    "Solarization": lambda seed: layers.Solarization(0.3, (0.3, 0.9), seed=seed),
    "RandomGaussianBlur": lambda seed: layers.RandomGaussianBlur(sigma=(0.5, 1.0), seed=seed),
    "RandomSharpness": lambda seed: layers.RandomSharpness(1.0, seed=seed),
    "MixUp": lambda seed: layers.MixUp(seed=seed),
    "CutMix": lambda seed: layers.CutMix(seed=seed),
    "RandomErasing": lambda seed: layers.RandomErasing(seed=seed),
    "RandomPerspective": lambda seed: layers.RandomPerspective(scale=0.5, seed=seed),
    "RandomElasticTransform": lambda seed: layers.RandomElasticTransform(seed=seed),
    "RandAugment": lambda seed: layers.RandAugment(seed=seed),
    "AugMix": lambda seed: layers.AugMix(chain_depth=2, seed=seed),
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
    if name != "RandomCrop":  # RandomCrop center-crops at inference (AutoContrast, not listed, stretches)
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


def test_grayscale_and_degeneration():
    out = np.asarray(layers.RandomGrayscale(0.5, seed=2)(IMAGES))
    grey = np.all(np.ptp(out, axis=-1) < 1e-3, axis=(1, 2))  # all three channels equal
    unchanged = np.all(out == IMAGES, axis=(1, 2, 3))
    assert np.all(grey | unchanged) and 0 < grey.sum() < 16
    full = np.asarray(layers.RandomColorDegeneration((1.0, 1.0))(IMAGES))
    assert np.all(np.ptp(full, axis=-1) < 1e-3)


def test_hue_keeps_greys_and_saturation_zero_makes_grey():
    greys = np.repeat(IMAGES[..., :1], 3, axis=-1)
    np.testing.assert_allclose(np.asarray(layers.RandomHue(0.9, seed=1)(greys)), greys, atol=1e-3)
    coloured = np.asarray(layers.RandomHue((0.5, 0.5), seed=1)(IMAGES))
    assert coloured.min() >= 0 and coloured.max() <= 255 and not np.allclose(coloured, IMAGES, atol=1)
    grey = np.asarray(layers.RandomSaturation((0.0, 0.0))(IMAGES))
    assert np.all(np.ptp(grey, axis=-1) < 1e-3)


def test_tone_curves():
    np.testing.assert_allclose(np.asarray(layers.RandomInvert((1.0, 1.0))(IMAGES)), 255 - IMAGES)
    posterized = np.asarray(layers.RandomPosterization((2, 2))(IMAGES))  # keep 2 bits: multiples of 64
    assert set(np.unique(posterized)) <= {0.0, 64.0, 128.0, 192.0}
    solarized = np.asarray(layers.Solarization(0.0, 0.0)(IMAGES))  # threshold 0: every value inverted
    np.testing.assert_allclose(solarized, 255 - IMAGES, atol=1e-4)
    thresholds = layers.Solarization(0.0, 0.5, seed=1).get_random_transformation(IMAGES)["thresholds"]
    assert np.all(thresholds >= 0) and np.all(thresholds <= 0.5 * 255)
    dim = IMAGES * 0.5 + 20
    stretched = np.asarray(layers.AutoContrast()(dim, training=False))  # not random: at inference too
    np.testing.assert_allclose(stretched.min(axis=(1, 2)), 0, atol=1e-3)
    np.testing.assert_allclose(stretched.max(axis=(1, 2)), 255, atol=1e-3)
    equalized = np.asarray(layers.Equalization()(dim))
    assert equalized.min() >= 0 and equalized.max() == 255 and equalized.std() > dim.std()


def test_blur_smooths_and_sharpness_half_is_the_identity():
    blurred = np.asarray(layers.RandomGaussianBlur((1.0, 1.0), sigma=(1.0, 1.0), seed=1)(IMAGES))
    assert np.diff(blurred[:, 2:-2], axis=1).std() < np.diff(IMAGES[:, 2:-2], axis=1).std()
    np.testing.assert_allclose(np.asarray(layers.RandomSharpness((0.5, 0.5))(IMAGES)), IMAGES, atol=1e-3)


def test_mixup_and_cutmix_mix_images_and_labels_alike():
    labels = np.eye(16, dtype="float32")
    mixed = layers.MixUp(alpha=0.5, seed=3)({"images": IMAGES, "labels": labels})
    weights = np.asarray(mixed["labels"])
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-6)
    partner = np.argmax(weights - np.eye(16) * weights, axis=1)  # the other image of each pair
    own = np.diag(weights)[:, None, None, None]
    expected = own * IMAGES + (1 - own) * IMAGES[partner]
    np.testing.assert_allclose(np.asarray(mixed["images"]), expected, rtol=1e-4, atol=1e-2)
    cut = layers.CutMix(seed=4)({"images": IMAGES, "labels": labels})
    out, cut_labels = np.asarray(cut["images"]), np.asarray(cut["labels"])
    for n in range(16):
        changed = np.any(out[n] != IMAGES[n], axis=-1)
        source = IMAGES[np.argmax(cut_labels[n] - np.eye(16)[n] * cut_labels[n])]
        np.testing.assert_array_equal(out[n][changed], source[changed])  # the box comes from the partner
        # The label weight is the box's real-valued area; on 8x8 pixels the pasted grid points differ by
        # up to a row and a column.
        assert abs(cut_labels[n, n] - (1 - changed.mean())) < 0.3


def test_erasing_fills_one_box_per_image():
    out = np.asarray(layers.RandomErasing(fill_value=0.0, scale=(0.1, 0.3), seed=5)(IMAGES + 1))
    for image in out:
        rows, cols = np.nonzero(np.all(image == 0, axis=-1))
        if rows.size:  # erased: a full rectangle
            assert rows.size == (rows.max() - rows.min() + 1) * (cols.max() - cols.min() + 1)


def test_warps_and_policies_keep_shape_and_range():
    assert np.allclose(np.asarray(layers.RandomPerspective(scale=0.0)(IMAGES)), IMAGES, atol=1e-3)
    for layer in (layers.RandomElasticTransform(seed=1), layers.RandAugment(seed=1), layers.AugMix(seed=1)):
        out = np.asarray(layer(IMAGES[:4]))
        assert out.shape == (4, 8, 8, 3) and out.min() >= 0 and out.max() <= 255
