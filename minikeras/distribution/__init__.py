"""``minikeras.distribution``: the same ``model.fit`` on several processes, with MPI.

Place in the stack: above ``minikeras.autodiff`` and ``minikeras.ops`` (its
one op, ``AllReduceSum``, is built like theirs), below the layers, the
trainer and saving, which call its hooks. Nothing here changes what a single
process computes: every hook returns at once when no multi-process
``DataParallel`` is set.

Read in this order:

1. ``communicator.py``   -- the processes of the job and their collectives
   (``mpi4py`` over ``MPI.COMM_WORLD``);
2. ``ring_allreduce.py`` -- what an all-reduce does and what it costs,
   written out in NumPy with point-to-point messages;
3. ``distribution_lib.py`` -- Keras's names: ``DataParallel``,
   ``DeviceMesh``, ``set_distribution``, ``list_devices``, ``initialize``;
4. ``data_parallel.py``  -- what fit/evaluate/predict do under DataParallel;
5. ``sync_batchnorm.py`` -- BatchNormalization statistics of the global batch.

Run ``mpiexec -n 2 python train.py`` with, in ``train.py``::

    import minikeras
    minikeras.distribution.set_distribution(minikeras.distribution.DataParallel())
    model.fit(x, y, batch_size=64)   # 32 samples of each batch per process
"""

from minikeras.distribution.distribution_lib import DataParallel
from minikeras.distribution.distribution_lib import DeviceMesh
from minikeras.distribution.distribution_lib import LayoutMap
from minikeras.distribution.distribution_lib import ModelParallel
from minikeras.distribution.distribution_lib import TensorLayout
from minikeras.distribution.distribution_lib import distribute_tensor
from minikeras.distribution.distribution_lib import distribution
from minikeras.distribution.distribution_lib import get_device_count
from minikeras.distribution.distribution_lib import initialize
from minikeras.distribution.distribution_lib import list_devices
from minikeras.distribution.distribution_lib import set_distribution

__all__ = [
    "DataParallel", "DeviceMesh", "LayoutMap", "ModelParallel", "TensorLayout", "distribute_tensor",
    "distribution", "get_device_count", "initialize", "list_devices", "set_distribution",
]
