"""SwapEMAWeights: evaluation sees the optimizer's averaged weights, training keeps its own."""

import numpy as np
import pytest

import minikeras as keras


def trained_model(callbacks, epochs=2):
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).standard_normal((32, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-1.0], [2.0]], dtype="float32")).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(0.05, use_ema=True, ema_momentum=0.5))
    model.fit(x, y, batch_size=8, epochs=epochs, verbose=0, callbacks=callbacks)
    return model, x, y


def test_evaluate_uses_the_averages_and_restores_the_weights():
    swap = keras.callbacks.SwapEMAWeights()
    model, x, y = trained_model([swap])
    optimizer = model.optimizer
    weights = [w.numpy().copy() for w in model.trainable_weights]
    averages = [a.numpy().copy() for a in optimizer._average_variables]
    assert not all(np.allclose(w, a) for w, a in zip(weights, averages))
    model.set_weights(averages)
    expected = model.evaluate(x, y, verbose=0)
    model.set_weights(weights)
    swap.set_model(model)
    swap.on_test_begin()
    swapped_loss = model.evaluate(x, y, verbose=0)
    swap.on_test_end()
    np.testing.assert_allclose(swapped_loss, expected, rtol=1e-6)
    for w, before in zip(model.trainable_weights, weights):
        np.testing.assert_array_equal(w.numpy(), before)


def test_swap_on_epoch_ends_with_the_averages():
    model, _, _ = trained_model([keras.callbacks.SwapEMAWeights(swap_on_epoch=True)], epochs=2)
    for weight, average in zip(model.trainable_weights, model.optimizer._average_variables):
        np.testing.assert_array_equal(weight.numpy(), average.numpy())


def test_needs_an_optimizer_with_ema():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer="sgd")
    with pytest.raises(ValueError, match="use_ema=True"):
        model.fit(np.ones((4, 3)), np.ones((4, 1)), validation_data=(np.ones((2, 3)), np.ones((2, 1))),
                  epochs=1, verbose=0, callbacks=[keras.callbacks.SwapEMAWeights()])
