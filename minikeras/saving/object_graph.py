"""Where each variable goes in a weights file: a walk over the object graph.

Place in the stack: between ``saving_lib.py`` (which opens the files) and
``h5_store.py`` (which reads and writes arrays). Read it to see why a Dense
layer's kernel lives at ``layers/dense/vars/0`` and not under its name.

Paths come from how objects hold each other, never from layer names (names
like ``dense_7`` depend on how many layers were made before). The rules,
those of Keras 3 so that both libraries read each other's files:

* the root model writes its own variables at ``vars``;
* a Sequential or functional model lists its ``layers`` first, each keyed by
  its snake_case class name, made unique in that list: ``layers/dense``,
  ``layers/dense_1``;
* then every attribute, sorted by name with ``_private`` ones last: a layer
  in ``self.encoder`` goes to ``encoder``, a list ``self.blocks`` gives
  ``blocks/dense``, ``blocks/dense_1``; the compiled optimizer goes to
  ``optimizer``;
* an object reachable twice is saved once, at the first path met.

Loading walks the same graph and checks every name, count and shape from the
file's metadata, then reads only the arrays that fit, and only then assigns: a
bad file leaves the model untouched and costs no more memory than the model.
"""

import warnings

import numpy as np

from minikeras.utils.naming import to_snake_case

# Bookkeeping attributes of minikeras's own classes, not user state.
_INTERNAL_ATTRIBUTES = frozenset({
    "_trainable_variables", "_non_trainable_variables", "_seed_generators", "_losses",
    "_inbound_nodes", "_outbound_nodes", "_layers", "_functional", "_operations",
    "_input_layers", "_output_layers", "_nodes", "_graph", "_graph_layers",
})


def is_saveable(obj):
    """Layers (models included) and optimizers own variables that are saved."""
    from minikeras.layers.layer import Layer
    from minikeras.optimizers.optimizer import Optimizer
    return isinstance(obj, (Layer, Optimizer))


def own_variables(obj):
    """The variables an object saves itself, in file order ("0", "1", ...).

    A layer's own trainable then non-trainable variables (not its sublayers');
    an optimizer's ``variables`` (iterations, learning rate, then its slots).
    """
    from minikeras.optimizers.optimizer import Optimizer
    if isinstance(obj, Optimizer):
        return obj.variables
    return obj._trainable_variables + obj._non_trainable_variables


def _name_key(name):
    return "~" + name if name.startswith("_") else name


def _children(obj):
    """Yields ``(attribute name, value)`` in the order the walk visits them.

    Keras walks ``dir(model)``, which for a model also holds the ``layers``
    and ``optimizer`` properties; they take their alphabetical place here too.
    """
    from minikeras.models.model import Model
    graph_layers = _graph_layers(obj)
    if graph_layers is not None:
        yield "layers", graph_layers
    attributes = {name: value for name, value in vars(obj).items()
                  if name not in _INTERNAL_ATTRIBUTES and not name.startswith("__")}
    if isinstance(obj, Model):
        attributes.setdefault("optimizer", getattr(obj, "optimizer", None))
        if graph_layers is None:
            attributes["layers"] = list(obj.layers)
    for name in sorted(attributes, key=_name_key):
        yield name, attributes[name]


def _graph_layers(obj):
    """The ``layers`` list of a Sequential or functional model, else None."""
    from minikeras.models.model import Model
    from minikeras.models.sequential import Sequential
    if isinstance(obj, Sequential) or (isinstance(obj, Model) and getattr(obj, "_graph", None) is not None):
        return list(obj.layers)
    return None


def walk(obj, path="", visited=None):
    """Yields ``(path, saveable)`` for ``obj`` and everything it holds, each once.

    Args:
        obj: the root (a model, a layer or an optimizer).
        path: the root's path ("" for the file's root).
        visited: ids already yielded (shared between recursive calls).
    """
    visited = set() if visited is None else visited
    if id(obj) in visited:
        return
    visited.add(id(obj))
    yield path, obj
    for name, child in _children(obj):
        child_path = f"{path}/{name}" if path else name
        if is_saveable(child):
            yield from walk(child, child_path, visited)
        elif isinstance(child, (list, tuple, dict)):
            yield from _walk_container(child, child_path, visited, set())


def _walk_container(container, path, visited, visited_containers):
    if id(container) in visited_containers:
        return
    visited_containers.add(id(container))
    items = list(container.values()) if isinstance(container, dict) else container
    used_names = {}
    for item in items:
        if is_saveable(item):
            if id(item) in visited:
                continue
            yield from walk(item, f"{path}/{_unique_name(to_snake_case(type(item).__name__), used_names)}", visited)
        elif isinstance(item, (list, tuple, dict)):
            name = _unique_name("container", used_names)
            yield from _walk_container(item, f"{path}/{name}", visited, visited_containers)


def _unique_name(name, used_names):
    """``dense``, then ``dense_1``, ``dense_2``... within one list."""
    if name in used_names:
        used_names[name] += 1
        return f"{name}_{used_names[name]}"
    used_names[name] = 0
    return name


def save_variables(root, writer):
    """Writes every saveable's own variables under its path (``h5_store.H5WeightsWriter``)."""
    for path, obj in walk(root):
        store = writer.make(path, name=getattr(obj, "name", None))
        for index, variable in enumerate(own_variables(obj)):
            store[str(index)] = variable


def load_variables(root, reader, skip_mismatch=False):
    """Reads every saveable's arrays, checks them all, then assigns them.

    Args:
        root: the model (or layer) to fill.
        reader: an ``h5_store.H5WeightsReader``.
        skip_mismatch: if True, objects whose arrays do not fit are left as
            they are (with a warning) instead of failing the whole load.

    Raises:
        ValueError: "A total of N objects could not be loaded..." when some
            object's saved arrays do not match its variables.
    """
    # 1. Check names, counts and shapes from the file's metadata: nothing is read yet.
    plan, errors = [], []
    for path, obj in walk(root):
        specs = reader.specs(path)
        problem = _mismatch(obj, own_variables(obj), specs)
        if problem is None:
            plan.append((path, own_variables(obj)))
        elif _is_optimizer_count_mismatch(obj, specs):
            warnings.warn(problem, stacklevel=3)
        else:
            errors.append((path or "(root)", problem))
    if errors and not skip_mismatch:
        raise ValueError(_errors_message(errors))
    for path, problem in errors:
        warnings.warn(f"Skipping loading weights for '{path}': {problem}", stacklevel=3)
    # 2. Read only the arrays that fit, all of them before assigning any.
    arrays = [[reader.read(path, str(index)) for index in range(len(variables))] for path, variables in plan]
    # 3. Assign.
    for (_, variables), values in zip(plan, arrays):
        for variable, value in zip(variables, values):
            variable.assign(value.astype(np.dtype(variable.dtype)))


def _mismatch(obj, variables, specs):
    """None if the saved ``{"0": (shape, dtype), ...}`` fits ``variables`` exactly, else a message."""
    from minikeras.optimizers.optimizer import Optimizer
    kind = "optimizer" if isinstance(obj, Optimizer) else "Layer"
    if set(specs) != {str(index) for index in range(len(specs))} or len(specs) != len(variables):
        if kind == "optimizer":
            return (f"Skipping variable loading for optimizer '{obj.name}', because it has "
                    f"{len(variables)} variables whereas the saved optimizer has {len(specs)} variables.")
        return (f"Layer '{obj.name}' expected {len(variables)} variables, but received {len(specs)} "
                f"variables during loading. Expected: {[variable.name for variable in variables]}")
    for index, variable in enumerate(variables):
        saved_shape, expected_shape = specs[str(index)][0], tuple(variable.shape)
        if saved_shape != expected_shape:
            return (f"The shape of variable '{variable.name}' of {kind} '{obj.name}' is "
                    f"{expected_shape}, but the saved value has shape {saved_shape}.")
    return None


def _is_optimizer_count_mismatch(obj, specs):
    from minikeras.optimizers.optimizer import Optimizer
    return isinstance(obj, Optimizer) and len(specs) != len(obj.variables)


def _errors_message(errors):
    path, first = errors[0]
    listing = "\n".join(f"- {error_path}" for error_path, _ in errors)
    return (f"A total of {len(errors)} objects could not be loaded. Example error message for "
            f"object at '{path}':\n\n{first}\n\nList of objects that could not be loaded:\n{listing}")


def build_by_running(model, build_config):
    """Builds a subclassed model's sublayers by calling it once on zeros.

    Keras's ``Model.build`` does this for subclassed models; its layers only
    learn their shapes from a call. The loader needs it before the optimizer
    is rebuilt and the weights are read.

    Args:
        model: the freshly rebuilt object.
        build_config: ``{"input_shape": [None, 28, 28, 1]}`` (a list of such
            shapes for several inputs).
    """
    from minikeras.backend import context
    from minikeras.models.model import Model
    if not isinstance(model, Model) or _graph_layers(model) is not None:
        return
    if all(layer.built for layer in model._flatten_layers()):
        return
    shape = build_config.get("input_shape")
    if not shape:
        return
    with context.no_grad():
        model(_zeros_like_shape(shape), training=False)


def _zeros_like_shape(shape):
    """Zeros for a shape with None (batch) entries; a list of shapes gives a list."""
    if all(size is None or isinstance(size, int) for size in shape):
        return np.zeros([1 if size is None else size for size in shape], "float32")
    return [_zeros_like_shape(item) for item in shape]
