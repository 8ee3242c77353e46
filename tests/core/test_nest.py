"""`fluxion.nest` against `tf.nest`'s semantics (values checked against TensorFlow 2.21)."""
import collections

import pytest

import fluxion as tf

Pair = collections.namedtuple("Pair", "b a")


def test_tensor_shape_is_a_leaf():
    shape = tf.TensorShape([2, 3])
    assert not tf.nest.is_nested(shape)
    assert tf.nest.flatten(shape) == [shape]
    assert tf.nest.flatten({"a": shape, "b": [1, 2]}) == [shape, 1, 2]
    assert tf.nest.flatten(tf.TensorShape(None))[0].rank is None
    assert tf.nest.map_structure(lambda s: s.as_list(), {"x": shape}) == {"x": [2, 3]}
    assert tf.nest.pack_sequence_as(shape, [5]) == 5


def test_flatten_and_pack_orders():
    od = collections.OrderedDict([("b", 1), ("a", 2)])
    assert tf.nest.flatten(od) == [2, 1]  # sorted keys
    packed = tf.nest.pack_sequence_as(od, [5, 6])
    assert type(packed) is collections.OrderedDict and list(packed.items()) == [("b", 6), ("a", 5)]
    assert list(tf.nest.map_structure(lambda v: v, {"b": 1, "a": 2})) == ["b", "a"]
    assert tf.nest.flatten(Pair(1, 2)) == [1, 2] and tf.nest.flatten("ab") == ["ab"]
    assert tf.nest.flatten([1, (2, 3)], expand_composites=True) == [1, 2, 3]


def test_assert_same_structure():
    tf.nest.assert_same_structure([1, (2,)], ["a", ("b",)])
    tf.nest.assert_same_structure({"a": 1}, collections.OrderedDict(a=2))
    tf.nest.assert_same_structure([1, (2,)], [3, [4]], check_types=False)
    with pytest.raises(TypeError, match="same nested structure"):
        tf.nest.assert_same_structure([1, (2,)], [3, [4]])
    with pytest.raises(TypeError, match="Pair"):
        tf.nest.assert_same_structure(Pair(1, 2), (1, 2))
    for a, b in [([1, 2], [1]), (1, [1]), ([[1]], [1]), ({"a": 1}, {"b": 1}), (None, [])]:
        with pytest.raises(ValueError, match="same nested structure"):
            tf.nest.assert_same_structure(a, b)


def test_map_structure_checks_structures_and_keywords():
    assert tf.nest.map_structure(lambda *x: sum(x), [1], [2], [3]) == [6]
    assert tf.nest.map_structure(lambda a, b: a + b, [1], (2,), check_types=False) == [3]
    with pytest.raises(TypeError, match="same nested structure"):
        tf.nest.map_structure(lambda a, b: a, [1, 2], (1, 2))
    with pytest.raises(ValueError, match="same nested structure"):
        tf.nest.map_structure(lambda a, b: a, [1, [2]], [1, 2])
    with pytest.raises(ValueError, match="foo"):
        tf.nest.map_structure(lambda a: a, [1], foo=1)
    with pytest.raises(ValueError, match="at least one"):
        tf.nest.map_structure(lambda: 1)


def test_pack_sequence_as_errors():
    with pytest.raises(ValueError, match="2 leaves but 1"):
        tf.nest.pack_sequence_as([1, 2], [1])
    with pytest.raises(TypeError, match="flat_sequence"):
        tf.nest.pack_sequence_as([1], 5)
