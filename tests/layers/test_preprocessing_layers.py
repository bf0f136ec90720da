"""Normalization, Discretization, CategoryEncoding, Resizing, CenterCrop, Pipeline:
hand-computed values, adapt, saving, errors."""

import numpy as np
import pytest

import minikeras
from minikeras import layers
from minikeras import ops
from tests.layers.harness import check_layer_gradients
from tests.layers.harness import random_batch


def test_normalization_by_hand():
    x = np.array([[1.0, 10.0], [3.0, 30.0]], dtype="float32")
    layer = layers.Normalization()
    layer.adapt(x)
    np.testing.assert_allclose(layer.mean, [[2.0, 20.0]])
    np.testing.assert_allclose(layer.variance, [[1.0, 100.0]])
    np.testing.assert_allclose(np.asarray(layer(x)), [[-1.0, -1.0], [1.0, 1.0]], rtol=1e-6)


def test_normalization_batches_merge_to_the_whole_statistics():
    data = np.random.default_rng(0).normal(5, 3, (50, 4)).astype("float32")
    layer = layers.Normalization()
    layer.adapt(batch for batch in np.array_split(data, 7))
    np.testing.assert_allclose(layer.adapt_mean.numpy(), data.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(layer.adapt_variance.numpy(), data.var(axis=0), rtol=1e-4)


def test_normalization_invert_undoes_it():
    forward = layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0])
    backward = layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0], invert=True)
    x = random_batch((3, 2))
    np.testing.assert_allclose(np.asarray(backward(forward(x))), x, rtol=1e-5, atol=1e-6)


def test_normalization_gradient_float64():
    layer = layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[2.0, 0.5, 1.0], dtype="float64")
    check_layer_gradients(layer, random_batch((2, 3)))


def test_normalization_statistics_are_saved(tmp_path):
    normalizer = layers.Normalization()
    normalizer.adapt(random_batch((20, 3), low=0, high=10))
    model = minikeras.Sequential([minikeras.Input((3,)), normalizer])
    model.save(tmp_path / "n.keras")
    loaded = minikeras.saving.load_model(tmp_path / "n.keras")
    x = random_batch((4, 3), seed=2)
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), rtol=1e-6)


def test_discretization_bins_by_hand():
    layer = layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
    np.testing.assert_array_equal(np.asarray(layer(np.array([[-5.0, 0.0, 0.5, 1.0, 7.0]]))), [[0, 1, 1, 2, 3]])


def test_discretization_adapt_makes_equal_bins():
    layer = layers.Discretization(num_bins=4)
    layer.adapt(np.arange(1.0, 101.0))
    counts = np.bincount(np.asarray(layer(np.arange(1.0, 101.0))), minlength=4)
    # boundaries at the 25th, 50th, 75th values, a hair below in float32 (as Keras), so 25 goes up
    np.testing.assert_allclose(layer.bin_boundaries, [25.0, 50.0, 75.0], rtol=1e-5)
    assert counts.tolist() == [24, 25, 25, 26]


def test_category_encoding_by_hand():
    ids = np.array([[0, 2, 2], [1, 1, 3]])
    np.testing.assert_array_equal(np.asarray(layers.CategoryEncoding(4)(ids)), [[1, 0, 1, 0], [0, 1, 0, 1]])
    np.testing.assert_array_equal(np.asarray(layers.CategoryEncoding(4, output_mode="count")(ids)),
                                  [[1, 0, 2, 0], [0, 2, 0, 1]])
    np.testing.assert_array_equal(np.asarray(layers.CategoryEncoding(3, output_mode="one_hot")(np.array([2, 0]))),
                                  [[0, 0, 1], [1, 0, 0]])


def test_resizing_and_center_crop_shapes_and_values():
    images = random_batch((2, 6, 8, 3), low=0, high=1)
    assert layers.Resizing(3, 4)(images).shape == (2, 3, 4, 3)
    # halving with bilinear interpolation averages 2 x 2 blocks (centres fall between pixels)
    np.testing.assert_allclose(np.asarray(layers.Resizing(3, 4)(images)),
                               images.reshape(2, 3, 2, 4, 2, 3).mean(axis=(2, 4)), rtol=1e-5)
    np.testing.assert_array_equal(np.asarray(layers.CenterCrop(4, 4)(images)), images[:, 1:5, 2:6])


def test_resize_gradient_is_the_transposed_matrix():
    check_layer_gradients(layers.Resizing(5, 3, interpolation="bicubic", dtype="float64"),
                          random_batch((1, 3, 4, 2)))
    x = ops.convert_to_tensor(random_batch((1, 4, 4, 1)))
    with minikeras.GradientTape() as tape:
        tape.watch(x)
        total = ops.sum(ops.image.resize(x, (2, 2)))
    # each output is the mean of a 2 x 2 block, so every input pixel gets 1/4
    np.testing.assert_allclose(np.asarray(tape.gradient(total, x)), np.full((1, 4, 4, 1), 0.25))


def test_pipeline_chains_and_round_trips():
    pipeline = layers.Pipeline([layers.Rescaling(0.5), layers.CenterCrop(2, 2)])
    images = random_batch((1, 4, 4, 1))
    np.testing.assert_allclose(np.asarray(pipeline(images)), images[:, 1:3, 1:3] * 0.5)
    again = layers.Pipeline.from_config(pipeline.get_config())
    np.testing.assert_allclose(np.asarray(again(images)), np.asarray(pipeline(images)))


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="either `num_bins` or `bin_boundaries`"):
        layers.Discretization()
    with pytest.raises(ValueError, match="Cannot adapt a Discretization"):
        layers.Discretization(bin_boundaries=[1.0]).adapt(np.ones(3))
    with pytest.raises(ValueError, match=r"range \[0, 3\)"):
        layers.CategoryEncoding(3)(np.array([[0, 5]]))
    with pytest.raises(ValueError, match="num_tokens must be set"):
        layers.CategoryEncoding()
    with pytest.raises(ValueError, match="interpolation"):
        layers.Resizing(2, 2, interpolation="cubic")(random_batch((1, 3, 3, 1)))
