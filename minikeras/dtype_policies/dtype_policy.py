"""``DTypePolicy``: which dtype a layer computes in, and which it stores its weights in.

Place in the stack: just under ``layers/``; it imports only ``backend``.
A layer asks its policy two questions and nothing more (STYLE.md: mixed
precision is a module of its own, reached through a few hooks):

* ``variable_dtype``: the dtype of the weights ``add_weight`` creates;
* ``compute_dtype``: the dtype the inputs are cast to, and the dtype the
  weights are read as inside the layer's ``call`` (``Op.__call__`` casts a
  Variable while ``backend.context.autocast_scope`` is open).

For a plain policy (``"float32"``) both are the same. Mixed precision
(``"mixed_float16"``) computes in float16, which is half the memory and, on
GPUs, much faster, while keeping the weights in float32: an update of 1e-4
to a weight of 1.0 vanishes in float16 (its spacing near 1.0 is 1e-3), but
not in float32. Gradients of float16 losses underflow, which is why
``LossScaleOptimizer`` (``optimizers/loss_scale_optimizer.py``) goes with it.

``"mixed_bfloat16"`` needs the ``ml_dtypes`` package (installed with Keras and
JAX), since NumPy has no bfloat16 type. Read next: ``dtype_policy_map.py``,
then ``Layer.__call__`` (``layers/layer.py``).
"""

from minikeras import backend

# The policy ``config.set_dtype_policy`` set; None means "floatx()", read anew
# each time, so that ``config.set_floatx("float64")`` still changes new layers.
_global_policy = None

_MIXED = {"mixed_float16": ("float16", "float32"), "mixed_bfloat16": ("bfloat16", "float32")}


def standardize_policy_dtype(name):
    """A dtype name as a policy holds it: ``"float32"``, ``"bfloat16"``, ``"string"``...

    Raises:
        ValueError: not a dtype name (Keras's message, which lists the valid policies).
    """
    if name in ("string", "bfloat16"):
        return name
    try:
        return backend.standardize_dtype(name)
    except TypeError:
        raise ValueError(
            f"Cannot convert '{name}' to a mixed precision DTypePolicy. Valid policies include "
            "'mixed_float16', 'mixed_bfloat16', and the name of any float dtype such as 'float32'.") from None


class DTypePolicy:
    """A layer's compute and variable dtypes (Keras's ``keras.DTypePolicy``).

    Args:
        name: a dtype name (``"float32"``, ``"float64"``: both dtypes are that
            one), or ``"mixed_float16"`` / ``"mixed_bfloat16"`` (compute in
            float16 / bfloat16, variables in float32). None: the global
            policy's name (``config.dtype_policy()``).

    Example:
        >>> policy = DTypePolicy("mixed_float16")
        >>> policy.compute_dtype, policy.variable_dtype
        ('float16', 'float32')
    """

    def __init__(self, name=None):
        if name is None:
            name = dtype_policy().name
        if not isinstance(name, str):
            raise TypeError("'name' must be a string, such as 'mixed_float16'. "
                            f"Received: name={name} (of type {type(name)})")
        self._name = name
        if name in _MIXED:
            self._compute_dtype, self._variable_dtype = _MIXED[name]
        else:
            self._compute_dtype = self._variable_dtype = standardize_policy_dtype(name)

    @property
    def name(self):
        return self._name

    @property
    def compute_dtype(self):
        """The dtype of the layer's inputs, outputs and computations."""
        return self._compute_dtype

    @property
    def variable_dtype(self):
        """The dtype of the layer's weights (float32 under mixed precision)."""
        return self._variable_dtype

    @property
    def quantization_mode(self):
        """Always None: minikeras has no quantized policies."""
        return None

    def get_config(self):
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f'<DTypePolicy "{self._name}">'

    def __eq__(self, other):
        return isinstance(other, DTypePolicy) and type(other).__name__ in _PLAIN and self._name == other._name

    def __hash__(self):
        return hash(self._name)


class FloatDTypePolicy(DTypePolicy):
    """Another name of ``DTypePolicy`` (Keras keeps it for older code); it
    serializes under its own class name."""


_PLAIN = ("DTypePolicy", "FloatDTypePolicy")


def set_dtype_policy(policy):
    """Sets the policy of the layers created from now on that get no ``dtype``.

    Args:
        policy: a name (``"mixed_float16"``) or a ``DTypePolicy``.
    Example:
        >>> set_dtype_policy("mixed_float16")   # every new layer computes in float16
        >>> set_dtype_policy("float32")         # back to the default
    """
    global _global_policy
    if isinstance(policy, str):
        policy = DTypePolicy(policy)
    if not isinstance(policy, DTypePolicy):
        raise ValueError("Invalid `policy` argument. Expected the string name of a policy (such as "
                         f"'mixed_float16') or a `DTypePolicy` instance. Received: policy={policy} "
                         f"(of type {type(policy)})")
    _global_policy = policy


def dtype_policy():
    """The global policy: the one set by ``set_dtype_policy``, else ``DTypePolicy(floatx())``."""
    if _global_policy is None:
        return DTypePolicy(backend.floatx())
    return _global_policy
