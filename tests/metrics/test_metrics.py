"""Metrics: hand-computed values, sample weights, state and reset, name resolution."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from minikeras import GradientTape
from minikeras import Variable
from minikeras import metrics


def result(metric):
    return np.asarray(metric.result().numpy(), dtype=np.float64)


# ----- Mean, Sum and the wrapper -----
def test_mean_accumulates_over_batches_with_weights():
    mean = metrics.Mean()
    mean.update_state([1.0, 3.0])
    mean.update_state([5.0, 7.0], sample_weight=[1.0, 0.0])
    # (1 + 3 + 5*1 + 7*0) / (1 + 1 + 1 + 0)
    assert float(mean.result()) == pytest.approx(3.0)
    assert [v.name for v in mean.variables] == ["total", "count"]
    mean.reset_state()
    assert float(mean.result()) == 0.0  # divide_no_nan: an empty mean is 0


def test_mean_of_a_scalar_and_of_rank_2_values():
    mean = metrics.Mean()
    mean.update_state(4.0)
    mean.update_state(np.array([[1.0, 3.0], [5.0, 7.0]]))  # per-sample means 2 and 6
    assert float(mean.result()) == pytest.approx((4 + 2 + 6) / 3)


def test_sum():
    total = metrics.Sum()
    total(np.array([1.0, 2.0]))
    total(np.array([3.0]), sample_weight=np.array([2.0]))
    assert float(total.result()) == pytest.approx(9.0)


def test_metric_updates_are_not_recorded_on_an_open_tape():
    weight = Variable(np.array([1.0, 2.0]))
    mean = metrics.MeanSquaredError()
    with GradientTape() as tape:
        prediction = weight * 2.0
        mean.update_state(np.zeros(2), prediction)
    assert len(tape.nodes) == 1  # only the multiplication
    assert float(mean.result()) == pytest.approx((4 + 16) / 2)


# ----- accuracies -----
def test_sparse_categorical_accuracy():
    metric = metrics.SparseCategoricalAccuracy()
    metric.update_state(np.array([[2], [1]]), np.array([[0.1, 0.6, 0.3], [0.05, 0.95, 0.0]]))
    assert float(metric.result()) == pytest.approx(0.5)
    metric.update_state(np.array([0, 0]), np.array([[0.9, 0.1, 0.0], [0.8, 0.1, 0.1]]), sample_weight=[3.0, 1.0])
    assert float(metric.result()) == pytest.approx((0 + 1 + 3 + 1) / (1 + 1 + 3 + 1))


def test_categorical_binary_and_exact_accuracy():
    categorical = metrics.CategoricalAccuracy()
    categorical.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    assert float(categorical.result()) == pytest.approx(0.5)
    binary = metrics.BinaryAccuracy(threshold=0.7)
    binary.update_state([[1], [1], [0], [0]], [[0.98], [0.5], [0.1], [0.8]])
    assert float(binary.result()) == pytest.approx(0.5)
    exact = metrics.Accuracy()
    exact.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
    assert float(exact.result()) == pytest.approx(0.75)


def test_top_k_accuracies():
    y_pred = np.array([[0.1, 0.9, 0.8], [0.05, 0.95, 0.0]])
    top_k = metrics.TopKCategoricalAccuracy(k=1)
    top_k.update_state([[0, 0, 1], [0, 1, 0]], y_pred)
    assert float(top_k.result()) == pytest.approx(0.5)
    sparse = metrics.SparseTopKCategoricalAccuracy(k=2)
    sparse.update_state([2, 2], y_pred)  # ranks 2 (hit) and 3 (miss)
    assert float(sparse.result()) == pytest.approx(0.5)


# ----- confusion-matrix metrics -----
def test_precision_and_recall():
    y_true = np.array([0, 1, 1, 1])
    y_pred = np.array([1, 0, 1, 1])
    precision, recall = metrics.Precision(), metrics.Recall()
    precision.update_state(y_true, y_pred)
    recall.update_state(y_true, y_pred)
    assert float(precision.result()) == pytest.approx(2 / 3)
    assert float(recall.result()) == pytest.approx(2 / 3)
    weighted = metrics.Precision()
    weighted.update_state(y_true, y_pred, sample_weight=[1, 0, 0, 1])
    assert float(weighted.result()) == pytest.approx(0.5)
    several = metrics.Precision(thresholds=[0.5, 0.95])
    several.update_state([1, 0, 1], [0.6, 0.7, 0.99])
    np.testing.assert_allclose(result(several), [2 / 3, 1.0])


def test_auc_roc_and_pr():
    y_true = np.array([0, 0, 1, 1])
    y_pred = np.array([0.0, 0.5, 0.3, 0.9])
    roc = metrics.AUC(num_thresholds=3)
    roc.update_state(y_true, y_pred)
    # Thresholds ~(0, 0.5, 1): (FPR, TPR) points (1, 1), (0, 0.5), (0, 0); trapezoids.
    assert float(roc.result()) == pytest.approx(0.75)
    # The 200-threshold ROC AUC of a perfect ranking is 1.
    perfect = metrics.AUC()
    perfect.update_state(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.7, 0.9]))
    assert float(perfect.result()) == pytest.approx(1.0)
    pr = metrics.AUC(curve="PR", summation_method="majoring", num_thresholds=3)
    pr.update_state(y_true, y_pred)
    # (recall, precision) points (1, 0.5), (0.5, 1), (0, 0): heights max(...) -> 0.5 * 1 + 0.5 * 1.
    assert float(pr.result()) == pytest.approx(1.0)


# ----- regression metrics -----
def test_regression_metrics():
    y_true = np.array([[0.0, 1.0], [0.0, 0.0]])
    y_pred = np.array([[1.0, 1.0], [1.0, 3.0]])
    mse, mae, rmse = metrics.MeanSquaredError(), metrics.MeanAbsoluteError(), metrics.RootMeanSquaredError()
    for metric in (mse, mae, rmse):
        metric.update_state(y_true, y_pred)
    assert float(mse.result()) == pytest.approx((0.5 + 5.0) / 2)
    assert float(mae.result()) == pytest.approx((0.5 + 2.0) / 2)
    assert float(rmse.result()) == pytest.approx(np.sqrt((1 + 0 + 1 + 9) / 4))


# ----- names, get, resolve_metric, subclassing -----
@pytest.mark.parametrize("y_true_shape, y_pred_shape, expected", [
    ((4,), (4, 10), metrics.SparseCategoricalAccuracy),
    ((4, 1), (4, 10), metrics.SparseCategoricalAccuracy),
    ((4, 10), (4, 10), metrics.CategoricalAccuracy),
    ((4, 1), (4, 1), metrics.BinaryAccuracy),
])
def test_accuracy_resolves_from_shapes_and_keeps_the_given_name(y_true_shape, y_pred_shape, expected):
    for identifier in ("accuracy", "acc"):
        metric = metrics.resolve_metric(identifier, np.zeros(y_true_shape), np.zeros(y_pred_shape), loss=None)
        assert type(metric) is expected
        assert metric.name == identifier


def test_resolve_metric_wraps_functions_and_renames_strings():
    mae = metrics.resolve_metric("mae", np.zeros((2, 1)), np.zeros((2, 1)))
    assert isinstance(mae, metrics.MeanAbsoluteError) and mae.name == "mae"

    def my_metric(y_true, y_pred):
        return np.abs(y_true - y_pred)

    wrapped = metrics.resolve_metric(my_metric, np.zeros((2, 1)), np.zeros((2, 1)))
    assert isinstance(wrapped, metrics.MeanMetricWrapper) and wrapped.name == "my_metric"
    with pytest.raises(ValueError, match="Could not interpret metric identifier"):
        metrics.get("nope")


def test_subclassing_contract():
    class BinaryTruePositives(metrics.Metric):
        def __init__(self, name="binary_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_variable(shape=(), initializer="zeros", name="true_positives")

        def update_state(self, y_true, y_pred, sample_weight=None):
            hits = (np.asarray(y_true) == 1) & (np.asarray(y_pred) == 1)
            self.true_positives.assign(self.true_positives.data + hits.sum())

        def result(self):
            return self.true_positives.value

    metric = BinaryTruePositives()
    assert float(metric([1, 1, 0], [1, 0, 0])) == 1.0
    assert metric.get_config() == {"name": "binary_true_positives", "dtype": "float32"}
    metric.reset_state()
    assert float(metric.result()) == 0.0


def test_forgetting_super_init_is_reported():
    class Broken(metrics.Metric):
        def __init__(self):
            self.value = 1

    with pytest.raises(RuntimeError, match=r"forgot to call `super\(\).__init__\(\)`"):
        Broken().add_variable((), "zeros")


def test_a_loss_name_as_a_metric_averages_the_loss():
    metric = metrics.resolve_metric("binary_crossentropy", np.zeros((2, 1)), np.zeros((2, 1)))
    assert metric.name == "binary_crossentropy"
    metric.update_state(np.array([[1.0], [0.0]]), np.array([[0.5], [0.5]]))
    assert float(metric.result()) == pytest.approx(np.log(2), rel=1e-6)


def test_precision_top_k_and_class_id():
    y_true = np.array([[0, 0, 1, 1], [1, 0, 0, 0]])
    y_pred = np.array([[0.9, 0.1, 0.8, 0.3], [0.2, 0.7, 0.1, 0.6]])
    top_2 = metrics.Precision(top_k=2)
    top_2.update_state(y_true, y_pred)
    # Row 1 keeps 0.9 (wrong) and 0.8 (right); row 2 keeps 0.7 and 0.6 (both wrong).
    assert float(top_2.result()) == pytest.approx(1 / 4)
    column = metrics.Recall(class_id=0)
    column.update_state(y_true, y_pred)
    assert float(column.result()) == pytest.approx(0.0)  # the one positive of class 0 scored 0.2


@settings(max_examples=15)
@given(st.lists(st.tuples(st.floats(-100, 100), st.integers(0, 20).map(lambda w: w / 4)), min_size=1, max_size=12), st.integers(1, 4))
def test_mean_over_any_batching_is_the_weighted_average(pairs, batch_size):
    values = np.array([value for value, _ in pairs], dtype="float64")
    weights = np.array([weight for _, weight in pairs], dtype="float64")
    mean = metrics.Mean(dtype="float64")
    for start in range(0, len(values), batch_size):
        mean.update_state(values[start:start + batch_size], sample_weight=weights[start:start + batch_size])
    expected = (values * weights).sum() / weights.sum() if weights.sum() else 0.0
    assert float(mean.result()) == pytest.approx(expected, rel=1e-9, abs=1e-9)
