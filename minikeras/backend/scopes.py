"""Keras's top-level scopes: ``name_scope``, ``device``, ``StatelessScope``, ``SymbolicScope``.

Place in the stack: in ``backend/``, beside ``context.py`` (the tape stack
and the training flag), because like them these are process state that
travels with a block of code. ``minikeras/__init__.py`` exports them as
``minikeras.name_scope``... Who reads them:

* ``name_scope("encoder")``: ``current_path()`` is read by ``Variable`` and
  ``Layer.add_weight``, so a variable made inside gets the path
  ``"encoder/dense/kernel"`` instead of ``"dense/kernel"``;
* ``device("cpu")``: ``arrays.get_xp()`` returns NumPy inside it (CuPy, on
  that GPU, for ``"gpu:0"``), so new arrays and variables are made there;
* ``StatelessScope(state_mapping)``: ``Variable.assign`` asks
  ``context.state_scopes()``; inside the block variables read the given
  values, assignments are collected, and every variable is put back on exit;
* ``SymbolicScope()``: marks the symbolic stage; minikeras enters it for the
  trial calls on zeros that infer a layer's output shape
  (``layers/layer_symbolic.py``), as Keras enters it to trace a layer, so a
  layer can ask ``in_symbolic_scope()``.

Read next: ``minikeras/autodiff/remat.py``, which uses the state scopes to
re-run a forward pass exactly.
"""

import threading

from minikeras.backend import context

_local = threading.local()
# How many device scopes are open in any thread: lets get_xp() skip the lookup when none is.
OPEN_DEVICES = [0]


def _stack(name):
    """This thread's stack of ``name`` scopes (innermost last)."""
    if not hasattr(_local, name):
        setattr(_local, name, [])
    return getattr(_local, name)


# ----- name_scope -----
class name_scope:
    """Prefixes the ``path`` of the variables created inside: ``"<scope>/.../<name>"``.

    Args:
        name: one path component (a string without ``/``).
        caller: optional owner object; with ``deduplicate``, entering the
            scope of the same caller and name twice in a row adds one level only.
        deduplicate: see ``caller`` (True).
        override_parent: a path that replaces the enclosing scopes' path.

    Example:
        >>> with minikeras.name_scope("encoder"):
        ...     v = minikeras.Variable(1.0, name="w")
        >>> v.path
        'encoder/w'
    """

    def __init__(self, name, caller=None, deduplicate=True, override_parent=None):
        if not isinstance(name, str) or "/" in name:
            raise ValueError("Argument `name` must be a string and cannot contain character `/`. "
                             f"Received: name={name}")
        self.name, self.caller, self.deduplicate = name, caller, deduplicate
        self.override_parent = override_parent
        if override_parent is None and deduplicate and getattr(caller, "_parent_path", None) is not None:
            self.override_parent = caller._parent_path
        self._pop_on_exit = False

    def __enter__(self):
        stack = _stack("name_scopes")
        if self.deduplicate and stack and self.caller is not None and \
                stack[-1].caller is self.caller and stack[-1].name == self.name:
            return self
        stack.append(self)
        self._pop_on_exit = True
        return self

    def __exit__(self, *exc_info):
        if self._pop_on_exit:
            _stack("name_scopes").pop()
            self._pop_on_exit = False
        return False


def current_path():
    """The path of the open name scopes, ``"outer/inner"`` ("" outside any)."""
    parts = []
    for scope in _stack("name_scopes"):
        if scope.override_parent is not None:
            parts = [part for part in scope.override_parent.split("/") if part]
        parts.append(scope.name)
    return "/".join(parts)


def prefixed(name):
    """``name`` under the current name scope: ``"outer/name"``, or ``name`` outside any."""
    path = current_path()
    return f"{path}/{name}" if path else name


# ----- device -----
class device:
    """Places the arrays created inside the block on a device: ``"cpu"``, ``"cpu:0"``, ``"gpu:0"``.

    Args:
        device_name: ``"cpu"`` or ``"cpu:0"`` (NumPy), ``"gpu:N"`` or
            ``"cuda:N"`` (CuPy on GPU N; needs CuPy and that GPU). Case is ignored.

    Raises:
        ValueError: for a malformed name, an unknown device type or a CPU
            index other than 0 (minikeras sees one CPU device per process).
        RuntimeError: for a GPU when CuPy or that GPU is missing.
    """

    def __init__(self, device_name):
        if not isinstance(device_name, str):
            raise ValueError(f"Invalid value for argument `device_name`: expected a string such as 'cpu' "
                             f"or 'gpu:0'. Received: device_name={device_name!r}")
        kind, _, index = device_name.lower().partition(":")
        if kind not in ("cpu", "gpu", "cuda") or (index and not index.isdigit()):
            raise ValueError(f"Invalid value for argument `device_name`: unknown device {device_name!r}. "
                             "Expected 'cpu', 'cpu:0', 'gpu:N' or 'cuda:N'.")
        self.device_type = "cpu" if kind == "cpu" else "gpu"
        self.index = int(index or 0)
        if self.device_type == "cpu" and self.index != 0:
            raise ValueError(f"Device not found: {device_name}. minikeras has one CPU device, 'cpu:0'.")
        self.name = f"{self.device_type}:{self.index}"
        self._cupy_device = None

    def array_module(self):
        """NumPy for the CPU, CuPy for a GPU (checked when the block is entered)."""
        if self.device_type == "cpu":
            import numpy
            return numpy
        from minikeras.backend import arrays
        return arrays._load_cupy()

    def __enter__(self):
        if self.device_type == "gpu":
            try:
                cupy = self.array_module()
            except (ImportError, RuntimeError) as error:
                raise RuntimeError(f"Cannot place arrays on '{self.name}': {error}") from None
            if self.index >= cupy.cuda.runtime.getDeviceCount():
                raise RuntimeError(f"Device not found: {self.name} ({cupy.cuda.runtime.getDeviceCount()} GPUs).")
            self._cupy_device = cupy.cuda.Device(self.index)
            self._cupy_device.__enter__()
        _stack("devices").append(self)
        OPEN_DEVICES[0] += 1
        return self

    def __exit__(self, *exc_info):
        _stack("devices").pop()
        OPEN_DEVICES[0] -= 1
        if self._cupy_device is not None:
            self._cupy_device.__exit__(*exc_info)
            self._cupy_device = None
        return False


def current_device():
    """The innermost open ``device`` scope, or None (then ``config.backend()`` decides)."""
    devices = _stack("devices")
    return devices[-1] if devices else None


# ----- StatelessScope -----
class StatelessScope:
    """Runs code without changing any Variable: reads come from ``state_mapping``, writes are collected.

    Args:
        state_mapping: ``[(variable, value), ...]``: inside the block each
            variable reads ``value`` (a copy; your array is never written).
        collect_losses: if True, ``add_loss`` inside the block goes to
            ``scope.losses`` (otherwise such losses are dropped); in both
            cases no layer keeps them.
        initialize_variables: accepted for Keras's signature; minikeras
            creates variables with their values at once, so there is
            nothing left to initialise on exit.

    Inside the block ``variable.assign(v)`` changes what later code reads;
    on exit every mapped or assigned variable gets its old value back, and
    ``scope.get_current_value(variable)`` gives its last value in the block.

    Example:
        >>> mapping = [(w, ops.ones(w.shape)) for w in layer.weights]
        >>> with minikeras.StatelessScope(mapping) as scope:
        ...     y = layer(x)                  # computed with weights of ones
        >>> new = scope.get_current_value(layer.weights[0])   # a NumPy array

    Note: ``assign`` (what layers, metrics and random seeds use) is tracked.
    Code that writes into ``variable.data`` in place (the optimizers' slot
    updates) is contained only for the variables given in ``state_mapping``,
    as Keras's ``stateless_apply`` maps all of them.
    """

    def __init__(self, state_mapping=None, collect_losses=False, initialize_variables=True):
        self.collect_losses, self.initialize_variables = collect_losses, initialize_variables
        self.losses = []
        self._values = {}  # id(variable) -> (variable, raw array)
        for variable, value in state_mapping or []:
            if not _is_variable(variable):
                raise ValueError("Invalid reference variable in StatelessScope: all keys in argument "
                                 f"`mapping` must be Variable instances. Received instead: {variable}")
            array = _raw_copy(value, variable.data)
            if tuple(array.shape) != tuple(variable.shape):
                raise ValueError("Invalid variable value in StatelessScope: all values in argument `mapping` "
                                 "must be tensors with a shape that matches the corresponding variable shape. "
                                 f"For variable {variable.path}, received invalid value with shape "
                                 f"{tuple(array.shape)}.")
            self._values[id(variable)] = (variable, array)
        self._originals = None  # id(variable) -> (variable, array before the block), while open

    def __enter__(self):
        self._originals = {}
        for variable, array in self._values.values():
            self.before_assign(variable)
            variable.data = array
        context.push_state_scope(self)
        return self

    def before_assign(self, variable):
        """Called by ``Variable.assign`` (and on entry): remember the value to put back."""
        if id(variable) not in self._originals:
            self._originals[id(variable)] = (variable, variable.data)

    def add_loss(self, loss):
        self.losses.append(loss)

    def add_update(self, update):
        """Records ``(variable, value)`` as the variable's value in this scope."""
        variable, value = update
        if self._originals is not None:
            self.before_assign(variable)
            variable.data = _raw_copy(value, variable.data)
        else:
            self._values[id(variable)] = (variable, _raw_copy(value, variable.data))

    def get_current_value(self, variable):
        """The variable's value in the scope, or None if it was neither mapped nor assigned.

        Returns a backend array (``numpy.ndarray`` or ``cupy.ndarray``), as
        Keras returns a backend tensor.
        """
        if self._originals is not None and id(variable) in self._originals:
            return variable.data
        found = self._values.get(id(variable))
        return None if found is None else found[1]

    def __exit__(self, *exc_info):
        context.pop_state_scope(self)
        for key, (variable, original) in self._originals.items():
            self._values[key] = (variable, variable.data)  # the last value, in-place writes included
            variable.data = original
        self._originals = None
        return False


def in_stateless_scope():
    """True inside a ``StatelessScope``."""
    return get_stateless_scope() is not None


def get_stateless_scope():
    """The innermost open ``StatelessScope``, or None."""
    for scope in reversed(context.state_scopes()):
        if isinstance(scope, StatelessScope):
            return scope
    return None


def _is_variable(value):
    """A ``minikeras.Variable`` (told by its methods: the engine sits above ``backend/``)."""
    return callable(getattr(value, "assign", None)) and hasattr(value, "path") and hasattr(value, "data")


def _raw_copy(value, like):
    """``value`` (Tensor, Variable, array, number) as a fresh raw array of ``like``'s dtype and module."""
    from minikeras.backend import arrays
    if hasattr(value, "__minikeras_array__"):
        value = value.__minikeras_array__()
    xp = arrays.get_xp(like)
    return xp.array(xp.asarray(value), dtype=like.dtype, copy=True)


# ----- SymbolicScope -----
class SymbolicScope:
    """Marks the symbolic stage: code run only to learn shapes and dtypes.

    minikeras enters it (with its own state snapshot) for the trial calls
    on zeros that infer a layer's output in the functional API, as Keras
    enters it when it traces a layer; a layer can test ``in_symbolic_scope()``
    to skip work that only matters on real data.
    """

    def __enter__(self):
        _stack("symbolic_scopes").append(self)
        return self

    def __exit__(self, *exc_info):
        _stack("symbolic_scopes").pop()
        return False


def in_symbolic_scope():
    """True inside a ``SymbolicScope``."""
    return bool(_stack("symbolic_scopes"))


def get_symbolic_scope():
    """The innermost open ``SymbolicScope``, or None."""
    scopes = _stack("symbolic_scopes")
    return scopes[-1] if scopes else None

