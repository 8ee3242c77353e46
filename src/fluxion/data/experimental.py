"""`fluxion.data.experimental`: the TF 2.x aliases of the cardinality constants and AUTOTUNE."""
from .dataset import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY


def cardinality(dataset):
    """Returns `dataset.cardinality()` (the TF 2.2 spelling)."""
    return dataset.cardinality()


__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "cardinality"]
