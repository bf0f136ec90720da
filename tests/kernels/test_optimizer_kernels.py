"""Adam's one-pass Numba update against its NumPy definition (``reference.adam_update``).

Both update the slots in place and return a new variable, so each test runs
them on copies of the same arrays and compares all of it: the new weights,
``m``, ``v`` and, with amsgrad, ``v_hat``. float32 must agree to the last
bit or nearly (same operations in the same order), float64 likewise.
"""

import numpy as np
import pytest

from minikeras import config
from minikeras.backend import kernel_choice
from minikeras.kernels import numba_optimizer
from minikeras.kernels import reference

pytestmark = pytest.mark.kernels


def _case(shape, dtype, amsgrad, seed=0):
    rng = np.random.default_rng(seed)
    variable, gradient = (rng.standard_normal(shape).astype(dtype) for _ in range(2))
    momentum = rng.standard_normal(shape).astype(dtype) * 0.1
    velocity = rng.random(shape).astype(dtype) * 0.01
    velocity_hat = rng.random(shape).astype(dtype) * 0.01 if amsgrad else None
    return variable, gradient, momentum, velocity, velocity_hat


@pytest.mark.parametrize("shape, dtype, amsgrad", [((7, 5), np.float32, False), ((3, 2, 4), np.float64, True),
                                                   ((1,), np.float32, True),
                                                   ((300, 301), np.float32, False), ((70000,), np.float32, True)])
def test_one_pass_adam_matches_reference(shape, dtype, amsgrad):
    ours, theirs = _case(shape, dtype, amsgrad), _case(shape, dtype, amsgrad)
    alpha = dtype(1e-3) * np.sqrt(dtype(1) - dtype(0.999) ** 3) / (dtype(1) - dtype(0.9) ** 3)
    new = numba_optimizer.adam_update(*ours, alpha, 0.9, 0.999, 1e-7)
    expected = reference.adam_update(*theirs, alpha, 0.9, 0.999, 1e-7)
    assert new.dtype == dtype and new.shape == shape
    tolerance = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(new, expected, rtol=tolerance, atol=tolerance)
    for slot, expected_slot in zip(ours[2:], theirs[2:]):  # m, v and v_hat, updated in place
        if slot is not None:
            np.testing.assert_allclose(slot, expected_slot, rtol=tolerance, atol=tolerance)


def test_one_pass_adam_refuses_slots_it_could_not_update_in_place():
    variable, gradient, momentum, velocity, _ = _case((4, 6), np.float32, False)
    with pytest.raises(ValueError, match="contiguous"):
        numba_optimizer.adam_update(variable[:, ::2], gradient[:, ::2], momentum[:, ::2], velocity[:, ::2],
                                    None, 1e-3, 0.9, 0.999, 1e-7)


def test_adam_choice_follows_the_settings():
    variable = np.ones(3, np.float32)
    assert kernel_choice.adam_kernel(variable) is numba_optimizer.adam_update
    with config.kernels("reference"):
        assert kernel_choice.adam_kernel(variable) is reference.adam_update

