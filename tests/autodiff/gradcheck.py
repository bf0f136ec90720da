"""The one numerical gradient check of minikeras: ``check_vjp``.

An op's backward pass claims to compute the vector-Jacobian product
``v^T J`` of its forward function. Finite differences measure the same
quantity without knowing anything about the op:

    d/dx_j  <v, f(x)>  ~=  (<v, f(x + eps e_j)> - <v, f(x - eps e_j)>) / (2 eps)

(central differences: the error shrinks as eps**2). Everything runs in
float64 so eps can be small. For big inputs (conv, pooling) probing every
entry is slow, so ``direction=True`` compares along one random direction d
instead: ``<grad, d>`` against the difference quotient of ``x + eps d``.
"""

import numpy

import minikeras
from minikeras.autodiff.tensor import Tensor


def _as_outputs(value):
    return list(value) if isinstance(value, (tuple, list)) else [value]


def _weighted_output(function, arrays, cotangents):
    """<v, f(x)>, summed over all outputs, in plain NumPy (outside any tape)."""
    outputs = _as_outputs(function(*[Tensor(array) for array in arrays]))
    return sum(float(numpy.sum(numpy.asarray(y, dtype=numpy.float64) * v)) for y, v in zip(outputs, cotangents))


def analytic_vjp(function, arrays, cotangents, wrt):
    """The engine's answer: the gradients of <v, f(x)> from the tape."""
    tensors = [Tensor(array) for array in arrays]
    with minikeras.GradientTape(persistent=True) as tape:
        tape.watch([tensors[k] for k in wrt])
        outputs = _as_outputs(function(*tensors))
    grads = {k: numpy.zeros_like(arrays[k]) for k in wrt}
    for y, v in zip(outputs, cotangents):
        for k, dx in zip(wrt, tape.gradient(y, [tensors[k] for k in wrt], output_gradients=v)):
            if dx is not None:
                assert dx.shape == arrays[k].shape, f"gradient of input {k} has shape {dx.shape}, expected {arrays[k].shape}"
                grads[k] = grads[k] + dx.numpy()
    return grads


def numerical_vjp(function, arrays, cotangents, k, eps):
    """Central differences of <v, f(x)>, one entry of input k at a time."""
    grad = numpy.zeros_like(arrays[k])
    for index in numpy.ndindex(arrays[k].shape):
        plus = [array.copy() for array in arrays]
        minus = [array.copy() for array in arrays]
        plus[k][index] += eps
        minus[k][index] -= eps
        grad[index] = (_weighted_output(function, plus, cotangents) -
                       _weighted_output(function, minus, cotangents)) / (2 * eps)
    return grad


def check_vjp(function, *inputs, wrt=None, eps=1e-6, rtol=1e-5, atol=1e-6, direction=False, seed=0):
    """Asserts that the tape's gradients of ``function`` match finite differences.

    Args:
        function: takes Tensors, returns a Tensor or a tuple/list of Tensors.
        *inputs: NumPy arrays (float inputs are converted to float64).
        wrt: indices of the inputs to differentiate (default: all float inputs).
        eps: finite-difference step.
        rtol, atol: tolerances of the comparison.
        direction: compare along one random direction per input (fast, for big ops).
        seed: seeds the cotangent v and the direction.
    Raises:
        AssertionError naming the input and printing both gradients.
    """
    rng = numpy.random.default_rng(seed)
    arrays = [numpy.asarray(x, dtype=numpy.float64) if numpy.asarray(x).dtype.kind == "f" else numpy.asarray(x)
              for x in inputs]
    wrt = [k for k, array in enumerate(arrays) if array.dtype.kind == "f"] if wrt is None else list(wrt)
    # 1. A random cotangent v per output: tests every output entry at once.
    outputs = _as_outputs(function(*[Tensor(array) for array in arrays]))
    cotangents = [rng.standard_normal(y.shape) for y in outputs]
    # 2. The engine's gradients, then finite differences, input by input.
    grads = analytic_vjp(function, arrays, cotangents, wrt)
    for k in wrt:
        if direction:
            d = rng.standard_normal(arrays[k].shape)
            plus = [a + eps * d if i == k else a for i, a in enumerate(arrays)]
            minus = [a - eps * d if i == k else a for i, a in enumerate(arrays)]
            expected = (_weighted_output(function, plus, cotangents) -
                        _weighted_output(function, minus, cotangents)) / (2 * eps)
            got = float(numpy.sum(grads[k] * d))
        else:
            expected, got = numerical_vjp(function, arrays, cotangents, k, eps), grads[k]
        if not numpy.allclose(got, expected, rtol=rtol, atol=atol):
            raise AssertionError(
                f"gradient of input {k} (shape {arrays[k].shape}) does not match finite differences"
                f"{' along a random direction' if direction else ''}:\n"
                f"  tape (backward): {numpy.array2string(numpy.asarray(got), precision=6)}\n"
                f"  finite diff.:    {numpy.array2string(numpy.asarray(expected), precision=6)}"
            )
