"""How much two sets of boxes overlap: IoU (intersection over union) and CIoU.

Place in the stack: ``keras.utils.bounding_boxes`` (read ``bounding_boxes.py``
first). ``compute_iou`` gives the (N, M) table of overlaps between N boxes
and M boxes, which detectors use to match anchors with objects;
``compute_ciou`` compares boxes pairwise and adds two penalties (distance
between the centers, difference of aspect ratios) that keep a loss
informative when boxes do not overlap at all.
"""

import math

import numpy as np

from minikeras.utils.bounding_box_formats import convert_format

EPSILON = 1e-7  # Keras's backend.epsilon()


def _image_size(bounding_box_format, image_shape):
    if "rel" in bounding_box_format and image_shape is None:
        raise ValueError("When using relative bounding box formats (e.g. `rel_yxyx`) the `image_shape` argument "
                         f"must be provided. Received `image_shape`: {image_shape}")
    return (None, None) if image_shape is None else tuple(image_shape[:2])


def compute_iou(boxes1, boxes2, bounding_box_format, use_masking=False, mask_val=-1, image_shape=None):
    """Pairwise IoU of boxes1 (N, 4) or (B, N, 4) with boxes2 (M, 4) or (B, M, 4).

    Args:
        boxes1, boxes2: boxes in ``bounding_box_format``.
        bounding_box_format: their format (``"xyxy"``...).
        use_masking: give ``mask_val`` to pairs where either box is padding
            (all four coordinates negative).
        mask_val: that value (-1).
        image_shape: (height, width, channels), for relative formats.

    Returns:
        IoUs (N, M), or (B, N, M) when either input is batched.
    """
    # 1. Both sets as (top, left, bottom, right) corners.
    for name, boxes in (("boxes1", boxes1), ("boxes2", boxes2)):
        if np.ndim(boxes) not in (2, 3):
            raise ValueError(f"compute_iou() expects {name} to be batched, or to be unbatched. Received "
                             f"len({name}.shape)={np.ndim(boxes)}. Expected either len({name}.shape)=2 or 3.")
    height, width = _image_size(bounding_box_format, image_shape)
    boxes1 = convert_format(boxes1, bounding_box_format, "yxyx", height, width)
    boxes2 = convert_format(boxes2, bounding_box_format, "yxyx", height, width)
    # 2. Intersections: boxes1 along rows, boxes2 along columns.
    boxes2_t = np.swapaxes(boxes2, -1, -2)  # (..., M, 4) -> (..., 4, M)
    top = np.maximum(boxes1[..., 0:1], boxes2_t[..., 0:1, :])
    left = np.maximum(boxes1[..., 1:2], boxes2_t[..., 1:2, :])
    bottom = np.minimum(boxes1[..., 2:3], boxes2_t[..., 2:3, :])
    right = np.minimum(boxes1[..., 3:4], boxes2_t[..., 3:4, :])
    intersection = np.maximum(0.0, bottom - top) * np.maximum(0.0, right - left)  # (..., N, M)
    # 3. Union = both areas minus the intersection.
    area1 = ((boxes1[..., 2] - boxes1[..., 0]) * (boxes1[..., 3] - boxes1[..., 1]))[..., :, None]  # (..., N, 1)
    area2 = ((boxes2[..., 2] - boxes2[..., 0]) * (boxes2[..., 3] - boxes2[..., 1]))[..., None, :]  # (..., 1, M)
    iou = (intersection / (area1 + area2 - intersection + EPSILON)).astype("float32")
    if not use_masking:
        return iou
    # 4. Padding boxes (all coordinates < 0) get mask_val.
    padding1 = boxes1.max(axis=-1, keepdims=True) < 0  # (..., N, 1)
    padding2 = np.swapaxes(boxes2.max(axis=-1, keepdims=True) < 0, -1, -2)  # (..., 1, M)
    return np.where(padding1 | padding2, np.float32(mask_val), iou)


def compute_ciou(boxes1, boxes2, bounding_box_format, image_shape=None):
    """Complete IoU of matching boxes (..., 4) and (..., 4): IoU - center distance term - aspect ratio term.

    Returns:
        An array (...): ``iou - d**2 / c**2 - alpha * v``, where ``d`` is the
        distance between the centers, ``c`` the diagonal of the smallest box
        enclosing both, ``v`` the squared difference of the aspect-ratio
        angles (times 4/pi**2) and ``alpha = v / (v - iou + 1)``.
    """
    if "rel" in bounding_box_format:  # as in Keras, relative formats are refused here
        raise ValueError("When using relative bounding box formats (e.g. `rel_yxyx`) the `image_shape` argument "
                         f"must be provided. Received `image_shape`: {image_shape}")
    height, width = (None, None) if image_shape is None else tuple(image_shape[:2])
    x_min1, y_min1, x_max1, y_max1 = np.moveaxis(convert_format(boxes1, bounding_box_format, "xyxy", height, width),
                                                 -1, 0)
    x_min2, y_min2, x_max2, y_max2 = np.moveaxis(convert_format(boxes2, bounding_box_format, "xyxy", height, width),
                                                 -1, 0)
    width1, height1 = x_max1 - x_min1, y_max1 - y_min1 + EPSILON
    width2, height2 = x_max2 - x_min2, y_max2 - y_min2 + EPSILON
    intersection = (np.maximum(np.minimum(x_max1, x_max2) - np.maximum(x_min1, x_min2), 0)
                    * np.maximum(np.minimum(y_max1, y_max2) - np.maximum(y_min1, y_min2), 0))
    union = width1 * height1 + width2 * height2 - intersection + EPSILON
    iou = intersection / (union + EPSILON)
    enclosing_diagonal = ((np.maximum(x_max1, x_max2) - np.minimum(x_min1, x_min2)) ** 2
                          + (np.maximum(y_max1, y_max2) - np.minimum(y_min1, y_min2)) ** 2 + EPSILON)
    center_distance = ((x_min1 + x_max1) / 2 - (x_min2 + x_max2) / 2) ** 2 + \
                      ((y_min1 + y_max1) / 2 - (y_min2 + y_max2) / 2) ** 2
    v = (4 / math.pi ** 2) * (np.arctan(width2 / height2) - np.arctan(width1 / height1)) ** 2
    alpha = v / (v - iou + (1 + EPSILON))
    return (iou - (center_distance / enclosing_diagonal + v * alpha)).astype("float32")
