"""``EinsumDense``: a Dense layer whose product is any einsum equation.

Place in the stack: a concrete layer over ``layer.py`` and ``ops.einsum``,
next to ``Dense`` (``core.py``, read it first). ``Dense`` multiplies the last
input axis by a (input_dim, units) kernel. ``EinsumDense("abc,cde->abde",
output_shape=(None, 4, 8))`` does the same with a (c, 4, 8) kernel: each input
vector becomes a 4 x 8 block, which is how ``MultiHeadAttention`` projects a
(batch, tokens, width) input into 4 heads of 8 numbers in one product.

The equation has the form ``input,kernel->output``. The kernel's shape is
read from it: a kernel letter that is in the output takes its size from
``output_shape``, one that is only in the input takes it from the input. A
``...`` on the left (``"...b,bc->...c"``) stands for any leading axes; on the
right of the input (``"ab...,bc->ac..."``) for trailing ones. ``bias_axes``
names the output letters the bias spans. Read next:
``minikeras/layers/attention/multi_head_attention.py``.
"""

import re

from minikeras import activations
from minikeras import constraints
from minikeras import initializers
from minikeras import ops
from minikeras import regularizers
from minikeras.initializers.random_initializers import VarianceScaling
from minikeras.layers.core import check_no_quantization
from minikeras.layers.input_spec import InputSpec
from minikeras.layers.layer import Layer


class EinsumDense(Layer):
    """``activation(einsum(equation, inputs, kernel) + bias)``.

    Args:
        equation: ``"ab,bc->ac"``, ``"...b,bc->...c"`` or ``"ab...,bc->ac..."``
            style: one input, one kernel, one output.
        output_shape: the output's shape without the batch axis; ``None`` for
            sizes the input gives (an int means a 1-tuple).
        activation: name or callable (default: none).
        bias_axes: output letters the bias spans (``"de"``), or None for no bias.
        kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, kernel_constraint, bias_constraint: as in ``Dense``.
        **kwargs: ``Layer`` arguments.

    Shapes:
        for ``"abc,cde->abde"`` with ``output_shape=(None, N, H)``: input
        ``(B, T, C)`` -> output ``(B, T, N, H)``, kernel ``(C, N, H)``, bias
        ``(N, H)``.
    """

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, lora_alpha=None,
                 gptq_unpacked_column_size=None, quantization_config=None, **kwargs):
        super().__init__(**kwargs)
        check_no_quantization(quantization_config, "EinsumDense")
        if lora_rank is not None:
            raise ValueError(f"EinsumDense: minikeras has no LoRA. Received: lora_rank={lora_rank}")
        self.equation = equation
        self.partial_output_shape = (output_shape,) if isinstance(output_shape, int) else tuple(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape):
        kernel_shape, bias_shape, _, input_axes, output_axes = analyze_equation(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape, self.name)
        self.input_spec = InputSpec(ndim=len(input_shape))
        # Glorot and He count fans along the axes the equation says are
        # inputs and outputs (c and de above), not by the conv rule.
        kernel_initializer = self.kernel_initializer
        if isinstance(kernel_initializer, VarianceScaling) and (
                kernel_initializer.input_axes is None or kernel_initializer.output_axes is None):
            config = {**kernel_initializer.get_config(), "input_axes": input_axes, "output_axes": output_axes}
            config["seed"] = kernel_initializer.seed
            kernel_initializer = type(kernel_initializer).from_config(config)
        self.kernel = self.add_weight(name="kernel", shape=tuple(kernel_shape), initializer=kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None
        if bias_shape is not None:
            self.bias = self.add_weight(name="bias", shape=tuple(bias_shape), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        outputs = ops.einsum(self.equation, inputs, self.kernel)  # e.g. (B, T, C) -> (B, T, N, H)
        if self.bias is not None:
            outputs = ops.add(outputs, self.bias)  # (N, H) broadcasts over (B, T)
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        return tuple(analyze_equation(self.equation, self.bias_axes, input_shape,
                                      self.partial_output_shape, self.name)[2])

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)  # re-added in Keras's position below
        return {
            **config,
            "output_shape": self.partial_output_shape,
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "quantization_config": None,
        }


_FORMS = (  # (pattern with "..." written as 0, where the ellipsis is)
    ("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", None),
    ("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", "left"),
    ("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", "right"),
)


def analyze_equation(equation, bias_axes, input_shape, output_shape, layer_name="einsum_dense"):
    """Shapes of the kernel, the bias and the output, from the equation.

    Args:
        equation: e.g. ``"abc,cde->abde"``.
        bias_axes: output letters of the bias, or None.
        input_shape: the full input shape, batch axis first.
        output_shape: the partial output shape (no batch axis).
    Returns:
        ``(kernel_shape, bias_shape or None, full_output_shape, input_axes,
        output_axes)``; the last two are the kernel axes that come from the
        input and from the output (for the initializer's fans).
    """
    # 1. Which of the three forms, and the three letter strings.
    text = equation.replace("...", "0")
    for pattern, ellipsis in _FORMS:
        match = re.fullmatch(pattern, text)
        if match:
            break
    else:
        raise ValueError(f"Invalid einsum equation '{equation}'. Equations must be in the form "
                         "[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....")
    input_spec, kernel_spec, output_spec = match.groups()
    elided = len(input_shape) - len(input_spec)
    # 2. The full output shape: batch axis, elided axes, then the given sizes.
    full = [input_shape[0]] + list(output_shape)
    if elided > 0 and ellipsis == "left":
        full[1:1] = list(input_shape[1:elided])
    elif elided > 0:
        full += list(input_shape[len(input_shape) - elided:])
    offset = elided if ellipsis == "left" else 0
    input_axis = {c: i + offset for i, c in enumerate(input_spec)}
    output_axis = {c: i + offset for i, c in enumerate(output_spec)}
    if len(full) != len(output_spec) + max(elided, 0):
        raise ValueError(f"EinsumDense '{layer_name}': output_shape {tuple(output_shape)} does not match the "
                         f"output '{output_spec}' of equation '{equation}' for input shape {tuple(input_shape)}.")
    # 3. Letters shared by input and output must agree in size.
    for c in input_spec:
        if c in output_axis and full[output_axis[c]] is not None and full[output_axis[c]] != input_shape[input_axis[c]]:
            raise ValueError(f"Input shape and output shape do not match at shared dimension '{c}'. Input shape "
                             f"is {input_shape[input_axis[c]]}, and output shape is {full[output_axis[c]]}.")
    for c in output_spec:
        if c not in input_spec and c not in kernel_spec:
            raise ValueError(f"Dimension '{c}' was specified in the output '{output_spec}' but has no "
                             f"corresponding dim in the input spec '{input_spec}' or weight spec '{kernel_spec}'")
    # 4. The kernel: sizes from the output where the letter is there, else from the input.
    kernel_shape, input_axes, output_axes = [], [], []
    for i, c in enumerate(kernel_spec):
        if c in output_axis:
            kernel_shape.append(full[output_axis[c]])
            output_axes.append(i)
        elif c in input_axis:
            kernel_shape.append(input_shape[input_axis[c]])
            input_axes.append(i)
        else:
            raise ValueError(f"Weight dimension '{c}' did not have a match in either the input spec "
                             f"'{input_spec}' or the output spec '{output_spec}'. For this layer, the "
                             "weight must be fully specified.")
    return kernel_shape, _bias_shape(bias_axes, output_spec, full, offset, elided, ellipsis), full, \
        input_axes, output_axes


def _bias_shape(bias_axes, output_spec, full, offset, elided, ellipsis):
    """The bias spans its letters and is 1 on the output axes after the first
    of them, so it broadcasts against the output: "de" of "abde" -> (N, H)."""
    if bias_axes is None:
        return None
    for c in bias_axes:
        if c not in output_spec:
            raise ValueError(f"Bias dimension '{c}' was requested, but is not part of the output "
                             f"spec '{output_spec}'")
    first = min(output_spec.find(c) for c in bias_axes)
    shape = [full[i + offset] if c in bias_axes else 1 for i, c in enumerate(output_spec[first:], start=first)]
    if ellipsis != "left":
        shape += [1] * max(elided, 0)
    return shape
