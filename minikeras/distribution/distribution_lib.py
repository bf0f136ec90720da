"""Keras's ``keras.distribution`` names, for data parallelism over MPI processes.

Place in the stack: the public half of ``minikeras.distribution``, above
``communicator.py``. Keras 3 describes a distribution with a ``DeviceMesh``
(devices in a grid with named axes) and a ``Distribution`` that says how
data and variables are laid out on it. minikeras implements the one layout
that needs no change to the layers: ``DataParallel``, where every device
holds the whole model and a slice of each batch. Here a *device* is one MPI
process (``"cpu:0"`` ... ``"cpu:{p-1}"``), so the mesh is 1-D with axis
``"batch"``.

Usage, the same script on every process (``mpiexec -n 4 python train.py``)::

    minikeras.distribution.set_distribution(minikeras.distribution.DataParallel())
    model.fit(x, y, batch_size=256)   # each process trains on 64 of every 256

What ``fit`` then does differently is in ``data_parallel.py``, the next file
to read. ``ModelParallel``, ``LayoutMap``, ``TensorLayout`` and
``distribute_tensor`` (a model's variables split across devices) are not
implemented: they raise an error that names ``DataParallel``.
"""

import math
import sys
import warnings
from traceback import format_exception

import numpy as np

from minikeras.distribution import communicator

DEFAULT_BATCH_DIM_NAME = "batch"
NOT_SUPPORTED = (
    "{name} is not supported in minikeras: every process holds the whole model. "
    "Use `minikeras.distribution.DataParallel()`, which splits each batch across processes."
)

_DISTRIBUTION = None  # what set_distribution() stored


def initialize(job_addresses=None, num_processes=None, process_id=None):
    """Joins the job of processes started by ``mpiexec`` (a no-op in a single process).

    Keras asks for the coordinator's address and the job's size; with MPI the
    launcher already knows both (``mpiexec -n 8 -f hostfile``), so the
    arguments may only confirm what the launcher says.

    Args:
        job_addresses: must be None (``mpiexec``'s hostfile places processes).
        num_processes: optional; checked against the job's size.
        process_id: optional; checked against this process's rank.
    Raises:
        ValueError: when an argument disagrees with the launcher.
    """
    if job_addresses is not None:
        raise ValueError(
            "minikeras processes are started and placed by `mpiexec` (list the machines in a hostfile: "
            f"`mpiexec -n 8 -f hostfile python train.py`), so `job_addresses` is not used. "
            f"Received: job_addresses={job_addresses!r}"
        )
    world = communicator.world()
    if num_processes is not None and num_processes != world.size:
        raise ValueError(f"initialize(num_processes={num_processes}) but mpiexec started {world.size} process(es).")
    if process_id is not None and process_id != world.rank:
        raise ValueError(f"initialize(process_id={process_id}) but this process is rank {world.rank}.")


def list_devices(device_type=None):
    """The devices of the whole job: one ``"cpu:{rank}"`` per MPI process.

    Args:
        device_type: None or ``"cpu"``. minikeras places one process per
            device, so GPUs and TPUs are not listed here.
    Returns:
        A list of strings, ``["cpu:0", "cpu:1", ...]``.
    """
    if device_type is not None and device_type.lower() != "cpu":
        raise ValueError(
            f"Unknown device_type {device_type!r} for minikeras.distribution: each MPI process is one "
            "'cpu' device (a process may still compute on a GPU through CuPy)."
        )
    return [f"cpu:{rank}" for rank in range(communicator.world().size)]


def get_device_count(device_type=None):
    """``len(list_devices(device_type))``: the number of processes in the job."""
    return len(list_devices(device_type))


class DeviceMesh:
    """Devices arranged in a grid with a name for each axis.

    Args:
        shape: e.g. ``(4,)`` for four processes.
        axis_names: one name per axis, e.g. ``["batch"]``.
        devices: defaults to ``list_devices()``; their number must be
            ``prod(shape)``.
    """

    def __init__(self, shape, axis_names, devices=None):
        if not shape or not axis_names:
            raise ValueError(f"Shape and axis_names cannot be empty. Received: shape={shape}, axis_names={axis_names}")
        if len(shape) != len(axis_names):
            raise ValueError(f"Shape and axis_names should have same size. Received: shape={shape}, axis_names={axis_names}")
        devices = np.array(list_devices() if devices is None else devices)
        if math.prod(shape) != devices.size:
            raise ValueError(f"Shape does not match the number of devices. Received: shape={shape}; devices.shape={devices.shape}")
        self._shape = shape
        self._axis_names = axis_names
        self._devices = np.reshape(devices, shape)

    @property
    def shape(self):
        return self._shape

    @property
    def axis_names(self):
        return self._axis_names

    @property
    def devices(self):
        return self._devices

    def __repr__(self):
        return f"<{self.__class__.__name__} shape={self.shape}, axis_names={self.axis_names}>"


class DataParallel:
    """Every process holds the whole model and trains on its slice of each batch.

    Give a ``device_mesh`` or a list of ``devices`` (not both), or neither
    to use every process of the job. The first axis of the mesh is the batch
    axis.

    Args:
        device_mesh: a 1-D ``DeviceMesh`` (a longer one: its first axis is used).
        devices: a list of devices (``list_devices()`` names).
        auto_shard_dataset: True splits each global batch across processes
            (every process reads the same data, in the same order). False
            means each process's data is already its own shard: its batches
            are used whole and their sizes are summed into the global batch.

    Raises:
        ValueError: if the mesh does not cover the whole job (minikeras has
            one model replica per process).
    """

    def __init__(self, device_mesh=None, devices=None, auto_shard_dataset=True):
        if device_mesh is not None and not isinstance(device_mesh, DeviceMesh):
            raise ValueError(f"Expect `mesh` to be an instance of `DeviceMesh`. Received: mesh={device_mesh} (of type {type(device_mesh)})")
        if device_mesh is None:
            devices = list_devices() if devices is None else list(devices)
            device_mesh = DeviceMesh(shape=(len(devices),), axis_names=[DEFAULT_BATCH_DIM_NAME], devices=devices)
        elif device_mesh.devices.ndim != 1:
            warnings.warn(f"Expect the input mesh to be 1D, but received mesh.devices.ndim={device_mesh.devices.ndim}. "
                          "The first axis will be used for data-parallel sharding.", stacklevel=2)
        self._device_mesh = device_mesh
        self._batch_dim_name = device_mesh.axis_names[0]
        self._auto_shard_dataset = auto_shard_dataset
        self.communicator = communicator.world()
        if device_mesh.devices.size != self.communicator.size:
            raise ValueError(
                f"minikeras runs one model replica per process: the mesh has {device_mesh.devices.size} "
                f"device(s) but the job has {self.communicator.size} process(es) "
                f"(start it with `mpiexec -n {device_mesh.devices.size} ...`)."
            )

    @property
    def device_mesh(self):
        return self._device_mesh

    @property
    def batch_dim_name(self):
        return self._batch_dim_name

    @property
    def auto_shard_dataset(self):
        return self._auto_shard_dataset

    @property
    def num_processes(self):
        """Total number of processes in the job."""
        return self.communicator.size

    @property
    def process_id(self):
        """This process's rank (0 is the one that prints and writes files)."""
        return self.communicator.rank

    @property
    def num_model_replicas(self):
        return self.communicator.size

    def __repr__(self):
        return f"<DataParallel device_mesh={self.device_mesh}>"


class ModelParallel:
    """Not supported: variables split across processes. Raises; use ``DataParallel``."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError(NOT_SUPPORTED.format(name="ModelParallel"))


class LayoutMap:
    """Not supported (it only serves ``ModelParallel``). Raises; use ``DataParallel``."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError(NOT_SUPPORTED.format(name="LayoutMap"))


class TensorLayout:
    """Not supported (a tensor sharded over a mesh). Raises; use ``DataParallel``."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError(NOT_SUPPORTED.format(name="TensorLayout"))


def distribute_tensor(tensor, layout):
    """Not supported (a tensor sharded over a mesh). Raises; use ``DataParallel``."""
    raise NotImplementedError(NOT_SUPPORTED.format(name="distribute_tensor"))


def set_distribution(value):
    """Makes ``value`` (a ``DataParallel``, or None) the distribution ``fit`` uses.

    With more than one process, it also makes an uncaught error on any rank
    stop the whole job (``communicator.abort``) instead of leaving the other
    ranks waiting forever in their next collective.
    """
    global _DISTRIBUTION
    if value is not None and not isinstance(value, DataParallel):
        raise ValueError(f"Expected a `DataParallel` instance or None. Received: {value!r}")
    _DISTRIBUTION = value
    if value is not None and value.num_processes > 1:
        sys.excepthook = _abort_job_on_uncaught_error


def distribution():
    """The distribution set by ``set_distribution`` (None if none was set)."""
    return _DISTRIBUTION


def active_data_parallel():
    """The current ``DataParallel`` if it spans several processes, else None.

    This is the one question the trainer, the layers and the saving code
    ask: None means "one process: do exactly what you would do anyway".
    """
    if _DISTRIBUTION is None or _DISTRIBUTION.num_processes <= 1:
        return None
    return _DISTRIBUTION


def _abort_job_on_uncaught_error(error_type, error, traceback):
    """``sys.excepthook`` under multi-process DataParallel: print, then stop every rank."""
    world = communicator.world()
    # One write, the summary first: MPI_Abort ends the job at once, and a
    # launcher may drop what a rank wrote just before it.
    world.abort(
        f"minikeras.distribution: rank {world.rank} of {world.size} failed with "
        f"{error_type.__name__}: {error}. Stopping all {world.size} ranks (MPI_Abort).\n"
        + "".join(format_exception(error_type, error, traceback))
    )
