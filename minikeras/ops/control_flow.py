"""Control flow as functions: ``cond``, ``switch``, ``while_loop``, ``fori_loop``, ``scan``, ``map``,
``associative_scan``, ``vectorized_map``, ``vectorize``, and ``custom_gradient``.

Place in the stack: the public namespace (``keras.ops``) above
``minikeras.autodiff``. Read ``minikeras/autodiff/tape.py`` first.

Why these exist at all: JAX compiles a function once and runs it many times,
so a Python ``if`` or ``for`` on a tensor's *value* cannot be compiled;
``jax.lax.cond`` / ``scan`` / ``while_loop`` put the branch or the loop
inside the compiled program. minikeras runs eagerly: every function here is
the plain Python ``if`` or ``for`` it stands for. Because each op of the
body is recorded on the open ``GradientTape`` as it runs, gradients flow
through ``scan``, ``fori_loop``, ``map``... with nothing else to write (the
tape *is* the unrolled loop). The loop's carried values and outputs may be
nests (lists, tuples, dicts) of tensors, as in Keras.
"""

import builtins

import numpy

from minikeras.autodiff import combine
from minikeras.autodiff.op import Op
from minikeras.autodiff.shape import broadcast_to
from minikeras.autodiff.shape import get_item
from minikeras.autodiff.shape import moveaxis
from minikeras.autodiff.shape import reshape
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import context
from minikeras.utils import nest


def _leaf_count(structure):
    leaves = nest.flatten(structure)
    lengths = {as_tensor(leaf).shape[0] for leaf in leaves}
    if len(lengths) != 1:
        raise ValueError(f"All the leading dimensions of the inputs must be the same. Received: {sorted(lengths)}")
    return lengths.pop()


def _slice(structure, index):
    """Entry ``index`` of axis 0 of every leaf."""
    return nest.map_structure(lambda leaf: get_item(as_tensor(leaf), index), structure)


def _stack(outputs):
    """A list of same-structure results -> one structure of stacked (K, ...) tensors (None stays None)."""
    first = outputs[0]
    if first is None:
        return None
    flat = [nest.flatten(output) for output in outputs]
    stacked = [combine.stack([row[i] for row in flat]) for i in range(len(flat[0]))]
    return nest.pack_like(first, stacked)


def cond(pred, true_fn, false_fn):
    """``true_fn()`` if ``pred`` else ``false_fn()``; only the branch taken runs (and is recorded)."""
    return true_fn() if bool(as_tensor(pred).numpy()) else false_fn()


def switch(index, branches, *operands):
    """``branches[index](*operands)``, the index clamped to ``[0, len(branches) - 1]`` (as JAX does)."""
    position = builtins.min(builtins.max(int(as_tensor(index).numpy()), 0), len(branches) - 1)
    return branches[position](*operands)


def while_loop(cond, body, loop_vars, maximum_iterations=None):  # noqa: A002  (Keras's names)
    """Runs ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` (at most ``maximum_iterations`` times).

    Args:
        cond: returns a boolean (a Python bool or a 0-d tensor).
        body: returns new loop variables, in the structure of ``loop_vars``.
        loop_vars: a tensor, or a tuple/list of them (passed as separate arguments).

    Returns:
        The final loop variables, in the structure of ``loop_vars``.
    """
    is_tuple = isinstance(loop_vars, (list, tuple))
    values = tuple(loop_vars) if is_tuple else (loop_vars,)
    count = 0
    while (maximum_iterations is None or count < maximum_iterations) and bool(as_tensor(cond(*values)).numpy()):
        result = body(*values)
        values = tuple(result) if isinstance(result, (list, tuple)) else (result,)
        count += 1
    if not is_tuple:
        return values[0]
    return list(values) if isinstance(loop_vars, list) else values


def fori_loop(lower, upper, body_fun, init_val):
    """``val = body_fun(i, val)`` for i in ``range(lower, upper)``; returns the last ``val``."""
    value = init_val
    for i in range(int(as_tensor(lower).numpy()), int(as_tensor(upper).numpy())):
        value = body_fun(i, value)
    return value


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """Carries ``carry`` through ``(carry, y) = f(carry, x)`` for every x along axis 0 of ``xs``.

    Args:
        f: ``(carry, x) -> (new carry, y)``; y may be None or a nest.
        init: the first carry (a tensor or a nest).
        xs: a tensor or a nest of tensors with the same leading size K, or None
            (then ``f`` gets ``x=None`` for ``length`` steps).
        length: K when ``xs`` is None.
        reverse: walk the entries from the last to the first (the ys keep their positions).
        unroll: accepted for Keras compatibility (everything is unrolled here).

    Returns:
        ``(final carry, ys)``, ys stacked to (K, ...) (or None when f returns None).
    """
    steps = length if xs is None else _leaf_count(xs)
    if length is not None and xs is not None and length != steps:
        raise ValueError(f"length {length} does not match the leading size {steps} of xs.")
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    carry, ys = init, [None] * steps
    for i in order:
        carry, ys[i] = f(carry, None if xs is None else _slice(xs, i))
    return carry, (_stack(ys) if steps else None)


def map(f, xs):  # noqa: A001  (Keras's name)
    """``[f(x) for x in xs]`` along axis 0, the results stacked (xs and the results may be nests)."""
    return _stack([f(_slice(xs, i)) for i in range(_leaf_count(xs))])


def vectorized_map(function, elements):
    """``function`` applied to each entry of axis 0 and stacked: ``map`` (JAX vectorizes it; here it loops)."""
    return map(function, elements)


def vectorize(pyfunc, *, excluded=None, signature=None):
    """``pyfunc`` made to broadcast over leading (batch) axes, as ``numpy.vectorize``; it loops here.

    Args:
        pyfunc: a function of tensors.
        excluded: positions of arguments passed through unchanged.
        signature: core dimensions, e.g. ``"(n),(n)->()"``: each input keeps
            that many trailing axes when ``pyfunc`` sees it (none without a signature:
            ``pyfunc`` sees scalars).
    Returns:
        A function; its result has the broadcast batch shape followed by ``pyfunc``'s result shape.
    """
    excluded = set(excluded or ())
    core_ndims = None
    if signature is not None:
        inputs = signature.replace(" ", "").split("->")[0]
        core_ndims = [0 if not group else len(group.split(",")) for group in inputs[1:-1].split("),(")]

    def vectorized(*args):
        positions = [i for i in builtins.range(len(args)) if i not in excluded]
        tensors = [as_tensor(args[i]) for i in positions]
        cores = core_ndims or [0] * len(tensors)
        batch = numpy.broadcast_shapes(*[t.shape[:t.ndim - core] for t, core in zip(tensors, cores)])
        tensors = [broadcast_to(t, batch + t.shape[t.ndim - core:]) for t, core in zip(tensors, cores)]
        results = []
        for index in numpy.ndindex(*batch):  # one call per batch position
            call = list(args)
            for position, tensor in zip(positions, tensors):
                call[position] = get_item(tensor, index) if index else tensor
            results.append(pyfunc(*call))
        if not batch:
            return results[0]
        stacked = _stack(results)  # (K, ...) with K the product of the batch shape
        return nest.map_structure(lambda leaf: reshape(leaf, batch + leaf.shape[1:]), stacked)
    return vectorized


def associative_scan(f, elems, reverse=False, axis=0):
    """Inclusive scan with an associative ``f``: out[i] = f(out[i-1], elems[i]) along ``axis``.

    ``f`` takes and returns entries shaped like ``elems`` without ``axis``
    (nests allowed). JAX evaluates it as a tree in log2(K) rounds; the
    sequential loop here gives the same values for an associative ``f``.
    """
    moved = nest.map_structure(lambda leaf: moveaxis(as_tensor(leaf), axis, 0), elems)
    steps = _leaf_count(moved)
    order = list(range(steps - 1, -1, -1) if reverse else range(steps))
    outputs = [None] * steps
    running = None
    for i in order:
        entry = _slice(moved, i)
        running = entry if running is None else (f(entry, running) if reverse else f(running, entry))
        outputs[i] = running
    stacked = _stack(outputs)
    return nest.map_structure(lambda leaf: moveaxis(leaf, 0, axis), stacked)


class CustomGradient(Op):
    """y = f(x...) computed without recording; dx... = grad_fn(dy), the user's own VJP."""
    def __init__(self, function, args):
        self.function, self.args = function, args

    def forward(self, *arrays):
        with context.no_grad():  # the inner ops must not be recorded: this op is their whole gradient
            output, self.grad_fn = self.function(*self.args)
        return as_tensor(output).data

    def backward(self, dy):
        with context.no_grad():  # the inner ops must not be recorded: this op is their whole gradient
            grads = self.grad_fn(Tensor(dy))
        grads = grads if isinstance(grads, (list, tuple)) else (grads,)
        return tuple(as_tensor(grad).data for grad in grads)


def custom_gradient(f):
    """Decorator: ``f(*args)`` returns ``(y, grad_fn)`` and ``grad_fn(dy)`` returns the gradients.

    Example (a numerically stable ``log(1 + exp(x))``)::

        @ops.custom_gradient
        def log1pexp(x):
            e = ops.exp(x)
            def grad_fn(upstream):
                return ops.multiply(upstream, 1.0 - 1.0 / ops.add(1, e))
            return ops.log(1 + e), grad_fn

    Args:
        f: a function of tensors returning ``(output tensor, grad_fn)``;
            ``grad_fn`` returns one gradient per tensor argument.
    """
    def wrapped(*args):
        tensors = [as_tensor(arg) for arg in args]
        return CustomGradient(f, tensors)(*tensors)

    wrapped.__name__ = getattr(f, "__name__", "custom_gradient")
    wrapped.__doc__ = f.__doc__
    return wrapped
