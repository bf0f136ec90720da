"""``SeedGenerator``: where the randomness of minikeras comes from, reproducibly.

Place in the stack: the first file of ``minikeras.random``, above the
autodiff engine (its state is a ``Variable``). Read ``random.py`` next.

Random draws never use a hidden global NumPy state. Each draw is made from a
fresh generator seeded by a pair of integers ``(seed, counter)``:

* an integer ``seed=42`` always gives the pair ``(42, 0)``: the same numbers
  every call, as in Keras;
* a ``SeedGenerator(42)`` hands out ``(42, 0)``, ``(42, 1)``, ``(42, 2)``...:
  different numbers each call, the same sequence every run. Its state is a
  non-trainable Variable ``[seed, counter]`` (so a layer saves it with its
  weights, as Keras does);
* ``seed=None`` draws from the global SeedGenerator, which
  ``utils.set_random_seed`` and ``backend.clear_session`` reset.
"""

import random as python_random

import numpy

from minikeras.autodiff.variable import Variable
from minikeras.backend import context
from minikeras.backend import get_xp


def make_default_seed():
    """A seed drawn from Python's ``random`` (so ``set_random_seed`` fixes it)."""
    return python_random.randint(1, int(1e9))


class SeedGenerator:
    """A stateful source of seeds for the random ops.

    Args:
        seed: an int; None draws one from Python's ``random``.
        name: optional name.

    Example:
        >>> generator = minikeras.random.SeedGenerator(1337)
        >>> a = minikeras.random.normal((2,), seed=generator)
        >>> b = minikeras.random.normal((2,), seed=generator)  # different from a
    """

    def __init__(self, seed=None, name=None, **kwargs):
        if seed is None:
            seed = make_default_seed()
        elif isinstance(seed, bool) or not isinstance(seed, (int, numpy.integer)):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed}")
        self._initial_seed = int(seed)
        self.name = name or context.unique_name("seed_generator")
        self.state = Variable(
            numpy.array([int(seed) % 2**32, 0], dtype="uint32"),
            dtype="uint32",
            trainable=False,
            name="seed_generator_state",
        )

    def next(self, ordered=True):
        """Returns the current ``(seed, counter)`` pair and advances the counter by one."""
        seed, counter = (int(value) for value in self.state.numpy())
        self.state.assign(numpy.array([seed, (counter + 1) % 2**32], dtype="uint32"))
        return seed, counter

    @property
    def variables(self):
        """The generator's state, for layers that track it."""
        return [self.state]

    def get_config(self):
        return {"seed": self._initial_seed}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def global_seed_generator():
    """The generator behind ``seed=None`` (made on first use)."""
    generator = context.get_global_seed_generator()
    if generator is None:
        generator = SeedGenerator()
        context.set_global_seed_generator(generator)
    return generator


def draw_seed(seed):
    """Turns a ``seed`` argument into a ``(seed, counter)`` pair of ints.

    Args:
        seed: None (the global generator), an int, a SeedGenerator, or a pair.
    """
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if seed is None:
        return global_seed_generator().next(ordered=False)
    if isinstance(seed, (int, numpy.integer)) and not isinstance(seed, bool):
        return int(seed) % 2**32, 0
    if isinstance(seed, (tuple, list)) and len(seed) == 2:
        return int(seed[0]) % 2**32, int(seed[1]) % 2**32
    raise ValueError(
        "Argument `seed` must be either an integer or an instance of `SeedGenerator`. "
        f"Received: seed={seed} (of type {type(seed)})"
    )


def make_generator(seed):
    """A fresh random generator of the active array module, from a ``seed`` argument.

    The pair ``(seed, counter)`` is packed into one 64-bit integer, which both
    ``numpy.random.default_rng`` and ``cupy.random.default_rng`` accept.
    """
    seed, counter = draw_seed(seed)
    return get_xp().random.default_rng(seed * 2**32 + counter)
