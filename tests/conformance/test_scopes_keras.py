"""Keras 3's top-level scopes and remat (issue 18), side by side with Keras (backend jax): the same paths,
the same values in a StatelessScope, the same symbolic-stage marker, the same errors."""

import numpy as np
import pytest

import minikeras

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.engine


def _paths(library):
    with library.name_scope("outer"):
        variable = library.Variable(np.ones(2, "float32"), name="w")
        dense = library.layers.Dense(2, name="d")
        dense.build((None, 3))
        with library.name_scope("inner"):
            inner = library.Variable(np.ones(1, "float32"), name="v")
    late = library.layers.Dense(2, name="late")
    with library.name_scope("block"):
        late.build((None, 3))
    return [variable.path, dense.kernel.path, inner.path, late.bias.path]


def test_name_scope_paths_match_keras():
    assert _paths(minikeras) == _paths(keras)


def _stateless(library):
    layer = library.layers.Dense(2, name="dense")
    layer.build((None, 3))
    before = library.ops.convert_to_numpy(layer.kernel)
    x = np.arange(3, dtype="float32").reshape(1, 3)
    with library.StatelessScope([(layer.kernel, np.full((3, 2), 0.5, "float32"))]) as scope:
        first = library.ops.convert_to_numpy(layer(x))
        layer.bias.assign(np.array([1.0, -2.0], "float32"))
        second = library.ops.convert_to_numpy(layer(x))
    unchanged = np.array_equal(library.ops.convert_to_numpy(layer.kernel), before)
    return first, second, np.asarray(scope.get_current_value(layer.bias)), unchanged


def test_stateless_scope_matches_keras():
    for mine, reference in zip(_stateless(minikeras), _stateless(keras)):
        np.testing.assert_allclose(mine, reference, rtol=1e-6)


def _symbolic_flags(library, in_symbolic_scope):
    seen = []

    class Probe(library.layers.Layer):
        def call(self, inputs):
            seen.append(in_symbolic_scope())
            return inputs

    probe = Probe(name="probe")
    probe(library.Input((2,)))
    symbolic = all(seen) and bool(seen)
    seen.clear()
    probe(np.ones((1, 2), "float32"))
    return symbolic, seen


def test_symbolic_scope_marks_the_functional_stage_as_in_keras():
    from keras.src.backend.common.symbolic_scope import in_symbolic_scope

    from minikeras.backend import scopes
    assert _symbolic_flags(minikeras, scopes.in_symbolic_scope) == _symbolic_flags(keras, in_symbolic_scope)


@pytest.mark.parametrize("name, error", [("cpu:3", ValueError), ("cpu", None), ("CPU:0", None)])
def test_device_names_as_keras(name, error):
    for library in (keras, minikeras):
        if error is None:
            with library.device(name):
                library.ops.ones(1)
        else:
            with pytest.raises(error, match="Device not found"):
                with library.device(name):
                    pass


def test_remat_scope_modes_and_remat_gradient_as_keras():
    for library in (keras, minikeras):
        with pytest.raises(ValueError, match="Invalid mode 'everything'"):
            library.RematScope(mode="everything")
    x = np.linspace(-1, 1, 6).reshape(2, 3).astype("float32")

    def block(library):
        return lambda t: library.ops.sum(library.ops.tanh(t * 2.0) ** 2)
    import jax
    theirs = np.asarray(jax.grad(keras.remat(block(keras)))(x))
    t = minikeras.ops.convert_to_tensor(x)
    with minikeras.GradientTape() as tape:
        tape.watch(t)
        value = minikeras.remat(block(minikeras))(t)
    np.testing.assert_allclose(tape.gradient(value, t).numpy(), theirs, rtol=1e-5)


def _function_results(library):
    a, b = library.KerasTensor((None, 3)), library.KerasTensor((None, 3))
    fn = library.Function([a, b], library.ops.sigmoid(a * 2.0 - b), name="fn")
    values = fn([np.array([[1.0, -1.0, 0.5]], "float32"), np.ones((1, 3), "float32")])
    names = sorted(getattr(op, "class_name", type(op).__name__) for op in fn.operations)

    class Double(library.Operation):
        def call(self, x):
            return x * 2.0

        def compute_output_spec(self, x):
            return library.KerasTensor(x.shape, dtype=x.dtype)
    doubled = Double()(np.array([1.0, 3.0], "float32"))
    spec = Double()(library.KerasTensor((None, 4)))
    errors = []
    for bad in (lambda: library.Function([a], a + b), lambda: fn(np.ones((1, 3), "float32"))):
        with pytest.raises(ValueError) as caught:
            bad()
        errors.append(str(caught.value).split(":")[0].split(".")[0][:40])
    return (library.ops.convert_to_numpy(values), names, library.ops.convert_to_numpy(doubled), spec.shape,
            fn.compute_output_shape([(5, 3), (5, 3)]))


def test_function_and_operation_as_keras():
    mine, theirs = _function_results(minikeras), _function_results(keras)
    np.testing.assert_allclose(mine[0], theirs[0], rtol=1e-6)
    np.testing.assert_allclose(mine[2], theirs[2])
    assert mine[1] == theirs[1] and mine[3:] == theirs[3:]
