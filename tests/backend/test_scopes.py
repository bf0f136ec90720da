"""Keras's top-level scopes in minikeras: ``name_scope``, ``device``, ``StatelessScope``, ``SymbolicScope``."""

import numpy as np
import pytest

import minikeras
from minikeras.backend import scopes


def test_name_scope_prefixes_variable_and_weight_paths():
    with minikeras.name_scope("outer"):
        variable = minikeras.Variable(np.ones(2), name="w")
        dense = minikeras.layers.Dense(2, name="d")
        dense.build((None, 3))
        with minikeras.name_scope("inner"):
            inner = minikeras.Variable(1.0, name="v")
    late = minikeras.layers.Dense(2, name="late")
    with minikeras.name_scope("block"):
        late.build((None, 3))  # the path is decided when the weight is made
    assert (variable.path, dense.kernel.path, inner.path, late.bias.path) == (
        "outer/w", "outer/d/kernel", "outer/inner/v", "block/late/bias")
    assert minikeras.Variable(1.0, name="free").path == "free" and scopes.current_path() == ""
    with pytest.raises(ValueError, match="cannot contain character `/`"):
        minikeras.name_scope("a/b")


def test_name_scope_deduplicates_the_same_caller_and_overrides_the_parent():
    owner = object()
    with minikeras.name_scope("x", caller=owner), minikeras.name_scope("x", caller=owner):
        assert scopes.current_path() == "x"
    with minikeras.name_scope("a"), minikeras.name_scope("b", override_parent="root/c"):
        assert scopes.current_path() == "root/c/b"


def test_device_cpu_places_arrays_with_numpy_and_validates_names():
    with minikeras.device("CPU:0"):
        assert isinstance(minikeras.ops.ones(2).data, np.ndarray)
        assert scopes.current_device().name == "cpu:0"
    assert scopes.current_device() is None
    with pytest.raises(ValueError, match="Device not found: cpu:3"):
        minikeras.device("cpu:3")
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        minikeras.device("tpu")


def test_device_gpu_without_a_gpu_is_a_clear_runtime_error():
    try:
        import cupy
        has_gpu = cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # no CuPy, or CuPy without a driver
        has_gpu = False
    if has_gpu:
        pytest.skip("a GPU is present")
    with pytest.raises(RuntimeError, match="gpu:0"):
        with minikeras.device("gpu:0"):
            pass


def _dense():
    layer = minikeras.layers.Dense(2, name="dense")
    layer.build((None, 3))
    return layer


def test_stateless_scope_reads_given_values_collects_assignments_and_restores():
    layer = _dense()
    kernel, bias = layer.kernel.numpy().copy(), layer.bias.numpy().copy()
    ones = np.ones((3, 2), "float32")
    with minikeras.StatelessScope([(layer.kernel, ones)]) as scope:
        np.testing.assert_allclose(layer(np.ones((1, 3), "float32")).numpy(), [[3.0, 3.0]])
        layer.bias.assign([1.0, -1.0])
        np.testing.assert_allclose(layer(np.ones((1, 3), "float32")).numpy(), [[4.0, 2.0]])
    np.testing.assert_array_equal(layer.kernel.numpy(), kernel)
    np.testing.assert_array_equal(layer.bias.numpy(), bias)
    np.testing.assert_array_equal(scope.get_current_value(layer.bias), [1.0, -1.0])
    np.testing.assert_array_equal(scope.get_current_value(layer.kernel), ones)
    assert ones.sum() == 6  # the caller's array was never written
    assert scope.get_current_value(minikeras.Variable(1.0)) is None


def test_stateless_scope_keeps_training_state_out_of_the_layers():
    """BatchNormalization's moving statistics and Dropout's seed move inside, not outside."""
    model = minikeras.Sequential([minikeras.Input((3,)), minikeras.layers.BatchNormalization(name="bn"),
                                  minikeras.layers.Dropout(0.5, seed=2, name="drop")])
    before = [v.numpy().copy() for v in model.variables]
    with minikeras.StatelessScope() as scope:
        model(np.arange(6, dtype="float32").reshape(2, 3), training=True)
    assert all(np.array_equal(v.numpy(), b) for v, b in zip(model.variables, before))
    moved = scope.get_current_value(model.get_layer("bn").moving_mean)
    assert moved is not None and not np.array_equal(moved, before[2])


def test_stateless_scope_collects_or_drops_losses():
    class WithLoss(minikeras.layers.Layer):
        def call(self, inputs):
            self.add_loss(minikeras.ops.sum(inputs))
            return inputs
    layer = WithLoss()
    with minikeras.StatelessScope(collect_losses=True) as scope:
        layer(np.ones((1, 2), "float32"))
    assert [float(loss.numpy()) for loss in scope.losses] == [2.0] and layer.losses == []
    with minikeras.StatelessScope() as scope:
        layer(np.ones((1, 2), "float32"))
    assert scope.losses == [] and layer.losses == []


def test_stateless_scope_rejects_bad_mappings():
    layer = _dense()
    with pytest.raises(ValueError, match="must be Variable instances"):
        minikeras.StatelessScope([(np.zeros(2), np.zeros(2))])
    with pytest.raises(ValueError, match="dense/kernel"):
        minikeras.StatelessScope([(layer.kernel, np.zeros((2, 2)))])


def test_symbolic_scope_marks_the_shape_inference_of_the_functional_api():
    seen = []

    class Probe(minikeras.layers.Layer):
        def call(self, inputs):
            seen.append(scopes.in_symbolic_scope())
            return inputs * 2.0

    probe = Probe()
    outputs = probe(minikeras.Input((2,)))
    assert seen and all(seen) and outputs.shape == (None, 2)
    seen.clear()
    probe(np.ones((1, 2), "float32"))
    assert seen == [False]
    with minikeras.SymbolicScope() as scope:
        assert scopes.get_symbolic_scope() is scope
    assert not scopes.in_symbolic_scope()
