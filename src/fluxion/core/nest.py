"""`fluxion.nest`: flatten and rebuild nested lists, tuples, namedtuples and dicts (as `tf.nest`).

Dicts are flattened in sorted key order, as TensorFlow does; rebuilt dicts keep the template's
key order. A `TensorShape` (a tuple subclass) is a leaf, as in TensorFlow.

`expand_composites` is accepted for compatibility: Fluxion has no composite tensors.
"""
from .tensor import TensorShape

__all__ = ["assert_same_structure", "flatten", "pack_sequence_as", "map_structure", "is_nested"]


def is_nested(seq):
    """Returns True for lists, tuples and dicts (the containers `flatten` descends into).

    Example:
    >>> fluxion.nest.is_nested([1, 2]), fluxion.nest.is_nested(1)
    (True, False)
    """
    return isinstance(seq, (list, tuple, dict)) and not isinstance(seq, TensorShape)


def _children(x):
    if isinstance(x, dict):
        return [x[k] for k in sorted(x)]
    return list(x)


def flatten(structure, expand_composites=False):
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
    if not is_nested(template):
        return next(leaves)
    if isinstance(template, dict):
        values = {k: _rebuild(template[k], leaves) for k in sorted(template)}
        items = [(k, values[k]) for k in template]  # the template's key order
        return dict(items) if type(template) is dict else type(template)(items)
    items = [_rebuild(child, leaves) for child in template]
    if isinstance(template, tuple) and hasattr(template, "_fields"):
        return type(template)(*items)
    return type(template)(items)


def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    """Builds a structure like `structure` from the leaves in `flat_sequence`.

    Raises:
        TypeError: if `flat_sequence` is not a list or tuple.
        ValueError: if it does not hold one value per leaf of `structure`.

    Example:
    >>> fluxion.nest.pack_sequence_as({"a": None, "b": (None,)}, [1, 2])
    {'a': 1, 'b': (2,)}
    """
    if not is_nested(flat_sequence):
        raise TypeError(f"pack_sequence_as: flat_sequence must be a list of the leaves, "
                        f"received a {type(flat_sequence).__name__}: {flat_sequence!r}.")
    flat_sequence = list(flat_sequence)
    expected = len(flatten(structure))
    if expected != len(flat_sequence):
        raise ValueError(f"pack_sequence_as: the structure has {expected} leaves but "
                         f"{len(flat_sequence)} values were given.")
    return _rebuild(structure, iter(flat_sequence))


def _mismatch(error, nest1, nest2, detail):
    return error(f"assert_same_structure: the two structures don't have the same nested "
                 f"structure: {detail}.\n  First structure: {nest1!r}\n  Second structure: "
                 f"{nest2!r}")


def _compare(a, b, check_types, top):
    nested_a, nested_b = is_nested(a), is_nested(b)
    if nested_a != nested_b:
        seq, leaf = (a, b) if nested_a else (b, a)
        raise _mismatch(ValueError, *top, f"{seq!r} is a sequence while {leaf!r} is not")
    if not nested_a:
        return
    if isinstance(a, dict) != isinstance(b, dict) or check_types and type(a) is not type(b) \
            and not (isinstance(a, dict) and isinstance(b, dict)):
        raise _mismatch(TypeError, *top, f"{a!r} has type {type(a).__name__} while {b!r} has "
                        f"type {type(b).__name__} (pass check_types=False to allow this)")
    if isinstance(a, dict) and set(a) != set(b):
        raise _mismatch(ValueError, *top, f"the dicts have keys {sorted(a)} and {sorted(b)}")
    if len(a) != len(b):
        raise _mismatch(ValueError, *top, f"{a!r} has {len(a)} elements while {b!r} has "
                        f"{len(b)}")
    for x, y in zip(_children(a), _children(b)):
        _compare(x, y, check_types, top)


def assert_same_structure(nest1, nest2, check_types=True, expand_composites=False):
    """Raises unless `nest1` and `nest2` nest the same way (leaves may differ).

    Args:
        nest1, nest2: the structures to compare.
        check_types: whether the containers must also have the same types (a list is not a
            tuple; any two dicts match).

    Raises:
        ValueError: if the nesting, the lengths or the dict keys differ.
        TypeError: if `check_types` and two containers have different types.

    Example:
    >>> fluxion.nest.assert_same_structure([1, (2,)], ["a", ("b",)])
    """
    _compare(nest1, nest2, check_types, (nest1, nest2))


def map_structure(func, *structure, **kwargs):
    """Applies `func` leaf-wise over one or more structures of the same shape.

    Args:
        func: called with one leaf of each structure.
        *structure: the structures (checked with `assert_same_structure`).
        check_types: (keyword) passed to `assert_same_structure`; default True.
        expand_composites: (keyword) accepted for compatibility.

    Example:
    >>> fluxion.nest.map_structure(lambda a, b: a + b, [1, (2,)], [10, (20,)])
    [11, (22,)]
    """
    unknown = set(kwargs) - {"check_types", "expand_composites"}
    if unknown:
        raise ValueError(f"map_structure: the only keyword arguments are check_types and "
                         f"expand_composites, received {sorted(unknown)}.")
    if not structure:
        raise ValueError("map_structure: give at least one structure to map over.")
    for other in structure[1:]:
        assert_same_structure(structure[0], other, kwargs.get("check_types", True))
    flats = [flatten(s) for s in structure]
    return pack_sequence_as(structure[0], [func(*leaves) for leaves in zip(*flats)])
