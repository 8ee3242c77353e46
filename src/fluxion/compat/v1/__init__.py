"""`fluxion.compat.v1`: the TensorFlow 1.x API (graphs, placeholders, sessions) on Fluxion's
graph machinery.

After `disable_v2_behavior()` (or `disable_eager_execution()`) ops build the default graph
instead of computing; `Session.run` prunes it to what the fetches need, optimises that with the
same passes as `fluxion.function` and runs it with the same executor. `enable_eager_execution()`
switches back. Every op of `fluxion` is available here too (`tf.matmul`, `tf.nn.relu`, ...).

Example:
>>> import fluxion.compat.v1 as tf
>>> tf.disable_v2_behavior()
>>> in_a = tf.placeholder(dtype=tf.float32, shape=(2))
>>> with tf.variable_scope("matmul"):
...     W = tf.get_variable("W", initializer=tf.ones(shape=(2, 2)))
>>> with tf.Session() as sess:
...     sess.run(tf.global_variables_initializer())
...     print(sess.run([in_a * W], feed_dict={in_a: [1, 0]}))
[array([[1., 0.],
       [1., 0.]], dtype=float32)]
>>> tf.enable_eager_execution(); tf.reset_default_graph()
"""
import fluxion as _fluxion
from fluxion import *  # noqa: F401,F403  (every TF 2 op, dtype and module)
from fluxion import linalg, math, nn, random  # noqa: F401

from ...ops.math_ops import cast as _cast
from ...ops.random_ops import normal as random_normal  # noqa: F401
from ...ops.random_ops import set_seed as set_random_seed  # noqa: F401
from ...ops.random_ops import truncated_normal  # noqa: F401
from ...ops.random_ops import uniform as random_uniform  # noqa: F401
from . import errors, train  # noqa: F401
from .graph import (  # noqa: F401
    Graph,
    Operation,
    control_dependencies,
    disable_eager_execution,
    disable_v2_behavior,
    enable_eager_execution,
    enable_v2_behavior,
    executing_eagerly,
    get_default_graph,
    get_default_session,
    group,
    no_op,
    placeholder,
    reset_default_graph,
)
from .session import InteractiveSession, Session  # noqa: F401
from .train import gradients  # noqa: F401
from .variables import (  # noqa: F401
    AUTO_REUSE,
    Variable,
    VariableScope,
    assign,
    assign_add,
    assign_sub,
    constant_initializer,
    get_variable,
    get_variable_scope,
    global_variables,
    global_variables_initializer,
    glorot_normal_initializer,
    glorot_uniform_initializer,
    initialize_all_variables,
    local_variables,
    local_variables_initializer,
    ones_initializer,
    random_normal_initializer,
    random_uniform_initializer,
    trainable_variables,
    truncated_normal_initializer,
    variable_scope,
    variables_initializer,
    zeros_initializer,
)


def to_float(x, name="ToFloat"):
    """`cast(x, float32)` (TF 1.x).

    Example:
    >>> tf.to_float([1, 2])  # doctest: +SKIP
    """
    return _cast(x, _fluxion.float32)


def to_int32(x, name="ToInt32"):
    """`cast(x, int32)` (TF 1.x)."""
    return _cast(x, _fluxion.int32)


def __getattr__(name):
    """`keras` and `data` come from `fluxion` (imported on first use)."""
    if name in ("keras", "data"):
        with _fluxion.init_scope():  # importing must not record into a graph
            return getattr(_fluxion, name)
    raise AttributeError(f"module 'fluxion.compat.v1' has no attribute '{name}'")
