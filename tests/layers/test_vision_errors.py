"""The bad inputs that issue 17's "Done when" lists: each error names the layer and says what it expected.

One test per error, each one line of the issue: ``output_padding`` not smaller
than the stride, ``depth_multiplier`` < 1, groups that do not divide the
channels (or the filters), a non-float image to an augmentation layer, a
lookup layer called before its vocabulary is set.
"""

import numpy as np
import pytest

from minikeras import layers

pytestmark = pytest.mark.layers


def test_output_padding_not_smaller_than_the_stride():
    with pytest.raises(ValueError, match=r"Conv2DTranspose: `output_padding` must be strictly less than `strides`"
                                         r".*`output_padding` is 2 but `strides` is 2"):
        layers.Conv2DTranspose(2, 3, strides=2, output_padding=2)


@pytest.mark.parametrize("make", [lambda: layers.DepthwiseConv2D(3, depth_multiplier=0),
                                  lambda: layers.SeparableConv1D(2, 3, depth_multiplier=-1)],
                         ids=["DepthwiseConv2D", "SeparableConv1D"])
def test_depth_multiplier_below_one(make):
    with pytest.raises(ValueError, match=r"(DepthwiseConv2D|SeparableConv1D): .*`depth_multiplier`.*strictly positive"):
        make()


def test_groups_not_dividing_the_filters_or_the_channels():
    with pytest.raises(ValueError, match=r"Conv2D: The number of filters must be evenly divisible.*groups=4, filters=6"):
        layers.Conv2D(6, 3, groups=4)
    with pytest.raises(ValueError, match=r"Conv2D \('grouped'\): The number of input channels.*5 channels"):
        layers.Conv2D(6, 3, groups=2, name="grouped")(np.zeros((1, 5, 5, 5), "float32"))


def test_a_non_float_image_to_an_augmentation_layer():
    with pytest.raises(ValueError, match=r"RandomRotation works on images of float .*dtype str32"):
        layers.RandomRotation(0.1)(np.full((1, 2, 2, 1), "a"), training=True)


@pytest.mark.parametrize("layer", [layers.StringLookup, layers.IntegerLookup])
def test_a_lookup_layer_called_before_its_vocabulary_is_set(layer):
    inputs = np.array(["a"]) if layer is layers.StringLookup else np.array([1])
    with pytest.raises(ValueError, match=f"{layer.__name__} .* was called before its vocabulary was set"):
        layer()(inputs)
