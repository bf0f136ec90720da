"""``set_random_seed``: one call that makes a minikeras program repeatable.

Place in the stack: ``minikeras.utils`` (Keras's ``keras.utils``), low in
the stack: it reaches ``minikeras.random``'s global generator through the
backend's context, without importing ``minikeras.random``. It seeds every source of randomness the library uses:
Python's ``random`` (unseeded initializers draw their seeds there), NumPy's
global state (used by user code and some data pipelines), and the global
``SeedGenerator`` of ``minikeras.random``, which is forgotten so that the next
unseeded draw makes a new one from the freshly seeded Python ``random``.
"""

import random as python_random

import numpy

from minikeras.backend import context


def set_random_seed(seed):
    """Sets all random seeds (Python, NumPy, and minikeras's global generator).

    Args:
        seed: an int.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed} (of type {type(seed)})")
    python_random.seed(seed)
    numpy.random.seed(seed)
    context.set_global_seed_generator(None)
