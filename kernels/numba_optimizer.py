"""Adam's update in one pass with Numba: each weight read and written once.

Place in the stack: ``kernels/``, beside ``reference.py`` whose
``adam_update`` defines the numbers. The NumPy version makes about ten
passes over each variable, each writing a temporary array the size of the
weights (``g - m``, its product with ``1 - beta_1``, ``g**2``...). Here one
loop reads ``w, g, m, v`` once per element, keeps the intermediate values in
registers and writes ``m, v`` and the new weight: for a model whose step is
a few matrix products (an MLP), the optimizer stops being a visible share of
the step (``bench/RESULTS.md``).

Each weight's update is independent of the others, so a big float32
variable (``SHARED`` weights or more) is cut into pieces that the threads of
``team_work.py`` take in turn, the calling thread included; a smaller one
runs on the calling thread, where handing it over would cost more than it
saves. Which thread updates a weight changes nothing in its numbers.
Scalars are cast to the variable's dtype first, so a float32 model computes
in float32 exactly as NumPy does (same operations, same order, same
rounding). Read next: ``numba_pool.py``.
"""

import numpy as np
from numba import njit

SHARED = 2**16  # weights from which a float32 update is shared with team_work.py's threads


@njit(nogil=True, cache=True, error_model="numpy")  # a division by 0 gives inf as in NumPy; no check stops SIMD
def _adam(w, g, m, v, v_hat, use_hat, out, alpha, one_minus_beta_1, one_minus_beta_2, epsilon, first, last):
    """Elements ``first:last`` of the arrays, all flat (one dimension); ``v_hat`` is read only when ``use_hat``."""
    # Slices first: a loop over range(first, last) indexes with numbers Numba cannot prove are
    # not negative, and the wrap-around test it then adds to each read stops LLVM's SIMD code.
    w, g, m, v, v_hat, out = w[first:last], g[first:last], m[first:last], v[first:last], v_hat[first:last], out[first:last]
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
    out = np.empty_like(variable, order="C")
    hat = velocity if velocity_hat is None else velocity_hat
    arrays = (_flat(np.ascontiguousarray(variable)), _flat(np.ascontiguousarray(gradient, dtype=variable.dtype)),
              _flat(momentum), _flat(velocity), _flat(hat))
    scalars = np.array([alpha, 1 - beta_1, 1 - beta_2, epsilon], dtype=variable.dtype)
    if variable.dtype == np.float32 and variable.size >= SHARED and all(a.dtype == np.float32 for a in arrays):
        from minikeras.kernels import team_work  # imports this module: here, not at the top

        pieces = -(-variable.size // team_work.ADAM_PIECE)
        job = np.array([team_work.ADAM, *(array.ctypes.data for array in arrays), _flat(out).ctypes.data,
                        variable.size, velocity_hat is not None, scalars.ctypes.data, pieces], np.int64)
        if team_work.run(job, pieces, np.empty(0, np.float32)):
            return out
    _adam(*arrays[:4], arrays[4], velocity_hat is not None, _flat(out), *scalars, 0, variable.size)
    return out


def _flat(array):
    """A flat view (never a copy: the slots are updated through it). (any shape) -> (size,)."""
    if not array.flags.c_contiguous:
        raise ValueError(f"adam_update updates its slots in place and needs contiguous arrays; got strides {array.strides}")
    return array.reshape(-1)
