"""The core layers: ``Dense``, ``Activation``, ``Dropout``, ``Identity``.

Place in the stack: concrete layers over ``layer.py`` (the build/call
contract) and ``minikeras.ops``. ``Dense`` is the layer to read first: its
``build`` shows how weights appear once the input size is known, its ``call``
is one matrix product, one addition and an activation. Gradients need no code
here: every op used in ``call`` brings its own backward pass. Read next:
``reshaping.py``, then ``convolutional.py`` and ``pooling.py``.
"""

from minikeras import activations
from minikeras import constraints
from minikeras import initializers
from minikeras import ops
from minikeras import random
from minikeras import regularizers
from minikeras.autodiff import matmul as matmul_ops
from minikeras.layers.input_spec import InputSpec
from minikeras.layers.layer import Layer


def check_no_quantization(quantization_config, layer_name):
    """Keras 3.15 configs carry ``quantization_config``; minikeras has none."""
    if quantization_config is not None:
        raise ValueError(f"{layer_name}: minikeras does not quantize layers. "
                         f"Received: quantization_config={quantization_config}")


# The activations the Dense op applies itself; the others follow as their own ops.
_FUSED = {activations.linear: None, activations.relu: "relu"}


class Dense(Layer):
    """A fully connected layer: ``activation(inputs @ kernel + bias)``.

    Args:
        units: positive int, the size of the last output axis.
        activation: name or callable (default: none, the identity).
        use_bias: whether to add the ``bias`` vector.
        kernel_initializer, bias_initializer: how the weights start
            (``"glorot_uniform"`` and ``"zeros"``, as in Keras).
        kernel_regularizer, bias_regularizer: optional weight penalties.
        kernel_constraint, bias_constraint: optional weight projections.
        **kwargs: ``Layer`` arguments (``name``, ``dtype``, ``input_shape``...).

    Shapes:
        input ``(N, ..., input_dim)`` -> output ``(N, ..., units)``; the kernel is
        ``(input_dim, units)``, the bias ``(units,)``.
    """

    _numeric_inputs_only = True  # strings are refused with a clear error (layer.py)

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 lora_rank=None, lora_alpha=None, quantization_config=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        check_no_quantization(quantization_config, "Dense")
        if lora_rank is not None:
            raise ValueError(f"Dense: minikeras has no LoRA. Received: lora_rank={lora_rank}")
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError("Received an invalid value for `units`, expected a positive "
                             f"integer. Received: units={units}")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"The last dimension of the inputs to a Dense layer ('{self.name}') "
                             f"should be defined. Found None. Full input shape received: {input_shape}")
        self.kernel = self.add_weight(name="kernel", shape=(input_dim, self.units),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.units,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        # From now on, a different input size is an error that names this layer.
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    def call(self, inputs):
        if self.bias is not None and self.activation in _FUSED:
            # One op for the product, the bias and a ReLU (autodiff/matmul.py, Dense):
            # the same numbers as the three ops below, with less work around them.
            return matmul_ops.dense(inputs, self.kernel, self.bias, activation=_FUSED[self.activation])
        outputs = ops.matmul(inputs, self.kernel)  # (N, ..., input_dim) -> (N, ..., units)
        if self.bias is not None:
            outputs = ops.add(outputs, self.bias)  # the (units,) bias broadcasts over N
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "quantization_config": None,
        }


class Activation(Layer):
    """Applies an activation function to its input; no weights.

    Args:
        activation: a name (``"relu"``) or a callable.
        **kwargs: ``Layer`` arguments.

    Shapes:
        output shape = input shape.
    """

    _numeric_inputs_only = True  # strings are refused with a clear error (layer.py)

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Dropout(Layer):
    """Randomly zeroes a fraction ``rate`` of the inputs, during training only.

    The kept values are scaled by ``1 / (1 - rate)``, so the expected value of
    each output equals its input and nothing needs rescaling at inference,
    where the layer is the identity.

    Args:
        rate: float in [0, 1), the fraction of inputs to drop.
        noise_shape: optional shape of the keep/drop mask, broadcast to the
            input; ``(None, 1, C)`` drops whole channels of an ``(N, T, C)``
            input (``None`` takes the input's size).
        seed: optional int, for reproducible masks.
        **kwargs: ``Layer`` arguments.
    """

    _numeric_inputs_only = True  # strings are refused with a clear error (layer.py)

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float "
                             f"value between 0 and 1. Received: rate={rate}")
        self.rate = rate
        self.seed = seed
        self.noise_shape = noise_shape
        if rate > 0:
            # The generator's state is a layer variable (in `variables`, not
            # in `weights`), so each call draws a new mask.
            self.seed_generator = random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        # noise_shape entries that are None take the input's size.
        return random.dropout(inputs, self.rate, noise_shape=self.noise_shape,
                              seed=self.seed_generator)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}


class Identity(Layer):
    """Returns its input unchanged (a placeholder in a list of blocks, or a
    named point of a functional graph). Masks pass through.

    Args:
        **kwargs: ``Layer`` arguments.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape
