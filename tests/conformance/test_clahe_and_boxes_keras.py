"""``ContrastLimitedAdaptiveHistogramEqualization`` and ``MaxNumBoundingBoxes`` against Keras 3.15.1.

CLAHE is deterministic and on at inference too: the same images give
Keras's output (float32, 1e-4 on the 0..255 scale) for several grids, clip
limits, value ranges, odd sizes that need mirror padding, channels first,
integer images (which keep their dtype) and single images.
``MaxNumBoundingBoxes`` cuts and pads boxes and labels as Keras does, asks
for a ``bounding_box_format`` in Keras's words, and leaves images alone.
Configs go both ways. Skips when Keras is not installed.
"""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")
jax = pytest.importorskip("jax")

import minikeras  # noqa: E402

pytestmark = pytest.mark.layers

RNG = np.random.default_rng(1733)
IMAGES = RNG.integers(0, 256, (2, 7, 9, 2)).astype("float32")

CLAHE_CASES = [
    ({"tile_grid_size": (2, 3), "clip_limit": 2.0}, IMAGES),  # 7x9 in 2x3 tiles: mirror padding
    ({"tile_grid_size": (1, 2), "clip_limit": 0.0, "data_format": "channels_first"},  # no cap, integers
     IMAGES.astype("uint8").transpose(0, 3, 1, 2)),
    ({"tile_grid_size": (2, 2), "value_range": (0, 1), "clip_limit": 1.5}, IMAGES[0] / 255.0),  # one image
]


@pytest.mark.parametrize("kwargs, images", CLAHE_CASES, ids=["padded", "channels-first-uint8", "unit-range-single"])
def test_clahe_matches_keras(kwargs, images):
    ours = minikeras.layers.ContrastLimitedAdaptiveHistogramEqualization(name="clahe", **kwargs)
    theirs = keras.layers.ContrastLimitedAdaptiveHistogramEqualization(name="clahe", **kwargs)
    expected = np.asarray(jax.jit(lambda batch: theirs(batch))(images))  # compiled: eager JAX takes 10 s here
    scale = 255.0 / kwargs.get("value_range", (0, 255))[1]
    for training in (True, False):
        got = np.asarray(ours(images, training=training))
        assert got.dtype == expected.dtype and got.shape == expected.shape
        np.testing.assert_allclose(got.astype("float64") * scale, expected.astype("float64") * scale, atol=1e-3)
    assert ours.get_config() == {**theirs.get_config(), "dtype": ours.get_config()["dtype"]}
    rebuilt = type(theirs).from_config(ours.get_config())
    assert type(ours).from_config(rebuilt.get_config()).get_config() == ours.get_config()


def _boxes():
    boxes = np.array([[[1, 2, 3, 4], [5, 6, 7, 8]], [[1, 1, 2, 2], [0, 0, 1, 1]]], "float32")
    return {"boxes": boxes, "labels": np.array([[1, 2], [3, 4]], "int32")}


@pytest.mark.parametrize("max_number, fill_value", [(3, -2), (1, -1)])
def test_max_num_bounding_boxes_matches_keras(max_number, fill_value):
    images = RNG.random((2, 4, 4, 3)).astype("float32")
    kwargs = dict(max_number=max_number, fill_value=fill_value, bounding_box_format="xyxy", name="boxes")
    ours = minikeras.layers.MaxNumBoundingBoxes(**kwargs)({"images": images, "bounding_boxes": _boxes()})
    theirs = keras.layers.MaxNumBoundingBoxes(**kwargs)({"images": images, "bounding_boxes": _boxes()})
    np.testing.assert_array_equal(np.asarray(ours["images"]), images)
    for key in ("boxes", "labels"):
        np.testing.assert_array_equal(np.asarray(ours["bounding_boxes"][key]),
                                      np.asarray(theirs["bounding_boxes"][key]))
    ours_layer, theirs_layer = minikeras.layers.MaxNumBoundingBoxes(**kwargs), keras.layers.MaxNumBoundingBoxes(**kwargs)
    assert list(ours_layer.get_config()) == list(theirs_layer.get_config())
    assert keras.layers.MaxNumBoundingBoxes.from_config(ours_layer.get_config()).max_number == max_number


def test_max_num_bounding_boxes_asks_for_a_format_as_keras_does():
    data = {"images": np.zeros((2, 4, 4, 3), "float32"), "bounding_boxes": _boxes()}
    with pytest.raises(ValueError) as theirs:
        keras.layers.MaxNumBoundingBoxes(2)(dict(data))
    with pytest.raises(ValueError) as ours:
        minikeras.layers.MaxNumBoundingBoxes(2)(dict(data))
    assert str(ours.value).splitlines()[0] in str(theirs.value)
    single = minikeras.layers.MaxNumBoundingBoxes(3, bounding_box_format="xyxy")(
        {"images": np.zeros((4, 4, 3)), "bounding_boxes": {"boxes": _boxes()["boxes"][0], "labels": np.array([5, 6])}})
    np.testing.assert_array_equal(np.asarray(single["bounding_boxes"]["labels"]), [5, 6, -1])
