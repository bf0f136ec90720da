"""Bounding box formats, and ``convert_format`` between them.

Place in the stack: ``keras.utils``, under ``bounding_boxes.py`` (the
public namespace: read its docstring for the list of formats) and
``bounding_box_iou.py``. Every conversion goes through ``xyxy``:
``source -> xyxy -> target``, so nine formats need two small tables rather
than 81 functions.
"""

import numpy as np


def as_array(value):
    """A list, NumPy array or tensor (minikeras, TensorFlow, torch, JAX) as a NumPy array."""
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    return np.asarray(value)


SUPPORTED_FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw", "rel_xyxy", "rel_yxyx", "rel_xywh",
                     "rel_center_xywh")


def _corners(boxes, source, height, width):
    """Boxes (..., 4) in ``source`` format -> the four xyxy coordinates, each (..., 1)."""
    a, b, c, d = np.split(boxes, 4, axis=-1)
    if source.startswith("rel_"):
        source = source[len("rel_"):]
        a, b, c, d = {"xyxy": (a * width, b * height, c * width, d * height),
                      "yxyx": (a * height, b * width, c * height, d * width),
                      "xywh": (a * width, b * height, c * width, d * height),
                      "center_xywh": (a * width, b * height, c * width, d * height)}[source]
    if source == "xyxy":
        return a, b, c, d
    if source == "yxyx":
        return b, a, d, c
    if source == "xywh":
        return a, b, a + c, b + d
    if source == "center_xywh":
        return a - c / 2.0, b - d / 2.0, a + c / 2.0, b + d / 2.0
    return b - d / 2.0, a - c / 2.0, b + d / 2.0, a + c / 2.0  # center_yxhw: cy, cx, h, w


def _from_corners(x1, y1, x2, y2, target, height, width):
    """The four xyxy coordinates (..., 1) -> boxes (..., 4) in ``target`` format."""
    relative = target.startswith("rel_")
    if relative:
        target = target[len("rel_"):]
        x1, y1, x2, y2 = x1 / width, y1 / height, x2 / width, y2 / height
    parts = {"xyxy": (x1, y1, x2, y2), "yxyx": (y1, x1, y2, x2), "xywh": (x1, y1, x2 - x1, y2 - y1),
             "center_xywh": (x1 + (x2 - x1) / 2.0, y1 + (y2 - y1) / 2.0, x2 - x1, y2 - y1),
             "center_yxhw": (y1 + (y2 - y1) / 2.0, x1 + (x2 - x1) / 2.0, y2 - y1, x2 - x1)}[target]
    return np.concatenate(parts, axis=-1)


def convert_format(boxes, source, target, height=None, width=None, dtype="float32"):
    """Converts boxes (..., 4) from one format to another.

    Args:
        boxes: an array (..., 4), or a dict whose ``"boxes"`` entry is one
            (the dict is updated and returned, as in Keras).
        source, target: format names (see the module docstring).
        height, width: the image size, needed when either format is relative.
        dtype: dtype of the result.

    Returns:
        Boxes (..., 4) in ``target`` format.
    """
    if isinstance(boxes, dict):
        boxes["boxes"] = convert_format(boxes["boxes"], source, target, height, width, dtype)
        return boxes
    boxes = as_array(boxes)
    if boxes.shape[-1] != 4:
        raise ValueError(f"`boxes` must be a tensor with the last dimension of 4. Received: boxes.shape={boxes.shape}")
    source, target = source.lower(), target.lower()
    if source not in SUPPORTED_FORMATS or target not in SUPPORTED_FORMATS:
        raise ValueError(f"Invalid source or target format (received source={source!r}, target={target!r}). "
                         f"Supported formats: {SUPPORTED_FORMATS}")
    if (source.startswith("rel_") or target.startswith("rel_")) and (width is None or height is None):
        raise ValueError("convert_format() must receive `height` and `width` transforming between relative and "
                         f"absolute formats. convert_format() received source=`{source}`, target=`{target}`, but "
                         f"height={height} and width={width}.")
    boxes = boxes.astype(dtype)
    if source == target:
        return boxes
    if source.startswith("rel_") and target.startswith("rel_"):  # no need to know the image size
        source, target = source[len("rel_"):], target[len("rel_"):]
    height = None if height is None else np.asarray(height, dtype)
    width = None if width is None else np.asarray(width, dtype)
    return _from_corners(*_corners(boxes, source, height, width), target, height, width).astype(dtype)
