"""``ops.image`` and the augmentation layers of issue 17 against Keras 3.15.1.

The random part of an augmentation cannot match (JAX draws other numbers), so
each layer is compared on its deterministic part: both libraries'
``transform_images`` get the same parameters (angles, zooms, flips...) and
must give the same images (float32; atol 1e-4 on pixels in [0, 255], i.e.
rtol ~1e-6: the float32 rounding of bilinear resampling). Configs must have
the same keys and values and load in the other library; a model holding
augmentation layers must load both ways. Skips when Keras is not installed.
"""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")

import minikeras  # noqa: E402
from minikeras import layers  # noqa: E402
from minikeras import ops  # noqa: E402

pytestmark = pytest.mark.layers

RNG = np.random.default_rng(17)
IMAGES = RNG.uniform(0, 255, size=(3, 7, 6, 3)).astype("float32")
UNIT = IMAGES / 255
TRANSFORM = np.array([[0.9, -0.3, 1.2, 0.25, 1.1, -0.7, 0, 0], [1, 0, -2.5, 0, 1, 1.5, 0, 0],
                      [0.8, 0.2, 0.5, -0.2, 0.9, 0.1, 0, 0]], "float32")
COORDINATES = RNG.uniform(-2, 8, (3, 4, 5)).astype("float32")
CORNERS = np.array([[0, 0], [5, 0], [0, 6], [5, 6]], "float32")
MOVED = np.array([[1, 0], [4, 1], [0, 5], [5, 6]], "float32")

# (name, args, kwargs): each is called on the same arrays in both libraries.
OP_CASES = [
    ("affine_transform", (IMAGES, TRANSFORM), {"fill_mode": "reflect"}),
    ("affine_transform", (IMAGES, TRANSFORM), {"interpolation": "nearest", "fill_mode": "constant",
                                               "fill_value": 7.0}),
    ("affine_transform", (IMAGES[0].astype("uint8"), TRANSFORM[0]), {"fill_mode": "nearest"}),
    ("map_coordinates", (UNIT[0], COORDINATES, 1), {"fill_mode": "mirror"}),
    ("map_coordinates", (UNIT[0], COORDINATES, 0), {"fill_mode": "constant", "fill_value": 0.5}),
    ("perspective_transform", (IMAGES, np.stack([CORNERS] * 3), np.stack([MOVED, CORNERS, MOVED])), {}),
    ("rgb_to_grayscale", (IMAGES.astype("uint8").transpose(0, 3, 1, 2),), {"data_format": "channels_first"}),
    ("rgb_to_hsv", (UNIT,), {}),
    ("hsv_to_rgb", (UNIT.transpose(0, 3, 1, 2),), {"data_format": "channels_first"}),
    ("pad_images", (IMAGES, 1, 2), {"target_height": 10, "right_padding": 1}),
    ("crop_images", (IMAGES,), {"bottom_cropping": 1, "target_height": 4, "left_cropping": 1,
                                "target_width": 3}),
    ("extract_patches", (IMAGES, (2, 3), (1, 2), 1, "same"), {}),
    ("extract_patches", (IMAGES.transpose(0, 3, 1, 2), 2), {"dilation_rate": 2, "strides": 1,
                                                          "data_format": "channels_first"}),
    ("extract_patches_3d", (RNG.uniform(size=(1, 4, 5, 6, 2)).astype("float32"), (2, 2, 3)), {}),
    ("gaussian_blur", (IMAGES, (3, 4), (1.0, 0.7)), {"data_format": "channels_last"}),
    ("sobel_edges", (IMAGES.transpose(0, 3, 1, 2),), {"data_format": "channels_first"}),
    ("ssim", (UNIT, np.clip(UNIT + RNG.normal(0, 0.1, UNIT.shape), 0, 1).astype("float32")), {"filter_size": 5}),
    ("scale_and_translate", (UNIT, (3, 9, 8, 3), np.array([1.4, 0.6], "float32"), np.array([-1.0, 0.5], "float32"),
                             (1, 2), "cubic"), {}),
]


def test_image_ops_match_keras():
    for name, args, kwargs in OP_CASES:
        ours = np.asarray(getattr(ops.image, name)(*args, **kwargs))
        theirs = np.asarray(getattr(keras.ops.image, name)(*args, **kwargs))
        assert ours.dtype == theirs.dtype, name
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-4, err_msg=f"{name} {kwargs}")


def _rotation_parameters(keras_layer, images, angles):
    """Keras's RandomRotation wants its matrix in the parameters; ours only the angles."""
    zeros, ones = np.zeros(len(angles), "float32"), np.ones(len(angles), "float32")
    matrix = keras_layer._compute_affine_matrix(0.5, 0.5, angles, zeros, zeros, ones, zeros, zeros,
                                                images.shape[1], images.shape[2])
    return {"angle": angles, "rotation_matrix": matrix}


FLAGS = np.array([True, False, True]).reshape(3, 1, 1, 1)
# (class name, kwargs, parameters given to transform_images): every layer of one Keras call each.
LAYER_CASES = [
    ("RandomFlip", {"mode": "horizontal"}, {"flips": FLAGS}),
    ("RandomFlip", {"data_format": "channels_first"}, {"flips": FLAGS}),
    ("RandomRotation", {"factor": 0.2, "fill_mode": "constant", "fill_value": 3.0},
     {"angle": np.array([10.0, -70.0, 180.0], "float32")}),
    ("RandomRotation", {"factor": (0.1, 0.3), "interpolation": "nearest", "fill_mode": "wrap"},
     {"angle": np.array([45.0, 90.0, 20.0], "float32")}),
    ("RandomZoom", {"height_factor": 0.3, "width_factor": (-0.2, 0.4), "fill_mode": "nearest"},
     {"height_zoom": np.array([[0.8], [1.3], [1.0]], "float32"),
      "width_zoom": np.array([[1.2], [0.7], [1.1]], "float32")}),
    ("RandomTranslation", {"height_factor": 0.3, "width_factor": 0.2, "data_format": "channels_first"},
     {"translations": np.array([[1.5, -2.0], [0.3, 3.2], [-4, 0]], "float32")}),
    ("RandomShear", {"x_factor": 0.3, "y_factor": (0.1, 0.4), "fill_mode": "constant"},
     {"shear_factor": np.array([[0.2, -0.1], [-0.3, 0.25], [0, 0.1]], "float32")}),
    ("RandomCrop", {"height": 4, "width": 3, "seed": 5}, (2, 1)),
    ("RandomCrop", {"height": 9, "width": 4, "seed": 5}, (0, 1)),
    ("RandomContrast", {"factor": (0.2, 0.5)}, {"contrast_factor": np.array([0.5, 1.3, 1.0]).reshape(3, 1, 1, 1)}),
    ("RandomBrightness", {"factor": 0.5, "value_range": (0, 200)},
     {"rgb_delta": np.array([-30, 20, 100.0]).reshape(3, 1, 1, 1)}),
    ("RandomGrayscale", {"factor": 0.5}, FLAGS),
    ("RandomColorDegeneration", {"factor": 0.5}, {"factor": np.array([0.2, 0.9, -0.3]).reshape(3, 1, 1, 1)}),
    ("RandomHue", {"factor": 0.8}, {"factor": np.array([0.1, -0.35, 0.45], "float32")}),
    ("RandomSaturation", {"factor": 0.8, "data_format": "channels_first"},
     {"factor": np.array([0.2, 1.5, 0.0], "float32")}),
    ("RandomInvert", {"value_range": (0, 255)}, {"apply_inversion": FLAGS[:, 0, 0, 0]}),
    ("RandomPosterization", {"factor": (2, 6)}, {"shift_factor": np.array([6, 2, 4], "uint8")}),
    ("Solarization", {"addition_factor": 0.2, "threshold_factor": 0.8},
     {"additions": np.array([10.0, 0.0, 40.0]).reshape(3, 1, 1, 1),
      "thresholds": np.array([128.0, 200.0, 60.0]).reshape(3, 1, 1, 1)}),
    ("AutoContrast", {"value_range": (0, 255)}, None),
    ("Equalization", {"bins": 8}, None),
    ("MixUp", {"alpha": 0.3}, {"mix_weight": np.array([0.2, 0.7, 1.0], "float32"),
                               "permutation_order": np.array([2, 0, 1])}),
    ("CutMix", {"factor": 0.5}, {"permutation_order": np.array([1, 2, 0]), "mix_weight": np.ones(3, "float32"),
                                 "batch_masks": RNG.uniform(size=(3, 7, 6, 3)) < 0.5}),
    ("RandomErasing", {"fill_value": 12.0}, {"apply_erasing": FLAGS[:, 0, 0, 0],
                                             "batch_masks": RNG.uniform(size=(3, 7, 6, 3)) < 0.3,
                                             "fill_value": np.full((3, 7, 6, 3), 12.0, "float32")}),
    ("RandomGaussianBlur", {"kernel_size": (3, 5), "sigma": 0.8},
     {"should_apply_blur": FLAGS[:, 0, 0, 0], "blur_factor": np.array([0.6, 0.3], "float32")}),
    ("RandomSharpness", {"factor": 0.9}, {"factor": np.array([0.1, 0.5, 0.9], "float32")}),
    ("RandomPerspective", {"scale": 0.5}, {"apply_perspective": np.array([True, True, False]),
                                           "start_points": np.stack([CORNERS] * 3),
                                           "end_points": np.stack([MOVED, CORNERS, MOVED])}),
]


@pytest.mark.parametrize("class_name, kwargs, parameters", LAYER_CASES,
                         ids=[f"{case[0]}-{i}" for i, case in enumerate(LAYER_CASES)])
def test_fixed_parameters_give_keras_images(class_name, kwargs, parameters):
    ours = getattr(layers, class_name)(name="case", **kwargs)  # named: auto-names depend on test order
    theirs = getattr(keras.layers, class_name)(name="case", **kwargs)
    images = IMAGES.transpose(0, 3, 1, 2) if kwargs.get("data_format") == "channels_first" else IMAGES
    theirs_parameters = _rotation_parameters(theirs, images, parameters["angle"]) \
        if class_name == "RandomRotation" else parameters
    expected = np.asarray(theirs.transform_images(images, theirs_parameters, training=True))
    got = np.asarray(ours.transform_images(ops.convert_to_tensor(images), parameters))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-4)
    # Configs: same keys and values (dtype policies aside), each loads in the other library.
    # (Keras leaves RandomGrayscale's seed out of its config; minikeras keeps it, which Keras accepts.)
    our_config, their_config = ours.get_config(), theirs.get_config()
    assert {k: v for k, v in our_config.items() if k != "dtype" and (k in their_config or k != "seed")} == \
        {k: v for k, v in their_config.items() if k != "dtype"}
    if class_name != "RandomShear":  # Keras refuses its own RandomShear configs (see affine.py)
        keras.layers.deserialize(minikeras.layers.serialize(ours))
    layers.deserialize(keras.layers.serialize(theirs))


def test_mixed_labels_and_the_other_layers_configs():
    weights = {"mix_weight": np.array([0.2, 0.7, 1.0], "float32"), "permutation_order": np.array([2, 0, 1])}
    labels = np.eye(3, dtype="float32")
    for name in ("MixUp", "CutMix"):
        np.testing.assert_allclose(np.asarray(getattr(layers, name)().transform_labels(labels, weights)),
                                   np.asarray(getattr(keras.layers, name)().transform_labels(labels, weights)),
                                   rtol=1e-6)
    cases = [("RandomElasticTransform", {"scale": 0.5, "fill_mode": "wrap"}), ("RandAugment", {"num_ops": 3}),
             ("AugMix", {"chain_depth": 2, "all_ops": False}),
             ("RandomColorJitter", {"brightness_factor": 0.2, "hue_factor": (0.1, 0.3)})]
    for name, kwargs in cases:
        ours = getattr(layers, name)(seed=3, name="case", **kwargs)
        theirs = getattr(keras.layers, name)(seed=3, name="case", **kwargs)
        assert {k: v for k, v in ours.get_config().items() if k != "dtype"} == \
            {k: v for k, v in theirs.get_config().items() if k != "dtype"}
        keras.layers.deserialize(minikeras.layers.serialize(ours))
        layers.deserialize(keras.layers.serialize(theirs))


def test_color_jitter_with_fixed_factors_matches_keras():
    kwargs = {"brightness_factor": (0.1, 0.1), "contrast_factor": (0.0, 0.0), "saturation_factor": (0.3, 0.3),
              "seed": 1}
    ours = np.asarray(layers.RandomColorJitter(**kwargs)(IMAGES, training=True))
    theirs = np.asarray(keras.layers.RandomColorJitter(**kwargs)(IMAGES, training=True))
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-3)


def test_inference_is_the_identity_in_both():
    for name in ("RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation"):
        args = () if name == "RandomFlip" else (0.2,) * (2 if name == "RandomTranslation" else 1)
        ours = np.asarray(getattr(layers, name)(*args)(IMAGES, training=False))
        theirs = np.asarray(getattr(keras.layers, name)(*args)(IMAGES, training=False))
        np.testing.assert_array_equal(ours, theirs)


def test_model_with_augmentation_layers_loads_both_ways(tmp_path):
    inputs = minikeras.Input((7, 6, 3))
    x = layers.RandomFlip("horizontal", seed=1, name="flip")(inputs)
    x = layers.RandomRotation(0.1, fill_mode="constant", seed=2, name="rotate")(x)
    x = layers.RandomZoom(0.1, seed=3, name="zoom")(x)
    x = layers.RandomTranslation(0.1, 0.1, seed=4, name="shift")(x)
    x = layers.RandomContrast(0.2, seed=5, name="contrast")(x)
    x = layers.RandomBrightness(0.1, seed=6, name="brightness")(x)
    x = layers.RandAugment(seed=8, name="rand_augment")(x)  # a policy: sub-layers, no weights
    x = layers.RandomColorJitter(brightness_factor=0.1, hue_factor=0.1, seed=9, name="jitter")(x)
    x = layers.MixUp(seed=10, name="mix_up")(x)
    x = layers.RandomCrop(5, 5, seed=7, name="crop")(x)
    outputs = layers.Dense(2, name="dense")(layers.Flatten(name="flatten")(x))
    model = minikeras.Model(inputs, outputs)
    crop_free = IMAGES[:, 1:6, :5]  # Keras's RandomCrop does not crop at inference: compare after it
    expected = np.asarray(model.get_layer("dense")(model.get_layer("flatten")(crop_free)))
    model.save(tmp_path / "augmented.keras")
    loaded = keras.saving.load_model(tmp_path / "augmented.keras")
    assert [type(layer).__name__ for layer in loaded.layers] == [type(layer).__name__ for layer in model.layers]
    np.testing.assert_allclose(np.asarray(loaded.get_layer("dense")(loaded.get_layer("flatten")(crop_free))),
                               expected, rtol=1e-5, atol=1e-5)
    loaded.save(tmp_path / "back.keras")
    again = minikeras.saving.load_model(tmp_path / "back.keras")
    assert again.get_layer("rotate").get_config() == model.get_layer("rotate").get_config()
    np.testing.assert_allclose(np.asarray(again.predict(IMAGES, verbose=0)),
                               np.asarray(model.predict(IMAGES, verbose=0)), rtol=1e-5, atol=1e-5)
