"""Issue 18's smaller names against Keras 3.15.1: backend.result_type on a grid of dtypes, the Circle
loss, OrthogonalRegularizer, the top-level aliases, and the configs of all of them."""

import itertools

import numpy as np
import pytest

keras = pytest.importorskip("keras")
pytest.importorskip("jax")

import minikeras  # noqa: E402

pytestmark = pytest.mark.engine
RNG = np.random.default_rng(11)

DTYPES = ["bool", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64", "float16",
          "float32", "float64", "bfloat16", "complex64", int, float, bool, None, np.float32]


def _answer(function, *args):
    try:
        return function(*args)
    except ValueError:
        return "ValueError"


def test_result_type_matches_keras_on_every_pair():
    for pair in itertools.product(DTYPES, DTYPES):
        assert _answer(minikeras.backend.result_type, *pair) == _answer(keras.backend.result_type, *pair), pair
    for three in [(int, float, "int8"), ("uint8", "int8", float), ("float16", "bfloat16", int)]:
        assert minikeras.backend.result_type(*three) == keras.backend.result_type(*three)


@pytest.mark.parametrize("kwargs", [{}, {"gamma": 10.0, "margin": 0.25}, {"remove_diagonal": False}])
def test_circle_matches_keras(kwargs):
    embeddings = RNG.standard_normal((8, 5)).astype("float32")
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    labels = np.array([0, 1, 0, 2, 1, 3, 0, 2])  # class 3 has no positive pair: masked out
    ours, theirs = minikeras.losses.Circle(**kwargs), keras.losses.Circle(**kwargs)
    np.testing.assert_allclose(float(ours(labels, embeddings)), float(theirs(labels, embeddings)), rtol=1e-5)
    np.testing.assert_allclose(minikeras.losses.circle(labels, embeddings, **kwargs).numpy(),
                               np.asarray(keras.losses.circle(labels, embeddings, **kwargs)), rtol=1e-5, atol=1e-5)
    assert ours.get_config() == theirs.get_config()
    assert minikeras.losses.deserialize(keras.losses.serialize(theirs)).get_config() == theirs.get_config()


@pytest.mark.parametrize("mode", ["rows", "columns"])
def test_orthogonal_regularizer_matches_keras(mode):
    weight = RNG.standard_normal((4, 3)).astype("float32")
    weight[1] = 0.0  # a zero row stays zero after normalisation
    ours, theirs = minikeras.regularizers.OrthogonalRegularizer(0.3, mode), keras.regularizers.OrthogonalRegularizer(
        0.3, mode)
    np.testing.assert_allclose(float(ours(weight)), float(theirs(keras.ops.convert_to_tensor(weight))), rtol=1e-5)
    assert minikeras.regularizers.serialize(ours) == keras.regularizers.serialize(theirs)
    again = minikeras.regularizers.get(keras.regularizers.serialize(theirs))
    assert isinstance(again, minikeras.regularizers.OrthogonalRegularizer) and again.mode == mode


def test_top_level_aliases_are_the_namespace_classes():
    pairs = {"Initializer": minikeras.initializers.Initializer, "InputSpec": minikeras.layers.InputSpec,
             "Loss": minikeras.losses.Loss, "Metric": minikeras.metrics.Metric,
             "Optimizer": minikeras.optimizers.Optimizer, "Regularizer": minikeras.regularizers.Regularizer,
             "DTypePolicy": minikeras.dtype_policies.DTypePolicy}
    for name, cls in pairs.items():
        assert getattr(minikeras, name) is cls and hasattr(keras, name)
    assert minikeras.version() == minikeras.__version__ and isinstance(keras.version(), str)


def test_debug_limits_default_like_keras():
    assert minikeras.config.max_epochs() == keras.config.max_epochs() is None
    assert minikeras.config.max_steps_per_epoch() == keras.config.max_steps_per_epoch() is None


def test_spectral_normalization_training_call_matches_keras():
    x = RNG.standard_normal((5, 4)).astype("float32")
    wrappers = []
    for k in (minikeras, keras):
        wrapper = k.layers.SpectralNormalization(k.layers.Dense(3, name="sn_k_inner"), power_iterations=2,
                                                 name="sn_k")
        wrapper(x)
        wrappers.append(wrapper)
    wrappers[1].set_weights(wrappers[0].get_weights())
    for _ in range(2):
        outputs = [np.asarray(wrapper(x, training=True)) for wrapper in wrappers]
        np.testing.assert_allclose(outputs[0], outputs[1], rtol=1e-5, atol=1e-5)
    for ours, theirs in zip(wrappers[0].get_weights(), wrappers[1].get_weights()):
        np.testing.assert_allclose(ours, np.asarray(theirs), rtol=1e-5, atol=1e-6)
    ours, theirs = wrappers[0].get_config(), wrappers[1].get_config()
    for config in (ours, theirs):
        config["layer"].pop("build_config", None)
    assert ours == theirs
