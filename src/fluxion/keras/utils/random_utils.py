"""`keras.utils.set_random_seed`: one call seeds every source of randomness."""
import random

import numpy as np

from ...ops import random_ops


def set_random_seed(seed):
    """Seeds Python's `random`, NumPy's global generator and fluxion's global seed.

    After it, weight initialisation, dropout masks and `fit`'s shuffling repeat bit for bit.

    Args:
        seed: a non-negative integer.

    Raises:
        ValueError: if `seed` is not an integer.

    Example:
    >>> keras.utils.set_random_seed(42)
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"set_random_seed: expected an integer seed, received "
                         f"{seed!r} of type {type(seed).__name__}.")
    random.seed(int(seed))
    np.random.seed(int(seed) % (2 ** 32))
    random_ops.set_seed(int(seed))
