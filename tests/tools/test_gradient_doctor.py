"""``check_gradients`` finds the planted bugs of chapter 2, and passes the real ops.

Each planted bug is a copy of a real op with one classic mistake in its
backward: a missing ``unbroadcast`` (a bias gets the batch's gradient), a
missing transpose (``dy @ b`` for ``dy @ b.T``), and ``=`` where ``+=``
belongs (a gather whose repeated index keeps only one of its gradients).
"""

import matplotlib
import numpy as np
import pytest

import minikeras as keras
from minikeras import ops
from minikeras.autodiff.combine import Take
from minikeras.autodiff.elementwise import Add
from minikeras.autodiff.matmul import MatMul
from minikeras.tools import check_gradients

matplotlib.use("Agg")
RNG = np.random.default_rng(0)
X, W, B = RNG.normal(size=(4, 3)), RNG.normal(size=(3, 3)), RNG.normal(size=(3,))


class AddWithoutUnbroadcast(Add):
    def backward(self, dy):
        return dy, dy


class MatMulWithoutTranspose(MatMul):
    def backward(self, dy):
        return dy @ self.b, self.a.T @ dy


class TakeWithAssignment(Take):
    def backward(self, dy):
        dx = np.zeros(self.x_shape)
        dx[self.indices] = dy  # a repeated index keeps its last gradient only
        return dx


def test_real_ops_agree_with_finite_differences():
    report = check_gradients(lambda x, w, b: ops.sum(ops.tanh(x @ w + b) * ops.take(x, [0, 0, 2, 1], axis=0)),
                             [X, W, B])
    assert report.ok, str(report)
    assert [check.op_name for check in report.checks][:3] == ["MatMul", "MatMul", "Add"]
    assert "all gradients agree" in str(report)


def test_a_missing_unbroadcast_is_named_with_its_op_and_input():
    report = check_gradients(lambda x, w, b: ops.sum(ops.tanh(AddWithoutUnbroadcast()(x @ w, b))), [X, W, B])
    first = report.first_failure
    assert (first.index, first.op_name, first.input_index) == (1, "AddWithoutUnbroadcast", 1)
    assert "shape (4, 3) for an input of shape (3,)" in first.problem
    assert len(report.failures) == 1  # the ops before it are checked on their own and pass


def test_a_missing_transpose_is_found_at_its_worst_element():
    import matplotlib.pyplot as plt

    report = check_gradients(lambda x, w: ops.sum(ops.tanh(MatMulWithoutTranspose()(x, w))), [X, W])
    first = report.first_failure
    assert (first.index, first.op_name, first.input_index) == (0, "MatMulWithoutTranspose", 0)
    difference = first.difference()
    assert np.unravel_index(np.nanargmax(difference), difference.shape) == first.worst_index
    assert f"element {first.worst_index}" in first.problem
    assert report.checks[1].ok  # db = a.T @ dy is right
    figure = first.plot()
    assert figure.axes[0].get_title() == "op #0 MatMulWithoutTranspose, input 0 (4, 3)"
    plt.close(figure)


def test_assignment_instead_of_accumulation_is_found_at_the_repeated_index():
    report = check_gradients(lambda x: ops.sum(ops.square(TakeWithAssignment([1, 1, 3], 0)(x))),
                             [RNG.normal(size=(5,))])
    first = report.first_failure
    assert (first.op_name, first.input_index, first.worst_index) == ("TakeWithAssignment", 0, (1,))
    assert report.checks[1].ok


def test_variables_read_by_fn_are_checked_in_float64_and_sampling_is_bounded():
    kernel = keras.Variable(RNG.normal(size=(30, 4)).astype("float32"), name="kernel")
    report = check_gradients(lambda x: ops.sum(ops.sigmoid(x @ kernel)), [RNG.normal(size=(2, 30))], max_elements=10)
    assert report.ok, str(report)
    assert np.count_nonzero(~np.isnan(report.checks[1].numeric)) == 10
    with pytest.raises(ValueError, match="recorded no op"):
        check_gradients(lambda x: np.sum(np.asarray(x)), [1.0])
