"""Initializers: shapes, dtypes, the statistics each one promises, seeds, names and configs."""

import random

import numpy as np
import pytest

from minikeras import initializers


def test_constants_fill_exact_values():
    assert np.array_equal(initializers.Zeros()((2, 3)), np.zeros((2, 3), "float32"))
    assert np.array_equal(initializers.Ones()((4,)), np.ones(4, "float32"))
    np.testing.assert_array_equal(initializers.Constant(2.5)((2, 2)), np.full((2, 2), 2.5))
    np.testing.assert_array_equal(initializers.Identity(gain=3.0)((2, 2)), 3.0 * np.eye(2))


def test_default_dtype_is_floatx_and_dtype_argument_is_honoured():
    assert initializers.GlorotUniform(seed=1)((3, 4)).dtype == np.float32
    assert initializers.GlorotUniform(seed=1)((3, 4), dtype="float64").dtype == np.float64
    assert initializers.Zeros()((2,), dtype="int32").dtype == np.int32


@pytest.mark.parametrize("shape, fans", [
    ((), (1, 1)), ((5,), (5, 5)), ((3, 7), (3, 7)),
    ((3, 3, 2, 8), (18, 72)),  # conv kernel: receptive field 9 times the channels
    ((5, 4, 6), (20, 30)),  # Conv1D kernel (K, C, F)
])
def test_compute_fans(shape, fans):
    assert initializers.compute_fans(shape) == fans


@pytest.mark.parametrize("name, variance", [
    ("glorot_uniform", 2.0 / (60 + 80)), ("glorot_normal", 2.0 / (60 + 80)),
    ("he_uniform", 2.0 / 60), ("he_normal", 2.0 / 60),
    ("lecun_uniform", 1.0 / 60), ("lecun_normal", 1.0 / 60),
])
def test_variance_scaling_family_has_the_promised_variance(name, variance):
    # kernel (KH, KW, C, F) = (2, 2, 15, 20): fan_in = 60, fan_out = 80
    values = np.asarray(initializers.get(name)((2, 2, 15, 20), dtype="float64"))
    assert abs(values.mean()) < 0.05 * np.sqrt(variance) * 4
    assert values.var() == pytest.approx(variance, rel=0.1)


def test_uniform_limits_are_the_glorot_formula():
    values = initializers.GlorotUniform(seed=3)((30, 50))
    limit = np.sqrt(6.0 / 80)
    assert values.max() <= limit and values.min() >= -limit
    assert values.max() > 0.95 * limit  # the whole interval is used


def test_truncated_normal_stays_within_two_stddevs():
    values = initializers.TruncatedNormal(mean=1.0, stddev=0.5, seed=0)((200, 50))
    assert values.min() >= 0.0 and values.max() <= 2.0


def test_random_normal_and_uniform_statistics():
    normal = initializers.RandomNormal(mean=2.0, stddev=0.1, seed=0)((100, 100))
    assert normal.mean() == pytest.approx(2.0, abs=0.01) and normal.std() == pytest.approx(0.1, rel=0.05)
    uniform = initializers.RandomUniform(minval=1.0, maxval=3.0, seed=0)((100, 100))
    assert uniform.min() >= 1.0 and uniform.max() < 3.0 and uniform.mean() == pytest.approx(2.0, abs=0.02)


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (2, 2, 3, 4)])
def test_orthogonal_has_orthonormal_rows_or_columns(shape):
    q = np.asarray(initializers.Orthogonal(gain=2.0, seed=1)(shape, dtype="float64")).reshape(-1, shape[-1])
    small = q.T @ q if q.shape[0] >= q.shape[1] else q @ q.T
    np.testing.assert_allclose(small, 4.0 * np.eye(min(q.shape)), atol=1e-10)


def test_seeded_initializer_is_reproducible_and_seeds_differ():
    a = initializers.HeNormal(seed=7)((4, 4))
    assert np.array_equal(a, initializers.HeNormal(seed=7)((4, 4)))
    assert not np.array_equal(a, initializers.HeNormal(seed=8)((4, 4)))


def test_unseeded_initializer_takes_its_seed_from_python_random():
    random.seed(123)
    first = initializers.GlorotUniform()((3, 3))
    random.seed(123)
    second = initializers.GlorotUniform()((3, 3))
    assert np.array_equal(first, second)
    assert not np.array_equal(first, initializers.GlorotUniform()((3, 3)))
    assert initializers.GlorotUniform().get_config()["seed"] is None  # the config keeps None


@pytest.mark.parametrize("identifier", ["glorot_uniform", "GlorotUniform", "zeros", "Zeros", "uniform",
                                        "normal", "truncated_normal", "orthogonal", "he_uniform"])
def test_get_by_name(identifier):
    assert isinstance(initializers.get(identifier), initializers.Initializer)


def test_get_accepts_objects_classes_dicts_callables_arrays_and_none():
    ones = initializers.Ones()
    assert initializers.get(ones) is ones
    assert isinstance(initializers.get(initializers.Ones), initializers.Ones)
    dict_init = initializers.get({"class_name": "RandomNormal", "config": {"stddev": 2.0, "seed": 4}})
    assert dict_init.stddev == 2.0 and dict_init.seed == 4

    def fill_sevens(shape, dtype=None):
        return np.full(shape, 7.0)
    assert initializers.get(fill_sevens) is fill_sevens
    array_init = initializers.get(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(array_init((2, 3)), np.arange(6.0).reshape(2, 3))
    with pytest.raises(ValueError, match="Expected `shape` to be"):
        array_init((3, 2))
    assert initializers.get(None) is None


def test_unknown_name_raises_a_clear_error():
    with pytest.raises(ValueError, match="Could not interpret initializer identifier: glorot_unifrom"):
        initializers.get("glorot_unifrom")
    with pytest.raises(ValueError, match="Could not interpret initializer identifier"):
        initializers.get(3)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="`seed` argument should be"):
        initializers.RandomNormal(seed="one")
    with pytest.raises(ValueError, match="Invalid `mode` argument"):
        initializers.VarianceScaling(mode="fan_middle")
    with pytest.raises(ValueError, match="Identity matrix initializer can only be used for 2D"):
        initializers.Identity()((2, 2, 2))
    with pytest.raises(ValueError, match="at least two-dimensional"):
        initializers.Orthogonal()((3,))


@pytest.mark.parametrize("initializer, config", [
    (initializers.GlorotUniform(), {"seed": None, "input_axes": None, "output_axes": None}),
    (initializers.RandomNormal(seed=2), {"seed": 2, "mean": 0.0, "stddev": 0.05}),
    (initializers.RandomUniform(), {"seed": None, "minval": -0.05, "maxval": 0.05}),
    (initializers.VarianceScaling(), {"seed": None, "scale": 1.0, "mode": "fan_in",
                                      "distribution": "truncated_normal", "input_axes": None,
                                      "output_axes": None}),
    (initializers.Orthogonal(), {"seed": None, "gain": 1.0}),
    (initializers.Constant(), {"value": 0.0}),
    (initializers.Zeros(), {}),
])
def test_configs_match_keras_and_round_trip(initializer, config):
    assert initializer.get_config() == config
    rebuilt = initializers.deserialize(initializers.serialize(initializer))
    assert type(rebuilt) is type(initializer) and rebuilt.get_config() == config


def test_seeded_config_round_trip_gives_the_same_values():
    original = initializers.LecunNormal(seed=11)
    rebuilt = initializers.get(initializers.serialize(original))
    assert np.array_equal(original((5, 5)), rebuilt((5, 5)))


def test_seed_generator_gives_new_values_each_call_and_serializes():
    from minikeras import random as minikeras_random
    initializer = initializers.RandomNormal(seed=minikeras_random.SeedGenerator(5))
    assert not np.array_equal(initializer((3,)), initializer((3,)))
    rebuilt = initializers.RandomNormal.from_config(initializer.get_config())
    assert np.array_equal(rebuilt((3,)), initializers.RandomNormal(seed=minikeras_random.SeedGenerator(5))((3,)))
