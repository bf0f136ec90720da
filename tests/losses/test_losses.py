"""Losses: hand-computed values, numerical stability, sample weights, reductions, gradients.

The oracle is plain NumPy: each expected value is written out from the formula
in the loss's docstring.
"""

import numpy as np
import pytest

from minikeras import GradientTape
from minikeras import Variable
from minikeras import losses
from tests.autodiff.gradcheck import check_vjp


def value(tensor):
    return np.asarray(tensor.numpy(), dtype=np.float64)


def np_log_softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


# ----- hand-computed values -----
def test_sparse_categorical_crossentropy_probabilities():
    y_true = np.array([1, 2])
    y_pred = np.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])
    per_sample = losses.sparse_categorical_crossentropy(y_true, y_pred)
    np.testing.assert_allclose(value(per_sample), [-np.log(0.95), -np.log(0.1)], rtol=1e-6)
    loss = losses.SparseCategoricalCrossentropy()(y_true, y_pred)
    np.testing.assert_allclose(value(loss), (-np.log(0.95) - np.log(0.1)) / 2, rtol=1e-6)


def test_sparse_categorical_crossentropy_from_logits_and_column_labels():
    logits = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]], dtype="float32")
    labels = np.array([[2], [0]])  # (N, 1) labels are accepted too
    expected = -np_log_softmax(logits.astype("float64"))[[0, 1], [2, 0]].mean()
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)(labels, logits)
    np.testing.assert_allclose(value(loss), expected, rtol=1e-6)


def test_sparse_categorical_crossentropy_ignore_class_averages_over_the_rest():
    logits = np.array([[1.0, 2.0], [3.0, 0.0], [0.0, 0.0]])
    labels = np.array([1, -1, 0])
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)(labels, logits)
    per_sample = -np_log_softmax(logits)[[0, 2], [1, 0]]
    np.testing.assert_allclose(value(loss), per_sample.mean(), rtol=1e-6)


def test_sparse_categorical_crossentropy_rejects_bad_labels_and_shapes():
    with pytest.raises(ValueError, match="labels must be integers in"):
        losses.sparse_categorical_crossentropy(np.array([3]), np.array([[0.2, 0.8]]))
    with pytest.raises(ValueError, match="same shape up until the last dimension"):
        losses.sparse_categorical_crossentropy(np.array([0, 1, 1]), np.array([[0.2, 0.8]]))


def test_categorical_crossentropy_renormalises_and_smooths_labels():
    y_true = np.array([[0.0, 1.0, 0.0]])
    y_pred = np.array([[1.0, 2.0, 1.0]])  # not normalised: divided by its sum 4
    np.testing.assert_allclose(value(losses.categorical_crossentropy(y_true, y_pred)), [-np.log(0.5)], rtol=1e-6)
    smoothed = y_true * 0.7 + 0.3 / 3
    expected = -(smoothed * np.log(y_pred / 4)).sum()
    loss = losses.CategoricalCrossentropy(label_smoothing=0.3)(y_true, y_pred)
    np.testing.assert_allclose(value(loss), expected, rtol=1e-6)


def test_binary_crossentropy_probabilities_logits_and_smoothing():
    y_true = np.array([[0.0, 1.0], [0.0, 0.0]])
    p = np.array([[0.6, 0.4], [0.4, 0.6]])
    bce = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)).mean(axis=-1)
    np.testing.assert_allclose(value(losses.binary_crossentropy(y_true, p)), bce, rtol=1e-6)
    z = np.log(p / (1 - p))  # the logits of p
    loss = losses.BinaryCrossentropy(from_logits=True)(y_true, z)
    np.testing.assert_allclose(value(loss), bce.mean(), rtol=1e-5)
    smooth = y_true * 0.8 + 0.1
    expected = -(smooth * np.log(p) + (1 - smooth) * np.log(1 - p)).mean()
    np.testing.assert_allclose(value(losses.BinaryCrossentropy(label_smoothing=0.2)(y_true, p)), expected, rtol=1e-6)


def test_regression_losses():
    y_true = np.array([[0.0, 1.0], [0.0, 0.0]])
    y_pred = np.array([[0.6, 0.4], [0.4, 2.6]])
    error = y_pred - y_true
    np.testing.assert_allclose(value(losses.MeanSquaredError()(y_true, y_pred)), (error ** 2).mean(), rtol=1e-6)
    np.testing.assert_allclose(value(losses.MeanAbsoluteError()(y_true, y_pred)), np.abs(error).mean(), rtol=1e-6)
    huber = np.where(np.abs(error) <= 1.0, 0.5 * error ** 2, np.abs(error) - 0.5)
    np.testing.assert_allclose(value(losses.Huber()(y_true, y_pred)), huber.mean(), rtol=1e-6)
    signs = 2 * y_true - 1  # 0/1 labels become -1/1
    hinge = np.maximum(1 - signs * y_pred, 0).mean()
    np.testing.assert_allclose(value(losses.Hinge()(y_true, y_pred)), hinge, rtol=1e-6)


def test_kl_divergence_and_cosine_similarity():
    y_true = np.array([[0.2, 0.8], [0.5, 0.5]])
    y_pred = np.array([[0.4, 0.6], [0.9, 0.1]])
    kl = (y_true * np.log(y_true / y_pred)).sum(axis=-1)
    np.testing.assert_allclose(value(losses.kl_divergence(y_true, y_pred)), kl, rtol=1e-6)
    cosine = -(y_true * y_pred).sum(-1) / np.linalg.norm(y_true, axis=-1) / np.linalg.norm(y_pred, axis=-1)
    np.testing.assert_allclose(value(losses.cosine_similarity(y_true, y_pred)), cosine, rtol=1e-5)
    # A zero vector has similarity 0, not NaN.
    np.testing.assert_allclose(value(losses.cosine_similarity([[0.0, 0.0]], [[1.0, 2.0]])), [0.0])


# ----- numerical stability -----
def test_crossentropies_stay_finite_for_huge_logits():
    logits = np.array([[1e4, -1e4, 0.0], [-3e38, 3e38, 0.0]], dtype="float32")
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")(np.array([1, 1]), logits)
    np.testing.assert_allclose(value(loss), [2e4, 0.0], rtol=1e-6)
    bce = losses.BinaryCrossentropy(from_logits=True, reduction="none")(
        np.array([[1.0, 0.0]]), np.array([[-1e4, 1e4]], dtype="float32"))
    np.testing.assert_allclose(value(bce), [1e4], rtol=1e-6)


def test_probabilities_of_exactly_zero_and_one_are_clipped():
    epsilon = 1e-7
    bce = losses.binary_crossentropy(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]))
    np.testing.assert_allclose(value(bce), [-np.log(epsilon)], rtol=1e-3)
    cce = losses.sparse_categorical_crossentropy(np.array([0]), np.array([[0.0, 1.0]]))
    assert np.isfinite(value(cce)).all() and value(cce)[0] == pytest.approx(-np.log(epsilon), rel=1e-3)
    # A perfect prediction gives (almost) zero loss, not NaN.
    assert value(losses.binary_crossentropy(np.array([[1.0]]), np.array([[1.0]])))[0] < 1e-6


# ----- sample weights and reductions -----
@pytest.mark.parametrize("reduction, expected", [
    ("sum_over_batch_size", (1 * 2 + 4 * 0 + 9 * 1) / 3),
    ("mean", (1 * 2 + 4 * 0 + 9 * 1) / 3),
    ("sum", 1 * 2 + 4 * 0 + 9 * 1),
    ("mean_with_sample_weight", (1 * 2 + 4 * 0 + 9 * 1) / 3),
])
def test_reductions_with_sample_weights(reduction, expected):
    y_true = np.zeros((3, 1))
    y_pred = np.array([[1.0], [2.0], [3.0]])  # squared errors 1, 4, 9
    weights = np.array([2.0, 0.0, 1.0])
    loss = losses.MeanSquaredError(reduction=reduction)(y_true, y_pred, sample_weight=weights)
    np.testing.assert_allclose(value(loss), expected, rtol=1e-6)


def test_mean_with_sample_weight_divides_by_the_weights():
    loss = losses.MeanSquaredError(reduction="mean_with_sample_weight")(
        np.zeros((2, 1)), np.array([[1.0], [2.0]]), sample_weight=np.array([1.0, 3.0]))
    np.testing.assert_allclose(value(loss), (1 + 12) / 4, rtol=1e-6)


@pytest.mark.parametrize("reduction", ["none", None])
def test_no_reduction_returns_per_sample_values(reduction):
    loss = losses.MeanSquaredError(reduction=reduction)(np.zeros((2, 2)), np.array([[1.0, 3.0], [2.0, 2.0]]),
                                                        sample_weight=np.array([1.0, 0.5]))
    np.testing.assert_allclose(value(loss), [5.0, 2.0])


def test_invalid_reduction_is_rejected_with_keras_message():
    with pytest.raises(ValueError, match="Invalid value for argument `reduction`"):
        losses.MeanSquaredError(reduction="average")


def test_config_round_trip_and_get():
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, name="scce")
    assert loss.get_config() == {"name": "scce", "reduction": "sum_over_batch_size", "from_logits": True,
                                 "ignore_class": None}
    assert losses.SparseCategoricalCrossentropy.from_config(loss.get_config()).from_logits is True
    assert losses.get("mse") is losses.mean_squared_error
    assert isinstance(losses.get("CategoricalCrossentropy"), losses.CategoricalCrossentropy)
    assert isinstance(losses.get(losses.serialize(loss)), losses.SparseCategoricalCrossentropy)
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        losses.get("nope")


def test_subclassing_contract():
    class Doubled(losses.Loss):
        def call(self, y_true, y_pred):
            return 2.0 * losses.mean_absolute_error(y_true, y_pred)

    loss = Doubled()
    assert loss.name == "doubled"
    np.testing.assert_allclose(value(loss(np.zeros((2, 1)), np.array([[1.0], [3.0]]))), 4.0)


# ----- gradients through the tape, against finite differences -----
Y_ONE_HOT = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
Y_SPARSE = np.array([1, 0])
Y_BINARY = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0]])
PROBABILITIES = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]])
LOGITS = np.array([[0.3, -1.2, 2.0], [1.5, 0.2, -0.7]])
GRADIENT_CASES = {
    "sparse_logits": (lambda: losses.SparseCategoricalCrossentropy(from_logits=True, dtype="float64"), Y_SPARSE, LOGITS),
    "sparse_probs": (lambda: losses.SparseCategoricalCrossentropy(dtype="float64"), Y_SPARSE, PROBABILITIES),
    "sparse_ignore_class": (lambda: losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1,
                                                                         dtype="float64"), np.array([2, -1]), LOGITS),
    "categorical_logits": (lambda: losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1,
                                                                  dtype="float64"), Y_ONE_HOT, LOGITS),
    "categorical_probs": (lambda: losses.CategoricalCrossentropy(dtype="float64"), Y_ONE_HOT, PROBABILITIES),
    "binary_logits": (lambda: losses.BinaryCrossentropy(from_logits=True, dtype="float64"), Y_BINARY, LOGITS),
    "binary_probs": (lambda: losses.BinaryCrossentropy(dtype="float64"), Y_BINARY, PROBABILITIES),
    "mse": (lambda: losses.MeanSquaredError(dtype="float64"), Y_BINARY, LOGITS),
    "mae": (lambda: losses.MeanAbsoluteError(dtype="float64"), Y_BINARY, LOGITS),
    "huber": (lambda: losses.Huber(dtype="float64"), Y_BINARY, LOGITS),
    "hinge": (lambda: losses.Hinge(dtype="float64"), Y_BINARY, LOGITS),
    "kl": (lambda: losses.KLDivergence(dtype="float64"), PROBABILITIES[::-1].copy(), PROBABILITIES),
    "cosine": (lambda: losses.CosineSimilarity(dtype="float64"), LOGITS[::-1].copy(), LOGITS),
}


@pytest.mark.parametrize("case", sorted(GRADIENT_CASES))
def test_loss_gradients_match_finite_differences(case):
    make_loss, y_true, y_pred = GRADIENT_CASES[case]
    loss = make_loss()
    weights = np.array([0.5, 2.0])
    check_vjp(lambda prediction: loss(y_true, prediction, sample_weight=weights), y_pred)


def test_binary_crossentropy_gradient_at_zero_logit_is_sigmoid_minus_label():
    logits = Variable(np.zeros((1, 1)), name="logits")
    with GradientTape() as tape:
        loss = losses.BinaryCrossentropy(from_logits=True, dtype="float64")(np.ones((1, 1)), logits)
    np.testing.assert_allclose(tape.gradient(loss, logits).numpy(), [[0.5 - 1.0]])


@pytest.mark.parametrize("identifier, y_true_shape, y_pred_shape, expected", [
    ("crossentropy", (4,), (4, 3), losses.sparse_categorical_crossentropy),
    ("ce", (4, 1), (4, 3), losses.sparse_categorical_crossentropy),
    ("crossentropy", (4, 3), (4, 3), losses.categorical_crossentropy),
    ("crossentropy", (4, 1), (4, 1), losses.binary_crossentropy),
    ("mse", (4, 1), (4, 1), losses.mean_squared_error),
])
def test_resolve_loss_picks_the_crossentropy_from_shapes(identifier, y_true_shape, y_pred_shape, expected):
    loss = losses.resolve_loss(identifier, np.zeros(y_true_shape), np.zeros(y_pred_shape))
    assert isinstance(loss, losses.LossFunctionWrapper)
    assert loss.fn is expected and loss.name == identifier


def test_resolve_loss_keeps_loss_objects_and_names_functions():
    loss = losses.Huber()
    assert losses.resolve_loss(loss, np.zeros((2, 1)), np.zeros((2, 1))) is loss
    assert losses.resolve_loss(None, np.zeros((2, 1)), np.zeros((2, 1))) is None

    def my_loss(y_true, y_pred):
        return losses.mean_absolute_error(y_true, y_pred)

    assert losses.resolve_loss(my_loss, np.zeros((2, 1)), np.zeros((2, 1))).name == "my_loss"


@pytest.mark.parametrize("ignore_class", [None, 2])
def test_nan_labels_of_a_sparse_loss_are_named_as_nan(ignore_class):
    # Before: NaN became int64's minimum and the error spoke of labels
    # "from -9223372036854775808".
    y_pred = np.full((3, 3), 1.0 / 3.0, "float32")
    with pytest.raises(ValueError, match=r"the labels contain NaN \(1 of 3 values\)"):
        losses.SparseCategoricalCrossentropy(ignore_class=ignore_class)(np.array([0.0, np.nan, 2.0]), y_pred)
