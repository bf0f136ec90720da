"""``config.set_max_epochs`` / ``set_max_steps_per_epoch``: caps for a quick run of a long script."""

import numpy as np
import pytest

import minikeras
from minikeras import layers


@pytest.fixture
def limits():
    yield
    minikeras.config.set_max_epochs(None)
    minikeras.config.set_max_steps_per_epoch(None)


def _model():
    model = minikeras.Sequential([layers.Input((2,)), layers.Dense(1, name="limited_dense")])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_fit_honours_both_caps(limits):
    minikeras.config.set_max_epochs(2)
    minikeras.config.set_max_steps_per_epoch(3)
    assert (minikeras.config.max_epochs(), minikeras.config.max_steps_per_epoch()) == (2, 3)
    x, y = np.ones((40, 2), "float32"), np.zeros((40, 1), "float32")
    counted = []
    counter = minikeras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: counted.append(batch))
    with pytest.warns(UserWarning, match="Limiting epochs to 2"):
        history = _model().fit(x, y, batch_size=4, epochs=5, verbose=0, callbacks=[counter])
    assert len(history.history["loss"]) == 2
    assert counted == [0, 1, 2, 0, 1, 2]


def test_no_cap_by_default():
    assert minikeras.config.max_epochs() is None and minikeras.config.max_steps_per_epoch() is None
