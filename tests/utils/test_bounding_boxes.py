"""keras.utils.bounding_boxes on boxes small enough to check by hand."""

import numpy as np
import pytest

from minikeras.utils import bounding_boxes

BOX = np.array([[10.0, 20.0, 30.0, 60.0]])  # xyxy: left 10, top 20, right 30, bottom 60


@pytest.mark.parametrize("target, expected", [("xywh", [10, 20, 20, 40]), ("yxyx", [20, 10, 60, 30]),
                                              ("center_xywh", [20, 40, 20, 40]), ("center_yxhw", [40, 20, 40, 20]),
                                              ("rel_xyxy", [0.1, 0.1, 0.3, 0.3])])
def test_convert_format_by_hand_and_back(target, expected):
    converted = bounding_boxes.convert_format(BOX, "xyxy", target, height=200, width=100)
    np.testing.assert_allclose(converted, [expected], rtol=1e-6)
    np.testing.assert_allclose(bounding_boxes.convert_format(converted, target, "XYXY", height=200, width=100), BOX,
                               rtol=1e-6)


def test_iou_of_two_boxes_and_masking():
    other = np.array([[20.0, 20.0, 40.0, 60.0]])  # overlaps half of BOX: 400 / (800 + 800 - 400)
    np.testing.assert_allclose(bounding_boxes.compute_iou(BOX, other, "xyxy"), [[1 / 3]], rtol=1e-5)
    padded = np.array([[-1.0, -1.0, -1.0, -1.0], [20.0, 20.0, 40.0, 60.0]])
    np.testing.assert_allclose(bounding_boxes.compute_iou(BOX, padded, "xyxy", use_masking=True), [[-1, 1 / 3]],
                               rtol=1e-5)
    np.testing.assert_allclose(bounding_boxes.compute_ciou(BOX, BOX, "xyxy"), [1.0], rtol=1e-5)  # no penalty


def test_clip_crop_pad_and_labels_of_boxes_that_vanish():
    clipped = bounding_boxes.clip_to_image_size({"boxes": np.array([[-5.0, 10.0, 20.0, 90.0], [60.0, 0.0, 80.0, 5.0]]),
                                                 "labels": np.array([3, 4])}, height=50, width=40)
    np.testing.assert_array_equal(clipped["boxes"], [[0, 10, 20, 50], [40, 0, 40, 5]])
    np.testing.assert_array_equal(clipped["labels"], [3, -1])  # the second box has no area left
    np.testing.assert_array_equal(bounding_boxes.crop(BOX, top=30, left=0, height=20, width=100), [[10, 0, 30, 20]])
    np.testing.assert_array_equal(bounding_boxes.pad(BOX, top=1, left=2), [[12, 21, 32, 61]])


def test_deltas_round_trip_and_a_quarter_turn():
    anchors = np.array([[0.0, 0.0, 10.0, 10.0], [5.0, 5.0, 25.0, 15.0]])
    boxes = np.array([[1.0, 2.0, 12.0, 9.0], [4.0, 6.0, 30.0, 20.0]])
    deltas = bounding_boxes.encode_box_to_deltas(anchors, boxes, "xyxy", "xyxy", variance=[0.1, 0.1, 0.2, 0.2])
    np.testing.assert_allclose(bounding_boxes.decode_deltas_to_boxes(anchors, deltas, "xyxy", "xyxy",
                                                                     variance=[0.1, 0.1, 0.2, 0.2]), boxes, rtol=1e-5)
    # A 90 degree turn of an 11 x 11 image about its center (5, 5) swaps a box's width and height.
    one = np.ones(1, "float32")
    turned = bounding_boxes.affine_transform(np.array([[[0.0, 0.0, 4.0, 2.0]]]), 90 * one, 0 * one, 0 * one, one,
                                             0 * one, 0 * one, height=11, width=11)
    np.testing.assert_allclose(np.diff(turned[0, 0].reshape(2, 2), axis=0), [[2, 4]], atol=1e-5)


@pytest.mark.parametrize("call, message", [
    (lambda: bounding_boxes.convert_format(BOX, "xyxy", "xy"), "Invalid source or target format"),
    (lambda: bounding_boxes.convert_format(BOX, "xyxy", "rel_xyxy"), "must receive `height` and `width`"),
    (lambda: bounding_boxes.convert_format(np.zeros((2, 3)), "xyxy", "yxyx"), "last dimension of 4"),
    (lambda: bounding_boxes.compute_iou(BOX, BOX, "rel_xyxy"), "the `image_shape` argument must be provided"),
    (lambda: bounding_boxes.encode_box_to_deltas(BOX, BOX, "xyxy", "xyxy", variance=[1, 2]), "must be length 4"),
])
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
