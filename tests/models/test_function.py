"""``minikeras.Function`` (a graph of ops over KerasTensors, replayed) and ``minikeras.Operation``
subclassed as in Keras, on tiny hand-checked values."""

import numpy as np
import pytest

import minikeras
from minikeras import ops


def test_function_replays_ops_over_any_keras_tensors():
    a, b = minikeras.KerasTensor((None, 3)), minikeras.KerasTensor((None, 3))
    fn = minikeras.Function([a, b], {"sum": a + b, "scaled": ops.relu(a * 2.0 - b)}, name="fn")
    out = fn([np.array([[1.0, -1.0, 2.0]], "float32"), np.array([[1.0, 1.0, 1.0]], "float32")])
    np.testing.assert_allclose(out["sum"].numpy(), [[2.0, 0.0, 3.0]])
    np.testing.assert_allclose(out["scaled"].numpy(), [[1.0, 0.0, 3.0]])
    assert [operation.class_name for operation in fn.operations] == ["Multiply", "Subtract", "Relu", "Add"]
    assert fn.inputs == [a, b] and fn.name == "fn"
    assert fn.compute_output_shape([(4, 3), (4, 3)]) == {"scaled": (4, 3), "sum": (4, 3)}
    symbolic = fn([minikeras.KerasTensor((2, 3)), minikeras.KerasTensor((2, 3))])
    assert symbolic["sum"].shape == (2, 3)


def test_function_over_layers_and_inputs():
    inputs = minikeras.Input((3,))
    dense = minikeras.layers.Dense(2, kernel_initializer="ones", name="dense")
    fn = minikeras.Function(inputs, dense(inputs))
    np.testing.assert_allclose(fn(np.ones((1, 3), "float32")).numpy(), [[3.0, 3.0]])
    assert [type(operation).__name__ for operation in fn.operations] == ["InputLayer", "Dense"]


def test_function_errors_name_the_problem():
    a, b = minikeras.KerasTensor((None, 3)), minikeras.KerasTensor((None, 3))
    total = a + b
    with pytest.raises(ValueError, match="Graph disconnected"):
        minikeras.Function([a], total)
    with pytest.raises(ValueError, match="cannot be empty"):
        minikeras.Function([], total)
    fn = minikeras.Function([a, b], total)
    with pytest.raises(ValueError, match="invalid input structure"):
        fn(np.ones((1, 3)))
    with pytest.raises(ValueError, match=r"expected shape \(None, 3\), but received instead a tensor with shape"):
        fn([np.ones((1, 4)), np.ones((1, 4))])


class Double(minikeras.Operation):
    """A new op, written as one subclasses keras.Operation."""

    def call(self, x):
        return x * 2.0

    def compute_output_spec(self, x):
        return minikeras.KerasTensor(x.shape, dtype=x.dtype)


def test_operation_subclass_runs_eagerly_and_symbolically():
    double = Double()
    assert double.name.startswith("double")
    np.testing.assert_allclose(double(np.array([1.0, 2.0], "float32")).numpy(), [2.0, 4.0])
    inputs = minikeras.Input((2,))
    model = minikeras.Model(inputs, double(inputs))
    np.testing.assert_allclose(model.predict(np.ones((1, 2), "float32"), verbose=0), [[2.0, 2.0]])
    assert model.layers == [model.layers[0]]  # op nodes are not layers, as in Keras
    with pytest.raises(NotImplementedError, match="must define `call`"):
        minikeras.Operation()(np.ones(2))
