"""fit / evaluate / predict give Keras 3's numbers and keys from the same weights and data."""

import numpy as np
import pytest

pytestmark = pytest.mark.training


def _data():
    rng = np.random.default_rng(0)
    x = rng.random((50, 6)).astype("float32")
    y = rng.integers(0, 3, 50)
    weights = rng.random(50).astype("float32")
    return x, y, weights


def _build(library, first_weights=None):
    model = library.Sequential([
        library.Input(shape=(6,)),
        library.layers.Dense(5, activation="relu"),
        library.layers.Dense(3, activation="softmax"),
    ])
    if first_weights is not None:
        model.set_weights(first_weights)
    model.compile(optimizer=library.optimizers.SGD(learning_rate=0.1, momentum=0.9),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  weighted_metrics=["sparse_categorical_crossentropy"])
    return model


def test_fit_evaluate_predict_match_keras():
    keras = pytest.importorskip("keras")
    import minikeras

    x, y, weights = _data()
    theirs = _build(keras)
    ours = _build(minikeras, theirs.get_weights())
    arguments = dict(batch_size=16, epochs=3, shuffle=False, verbose=0, sample_weight=weights,
                     validation_split=0.2)
    their_history = theirs.fit(x, y, **arguments).history
    our_history = ours.fit(x, y, **arguments).history
    assert list(our_history) == list(their_history)
    for key in their_history:
        np.testing.assert_allclose(our_history[key], their_history[key], rtol=2e-5, atol=1e-6, err_msg=key)
    np.testing.assert_allclose(ours.evaluate(x, y, verbose=0), theirs.evaluate(x, y, verbose=0), rtol=2e-5)
    assert ours.evaluate(x, y, verbose=0, return_dict=True).keys() == theirs.evaluate(
        x, y, verbose=0, return_dict=True).keys()
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=2e-5, atol=1e-6)


def test_multi_output_keys_and_order_match_keras():
    keras = pytest.importorskip("keras")
    import minikeras

    x, y, _ = _data()
    y_reg = x[:, :1] * 2.0

    def build(library):
        inputs = library.Input(shape=(6,))
        hidden = library.layers.Dense(4)(inputs)
        outputs = [library.layers.Dense(1, name="reg")(hidden),
                   library.layers.Dense(3, activation="softmax", name="cls")(hidden)]
        model = library.Model(inputs, outputs)
        return model

    theirs = build(keras)
    ours = build(minikeras)
    ours.set_weights(theirs.get_weights())
    for model in (theirs, ours):
        model.compile(optimizer="sgd", loss=["mse", "sparse_categorical_crossentropy"], loss_weights=[1.0, 0.5],
                      metrics=[["mae"], ["accuracy"]])
    their_history = theirs.fit(x, [y_reg, y], epochs=1, shuffle=False, verbose=0).history
    our_history = ours.fit(x, [y_reg, y], epochs=1, shuffle=False, verbose=0).history
    assert list(our_history) == list(their_history)
    for key in their_history:
        np.testing.assert_allclose(our_history[key], their_history[key], rtol=2e-5, atol=1e-6, err_msg=key)
    np.testing.assert_allclose(ours.evaluate(x, [y_reg, y], verbose=0), theirs.evaluate(x, [y_reg, y], verbose=0),
                               rtol=2e-5)
