"""Activation layers: ``ReLU``, ``LeakyReLU``, ``PReLU``, ``ELU``, ``Softmax``.

Place in the stack: concrete layers over ``layer.py`` and
``minikeras.activations``. ``Activation("relu")`` already applies any named
function; these classes exist because some activations have arguments worth
saving in the config (``ReLU(max_value=6.0)`` of MobileNet), one has weights
(``PReLU`` learns its negative slope) and one needs the mask (``Softmax``
gives masked positions probability 0). None changes the shape, and the
gradients come from the ops they call. Read next: ``regularization.py``.
"""

from minikeras import activations
from minikeras import constraints
from minikeras import initializers
from minikeras import ops
from minikeras import regularizers
from minikeras.layers.input_spec import InputSpec
from minikeras.layers.layer import Layer

# Masked logits are replaced by this before the softmax: exp(-1e9 - max) is 0.
LARGE_NEGATIVE = -1e9


def _check_not_negative(value, argument, layer_name, allow_none=False):
    """Keras's check of the ReLU-family arguments: a number >= 0."""
    if value is None and allow_none:
        return
    if value is None or value < 0.0:
        raise ValueError(f"{argument} of a {layer_name} layer cannot be None or a negative value. "
                         f"Received: {argument}={value}")


class ReLU(Layer):
    """Rectified linear unit with Keras's three options.

    ``f(x) = max_value`` for ``x >= max_value``, ``x`` for
    ``threshold <= x < max_value``, ``negative_slope * (x - threshold)``
    below the threshold. ``ReLU(6.0)`` is MobileNet's ReLU6.

    Args:
        max_value: float >= 0 or None (no upper bound).
        negative_slope: float >= 0, the slope below the threshold (0.0).
        threshold: float >= 0, where the slope changes (0.0).
        **kwargs: ``Layer`` arguments.

    Shapes:
        output shape = input shape.
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError("max_value of a ReLU layer cannot be a negative value. "
                             f"Received: max_value={max_value}")
        _check_not_negative(negative_slope, "negative_slope", "ReLU")
        _check_not_negative(threshold, "threshold", "ReLU")
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold
        self.supports_masking = True

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(Layer):
    """``f(x) = x`` for ``x >= 0``, ``negative_slope * x`` below: a small
    gradient flows even when the unit is off.

    Args:
        negative_slope: float >= 0 (0.3, Keras's default for the layer; the
            function ``activations.leaky_relu`` defaults to 0.2).
        **kwargs: ``Layer`` arguments; the old name ``alpha`` is accepted.
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:  # the tf.keras name of the argument
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError("The negative_slope value of a Leaky ReLU layer cannot be None or "
                             f"negative value. Expected a float. Received: negative_slope={negative_slope}")
        self.negative_slope = negative_slope
        self.supports_masking = True

    def call(self, inputs):
        return ops.leaky_relu(inputs, negative_slope=self.negative_slope)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class PReLU(Layer):
    """Parametric ReLU: ``f(x) = x`` for ``x >= 0``, ``alpha * x`` below, with
    ``alpha`` a learned weight.

    Written as ``relu(x) - alpha * relu(-x)``, so the gradient of ``alpha``
    is ``-relu(-x) * dy``, summed over the axes it is shared along.

    Args:
        alpha_initializer: how ``alpha`` starts (``"Zeros"``: a plain ReLU).
        alpha_regularizer, alpha_constraint: optional.
        shared_axes: int or list of axes (1 = first axis after the batch)
            along which one ``alpha`` is shared; ``[1, 2]`` on an
            ``(N, H, W, C)`` input learns one slope per channel.
        **kwargs: ``Layer`` arguments.

    Shapes:
        output shape = input shape; ``alpha`` is the input shape without the
        batch axis, with 1 on every shared axis.
    """

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif not isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)

    def build(self, input_shape):
        alpha_shape = list(input_shape[1:])  # (N, H, W, C) -> [H, W, C]
        for axis in self.shared_axes or ():
            if not 1 <= axis < len(input_shape):
                raise ValueError(f"PReLU ('{self.name}'): shared_axes must be between 1 and "
                                 f"{len(input_shape) - 1} for an input of shape {tuple(input_shape)}. "
                                 f"Received: shared_axes={self.shared_axes}")
            alpha_shape[axis - 1] = 1
        if any(size is None for size in alpha_shape):
            raise ValueError(f"PReLU ('{self.name}'): every non-shared axis needs a known size. "
                             f"Received input_shape={tuple(input_shape)}")
        self.alpha = self.add_weight(shape=alpha_shape, name="alpha", initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer, constraint=self.alpha_constraint)
        # From now on the non-shared sizes are fixed, and a mismatch names this layer.
        shared = set(self.shared_axes or ())
        axes = {axis: input_shape[axis] for axis in range(1, len(input_shape)) if axis not in shared}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)
        self.built = True

    def call(self, inputs):
        positive = ops.relu(inputs)
        negative = ops.multiply(ops.negative(self.alpha), ops.relu(ops.negative(inputs)))
        return ops.add(positive, negative)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
            "alpha_constraint": constraints.serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        }


class ELU(Layer):
    """Exponential linear unit: ``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` below.

    Args:
        alpha: float, the value the negative side tends to is ``-alpha`` (1.0).
        **kwargs: ``Layer`` arguments.

    Keras's config for this layer is the one its base class records from
    the constructor arguments: ``alpha`` comes right after ``name``.
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha
        self.supports_masking = True

    def call(self, inputs):
        return ops.elu(inputs, alpha=self.alpha)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        return {"name": config.pop("name"), "alpha": self.alpha, **config}


class Softmax(Layer):
    """``exp(x - max) / sum(exp(x - max))`` along ``axis``, optionally masked.

    Args:
        axis: int or list of ints, the axes that sum to one (-1).
        **kwargs: ``Layer`` arguments.

    Call arguments:
        inputs: the logits, any shape.
        mask: optional, broadcastable to ``inputs`` (each axis 1 or equal);
            where it is False (or <= 0.5 for a float mask) the output is 0,
            and the other entries share all of the probability.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def _check_mask(self, inputs, mask):
        """Keras's rule: the mask broadcasts to the input, with no extra axis."""
        mask_shape, input_shape = tuple(mask.shape), tuple(inputs.shape)
        if len(mask_shape) > len(input_shape) or any(
                mask_size != 1 and mask_size != input_size
                for mask_size, input_size in zip(mask_shape[::-1], input_shape[::-1])):
            raise ValueError(f"Softmax ('{self.name}'): the `mask` must be broadcastable to `inputs`. "
                             "Each mask dimension must be 1 or match the corresponding input "
                             f"dimension. Received: inputs.shape={input_shape}, mask.shape={mask_shape}")

    def call(self, inputs, mask=None):
        if mask is not None:
            self._check_mask(inputs, mask)
            if ops.dtype(mask) != "bool":
                mask = ops.greater(mask, 0.5)
            # exp of a huge negative logit is 0: masked entries get no probability.
            inputs = ops.where(mask, inputs, LARGE_NEGATIVE)
        if isinstance(self.axis, (list, tuple)) and len(self.axis) > 1:
            # Several axes at once: exp(x - logsumexp(x)) is the same normalisation.
            outputs = ops.exp(ops.subtract(inputs, ops.logsumexp(inputs, axis=tuple(self.axis), keepdims=True)))
        else:
            axis = self.axis[0] if isinstance(self.axis, (list, tuple)) else self.axis
            outputs = ops.softmax(inputs, axis=axis)
        if mask is not None:
            # A fully masked row would share its probability evenly; Keras sets it to 0.
            outputs = ops.where(mask, outputs, 0.0)
        return outputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
