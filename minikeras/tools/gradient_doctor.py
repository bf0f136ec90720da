"""``check_gradients``: which op on the tape has a wrong gradient, which input, which element.

Place in the stack: part of ``minikeras.tools``. The tests of
``tests/autodiff/`` check each op once, on chosen inputs. This doctor checks
the ops of *your* computation, on *your* values: it records ``fn(*inputs)``
on a ``GradientTape``, then replays every recorded node
``(op, inputs, output)`` on its own, in float64:

1. the analytic side: a copy of the op runs ``forward`` on the node's inputs,
   then ``backward(dy)`` with a random ``dy`` of the output's shape -- the
   vector-Jacobian product the engine would use;
2. the numeric side: for each input element (at most ``max_elements`` per
   input, chosen at random), central differences of ``sum(forward(...) * dy)``,
   which is the same product computed without calculus;
3. the two are compared element by element; the report names the first op
   (in recording order) that disagrees, its input, and the worst element.

Checking op by op, rather than the whole function at once, is what makes the
answer precise: a wrong gradient anywhere spoils every gradient before it in
the backward walk, but only one op disagrees with its own finite differences.

A gradient is a derivative only where the function is smooth: at a kink
(``relu`` at exactly 0, ties in ``max``) the two sides may differ without a
bug. Read next: ``layer_statistics.py``.
"""

import copy
from dataclasses import dataclass

import numpy as np

from minikeras.autodiff import GradientTape
from minikeras.autodiff import Tensor


@dataclass
class OpCheck:
    """The check of one input of one recorded op.

    Attributes:
        index: the op's position on the tape (0 = recorded first).
        op_name: its class name (``"MatMul"``).
        input_index: which input of the op.
        input_shape: that input's shape.
        analytic: the op's ``backward`` for this input, float64 (None if it gave none).
        numeric: central differences, input-shaped, NaN where not sampled.
        problem: empty when the two agree; otherwise what is wrong.
        worst_index: the element where they disagree most (None for a shape problem).
    """

    index: int
    op_name: str
    input_index: int
    input_shape: tuple
    analytic: np.ndarray
    numeric: np.ndarray
    problem: str = ""
    worst_index: tuple = None

    @property
    def ok(self):
        return not self.problem

    def difference(self):
        """``|analytic - numeric|`` on the sampled elements (NaN elsewhere), input-shaped."""
        if self.analytic is None or np.shape(self.analytic) != self.input_shape:
            raise ValueError(f"op #{self.index} {self.op_name}: {self.problem}; no element-wise difference")
        return np.abs(self.analytic - self.numeric)

    def plot(self, ax=None):
        """Draws ``difference()`` as a heat map (vectors as one row, higher ranks as rows of the last axis).

        Returns:
            The matplotlib Figure.
        """
        import matplotlib.pyplot as plt

        difference = self.difference()
        grid = difference.reshape(1, -1) if difference.ndim < 2 else difference.reshape(-1, difference.shape[-1])
        if ax is None:
            _, ax = plt.subplots(figsize=(min(2 + 0.5 * grid.shape[1], 10), min(1.5 + 0.4 * grid.shape[0], 8)))
        image = ax.imshow(grid, cmap="magma", aspect="auto")
        ax.figure.colorbar(image, ax=ax, label="|analytic - numeric|")
        ax.set_title(f"op #{self.index} {self.op_name}, input {self.input_index} {self.input_shape}")
        return ax.figure

    def describe(self):
        head = f"#{self.index} {self.op_name}, input {self.input_index} {self.input_shape}"
        return f"{head}: {'ok' if self.ok else 'WRONG: ' + self.problem}"


@dataclass
class GradientReport:
    """Every ``OpCheck`` of a tape, in recording order; ``print`` it for a summary."""

    checks: list

    @property
    def failures(self):
        return [check for check in self.checks if not check.ok]

    @property
    def ok(self):
        return not self.failures

    @property
    def first_failure(self):
        """The first disagreeing check in recording order, or None."""
        return self.failures[0] if self.failures else None

    def __str__(self):
        lines = [f"{len(self.checks)} op inputs checked against float64 central differences:"]
        lines += ["  " + check.describe() for check in self.checks]
        first = self.first_failure
        lines.append("all gradients agree" if first is None else f"first wrong gradient: {first.describe()}")
        return "\n".join(lines)


def check_gradients(fn, inputs=(), epsilon=1e-6, rtol=1e-4, atol=1e-6, max_elements=64, seed=0):
    """Records ``fn(*inputs)`` and checks every recorded op's gradient against finite differences.

    Args:
        fn: a function of the inputs returning a tensor; it may also read
            trainable Variables (a model's weights), which the tape watches.
        inputs: arrays, Tensors or Variables, passed to ``fn`` in this order
            (arrays become float64 tensors) and watched by the tape.
        epsilon: the step of the central differences.
        rtol, atol: an element disagrees when ``|analytic - numeric| > atol + rtol * |numeric|``.
        max_elements: the most elements perturbed per op input (chosen at random).
        seed: seeds ``dy`` and the choice of elements.
    Returns:
        A ``GradientReport`` (``report.first_failure`` names the op, input and element).
    """
    inputs = [value if isinstance(value, Tensor) else Tensor(np.asarray(value, dtype="float64")) for value in inputs]
    with GradientTape(persistent=True) as tape:
        tape.watch(list(inputs))
        fn(*inputs)
    if not tape.nodes:
        raise ValueError("check_gradients: fn recorded no op. Does it use its inputs, or a trainable Variable?")
    rng = np.random.default_rng(seed)
    checks = []
    for index, (op, op_inputs, output) in enumerate(tape.nodes):
        checks += _check_node(index, op, op_inputs, output, rng, epsilon, rtol, atol, max_elements)
    return GradientReport(checks)


def _float64(tensor):
    array = np.asarray(tensor.data)
    return array.astype("float64") if np.issubdtype(array.dtype, np.floating) else array


def _forward(op, arrays):
    """Runs a fresh copy of ``op`` (its parameters, not its saved arrays) on ``arrays``."""
    replica = copy.copy(op)
    replica.input_needs_gradient = None  # compute every input's gradient
    return replica, np.asarray(replica.forward(*arrays), dtype="float64")


def _check_node(index, op, op_inputs, output, rng, epsilon, rtol, atol, max_elements):
    # 1. The analytic side: the op's own backward, in float64.
    arrays = [_float64(tensor) for tensor in op_inputs]
    dy = rng.standard_normal(output.shape)
    replica, _ = _forward(op, arrays)
    gradients = replica.backward(dy)
    gradients = gradients if isinstance(gradients, tuple) else (gradients,)
    checks = []
    for input_index, array in enumerate(arrays):
        if not np.issubdtype(array.dtype, np.floating):
            continue  # integer indices carry no gradient
        # 2. The numeric side: central differences of sum(forward * dy).
        numeric = _numeric_gradient(op, arrays, input_index, dy, rng, epsilon, max_elements)
        analytic = gradients[input_index] if input_index < len(gradients) else None
        analytic = None if analytic is None else np.asarray(analytic, dtype="float64")
        check = OpCheck(index, type(op).__name__, input_index, array.shape, analytic, numeric)
        _compare(check, rtol, atol)
        checks.append(check)
    return checks


def _numeric_gradient(op, arrays, input_index, dy, rng, epsilon, max_elements):
    """Input-shaped central differences, NaN at the elements not sampled."""
    base = arrays[input_index]
    numeric = np.full(base.shape, np.nan)
    count = base.size
    chosen = range(count) if count <= max_elements else rng.choice(count, max_elements, replace=False)
    for flat in chosen:
        element = np.unravel_index(flat, base.shape)
        sides = []
        for sign in (1.0, -1.0):
            shifted = base.copy()
            shifted[element] += sign * epsilon
            moved = list(arrays)
            moved[input_index] = shifted
            sides.append(np.sum(_forward(op, moved)[1] * dy))
        numeric[element] = (sides[0] - sides[1]) / (2 * epsilon)
    return numeric


def _compare(check, rtol, atol):
    """Fills ``check.problem`` and ``check.worst_index``."""
    sampled = ~np.isnan(check.numeric)
    if check.analytic is None:
        if np.any(np.abs(check.numeric[sampled]) > atol):
            check.problem = "backward returned no gradient for an input the output depends on"
        return
    if check.analytic.shape != check.input_shape:
        check.problem = (f"backward returned a gradient of shape {check.analytic.shape} for an input of shape "
                         f"{check.input_shape} (a missing unbroadcast, or a missing transpose?)")
        return
    excess = np.where(sampled, np.abs(check.analytic - check.numeric) - rtol * np.abs(check.numeric), -np.inf)
    worst = np.unravel_index(int(np.argmax(excess)), check.input_shape) if check.analytic.ndim else ()
    check.worst_index = tuple(int(i) for i in worst)
    if excess[worst] > atol:
        check.problem = (f"element {check.worst_index}: backward gives {check.analytic[worst]:.6g}, "
                         f"central differences {check.numeric[worst]:.6g}")
