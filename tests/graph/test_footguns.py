"""Every way a traced function could silently differ from running it eagerly, and what fluxion does
instead: the difference enters the cache key (so the function retraces), or tracing raises a
TracingError that says how to write the code."""
import numpy as np
import pytest

import fluxion as fx


def test_python_scalars_enter_the_cache_key():
    f = fx.function(lambda x, n: x * n)
    assert float(f(fx.constant(2.0), 3.0)) == 6.0
    assert float(f(fx.constant(2.0), 4.0)) == 8.0  # not the traced 3.0
    assert f.experimental_get_tracing_count() == 2


def test_python_lists_enter_the_cache_key_by_structure_and_value():
    f = fx.function(lambda xs: fx.add_n([x * 1.0 for x in xs]))
    assert float(f([fx.constant(1.0), fx.constant(2.0)])) == 3.0
    assert float(f([fx.constant(1.0), fx.constant(2.0), fx.constant(3.0)])) == 6.0
    assert f.experimental_get_tracing_count() == 2


def test_captured_python_numbers_enter_the_cache_key():
    scale = 2.0

    @fx.function
    def f(x):
        return x * scale

    assert float(f(fx.constant(1.0))) == 2.0
    scale = 5.0  # noqa: F841 - read by f through its closure
    assert float(f(fx.constant(1.0))) == 5.0
    assert "captured Python value 'scale'" in f.retrace_reasons[-1]


GLOBAL_OFFSET = 1.0


def test_captured_globals_enter_the_cache_key():
    global GLOBAL_OFFSET

    @fx.function
    def f(x):
        return x + GLOBAL_OFFSET

    assert float(f(fx.constant(1.0))) == 2.0
    GLOBAL_OFFSET = 10.0
    try:
        assert float(f(fx.constant(1.0))) == 11.0
    finally:
        GLOBAL_OFFSET = 1.0


def test_a_mutated_captured_small_array_retraces():
    table = np.array([1.0, 2.0], np.float32)

    @fx.function
    def f(x):
        return x * table

    assert f(fx.constant(1.0)).numpy().tolist() == [1.0, 2.0]
    table[0] = 7.0
    assert f(fx.constant(1.0)).numpy().tolist() == [7.0, 2.0]


def test_a_captured_large_array_cannot_be_changed_behind_the_graph():
    big = np.zeros(1 << 17, np.float32)

    @fx.function
    def f(x):
        return fx.reduce_sum(x + big)

    f(fx.constant(0.0))
    with pytest.raises(ValueError, match="read-only"):
        big[0] = 1.0


def test_variables_are_read_at_call_time_not_trace_time():
    v = fx.Variable(1.0)
    f = fx.function(lambda: v * 2.0)
    f()
    v.assign(3.0)
    assert float(f()) == 6.0


def test_numpy_inside_a_trace_is_an_error():
    @fx.function
    def f(x):
        return np.sum(x.numpy())

    with pytest.raises(fx.TracingError, match=r"Cannot call \.numpy\(\) on a symbolic tensor"):
        f(fx.constant([1.0]))


def test_numpy_functions_on_symbolic_tensors_are_an_error():
    @fx.function
    def f(x):
        return np.exp(x)

    with pytest.raises(fx.TracingError, match="Use fluxion ops instead of NumPy"):
        f(fx.constant([1.0]))


def test_python_if_on_a_tensor_is_converted_or_says_to_use_cond():
    def absolute(x):
        if x > 0:
            return x
        return -x

    f = fx.function(absolute)
    assert float(f(fx.constant(2.0))) == 2.0
    assert float(f(fx.constant(-3.0))) == 3.0  # the graph decides on each call
    assert f.experimental_get_tracing_count() == 1
    with pytest.raises(fx.TracingError, match=r"fluxion.cond\(pred, true_fn, false_fn\)"):
        fx.function(absolute, autograph=False)(fx.constant(1.0))


def test_python_while_on_a_tensor_is_converted_or_says_to_use_while_loop():
    def doubling(x):
        while x < 10.0:
            x = x * 2.0
        return x

    assert float(fx.function(doubling)(fx.constant(1.0))) == 16.0
    assert float(fx.function(doubling)(fx.constant(3.0))) == 12.0
    with pytest.raises(fx.TracingError, match="fluxion.while_loop"):
        fx.function(doubling, autograph=False)(fx.constant(1.0))

    @fx.function
    def with_break(x):  # loops with break are left as written
        while x < 10.0:
            x = x * 2.0
            if x > 5.0:
                break
        return x

    with pytest.raises(fx.TracingError, match="fluxion.while_loop"):
        with_break(fx.constant(1.0))


def test_tensor_as_python_int_is_an_error():
    @fx.function
    def f(x, n):
        return fx.reshape(x, [int(n)])

    with pytest.raises(fx.TracingError, match="cannot be used as a Python int"):
        f(fx.zeros((2, 2)), fx.constant(4))


def test_python_side_effects_run_only_while_tracing_but_fluxion_print_every_call(capsys):
    calls = []

    @fx.function
    def f(x):
        calls.append("traced")
        fx.print("running", output_stream="stdout")
        return x + 1

    for _ in range(3):
        f(fx.constant(1))
    assert calls == ["traced"]
    assert capsys.readouterr().out == "running\n" * 3


def test_creating_variables_on_a_retrace_is_an_error():
    @fx.function
    def f(x):
        v = fx.Variable(np.ones(x.shape, np.float32))
        return x * v

    f(fx.constant([1.0]))
    with pytest.raises(fx.TracingError, match="created variables on a retrace"):
        f(fx.constant([1.0, 2.0]))


def test_a_variable_initialised_from_a_traced_value_is_an_error():
    @fx.function
    def f(x):
        return fx.Variable(x * 2.0)

    with pytest.raises(fx.TracingError, match="init_scope"):
        f(fx.constant(1.0))


def test_init_scope_creates_variables_eagerly_inside_a_trace():
    made = []

    @fx.function
    def f(x):
        if not made:
            with fx.init_scope():
                made.append(fx.Variable(fx.ones((2,)) * 3.0))
        return x * made[0]

    assert f(fx.constant(2.0)).numpy().tolist() == [6.0, 6.0]
    assert f(fx.constant(1.0)).numpy().tolist() == [3.0, 3.0]


def test_random_draws_differ_between_calls_and_within_a_call():
    from fluxion import random

    @fx.function
    def f():
        return random.uniform((4,)), random.uniform((4,))

    a, b = f()
    c, _ = f()
    assert not np.array_equal(a.numpy(), b.numpy())
    assert not np.array_equal(a.numpy(), c.numpy())


def test_symbolic_tensors_cannot_leak_out_of_a_trace():
    leaked = []

    @fx.function
    def f(x):
        leaked.append(x * 2.0)
        return x

    f(fx.constant(1.0))
    with pytest.raises(fx.TracingError):
        leaked[0].numpy()
