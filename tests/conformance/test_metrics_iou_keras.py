"""IoU family, correlations and the threshold-sweep metrics against Keras 3 (rtol 1e-5): values over
two batches, reset, configs."""

import numpy as np
import pytest

from minikeras import metrics

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.training

rng = np.random.default_rng(4)
N, C = 8, 3
CLASS_TRUE = rng.integers(0, C, (N, 4, 4))
CLASS_PRED = np.where(rng.uniform(size=(N, 4, 4)) < 0.6, CLASS_TRUE, rng.integers(0, C, (N, 4, 4)))
SCORES = rng.uniform(0.01, 0.99, (N, 4, 4, C)).astype("float32")
ONE_HOT = np.eye(C, dtype="float32")[CLASS_TRUE]
MASK = rng.integers(0, 2, (N, 5)).astype("float32")
MASK_SCORES = rng.uniform(0.01, 0.99, (N, 5)).astype("float32")
REGRESSION_TRUE = rng.standard_normal((N, 6)).astype("float32")
REGRESSION_PRED = (0.7 * REGRESSION_TRUE + 0.5 * rng.standard_normal((N, 6)) + 0.2).astype("float32")
LABELS = rng.integers(0, 2, (N, 6)).astype("float32")
PROBABILITIES = np.clip(LABELS * 0.3 + rng.uniform(0.0, 0.7, (N, 6)), 0.01, 0.99).astype("float32")
WEIGHTS = rng.integers(1, 3, N).astype("float32")

CASES = {
    "iou": ("IoU", {"num_classes": C, "target_class_ids": [0, 2]}, CLASS_TRUE, CLASS_PRED),
    "iou_ignore": ("IoU", {"num_classes": C, "target_class_ids": [1], "ignore_class": 0}, CLASS_TRUE, CLASS_PRED),
    "mean_iou": ("MeanIoU", {"num_classes": C}, CLASS_TRUE, CLASS_PRED),
    "mean_iou_scores": ("MeanIoU", {"num_classes": C, "sparse_y_pred": False}, CLASS_TRUE, SCORES),
    "binary_iou": ("BinaryIoU", {}, MASK, MASK_SCORES),
    "binary_iou_one": ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.3}, MASK, MASK_SCORES),
    "one_hot_iou": ("OneHotIoU", {"num_classes": C, "target_class_ids": [0, 1]}, ONE_HOT, SCORES),
    "one_hot_mean_iou": ("OneHotMeanIoU", {"num_classes": C}, ONE_HOT, SCORES),
    "pearson": ("PearsonCorrelation", {}, REGRESSION_TRUE, REGRESSION_PRED),
    "concordance": ("ConcordanceCorrelation", {}, REGRESSION_TRUE, REGRESSION_PRED),
    "precision_at_recall": ("PrecisionAtRecall", {"recall": 0.7}, LABELS, PROBABILITIES),
    "recall_at_precision": ("RecallAtPrecision", {"precision": 0.6, "num_thresholds": 50}, LABELS, PROBABILITIES),
    "sensitivity_at_specificity": ("SensitivityAtSpecificity", {"specificity": 0.5}, LABELS, PROBABILITIES),
    "specificity_at_sensitivity": ("SpecificityAtSensitivity", {"sensitivity": 0.8, "class_id": 2},
                                   LABELS, PROBABILITIES),
}


def _run(metric, y_true, y_pred, sample_weight, to_numpy):
    half = N // 2
    for part in (slice(0, half), slice(half, N)):
        weight = None if sample_weight is None else sample_weight[part]
        metric.update_state(y_true[part], y_pred[part], sample_weight=weight)
    return to_numpy(metric.result())


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("weighted", [False, True])
def test_metric_matches_keras(case, weighted):
    class_name, kwargs, y_true, y_pred = CASES[case]
    weighted = weighted and "IoU" not in class_name  # per-pixel weights: tested by hand in tests/metrics
    sample_weight = WEIGHTS if weighted else None
    theirs = _run(getattr(keras.metrics, class_name)(**kwargs), y_true, y_pred, sample_weight,
                  keras.ops.convert_to_numpy)
    ours = _run(getattr(metrics, class_name)(**kwargs), y_true, y_pred, sample_weight,
                lambda tensor: np.asarray(tensor.numpy()))
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", sorted(CASES))
def test_config_matches_keras_reset_and_round_trip(case):
    class_name, kwargs, y_true, y_pred = CASES[case]
    ours = getattr(metrics, class_name)(name="m", **kwargs)
    assert ours.get_config() == getattr(keras.metrics, class_name)(name="m", **kwargs).get_config()
    rebuilt = metrics.deserialize(metrics.serialize(ours))
    assert type(rebuilt) is type(ours) and rebuilt.get_config() == ours.get_config()
    ours.update_state(y_true, y_pred)
    ours.reset_state()
    ours.update_state(y_true[:4], y_pred[:4])
    fresh = getattr(metrics, class_name)(**kwargs)
    fresh.update_state(y_true[:4], y_pred[:4])
    np.testing.assert_allclose(np.asarray(ours.result().numpy()), np.asarray(fresh.result().numpy()))


@pytest.mark.parametrize("name", ["pearson_correlation", "concordance_correlation"])
def test_correlation_functions_match_keras(name):
    ours = getattr(metrics, name)(REGRESSION_TRUE, REGRESSION_PRED)
    theirs = getattr(keras.metrics, name)(REGRESSION_TRUE, REGRESSION_PRED)
    np.testing.assert_allclose(ours.numpy(), keras.ops.convert_to_numpy(theirs), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("class_name, kwargs", [("PrecisionAtRecall", {"recall": 1.5}),
                                                ("IoU", {"num_classes": 2, "target_class_ids": [2]})])
def test_bad_arguments_are_value_errors_in_both(class_name, kwargs):
    with pytest.raises(ValueError):
        getattr(keras.metrics, class_name)(**kwargs)
    with pytest.raises(ValueError):
        getattr(metrics, class_name)(**kwargs)
