"""Nested structures of tensors: flatten them, and rebuild them.

Place in the stack: ``minikeras.utils``, just above the backend, so that the
tape, the layers, the models and the data adapters all walk nests the same
way. Layers take and return nested structures (a tensor, a list of tensors
for ``Concatenate``, a dict of tensors for a functional model with named
inputs); ``tape.gradient`` takes a nest of sources; a batch of ``fit`` is a
nest of arrays. These functions walk them alike: lists and tuples in order,
dicts in sorted-key order for ``flatten`` (as Keras's ``tree`` does),
anything else is a leaf. Read next: ``minikeras/layers/keras_tensor.py``.
"""


def is_nested(structure):
    """True for the containers this module walks into: list, tuple, dict."""
    return isinstance(structure, (list, tuple, dict))


def flatten(structure):
    """Returns the leaves of ``structure`` as a flat list.

    Example: ``flatten({"b": 2, "a": [1, (3,)]}) == [1, 3, 2]``.
    """
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def map_structure(function, structure, none_is_leaf=True):
    """Applies ``function`` to every leaf, keeping the containers.

    Args:
        function: called once per leaf; its results replace the leaves.
        structure: a leaf, or lists, tuples and dicts nesting leaves.
        none_is_leaf: as in ``keras.tree.map_structure``; ``False`` keeps each
            ``None`` as it is, without calling ``function`` (a batch without
            ``sample_weight``).
    """
    if structure is None and not none_is_leaf:
        return None
    if isinstance(structure, dict):
        return {key: map_structure(function, value, none_is_leaf) for key, value in structure.items()}
    if isinstance(structure, list):
        return [map_structure(function, item, none_is_leaf) for item in structure]
    if isinstance(structure, tuple):
        return tuple(map_structure(function, item, none_is_leaf) for item in structure)
    return function(structure)


def pack_like(structure, flat):
    """The inverse of ``flatten``: puts the values of ``flat`` into the shape
    of ``structure``.

    Args:
        structure: any nested structure with ``len(flatten(structure))`` leaves.
        flat: a list of values, in ``flatten`` order.
    """
    leaves = iter(flat)

    def rebuild(node):
        if isinstance(node, dict):
            # Fill in sorted-key order (the order of `flatten`), keep the
            # dict's own key order.
            filled = {key: rebuild(node[key]) for key in sorted(node)}
            return {key: filled[key] for key in node}
        if isinstance(node, list):
            return [rebuild(item) for item in node]
        if isinstance(node, tuple):
            return tuple(rebuild(item) for item in node)
        return next(leaves)

    return rebuild(structure)
