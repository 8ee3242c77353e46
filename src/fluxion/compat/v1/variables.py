"""TF 1.x variables: `Variable`, `get_variable` with `variable_scope`, initializers.

A variable built in graph mode starts uninitialized: its initializer is an `assign` node that runs
only when `sess.run(tf.global_variables_initializer())` (or `v.initializer`) runs it. Reading it
before raises `FailedPreconditionError`, as TensorFlow does.
"""
import contextlib
import math

import numpy as np

from ...core import dtypes
from ...core.tensor import AbstractArray, Tensor, TensorShape, convert_to_tensor
from ...core.variable import Variable as _CoreVariable
from ...ops import math_ops, random_ops
from ...ops.array_ops import fill
from .graph import Operation, building_graph, get_default_graph

GLOBAL_VARIABLES = "variables"
TRAINABLE_VARIABLES = "trainable_variables"


class _AutoReuse:
    def __repr__(self):
        return "AUTO_REUSE"


AUTO_REUSE = _AutoReuse()


class Variable(_CoreVariable):
    """A TF 1.x variable. Eagerly it is a `fluxion.Variable`; in graph mode it is uninitialized
    until its initializer runs, and `assign*` return tensors whose evaluation assigns.

    Args:
        initial_value: a tensor (of the graph or eager), a convertible value or a callable.
        trainable: whether it joins `trainable_variables()` (and optimizers train it).
        name: its name (made unique in the graph; prefixed by the current variable scope).
        dtype: converts the initial value to this type.

    Example:
    >>> b = tf.Variable(tf.zeros((2,)), name="b")  # doctest: +SKIP
    >>> sess.run(b.initializer); sess.run(b)  # doctest: +SKIP
    array([0., 0.], dtype=float32)
    """

    def __init__(self, initial_value=None, trainable=None, collections=None, validate_shape=True,
                 caching_device=None, name=None, variable_def=None, dtype=None,
                 expected_shape=None, import_scope=None, constraint=None, use_resource=None,
                 synchronization=None, aggregation=None, shape=None, _exact_name=False):
        graph = building_graph()
        trainable = True if trainable is None else bool(trainable)
        if graph is None:
            super().__init__(initial_value, trainable=trainable, validate_shape=validate_shape,
                             name=name, dtype=dtype, shape=shape, constraint=constraint)
            self.graph = None
            return
        if initial_value is None:
            raise ValueError("Variable: initial_value must be given.")
        if callable(initial_value):
            initial_value = initial_value()
        dtype = None if dtype is None else dtypes.as_dtype(dtype)
        if not isinstance(initial_value, Tensor):
            initial_value = convert_to_tensor(initial_value, dtype=dtype)
        elif dtype is not None and initial_value.dtype != dtype:
            initial_value = math_ops.cast(initial_value, dtype)
        shape_ = tuple(initial_value._value.shape)
        if None in shape_:
            raise ValueError(f"Variable '{name}': the initial value's shape {shape_} must be "
                             "fully defined.")
        if not _exact_name:
            name = graph.unique_name(_scoped(graph, name or "Variable"))
        self.graph = graph
        self._value = AbstractArray(shape_, initial_value._value.dtype)
        self.trainable = trainable
        self._name = name
        self.constraint = constraint
        self._validate_shape = validate_shape
        self.initial_value = initial_value
        builder = graph._builder
        builder.on_variable_created(self)
        builder.assign_variable(self, "assign", initial_value)
        self.initializer = Operation([graph.ir.nodes[-1]], f"{name}/Assign", graph)
        for key in collections or ([GLOBAL_VARIABLES] + ([TRAINABLE_VARIABLES] if trainable
                                                        else [])):
            graph.add_to_collection(key, self)

    @property
    def op(self):
        return self.initializer

    def _assign_op(self, mode, value):
        if self.graph is None or building_graph() is not self.graph:
            return getattr(super(), mode)(value)
        builder = self.graph._builder
        builder.assign_variable(self, mode, value)
        return builder.fresh_read(self, [self.graph.ir.nodes[-1]])

    def assign(self, value, use_locking=None, name=None, read_value=True):
        """Graph mode: a tensor that assigns `value` when evaluated and gives the new value."""
        return self._assign_op("assign", value)

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        """Graph mode: a tensor that adds `delta` when evaluated and gives the new value."""
        return self._assign_op("assign_add", delta)

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        """Graph mode: a tensor that subtracts `delta` when evaluated and gives the new value."""
        return self._assign_op("assign_sub", delta)

    def eval(self, session=None):
        """The variable's value, computed by `session` (default: the default session)."""
        from .session import _session_or_default
        return _session_or_default(session, "Variable.eval").run(self)

    def numpy(self):
        if isinstance(self._value, AbstractArray):
            raise NotImplementedError(
                f"Variable '{self._name}'.numpy() is only available with eager execution; in "
                "graph mode evaluate it with sess.run(variable).")
        return super().numpy()

    def __repr__(self):
        if self.graph is None:
            return super().__repr__()
        return (f"<tf.Variable '{self.name}' shape={TensorShape(self._value.shape)} "
                f"dtype={self.dtype.name}_ref>")


def _scoped(graph, name):
    prefix = "/".join(s.name for s in graph._scope_stack[-1:]) if graph._scope_stack else ""
    return f"{prefix}/{name}" if prefix else name


# --- variable scopes ---------------------------------------------------------------------------
class VariableScope:
    """The state of a `variable_scope`: its full name, reuse flag and default initializer."""

    def __init__(self, name, reuse=False, initializer=None, dtype=dtypes.float32):
        self.name = name
        self.reuse = reuse
        self.initializer = initializer
        self.dtype = dtype
        self.original_name_scope = name + "/" if name else ""

    def reuse_variables(self):
        """Makes later `get_variable` calls in this scope reuse existing variables."""
        self.reuse = True

    def set_initializer(self, initializer):
        self.initializer = initializer

    def __repr__(self):
        return f"<VariableScope '{self.name}' reuse={self.reuse}>"


def get_variable_scope():
    """The current `VariableScope` (the root scope, named '', outside any `variable_scope`)."""
    graph = get_default_graph()
    return graph._scope_stack[-1] if graph._scope_stack else VariableScope("")


@contextlib.contextmanager
def variable_scope(name_or_scope, default_name=None, values=None, initializer=None,
                   regularizer=None, caching_device=None, partitioner=None, custom_getter=None,
                   reuse=None, dtype=None, use_resource=None, constraint=None,
                   auxiliary_name_scope=True):
    """Prefixes the names of the variables `get_variable` makes inside, and sets sharing.

    Args:
        name_or_scope: the scope name (or a `VariableScope` to re-enter).
        default_name: used (made unique) when `name_or_scope` is None.
        initializer: the default initializer of `get_variable` inside.
        reuse: True to share existing variables, `AUTO_REUSE` to share or create, None to
            inherit the enclosing scope's setting.

    Example:
    >>> with tf.variable_scope("matmul"):  # doctest: +SKIP
    ...     W = tf.get_variable("W", shape=(2, 2))
    >>> W.name  # doctest: +SKIP
    'matmul/W:0'
    """
    graph = get_default_graph()
    parent = get_variable_scope()
    if isinstance(name_or_scope, VariableScope):
        full = name_or_scope.name
        reuse = name_or_scope.reuse if reuse is None else reuse
        initializer = initializer or name_or_scope.initializer
    else:
        if name_or_scope is None:
            if default_name is None:
                raise TypeError("variable_scope: give name_or_scope or default_name.")
            name_or_scope = graph.unique_name(_prefixed(parent.name, default_name))
            name_or_scope = name_or_scope.rsplit("/", 1)[-1]
        full = _prefixed(parent.name, name_or_scope)
    if reuse is None or reuse is False:
        reuse = parent.reuse if parent.reuse else bool(reuse)
    scope = VariableScope(full, reuse, initializer or parent.initializer,
                          dtypes.as_dtype(dtype) if dtype is not None else parent.dtype)
    graph._scope_stack.append(scope)
    try:
        yield scope
    finally:
        graph._scope_stack.pop()


def _compatible(a, b):
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


def _prefixed(prefix, name):
    return f"{prefix}/{name}" if prefix else name


def get_variable(name, shape=None, dtype=None, initializer=None, regularizer=None,
                 trainable=None, collections=None, caching_device=None, partitioner=None,
                 validate_shape=True, use_resource=None, custom_getter=None, constraint=None,
                 synchronization=None, aggregation=None):
    """Gets an existing variable of the current variable scope or creates a new one.

    A new variable's value comes from `initializer`: a tensor or array (then leave `shape`
    out), a callable `initializer(shape, dtype=dtype)`, or by default the scope's initializer,
    else `glorot_uniform_initializer()` for floats and zeros for other types.

    Raises:
        ValueError: the variable exists and the scope does not reuse; or it does not exist and
            the scope has `reuse=True`; or the shape is unknown or differs from the shared one.

    Example:
    >>> with tf.variable_scope("matmul"):  # doctest: +SKIP
    ...     W = tf.get_variable("W", initializer=tf.ones(shape=(2, 2)))
    """
    graph = get_default_graph()
    scope = get_variable_scope()
    full = _prefixed(scope.name, name)
    existing = graph._variable_store.get(full)
    if existing is not None:
        if scope.reuse is False:
            raise ValueError(f"Variable {full} already exists, disallowed. Did you mean to set "
                             "reuse=True or reuse=tf.AUTO_REUSE in VarScope?")
        if shape is not None and not _compatible(TensorShape(shape), existing.shape):
            raise ValueError(f"Trying to share variable {full}, but specified shape "
                             f"{TensorShape(shape)} and found shape {existing.shape}.")
        if dtype is not None and dtypes.as_dtype(dtype) != existing.dtype:
            raise ValueError(f"Trying to share variable {full}, but specified dtype "
                             f"{dtypes.as_dtype(dtype).name} and found dtype "
                             f"{existing.dtype.name}.")
        return existing
    if scope.reuse is True:
        raise ValueError(f"Variable {full} does not exist, or was not created with "
                         "tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE in VarScope?")
    initializer = initializer if initializer is not None else scope.initializer
    if isinstance(initializer, (Tensor, np.ndarray, list, int, float)):
        if shape is not None and isinstance(initializer, Tensor):
            raise ValueError(f"get_variable '{full}': if initializer is a constant, do not "
                             "specify shape.")
        value = initializer
    else:
        if shape is None or not TensorShape(shape).is_fully_defined():
            shape = None if shape is None else TensorShape(shape)
            raise ValueError(f"Shape of a new variable ({full}) must be fully defined, but "
                             f"instead was {shape}.")
        shape = tuple(TensorShape(shape))
        dtype = dtypes.as_dtype(dtype) if dtype is not None else scope.dtype
        if initializer is None:
            initializer = glorot_uniform_initializer() if dtype.is_floating else \
                zeros_initializer()
        value = initializer(shape, dtype=dtype)
    in_graph = building_graph() is not None
    variable = Variable(value, trainable=trainable, collections=collections,
                        name=graph.unique_name(full) if in_graph else full, dtype=dtype,
                        validate_shape=validate_shape, constraint=constraint,
                        _exact_name=in_graph)
    if not in_graph:
        variable._name = full
    graph._variable_store[full] = variable
    return variable


# --- initializers (TF 1.x defaults) -------------------------------------------------------------
class _Initializer:
    """A callable `initializer(shape, dtype=float32, partition_info=None)` returning a tensor."""

    def __init__(self, dtype=dtypes.float32, seed=None, **params):
        self.dtype = dtypes.as_dtype(dtype)
        self.seed = seed
        self.params = params

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = dtypes.as_dtype(dtype) if dtype is not None else self.dtype
        return self._make(tuple(shape), dtype, **self.params)


class zeros_initializer(_Initializer):
    """Initializes to zeros."""

    def _make(self, shape, dtype):
        return fill(shape, convert_to_tensor(0, dtype=dtype))


class ones_initializer(_Initializer):
    """Initializes to ones."""

    def _make(self, shape, dtype):
        return fill(shape, convert_to_tensor(1, dtype=dtype))


class constant_initializer(_Initializer):
    """Initializes to `value` (a scalar, broadcast to the shape, or an array of that shape)."""

    def __init__(self, value=0, dtype=dtypes.float32):
        super().__init__(dtype, value=value)

    def _make(self, shape, dtype, value):
        array = np.asarray(value, dtype=dtype._np)
        if array.size == 1:
            array = np.full(shape, array.reshape(()), dtype=dtype._np)
        return convert_to_tensor(array.reshape(shape))


class random_normal_initializer(_Initializer):
    """Initializes from N(mean, stddev**2) (TF 1.x default stddev 1.0)."""

    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=dtypes.float32):
        super().__init__(dtype, seed, mean=mean, stddev=stddev)

    def _make(self, shape, dtype, mean, stddev):
        return random_ops.normal(shape, mean, stddev, dtype=dtype, seed=self.seed)


class truncated_normal_initializer(random_normal_initializer):
    """Like `random_normal_initializer`, re-drawing values beyond two standard deviations."""

    def _make(self, shape, dtype, mean, stddev):
        return random_ops.truncated_normal(shape, mean, stddev, dtype=dtype, seed=self.seed)


class random_uniform_initializer(_Initializer):
    """Initializes from U[minval, maxval) (TF 1.x defaults 0 and 1)."""

    def __init__(self, minval=0.0, maxval=None, seed=None, dtype=dtypes.float32):
        super().__init__(dtype, seed, minval=minval, maxval=1.0 if maxval is None else maxval)

    def _make(self, shape, dtype, minval, maxval):
        return random_ops.uniform(shape, minval, maxval, dtype=dtype, seed=self.seed)


def _fans(shape):
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


class glorot_uniform_initializer(_Initializer):
    """Xavier uniform: U(-l, l) with l = sqrt(6 / (fan_in + fan_out)). `get_variable`'s
    default."""

    def _make(self, shape, dtype):
        fan_in, fan_out = _fans(shape)
        limit = math.sqrt(6.0 / max(1.0, fan_in + fan_out))
        return random_ops.uniform(shape, -limit, limit, dtype=dtype, seed=self.seed)


class glorot_normal_initializer(_Initializer):
    """Xavier normal: truncated normal with stddev sqrt(2 / (fan_in + fan_out)) / 0.8796."""

    def _make(self, shape, dtype):
        fan_in, fan_out = _fans(shape)
        stddev = math.sqrt(2.0 / max(1.0, fan_in + fan_out)) / .87962566103423978
        return random_ops.truncated_normal(shape, 0.0, stddev, dtype=dtype, seed=self.seed)


# --- collections and initializer ops ------------------------------------------------------------
def global_variables(scope=None):
    """The default graph's variables (optionally those whose name starts with `scope`)."""
    return get_default_graph().get_collection(GLOBAL_VARIABLES, scope)


def trainable_variables(scope=None):
    """The default graph's trainable variables."""
    return get_default_graph().get_collection(TRAINABLE_VARIABLES, scope)


def local_variables(scope=None):
    return get_default_graph().get_collection("local_variables", scope)


def variables_initializer(var_list, name="init"):
    """An operation that initializes the variables in `var_list`."""
    graph = get_default_graph()
    nodes = [n for v in var_list if isinstance(getattr(v, "initializer", None), Operation)
             for n in v.initializer._nodes]
    return Operation(nodes, graph.unique_name(name), graph)


def global_variables_initializer():
    """An operation that initializes every global variable of the default graph. Build it after
    the variables (and the optimizer's slots) exist; run it first.

    Example:
    >>> sess.run(tf.global_variables_initializer())  # doctest: +SKIP
    """
    return variables_initializer(global_variables())


def local_variables_initializer():
    return variables_initializer(local_variables(), name="init_1")


initialize_all_variables = global_variables_initializer


def assign(ref, value, validate_shape=None, use_locking=None, name=None):
    """`ref.assign(value)`."""
    return ref.assign(value)


def assign_add(ref, value, use_locking=None, name=None):
    """`ref.assign_add(value)`."""
    return ref.assign_add(value)


def assign_sub(ref, value, use_locking=None, name=None):
    """`ref.assign_sub(value)`."""
    return ref.assign_sub(value)
