"""minikeras.random: the same seed gives the same numbers; generators advance."""

import numpy
import pytest

import minikeras
from minikeras import random
from minikeras.utils import clear_session
from minikeras.utils import set_random_seed

pytestmark = pytest.mark.engine


@pytest.mark.parametrize("draw", [
    lambda seed: random.normal((3, 2), seed=seed),
    lambda seed: random.uniform((5,), minval=-1.0, maxval=2.0, seed=seed),
    lambda seed: random.truncated_normal((50,), seed=seed),
    lambda seed: random.randint((4,), 0, 10, seed=seed),
    lambda seed: random.categorical(numpy.zeros((2, 3)), 4, seed=seed),
    lambda seed: random.dropout(numpy.ones((3, 4)), 0.5, seed=seed),
    lambda seed: random.shuffle(numpy.arange(10.0), seed=seed),
], ids=["normal", "uniform", "truncated_normal", "randint", "categorical", "dropout", "shuffle"])
def test_same_int_seed_same_numbers(draw):
    numpy.testing.assert_array_equal(draw(7).numpy(), draw(7).numpy())


def test_seed_generator_advances_its_state():
    generator = random.SeedGenerator(42)
    assert generator.state.name == "seed_generator_state"
    assert not generator.state.trainable
    assert generator.state.shape == (2,)
    numpy.testing.assert_array_equal(generator.state.numpy(), [42, 0])
    first = random.normal((4,), seed=generator).numpy()
    second = random.normal((4,), seed=generator).numpy()
    numpy.testing.assert_array_equal(generator.state.numpy(), [42, 2])
    assert not numpy.array_equal(first, second)
    # a fresh generator with the same seed replays the same sequence
    again = random.SeedGenerator(42)
    numpy.testing.assert_array_equal(random.normal((4,), seed=again).numpy(), first)


def test_set_random_seed_makes_unseeded_draws_repeatable():
    set_random_seed(3)
    first = random.uniform((3,)).numpy()
    set_random_seed(3)
    numpy.testing.assert_array_equal(random.uniform((3,)).numpy(), first)
    clear_session()  # forgets the global generator; must still work
    assert random.uniform((3,)).shape == (3,)
    with pytest.raises(ValueError, match="integer"):
        set_random_seed(1.5)


def test_distributions_have_the_right_moments():
    values = random.normal((20000,), mean=1.0, stddev=2.0, seed=0).numpy()
    assert abs(values.mean() - 1.0) < 0.05 and abs(values.std() - 2.0) < 0.05
    values = random.uniform((20000,), minval=2.0, maxval=4.0, seed=0).numpy()
    assert values.min() >= 2.0 and values.max() < 4.0 and abs(values.mean() - 3.0) < 0.02
    assert numpy.abs(random.truncated_normal((20000,), seed=0).numpy()).max() <= 2.0
    assert random.normal((2,), seed=0).dtype == "float32"
    assert random.randint((2,), 0, 3, seed=0).dtype == "int32"


def test_dropout_scales_kept_entries_and_reuses_its_mask_in_backward():
    x = minikeras.Variable(numpy.ones((100, 10)))
    with minikeras.GradientTape() as tape:
        y = random.dropout(x, 0.3, seed=1)
    kept = y.numpy() != 0
    numpy.testing.assert_allclose(y.numpy()[kept], 1 / 0.7)
    assert 0.6 < kept.mean() < 0.8
    numpy.testing.assert_allclose(tape.gradient(y, x).numpy(), y.numpy())


def test_dropout_noise_shape_drops_whole_columns():
    y = random.dropout(numpy.ones((8, 5)), 0.5, noise_shape=(1, None), seed=2).numpy()
    assert all(len(set(column)) == 1 for column in y.T)


def test_bad_arguments():
    with pytest.raises(ValueError, match="rate"):
        random.dropout(numpy.ones(3), 1.0)
    with pytest.raises(ValueError, match="SeedGenerator"):
        random.normal((2,), seed="a")
    with pytest.raises(ValueError, match="floating point"):
        random.uniform((2,), dtype="int32")
