"""Whole-sequence recurrent kernels (Numba) against ``kernels/recurrent_reference.py``.

Forward results and every gradient, in float64 (to 1e-12) and float32, on
random shapes including one step and one unit. There is no CuPy version:
on a GPU the recurrent layers run their step loop.
"""

import numpy as np
import pytest

from minikeras.kernels import numba_recurrent
from minikeras.kernels import recurrent_reference

pytestmark = pytest.mark.kernels


def _case(seed, gates, dtype):
    rng = np.random.default_rng(seed)
    n, steps, d, units = (int(v) for v in (rng.integers(1, 4), rng.integers(1, 6),
                                           rng.integers(1, 5), rng.integers(1, 5)))
    def draw(*shape):
        return rng.uniform(-1, 1, shape).astype(dtype)
    bias = draw(2, 3 * units) if gates == 3 else draw(gates * units)
    return rng, draw, (draw(n, steps, d), draw(n, units), draw(d, gates * units),
                       draw(units, gates * units), bias)


def _close(got, expected, dtype):
    tolerance = 1e-12 if dtype == "float64" else 2e-5
    for a, b in zip(got, expected):
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("seed", range(4))
def test_lstm_kernels_match_reference(seed, dtype):
    rng, draw, (x, h0, kernel, recurrent_kernel, bias) = _case(seed, 4, dtype)
    c0 = draw(*h0.shape)
    expected = recurrent_reference.lstm_forward(x, h0, c0, kernel, recurrent_kernel, bias)
    got = numba_recurrent.lstm_forward(x, h0, c0, kernel, recurrent_kernel, bias)
    _close(got[:2], expected[:2], dtype)
    dh, dc = draw(*got[0].shape), draw(*h0.shape)
    _close(numba_recurrent.lstm_backward(dh, dc, x, h0, c0, kernel, recurrent_kernel, *got),
           recurrent_reference.lstm_backward(dh, dc, x, h0, c0, kernel, recurrent_kernel, *expected),
           dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("seed", range(4))
def test_gru_kernels_match_reference(seed, dtype):
    rng, draw, inputs = _case(seed, 3, dtype)
    expected = recurrent_reference.gru_forward(*inputs)
    got = numba_recurrent.gru_forward(*inputs)
    _close(got[:1], expected[:1], dtype)
    dh = draw(*got[0].shape)
    _close(numba_recurrent.gru_backward(dh, *inputs[:4], *got),
           recurrent_reference.gru_backward(dh, *inputs[:4], *expected), dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("seed", range(4))
def test_simple_rnn_kernels_match_reference(seed, dtype):
    rng, draw, inputs = _case(seed, 1, dtype)
    expected = recurrent_reference.simple_rnn_forward(*inputs)
    got = numba_recurrent.simple_rnn_forward(*inputs)
    _close([got], [expected], dtype)
    dh = draw(*got.shape)
    _close(numba_recurrent.simple_rnn_backward(dh, *inputs[:4], got),
           recurrent_reference.simple_rnn_backward(dh, *inputs[:4], expected), dtype)
