"""Shared test settings: a fixed Hypothesis profile so CI is deterministic."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "jax")

from hypothesis import settings  # noqa: E402

settings.register_profile("minikeras", derandomize=True, deadline=None, max_examples=25, print_blob=True)
settings.load_profile("minikeras")
