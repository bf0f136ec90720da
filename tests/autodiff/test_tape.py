"""GradientTape semantics: what is recorded, when, and what ``gradient()`` returns."""

import gc
import weakref

import numpy
import pytest

import minikeras
from minikeras import ops
from minikeras.autodiff.tensor import Tensor
from tests.autodiff.gradcheck import check_vjp

pytestmark = pytest.mark.engine


def variable(values):
    return minikeras.Variable(numpy.asarray(values, dtype="float64"))


def test_hand_computed_example():
    # loss = sum(w * x) + w**2 at w = 3, x = [1, 2]: d loss / d w = x + 2 w = [7, 8]
    w = variable([3.0, 3.0])
    with minikeras.GradientTape() as tape:
        loss = ops.sum(w * numpy.array([1.0, 2.0]) + w ** 2)
    numpy.testing.assert_allclose(tape.gradient(loss, w).numpy(), [7.0, 8.0])


def test_fan_out_adds_both_paths():
    # y = x * x + x uses x three times: dy/dx = 2x + 1
    x = variable([0.5, -1.0])
    with minikeras.GradientTape() as tape:
        y = ops.sum(x * x + x)
    numpy.testing.assert_allclose(tape.gradient(y, x).numpy(), [2.0, -1.0])
    check_vjp(lambda a: ops.tanh(a) * ops.exp(a) + a, numpy.array([0.3, -0.7]))


def test_broadcast_gradient_is_summed_back():
    bias = variable([1.0, 2.0, 3.0])
    batch = numpy.ones((4, 3))
    with minikeras.GradientTape() as tape:
        y = ops.sum(batch + bias)
    numpy.testing.assert_allclose(tape.gradient(y, bias).numpy(), [4.0, 4.0, 4.0])


def test_non_scalar_target_is_summed():
    x = variable([1.0, 2.0])
    with minikeras.GradientTape() as tape:
        y = 3.0 * x
    numpy.testing.assert_allclose(tape.gradient(y, x).numpy(), [3.0, 3.0])


def test_second_call_raises_unless_persistent():
    x = variable([1.0])
    with minikeras.GradientTape() as tape:
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="persistent"):
        tape.gradient(y, x)
    with minikeras.GradientTape(persistent=True) as tape:
        y = x * x
        z = x * 4.0
    numpy.testing.assert_allclose(tape.gradient(y, x).numpy(), [2.0])
    numpy.testing.assert_allclose(tape.gradient(z, x).numpy(), [4.0])


def test_unconnected_sources_give_none_or_zeros():
    x, unused = variable([1.0]), variable([5.0, 6.0])
    with minikeras.GradientTape(persistent=True) as tape:
        y = x * 2.0
    assert tape.gradient(y, [x, unused])[1] is None
    numpy.testing.assert_array_equal(tape.gradient(y, unused, unconnected_gradients="zero").numpy(), [0.0, 0.0])


def test_sources_as_dict_and_list_keep_their_structure():
    a, b = variable([1.0]), variable([2.0])
    with minikeras.GradientTape(persistent=True) as tape:
        y = a * b
    grads = tape.gradient(y, {"a": a, "b": b})
    assert set(grads) == {"a", "b"}
    numpy.testing.assert_allclose(grads["a"].numpy(), [2.0])
    assert isinstance(tape.gradient(y, [a, b]), list)


def test_plain_tensors_need_watch():
    x = ops.convert_to_tensor(numpy.array([2.0]))
    with minikeras.GradientTape(persistent=True) as tape:
        y = x * x
    assert tape.gradient(y, x) is None
    with minikeras.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    numpy.testing.assert_allclose(tape.gradient(y, x).numpy(), [4.0])


def test_non_trainable_variables_are_not_watched():
    frozen = minikeras.Variable(numpy.array([1.0]), trainable=False)
    with minikeras.GradientTape() as tape:
        y = frozen * 3.0
    assert tape.gradient(y, frozen) is None


def test_stop_gradient_blocks_one_path():
    # y = x * stop_gradient(x): only the first factor carries gradient: dy/dx = x
    x = variable([3.0])
    with minikeras.GradientTape() as tape:
        y = x * ops.stop_gradient(x)
    numpy.testing.assert_allclose(tape.gradient(y, x).numpy(), [3.0])


def test_nothing_is_recorded_outside_a_tape():
    x = variable([1.0])
    tape = minikeras.GradientTape()
    y = x * 2.0  # before the tape opens
    with tape:
        pass
    assert tape.nodes == []
    assert tape.gradient(y, x) is None


def test_integer_and_boolean_results_carry_no_gradient():
    x = variable([1.0, 3.0, 2.0])
    with minikeras.GradientTape() as tape:
        index = ops.argmax(x)
        mask = x > 1.5
    assert index.dtype == "int32" and mask.dtype == "bool"
    assert tape.nodes == []


def test_indexing_and_slicing_have_gradients():
    check_vjp(lambda x: x[1:, ::2] * 2.0, numpy.arange(12.0).reshape(3, 4))
    check_vjp(lambda x: x[numpy.array([0, 0, 2])], numpy.array([1.0, 2.0, 3.0]))


def test_python_operators_are_recorded():
    check_vjp(lambda a, b: (a + b) * a - b / (a ** 2) + (-a) @ ops.transpose(b), numpy.ones((2, 2)) + 0.5,
              numpy.full((2, 2), 0.7))


def test_graph_is_freed_after_gradient():
    """1,000 training steps: the recorded Op objects must all die (no growth)."""
    w = minikeras.Variable(numpy.ones((3, 2)))
    x = numpy.ones((4, 3))
    alive_counts = []
    op_refs = []
    for step in range(1000):
        with minikeras.GradientTape() as tape:
            loss = ops.mean(ops.square(ops.relu(x @ w) - 1.0))
        op_refs.extend(weakref.ref(op) for op, _, _ in tape.nodes)
        grad = tape.gradient(loss, w)
        w.assign_sub(0.01 * grad.numpy())
        if step in (9, 999):
            gc.collect()
            alive_counts.append(sum(ref() is not None for ref in op_refs))
    assert alive_counts[1] <= alive_counts[0], f"live ops grew: {alive_counts}"
    assert alive_counts[1] == 0


def test_gradient_of_unwatched_input_is_not_computed():
    # x (data) is not watched: the tape marks it so matmul skips dy @ w.T.
    w = variable(numpy.ones((3, 2)))
    x = Tensor(numpy.ones((4, 3)))
    with minikeras.GradientTape() as tape:
        y = ops.matmul(x, w)
        loss = ops.sum(y)
    op = tape.nodes[0][0]
    assert op.input_needs_gradient == (False, True)
    assert op.backward(numpy.ones((4, 2)))[0] is None
    numpy.testing.assert_allclose(tape.gradient(loss, w).numpy(), numpy.full((3, 2), 4.0))


def test_outer_tape_watching_an_input_still_gets_its_gradient():
    # The inner tape does not watch x, the outer one does: the op computes dx.
    x = Tensor(numpy.array([[1.0, 2.0]]))
    w = variable([[3.0], [4.0]])
    with minikeras.GradientTape() as outer:
        outer.watch(x)
        with minikeras.GradientTape() as inner:
            loss = ops.sum(ops.matmul(x, w))
    numpy.testing.assert_allclose(outer.gradient(loss, x).numpy(), [[3.0, 4.0]])
    numpy.testing.assert_allclose(inner.gradient(loss, w).numpy(), [[1.0], [2.0]])
