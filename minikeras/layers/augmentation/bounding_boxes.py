"""``MaxNumBoundingBoxes``: every image gets the same number of bounding boxes.

Place in the stack: a preprocessing layer over ``layer.py``, with the
augmentation layers because Keras puts it there (its inputs are the same
``{"images": ..., "bounding_boxes": {"boxes": ..., "labels": ...}}`` dicts).
An object detector's batch needs one array of boxes, but images hold
different numbers of objects: this layer cuts the boxes after
``max_number`` and pads the missing ones with ``fill_value``. The images
pass through unchanged. Read next: ``tone.py``.
"""

import numpy

from minikeras import ops
from minikeras.layers.layer import Layer
from minikeras.utils.argument_validation import check_data_format


class MaxNumBoundingBoxes(Layer):
    """Cuts or pads the bounding boxes (and their labels) of each image to ``max_number``.

    Args:
        max_number: the number of boxes per image after the layer.
        fill_value: the value of the padded boxes' coordinates and labels (-1).
        bounding_box_format: the boxes' format (``"xyxy"``...); the layer does not
            read the coordinates, but Keras asks for it before it touches boxes.
        data_format, **kwargs: ``Layer`` arguments.

    Inputs:
        Images ``(N, H, W, C)`` (returned as they are), or a dict with
        ``"images"``, optional ``"labels"``, and ``"bounding_boxes"``:
        ``{"boxes": (N, B, 4), "labels": (N, B)}`` (or one image's ``(B, 4)``, ``(B,)``).
    Returns:
        The same structure, boxes ``(N, max_number, 4)`` and labels ``(N, max_number)``.
    """

    def __init__(self, max_number, fill_value=-1, bounding_box_format=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.max_number, self.fill_value = int(max_number), int(fill_value)
        self.bounding_box_format = bounding_box_format
        self.data_format = check_data_format(data_format, "MaxNumBoundingBoxes")
        self.built = True

    def call(self, inputs, training=True):
        if not isinstance(inputs, dict) or "bounding_boxes" not in inputs:
            return inputs
        if not self.bounding_box_format:
            raise ValueError("You passed an input with a 'bounding_boxes' key, but you didn't specify a bounding "
                             "box format. Pass a `bounding_box_format` argument to your MaxNumBoundingBoxes "
                             "layer, e.g. `bounding_box_format='xyxy'`.")
        boxes = numpy.asarray(ops.convert_to_numpy(inputs["bounding_boxes"]["boxes"]))
        labels = numpy.asarray(ops.convert_to_numpy(inputs["bounding_boxes"]["labels"]))
        single = boxes.ndim == 2  # one image's (B, 4) boxes
        boxes, labels = (boxes[None], labels[None]) if single else (boxes, labels)
        boxes, labels = self._fit(boxes), self._fit(labels)
        fitted = {**inputs["bounding_boxes"], "boxes": ops.convert_to_tensor(boxes[0] if single else boxes),
                  "labels": ops.convert_to_tensor(labels[0] if single else labels)}
        return {**inputs, "bounding_boxes": fitted}

    def _fit(self, array):
        """``(N, B, ...)`` -> ``(N, max_number, ...)``: the first boxes, then ``fill_value`` rows."""
        array = array[:, : self.max_number]
        pads = [(0, 0), (0, self.max_number - array.shape[1])] + [(0, 0)] * (array.ndim - 2)
        return numpy.pad(array, pads, constant_values=self.fill_value)

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, dict) and "bounding_boxes" in input_shape:
            extra = set(input_shape["bounding_boxes"]) - {"boxes", "labels"}
            if extra:
                raise KeyError(f"There are unsupported keys in `bounding_boxes`: {list(extra)}. "
                               "Only `boxes` and `labels` are supported.")
            shapes = {key: list(value) for key, value in input_shape["bounding_boxes"].items()}
            for value in shapes.values():
                value[1] = self.max_number
            return {**input_shape, "bounding_boxes": shapes}
        return input_shape

    def get_config(self):
        # As Keras 3.15.1: fill_value is not saved (a layer rebuilt from its config pads with -1).
        config = {**super().get_config(), "data_format": self.data_format}
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        return {**config, "max_number": self.max_number}
