"""``Variable``: the mutable, trainable state of a model (Keras 3's ``keras.Variable``).

Place in the stack: after ``tape.py``. A Variable is a Tensor whose value can
be replaced with ``assign``. It is usable wherever a tensor is: an op reads its
current ``.data``, and an open tape watches it automatically when it is
trainable. Read next: the op families, starting with ``elementwise.py``.

``assign`` replaces the array rather than writing into it, so an op that kept
the old value for its backward pass still sees the value it used.
"""

from minikeras import backend
from minikeras.autodiff.tensor import Tensor
from minikeras.backend import context
from minikeras.backend import scopes


class Variable(Tensor):
    """A named, assignable tensor.

    Args:
        initializer: the initial value (array, scalar, list), or a callable
            ``initializer(shape, dtype)`` such as ``initializers.GlorotUniform()``,
            or an initializer's name (``"zeros"``).
        shape: required when ``initializer`` is callable.
        dtype: defaults to the value's dtype, or ``floatx()`` for a callable.
        trainable: whether the tape watches it and optimizers update it.
        name: short name (``"kernel"``); ``path`` adds the owner (``"dense/kernel"``).
        autocast: whether a mixed-precision layer reads it in its compute
            dtype (``Op.__call__`` casts it inside ``context.autocast_scope``);
            BatchNormalization's moving statistics say False.
        aggregation, synchronization: accepted for ``keras.Variable``'s
            signature and otherwise unused: minikeras runs on one device, so
            there is nothing to aggregate or synchronise.
    """

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, name=None,
                 autocast=True, aggregation="none", synchronization="auto"):
        if isinstance(name, str) and "/" in name:
            raise ValueError(f"Argument `name` must be a string without '/'. Received: name={name}")
        self.name = name or "variable"
        # "outer/name" inside minikeras.name_scope("outer"); Layer.add_weight adds the layer's name.
        self.path = scopes.prefixed(self.name)
        self.trainable = bool(trainable)
        self.autocast = bool(autocast)
        super().__init__(self._initial_value(initializer, shape, dtype))

    @staticmethod
    def _initial_value(initializer, shape, dtype):
        """Turns the ``initializer`` argument into the first raw array."""
        if isinstance(initializer, str):
            # Resolving a name needs the initializers module, which sits above
            # the engine; it is imported only for this case.
            from minikeras import initializers
            initializer = initializers.get(initializer)
        if callable(initializer):
            if shape is None:
                raise ValueError(
                    "When creating a Variable from an initializer, the `shape` argument should be "
                    f"specified. Received: initializer={initializer} and shape={shape}"
                )
            dtype = dtype or backend.floatx()
            value = initializer(tuple(shape), dtype=dtype)
            return backend.convert_to_tensor(value, dtype=dtype)
        value = backend.convert_to_tensor(initializer, dtype=dtype)
        if shape is not None and tuple(value.shape) != tuple(shape):
            raise ValueError(
                f"Initial value has shape {tuple(value.shape)}, but the variable was given "
                f"shape={tuple(shape)}."
            )
        return value

    @property
    def value(self):
        """The current value, as a Tensor (a copy: later assigns don't change it)."""
        return elementwise.copy(self)

    def assign(self, value):
        """Replaces the value. Its shape must match; its dtype is converted."""
        new = backend.convert_to_tensor(value, dtype=self.data.dtype)
        if tuple(new.shape) != tuple(self.data.shape):
            raise ValueError(
                f"The shape of the target variable and the shape of the target value in "
                f"`variable.assign(value)` must match. variable.shape={self.shape}, "
                f"Received: value.shape={tuple(new.shape)}. Target variable: {self}"
            )
        # A StatelessScope (or remat's recorder) keeps the old value to put it back later.
        for scope in context.state_scopes():
            scope.before_assign(self)
        self.data = new
        return self

    def assign_add(self, value):
        """``self.assign(self + value)``, without recording."""
        return self.assign(self.data + backend.convert_to_tensor(value, dtype=self.data.dtype))

    def assign_sub(self, value):
        """``self.assign(self - value)``, without recording."""
        return self.assign(self.data - backend.convert_to_tensor(value, dtype=self.data.dtype))

    def __repr__(self):
        return (f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}, "
                f"value={self.numpy()!r}>")


from minikeras.autodiff import elementwise  # noqa: E402  (see tensor.py)
