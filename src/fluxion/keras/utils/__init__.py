"""`fluxion.keras.utils`: data and file utilities."""
from ..engine.keras_tensor import is_keras_tensor
from ..preprocessing.sequence import pad_sequences
from ..saving import (
    CustomObjectScope,
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)
from ..trainers.data_adapter import pack_x_y_sample_weight, unpack_x_y_sample_weight
from ..trainers.progbar import Progbar
from .file_utils import get_file
from .model_visualization import model_to_dot, plot_model
from .numerical_utils import normalize, to_categorical
from .random_utils import set_random_seed
from .sequence_utils import PyDataset, Sequence
