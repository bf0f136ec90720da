"""The losses added for issue 18 give Keras 3's values on the same inputs (rtol 1e-5), and its configs."""

import numpy as np
import pytest

from minikeras import losses

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.training

RTOL = 1e-5
rng = np.random.default_rng(1)
N, C = 6, 4
LOGITS = (rng.standard_normal((N, C)) * 3).astype("float32")
PROBABILITIES = (np.exp(LOGITS) / np.exp(LOGITS).sum(-1, keepdims=True)).astype("float32")
LABELS = rng.integers(0, C, N)
ONE_HOT = np.eye(C, dtype="float32")[LABELS]
BINARY = rng.integers(0, 2, (N, C)).astype("float32")
POSITIVE_TRUE = rng.uniform(0.0, 3.0, (N, C)).astype("float32")
POSITIVE_PRED = rng.uniform(0.05, 3.0, (N, C)).astype("float32")
REGRESSION_TRUE = rng.standard_normal((N, C)).astype("float32")
REGRESSION_TRUE[0, 0] = 0.0  # a zero target: MAPE's epsilon
WEIGHTS = rng.uniform(0, 2, N).astype("float32")
MASK = rng.integers(0, 2, (N, 5, 5, 1)).astype("float32")
MASK_PRED = rng.uniform(0, 1, (N, 5, 5, 1)).astype("float32")

# case -> (class name in both libraries, kwargs, y_true, y_pred)
CASES = {
    "msle": ("MeanSquaredLogarithmicError", {}, POSITIVE_TRUE, POSITIVE_PRED),
    "msle_negative": ("MeanSquaredLogarithmicError", {}, REGRESSION_TRUE, LOGITS),
    "mape": ("MeanAbsolutePercentageError", {}, REGRESSION_TRUE, LOGITS),
    "log_cosh": ("LogCosh", {}, REGRESSION_TRUE, LOGITS * 30),
    "poisson": ("Poisson", {}, POSITIVE_TRUE, POSITIVE_PRED),
    "squared_hinge": ("SquaredHinge", {}, BINARY, LOGITS),
    "squared_hinge_signs": ("SquaredHinge", {}, 2 * BINARY - 1, LOGITS),
    "categorical_hinge": ("CategoricalHinge", {}, ONE_HOT, LOGITS),
    "dice": ("Dice", {}, MASK, MASK_PRED),
    "dice_axis": ("Dice", {"axis": (1, 2, 3)}, MASK, MASK_PRED),
    "tversky": ("Tversky", {"alpha": 0.3, "beta": 0.7}, MASK, MASK_PRED),
    "tversky_axis": ("Tversky", {"axis": (1, 2)}, MASK, MASK_PRED),
    "binary_focal": ("BinaryFocalCrossentropy", {}, BINARY, PROBABILITIES),
    "binary_focal_balanced_logits": ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "alpha": 0.4,
                                     "gamma": 1.5, "from_logits": True, "label_smoothing": 0.1}, BINARY, LOGITS),
    "categorical_focal": ("CategoricalFocalCrossentropy", {}, ONE_HOT, PROBABILITIES),
    "categorical_focal_logits": ("CategoricalFocalCrossentropy", {"from_logits": True, "gamma": 3.0,
                                 "alpha": 0.5, "label_smoothing": 0.2}, ONE_HOT, LOGITS),
    "generalized_ce": ("CategoricalGeneralizedCrossEntropy", {"q": 0.3}, LABELS, PROBABILITIES),
}
REDUCTIONS = ["sum_over_batch_size", "sum", "none"]


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_loss_matches_keras(case, weighted, reduction):
    class_name, kwargs, y_true, y_pred = CASES[case]
    sample_weight = WEIGHTS if weighted and "axis" not in kwargs and class_name not in ("Dice", "Tversky") else None
    theirs = getattr(keras.losses, class_name)(reduction=reduction, **kwargs)(y_true, y_pred,
                                                                               sample_weight=sample_weight)
    ours = getattr(losses, class_name)(reduction=reduction, **kwargs)(y_true, y_pred, sample_weight=sample_weight)
    np.testing.assert_allclose(ours.numpy(), keras.ops.convert_to_numpy(theirs), rtol=RTOL, atol=1e-6)


@pytest.mark.parametrize("name", ["mean_squared_logarithmic_error", "mean_absolute_percentage_error", "log_cosh",
                                  "poisson", "squared_hinge", "categorical_hinge", "dice", "tversky",
                                  "binary_focal_crossentropy", "categorical_focal_crossentropy"])
def test_loss_functions_match_keras(name):
    ours = getattr(losses, name)(ONE_HOT, PROBABILITIES)
    theirs = getattr(keras.losses, name)(ONE_HOT, PROBABILITIES)
    np.testing.assert_allclose(ours.numpy(), keras.ops.convert_to_numpy(theirs), rtol=RTOL, atol=1e-6)


@pytest.mark.parametrize("class_name", sorted({case[0] for case in CASES.values()}))
def test_config_matches_keras_and_round_trips(class_name):
    # The last case of this class gives non-default arguments where it has some.
    kwargs = [case[1] for case in CASES.values() if case[0] == class_name][-1]
    ours = getattr(losses, class_name)(**kwargs)
    assert ours.get_config() == getattr(keras.losses, class_name)(**kwargs).get_config()
    rebuilt = losses.deserialize(losses.serialize(ours))
    assert type(rebuilt) is type(ours) and rebuilt.get_config() == ours.get_config()


@pytest.mark.parametrize("name", ["mape", "MSLE", "log_cosh", "poisson", "dice", "tversky", "squared_hinge"])
def test_get_resolves_the_same_names_as_keras(name):
    assert losses.get(name).__name__ == keras.losses.get(name).__name__


def test_generalized_crossentropy_refuses_q_outside_the_interval():
    with pytest.raises(ValueError, match=r"q must be in the interval \(0, 1\)"):
        losses.CategoricalGeneralizedCrossEntropy(q=1.0)
