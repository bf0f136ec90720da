"""What ``fit``, ``evaluate`` and ``predict`` do differently under ``DataParallel``.

Place in the stack: the hooks of ``minikeras.distribution`` that the rest of
minikeras calls, each a no-op without a multi-process ``DataParallel``:

* ``loops.py`` calls ``begin`` before the first batch (same data, same model
  on every rank; rank 0's weights to all), ``shard_batches`` around its batch
  loop (each rank keeps its slice of every global batch),
  ``check_replicas_agree`` after each epoch, ``gather_batches`` after
  ``predict``, and ``is_chief`` to print and write files on rank 0 only;
* ``Trainer.train_step`` calls ``all_reduce_gradients`` between the backward
  pass and ``optimizer.apply``: the ONE place where ranks exchange gradients;
* ``Trainer.get_metrics_result`` reads the metrics inside
  ``global_metric_states``, so logs, ``History`` and callbacks see the
  metrics of the global batch, identical on every rank (``EarlyStopping``
  therefore stops every rank at the same epoch);
* ``BatchNormalization`` takes its batch statistics from
  ``sync_batchnorm.moments``; ``saving`` writes only on rank 0.

Why the result equals one process with the whole batch B: every rank
starts from the same weights; the slices of a batch partition it; the loss
is a mean over samples, so the gradient of the whole batch is the average of
the slices' gradients weighted by their sizes, ``sum_r (n_r / B) g_r``; and
every statistic that mixes samples (BatchNormalization, metrics) is summed
over ranks. Each rank then applies the same update to the same weights.
Read next: ``sync_batchnorm.py``.
"""

import contextlib
import zlib

import numpy as np

from minikeras.autodiff import Tensor
from minikeras.distribution.distribution_lib import active_data_parallel
from minikeras.utils import nest
from minikeras.utils.batch_tuples import batch_size_of

SEED_STATE_NAME = "seed_generator_state"  # what SeedGenerator names its state Variable


def is_chief():
    """True on rank 0, and in a single process: the one that prints and writes files."""
    data_parallel = active_data_parallel()
    return data_parallel is None or data_parallel.process_id == 0


# ----------------------------------------------------------------- before the first batch


def begin(model, iterator):
    """Checks that every rank has the same data and model, then gives them rank 0's state.

    Args:
        model: the model about to run (built: its variables must exist).
        iterator: the ``EpochIterator`` of the data.
    Raises:
        ValueError: on every rank alike, when the data sizes or the model
            definitions differ between ranks, or the model is not built.
    """
    data_parallel = active_data_parallel()
    if data_parallel is None:
        return
    world = data_parallel.communicator
    # 1. The same data on every rank (sizes known before the first batch).
    if data_parallel.auto_shard_dataset:
        _check_same_on_every_rank(world, "data (number of batches, batch size, last batch size)",
                                  _data_sizes(iterator), "Give every process the same data: DataParallel splits "
                                  "each batch itself (or shard it yourself and pass auto_shard_dataset=False).")
    else:
        _check_same_on_every_rank(world, "number of batches", iterator.num_batches,
                                  "With auto_shard_dataset=False every process must have as many batches.")
    # 2. The same model definition: variable paths, shapes and dtypes.
    if not getattr(model, "built", False):
        raise ValueError(
            "DataParallel copies rank 0's weights to every process before the first step, so the model "
            "must be built first: start it with `keras.Input(shape)` or call `model.build(input_shape)`."
        )
    _check_same_on_every_rank(world, "model definition (variable paths, shapes, dtypes)",
                              [(v.path, tuple(v.shape), str(v.dtype)) for v in model.variables],
                              "Build the same model on every process.")
    # 3. Rank 0's weights, and its optimizer state when there is one already.
    variables = list(model.variables)
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and getattr(optimizer, "built", False):
        variables += list(optimizer.variables)
    for variable in variables:
        variable.assign(world.broadcast_array(variable.data))
    # 4. Dropout and other random layers: a different stream on every rank,
    #    the same streams on every run with the same seed.
    for variable in model.variables:
        if variable.name == SEED_STATE_NAME and world.rank > 0:
            seed, counter = (int(value) for value in variable.data)
            rank_seed = np.random.SeedSequence([seed, world.rank]).generate_state(1)[0]
            variable.assign(np.array([rank_seed, counter], dtype=variable.data.dtype))
    # 5. NumPy's global generator, which shuffles the arrays: rank 0's, so
    #    every rank cuts the same global batches.
    np.random.set_state(world.broadcast_object(np.random.get_state()))


def _data_sizes(iterator):
    adapter = iterator.data_adapter
    return (iterator.num_batches, getattr(adapter, "batch_size", None), getattr(adapter, "partial_batch_size", None))


def _check_same_on_every_rank(world, what, value, advice):
    """Gathers ``value`` from every rank; the same ValueError on every rank if they differ."""
    values = world.allgather_object(value)
    for rank, other in enumerate(values):
        if other != values[0]:
            first, second = _first_difference(values[0], other)
            raise ValueError(
                f"DataParallel: rank {rank} has a different {what} from rank 0: "
                f"rank 0 has {first}, rank {rank} has {second}. {advice}"
            )


def _first_difference(first, second):
    if isinstance(first, list) and isinstance(second, list):
        for a, b in zip(first, second):
            if a != b:
                return a, b
        return f"{len(first)} entries", f"{len(second)} entries"
    return first, second


# ----------------------------------------------------------------- each batch


def shard_batches(enumerated_batches):
    """Yields ``(step, this rank's slice of the global batch)``, in step with the other ranks.

    With ``auto_shard_dataset=True`` every rank reads the same global batch
    of n samples and keeps the rows ``[r * n // p, (r + 1) * n // p)``:
    contiguous slices, sizes differing by at most one. Each step the ranks
    first agree (one small collective) that they all have a batch and that
    it is the same batch; a disagreement raises the same error everywhere
    instead of training on the wrong data or hanging in the next collective.

    Args:
        enumerated_batches: ``iterator.enumerate_epoch()``, ``(step, batch)`` pairs.
    """
    data_parallel = active_data_parallel()
    if data_parallel is None:
        yield from enumerated_batches
        return
    world = data_parallel.communicator
    rank, size = world.rank, world.size
    iterator = iter(enumerated_batches)
    try:
        while True:
            step, batch = next(iterator, (None, None))
            # 1. Agree: does every rank have a batch, of which size, with which contents?
            summary = None if batch is None else (batch_size_of(batch), _digest(batch))
            summaries = world.allgather_object(summary)
            if all(item is None for item in summaries):
                return
            _check_step_agreement(data_parallel, step, summaries)
            # 2. This rank's rows.
            if not data_parallel.auto_shard_dataset:
                yield step, batch
                continue
            n = summaries[0][0]
            start, stop = rank * n // size, (rank + 1) * n // size
            yield step, nest.map_structure(lambda leaf: leaf[start:stop], batch, none_is_leaf=False)
    finally:
        if hasattr(iterator, "close"):
            iterator.close()


def _digest(batch):
    """A checksum of a batch's bytes, to compare batches across ranks cheaply."""
    checksum = 0
    for leaf in nest.flatten(batch):
        if leaf is not None:
            checksum = zlib.crc32(np.ascontiguousarray(leaf).view(np.uint8), checksum)
    return checksum


def _check_step_agreement(data_parallel, step, summaries):
    """Raises (on every rank alike) if the ranks' batches of this step do not fit together."""
    size = data_parallel.num_processes
    missing = [rank for rank, item in enumerate(summaries) if item is None]
    if missing:
        raise ValueError(f"DataParallel: rank(s) {missing} ran out of data at step {step} while the others still "
                         "had batches. Every process must produce the same number of batches.")
    if not data_parallel.auto_shard_dataset:
        return
    different = [rank for rank, item in enumerate(summaries) if item != summaries[0]]
    if different:
        raise ValueError(
            f"DataParallel: at step {step}, rank(s) {different} read a different global batch from rank 0 "
            f"(sizes and checksums: {summaries}). With auto_shard_dataset=True every process must read the "
            "same batches in the same order (seed any shuffling, or use auto_shard_dataset=False for data "
            "that is already sharded per process)."
        )
    if summaries[0][0] < size:
        raise ValueError(
            f"DataParallel: the global batch of step {step} has {summaries[0][0]} sample(s), fewer than the "
            f"{size} processes, so some would get none. Use a batch_size (and a last batch) of at least {size}."
        )


def check_replicas_agree(model, epoch):
    """Raises (on every rank alike) if a rank's weights drifted from rank 0's during the epoch.

    They cannot with the default ``train_step``; a custom one that applies
    its gradients without ``all_reduce_gradients`` makes every rank train
    its own model, silently. A checksum per rank, once per epoch, catches it.
    """
    data_parallel = active_data_parallel()
    if data_parallel is None:
        return
    checksum = 0
    for variable in model.variables:
        if variable.name != SEED_STATE_NAME:  # differs per rank on purpose
            checksum = zlib.crc32(np.ascontiguousarray(variable.data).view(np.uint8), checksum)
    checksums = data_parallel.communicator.allgather_object(checksum)
    drifted = [rank for rank, other in enumerate(checksums) if other != checksums[0]]
    if drifted:
        raise ValueError(
            f"DataParallel: after epoch {epoch}, the weights of rank(s) {drifted} differ from rank 0's. A custom "
            "`train_step` must average its gradients over the processes before applying them: "
            "`grads = minikeras.distribution.data_parallel.all_reduce_gradients(grads, batch_size)`."
        )


# ----------------------------------------------------------------- gradients and metrics


def all_reduce_gradients(grads, local_batch_size):
    """The gradient of the global batch, identical on every rank: ``sum_r (n_r / n) grads_r``.

    One flat buffer per step: every gradient times the local batch size
    ``n_r``, then ``n_r`` itself in the last entry; one all-reduce sums
    them, and the last entry becomes ``n = sum_r n_r``.

    Args:
        grads: list of gradients (Tensors, arrays or None), this rank's.
        local_batch_size: n_r, the number of samples they were computed on.
    Returns:
        A list of Tensors (None kept) of the same shapes.
    """
    data_parallel = active_data_parallel()
    if data_parallel is None:
        return grads
    arrays = [None if grad is None else np.asarray(getattr(grad, "data", grad)) for grad in grads]
    present = [array for array in arrays if array is not None]
    dtype = np.result_type(*present) if present else np.float64
    # [g_1 (k_1,), ..., g_m (k_m,), n_r (1,)] -> one buffer (k_1 + ... + k_m + 1,)
    buffer = np.concatenate([array.reshape(-1).astype(dtype) * local_batch_size for array in present]
                            + [np.array([local_batch_size], dtype=dtype)])
    total = data_parallel.communicator.allreduce_sum(buffer)
    averaged = total[:-1] / total[-1]
    result, offset = [], 0
    for array in arrays:
        if array is None:
            result.append(None)
            continue
        result.append(Tensor(averaged[offset:offset + array.size].reshape(array.shape).astype(array.dtype)))
        offset += array.size
    return result


@contextlib.contextmanager
def global_metric_states(metrics):
    """Inside the block, every metric holds the state of the global batch (summed over ranks).

    Every metric state in minikeras is a sum (totals, counts, confusion
    matrices), so the global state is the sum of the ranks' states. The local
    states come back after the block, so that each rank keeps accumulating
    only its own samples.

    Args:
        metrics: the model's metrics (``model.metrics``).
    """
    data_parallel = active_data_parallel()
    if data_parallel is None:
        yield
        return
    variables = list({id(v): v for metric in metrics for v in metric.variables}.values())
    local = [np.array(variable.data) for variable in variables]
    if local:
        # All states in one float64 buffer (integer counts stay exact below 2**53).
        total = data_parallel.communicator.allreduce_sum(np.concatenate([a.reshape(-1).astype(np.float64) for a in local]))
        offset = 0
        for variable, array in zip(variables, local):
            variable.assign(total[offset:offset + array.size].reshape(array.shape).astype(array.dtype))
            offset += array.size
    try:
        yield
    finally:
        for variable, array in zip(variables, local):
            variable.assign(array)


def gather_batches(batches):
    """``predict``'s per-step outputs of every rank, in global order: step 0 of ranks 0..p-1, step 1...

    Args:
        batches: this rank's outputs, one structure of arrays per step.
    Returns:
        A list to concatenate along axis 0 (the same on every rank).
    """
    data_parallel = active_data_parallel()
    if data_parallel is None or not data_parallel.auto_shard_dataset:
        return batches
    per_rank = data_parallel.communicator.allgather_object(batches)
    return [rank_batches[step] for step in range(len(batches)) for rank_batches in per_rank]
