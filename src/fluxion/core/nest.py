"""`fluxion.nest`: flatten and rebuild nested lists, tuples, namedtuples and dicts (as `tf.nest`).

Dicts are flattened in sorted key order, as TensorFlow does.
"""

__all__ = ["flatten", "pack_sequence_as", "map_structure", "is_nested"]


def is_nested(x):
    """Returns True for lists, tuples and dicts (the containers `flatten` descends into).

    Example:
    >>> fluxion.nest.is_nested([1, 2]), fluxion.nest.is_nested(1)
    (True, False)
    """
    return isinstance(x, (list, tuple, dict))


def _children(x):
    if isinstance(x, dict):
        return [x[k] for k in sorted(x)]
    return list(x)


def flatten(structure):
    """Returns the leaves of `structure` in order.

    Example:
    >>> fluxion.nest.flatten({"b": 2, "a": [1, 3]})
    [1, 3, 2]
    """
    if not is_nested(structure):
        return [structure]
    out = []
    for child in _children(structure):
        out.extend(flatten(child))
    return out


def _rebuild(template, leaves):
    if isinstance(template, dict):
        keys = sorted(template)
        return type(template)((k, _rebuild(template[k], leaves)) for k in keys) \
            if type(template) is not dict else {k: _rebuild(template[k], leaves) for k in keys}
    if isinstance(template, (list, tuple)):
        items = [_rebuild(child, leaves) for child in template]
        if isinstance(template, tuple) and hasattr(template, "_fields"):
            return type(template)(*items)
        return type(template)(items)
    return next(leaves)


def pack_sequence_as(structure, flat_sequence):
    """Builds a structure like `structure` from the leaves in `flat_sequence`.

    Example:
    >>> fluxion.nest.pack_sequence_as({"a": None, "b": (None,)}, [1, 2])
    {'a': 1, 'b': (2,)}
    """
    flat_sequence = list(flat_sequence)
    expected = len(flatten(structure))
    if expected != len(flat_sequence):
        raise ValueError(f"pack_sequence_as: the structure has {expected} leaves but "
                         f"{len(flat_sequence)} values were given.")
    return _rebuild(structure, iter(flat_sequence))


def map_structure(func, *structures):
    """Applies `func` leaf-wise over one or more structures of the same shape.

    Example:
    >>> fluxion.nest.map_structure(lambda a, b: a + b, [1, (2,)], [10, (20,)])
    [11, (22,)]
    """
    flats = [flatten(s) for s in structures]
    if any(len(f) != len(flats[0]) for f in flats):
        raise ValueError("map_structure: the structures do not have the same number of leaves.")
    return pack_sequence_as(structures[0], [func(*leaves) for leaves in zip(*flats)])
