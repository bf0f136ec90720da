"""The metrics added for issue 18 give Keras 3's results on the same batches (rtol 1e-5), reset, and round-trip."""

import numpy as np
import pytest

from minikeras import metrics

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.training

RTOL = 1e-5
rng = np.random.default_rng(2)
N, C = 8, 3
LOGITS = (rng.standard_normal((N, C)) * 2).astype("float32")
PROBABILITIES = (np.exp(LOGITS) / np.exp(LOGITS).sum(-1, keepdims=True)).astype("float32")
LABELS = rng.integers(0, C, N)
ONE_HOT = np.eye(C, dtype="float32")[LABELS]
BINARY = rng.integers(0, 2, (N, C)).astype("float32")
SCORES = rng.uniform(0, 1, (N, C)).astype("float32")
REGRESSION_TRUE = rng.standard_normal((N, C)).astype("float32")
REGRESSION_PRED = (REGRESSION_TRUE + 0.5 * rng.standard_normal((N, C))).astype("float32")
POSITIVE = rng.uniform(0.1, 3.0, (N, C)).astype("float32")
WEIGHTS = rng.uniform(0, 2, N).astype("float32")

# case -> (class name in both libraries, kwargs, y_true, y_pred)
CASES = {
    "bce": ("BinaryCrossentropy", {}, BINARY, SCORES),
    "bce_logits": ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, BINARY, LOGITS),
    "cce": ("CategoricalCrossentropy", {}, ONE_HOT, PROBABILITIES),
    "cce_logits": ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, ONE_HOT, LOGITS),
    "scce": ("SparseCategoricalCrossentropy", {}, LABELS, PROBABILITIES),
    "scce_logits": ("SparseCategoricalCrossentropy", {"from_logits": True}, LABELS, LOGITS),
    "kld": ("KLDivergence", {}, PROBABILITIES[::-1].copy(), PROBABILITIES),
    "poisson": ("Poisson", {}, POSITIVE, POSITIVE[::-1].copy()),
    "hinge": ("Hinge", {}, BINARY, LOGITS),
    "squared_hinge": ("SquaredHinge", {}, BINARY, LOGITS),
    "categorical_hinge": ("CategoricalHinge", {}, ONE_HOT, LOGITS),
    "logcosh": ("LogCoshError", {}, REGRESSION_TRUE, REGRESSION_PRED),
    "mape": ("MeanAbsolutePercentageError", {}, REGRESSION_TRUE, REGRESSION_PRED),
    "msle": ("MeanSquaredLogarithmicError", {}, POSITIVE, POSITIVE[::-1].copy()),
    "cosine": ("CosineSimilarity", {}, REGRESSION_TRUE, REGRESSION_PRED),
    "tp": ("TruePositives", {}, BINARY, SCORES),
    "fp": ("FalsePositives", {"thresholds": [0.2, 0.7]}, BINARY, SCORES),
    "tn": ("TrueNegatives", {"thresholds": 0.3}, BINARY, SCORES),
    "fn": ("FalseNegatives", {}, BINARY, SCORES),
    "f1_none": ("F1Score", {}, ONE_HOT, PROBABILITIES),
    "f1_micro_threshold": ("F1Score", {"average": "micro", "threshold": 0.4}, BINARY, SCORES),
    "f1_macro": ("F1Score", {"average": "macro"}, ONE_HOT, PROBABILITIES),
    "fbeta_weighted": ("FBetaScore", {"average": "weighted", "beta": 2.0, "threshold": 0.5}, BINARY, SCORES),
    "fbeta_none": ("FBetaScore", {"beta": 0.5}, ONE_HOT, PROBABILITIES),
    "r2": ("R2Score", {}, REGRESSION_TRUE, REGRESSION_PRED),
    "r2_variance_weighted": ("R2Score", {"class_aggregation": "variance_weighted_average"},
                             REGRESSION_TRUE, REGRESSION_PRED),
    "r2_columns_adjusted": ("R2Score", {"class_aggregation": None, "num_regressors": 2},
                            REGRESSION_TRUE, REGRESSION_PRED),
}


def _run(metric, y_true, y_pred, sample_weight, to_numpy):
    """Two batches (halves), then the result."""
    half = N // 2
    for part in (slice(0, half), slice(half, N)):
        weight = None if sample_weight is None else sample_weight[part]
        metric.update_state(y_true[part], y_pred[part], sample_weight=weight)
    return to_numpy(metric.result())


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("weighted", [False, True])
def test_metric_matches_keras_over_two_batches(case, weighted):
    class_name, kwargs, y_true, y_pred = CASES[case]
    sample_weight = WEIGHTS if weighted else None
    theirs = _run(getattr(keras.metrics, class_name)(**kwargs), y_true, y_pred, sample_weight,
                  keras.ops.convert_to_numpy)
    ours = _run(getattr(metrics, class_name)(**kwargs), y_true, y_pred, sample_weight, lambda t: np.asarray(t.numpy()))
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=1e-6)


@pytest.mark.parametrize("case", sorted(CASES))
def test_reset_state_starts_again(case):
    class_name, kwargs, y_true, y_pred = CASES[case]
    metric = getattr(metrics, class_name)(**kwargs)
    metric.update_state(y_true[:3], y_pred[:3])
    metric.reset_state()
    metric.update_state(y_true, y_pred)
    fresh = getattr(metrics, class_name)(**kwargs)
    fresh.update_state(y_true, y_pred)
    np.testing.assert_allclose(np.asarray(metric.result().numpy()), np.asarray(fresh.result().numpy()))


@pytest.mark.parametrize("case", sorted(CASES))
def test_config_matches_keras_and_round_trips(case):
    class_name, kwargs, _, _ = CASES[case]
    ours = getattr(metrics, class_name)(name="m", **kwargs)
    assert ours.get_config() == getattr(keras.metrics, class_name)(name="m", **kwargs).get_config()
    rebuilt = metrics.deserialize(metrics.serialize(ours))
    assert type(rebuilt) is type(ours) and rebuilt.get_config() == ours.get_config()


@pytest.mark.parametrize("name", ["binary_crossentropy", "poisson", "mape", "msle", "squared_hinge", "f1_score",
                                  "r2_score", "true_positives", "false_negatives", "cosine_similarity",
                                  "categorical_hinge", "kl_divergence"])
def test_get_resolves_the_same_class_as_keras(name):
    assert type(metrics.get(name)).__name__ == type(keras.metrics.get(name)).__name__


@pytest.mark.parametrize("name", ["poisson", "log_cosh", "squared_hinge", "mean_absolute_percentage_error",
                                  "binary_focal_crossentropy", "categorical_hinge"])
def test_metric_functions_are_the_loss_functions(name):
    ours = getattr(metrics, name)(ONE_HOT, PROBABILITIES)
    theirs = getattr(keras.metrics, name)(ONE_HOT, PROBABILITIES)
    np.testing.assert_allclose(ours.numpy(), keras.ops.convert_to_numpy(theirs), rtol=RTOL, atol=1e-6)


@pytest.mark.parametrize("kwargs", [{"average": "mean"}, {"beta": 1}, {"beta": -1.0}, {"threshold": 1.5}])
def test_fbeta_rejects_bad_arguments_like_keras(kwargs):
    with pytest.raises(ValueError):
        keras.metrics.FBetaScore(**kwargs)
    with pytest.raises(ValueError, match="Invalid `"):
        metrics.FBetaScore(**kwargs)
