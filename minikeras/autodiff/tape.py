"""``GradientTape``: records ops while open, then walks them backwards.

Place in the stack: after ``op.py``. This file is the whole of reverse-mode
automatic differentiation in minikeras:

1. While a tape is open (``with GradientTape() as tape:``), every op whose
   inputs depend on a *watched* tensor is appended to ``tape.nodes`` as
   ``(op, inputs, output)``. Trainable Variables are watched as soon as an op
   reads them; other tensors are watched with ``tape.watch(t)``. The output
   of a recorded op is watched too, so dependence spreads forwards.
2. ``tape.gradient(target, sources)`` seeds ``d target / d target = 1`` and
   visits the nodes in reverse order of recording. Reverse recording order is a
   valid reverse topological order (an op is always recorded after the ops that
   made its inputs), so no graph sort is needed. Each node turns the gradient
   of its output into gradients of its inputs (``op.backward``); gradients of
   a tensor used several times are added up.
3. The nodes are dropped after ``gradient()`` (unless ``persistent=True``), so
   the graph is freed at once.

Read next: ``variable.py`` (the trainable state), then the op families
(``elementwise.py``, ``reduce.py``, ``shape.py``, ``matmul.py``, ``nn.py``,
``conv.py``, ``pool.py``).
"""

from minikeras import backend
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import context
from minikeras.utils import nest


class GradientTape:
    """Records operations for automatic differentiation (TensorFlow's API).

    Args:
        persistent: allow several ``gradient()`` calls on the same recording.
        watch_accessed_variables: watch every trainable Variable that an op
            reads while the tape is open.

    Example:
        >>> with minikeras.GradientTape() as tape:
        ...     loss = ops.sum(ops.tanh(x @ w))
        >>> dw = tape.gradient(loss, w)
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self.persistent = persistent
        self.watch_accessed_variables = watch_accessed_variables
        self.nodes = []  # (op, input tensors, output tensor), in recording order
        self._watched = {}  # id(tensor) -> tensor; holding it keeps the id unique
        self._used = False

    def __enter__(self):
        context.push_tape(self)
        return self

    def __exit__(self, *exc_info):
        context.pop_tape(self)
        return False

    def watch(self, tensor):
        """Asks the tape to track ``tensor`` (or a list of them)."""
        for item in tensor if isinstance(tensor, (list, tuple)) else [tensor]:
            if not isinstance(item, Tensor):
                raise ValueError(
                    f"GradientTape.watch expects a minikeras Tensor or Variable, got "
                    f"{type(item).__name__}. Wrap arrays with ops.convert_to_tensor first."
                )
            self._watched[id(item)] = item

    def stop_recording(self):
        """Context manager: ops inside it are not recorded."""
        return backend.no_grad()

    def reset(self):
        """Forgets everything recorded so far."""
        self.nodes = []
        self._watched = {}

    def record(self, op, inputs, output):
        """Called by ``Op.__call__``: keeps the op if an input is watched."""
        tracked = False
        for tensor in inputs:
            if id(tensor) in self._watched:
                tracked = True
            elif self.watch_accessed_variables and getattr(tensor, "trainable", False):
                self._watched[id(tensor)] = tensor  # a trainable Variable seen by the tape
                tracked = True
        if tracked:
            self.nodes.append((op, inputs, output))
            self._watched[id(output)] = output
            # An input no watched tensor leads to needs no gradient (from this tape;
            # another open tape may still ask for it, hence the "or").
            needs = tuple(id(tensor) in self._watched for tensor in inputs)
            if op.input_needs_gradient is not None:
                needs = tuple(a or b for a, b in zip(needs, op.input_needs_gradient))
            op.input_needs_gradient = needs

    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        """Returns d(sum of target) / d(source) for each source.

        Args:
            target: a Tensor; a non-scalar target is summed.
            sources: a Tensor or Variable, a list/tuple of them, or a dict.
            output_gradients: optional gradient to start from instead of ones.
            unconnected_gradients: ``"none"`` gives None for a source the target
                does not depend on, ``"zero"`` gives zeros.
        Returns:
            Gradients in the structure of ``sources``, each a Tensor with its
            source's shape (or None).
        """
        if unconnected_gradients not in ("none", "zero"):
            raise ValueError(f"unconnected_gradients must be 'none' or 'zero', got {unconnected_gradients!r}")
        if self._used and not self.persistent:
            raise RuntimeError(
                "A non-persistent GradientTape can only be used to compute one set of gradients. "
                "Create the tape with GradientTape(persistent=True) to call gradient() again."
            )
        self._used = True
        target = as_tensor(target)
        # 1. Walk the recording backwards.
        grads = self._backpropagate(target, output_gradients)
        # 2. Read off the requested gradients, in the structure asked for.
        def lookup(source):
            if not isinstance(source, Tensor):
                raise ValueError(
                    f"gradient() sources must be Tensors or Variables (or lists/dicts of them), "
                    f"got {type(source).__name__}."
                )
            dx = grads.get(id(source))
            if dx is None and unconnected_gradients == "zero":
                dx = backend.get_xp(source.data).zeros_like(source.data)
            return None if dx is None else Tensor(dx.astype(source.data.dtype, copy=False))
        result = nest.map_structure(lookup, sources)
        # 3. A non-persistent tape frees its graph now.
        if not self.persistent:
            self.reset()
        return result

    def _backpropagate(self, target, output_gradients):
        """Returns {id(tensor): gradient array} for every tensor reached."""
        xp = backend.get_xp(target.data)
        seed = xp.ones_like(target.data) if output_gradients is None else as_tensor(output_gradients).data
        grads = {id(target): seed}
        for op, inputs, output in reversed(self.nodes):
            dy = grads.get(id(output))
            if dy is None:
                continue  # this op does not lead to the target
            input_grads = op.backward(dy)
            if not isinstance(input_grads, tuple):
                input_grads = (input_grads,)
            for tensor, dx in zip(inputs, input_grads):
                if dx is None or not backend.is_float_dtype(tensor.data.dtype):
                    continue
                key = id(tensor)
                # A tensor used twice gets the sum of both gradients.
                grads[key] = dx if key not in grads else grads[key] + dx
        return grads
