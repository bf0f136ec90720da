"""``Wrapper`` and ``SpectralNormalization``: the power iteration drives the kernel's largest
singular value to 1 while training; inference leaves the kernel alone."""

import numpy as np
import pytest

from minikeras import layers


def test_training_calls_make_the_largest_singular_value_one():
    x = np.random.default_rng(0).standard_normal((4, 6)).astype("float32")
    wrapped = layers.SpectralNormalization(layers.Dense(5, name="sn_inner"), power_iterations=3, name="sn")
    wrapped(x)
    wrapped.layer.kernel.assign(wrapped.layer.kernel.numpy() * 7.0)
    before = wrapped.layer.kernel.numpy().copy()
    wrapped(x, training=False)
    np.testing.assert_array_equal(wrapped.layer.kernel.numpy(), before)  # inference: untouched
    for _ in range(10):
        output = wrapped(x, training=True)
    kernel = wrapped.layer.kernel.numpy()
    np.testing.assert_allclose(np.linalg.svd(kernel, compute_uv=False)[0], 1.0, rtol=1e-4)
    np.testing.assert_allclose(output.numpy(), x @ kernel + wrapped.layer.bias.numpy(), rtol=1e-5, atol=1e-6)
    assert [w.name for w in wrapped.weights] == ["kernel", "vector_u", "bias"]
    assert not wrapped.vector_u.trainable


def test_config_round_trip_and_errors():
    wrapped = layers.SpectralNormalization(layers.Dense(2, name="sn_cfg_inner"), power_iterations=2, name="sn_cfg")
    copy = layers.SpectralNormalization.from_config(wrapped.get_config())
    assert copy.power_iterations == 2 and copy.layer.units == 2 and copy.layer.name == "sn_cfg_inner"
    with pytest.raises(ValueError, match="power_iterations"):
        layers.SpectralNormalization(layers.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="isn't a supported layer type"):
        layers.Wrapper("dense")
    with pytest.raises(ValueError, match="nor 'embeddings'"):
        layers.SpectralNormalization(layers.Flatten(), name="sn_flat")(np.ones((2, 3), "float32"))
