"""`fluxion.keras.utils`: data and file utilities."""
from ..preprocessing.sequence import pad_sequences
from ..trainers.progbar import Progbar
from .file_utils import get_file
from .numerical_utils import normalize, to_categorical
from .random_utils import set_random_seed
from .sequence_utils import PyDataset, Sequence
