"""``minikeras.ops.image`` beyond resize: hand-made examples and gradient checks (NumPy only).

The conformance file ``tests/conformance/test_image_ops_keras.py`` compares
the same functions with Keras; here each one is pinned down by a case small
enough to work out on paper.
"""

import numpy as np
import pytest

from minikeras import ops
from tests.autodiff.gradcheck import check_vjp

ROW = np.array([[1.0, 2.0, 3.0, 4.0]])  # one row "a b c d"


@pytest.mark.parametrize("fill_mode, expected", [
    ("constant", [9, 9, 1, 2, 3, 4, 9, 9]),
    ("nearest", [1, 1, 1, 2, 3, 4, 4, 4]),
    ("wrap", [3, 4, 1, 2, 3, 4, 1, 2]),
    ("mirror", [3, 2, 1, 2, 3, 4, 3, 2]),
    ("reflect", [2, 1, 1, 2, 3, 4, 4, 3]),
])
def test_map_coordinates_fill_modes_on_one_row(fill_mode, expected):
    columns = np.arange(-2, 6, dtype="float32")[None, :]  # two pixels beyond each edge
    coordinates = np.stack([np.zeros_like(columns), columns])
    out = ops.image.map_coordinates(ROW, coordinates, order=0, fill_mode=fill_mode, fill_value=9.0)
    np.testing.assert_array_equal(np.asarray(out)[0], expected)


def test_map_coordinates_linear_blends_neighbours():
    coordinates = np.array([[0.0, 0.0], [0.25, 2.5]])  # rows, columns of two points
    out = ops.image.map_coordinates(ROW, coordinates, order=1)
    np.testing.assert_allclose(np.asarray(out), [1.25, 3.5])


def test_affine_transform_identity_and_shift():
    images = np.arange(2 * 3 * 4 * 1, dtype="float32").reshape(2, 3, 4, 1)
    identity = [1, 0, 0, 0, 1, 0, 0, 0]
    np.testing.assert_array_equal(np.asarray(ops.image.affine_transform(images, identity)), images)
    shifted = ops.image.affine_transform(images, [1, 0, 1, 0, 1, 0, 0, 0], fill_mode="constant")
    np.testing.assert_array_equal(np.asarray(shifted)[:, :, :3], images[:, :, 1:])  # reads one column right
    np.testing.assert_array_equal(np.asarray(shifted)[:, :, 3], 0)


def test_affine_transform_gradient():
    transform = np.array([0.9, -0.3, 1.2, 0.25, 1.1, -0.7, 0, 0])
    check_vjp(lambda x: ops.image.affine_transform(x, transform, fill_mode="reflect"), np.ones((1, 4, 3, 2)),
              direction=True)


def test_hsv_round_trip_and_known_colours():
    rgb = np.array([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.5], [0.2, 0.4, 0.8]]], "float32")
    hsv = np.asarray(ops.image.rgb_to_hsv(rgb))
    np.testing.assert_allclose(hsv[0, :3], [[0, 1, 1], [1 / 3, 1, 1], [0, 0, 0.5]], atol=1e-6)
    np.testing.assert_allclose(np.asarray(ops.image.hsv_to_rgb(hsv)), rgb, atol=1e-6)


def test_grayscale_weights():
    gray = ops.image.rgb_to_grayscale(np.array([[[1.0, 1.0, 1.0], [1.0, 0.0, 0.0]]], "float32"))
    np.testing.assert_allclose(np.asarray(gray)[0, :, 0], [0.9999, 0.2989], atol=1e-6)


def test_crop_pad_and_patches_shapes():
    images = np.random.default_rng(0).uniform(size=(2, 6, 5, 3)).astype("float32")
    padded = ops.image.pad_images(images, 1, 2, target_height=9, target_width=8)
    assert padded.shape == (2, 9, 8, 3)
    cropped = ops.image.crop_images(padded, 1, 2, target_height=6, target_width=5)
    np.testing.assert_array_equal(np.asarray(cropped), images)
    patches = np.asarray(ops.image.extract_patches(images, 2))  # (2, 3, 2, 12)
    np.testing.assert_array_equal(patches[0, 1, 1].reshape(2, 2, 3), images[0, 2:4, 2:4])
    with pytest.raises(ValueError, match="exactly two of top_padding, bottom_padding, target_height"):
        ops.image.pad_images(images, 1, 1, 1, 1, target_height=3)


def test_gaussian_blur_keeps_constants_inside_and_sums_to_one():
    images = np.ones((1, 7, 7, 1), "float32")
    blurred = np.asarray(ops.image.gaussian_blur(images, (3, 3), (1.0, 1.0)))
    np.testing.assert_allclose(blurred[0, 1:-1, 1:-1], 1.0, rtol=1e-6)  # away from the zero padding
    assert blurred[0, 0, 0, 0] < 1.0


def test_gaussian_blur_and_sobel_gradients():
    check_vjp(lambda x: ops.image.gaussian_blur(x, (3, 5), (1.0, 2.0)), np.ones((1, 5, 4, 2)), direction=True)
    check_vjp(lambda x: ops.image.sobel_edges(x), np.ones((1, 4, 4, 1)), direction=True)


def test_sobel_of_a_ramp():
    ramp = np.tile(np.arange(5, dtype="float32"), (5, 1))[None, :, :, None]  # increases to the right
    edges = np.asarray(ops.image.sobel_edges(ramp))
    np.testing.assert_allclose(edges[0, 1:-1, 1:-1, 0, 1], 8.0)  # dx: (1 + 2 + 1) * 2
    np.testing.assert_allclose(edges[0, 1:-1, 1:-1, 0, 0], 0.0)  # dy


def test_elastic_transform_is_reproducible_and_moves_pixels():
    images = np.random.default_rng(1).uniform(size=(2, 8, 8, 1)).astype("float32")
    first = np.asarray(ops.image.elastic_transform(images, alpha=2.0, sigma=1.0, seed=3))
    again = np.asarray(ops.image.elastic_transform(images, alpha=2.0, sigma=1.0, seed=3))
    np.testing.assert_array_equal(first, again)
    assert first.shape == images.shape and not np.allclose(first, images)


def test_rank_and_dtype_errors():
    with pytest.raises(ValueError, match="Invalid images rank"):
        ops.image.rgb_to_grayscale(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="expected float dtype"):
        ops.image.rgb_to_hsv(np.zeros((2, 2, 3), "int32"))
    with pytest.raises(ValueError, match="fill_mode"):
        ops.image.affine_transform(np.zeros((2, 2, 3)), np.eye(3).ravel()[:8], fill_mode="edge")


def test_ssim_and_scale_and_translate():
    images = np.random.default_rng(2).uniform(size=(2, 9, 9, 3))
    np.testing.assert_allclose(np.asarray(ops.image.ssim(images, images, filter_size=5)), 1.0, rtol=1e-6)
    assert np.all(np.asarray(ops.image.ssim(images, 1 - images, filter_size=5)) < 0.5)
    check_vjp(lambda x: ops.image.ssim(x, images[:1], filter_size=3), images[1:], direction=True)
    same = ops.image.scale_and_translate(images, images.shape, [1.0, 1.0], [0.0, 0.0], (1, 2), "linear")
    np.testing.assert_allclose(np.asarray(same), images, atol=1e-12)
    shifted = ops.image.scale_and_translate(images, images.shape, [1.0, 1.0], [0.0, 2.0], (1, 2), "linear")
    np.testing.assert_allclose(np.asarray(shifted)[:, :, 2:], images[:, :, :-2], atol=1e-12)  # two columns right
