"""Whole-sequence recurrent kernels (Numba) against ``kernels/recurrent_reference.py``.

Forward results and every gradient, in float64 (to 1e-12) and float32, on
random shapes including one step and one unit, with and without masks. CuPy
arrays go to ``numba_cuda_recurrent.py`` (Numba's CPU loops cannot read GPU
memory), checked against the reference on a GPU or in Numba's CUDA simulator
(``NUMBA_ENABLE_CUDASIM=1``, marker ``gpu``); the reference itself is written
with ``xp``, and a test checks that it takes its array module from its input,
with a stand-in ``cupy`` (no GPU needed).
"""

import sys
import types

import numpy as np
import pytest

from minikeras.kernels import numba_recurrent
from minikeras.kernels import recurrent_reference
from tests.kernels.conftest import cuda_device

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


def test_cupy_arrays_never_reach_the_cpu_only_recurrent_kernels():
    """Numba's CPU loops cannot read GPU memory: CuPy arrays get the CUDA kernels, whatever the settings."""
    from minikeras.backend import kernel_choice
    from minikeras.kernels import numba_cuda_recurrent

    gpu_array = type("ndarray", (), {"__module__": "cupy"})()
    assert kernel_choice.recurrent_kernels(gpu_array) is numba_cuda_recurrent
    with kernel_choice.kernels("reference"):
        assert kernel_choice.recurrent_kernels(gpu_array) is numba_cuda_recurrent
        assert kernel_choice.recurrent_kernels(np.zeros((1, 1, 1))) is recurrent_reference
    with kernel_choice.kernels("numba"):
        assert kernel_choice.recurrent_kernels(np.zeros((1, 1, 1))) is numba_recurrent


def test_recurrent_reference_takes_its_array_module_from_the_input(monkeypatch):
    """Every array the reference makes comes from its input's module: given arrays whose class says
    ``cupy``, a stand-in ``cupy`` (NumPy under another name, counting calls) is called, same numbers."""
    calls = []
    stand_in = types.ModuleType("cupy")
    stand_in.__getattr__ = lambda name: (calls.append(name), getattr(np, name))[1]

    class GPUArray(np.ndarray):  # a NumPy array whose class says it lives in ``cupy``
        __module__ = "cupy"

    for gates, name, states in ((4, "lstm", 2), (3, "gru", 1), (1, "simple_rnn", 1)):
        _, draw, inputs = _case(gates, gates, "float64")
        if name == "lstm":  # (x, h0, kernel, recurrent_kernel, bias) -> (x, h0, c0, ...)
            inputs = inputs[:2] + (draw(*inputs[1].shape),) + inputs[2:]
        forward = getattr(recurrent_reference, f"{name}_forward")
        backward = getattr(recurrent_reference, f"{name}_backward")
        expected = forward(*inputs)
        expected = expected if isinstance(expected, tuple) else (expected,)
        upstream = (draw(*expected[0].shape),) + ((draw(*inputs[1].shape),) if name == "lstm" else ())
        expected_gradients = backward(*upstream, *inputs[:3 + states], *expected)
        with monkeypatch.context() as patch:
            patch.setitem(sys.modules, "cupy", stand_in)
            on_gpu = [array.view(GPUArray) for array in inputs]
            got = forward(*on_gpu)
            got = got if isinstance(got, tuple) else (got,)
            gradients = backward(*upstream, *on_gpu[:3 + states], *got)
        for a, b in zip(got + gradients, expected + expected_gradients):
            np.testing.assert_array_equal(np.asarray(a), b)
    assert {"empty", "tanh", "exp", "concatenate", "stack", "zeros_like", "empty_like"} <= set(calls)


def _masked_case(name, dtype):
    """Inputs of one family with a mask (False: a padded step; first and last steps included)."""
    gates = {"lstm": 4, "gru": 3, "simple_rnn": 1}[name]
    rng = np.random.default_rng(7)
    n, steps, d, units = 3, 5, 2, 4
    def draw(*shape):
        return rng.uniform(-1, 1, shape).astype(dtype)
    mask = np.array([[False, True, True, False, True], [True, True, False, False, False],
                     [True, True, True, True, True]])
    states = (draw(n, units), draw(n, units)) if name == "lstm" else (draw(n, units),)
    inputs = (draw(n, steps, d),) + states + (draw(d, gates * units), draw(units, gates * units),
                                             draw(2, 3 * units) if name == "gru" else draw(gates * units))
    upstream = (draw(n, steps, units),) + ((draw(n, units),) if name == "lstm" else ())
    return inputs, upstream, mask


def _run(module, name, inputs, upstream, mask, to_device=np.asarray, to_numpy=np.asarray, need_input=True):
    """Final states and every gradient of one kernel module, as NumPy arrays (None stays None)."""
    inputs, upstream = [to_device(a) for a in inputs], [to_device(a) for a in upstream]
    mask = None if mask is None else to_device(mask)
    states = 2 if name == "lstm" else 1
    forward = getattr(module, f"{name}_forward")(*inputs, mask=mask)
    forward = forward if isinstance(forward, tuple) else (forward,)
    gradients = getattr(module, f"{name}_backward")(*upstream, *inputs[:3 + states], *forward, mask=mask,
                                                    need_input=need_input)
    return [None if a is None else to_numpy(a) for a in forward[:states] + tuple(gradients)]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", ["lstm", "gru", "simple_rnn"])
def test_masked_kernels_match_reference(name, dtype):
    inputs, upstream, mask = _masked_case(name, dtype)
    got = _run(numba_recurrent, name, inputs, upstream, mask)
    _close(got, _run(recurrent_reference, name, inputs, upstream, mask), dtype)
    h_all, h0 = got[0], inputs[1]
    np.testing.assert_array_equal(h_all[0, 0], h0[0])  # a masked first step keeps the initial state
    np.testing.assert_array_equal(h_all[1, 4], h_all[1, 1])  # ... and masked steps the last one read


@pytest.mark.parametrize("name", ["lstm", "gru", "simple_rnn"])
def test_no_input_gradient_when_the_input_is_data(name):
    """``need_input=False`` (the op's input needs no gradient) skips ``dx``; the rest is unchanged."""
    inputs, upstream, mask = _masked_case(name, "float64")
    for module in (recurrent_reference, numba_recurrent):
        full = _run(module, name, inputs, upstream, mask)
        partial = _run(module, name, inputs, upstream, mask, need_input=False)
        states = 2 if name == "lstm" else 1
        assert partial[states] is None
        _close(partial[:states] + partial[states + 1:], full[:states] + full[states + 1:], "float64")


@pytest.mark.gpu
@pytest.mark.parametrize("masked", [False, True], ids=["nomask", "mask"])
@pytest.mark.parametrize("name", ["lstm", "gru", "simple_rnn"])
def test_cuda_kernels_match_reference(name, masked):
    """``kernels/numba_cuda_recurrent.py`` on the GPU, or in Numba's CUDA simulator (tiny shapes)."""
    device = cuda_device()
    from minikeras.kernels import numba_cuda_recurrent

    inputs, upstream, mask = _masked_case(name, "float64")
    mask = mask if masked else None
    got = _run(numba_cuda_recurrent, name, inputs, upstream, mask, device.to_device, device.to_numpy)
    _close(got, _run(recurrent_reference, name, inputs, upstream, mask), "float64")


def test_fast_float32_tanh_is_within_a_few_units_in_the_last_place():
    """The float32 loops use a ratio of polynomials for tanh (and sigmoid): check it everywhere it matters."""
    values = np.linspace(-12, 12, 2401, dtype=np.float32)
    # The compiled functions the loops inline, called one value at a time.
    tanh = np.array([numba_recurrent._tanh(v, False) for v in values])
    sigmoid = np.array([numba_recurrent._sigmoid(v, False) for v in values])
    exact = values.astype(np.float64)
    np.testing.assert_allclose(tanh, np.tanh(exact), rtol=1e-6, atol=4e-7)
    np.testing.assert_allclose(sigmoid, 1 / (1 + np.exp(-exact)), rtol=0, atol=2e-7)
    assert np.all(np.abs(tanh) <= 1)
