"""The allow-table: which Keras names a saved file may ask for, and their minikeras objects.

Place in the stack: under ``serialization_lib.py``, which consults it on every
load and every save. It is a literal table on purpose: loading a file never
imports a module or fetches an attribute that the file names; it can only
pick one of the entries below. A name that is not here (``os.system``,
``builtins.eval``, ``keras.saving.load_model``) is refused.

Each row maps a Keras public module (the ``module`` field of a saved object)
to the minikeras modules that hold its objects and the names allowed there.
When minikeras does not (yet) implement a listed Keras class, the lookup
returns None and the loader says so by name.
"""

import importlib

# Keras module -> (minikeras modules to look in, allowed names).
PUBLIC_NAMES = {
    "keras": (
        ("minikeras.models", "minikeras"),
        ("Sequential", "Model", "Functional", "Input", "Variable"),
    ),
    "keras.models": (("minikeras.models",), ("Sequential", "Model", "Functional")),
    "keras.layers": (
        ("minikeras.layers",),
        (
            "Layer", "InputLayer", "Dense", "EinsumDense", "Conv1D", "Conv2D", "Conv3D",
            "Conv1DTranspose", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D",
            "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D",
            "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D",
            "GlobalMaxPooling2D", "BatchNormalization", "LayerNormalization",
            "GroupNormalization", "Embedding", "Dropout", "SpatialDropout1D",
            "SpatialDropout2D", "GaussianNoise", "Flatten", "Reshape", "Permute",
            "RepeatVector", "Activation", "ReLU", "LeakyReLU", "ELU", "PReLU", "Softmax",
            "Rescaling", "Normalization", "ZeroPadding1D", "ZeroPadding2D", "Cropping1D",
            "Cropping2D", "UpSampling1D", "UpSampling2D", "Add", "Subtract", "Multiply",
            "Average", "Maximum", "Minimum", "Concatenate", "Dot", "Identity",
            "TextVectorization", "StringLookup", "IntegerLookup", "Lambda",
            "Attention", "AdditiveAttention", "MultiHeadAttention", "GroupQueryAttention", "RMSNormalization",
            "UnitNormalization",
            "RNN", "SimpleRNN", "SimpleRNNCell", "LSTM", "LSTMCell", "GRU", "GRUCell",
            "StackedRNNCells", "Bidirectional", "TimeDistributed", "Masking",
            # issue 17
            "SpatialDropout3D", "GaussianDropout", "AlphaDropout", "ActivityRegularization",
            "MaxPooling3D", "AveragePooling3D", "GlobalAveragePooling3D", "GlobalMaxPooling3D",
            "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
            "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D",
            "UpSampling3D", "ZeroPadding3D", "Cropping3D",
            "Discretization", "CategoryEncoding", "Resizing", "CenterCrop", "Pipeline",
            "Hashing", "HashedCrossing",
            "Conv3DTranspose", "DepthwiseConv1D", "SeparableConv1D",
            "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomCrop", "RandomContrast",
            "RandomBrightness", "RandomShear", "RandomGrayscale", "RandomHue", "RandomSaturation",
            "RandomColorJitter", "RandomColorDegeneration", "RandomErasing", "RandomGaussianBlur", "RandomInvert",
            "RandomPosterization", "RandomSharpness", "RandomPerspective", "RandomElasticTransform",
            "Solarization", "AutoContrast", "Equalization", "MixUp", "CutMix", "AugMix", "RandAugment",
            "Wrapper", "SpectralNormalization",
            "ContrastLimitedAdaptiveHistogramEqualization", "MaxNumBoundingBoxes",
            "ReversibleEmbedding", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "STFTSpectrogram", "MelSpectrogram",
        ),
    ),
    "keras.activations": (
        ("minikeras.activations",),
        (
            "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "sigmoid", "hard_sigmoid",
            "softmax", "log_softmax", "softplus", "softsign", "tanh", "swish", "silu",
            "mish", "exponential", "linear", "celu", "glu", "hard_shrink", "hard_tanh", "soft_shrink",
            "sparse_plus", "sparse_sigmoid", "squareplus", "tanh_shrink", "threshold",
        ),
    ),
    "keras.initializers": (
        ("minikeras.initializers",),
        (
            "Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform", "TruncatedNormal",
            "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal",
            "LecunUniform", "LecunNormal", "Orthogonal", "Identity", "STFT", "STFTInitializer",
        ),
    ),
    "keras.regularizers": (("minikeras.regularizers",), ("L1", "L2", "L1L2", "OrthogonalRegularizer")),
    "keras.constraints": (("minikeras.constraints",), ("MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm")),
    "keras.optimizers": (
        ("minikeras.optimizers",),
        ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam", "Ftrl", "Lion", "Lamb",
         "Adafactor", "LossScaleOptimizer", "Muon", "ScheduleFreeAdamW", "MultiOptimizer", "OptimizerMap"),
    ),
    "keras.optimizers.schedules": (
        ("minikeras.optimizers.schedules",),
        (
            "ExponentialDecay", "PiecewiseConstantDecay", "PolynomialDecay",
            "InverseTimeDecay", "CosineDecay", "CosineDecayRestarts",
        ),
    ),
    "keras.losses": (
        ("minikeras.losses",),
        (
            "Loss", "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
            "MeanSquaredLogarithmicError", "BinaryCrossentropy", "BinaryFocalCrossentropy",
            "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "Hinge",
            "SquaredHinge", "CategoricalHinge", "Huber", "LogCosh", "KLDivergence",
            "Poisson", "CosineSimilarity", "mean_squared_error", "mean_absolute_error",
            "mean_absolute_percentage_error", "mean_squared_logarithmic_error",
            "binary_crossentropy", "categorical_crossentropy",
            "sparse_categorical_crossentropy", "hinge", "squared_hinge", "huber",
            "log_cosh", "kl_divergence", "poisson", "cosine_similarity",
            # issue 18
            "CategoricalFocalCrossentropy", "CategoricalGeneralizedCrossEntropy", "Dice", "Tversky",
            "binary_focal_crossentropy", "categorical_focal_crossentropy", "categorical_hinge", "dice", "tversky",
            "Circle", "circle",
        ),
    ),
    "keras.metrics": (
        ("minikeras.metrics",),
        (
            "Metric", "Mean", "Sum", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy",
            "CategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy",
            "SparseTopKCategoricalAccuracy", "AUC", "Precision", "Recall", "F1Score",
            "MeanSquaredError", "MeanAbsoluteError", "RootMeanSquaredError",
            "MeanAbsolutePercentageError", "BinaryCrossentropy", "CategoricalCrossentropy",
            "SparseCategoricalCrossentropy", "binary_accuracy", "categorical_accuracy",
            "sparse_categorical_accuracy", "top_k_categorical_accuracy",
            "sparse_top_k_categorical_accuracy",
            # issue 18
            "FBetaScore", "R2Score", "TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives",
            "KLDivergence", "Poisson", "Hinge", "SquaredHinge", "CategoricalHinge", "LogCoshError",
            "MeanSquaredLogarithmicError", "CosineSimilarity", "IoU", "BinaryIoU", "MeanIoU", "OneHotIoU",
            "OneHotMeanIoU", "PearsonCorrelation", "ConcordanceCorrelation", "PrecisionAtRecall",
            "RecallAtPrecision", "SensitivityAtSpecificity", "SpecificityAtSensitivity",
        ),
    ),
    # issue 18: keras.utils.FeatureSpace, and the objects its config holds (under Keras's private module)
    "keras.utils": (("minikeras.layers.feature_space",), ("FeatureSpace",)),
    "keras.src.layers.preprocessing.feature_space": (
        ("minikeras.layers.feature_space",), ("Feature", "Cross", "TFDIdentity"),
    ),
}

# Public names whose class is called otherwise in Python (its __name__ is the
# snake_case folder of its weights in a .keras file: grouped_query_attention).
EXPORTED_UNDER_ANOTHER_NAME = (("keras.layers", "GroupQueryAttention"),)

# Keras writes a few classes under their private module; only these are accepted.
PRIVATE_MODULE_ALIASES = {
    "keras.src.models.functional": "keras",
    "keras.src.models.sequential": "keras",
    "keras.src.models.model": "keras",
}

# Where a bare function name (module "builtins") is looked for, as Keras does.
FUNCTION_MODULES = ("keras.activations", "keras.losses", "keras.metrics")

# Public Keras APIs that a model file must never call (Keras's own list).
NON_MODELING_APIS = frozenset({
    "keras.backend.clear_session", "keras.config.enable_unsafe_deserialization",
    "keras.models.load_model", "keras.models.model_from_json", "keras.models.save_model",
    "keras.saving.deserialize_keras_object", "keras.saving.load_model",
    "keras.saving.load_weights", "keras.saving.register_keras_serializable",
    "keras.saving.save_model", "keras.saving.save_weights",
    "keras.saving.serialize_keras_object", "keras.utils.clear_session",
    "keras.utils.deserialize_keras_object", "keras.utils.get_file",
    "keras.utils.register_keras_serializable", "keras.utils.serialize_keras_object",
    "keras.utils.image_dataset_from_directory", "keras.utils.text_dataset_from_directory",
    "keras.utils.load_img", "keras.utils.save_img",
})


def lookup(keras_module, name):
    """Returns the minikeras object for the Keras public name ``keras_module.name``.

    Args:
        keras_module: a Keras module name as written in a file (``"keras.layers"``).
        name: a class or function name (``"Dense"``).

    Returns:
        The minikeras class or function, or None if the name is not in the table
        or minikeras does not implement it.
    """
    keras_module = PRIVATE_MODULE_ALIASES.get(keras_module, keras_module)
    if keras_module not in PUBLIC_NAMES:
        return None
    module_names, allowed = PUBLIC_NAMES[keras_module]
    if name not in allowed:
        return None
    for module_name in module_names:
        # The module names come from the literal table above, never from the file.
        found = getattr(importlib.import_module(module_name), name, None)
        if found is not None:
            return found
    return None


def public_name(obj):
    """Returns ``(keras_module, name)`` if ``obj`` is a minikeras public object, else None.

    Used when saving, so that files name ``keras.layers.Dense`` and Keras can read them.
    """
    name = getattr(obj, "__name__", None)
    if name is None or not getattr(obj, "__module__", "").startswith("minikeras"):
        return None
    for keras_module in PUBLIC_NAMES:
        if lookup(keras_module, name) is obj:
            return keras_module, name
    # A class Keras exports under another name (GroupedQueryAttention as keras.layers.GroupQueryAttention).
    for keras_module, public in EXPORTED_UNDER_ANOTHER_NAME:
        if lookup(keras_module, public) is obj:
            return keras_module, public
    return None


def lookup_is_allowed(keras_module, name):
    """True if ``keras_module.name`` is in the table (whether or not minikeras implements it)."""
    keras_module = PRIVATE_MODULE_ALIASES.get(keras_module, keras_module)
    return keras_module in PUBLIC_NAMES and name in PUBLIC_NAMES[keras_module][1]
