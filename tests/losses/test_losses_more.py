"""The losses of issue 18: hand-computed values (NumPy from each docstring's formula) and gradients."""

import numpy as np
import pytest

from minikeras import losses
from tests.autodiff.gradcheck import check_vjp


def value(tensor):
    return np.asarray(tensor.numpy(), dtype=np.float64)


Y_TRUE = np.array([[1.0, 0.0, 2.0], [0.5, 3.0, 0.0]])
Y_PRED = np.array([[0.5, 0.2, 2.5], [1.0, 2.0, 0.3]])


def test_log_and_ratio_losses_by_hand():
    np.testing.assert_allclose(value(losses.mean_squared_logarithmic_error(Y_TRUE, Y_PRED)),
                               np.mean((np.log1p(Y_PRED) - np.log1p(np.maximum(Y_TRUE, 1e-7))) ** 2, axis=-1))
    np.testing.assert_allclose(value(losses.mean_absolute_percentage_error(Y_TRUE, Y_PRED)),
                               100 * np.mean(np.abs(Y_TRUE - Y_PRED) / np.maximum(np.abs(Y_TRUE), 1e-7), axis=-1))
    np.testing.assert_allclose(value(losses.log_cosh(Y_TRUE, Y_PRED)),
                               np.mean(np.log(np.cosh(Y_PRED - Y_TRUE)), axis=-1))
    np.testing.assert_allclose(value(losses.poisson(Y_TRUE, Y_PRED)),
                               np.mean(Y_PRED - Y_TRUE * np.log(Y_PRED + 1e-7), axis=-1))


def test_log_cosh_does_not_overflow():
    far = losses.log_cosh(np.zeros((1, 1), "float32"), np.full((1, 1), 200.0, "float32"))
    np.testing.assert_allclose(value(far), 200.0 - np.log(2.0), rtol=1e-6)


def test_margin_losses_by_hand():
    labels = np.array([[1.0, 0.0], [0.0, 1.0]])  # 0/1 labels become -1/1
    scores = np.array([[0.3, -2.0], [0.5, 1.5]])
    signs = 2 * labels - 1
    np.testing.assert_allclose(value(losses.squared_hinge(labels, scores)),
                               np.mean(np.maximum(1 - signs * scores, 0) ** 2, axis=-1))
    # "Best wrong" is max((1 - y_true) * y_pred): the right class counts as 0 there, so a
    # wrong score of -2.0 still gives 1 + 0 - 0.3 = 0.7; second row: 1 + 0.5 - 1.5 = 0.
    np.testing.assert_allclose(value(losses.categorical_hinge(labels, scores)), [0.7, 0.0])
    np.testing.assert_allclose(value(losses.categorical_hinge(labels, scores[:, ::-1])), [3.3, 2.0])


def test_dice_and_tversky_by_hand():
    mask = np.array([[1.0, 1.0, 0.0, 0.0]])
    prediction = np.array([[0.9, 0.4, 0.2, 0.0]])
    overlap, missed, extra = 0.9 + 0.4, 0.1 + 0.6, 0.2
    np.testing.assert_allclose(value(losses.dice(mask, prediction)), 1 - 2 * overlap / (2 + 1.5), rtol=1e-6)
    np.testing.assert_allclose(value(losses.tversky(mask, prediction, alpha=0.7, beta=0.3)),
                               1 - overlap / (overlap + 0.7 * missed + 0.3 * extra), rtol=1e-6)
    np.testing.assert_allclose(value(losses.tversky(mask, prediction)), value(losses.dice(mask, prediction)),
                               rtol=1e-6)


def test_focal_losses_reduce_to_crossentropy_when_gamma_is_zero():
    labels = np.array([[1.0, 0.0, 1.0]])
    probabilities = np.array([[0.8, 0.3, 0.4]])
    np.testing.assert_allclose(value(losses.binary_focal_crossentropy(labels, probabilities, gamma=0.0)),
                               value(losses.binary_crossentropy(labels, probabilities)), rtol=1e-6)
    one_hot = np.array([[0.0, 1.0, 0.0]])
    distribution = np.array([[0.2, 0.7, 0.1]])
    focal = losses.categorical_focal_crossentropy(one_hot, distribution, gamma=0.0, alpha=1.0)
    np.testing.assert_allclose(value(focal), -np.log([0.7]), rtol=1e-6)
    # An easy example (p = 0.7) weighs (1 - 0.7)**2 = 0.09 of its crossentropy.
    easy = losses.categorical_focal_crossentropy(one_hot, distribution, gamma=2.0, alpha=1.0)
    np.testing.assert_allclose(value(easy), 0.09 * -np.log([0.7]), rtol=1e-6)


def test_generalized_crossentropy_by_hand():
    probabilities = np.array([[0.2, 0.8], [0.6, 0.4]])
    np.testing.assert_allclose(value(losses.categorical_generalized_cross_entropy(np.array([1, 1]), probabilities,
                                                                                 q=0.5)),
                               (1 - np.sqrt([0.8, 0.4])) / 0.5)


LABELS = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
SCORES = np.array([[0.3, -1.2, 2.0], [1.5, 0.2, -0.7]])
POSITIVE = np.array([[0.3, 0.2, 0.9], [0.5, 0.7, 0.2]])
GRADIENT_CASES = {
    "msle": (losses.MeanSquaredLogarithmicError, Y_TRUE, Y_PRED),
    "mape": (losses.MeanAbsolutePercentageError, Y_TRUE + 0.5, Y_PRED),
    "log_cosh": (losses.LogCosh, Y_TRUE, Y_PRED),
    "poisson": (losses.Poisson, Y_TRUE, Y_PRED),
    "squared_hinge": (losses.SquaredHinge, LABELS, SCORES),
    "categorical_hinge": (losses.CategoricalHinge, LABELS * [[0, 0, 1], [0, 1, 0]], SCORES),
    "dice": (losses.Dice, LABELS, POSITIVE),
    "tversky": (losses.Tversky, LABELS, POSITIVE),
    "binary_focal": (lambda **kw: losses.BinaryFocalCrossentropy(from_logits=True, apply_class_balancing=True, **kw),
                     LABELS, SCORES),
    "categorical_focal": (lambda **kw: losses.CategoricalFocalCrossentropy(from_logits=True, **kw),
                          LABELS * [[0, 0, 1], [0, 1, 0]], SCORES),
    "generalized_ce": (losses.CategoricalGeneralizedCrossEntropy, np.array([2, 1]), POSITIVE),
}


@pytest.mark.parametrize("case", sorted(GRADIENT_CASES))
def test_gradients_match_finite_differences(case):
    make_loss, y_true, y_pred = GRADIENT_CASES[case]
    loss = make_loss(dtype="float64")
    check_vjp(lambda prediction: loss(y_true, prediction, sample_weight=np.array([0.5, 2.0])), y_pred)
