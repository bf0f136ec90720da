"""``Metric``: a number averaged over an epoch, kept in state variables.

Place in the stack: beside the trainer (``minikeras/trainers/``), which
calls ``update_state`` after every batch, ``result()`` for the progress bar
and the history, and ``reset_state()`` at each epoch start. Read this file
first, then ``reduction.py`` (Mean, Sum, and the wrapper that turns a
per-sample function into a metric), ``accuracy.py``, ``confusion.py``.

Unlike a loss, a metric is never differentiated: every update works on raw
arrays through ``xp`` and records nothing on an open ``GradientTape``. The
state lives in non-trainable ``Variable``s created with ``add_variable``,
so ``reset_state`` can zero them all and a subclass needs no bookkeeping.
"""

from minikeras import backend
from minikeras import initializers
from minikeras.autodiff.tensor import Tensor
from minikeras.autodiff.variable import Variable
from minikeras.backend import context
from minikeras.utils.naming import to_snake_case


def to_raw(value, dtype=None):
    """The raw array behind ``value`` (Tensor, Variable, array, list, number)."""
    if isinstance(value, Tensor):
        value = value.data
    return backend.convert_to_tensor(value, dtype=dtype)


def match_ranks(x1, x2, expand_rank_1=True):
    """Raw-array twin of ``losses.squeeze_or_expand_to_same_rank``.

    ``(N,)`` against ``(N, 1)``: the rank-1 array gets a trailing axis; a rank
    difference of one with a trailing size-1 axis is otherwise squeezed.
    """
    if x1.ndim == x2.ndim + 1 and x1.shape[-1] == 1:
        if x2.ndim == 1 and expand_rank_1:
            x2 = x2[..., None]
        else:
            x1 = x1[..., 0]
    if x2.ndim == x1.ndim + 1 and x2.shape[-1] == 1:
        if x1.ndim == 1 and expand_rank_1:
            x1 = x1[..., None]
        else:
            x2 = x2[..., 0]
    return x1, x2


def divide_no_nan(numerator, denominator):
    """``numerator / denominator``, with 0 where the denominator is 0."""
    xp = backend.get_xp(numerator, denominator)
    safe = xp.where(denominator == 0, 1, denominator)
    return xp.where(denominator == 0, 0, numerator / safe).astype(numerator.dtype)


class Metric:
    """Base class of the metrics.

    Args:
        dtype: dtype of the state and the result; defaults to ``floatx()``.
        name: defaults to the snake_case class name.

    A subclass creates its state in ``__init__`` with ``self.add_variable``,
    and defines ``update_state(...)`` and ``result()``.

    Example:
        >>> class BinaryTruePositives(Metric):
        ...     def __init__(self, name="binary_true_positives", **kwargs):
        ...         super().__init__(name=name, **kwargs)
        ...         self.true_positives = self.add_variable(shape=(), initializer="zeros",
        ...                                                 name="true_positives")
        ...     def update_state(self, y_true, y_pred, sample_weight=None):
        ...         hits = (to_raw(y_true) == 1) & (to_raw(y_pred) == 1)
        ...         self.true_positives.assign(self.true_positives.data + hits.sum())
        ...     def result(self):
        ...         return self.true_positives.value
    """

    def __init__(self, dtype=None, name=None):
        self.name = name or context.unique_name(to_snake_case(type(self).__name__))
        self._dtype = backend.standardize_dtype(dtype) or backend.floatx()
        self._variables = []

    @property
    def dtype(self):
        return self._dtype

    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None):
        """Creates a state variable (non-trainable) and registers it.

        Args:
            shape: its shape (``()`` for a scalar).
            initializer: an initializer or its name (``"zeros"``).
            dtype: defaults to the metric's dtype.
            aggregation: how replicas would combine it (kept for Keras parity).
            name: short name; the path becomes ``"<metric name>/<name>"``.
        Returns:
            The new ``Variable``.
        """
        self._check_super_called()
        variable = Variable(initializers.get(initializer), shape=tuple(shape), dtype=dtype or self.dtype,
                            trainable=False, name=name, aggregation=aggregation)
        variable.path = f"{self.name.replace('/', '>')}/{variable.name}"
        self._variables.append(variable)
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        """Another name of ``add_variable`` (Keras 2 spelling)."""
        return self.add_variable(shape=shape, initializer=initializer or "zeros", dtype=dtype, name=name)

    @property
    def variables(self):
        """This metric's variables, then those of metrics held as attributes."""
        variables = list(self._variables)
        for value in vars(self).values():
            if isinstance(value, Metric):
                variables.extend(value.variables)
        return variables

    def reset_state(self):
        """Sets every state variable back to zero (called at each epoch start)."""
        for variable in self.variables:
            variable.assign(backend.get_xp(variable.data).zeros(variable.shape, dtype=variable.data.dtype))

    def update_state(self, *args, **kwargs):
        """Accumulates the statistics of one batch; subclasses define it."""
        raise NotImplementedError("abstract: every Metric subclass defines update_state")

    def result(self):
        """The current value (a scalar Tensor, or a dict of them); subclasses define it."""
        raise NotImplementedError("abstract: every Metric subclass defines result")

    def __call__(self, *args, **kwargs):
        """``update_state`` with these arguments, then ``result()``."""
        self._check_super_called()
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def _check_super_called(self):
        if not hasattr(self, "_variables"):
            raise RuntimeError("You forgot to call `super().__init__()` in the `__init__()` method. Go add it!")

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"
