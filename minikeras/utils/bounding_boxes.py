"""``keras.utils.bounding_boxes``: converting, clipping, moving and comparing object boxes.

Place in the stack: ``keras.utils``, in NumPy (inputs may be lists, NumPy
arrays or tensors; results are float32 NumPy arrays). An object detector
describes each object by four numbers, written in one of these formats
(case-insensitive); ``rel_`` formats divide x by the image width and y by
its height::

    "xyxy"         [left, top, right, bottom]        "rel_xyxy"
    "yxyx"         [top, left, bottom, right]        "rel_yxyx"
    "xywh"         [left, top, width, height]        "rel_xywh"
    "center_xywh"  [center_x, center_y, width, height]  "rel_center_xywh"
    "center_yxhw"  [center_y, center_x, height, width]

Every conversion goes through ``xyxy``: ``source -> xyxy -> target``. Boxes
are arrays (..., 4): one image's (N, 4) or a batch's (B, N, 4). The formats
and ``convert_format`` live in ``bounding_box_formats.py``, the overlaps
(IoU, CIoU) in ``bounding_box_iou.py``; this file gathers the namespace and
adds the geometry (clip, crop, pad, affine) and the anchor deltas.
"""

import math

import numpy as np

from minikeras.utils.bounding_box_formats import SUPPORTED_FORMATS  # noqa: F401  (Keras's list)
from minikeras.utils.bounding_box_formats import as_array
from minikeras.utils.bounding_box_formats import convert_format
from minikeras.utils.bounding_box_iou import compute_ciou
from minikeras.utils.bounding_box_iou import compute_iou


def _area(boxes):
    """xyxy boxes (..., 4) -> areas (..., 1)."""
    x1, y1, x2, y2 = np.split(boxes, 4, axis=-1)
    return (x2 - x1) * (y2 - y1)


def clip_to_image_size(bounding_boxes, height=None, width=None, bounding_box_format="xyxy"):
    """Clips boxes to the image; boxes left with no area get label -1.

    Args:
        bounding_boxes: ``{"boxes": (..., N, 4), "labels": (..., N)}`` (labels optional).
        height, width: the image size (needed for ``"xyxy"``).
        bounding_box_format: ``"xyxy"`` or ``"rel_xyxy"`` (clipped to [0, 1]).

    Returns:
        A new dict with the clipped ``"boxes"`` (and ``"labels"``).
    """
    if bounding_box_format not in ("xyxy", "rel_xyxy"):
        raise NotImplementedError(f"clip_to_image_size: `bounding_box_format` must be 'xyxy' or 'rel_xyxy' (as in "
                                  f"Keras). Received: bounding_box_format={bounding_box_format!r}")
    if bounding_box_format == "xyxy" and (height is None or width is None):
        raise ValueError("`height` and `width` must be set if `format='xyxy'`.")
    boxes = as_array(bounding_boxes["boxes"])
    labels = bounding_boxes.get("labels")
    limit_x, limit_y = (width, height) if bounding_box_format == "xyxy" else (1.0, 1.0)
    x1, y1, x2, y2 = np.split(boxes, 4, axis=-1)
    boxes = np.concatenate([np.clip(x1, 0, limit_x), np.clip(y1, 0, limit_y), np.clip(x2, 0, limit_x),
                            np.clip(y2, 0, limit_y)], axis=-1).astype(boxes.dtype)
    result = dict(bounding_boxes)
    result["boxes"] = boxes
    if labels is not None:
        result["labels"] = np.where(_area(boxes)[..., 0] > 0, as_array(labels), -1)
    return result


def _check_xyxy(bounding_box_format, function):
    if bounding_box_format != "xyxy":
        raise NotImplementedError(f"{function}: only `bounding_box_format='xyxy'` is supported (as in Keras). "
                                  f"Received: bounding_box_format={bounding_box_format!r}")


def crop(boxes, top, left, height, width, bounding_box_format="xyxy"):
    """Boxes (..., 4) in the frame of the crop ``[top, top + height) x [left, left + width)``, clipped to it."""
    _check_xyxy(bounding_box_format, "crop")
    x1, y1, x2, y2 = np.split(as_array(boxes), 4, axis=-1)
    return np.concatenate([np.clip(x1 - left, 0, width), np.clip(y1 - top, 0, height), np.clip(x2 - left, 0, width),
                           np.clip(y2 - top, 0, height)], axis=-1)


def pad(boxes, top, left, height=None, width=None, bounding_box_format="xyxy"):
    """Boxes (..., 4) moved by the padding added above (``top``) and left of the image."""
    _check_xyxy(bounding_box_format, "pad")
    x1, y1, x2, y2 = np.split(as_array(boxes), 4, axis=-1)
    return np.concatenate([x1 + left, y1 + top, x2 + left, y2 + top], axis=-1)


def _inverse_affine_matrix(center_x, center_y, angle, translate_x, translate_y, scale, shear_x, shear_y, height,
                           width):
    """(B, 3, 3): the matrix that maps output pixels back to input pixels, one per image (angles in degrees)."""
    angle, shear_x, shear_y = -angle, -shear_x, -shear_y
    cx, cy = center_x * (width - 1), center_y * (height - 1)
    rotation = angle * (math.pi / 180.0)
    tx, ty = -translate_x * (width - 1), -translate_y * (height - 1)
    sx, sy = shear_x * (math.pi / 180.0), shear_y * (math.pi / 180.0)
    a = np.cos(rotation - sy) / np.cos(sy)
    b = a * np.tan(sx) + np.sin(rotation)
    c = -np.sin(rotation - sy) / np.cos(sy)
    d = np.cos(rotation) - c * np.tan(sx)
    a0, a1, b0, b1 = d * scale, -b * scale, -c * scale, a * scale
    a2 = cx - a0 * (cx + tx) - a1 * (cy + ty)
    b2 = cy - b0 * (cx + tx) - b1 * (cy + ty)
    zeros, ones = np.zeros_like(a0), np.ones_like(a0)
    return np.stack([a0, a1, a2, b0, b1, b2, zeros, zeros, ones], axis=-1).reshape(-1, 3, 3)


def affine_transform(boxes, angle, translate_x, translate_y, scale, shear_x, shear_y, height, width, center_x=None,
                     center_y=None, bounding_box_format="xyxy"):
    """Moves boxes (B, N, 4) as an image is rotated, translated, scaled and sheared; returns (B, N, 4).

    Each box's four corners go through the image's affine matrix, and the new
    box is the smallest upright box around them.

    Args:
        boxes: xyxy boxes (B, N, 4).
        angle, shear_x, shear_y: (B,) degrees; translate_x, translate_y: (B,)
            fractions of the width / height; scale: (B,) factors.
        height, width: the image size.
        center_x, center_y: the transformation's center, fractions (0.5: the middle).
    """
    _check_xyxy(bounding_box_format, "affine_transform")
    angle = as_array(angle)
    matrix = _inverse_affine_matrix(0.5 if center_x is None else center_x, 0.5 if center_y is None else center_y,
                                    angle, as_array(translate_x), as_array(translate_y), as_array(scale),
                                    as_array(shear_x), as_array(shear_y), height, width).astype(angle.dtype)
    boxes = as_array(boxes).astype(matrix.dtype)
    if boxes.ndim != 3:
        raise ValueError(f"affine_transform: `boxes` must be batched, of shape (B, N, 4). Received: "
                         f"boxes.shape={boxes.shape}")
    batch, count = boxes.shape[:2]
    x1, y1, x2, y2 = boxes[..., 0], boxes[..., 1], boxes[..., 2], boxes[..., 3]
    corners = np.stack([x1, y1, x2, y1, x2, y2, x1, y2], axis=-1).reshape(batch, count, 4, 2)  # (B, N, 4 corners, xy)
    corners = np.concatenate([corners, np.ones((batch, count, 4, 1), corners.dtype)], axis=-1)  # homogeneous
    moved = np.einsum("bnxy,byz->bnxz", corners, matrix[:, :2, :].transpose(0, 2, 1))  # (B, N, 4, 2)
    return np.concatenate([moved.min(axis=2), moved.max(axis=2)], axis=-1)


def _check_deltas_arguments(variance, encoding_format, argument):
    if variance is not None:
        variance = np.asarray(variance, "float32")
        if variance.shape[-1] != 4:
            raise ValueError(f"`variance` must be length 4, got {variance}")
    if encoding_format not in ("center_xywh", "center_yxhw"):
        raise ValueError(f"`{argument}` should be one of 'center_xywh' or 'center_yxhw', got {encoding_format}")
    return variance


def encode_box_to_deltas(anchors, boxes, anchor_format, box_format, encoding_format="center_yxhw", variance=None,
                         image_shape=None):
    """The offsets (deltas) that turn each anchor (N, 4) into its box ((N, 4) or (B, N, 4)).

    In the center format: ``(center - anchor_center) / anchor_size`` for the
    two centers, ``log(size / anchor_size)`` for the two sizes, each divided
    by ``variance`` when given. Returns deltas shaped like ``boxes``.
    """
    variance = _check_deltas_arguments(variance, encoding_format, "encoding_format")
    height, width = (None, None) if image_shape is None else image_shape[:2]
    anchors = convert_format(anchors, anchor_format, encoding_format, height, width)
    boxes = convert_format(boxes, box_format, encoding_format, height, width)
    anchor_sizes = np.maximum(anchors[..., 2:], 1e-7)
    box_sizes = np.maximum(boxes[..., 2:], 1e-7)
    deltas = np.concatenate([(boxes[..., :2] - anchors[..., :2]) / anchor_sizes, np.log(box_sizes / anchor_sizes)],
                            axis=-1)
    return deltas if variance is None else deltas / variance


def decode_deltas_to_boxes(anchors, boxes_delta, anchor_format, box_format, encoded_format="center_yxhw",
                           variance=None, image_shape=None):
    """The inverse of ``encode_box_to_deltas``: anchors plus deltas -> boxes in ``box_format``.

    ``anchors`` and ``boxes_delta`` may also be dicts (one entry per feature
    level); the result is then a dict with the same keys.
    """
    variance = _check_deltas_arguments(variance, encoded_format, "encoded_format")
    height, width = (None, None) if image_shape is None else image_shape[:2]

    def decode_one_level(anchor, delta):
        anchor = convert_format(anchor, anchor_format, encoded_format, height, width)
        delta = as_array(delta) if variance is None else as_array(delta) * variance
        box = np.concatenate([delta[..., :2] * anchor[..., 2:] + anchor[..., :2],
                              np.exp(delta[..., 2:]) * anchor[..., 2:]], axis=-1)
        return convert_format(box, encoded_format, box_format, height, width)

    if isinstance(anchors, dict) and isinstance(boxes_delta, dict):
        return {level: decode_one_level(anchor, boxes_delta[level]) for level, anchor in anchors.items()}
    return decode_one_level(anchors, boxes_delta)


__all__ = ["affine_transform", "clip_to_image_size", "compute_ciou", "compute_iou", "convert_format", "crop",
           "decode_deltas_to_boxes", "encode_box_to_deltas", "pad"]
