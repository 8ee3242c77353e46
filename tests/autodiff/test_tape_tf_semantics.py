"""GradientTape details as TensorFlow 2.21. PENDING: needs the autodiff/tape.py change of the
F12 report; rename this file to test_tape_tf_semantics.py once it is in."""
import numpy as np

import fluxion as fx


def test_gradient_of_a_variable_with_respect_to_itself_is_ones():
    a = fx.Variable([2.0, 3.0])
    with fx.GradientTape() as tape:
        pass
    np.testing.assert_array_equal(tape.gradient(a, a).numpy(), [1.0, 1.0])
    with fx.GradientTape() as tape:
        y = a * a
    np.testing.assert_array_equal(tape.gradient([y, a], a).numpy(), [5.0, 7.0])


def test_integer_targets_have_no_gradient():
    a = fx.Variable(2.0)
    with fx.GradientTape() as tape:
        y = fx.cast(a, fx.int32)
    assert tape.gradient(y, a) is None
    with fx.GradientTape() as tape:
        z = a * 3.0
        y = fx.cast(a, fx.int32)
    assert float(tape.gradient([z, y], a)) == 3.0


def test_watched_variables_in_creation_order():
    b, c, d = fx.Variable(1.0, name="b"), fx.Variable(1.0, name="c"), fx.Variable(1.0, name="d")
    with fx.GradientTape() as tape:
        _ = d * b + c
    assert [v.name for v in tape.watched_variables()] == ["b:0", "c:0", "d:0"]
