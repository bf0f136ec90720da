"""Rematerialization (gradient checkpointing): recompute a forward pass in the backward pass.

Place in the stack: after ``tape.py`` and ``variable.py``, whose recording it
bends. ``minikeras.remat(f)`` and ``minikeras.RematScope`` (Keras 3's names)
are exported from here; ``Layer.__call__`` asks ``rematerialized_call`` when
the layer was made inside a ``RematScope``.

Why: to compute gradients, a tape keeps every op of the forward pass with
the arrays its backward needs (a Dense layer's input, an activation's
output...). For a deep network that is most of the memory of training.
``remat(f)`` trades time for memory:

1. forward: ``f`` runs with a private tape that records nothing but which
   tensors the user's tapes follow (``f``'s arguments, the trainable
   Variables it reads, tensors it captured). The user's tapes get ONE node,
   ``Rematerialize``, which keeps only those inputs; ``f``'s intermediates are
   freed as soon as ``f`` returns;
2. backward: ``Rematerialize.backward(dy)`` runs ``f`` again on the same
   inputs under a real tape, from the same variable state (a ``StatelessScope``
   gives back the values the first run started from, so a Dropout draws the
   same mask and BatchNormalization sees the same statistics), and asks that
   tape for the gradients. Memory is spent only for one ``f`` at a time.

Nesting works (a rematerialized ``f`` may call another). An ``f`` with
several outputs records one node per output, each re-running ``f`` for its
own gradient: correct, at the cost of one re-run per output used.
``Layer.__call__`` (``minikeras/layers/layer.py``) uses ``rematerialized_call``
below. Read next: ``minikeras/ops/``.
"""

import collections
import functools
import math
import threading

from minikeras.autodiff.op import Op
from minikeras.autodiff.tape import GradientTape
from minikeras.autodiff.tensor import Tensor
from minikeras.backend import context
from minikeras.backend import scopes
from minikeras.utils import nest

_MODES = ("full", "activations", "larger_than", "list_of_layers", None)
_local = threading.local()

RematMode = collections.namedtuple("RematMode", ["mode", "output_size_threshold", "layer_names"])


class RematScope:
    """Layers CREATED inside this block rematerialize their calls (Keras's ``keras.RematScope``).

    Args:
        mode: ``"full"`` (every layer), ``"activations"`` (only the
            ``activation`` of layers that have one), ``"larger_than"``
            (layers whose output has more than ``output_size_threshold``
            entries), ``"list_of_layers"`` (the layers named in
            ``layer_names``), or None (none: turns an outer scope off).
        output_size_threshold: for ``"larger_than"`` (1024).
        layer_names: for ``"list_of_layers"``.
    """

    def __init__(self, mode="full", output_size_threshold=1024, layer_names=None):
        if mode not in _MODES:
            raise ValueError(f"Invalid mode '{mode}'. Supported modes are: 'full', 'activations', "
                             "'larger_than', 'list_of_layers', or  None.")
        self.mode, self.output_size_threshold = mode, output_size_threshold
        self.layer_names = layer_names or []

    def __enter__(self):
        _scopes().append(self)
        return self

    def __exit__(self, *exc_info):
        _scopes().pop()
        return False


def _scopes():
    if not hasattr(_local, "scopes"):
        _local.scopes = []
    return _local.scopes


def get_current_remat_mode():
    """The innermost ``RematScope``'s settings as a ``RematMode``, or None outside any."""
    scopes_open = _scopes()
    if not scopes_open:
        return None
    scope = scopes_open[-1]
    return RematMode(scope.mode, scope.output_size_threshold, scope.layer_names)


class _SourceFinder(GradientTape):
    """A tape that stores no op: it only notes which tensors the user's tapes follow.

    Stands in for the user's tapes while ``f`` first runs. An op input counts
    as a source if it is a trainable Variable or a tensor one of ``outer_tapes``
    watches (``f``'s arguments, or a tensor it captured from outside).
    """

    def __init__(self, outer_tapes):
        super().__init__()
        self.outer_tapes = outer_tapes
        self.sources = {}  # id -> tensor, in first-use order

    def record(self, op, inputs, output):
        for tensor in inputs:
            if getattr(tensor, "trainable", False) or any(id(tensor) in tape._watched for tape in self.outer_tapes):
                self.sources.setdefault(id(tensor), tensor)


class _StateRecorder:
    """Notes the value every Variable had before its first ``assign`` (see ``scopes.StatelessScope``)."""

    def __init__(self):
        self.originals = {}

    def before_assign(self, variable):
        self.originals.setdefault(id(variable), (variable, variable.data))


class Rematerialize(Op):
    """y = f(inputs)[index], stored without f's intermediates; dx = VJP of a second run of f.

    Args:
        function: ``f`` with its arguments bound (a callable of no argument).
        sources: the tensors gradients flow to (the op's inputs).
        state: ``[(variable, value before the first run)]`` for a replay.
        training, autocast: the call context of the first run.
        index: which output leaf this node stands for.
    """

    def __init__(self, function, sources, state, training, autocast, index):
        self.function, self.sources, self.state = function, sources, state
        self.training, self.autocast, self.index = training, autocast, index

    def forward(self, *arrays):
        raise NotImplementedError("Rematerialize is recorded by remat(), never called on arrays")

    def backward(self, dy):
        # 1. Replay f from the first run's state, recording this time; nothing it assigns is kept.
        with scopes.StatelessScope(self.state), context.training_scope(self.training), \
                context.autocast_scope(self.autocast), context.replaced_tapes([]):
            with GradientTape(watch_accessed_variables=False) as tape:
                tape.watch(self.sources)
                outputs = nest.flatten(self.function())
            # 2. The VJP of this output, for every source.
            grads = tape.gradient(outputs[self.index], self.sources, output_gradients=Tensor(dy))
        return tuple(None if grad is None else grad.data for grad in grads)


def remat(f):
    """``f`` with gradient checkpointing: its intermediates are recomputed in the backward pass.

    Args:
        f: a function of tensors (a layer's ``call``, a block of ops)
            returning a Tensor or a nest of Tensors.
    Returns:
        A function with ``f``'s signature and results. With no tape open
        it is just ``f``; under a tape it adds one node per output instead
        of one per op, and gives the same gradients.
    """
    @functools.wraps(f)
    def rematerialized(*args, **kwargs):
        tapes = context.active_tapes()
        if not tapes:
            return f(*args, **kwargs)
        # 1. First run: no op stored; note the sources and the state f starts from.
        finder, recorder = _SourceFinder(tapes), _StateRecorder()
        context.push_state_scope(recorder)
        try:
            with context.replaced_tapes([finder]):
                outputs = f(*args, **kwargs)
        finally:
            context.pop_state_scope(recorder)
        sources = list(finder.sources.values())
        if not sources:
            return outputs  # f depends on nothing differentiable: nothing to record
        # 2. One node per output leaf, whose inputs are the sources.
        leaves = nest.flatten(outputs)
        state = list(recorder.originals.values())
        bound = functools.partial(f, *args, **kwargs)
        for index, leaf in enumerate(leaves):
            if isinstance(leaf, Tensor) and leaf.data.dtype.kind == "f":
                op = Rematerialize(bound, sources, state, context.in_training(), context.autocast_dtype(), index)
                for tape in tapes:
                    tape.record(op, sources, leaf)
        return outputs
    return rematerialized


def output_size(spec):
    """The number of entries of a symbolic output (None sizes count as 1), summed over a nest."""
    return sum(math.prod(size or 1 for size in leaf.shape) for leaf in nest.flatten(spec)
               if hasattr(leaf, "shape"))


def rematerialized_call(layer, layer_call, args, kwargs):
    """``layer_call`` as the layer's ``RematScope`` mode says (Keras's ``Layer.rematerialized_call``).

    Args:
        layer: a Layer made inside a ``RematScope`` (``layer._remat_mode``).
        layer_call: its ``call``.
        args, kwargs: the call's arguments (for ``"larger_than"``).
    Returns:
        The function to call instead of ``layer_call``.
    """
    mode = getattr(layer, "_remat_mode", None)
    if not mode or mode.mode is None:
        return layer_call
    if mode.mode == "full":
        return remat(layer_call)
    if mode.mode == "list_of_layers":
        return remat(layer_call) if layer.name in mode.layer_names else layer_call
    if mode.mode == "activations" and getattr(layer, "activation", None) is not None:
        @functools.wraps(layer_call)
        def call_with_rematerialized_activation(*call_args, **call_kwargs):
            original = layer.activation
            layer.activation = remat(original)
            try:
                return layer_call(*call_args, **call_kwargs)
            finally:
                layer.activation = original
        return call_with_rematerialized_activation
    if mode.mode == "larger_than":
        from minikeras.backend.keras_tensor import KerasTensor

        def symbolic(leaf):
            return KerasTensor(leaf.shape, dtype=str(leaf.dtype)) if isinstance(leaf, Tensor) else leaf
        spec = layer.compute_output_spec(*nest.map_structure(symbolic, list(args)),
                                         **nest.map_structure(symbolic, dict(kwargs)))
        if output_size(spec) > mode.output_size_threshold:
            return remat(layer_call)
    return layer_call
