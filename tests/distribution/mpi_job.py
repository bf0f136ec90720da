"""The MPI side of ``test_data_parallel.py``: many checks in one ``mpiexec`` job.

Run by the tests as ``mpiexec -n P python tests/distribution/mpi_job.py OUT MODE``
(starting Python and importing minikeras costs more than every check here
together, so one job does them all). Every rank runs the same checks; rank 0
writes ``OUT/results.json``, which the pytest side asserts on.

MODE ``checks``: N ranks with global batch B against one process with batch
B (the reference, computed on every rank with the distribution switched
off), for a Dense model, a small convnet and a BatchNormalization model in
float64 and float32; identical weights on every rank; files written once;
the ring all-reduce against ``MPI_Allreduce``; mismatches detected.
MODE ``fail``: rank 1 raises during training; the job must end, naming it.
"""

import json
import os
import sys

import numpy as np

import minikeras as keras
from minikeras.distribution import communicator
from minikeras.distribution import ring_allreduce

STEPS, BATCH, SEED = 5, 10, 7


def build(kind):
    """The three models of the equality checks (tiny: the job must stay fast)."""
    keras.utils.set_random_seed(SEED)
    if kind == "dense":
        layers = [keras.Input((6,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(3)]
    elif kind == "convnet":
        layers = [keras.Input((6, 6, 2)), keras.layers.Conv2D(3, 3, activation="relu"), keras.layers.MaxPooling2D(),
                  keras.layers.Flatten(), keras.layers.Dense(3)]
    else:
        # No bias before BatchNormalization: its gradient is 0 up to rounding, which Adam would amplify.
        layers = [keras.Input((6,)), keras.layers.Dense(8, use_bias=False), keras.layers.BatchNormalization(momentum=0.5),
                  keras.layers.Activation("relu"), keras.layers.Dense(3)]
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    return model


def data(kind, samples):
    rng = np.random.default_rng(SEED)
    shape = (samples, 6, 6, 2) if kind == "convnet" else (samples, 6)
    return rng.normal(size=shape), rng.normal(size=(samples, 3))


def train(kind, distributed, callbacks=()):
    """5 steps of batch 10 (the last one 8: slices of unequal size); returns the model and History."""
    keras.distribution.set_distribution(distributed)
    model = build(kind)
    x, y = data(kind, STEPS * BATCH - 2)
    np.random.seed(SEED)  # the shuffle (rank 0's generator is used by every rank)
    history = model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=True, verbose=0, callbacks=list(callbacks))
    return model, history.history, x, y


def max_difference(first, second):
    return max(float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)))) for a, b in zip(first, second))


def equality_checks(world, distributed, out):
    results = {}
    for floatx in ("float64", "float32"):
        keras.backend.set_floatx(floatx)
        for kind in ("dense", "convnet", "batchnorm"):
            reference, reference_history, x, y = train(kind, None)
            model, history, _, _ = train(kind, distributed)
            weights = [v.numpy() for v in model.variables]
            everyone = world.allgather_object(weights)
            name = f"{kind}_{floatx}"
            results[name] = {
                "weights": max_difference(weights, [v.numpy() for v in reference.variables]),
                "loss": abs(history["loss"][0] - reference_history["loss"][0]),
                "mae": abs(history["mae"][0] - reference_history["mae"][0]),
                "ranks_identical": all(np.array_equal(a, b) for other in everyone for a, b in zip(weights, other)),
                "predict": max_difference([model.predict(x, batch_size=BATCH, verbose=0)],
                                          [reference.predict(x, batch_size=BATCH, verbose=0)]),
            }
            keras.distribution.set_distribution(distributed)
            evaluated = model.evaluate(x[:25], y[:25], batch_size=BATCH, verbose=0)
            keras.distribution.set_distribution(None)
            expected = reference.evaluate(x[:25], y[:25], batch_size=BATCH, verbose=0)
            results[name]["evaluate"] = max_difference([evaluated], [expected])
    keras.backend.set_floatx("float32")
    return results


def file_checks(world, distributed, out):
    """Each rank names its own files: only rank 0's may appear."""
    rank = world.rank
    callbacks = [keras.callbacks.ModelCheckpoint(os.path.join(out, f"checkpoint_rank{rank}.keras")),
                 keras.callbacks.CSVLogger(os.path.join(out, f"log_rank{rank}.csv"))]
    model, _, _, _ = train("dense", distributed, callbacks)
    model.save(os.path.join(out, f"saved_rank{rank}.keras"))
    model.save_weights(os.path.join(out, f"saved_rank{rank}.weights.h5"))
    world.barrier()
    return sorted(name for name in os.listdir(out) if "rank" in name)


def data_source_checks(world, distributed):
    """A PyDataset and a generator give the same weights as the arrays they hold."""
    keras.backend.set_floatx("float64")
    reference, _, x, y = train("dense", None)
    order = np.random.RandomState(SEED).permutation(len(x))  # the shuffle train() used
    batches = [(x[order[i:i + BATCH]], y[order[i:i + BATCH]]) for i in range(0, len(x), BATCH)]

    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return len(batches)

        def __getitem__(self, index):
            return batches[index]

    results = {}
    for name, source in (("py_dataset", Batches()), ("generator", (batch for batch in batches))):
        keras.distribution.set_distribution(distributed)
        model = build("dense")
        model.fit(source, epochs=1, shuffle=False, verbose=0)
        results[name] = max_difference([v.numpy() for v in model.variables], [v.numpy() for v in reference.variables])
    keras.backend.set_floatx("float32")
    return results


def mismatch_checks(world, distributed):
    """Different models, or different data, on one rank: the same clear error on every rank."""
    messages = {}
    keras.distribution.set_distribution(distributed)
    units = 4 if world.rank == 1 else 3
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(units)])
    model.compile("sgd", "mse")
    samples = 20 if world.rank == 1 else 30
    for name, (x, y) in (("model", (np.zeros((30, 6)), np.zeros((30, units)))),
                         ("data", (np.zeros((samples, 6)), np.zeros((samples, 3))))):
        if name == "data":
            model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(3)])
            model.compile("sgd", "mse")
        try:
            model.fit(x, y, batch_size=BATCH, verbose=0)
            messages[name] = None
        except ValueError as error:
            messages[name] = str(error)
    messages["drift"] = drift_check()
    return messages


class LocalSteps(keras.Sequential):
    """A custom train_step that forgets to average its gradients over the processes."""

    def train_step(self, data):
        x, y = data
        with keras.GradientTape() as tape:
            loss = self.compute_loss(x=x, y=y, y_pred=self(x, training=True))
        self.optimizer.apply(tape.gradient(loss, self.trainable_variables), self.trainable_variables)
        return {}


def drift_check():
    model = LocalSteps([keras.Input((6,)), keras.layers.Dense(3)])
    model.compile("sgd", "mse")
    x, y = data("dense", 20)
    try:
        model.fit(x, y, batch_size=BATCH, verbose=0)
    except ValueError as error:
        return str(error)
    return None


def dropout_seeds(world, distributed):
    """Dropout draws differ per rank: their seed states after ``begin`` differ."""
    keras.distribution.set_distribution(distributed)
    keras.utils.set_random_seed(SEED)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dropout(0.5), keras.layers.Dense(3)])
    model.compile("sgd", "mse")
    model.fit(np.ones((20, 6)), np.ones((20, 3)), batch_size=BATCH, verbose=0)
    states = [tuple(int(value) for value in v.numpy()) for v in model.variables if v.name == "seed_generator_state"]
    return world.allgather_object(states)


def ring_check(world):
    """The NumPy ring all-reduce gives MPI_Allreduce's sums (exactly, for integer-valued floats)."""
    rng = np.random.default_rng(world.rank)
    results = {}
    for size in (1, 7, 1000):
        values = rng.normal(size=size)
        integers = np.round(values * 1000)
        results[size] = {
            "float": float(np.max(np.abs(ring_allreduce.ring_allreduce(world.comm, values) - world.allreduce_sum(values)))),
            "exact": bool(np.array_equal(ring_allreduce.ring_allreduce(world.comm, integers), world.allreduce_sum(integers))),
        }
    return results


def fail(distributed):
    """Rank 1 raises during its third step; the others are waiting in a collective."""
    keras.distribution.set_distribution(distributed)
    world = communicator.world()

    class Boom(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if batch == 2 and world.rank == 1:
                raise RuntimeError("deliberate failure in a test")

    model = build("dense")
    x, y = data("dense", 40)
    model.fit(x, y, batch_size=BATCH, verbose=0, callbacks=[Boom()])


def main(out, mode):
    distributed = keras.distribution.DataParallel()
    world = distributed.communicator
    if mode == "fail":
        fail(distributed)
        return
    results = {
        "size": world.size,
        "equality": equality_checks(world, distributed, out),
        "files": file_checks(world, distributed, out),
        "data_sources": data_source_checks(world, distributed),
        "mismatch": mismatch_checks(world, distributed),
        "dropout_seeds": dropout_seeds(world, distributed),
        "ring": ring_check(world),
    }
    if world.rank == 0:
        with open(os.path.join(out, "results.json"), "w") as file:
            json.dump(results, file, indent=1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
