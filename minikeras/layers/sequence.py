"""Small layers around recurrent networks: ``Masking`` and ``RepeatVector``.

Place in the stack: concrete layers over ``layer.py``, used with the
recurrent layers of ``layers/rnn/``.

* ``Masking(mask_value=0.0)`` marks a time step as padding when *every*
  feature of it equals ``mask_value``. It zeroes those steps and attaches the
  boolean mask ``(N, T)`` to its output (``output._keras_mask``, True = real
  step). Mask-aware layers downstream (``LSTM``, ``GRU``, ``Bidirectional``,
  ``GlobalAveragePooling1D``, losses) then skip or ignore those steps; the
  mask travels from layer to layer through ``Layer.__call__``, in Sequential
  and functional models alike. ``Embedding(mask_zero=True)`` does the same
  for integer inputs.
* ``RepeatVector(n)`` turns one vector per sample ``(N, D)`` into a sequence
  ``(N, n, D)`` of ``n`` copies: the bridge from an encoder's summary to a
  decoder that unrolls it over ``n`` steps.

Read next: ``layers/rnn/rnn.py``.
"""

from minikeras import ops
from minikeras.layers.input_spec import InputSpec
from minikeras.layers.layer import Layer


class Masking(Layer):
    """Masks the time steps whose features all equal ``mask_value``.

    Args:
        mask_value: the padding value (default 0.0).
        **kwargs: ``Layer`` arguments.

    Shapes:
        ``(N, T, D)`` -> ``(N, T, D)``, masked steps set to 0; mask ``(N, T)``.
    """

    _numeric_inputs_only = True  # strings are refused with a clear error (layer.py)

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def compute_mask(self, inputs, previous_mask=None):
        return ops.any(ops.not_equal(inputs, self.mask_value), axis=-1)  # (N, T, D) -> (N, T)

    def call(self, inputs):
        keep = ops.any(ops.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)  # (N, T, 1)
        return ops.where(keep, inputs, ops.zeros_like(inputs))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}


class RepeatVector(Layer):
    """Repeats the input ``n`` times along a new time axis.

    Args:
        n: positive int, the number of repetitions.
        **kwargs: ``Layer`` arguments.

    Shapes:
        ``(N, D)`` -> ``(N, n, D)``.
    """

    _numeric_inputs_only = True  # strings are refused with a clear error (layer.py)

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"Expected an integer value for `n`, got {type(n)}.")
        if n <= 0:
            raise ValueError(f"Argument `n` should be a positive integer. Received: n={n}")
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return ops.repeat(ops.expand_dims(inputs, 1), self.n, axis=1)  # (N, D) -> (N, n, D)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        return {**super().get_config(), "n": self.n}
