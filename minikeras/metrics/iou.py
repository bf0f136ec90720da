"""IoU, MeanIoU, BinaryIoU, OneHotIoU, OneHotMeanIoU: intersection over union, for segmentation.

Place in the stack: over ``metric.py``; read ``confusion.py`` first. Every
pixel (entry) is one vote in a ``(C, C)`` confusion matrix ``cm`` kept over
the epoch: row = true class, column = predicted class. For class c:

    IoU_c = cm[c, c] / (sum(cm[c, :]) + sum(cm[:, c]) - cm[c, c])
          = TP / (TP + FP + FN)

and the result is the mean of ``IoU_c`` over ``target_class_ids``, counting
only the classes that occur (a class never seen nor predicted has a zero
denominator and is left out). Labels outside ``[0, C)`` and ``ignore_class``
are not counted. ``sparse_y_true`` / ``sparse_y_pred`` False means one-hot
rows or scores (an ``argmax`` over ``axis`` first). The matrix is kept in
``dtype``, ``"int32"`` by default, as in Keras (weights are cast to it).
"""

from minikeras import backend
from minikeras.autodiff.tensor import Tensor
from minikeras.metrics.metric import Metric
from minikeras.metrics.metric import to_raw


class IoU(Metric):
    """Mean IoU over some classes.

    Args:
        num_classes: C.
        target_class_ids: the classes averaged (each in ``[0, C)``).
        name, dtype: as in ``Metric`` (dtype of the confusion matrix: ``"int32"``).
        ignore_class: a label whose entries are not counted.
        sparse_y_true, sparse_y_pred: integer labels (True) or one-hot/scores (False).
        axis: the class axis of non-sparse inputs.
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name=name, dtype=dtype or "int32")
        self._direction = "up"
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which is [0, {num_classes}).")
        self.num_classes, self.target_class_ids = num_classes, list(target_class_ids)
        self.ignore_class, self.axis = ignore_class, axis
        self.sparse_y_true, self.sparse_y_pred = sparse_y_true, sparse_y_pred
        self.total_cm = self.add_variable(shape=(num_classes, num_classes), initializer="zeros",
                                          name="total_confusion_matrix")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = to_raw(y_true), to_raw(y_pred)
        xp = backend.get_xp(y_pred)
        # 1. Class ids, flattened: one entry per pixel.
        if not self.sparse_y_true:
            y_true = xp.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = xp.argmax(y_pred, axis=self.axis)
        y_true, y_pred = y_true.astype(self.dtype).reshape(-1), y_pred.astype(self.dtype).reshape(-1)
        if sample_weight is None:
            weights = xp.ones(y_true.shape, self.dtype)
        else:
            weights = to_raw(sample_weight, self.dtype)  # cast to the matrix dtype, as in Keras
            weights = xp.broadcast_to(weights.reshape(-1) if weights.ndim > 1 else weights, y_true.shape)
        # 2. Entries with a label out of range (or the ignored class) get weight 0.
        counted = (y_true >= 0) & (y_true < self.num_classes) & (y_pred >= 0) & (y_pred < self.num_classes)
        if self.ignore_class is not None:
            counted &= y_true != self.ignore_class
        weights = xp.where(counted, weights, 0).astype(self.dtype)
        y_true, y_pred = xp.where(counted, y_true, 0), xp.where(counted, y_pred, 0)
        # 3. Add every weight to its (true, predicted) cell.
        matrix = xp.zeros((self.num_classes, self.num_classes), dtype=self.dtype)
        xp.add.at(matrix, (y_true.astype("int64"), y_pred.astype("int64")), weights)
        self.total_cm.assign(self.total_cm.data + matrix)

    def result(self):
        xp = backend.get_xp(self.total_cm.data)
        matrix = self.total_cm.data
        true_positives = xp.diagonal(matrix).astype("float32")
        denominator = (matrix.sum(axis=0) + matrix.sum(axis=1)).astype("float32") - true_positives
        ids = xp.asarray(self.target_class_ids)
        true_positives, denominator = true_positives[ids], denominator[ids]
        present = denominator > 1e-9  # a class never seen nor predicted is left out
        iou = xp.where(present, true_positives / (denominator + backend.epsilon()), 0.0)
        mean = iou.sum() / (present.sum().astype("float32") + backend.epsilon())
        return Tensor(xp.asarray(mean, dtype="float32"))

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class BinaryIoU(IoU):
    """IoU of a binary mask: a score ``>= threshold`` predicts class 1.

    Args:
        target_class_ids: ``(0, 1)`` (both), ``(1,)`` or ``(0,)``.
        threshold: the score from which a prediction is 1 (0.5).
        name, dtype: as in ``Metric``.
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        predicted = (to_raw(y_pred, "float32") >= self.threshold).astype(self.dtype)
        super().update_state(y_true, predicted, sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold, "name": self.name,
                "dtype": self.dtype}


class MeanIoU(IoU):
    """IoU averaged over all ``num_classes`` classes.

    Args: num_classes, name, dtype, ignore_class, sparse_y_true, sparse_y_pred, axis as in ``IoU``.
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, list(range(num_classes)), name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotIoU(IoU):
    """IoU with one-hot targets (and, by default, scores as predictions).

    Args: num_classes, target_class_ids, name, dtype, ignore_class, sparse_y_pred, axis as in ``IoU``.
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None, sparse_y_pred=False,
                 axis=-1):
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "target_class_ids": self.target_class_ids, "name": self.name,
                "dtype": self.dtype, "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class OneHotMeanIoU(MeanIoU):
    """MeanIoU with one-hot targets (and, by default, scores as predictions).

    Args: num_classes, name, dtype, ignore_class, sparse_y_pred, axis as in ``IoU``.
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}
