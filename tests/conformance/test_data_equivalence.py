"""Every data source gives the same training (issue 7, "done when").

One epoch, same initial weights, no shuffling: NumPy arrays, a torch
DataLoader, a tf.data pipeline, a PyDataset (threads, and processes), a
generator and a list of batches must all end with the same weights, to
1e-6. The adapters hand the model identical batches (float features in
float32, int64 labels), so the arithmetic is the same bit for bit.
torch and tensorflow are only data sources here, never oracles.
"""

import numpy as np
import pytest

import minikeras as keras
from minikeras.utils import PyDataset

pytestmark = pytest.mark.data

BATCH = 8
RNG = np.random.default_rng(7)
X = RNG.normal(size=(44, 5))                           # float64 on purpose: cast to float32 by every adapter
Y = (X[:, 0] + X[:, 1] > 0).astype("int64") + (X[:, 2] > 1)  # classes 0, 1, 2


class Batches(PyDataset):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def __len__(self):
        return int(np.ceil(len(X) / BATCH))

    def __getitem__(self, index):
        rows = slice(index * BATCH, (index + 1) * BATCH)
        return X[rows], Y[rows]


def _generator():
    for start in range(0, len(X), BATCH):
        yield X[start:start + BATCH], Y[start:start + BATCH]


def _train(initial_weights, x, y=None, **fit_kwargs):
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3)])
    model.set_weights(initial_weights)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, epochs=1, shuffle=False, verbose=0, **fit_kwargs)
    return model.get_weights()


def _reference_and_initial():
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3)])
    initial = model.get_weights()
    return initial, _train(initial, X, Y, batch_size=BATCH)


def _assert_same(weights, reference):
    assert len(weights) == len(reference)
    for got, want in zip(weights, reference):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


def test_numpy_training_moves_the_weights():
    initial, reference = _reference_and_initial()
    assert max(np.abs(a - b).max() for a, b in zip(initial, reference)) > 1e-3


@pytest.mark.parametrize("source", ["generator", "list of batches", "py_dataset threads", "py_dataset processes"])
def test_python_sources_match_numpy_arrays(source):
    initial, reference = _reference_and_initial()
    data = {
        "generator": lambda: _generator(),
        "list of batches": lambda: list(_generator()),
        "py_dataset threads": lambda: Batches(workers=3, max_queue_size=2),
        "py_dataset processes": lambda: Batches(workers=2, use_multiprocessing=True),
    }[source]()
    _assert_same(_train(initial, data), reference)


def test_torch_dataloader_matches_numpy_arrays():
    torch = pytest.importorskip("torch")
    initial, reference = _reference_and_initial()
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(Y))
    loader = torch.utils.data.DataLoader(dataset, batch_size=BATCH, shuffle=False)
    _assert_same(_train(initial, loader), reference)


def test_tf_data_matches_numpy_arrays():
    tf = pytest.importorskip("tensorflow")
    initial, reference = _reference_and_initial()
    dataset = tf.data.Dataset.from_tensor_slices((X, Y)).batch(BATCH).prefetch(tf.data.AUTOTUNE)
    _assert_same(_train(initial, dataset), reference)
