"""`fluxion.keras.utils`: data and file utilities."""
from ..preprocessing.sequence import pad_sequences
from .file_utils import get_file
from .numerical_utils import normalize, to_categorical
from .sequence_utils import PyDataset, Sequence
