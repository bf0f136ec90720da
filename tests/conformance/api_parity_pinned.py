"""The Keras names minikeras has: they must stay (written by ``api_parity.py --pin``).

Regenerate after adding names; never remove one by hand to make the test pass.
"""

PINNED = {
    '': (
        'Input', 'KerasTensor', 'Layer', 'Model', 'Sequential', 'Variable', 'activations', 'backend',
        'callbacks', 'config', 'constraints', 'datasets', 'initializers', 'layers', 'losses', 'metrics',
        'models', 'ops', 'optimizers', 'preprocessing', 'random', 'regularizers', 'saving', 'utils',
    ),
    'ops': (
        'abs', 'absolute', 'adaptive_average_pool', 'adaptive_max_pool', 'add', 'all', 'any', 'append',
        'arange', 'arccos', 'arccosh', 'arcsin', 'arcsinh', 'arctan', 'arctan2', 'arctanh', 'argmax',
        'argmin', 'argsort', 'average', 'average_pool', 'batch_normalization', 'binary_crossentropy',
        'broadcast_to', 'cast', 'categorical_crossentropy', 'ceil', 'celu', 'clip', 'concatenate', 'conv',
        'conv_transpose', 'convert_to_numpy', 'convert_to_tensor', 'copy', 'cos', 'cosh', 'count_nonzero',
        'cumprod', 'cumsum', 'diagonal', 'diff', 'divide', 'dot', 'dot_product_attention', 'dtype', 'einsum',
        'elu', 'equal', 'erf', 'exp', 'expand_dims', 'expm1', 'eye', 'flip', 'floor', 'floor_divide', 'full',
        'full_like', 'gelu', 'get_item', 'glu', 'greater', 'greater_equal', 'hard_shrink', 'hard_sigmoid',
        'hard_silu', 'hard_swish', 'hard_tanh', 'hstack', 'identity', 'image', 'in_top_k', 'is_tensor',
        'isfinite', 'isinf', 'isnan', 'kron', 'leaky_relu', 'less', 'less_equal', 'linspace', 'log', 'log1p',
        'log_sigmoid', 'log_softmax', 'logical_and', 'logical_not', 'logical_or', 'logical_xor', 'logsumexp',
        'matmul', 'max', 'max_pool', 'maximum', 'mean', 'min', 'minimum', 'mod', 'moments', 'moveaxis',
        'multiply', 'nan_to_num', 'ndim', 'negative', 'nn', 'norm', 'not_equal', 'numpy', 'one_hot', 'ones',
        'ones_like', 'outer', 'pad', 'power', 'prod', 'ravel', 'reciprocal', 'relu', 'relu6', 'repeat',
        'reshape', 'roll', 'round', 'rsqrt', 'selu', 'shape', 'sigmoid', 'sign', 'silu', 'sin', 'sinh',
        'size', 'soft_shrink', 'softmax', 'softplus', 'softsign', 'sort', 'sparse_categorical_crossentropy',
        'sparse_plus', 'sparse_sigmoid', 'split', 'sqrt', 'square', 'squareplus', 'squeeze', 'stack', 'std',
        'stop_gradient', 'subtract', 'sum', 'swapaxes', 'swish', 'take', 'take_along_axis', 'tan', 'tanh',
        'tanh_shrink', 'tensordot', 'threshold', 'tile', 'top_k', 'trace', 'transpose', 'tri', 'tril', 'triu',
        'true_divide', 'var', 'vstack', 'where', 'zeros', 'zeros_like',
    ),
    'ops.numpy': (
        'abs', 'absolute', 'add', 'all', 'any', 'append', 'arange', 'arccos', 'arccosh', 'arcsin', 'arcsinh',
        'arctan', 'arctan2', 'arctanh', 'argmax', 'argmin', 'argsort', 'average', 'broadcast_to', 'ceil',
        'clip', 'concatenate', 'copy', 'cos', 'cosh', 'count_nonzero', 'cumprod', 'cumsum', 'diagonal',
        'diff', 'divide', 'dot', 'einsum', 'equal', 'exp', 'expand_dims', 'expm1', 'eye', 'flip', 'floor',
        'floor_divide', 'full', 'full_like', 'get_item', 'greater', 'greater_equal', 'hstack', 'identity',
        'isfinite', 'isinf', 'isnan', 'kron', 'less', 'less_equal', 'linspace', 'log', 'log1p', 'logical_and',
        'logical_not', 'logical_or', 'logical_xor', 'matmul', 'max', 'maximum', 'mean', 'min', 'minimum',
        'mod', 'moveaxis', 'multiply', 'nan_to_num', 'negative', 'not_equal', 'ones', 'ones_like', 'outer',
        'pad', 'power', 'prod', 'ravel', 'reciprocal', 'repeat', 'reshape', 'roll', 'round', 'sign', 'sin',
        'sinh', 'sort', 'split', 'sqrt', 'square', 'squeeze', 'stack', 'std', 'subtract', 'sum', 'swapaxes',
        'take', 'take_along_axis', 'tan', 'tanh', 'tensordot', 'tile', 'trace', 'transpose', 'tri', 'tril',
        'triu', 'true_divide', 'var', 'vstack', 'where', 'zeros', 'zeros_like',
    ),
    'ops.nn': (
        'adaptive_average_pool', 'adaptive_max_pool', 'average_pool', 'batch_normalization',
        'binary_crossentropy', 'categorical_crossentropy', 'celu', 'conv', 'conv_transpose',
        'dot_product_attention', 'elu', 'gelu', 'glu', 'hard_shrink', 'hard_sigmoid', 'hard_silu',
        'hard_swish', 'hard_tanh', 'leaky_relu', 'log_sigmoid', 'log_softmax', 'max_pool', 'moments',
        'one_hot', 'relu', 'relu6', 'selu', 'sigmoid', 'silu', 'soft_shrink', 'softmax', 'softplus',
        'softsign', 'sparse_categorical_crossentropy', 'sparse_plus', 'sparse_sigmoid', 'squareplus', 'swish',
        'tanh_shrink', 'threshold',
    ),
    'ops.linalg': (
    ),
    'ops.image': (
        'resize',
    ),
    'losses': (
        'BinaryCrossentropy', 'BinaryFocalCrossentropy', 'CategoricalCrossentropy',
        'CategoricalFocalCrossentropy', 'CategoricalGeneralizedCrossEntropy', 'CategoricalHinge',
        'CosineSimilarity', 'Dice', 'Hinge', 'Huber', 'KLDivergence', 'LogCosh', 'Loss', 'MeanAbsoluteError',
        'MeanAbsolutePercentageError', 'MeanSquaredError', 'MeanSquaredLogarithmicError', 'Poisson',
        'SparseCategoricalCrossentropy', 'SquaredHinge', 'Tversky', 'binary_crossentropy',
        'binary_focal_crossentropy', 'categorical_crossentropy', 'categorical_focal_crossentropy',
        'categorical_generalized_cross_entropy', 'categorical_hinge', 'cosine_similarity', 'deserialize',
        'dice', 'get', 'hinge', 'huber', 'kl_divergence', 'log_cosh', 'mean_absolute_error',
        'mean_absolute_percentage_error', 'mean_squared_error', 'mean_squared_logarithmic_error', 'poisson',
        'serialize', 'sparse_categorical_crossentropy', 'squared_hinge', 'tversky',
    ),
    'metrics': (
        'AUC', 'Accuracy', 'BinaryAccuracy', 'BinaryCrossentropy', 'BinaryIoU', 'CategoricalAccuracy',
        'CategoricalCrossentropy', 'CategoricalHinge', 'ConcordanceCorrelation', 'CosineSimilarity',
        'F1Score', 'FBetaScore', 'FalseNegatives', 'FalsePositives', 'Hinge', 'IoU', 'KLDivergence',
        'LogCoshError', 'Mean', 'MeanAbsoluteError', 'MeanAbsolutePercentageError', 'MeanIoU',
        'MeanMetricWrapper', 'MeanSquaredError', 'MeanSquaredLogarithmicError', 'Metric', 'OneHotIoU',
        'OneHotMeanIoU', 'PearsonCorrelation', 'Poisson', 'Precision', 'PrecisionAtRecall', 'R2Score',
        'Recall', 'RecallAtPrecision', 'RootMeanSquaredError', 'SensitivityAtSpecificity',
        'SparseCategoricalAccuracy', 'SparseCategoricalCrossentropy', 'SparseTopKCategoricalAccuracy',
        'SpecificityAtSensitivity', 'SquaredHinge', 'Sum', 'TopKCategoricalAccuracy', 'TrueNegatives',
        'TruePositives', 'binary_accuracy', 'binary_crossentropy', 'binary_focal_crossentropy',
        'categorical_accuracy', 'categorical_crossentropy', 'categorical_focal_crossentropy',
        'categorical_hinge', 'concordance_correlation', 'deserialize', 'get', 'hinge', 'huber',
        'kl_divergence', 'log_cosh', 'mean_absolute_error', 'mean_absolute_percentage_error',
        'mean_squared_error', 'mean_squared_logarithmic_error', 'pearson_correlation', 'poisson', 'serialize',
        'sparse_categorical_accuracy', 'sparse_categorical_crossentropy', 'sparse_top_k_categorical_accuracy',
        'squared_hinge', 'top_k_categorical_accuracy',
    ),
    'optimizers': (
        'Adadelta', 'Adagrad', 'Adam', 'AdamW', 'Adamax', 'Ftrl', 'Lamb', 'Lion', 'Nadam', 'Optimizer',
        'RMSprop', 'SGD', 'deserialize', 'get', 'schedules', 'serialize',
    ),
    'optimizers.schedules': (
        'CosineDecay', 'CosineDecayRestarts', 'ExponentialDecay', 'InverseTimeDecay', 'LearningRateSchedule',
        'PiecewiseConstantDecay', 'PolynomialDecay', 'deserialize', 'serialize',
    ),
    'callbacks': (
        'CSVLogger', 'Callback', 'CallbackList', 'EarlyStopping', 'History', 'LambdaCallback',
        'LearningRateScheduler', 'ModelCheckpoint', 'ProgbarLogger', 'ReduceLROnPlateau', 'SwapEMAWeights',
        'TerminateOnNaN',
    ),
    'activations': (
        'celu', 'deserialize', 'elu', 'exponential', 'gelu', 'get', 'glu', 'hard_shrink', 'hard_sigmoid',
        'hard_silu', 'hard_swish', 'hard_tanh', 'leaky_relu', 'linear', 'log_sigmoid', 'log_softmax', 'mish',
        'relu', 'relu6', 'selu', 'serialize', 'sigmoid', 'silu', 'soft_shrink', 'softmax', 'softplus',
        'softsign', 'sparse_plus', 'sparse_sigmoid', 'squareplus', 'swish', 'tanh', 'tanh_shrink',
        'threshold',
    ),
    'initializers': (
        'Constant', 'GlorotNormal', 'GlorotUniform', 'HeNormal', 'HeUniform', 'Identity',
        'IdentityInitializer', 'Initializer', 'LecunNormal', 'LecunUniform', 'Ones', 'Orthogonal',
        'OrthogonalInitializer', 'RandomNormal', 'RandomUniform', 'TruncatedNormal', 'VarianceScaling',
        'Zeros', 'constant', 'deserialize', 'get', 'glorot_normal', 'glorot_uniform', 'he_normal',
        'he_uniform', 'identity', 'lecun_normal', 'lecun_uniform', 'ones', 'orthogonal', 'random_normal',
        'random_uniform', 'serialize', 'truncated_normal', 'variance_scaling', 'zeros',
    ),
    'regularizers': (
        'L1', 'L1L2', 'L2', 'Regularizer', 'deserialize', 'get', 'l1', 'l1_l2', 'l2', 'serialize',
    ),
    'constraints': (
        'Constraint', 'MaxNorm', 'MinMaxNorm', 'NonNeg', 'UnitNorm', 'deserialize', 'get', 'max_norm',
        'min_max_norm', 'non_neg', 'serialize', 'unit_norm',
    ),
    'random': (
        'SeedGenerator', 'beta', 'binomial', 'categorical', 'dropout', 'gamma', 'normal', 'randint',
        'shuffle', 'truncated_normal', 'uniform',
    ),
    'utils': (
        'CustomObjectScope', 'Progbar', 'PyDataset', 'Sequence', 'array_to_img', 'clear_session',
        'custom_object_scope', 'deserialize_keras_object', 'disable_interactive_logging',
        'enable_interactive_logging', 'get_custom_objects', 'get_file', 'get_registered_name',
        'get_registered_object', 'get_source_inputs', 'image_dataset_from_directory', 'img_to_array',
        'is_interactive_logging_enabled', 'is_keras_tensor', 'load_img', 'normalize',
        'pack_x_y_sample_weight', 'pad_sequences', 'register_keras_serializable', 'save_img',
        'serialize_keras_object', 'set_random_seed', 'standardize_dtype', 'text_dataset_from_directory',
        'timeseries_dataset_from_array', 'to_categorical', 'unpack_x_y_sample_weight',
    ),
    'models': (
        'Model', 'Sequential', 'clone_model', 'load_model', 'model_from_json', 'save_model',
    ),
    'saving': (
        'CustomObjectScope', 'custom_object_scope', 'deserialize_keras_object', 'get_custom_objects',
        'get_registered_name', 'get_registered_object', 'load_model', 'load_weights',
        'register_keras_serializable', 'save_model', 'save_weights', 'serialize_keras_object',
    ),
    'config': (
        'backend', 'disable_interactive_logging', 'enable_interactive_logging',
        'enable_unsafe_deserialization', 'epsilon', 'floatx', 'image_data_format',
        'is_interactive_logging_enabled', 'set_epsilon', 'set_floatx', 'set_image_data_format',
    ),
    'backend': (
        'backend', 'clear_session', 'epsilon', 'floatx', 'get_uid', 'image_data_format', 'is_float_dtype',
        'is_int_dtype', 'is_keras_tensor', 'set_epsilon', 'set_floatx', 'set_image_data_format',
        'standardize_dtype',
    ),
    'datasets': (
        'boston_housing', 'california_housing', 'cifar10', 'cifar100', 'fashion_mnist', 'imdb', 'mnist',
        'reuters',
    ),
    'datasets.mnist': (
        'load_data',
    ),
    'datasets.fashion_mnist': (
        'load_data',
    ),
    'datasets.cifar10': (
        'load_data',
    ),
    'datasets.cifar100': (
        'load_data',
    ),
    'datasets.imdb': (
        'get_word_index', 'load_data',
    ),
    'datasets.reuters': (
        'get_label_names', 'get_word_index', 'load_data',
    ),
    'datasets.boston_housing': (
        'load_data',
    ),
    'datasets.california_housing': (
        'load_data',
    ),
    'preprocessing': (
        'image', 'image_dataset_from_directory', 'sequence', 'text_dataset_from_directory',
        'timeseries_dataset_from_array',
    ),
    'preprocessing.image': (
        'array_to_img', 'img_to_array', 'load_img', 'save_img', 'smart_resize',
    ),
    'preprocessing.sequence': (
        'pad_sequences',
    ),
    'mixed_precision': (
    ),
    'dtype_policies': (
    ),
    'layers': (
        'Activation', 'ActivityRegularization', 'AdaptiveAveragePooling1D', 'AdaptiveAveragePooling2D',
        'AdaptiveAveragePooling3D', 'AdaptiveMaxPooling1D', 'AdaptiveMaxPooling2D', 'AdaptiveMaxPooling3D',
        'Add', 'AdditiveAttention', 'AlphaDropout', 'Attention', 'Average', 'AveragePooling1D',
        'AveragePooling2D', 'AveragePooling3D', 'AvgPool1D', 'AvgPool2D', 'AvgPool3D', 'BatchNormalization',
        'Bidirectional', 'CategoryEncoding', 'CenterCrop', 'Concatenate', 'Conv1D', 'Conv1DTranspose',
        'Conv2D', 'Conv2DTranspose', 'Convolution1D', 'Convolution1DTranspose', 'Convolution2D',
        'Convolution2DTranspose', 'Cropping1D', 'Cropping2D', 'Cropping3D', 'Dense', 'Discretization', 'Dot',
        'Dropout', 'ELU', 'EinsumDense', 'Embedding', 'Flatten', 'GRU', 'GRUCell', 'GaussianDropout',
        'GaussianNoise', 'GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalAveragePooling3D',
        'GlobalAvgPool1D', 'GlobalAvgPool2D', 'GlobalAvgPool3D', 'GlobalMaxPool1D', 'GlobalMaxPool2D',
        'GlobalMaxPool3D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'GlobalMaxPooling3D',
        'GroupNormalization', 'HashedCrossing', 'Hashing', 'Identity', 'Input', 'InputLayer', 'InputSpec',
        'IntegerLookup', 'LSTM', 'LSTMCell', 'Lambda', 'Layer', 'LayerNormalization', 'LeakyReLU', 'Masking',
        'MaxPool1D', 'MaxPool2D', 'MaxPool3D', 'MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D', 'Maximum',
        'Minimum', 'MultiHeadAttention', 'Multiply', 'Normalization', 'PReLU', 'Permute', 'Pipeline',
        'RMSNormalization', 'RNN', 'ReLU', 'RepeatVector', 'Rescaling', 'Reshape', 'Resizing', 'SimpleRNN',
        'SimpleRNNCell', 'Softmax', 'SpatialDropout1D', 'SpatialDropout2D', 'SpatialDropout3D',
        'StackedRNNCells', 'StringLookup', 'Subtract', 'TextVectorization', 'TimeDistributed',
        'UnitNormalization', 'UpSampling1D', 'UpSampling2D', 'UpSampling3D', 'ZeroPadding1D', 'ZeroPadding2D',
        'ZeroPadding3D', 'add', 'average', 'concatenate', 'deserialize', 'dot', 'maximum', 'minimum',
        'multiply', 'serialize', 'subtract',
    ),
}

# Namespaces where every Keras name not in EXCLUDED must exist.
COMPLETE = ('metrics', 'optimizers.schedules', 'constraints', 'random', 'models', 'datasets', 'datasets.mnist', 'datasets.fashion_mnist', 'datasets.cifar10', 'datasets.cifar100', 'datasets.imdb', 'datasets.reuters', 'datasets.boston_housing', 'datasets.california_housing', 'preprocessing', 'preprocessing.image', 'preprocessing.sequence')
