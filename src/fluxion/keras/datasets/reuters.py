"""Reuters newswire topics: 11,228 newswires as word indices, labelled over 46 topics."""
import json

import numpy as np

from ..utils import file_utils
from . import _common, _sequences

REUTERS_SHA256 = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_MD5 = "4d44cc38712099c9e383dc6e5f11a921"
LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas",
    "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs",
    "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead",
)


def _raw(path):
    """Raw ranks and labels: from `reuters_flat.npz` (pickle-free: `x_tokens`, `x_offsets`, `y`,
    in the official file's order) or the official `reuters.npz` once its hash matched."""
    fpath, verified = _common.locate(
        "reuters", "reuters", "reuters.npz", _common.origin("reuters.npz"), REUTERS_SHA256,
        path=None if path == "reuters.npz" else path, local_names=("reuters_flat.npz",))
    with np.load(fpath, allow_pickle=False) as f:
        flat = "x_tokens" in f.files
    if flat:
        arrays = _common.load_npz(fpath)
        arrays = {"x_all_tokens": arrays["x_tokens"], "x_all_offsets": arrays["x_offsets"],
                  "y_all": arrays["y"]}
        return _sequences.from_flat(arrays, "all")
    arrays = _common.unpickle_verified(
        fpath, verified or file_utils.validate_file(fpath, REUTERS_SHA256))
    return _sequences.Ragged.from_lists(arrays["x"]), arrays["y"]


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2,
              seed=113, start_char=1, oov_char=2, index_from=3, **kwargs):
    """Loads the Reuters newswire classification dataset.

    The arguments mean what they mean for `imdb.load_data`; the one shuffled list of newswires
    is split after filtering: the first `int(n * (1 - test_split))` are the training set.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: object arrays of Python int lists, and int64
        topic labels in [0, 46).

    Example:
    >>> (x_train, y_train), _ = load_data(num_words=10000)  # doctest: +SKIP
    >>> len(x_train)  # doctest: +SKIP
    8982
    """
    num_words = _sequences.check_kwargs("reuters", kwargs, num_words)
    if not 0 <= test_split < 1:
        raise ValueError(f"reuters.load_data: test_split must be in [0, 1). Received: "
                         f"test_split={test_split}.")
    [(seqs, labels)] = _sequences.prepare("reuters", [_raw(path)], seed, start_char, oov_char,
                                          index_from, maxlen, num_words, skip_top)
    xs = seqs.to_object_array()
    cut = int(len(xs) * (1 - test_split))
    return (xs[:cut], np.array(labels[:cut])), (xs[cut:], np.array(labels[cut:]))


def get_word_index(path="reuters_word_index.json"):
    """Returns the dict mapping each word to its frequency rank (indices in data are +3).

    Example:
    >>> get_word_index()["the"]  # doctest: +SKIP
    1
    """
    fpath, _ = _common.locate("reuters", "reuters", "reuters_word_index.json",
                              _common.origin("reuters_word_index.json"), WORD_INDEX_MD5,
                              path=None if path == "reuters_word_index.json" else path)
    with open(fpath, encoding="utf-8") as f:
        return json.load(f)


def get_label_names():
    """Returns the 46 topic names, indexed by label.

    Example:
    >>> get_label_names()[3]
    'earn'
    """
    return LABEL_NAMES
