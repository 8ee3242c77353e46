"""`pad_sequences`: ragged lists of sequences to one padded 2-D (or more) NumPy array."""
import numpy as np

__all__ = ["pad_sequences"]


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0):
    """Pads sequences to the same length.

    Sequences longer than `maxlen` are truncated (from the start with `truncating="pre"`, from
    the end with `"post"`); shorter ones are filled with `value` before (`padding="pre"`) or
    after (`"post"`) their items.

    Args:
        sequences: a list (or array) of sequences; each is a list or array of items (scalars or
            arrays of one common shape).
        maxlen: the output length; default the length of the longest sequence.
        dtype: the output dtype (default `"int32"`; `object` or `str` for strings).
        padding: `"pre"` or `"post"`.
        truncating: `"pre"` or `"post"`.
        value: the padding value.

    Returns:
        A NumPy array of shape `(len(sequences), maxlen) + item_shape`.

    Raises:
        ValueError: bad `padding`/`truncating`, items of different shapes, or a string `value`
            with a numeric `dtype`.

    Example:
    >>> pad_sequences([[1, 2, 3], [4, 5], [6]], maxlen=2)
    array([[2, 3],
           [4, 5],
           [0, 6]], dtype=int32)
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("pad_sequences: `sequences` must be a list of sequences. Received: "
                         f"{type(sequences).__name__}.")
    for name, mode in (("padding", padding), ("truncating", truncating)):
        if mode not in ("pre", "post"):
            raise ValueError(f'pad_sequences: {name} must be "pre" or "post". Received: '
                             f"{name}={mode!r}.")
    lengths, item_shape = [], None
    for s in sequences:
        if not hasattr(s, "__len__"):
            raise ValueError("pad_sequences: every sequence must be a list or array. Received "
                             f"an item of type {type(s).__name__}: {s!r}.")
        lengths.append(len(s))
        if item_shape is None and len(s):
            item_shape = np.asarray(s).shape[1:]
    item_shape = item_shape or ()
    if maxlen is None:
        maxlen = max(lengths, default=0)
    is_text = np.issubdtype(dtype, np.str_) or np.dtype(dtype) == object
    if isinstance(value, str) and not is_text:
        raise ValueError(f"pad_sequences: dtype {dtype!r} cannot hold the string padding value "
                         f"{value!r}; pass dtype=object or str.")
    out = np.full((len(sequences), maxlen) + tuple(item_shape), value, dtype=dtype)
    for i, s in enumerate(sequences):
        if not len(s) or not maxlen:
            continue
        kept = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != tuple(item_shape):
            raise ValueError(f"pad_sequences: sequence {i} has items of shape {kept.shape[1:]}, "
                             f"but the first non-empty sequence's items have shape "
                             f"{tuple(item_shape)}; every item must have the same shape.")
        if padding == "post":
            out[i, :len(kept)] = kept
        else:
            out[i, maxlen - len(kept):] = kept
    return out
