"""The metrics of issue 18 on tiny hand-computed examples (the oracle is arithmetic written out here)."""

import numpy as np
import pytest

from minikeras import losses
from minikeras import metrics


def result(metric):
    return np.asarray(metric.result().numpy(), dtype=np.float64)


def test_condition_counts_by_hand():
    labels = np.array([1, 0, 1, 0, 1])
    scores = np.array([0.9, 0.8, 0.3, 0.1, 0.6])  # predicted positive at 0.5: 0.9, 0.8, 0.6
    expected = {"TruePositives": 2, "FalsePositives": 1, "TrueNegatives": 1, "FalseNegatives": 1}
    for class_name, count in expected.items():
        metric = getattr(metrics, class_name)()
        metric.update_state(labels, scores)
        assert result(metric) == count, class_name
    several = metrics.TruePositives(thresholds=[0.0, 0.5, 0.95])
    several.update_state(labels, scores, sample_weight=[1, 1, 2, 1, 1])
    np.testing.assert_array_equal(result(several), [4, 2, 0])


def test_f1_score_by_hand():
    y_true = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype="float32")
    y_pred = np.array([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7], [0.6, 0.4]], dtype="float32")  # argmax: 0, 1, 1, 0
    # Class 0: TP 1, FP 1, FN 1 -> precision = recall = 1/2, F1 = 1/2; class 1 the same.
    metric = metrics.F1Score()
    metric.update_state(y_true, y_pred)
    np.testing.assert_allclose(result(metric), [0.5, 0.5], rtol=1e-5)
    favour_recall = metrics.FBetaScore(beta=2.0, threshold=0.15)  # everything above 0.15 is positive
    favour_recall.update_state(y_true, y_pred)
    # Class 0: TP 2, FP 2, FN 0 -> p = 1/2, r = 1: F2 = 5 * 0.5 / (4 * 0.5 + 1) = 5/6.
    np.testing.assert_allclose(result(favour_recall)[0], 5 / 6, rtol=1e-5)


def test_f_score_needs_two_dimensional_inputs():
    with pytest.raises(ValueError, match="expects 2D inputs"):
        metrics.F1Score().update_state(np.ones(3), np.ones(3))


def test_r2_score_by_hand():
    y_true = np.array([[1.0], [2.0], [3.0], [4.0]])
    y_pred = np.array([[1.5], [2.0], [2.5], [4.0]])
    # Residual 0.25 + 0 + 0.25 + 0 = 0.5; total spread around the mean 2.5: 2.25 + 0.25 + 0.25 + 2.25 = 5.
    metric = metrics.R2Score()
    metric.update_state(y_true[:2], y_pred[:2])
    metric.update_state(y_true[2:], y_pred[2:])  # the state sums make two batches exact
    np.testing.assert_allclose(result(metric), 1 - 0.5 / 5, rtol=1e-6)
    adjusted = metrics.R2Score(num_regressors=1)
    adjusted.update_state(y_true, y_pred)
    np.testing.assert_allclose(result(adjusted), 1 - (0.5 / 5) * 3 / 2, rtol=1e-6)


def test_loss_metrics_average_the_loss_over_the_epoch():
    y_true = np.array([[0.0, 2.0], [1.0, 1.0], [3.0, 0.0]])
    y_pred = np.array([[0.5, 1.0], [1.0, 2.0], [2.0, 0.5]])
    metric = metrics.Poisson()
    metric.update_state(y_true[:1], y_pred[:1])
    metric.update_state(y_true[1:], y_pred[1:])
    np.testing.assert_allclose(result(metric), losses.poisson(y_true, y_pred).numpy().mean(), rtol=1e-6)
    cosine = metrics.CosineSimilarity()
    cosine.update_state(y_true, y_true * 3.0)
    np.testing.assert_allclose(result(cosine), 1.0, rtol=1e-6)  # same direction: cosine 1 (the loss says -1)


def test_iou_by_hand_with_weights_and_an_ignored_class():
    y_true = np.array([0, 0, 1, 1, 2, 2])
    y_pred = np.array([0, 1, 1, 1, 2, 0])
    # Class 0: TP 1, FP 1 (the last entry), FN 1 -> 1/3; class 1: TP 2, FP 1 -> 2/3; class 2: TP 1, FN 1 -> 1/2.
    metric = metrics.MeanIoU(num_classes=3)
    metric.update_state(y_true, y_pred)
    np.testing.assert_allclose(result(metric), (1 / 3 + 2 / 3 + 1 / 2) / 3, rtol=1e-6)
    weighted = metrics.IoU(num_classes=3, target_class_ids=[1])
    weighted.update_state(y_true, y_pred, sample_weight=[1, 3, 1, 1, 1, 1])  # the false positive counts 3 times
    np.testing.assert_allclose(result(weighted), 2 / 5, rtol=1e-6)
    ignoring = metrics.MeanIoU(num_classes=3, ignore_class=0)
    ignoring.update_state(y_true, y_pred)  # class 0's entries are skipped; its predictions elsewhere still count
    np.testing.assert_allclose(result(ignoring), (0 + 1.0 + 1 / 2) / 3, rtol=1e-6)


def test_rate_at_rate_metrics_by_hand():
    labels = np.array([1, 1, 0, 0])
    scores = np.array([0.9, 0.4, 0.6, 0.1])
    # At thresholds between 0.6 and 0.9 only 0.9 is positive: precision 1, recall 1/2;
    # between 0.1 and 0.4: recall 1, precision 2/3.
    precision_at = metrics.PrecisionAtRecall(recall=1.0, num_thresholds=11)
    precision_at.update_state(labels, scores)
    np.testing.assert_allclose(result(precision_at), 2 / 3, rtol=1e-6)
    recall_at = metrics.RecallAtPrecision(precision=1.0, num_thresholds=11)
    recall_at.update_state(labels, scores)
    np.testing.assert_allclose(result(recall_at), 0.5, rtol=1e-6)
