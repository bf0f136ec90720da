"""``minikeras.layers``: the building blocks of models.

Place in the stack: above ``minikeras.ops`` and ``minikeras.random``, below
``minikeras.models``. Read ``layer.py`` first (the build/call contract), then
``layer_symbolic.py`` and ``input_layer.py`` (the functional API), then the
concrete layers.
"""

from minikeras.layers.input_layer import Input
from minikeras.layers.input_layer import InputLayer
from minikeras.layers.input_spec import InputSpec
from minikeras.layers.keras_tensor import KerasTensor
from minikeras.layers.layer import Layer
from minikeras.layers.convolutional import Conv1D
from minikeras.layers.convolutional import Conv2D
from minikeras.layers.convolutional import Conv3D
from minikeras.layers.core import Activation
from minikeras.layers.core import Dense
from minikeras.layers.core import Dropout
from minikeras.layers.pooling import AveragePooling1D
from minikeras.layers.pooling import AveragePooling2D
from minikeras.layers.pooling import GlobalAveragePooling1D
from minikeras.layers.pooling import GlobalAveragePooling2D
from minikeras.layers.pooling import GlobalMaxPooling1D
from minikeras.layers.pooling import GlobalMaxPooling2D
from minikeras.layers.pooling import MaxPooling1D
from minikeras.layers.pooling import MaxPooling2D
from minikeras.layers.reshaping import Flatten
from minikeras.layers.reshaping import Permute
from minikeras.layers.reshaping import Reshape
from minikeras.layers.embedding import Embedding
from minikeras.layers.reversible_embedding import ReversibleEmbedding
from minikeras.layers.spectrogram import MelSpectrogram
from minikeras.layers.spectrogram import STFTSpectrogram
from minikeras.layers.merging import Add
from minikeras.layers.merging import Average
from minikeras.layers.merging import Concatenate
from minikeras.layers.merging import Maximum
from minikeras.layers.merging import Minimum
from minikeras.layers.merging import Multiply
from minikeras.layers.merging import Subtract
from minikeras.layers.merging import add
from minikeras.layers.merging import average
from minikeras.layers.merging import concatenate
from minikeras.layers.merging import maximum
from minikeras.layers.merging import minimum
from minikeras.layers.merging import multiply
from minikeras.layers.merging import subtract
from minikeras.layers.normalization import BatchNormalization
from minikeras.layers.normalization import LayerNormalization
from minikeras.layers.preprocessing import Rescaling
from minikeras.layers.text_vectorization import TextVectorization
from minikeras.layers.lambda_layer import Lambda
# attention and transformer layers (issue 16)
from minikeras.layers.einsum_dense import EinsumDense
from minikeras.layers.attention import AdditiveAttention
from minikeras.layers.attention import Attention
from minikeras.layers.attention import GroupedQueryAttention as GroupQueryAttention  # Keras's public name
from minikeras.layers.attention import MultiHeadAttention
from minikeras.layers.normalization_per_sample import GroupNormalization
from minikeras.layers.normalization_per_sample import RMSNormalization
from minikeras.layers.normalization_per_sample import UnitNormalization
# Sequences: recurrent layers, their wrappers, masking (issue 16, recurrent half).
from minikeras.layers.sequence import Masking
from minikeras.layers.sequence import RepeatVector
from minikeras.layers.rnn import GRU
from minikeras.layers.rnn import LSTM
from minikeras.layers.rnn import ConvLSTM1D
from minikeras.layers.rnn import ConvLSTM2D
from minikeras.layers.rnn import ConvLSTM3D
from minikeras.layers.rnn import RNN
from minikeras.layers.rnn import Bidirectional
from minikeras.layers.rnn import GRUCell
from minikeras.layers.rnn import LSTMCell
from minikeras.layers.rnn import SimpleRNN
from minikeras.layers.rnn import SimpleRNNCell
from minikeras.layers.rnn import StackedRNNCells
from minikeras.layers.rnn import TimeDistributed

# ----- issue 17: activation and regularisation layers, Dot, and Keras's aliases -----
from minikeras.layers.activations import ELU
from minikeras.layers.activations import LeakyReLU
from minikeras.layers.activations import PReLU
from minikeras.layers.activations import ReLU
from minikeras.layers.activations import Softmax
from minikeras.layers.core import Identity
from minikeras.layers.dot import Dot
from minikeras.layers.dot import dot
from minikeras.layers.regularization import ActivityRegularization
from minikeras.layers.regularization import AlphaDropout
from minikeras.layers.regularization import GaussianDropout
from minikeras.layers.regularization import GaussianNoise
from minikeras.layers.regularization import SpatialDropout1D
from minikeras.layers.regularization import SpatialDropout2D
from minikeras.layers.regularization import SpatialDropout3D
from minikeras.layers.pooling import AveragePooling3D
from minikeras.layers.pooling import GlobalAveragePooling3D
from minikeras.layers.pooling import GlobalMaxPooling3D
from minikeras.layers.pooling import MaxPooling3D
from minikeras.layers.adaptive_pooling import AdaptiveAveragePooling1D
from minikeras.layers.adaptive_pooling import AdaptiveAveragePooling2D
from minikeras.layers.adaptive_pooling import AdaptiveAveragePooling3D
from minikeras.layers.adaptive_pooling import AdaptiveMaxPooling1D
from minikeras.layers.adaptive_pooling import AdaptiveMaxPooling2D
from minikeras.layers.adaptive_pooling import AdaptiveMaxPooling3D
from minikeras.layers.resampling import Cropping1D
from minikeras.layers.resampling import Cropping2D
from minikeras.layers.resampling import Cropping3D
from minikeras.layers.resampling import UpSampling1D
from minikeras.layers.resampling import UpSampling2D
from minikeras.layers.resampling import UpSampling3D
from minikeras.layers.resampling import ZeroPadding1D
from minikeras.layers.resampling import ZeroPadding2D
from minikeras.layers.resampling import ZeroPadding3D
from minikeras.layers.pipeline import Pipeline
from minikeras.layers.preprocessing_image import CenterCrop
from minikeras.layers.preprocessing_image import Resizing
from minikeras.layers.preprocessing_numeric import CategoryEncoding
from minikeras.layers.preprocessing_numeric import Discretization
from minikeras.layers.preprocessing_numeric import Normalization
from minikeras.layers.hashing import HashedCrossing
from minikeras.layers.hashing import Hashing
from minikeras.layers.index_lookup import IntegerLookup
from minikeras.layers.index_lookup import StringLookup
from minikeras.layers.convolutional_transpose import Conv1DTranspose
from minikeras.layers.convolutional_transpose import Conv2DTranspose
from minikeras.layers.convolutional_transpose import Conv3DTranspose
from minikeras.layers.depthwise_separable import DepthwiseConv1D
from minikeras.layers.depthwise_separable import DepthwiseConv2D
from minikeras.layers.depthwise_separable import SeparableConv1D
from minikeras.layers.depthwise_separable import SeparableConv2D
from minikeras.layers.augmentation import AugMix
from minikeras.layers.augmentation import AutoContrast
from minikeras.layers.augmentation import ContrastLimitedAdaptiveHistogramEqualization
from minikeras.layers.augmentation import CutMix
from minikeras.layers.augmentation import Equalization
from minikeras.layers.augmentation import MaxNumBoundingBoxes
from minikeras.layers.augmentation import MixUp
from minikeras.layers.augmentation import RandAugment
from minikeras.layers.augmentation import RandomBrightness
from minikeras.layers.augmentation import RandomColorDegeneration
from minikeras.layers.augmentation import RandomColorJitter
from minikeras.layers.augmentation import RandomContrast
from minikeras.layers.augmentation import RandomCrop
from minikeras.layers.augmentation import RandomElasticTransform
from minikeras.layers.augmentation import RandomErasing
from minikeras.layers.augmentation import RandomFlip
from minikeras.layers.augmentation import RandomGaussianBlur
from minikeras.layers.augmentation import RandomGrayscale
from minikeras.layers.augmentation import RandomHue
from minikeras.layers.augmentation import RandomInvert
from minikeras.layers.augmentation import RandomPerspective
from minikeras.layers.augmentation import RandomPosterization
from minikeras.layers.augmentation import RandomRotation
from minikeras.layers.augmentation import RandomSaturation
from minikeras.layers.augmentation import RandomSharpness
from minikeras.layers.augmentation import RandomShear
from minikeras.layers.augmentation import RandomTranslation
from minikeras.layers.augmentation import RandomZoom
from minikeras.layers.augmentation import Solarization
from minikeras.layers.wrapper import SpectralNormalization
from minikeras.layers.wrapper import Wrapper

# Keras's second names for the same classes (keras.layers.MaxPool2D is MaxPooling2D).
AvgPool1D = AveragePooling1D
AvgPool2D = AveragePooling2D
AvgPool3D = AveragePooling3D
Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
Convolution1DTranspose = Conv1DTranspose
Convolution2DTranspose = Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalAvgPool3D = GlobalAveragePooling3D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D
GlobalMaxPool3D = GlobalMaxPooling3D
MaxPool1D = MaxPooling1D
MaxPool2D = MaxPooling2D
MaxPool3D = MaxPooling3D
SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D

# ----- issue 18: layers.serialize / layers.deserialize -----
from minikeras.layers.serialization import deserialize  # noqa: E402
from minikeras.layers.serialization import serialize  # noqa: E402
