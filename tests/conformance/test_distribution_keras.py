"""``minikeras.distribution`` against ``keras.distribution`` (issue 21), in one process.

Skips when Keras is not installed. The functions and classes minikeras
implements take Keras's arguments, and a one-process ``DataParallel`` reads
the same as Keras's on one CPU device. ``ModelParallel`` and ``LayoutMap``
exist in both; minikeras refuses them (``DataParallel`` only).
"""

import inspect
import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")

import minikeras  # noqa: E402

pytestmark = pytest.mark.training

SAME_SIGNATURE = ("list_devices", "get_device_count", "DeviceMesh", "DataParallel", "set_distribution",
                  "distribution", "initialize")


@pytest.mark.parametrize("name", SAME_SIGNATURE)
def test_signatures_are_keras(name):
    ours = inspect.signature(getattr(minikeras.distribution, name))
    theirs = inspect.signature(getattr(keras.distribution, name))
    assert ours == theirs


def test_every_keras_name_exists():
    public = {name for name in dir(keras.distribution) if not name.startswith("_")}
    assert public <= set(dir(minikeras.distribution))


def test_one_process_data_parallel_reads_as_keras_on_one_cpu():
    ours, theirs = minikeras.distribution.DataParallel(), keras.distribution.DataParallel()
    assert (repr(ours), ours.batch_dim_name, ours.auto_shard_dataset, ours.num_model_replicas) == \
        (repr(theirs), theirs.batch_dim_name, theirs.auto_shard_dataset, theirs.num_model_replicas)
    assert minikeras.distribution.list_devices() == keras.distribution.list_devices("cpu")


@pytest.mark.parametrize("shape, axis_names", [((1,), ["batch", "model"]), ((), ["batch"]), ((2,), ["batch"])])
def test_bad_meshes_get_keras_messages(shape, axis_names):
    with pytest.raises(ValueError) as theirs:
        keras.distribution.DeviceMesh(shape, axis_names, devices=["cpu:0"])
    with pytest.raises(ValueError) as ours:
        minikeras.distribution.DeviceMesh(shape, axis_names, devices=["cpu:0"])
    assert str(ours.value) == str(theirs.value)
