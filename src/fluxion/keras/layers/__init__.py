"""`keras.layers`: the building blocks of models.

Example:
>>> from fluxion.keras import layers
>>> layers.Dense(2).name.startswith("dense")
True
"""
from ..engine.functional import Input, InputLayer
from ..engine.input_spec import InputSpec
from ..engine.layer import Layer
from ..engine.layer import serialize as _serialize
from ..engine.model import deserialize_layer
from .activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax
from .convolutional import (
    Conv1D,
    Conv1DTranspose,
    Conv2D,
    Conv2DTranspose,
    Convolution1D,
    Convolution1DTranspose,
    Convolution2D,
    Convolution2DTranspose,
    Deconvolution2D,
)
from .core import Activation, Dense, Dropout, Identity, Lambda
from .embedding import Embedding
from .masking import Masking
from .merging import (
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)
from .normalization import BatchNormalization, LayerNormalization
from .pooling import (
    AveragePooling1D,
    AveragePooling2D,
    AvgPool1D,
    AvgPool2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAvgPool1D,
    GlobalAvgPool2D,
    GlobalMaxPool1D,
    GlobalMaxPool2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPool1D,
    MaxPool2D,
    MaxPooling1D,
    MaxPooling2D,
)
from .reshaping import Flatten, Permute, RepeatVector, Reshape
from .text_vectorization import TextVectorization
from .upsampling import (
    Cropping1D,
    Cropping2D,
    UpSampling1D,
    UpSampling2D,
    ZeroPadding1D,
    ZeroPadding2D,
)


def serialize(layer):
    """Returns a layer's Keras 3 config dict.

    Example:
    >>> serialize(Dense(2, name="d"))["class_name"]
    'Dense'
    """
    return _serialize(layer)


def deserialize(config, custom_objects=None):
    """Creates a layer from its Keras 3 config dict (custom classes via `custom_objects`)."""
    return deserialize_layer(config, custom_objects)
from .dbn import DBN  # noqa: E402
from .rbm import RBM  # noqa: E402
from .rnn import (  # noqa: E402
    GRU,
    LSTM,
    RNN,
    Bidirectional,
    GRUCell,
    LSTMCell,
    SimpleRNN,
    SimpleRNNCell,
    StackedRNNCells,
    TimeDistributed,
)
