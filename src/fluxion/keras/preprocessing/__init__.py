"""`fluxion.keras.preprocessing`: sequence padding and text tokenization."""
from . import sequence, text
