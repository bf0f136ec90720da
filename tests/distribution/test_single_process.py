"""``minikeras.distribution`` in one process: Keras's names, clear refusals, hooks that change nothing."""

import sys

import numpy as np
import pytest

import minikeras as keras
from minikeras.distribution import communicator
from minikeras.distribution import data_parallel
from minikeras.distribution import ring_allreduce


@pytest.fixture(autouse=True)
def _no_distribution_left_behind():
    yield
    keras.distribution.set_distribution(None)


def test_one_process_is_one_device_and_a_one_device_mesh():
    assert keras.distribution.list_devices() == ["cpu:0"]
    assert keras.distribution.get_device_count() == 1
    parallel = keras.distribution.DataParallel()
    assert repr(parallel) == "<DataParallel device_mesh=<DeviceMesh shape=(1,), axis_names=['batch']>>"
    assert (parallel.batch_dim_name, parallel.num_processes, parallel.process_id) == ("batch", 1, 0)
    keras.distribution.set_distribution(parallel)
    assert keras.distribution.distribution() is parallel


def test_bad_meshes_and_unsupported_layouts_are_refused_clearly():
    with pytest.raises(ValueError, match="Shape and axis_names should have same size"):
        keras.distribution.DeviceMesh((1,), ["batch", "model"])
    with pytest.raises(ValueError, match="one model replica per process: the mesh has 2 device"):
        keras.distribution.DataParallel(devices=["cpu:0", "cpu:1"])
    for unsupported in (keras.distribution.ModelParallel, keras.distribution.LayoutMap):
        with pytest.raises(NotImplementedError, match="not supported in minikeras.*Use `minikeras.distribution.DataParallel"):
            unsupported()
    with pytest.raises(ValueError, match="mpiexec"):
        keras.distribution.initialize(job_addresses="10.0.0.1:1234")
    with pytest.raises(ValueError, match="started 1 process"):
        keras.distribution.initialize(num_processes=4)


def test_hooks_change_nothing_in_one_process():
    keras.distribution.set_distribution(keras.distribution.DataParallel())
    grads = [np.ones(3), None]
    assert data_parallel.all_reduce_gradients(grads, 5) is grads
    pairs = [(0, ("x",)), (1, ("y",))]
    assert list(data_parallel.shard_batches(iter(pairs))) == pairs
    assert data_parallel.is_chief()
    model = keras.Sequential([keras.Input((2,)), keras.layers.BatchNormalization()])
    model.compile("sgd", "mse")
    history = model.fit(np.arange(8.0).reshape(4, 2), np.zeros((4, 2)), batch_size=2, verbose=0)
    assert len(history.history["loss"]) == 1


def test_several_processes_without_mpi4py_say_what_to_install(monkeypatch):
    monkeypatch.setenv("PMI_SIZE", "2")
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # makes `import mpi4py` fail
    monkeypatch.setattr(communicator, "_WORLD", None)
    with pytest.raises(ImportError, match=r"one of 2 started by an MPI launcher.*minikeras\[distributed\]"):
        keras.distribution.DataParallel()


def test_ring_cost_model_is_two_p_minus_one_over_p_times_n():
    # p = 4, 1 MB, alpha = 1 us, beta = 1 ns/byte: 6 messages, 6/4 MB on the wire.
    seconds = ring_allreduce.ring_allreduce_seconds(1e6, 4, alpha=1e-6, beta=1e-9)
    assert seconds == pytest.approx(6e-6 + 1.5e-3)
    assert ring_allreduce.ring_allreduce_seconds(1e6, 1, alpha=1e-6, beta=1e-9) == 0.0
