"""AutoGraph: Python `if`/`while`/`for` on tensors inside fluxion.function become cond and
while_loop; the graph then decides on each call, with the values (and gradients) of eager
execution."""
import traceback

import numpy as np
import pytest

import fluxion as fx
from fluxion.graph import autograph


def _same_as_eager(python_function, *calls):
    """The traced function equals the eager one on each argument tuple, with one trace."""
    traced = fx.function(python_function)
    for args in calls:
        np.testing.assert_allclose(traced(*args).numpy(), python_function(*args).numpy(),
                                   rtol=1e-6)
    assert traced.experimental_get_tracing_count() == 1
    return traced


def collatz_steps(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


def test_nested_while_and_if_run_as_one_graph_for_every_input():
    f = fx.function(collatz_steps)
    for n in (1, 6, 27, 97):
        assert int(f(fx.constant(n))) == collatz_steps(n)
    assert f.experimental_get_tracing_count() == 1


def test_if_else_assigning_variables():
    def f(x):
        scale = 1.0
        if fx.reduce_sum(x) > 0:
            y = x * 2.0
            scale = 3.0
        else:
            y = -x
        return y * scale

    _same_as_eager(f, (fx.constant([1.0, 2.0]),), (fx.constant([-1.0, -2.0]),))


def test_return_inside_if_and_the_rest_as_else():
    def f(x):
        if x > 10.0:
            return x - 10.0
        elif x > 0.0:
            y = x * 2.0
            return y
        z = x - 1.0
        return z * 3.0

    _same_as_eager(f, *[(fx.constant(v),) for v in (15.0, 2.0, -2.0)])


def test_for_over_a_tensor_range_and_over_a_tensor():
    def fib(n):
        a, b = fx.constant(0), fx.constant(1)
        for _ in fx.range(n):
            a, b = b, a + b
        return a

    _same_as_eager(fib, (fx.constant(10),), (fx.constant(1),), (fx.constant(0),))

    def row_norms(m):
        total = fx.zeros([3])
        for row in m:
            total = total + row * row
        return total

    rows = fx.function(row_norms, input_signature=[fx.TensorSpec([None, 3])])
    m = np.arange(12, dtype=np.float32).reshape(4, 3)
    np.testing.assert_allclose(rows(m).numpy(), (m * m).sum(0))
    np.testing.assert_allclose(rows(m[:2]).numpy(), (m[:2] * m[:2]).sum(0))


def test_python_loops_and_python_conditions_stay_python():
    def f(x, n, flag):
        for i in range(n):     # unrolled at trace time, as in TensorFlow
            x = x + i
        if flag:               # a Python bool: only the taken branch is traced
            x = x * 10.0
        return x

    traced = fx.function(f)
    assert float(traced(fx.constant(1.0), 3, True)) == 40.0
    assert float(traced(fx.constant(1.0), 3, False)) == 4.0


def test_and_or_not_in_conditions():
    def f(x, y):
        if x > 0 and not y > 0:
            return x
        if x > 0 or y > 5.0:
            return y
        return x + y

    _same_as_eager(f, *[(fx.constant(a), fx.constant(b))
                        for a, b in ((1.0, -1.0), (1.0, 2.0), (-1.0, 6.0), (-1.0, 1.0))])


def test_loop_temporaries_need_no_value_before_the_loop():
    def f(x, n):
        i = 0
        while i < n:
            doubled = x * 2.0
            x = doubled + 1.0
            i += 1
        return x

    _same_as_eager(f, (fx.constant(1.0), fx.constant(3)), (fx.constant(1.0), fx.constant(0)))


def test_gradients_through_converted_control_flow_match_eager():
    def grad(x):
        with fx.GradientTape() as tape:
            tape.watch(x)
            y = x
            for _ in fx.range(3):
                y = y * x
            if y > 100.0:
                y = y / 10.0
        return tape.gradient(y, x)

    traced = fx.function(grad)
    for v in (2.0, 4.0):  # x**4 = 16 (no division) and 256 (divided by 10)
        np.testing.assert_allclose(traced(fx.constant(v)).numpy(), grad(fx.constant(v)).numpy())
    assert float(traced(fx.constant(2.0))) == 32.0
    assert float(traced(fx.constant(4.0))) == pytest.approx(25.6)


def test_methods_closures_defaults_and_super():
    offset = fx.constant(5.0)

    class Base:
        def bias(self):
            return 1.0

    class Model(Base):
        def __init__(self):
            self.gain = 2.0

        @fx.function
        def __call__(self, x, limit=3.0):
            if x > limit:
                x = x * self.gain + offset + super().bias()
            return x

    model = Model()
    assert float(model(fx.constant(4.0))) == 14.0
    assert float(model(fx.constant(2.0))) == 2.0
    assert float(model(fx.constant(2.0), limit=1.0)) == 10.0


def test_variables_assigned_in_converted_branches_keep_program_order():
    v = fx.Variable(0.0)

    @fx.function
    def f(x):
        if x > 0:
            v.assign_add(x)
        else:
            v.assign_sub(1.0)
        return v.read_value()

    assert float(f(fx.constant(2.0))) == 2.0
    assert float(f(fx.constant(-2.0))) == 1.0
    assert float(v.read_value()) == 1.0


def test_a_variable_set_in_one_branch_only_is_a_clear_error():
    @fx.function
    def f(x):
        if x > 0:
            y = x
        return y

    with pytest.raises(NameError, match="'y' has no value here"):
        f(fx.constant(1.0))


def test_non_tensor_state_in_a_tensor_branch_is_a_clear_error():
    @fx.function
    def f(x):
        label = "small"
        if x > 0:
            label = "positive"  # noqa: F841
        return x

    with pytest.raises(TypeError, match="'label' is a str"):
        f(fx.constant(1.0))


def test_functions_without_source_or_control_flow_are_left_alone():
    square = lambda x: x * x  # noqa: E731
    assert autograph.convert(square) is square

    def plain(x):
        return x + 1

    assert autograph.convert(plain) is plain
    assert autograph.convert(fx.reduce_sum) is fx.reduce_sum


def test_errors_in_converted_code_point_at_the_users_line():
    @fx.function
    def f(x):
        if x > 0:
            x = x + undefined_name  # noqa: F821
        return x

    with pytest.raises(NameError) as info:
        f(fx.constant(1.0))
    frames = traceback.extract_tb(info.value.__traceback__)
    assert frames[-1].filename == __file__ and "undefined_name" in frames[-1].line


def test_a_custom_keras_train_step_with_python_control_flow():
    from fluxion import keras

    class Clipped(keras.Model):
        def train_step(self, data):
            x, y = data[0], data[1]
            with fx.GradientTape() as tape:
                loss = fx.reduce_mean((self(x, training=True) - y) ** 2)
            grads = tape.gradient(loss, self.trainable_variables)
            if loss > 1.0:  # a tensor condition: converted
                grads = [g * 0.1 for g in grads]
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            return {"step_loss": loss}

    inputs = keras.Input((2,))
    model = Clipped(inputs, keras.layers.Dense(1, kernel_initializer="ones")(inputs))
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    x = np.ones((4, 2), np.float32)
    history = model.fit(x, np.full((4, 1), 5.0, np.float32), batch_size=4, epochs=2, verbose=0)
    # step 1: prediction 2, loss 9, gradient -6 per weight scaled by 0.1: kernel 1.06, bias 0.06;
    # step 2: prediction 2.18, loss 7.95, gradient -5.64 scaled: kernel 1.1164
    assert history.history["step_loss"][0] == pytest.approx(9.0)
    np.testing.assert_allclose(model.layers[-1].get_weights()[0], [[1.1164], [1.1164]],
                               rtol=1e-5)
