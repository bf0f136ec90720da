"""``Lambda``: a layer made from a plain function, ``Lambda(lambda x: x * 2)``.

Place in the stack: a concrete layer, right above ``layer.py``. ``call`` is
``function(inputs, **arguments)`` (plus ``mask=`` and ``training=`` when the
function names them); the output shape comes from ``output_shape``
when given (without the batch axis, as in Keras), else from a trial call on
zeros like any layer without a formula (``layer_symbolic.py``).

Saving is where ``Lambda`` differs from Keras, on purpose. Keras saves a
Python ``lambda`` as its compiled bytecode (``{"class_name": "__lambda__"}``)
and runs that bytecode again when loading with ``safe_mode=False``: a model
file can then execute any code. minikeras files never carry code:

* a named function is saved by name, exactly as Keras writes it
  (``{"module": "builtins", "class_name": "function", "config": "my_package>double"}``),
  so Keras and minikeras load it from the user's registered functions
  (``@minikeras.saving.register_keras_serializable()``) or ``custom_objects``;
* saving a Python ``lambda`` raises an error that says to use such a function;
* loading a ``__lambda__`` entry always raises, even with ``safe_mode=False``.

Read next: ``minikeras/saving/serialization_lib.py``.
"""

import types

from minikeras.layers import layer_symbolic
from minikeras.layers.layer import Layer
from minikeras.utils import nest

BYTECODE_SAVE_ERROR = (
    "Cannot save the Lambda layer '{name}': its `{key}` is a Python lambda, and minikeras files "
    "never carry code (Keras would write Python bytecode, which minikeras refuses to load). "
    "Define the function with `def`, decorate it with "
    "`@minikeras.saving.register_keras_serializable()`, and pass it in `custom_objects` when loading."
)


class Lambda(Layer):
    """Wraps ``function`` as a layer.

    Args:
        function: called as ``function(inputs, **arguments)``.
        output_shape: the output shape without the batch axis, e.g. ``(4,)``
            (a list of them for several outputs), or a function of the input
            shape (batch axis included). Default: found by a trial call.
        mask: a fixed output mask, or a function ``mask(inputs, previous_mask)``.
        arguments: extra keyword arguments for ``function``.
        **kwargs: ``Layer`` arguments (``name``, ``dtype``...).
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda expects a callable `function`. Received: function={function!r} "
                            f"of type {type(function)}")
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self.supports_masking = mask is not None
        if isinstance(output_shape, list) and all(_is_size(size) for size in output_shape):
            output_shape = tuple(output_shape)  # [4] read from a file means the shape (4,)
        self._output_shape = output_shape

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        # As in Keras, `mask` and `training` reach the function only if it names them.
        if _declares(self.function, "mask"):
            kwargs["mask"] = mask
        if _declares(self.function, "training"):
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)  # by a trial call
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        batch_size = _first_size(input_shape)
        if _is_shape(self._output_shape):
            return (batch_size,) + tuple(self._output_shape)
        return [(batch_size,) + tuple(shape) for shape in self._output_shape]

    def compute_output_spec(self, *args, **kwargs):
        if self._output_shape is None:  # the trial call also finds the dtype (bool, int...)
            return layer_symbolic.output_spec_by_trial(self, args, kwargs)
        return super().compute_output_spec(*args, **kwargs)

    def compute_mask(self, inputs, previous_mask=None):
        if callable(self.mask):
            return self.mask(inputs, previous_mask)
        return self.mask

    # ----- configuration: functions by name only -----
    def get_config(self):
        from minikeras.saving import serialization_lib  # saving sits above the layers
        config = {"function": self._function_config(self.function, "function")}
        if self._output_shape is not None:
            config["output_shape"] = (self._function_config(self._output_shape, "output_shape")
                                      if callable(self._output_shape) else _as_lists(self._output_shape))
        if self.mask is not None:
            config["mask"] = (self._function_config(self.mask, "mask") if callable(self.mask)
                              else serialization_lib.serialize_keras_object(self.mask))
        config["arguments"] = serialization_lib.serialize_keras_object(self.arguments)
        return {**super().get_config(), **config}

    def _function_config(self, function, key):
        """Keras's entry for a named function; an error for a Python lambda."""
        from minikeras.saving import object_registration
        from minikeras.saving import serialization_lib
        if isinstance(function, types.FunctionType) and function.__name__ == "<lambda>":
            raise ValueError(BYTECODE_SAVE_ERROR.format(name=self.name, key=key))
        if not isinstance(function, types.FunctionType):
            return serialization_lib.serialize_keras_object(function)  # a callable object
        return {"module": "builtins", "class_name": "function",
                "config": object_registration.get_registered_name(function),
                "registered_name": "function"}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuilds the layer; functions are looked up by name, bytecode is refused.

        Raises:
            ValueError: for a ``__lambda__`` entry (serialized Python bytecode),
                whatever the safe mode.
        """
        from minikeras.saving import serialization_lib
        config = dict(config)
        for key in ("function", "output_shape", "mask"):
            value = config.get(key)
            if isinstance(value, dict) and value.get("class_name") == "__lambda__":
                raise ValueError(serialization_lib.LAMBDA_ERROR)
        for key in ("function", "output_shape", "mask", "arguments"):
            if isinstance(config.get(key), dict):
                config[key] = serialization_lib.deserialize_keras_object(
                    config[key], custom_objects=custom_objects)
        return cls(**config)


def _declares(function, parameter):
    """True if a Python function has a parameter of that name (read from its code object)."""
    code = getattr(function, "__code__", None)
    if code is None:
        return False
    return parameter in code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]


def _is_size(value):
    return value is None or isinstance(value, int)


def _is_shape(value):
    return isinstance(value, (tuple, list)) and all(_is_size(size) for size in value)


def _first_size(input_shape):
    """The batch size of the first input: ``(None, 4)`` -> None."""
    return nest.flatten(input_shape)[0] if not _is_shape(input_shape) else input_shape[0]


def _as_lists(shape):
    """Tuples become lists, as in a JSON file."""
    if isinstance(shape, (tuple, list)):
        return [_as_lists(item) for item in shape]
    return shape
