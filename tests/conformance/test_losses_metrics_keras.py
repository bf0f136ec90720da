"""minikeras's losses and metrics give Keras 3's values on the same inputs (rtol 1e-5).

Runs where Keras is installed (any backend; CI uses JAX), skips otherwise.
"""

import re

import numpy as np
import pytest

from minikeras import losses
from minikeras import metrics

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.training

RTOL = 1e-5
rng = np.random.default_rng(0)
N, C = 6, 4
LOGITS = (rng.standard_normal((N, C)) * 3).astype("float32")
PROBABILITIES = (np.exp(LOGITS) / np.exp(LOGITS).sum(-1, keepdims=True)).astype("float32")
LABELS = rng.integers(0, C, N)
ONE_HOT = np.eye(C, dtype="float32")[LABELS]
BINARY = rng.integers(0, 2, (N, C)).astype("float32")
REGRESSION_TRUE = rng.standard_normal((N, C)).astype("float32")
WEIGHTS = rng.uniform(0, 2, N).astype("float32")
EDGE_PROBABILITIES = np.array([[0.0, 1.0, 0.0, 0.0]] * 3 + [[0.25] * 4] * 3, dtype="float32")
HUGE_LOGITS = np.array([[1e4, -1e4, 0.0, 50.0]] * 3 + [[-80.0, 80.0, 0.0, 1e3]] * 3, dtype="float32")

# case -> (class name in both libraries, kwargs, y_true, y_pred)
LOSS_CASES = {
    "scce_logits": ("SparseCategoricalCrossentropy", {"from_logits": True}, LABELS, LOGITS),
    "scce_probs": ("SparseCategoricalCrossentropy", {}, LABELS[:, None], PROBABILITIES),
    "scce_huge_logits": ("SparseCategoricalCrossentropy", {"from_logits": True}, LABELS, HUGE_LOGITS),
    "scce_edge_probs": ("SparseCategoricalCrossentropy", {}, LABELS, EDGE_PROBABILITIES),
    "scce_ignore": ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 1}, LABELS, LOGITS),
    "cce_logits_smooth": ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, ONE_HOT, LOGITS),
    "cce_probs": ("CategoricalCrossentropy", {}, ONE_HOT, PROBABILITIES),
    "cce_edge": ("CategoricalCrossentropy", {}, ONE_HOT, EDGE_PROBABILITIES),
    "cce_huge": ("CategoricalCrossentropy", {"from_logits": True}, ONE_HOT, HUGE_LOGITS),
    "bce_probs": ("BinaryCrossentropy", {}, BINARY, PROBABILITIES),
    "bce_logits_smooth": ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, BINARY, LOGITS),
    "bce_edge": ("BinaryCrossentropy", {}, BINARY, EDGE_PROBABILITIES),
    "bce_huge": ("BinaryCrossentropy", {"from_logits": True}, BINARY, HUGE_LOGITS),
    "mse": ("MeanSquaredError", {}, REGRESSION_TRUE, LOGITS),
    "mae": ("MeanAbsoluteError", {}, REGRESSION_TRUE, LOGITS),
    "huber": ("Huber", {"delta": 1.5}, REGRESSION_TRUE, LOGITS),
    "hinge": ("Hinge", {}, BINARY, LOGITS),
    "kl": ("KLDivergence", {}, PROBABILITIES[::-1].copy(), PROBABILITIES),
    "cosine": ("CosineSimilarity", {}, REGRESSION_TRUE, LOGITS),
    "mse_column": ("MeanSquaredError", {}, REGRESSION_TRUE[:, :1], LOGITS[:, 0]),
}
REDUCTIONS = ["sum_over_batch_size", "sum", "mean_with_sample_weight", "none"]


@pytest.mark.parametrize("case", sorted(LOSS_CASES))
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_loss_matches_keras(case, weighted, reduction):
    class_name, kwargs, y_true, y_pred = LOSS_CASES[case]
    sample_weight = WEIGHTS if weighted else None
    theirs = getattr(keras.losses, class_name)(reduction=reduction, **kwargs)(y_true, y_pred, sample_weight=sample_weight)
    ours = getattr(losses, class_name)(reduction=reduction, **kwargs)(y_true, y_pred, sample_weight=sample_weight)
    np.testing.assert_allclose(ours.numpy(), keras.ops.convert_to_numpy(theirs), rtol=RTOL, atol=1e-6)


@pytest.mark.parametrize("name", ["sparse_categorical_crossentropy", "categorical_crossentropy",
                                  "binary_crossentropy", "mean_squared_error", "mean_absolute_error",
                                  "huber", "hinge", "kl_divergence", "cosine_similarity"])
def test_loss_functions_match_keras(name):
    y_true = LABELS if name.startswith("sparse") else ONE_HOT
    ours = getattr(losses, name)(y_true, PROBABILITIES)
    theirs = getattr(keras.losses, name)(y_true, PROBABILITIES)
    np.testing.assert_allclose(ours.numpy(), keras.ops.convert_to_numpy(theirs), rtol=RTOL, atol=1e-6)


@pytest.mark.parametrize("class_name", sorted({case[0] for case in LOSS_CASES.values()}))
def test_loss_config_matches_keras(class_name):
    ours = getattr(losses, class_name)().get_config()
    theirs = getattr(keras.losses, class_name)().get_config()
    assert ours == theirs


# ----- metrics: two batches, with and without sample weights -----
METRIC_CASES = {
    "Mean": ({}, None, LOGITS[:, 0]),
    "Sum": ({}, None, LOGITS[:, 0]),
    "Accuracy": ({}, np.round(PROBABILITIES), np.round(PROBABILITIES[::-1])),
    "BinaryAccuracy": ({"threshold": 0.3}, BINARY, PROBABILITIES),
    "CategoricalAccuracy": ({}, ONE_HOT, PROBABILITIES),
    "SparseCategoricalAccuracy": ({}, LABELS, PROBABILITIES),
    "TopKCategoricalAccuracy": ({"k": 2}, ONE_HOT, PROBABILITIES),
    "SparseTopKCategoricalAccuracy": ({"k": 2}, LABELS, PROBABILITIES),
    "Precision": ({}, BINARY, PROBABILITIES),
    "Recall": ({"thresholds": [0.2, 0.5]}, BINARY, PROBABILITIES),
    "Precision_top_k": ({"top_k": 2}, BINARY, PROBABILITIES),
    "Recall_class_id": ({"class_id": 1, "thresholds": 0.3}, BINARY, PROBABILITIES),
    "AUC": ({}, BINARY, PROBABILITIES),
    "AUC_PR": ({"curve": "PR"}, BINARY, PROBABILITIES),
    "AUC_logits": ({"from_logits": True, "num_thresholds": 50}, BINARY, LOGITS),
    "MeanSquaredError": ({}, REGRESSION_TRUE, LOGITS),
    "MeanAbsoluteError": ({}, REGRESSION_TRUE, LOGITS),
    "RootMeanSquaredError": ({}, REGRESSION_TRUE, LOGITS),
}


def _run_metric(metric, y_true, y_pred, weighted):
    halves = (slice(0, N // 2), slice(N // 2, N))
    for half in halves:
        sample_weight = WEIGHTS[half] if weighted else None
        if y_true is None:
            metric.update_state(y_pred[half], sample_weight=sample_weight)
        else:
            metric.update_state(y_true[half], y_pred[half], sample_weight=sample_weight)
    return np.asarray(metric.result())


@pytest.mark.parametrize("case", sorted(METRIC_CASES))
@pytest.mark.parametrize("weighted", [False, True])
def test_metric_matches_keras(case, weighted):
    kwargs, y_true, y_pred = METRIC_CASES[case]
    class_name = case.split("_")[0]
    ours = _run_metric(getattr(metrics, class_name)(**kwargs), y_true, y_pred, weighted)
    theirs = _run_metric(getattr(keras.metrics, class_name)(**kwargs), y_true, y_pred, weighted)
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=1e-6)


@pytest.mark.parametrize("class_name", ["Mean", "SparseCategoricalAccuracy", "BinaryAccuracy", "Precision", "AUC",
                                        "RootMeanSquaredError", "TopKCategoricalAccuracy"])
def test_metric_config_and_variables_match_keras(class_name):
    ours, theirs = getattr(metrics, class_name)(), getattr(keras.metrics, class_name)()
    our_config, their_config = ours.get_config(), theirs.get_config()
    # Default names get a per-process counter ("auc_2"), which differs between libraries.
    assert re.sub(r"_\d+$", "", our_config.pop("name")) == re.sub(r"_\d+$", "", their_config.pop("name"))
    assert our_config == their_config
    assert [(v.name, tuple(v.shape)) for v in ours.variables] == [(v.name, tuple(v.shape)) for v in theirs.variables]


@pytest.mark.parametrize("y_true_shape, y_pred_shape", [((4,), (4, 3)), ((4, 1), (4, 3)), ((4, 3), (4, 3)),
                                                        ((4, 1), (4, 1))])
def test_accuracy_resolution_matches_keras(y_true_shape, y_pred_shape):
    from keras.src.trainers.compile_utils import get_metric

    theirs = get_metric("acc", np.zeros(y_true_shape), np.zeros(y_pred_shape))
    ours = metrics.resolve_metric("acc", np.zeros(y_true_shape), np.zeros(y_pred_shape))
    assert type(ours).__name__ == type(theirs).__name__
    assert ours.name == theirs.name == "acc"


_LOSS_SHAPES = [((4,), (4, 3)), ((4, 3), (4, 3)), ((4, 1), (4, 1))]
# Sparse labels have one rank less than the predictions, so only the first shape pair fits them.
_LOSS_CASES = [(identifier, *shapes) for identifier in ["crossentropy", "ce", "mse", "sparse_categorical_crossentropy"]
               for shapes in _LOSS_SHAPES if not (identifier.startswith("sparse") and shapes[0] == shapes[1])]


@pytest.mark.parametrize("identifier, y_true_shape, y_pred_shape", _LOSS_CASES)
def test_loss_resolution_matches_keras(identifier, y_true_shape, y_pred_shape):
    from keras.src.trainers.compile_utils import get_loss

    theirs = get_loss(identifier, np.zeros(y_true_shape), np.zeros(y_pred_shape))
    ours = losses.resolve_loss(identifier, np.zeros(y_true_shape), np.zeros(y_pred_shape))
    assert ours.name == theirs.name and ours.fn.__name__ == theirs.fn.__name__
