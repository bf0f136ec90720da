"""Ops on symbolic tensors: how ``keras.ops.relu(x)`` joins a functional graph.

Place in the stack: beside the public ``minikeras.ops`` functions, which it
wraps. In Keras 3 this functional code works::

    inputs = keras.Input((8,))
    a, b = keras.layers.Dense(4)(inputs), keras.layers.Dense(4)(inputs)
    x = keras.ops.relu(a + b) * 2.0          # ops and operators on KerasTensors
    x = keras.ops.concatenate([x[:, :2], a], axis=-1)
    model = keras.Model(inputs, x)

Each op called on a ``KerasTensor`` computes nothing: it records a node in
the graph, exactly as a layer call does, and returns a new ``KerasTensor``.
The mechanism is one explicit wrapper, applied function by function in
``numpy.py``, ``nn.py``, ``math.py`` and ``core.py``::

    add = functional_aware(elementwise.add)

``functional_aware(function)`` returns a function that looks at its
arguments once: if one of them (or one item of a list/tuple argument, as in
``concatenate([x, a])``) is a KerasTensor, it hands the call to
``symbolic_call``; otherwise it calls ``function`` at once. That single type
check is the only cost on the eager path: about 0.2 microseconds, some 5% of
an ``add`` of two 4x4 arrays (3 to 4 microseconds) and less for anything
larger; the training loop never sees anything else.

``symbolic_call`` makes an ``Operation`` (``minikeras/layers/operation.py``): a
layer with no weights whose ``call`` applies the op. Calling that layer on the
KerasTensors goes through the functional machinery of every layer (shape and
dtype from trial calls on zeros, a ``Node`` in the graph), so summaries,
``Model(inputs, outputs)`` and saving treat op nodes like any other call.
``KerasTensor``'s Python operators (``a + b``, ``x[:, :2]``) call these
wrapped functions too. Read next: ``minikeras/layers/operation.py``.
"""

import functools

from minikeras.backend.keras_tensor import KerasTensor

_SEQUENCES = (list, tuple)


def functional_aware(function):
    """Returns ``function`` made to record a graph node when given KerasTensors.

    Args:
        function: an eager op on tensors and arrays, e.g. ``autodiff.elementwise.add``.
            Its ``__name__`` is the op's Keras name (``"add"``).

    Returns:
        A function with the same name, signature and docstring.
    """
    @functools.wraps(function)
    def op(*args, **kwargs):
        # The one check on the eager path: is an argument, or an item of a
        # list/tuple argument (``concatenate([x, a])``), a KerasTensor? One
        # level of nesting covers every op signature. `type(...) is` and
        # `map` keep this to about 0.2 microseconds.
        for value in (*args, *kwargs.values()) if kwargs else args:
            if type(value) is KerasTensor or (
                    type(value) in _SEQUENCES and KerasTensor in map(type, value)):
                return symbolic_call(function, args, kwargs)
        return function(*args, **kwargs)
    return op


def symbolic_call(function, args, kwargs):
    """Records ``function(*args, **kwargs)`` in the functional graph.

    Returns:
        The symbolic output: a KerasTensor (or a tuple/list of them for ops
        such as ``top_k`` that return several values).
    """
    # The graph's nodes and layers live in `minikeras.layers`, above the ops;
    # only this symbolic path, never the eager one, imports them.
    from minikeras.layers.operation import Operation
    operation, call_args, call_kwargs = Operation.from_function_call(function, args, kwargs)
    return operation(*call_args, **call_kwargs)
