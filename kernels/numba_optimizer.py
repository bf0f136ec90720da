"""Adam's update in one pass with Numba: each weight read and written once.

Place in the stack: ``kernels/``, beside ``reference.py`` whose
``adam_update`` defines the numbers. The NumPy version makes about ten
passes over each variable, each writing a temporary array the size of the
weights (``g - m``, its product with ``1 - beta_1``, ``g**2``...). Here one
loop reads ``w, g, m, v`` once per element, keeps the intermediate values in
registers and writes ``m, v`` and the new weight: for a model whose step is
a few matrix products (an MLP), the optimizer stops being a visible share of
the step (``bench/RESULTS.md``).

The loop runs on one core: the variables of a layer are a few MB at most,
and starting a parallel region per variable cost more than it saved. Shared
with ``team_work.py``'s threads, whose hand-over costs little, an MLP's
biggest update got faster, but its training step hardly did, and the first
run compiled for longer (``bench/RESULTS.md``, "Session 12"). A loop over
``range(first, last)`` instead of ``range(n)`` runs much slower: Numba
cannot prove such indices are not negative, and the wrap-around test it
adds to each read stops LLVM's SIMD code (slice the arrays first).
Scalars are cast to the variable's dtype first, so a float32 model computes
in float32 exactly as NumPy does (same operations, same order, same
rounding). Read next: ``numba_pool.py``.
"""

import numpy as np
from numba import njit


@njit(cache=True, error_model="numpy")  # a division by 0 gives inf as in NumPy; no check stops SIMD
def _adam(w, g, m, v, v_hat, use_hat, out, alpha, one_minus_beta_1, one_minus_beta_2, epsilon):
    """All arrays flat (one dimension); ``v_hat`` is read only when ``use_hat``."""
    for i in range(w.shape[0]):
        gradient = g[i]
        momentum = m[i] + (gradient - m[i]) * one_minus_beta_1
        velocity = v[i] + (gradient * gradient - v[i]) * one_minus_beta_2
        m[i] = momentum
        v[i] = velocity
        if use_hat:
            if velocity > v_hat[i] or velocity != velocity:  # NumPy's maximum: a NaN wins
                v_hat[i] = velocity
            velocity = v_hat[i]
        out[i] = w[i] - (momentum * alpha) / (np.sqrt(velocity) + epsilon)


def adam_update(variable, gradient, momentum, velocity, velocity_hat, alpha, beta_1, beta_2, epsilon):
    """Same contract as ``reference.adam_update``: returns the new variable, updates the slots."""
    dtype = variable.dtype.type
    out = np.empty_like(variable, order="C")
    hat = velocity if velocity_hat is None else velocity_hat
    _adam(_flat(np.ascontiguousarray(variable)), _flat(np.ascontiguousarray(gradient, dtype=variable.dtype)),
          _flat(momentum), _flat(velocity), _flat(hat), velocity_hat is not None, _flat(out),
          dtype(alpha), dtype(1 - beta_1), dtype(1 - beta_2), dtype(epsilon))
    return out


def _flat(array):
    """A flat view (never a copy: the slots are updated through it). (any shape) -> (size,)."""
    if not array.flags.c_contiguous:
        raise ValueError(f"adam_update updates its slots in place and needs contiguous arrays; got strides {array.strides}")
    return array.reshape(-1)
