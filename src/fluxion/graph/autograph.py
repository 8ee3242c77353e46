"""AutoGraph: Python `if`, `while` and `for` on tensors inside a `fluxion.function`.

`convert(f)` rewrites the source of `f` so that each `if`, `while` and `for` statement calls a
helper of this module with its test and its body as small functions of the variables the
statement assigns. At run time the helper looks at the value: a Python value or an eager tensor
runs the statement as Python would; a symbolic tensor (while tracing) turns it into
`fluxion.cond` or `fluxion.while_loop`, so the graph decides on each call, as TensorFlow's
AutoGraph does:

    @fluxion.function
    def collatz_steps(n):
        steps = 0
        while n != 1:                      # a while_loop in the graph
            if n % 2 == 0:                 # a cond
                n = n // 2
            else:
                n = 3 * n + 1
            steps += 1
        return steps

Limits (the statement is then left as written, so a symbolic test raises the error that says how
to write it with `cond`/`while_loop`): loops with `break`, `continue`, `return` or an `else:`
clause; statements with `global`, `nonlocal`, `del`, `yield` or `:=`; a `return` inside an `if`
is converted when the `if` ends its block (what follows a `return`-ending `if` becomes its `else`),
so both branches return. Only the decorated function is converted, not the functions it calls.
Functions without source (lambdas, the REPL) run unconverted.
"""
import ast
import functools
import inspect
import textwrap
import types

import numpy as np

from ..core import nest
from ..core.tensor import SymbolicTensor, Tensor, convert_to_tensor
from ..core.variable import Variable

_HELPERS = "__fluxion_autograph__"


class Undefined:
    """The value of a variable that a converted statement assigns on some paths only (in one
    branch of an `if` on a tensor, or only inside a loop): any use of it raises `error()`."""

    def __init__(self, name):
        object.__setattr__(self, "name", name)

    def __repr__(self):
        return f"<undefined {self.name}>"

    def error(self):
        return NameError(
            f"autograph: '{self.name}' has no value here: it is assigned only in one branch of "
            "an `if` on a tensor (or only inside a loop on a tensor), and the graph must give it "
            "a value on every path. Give it a value before the statement.")

    def _raise(self, *args, **kwargs):
        raise self.error()

    def __getattr__(self, attr):
        self._raise()


for _name in ("add radd sub rsub mul rmul truediv rtruediv floordiv rfloordiv mod rmod pow "
              "rpow matmul rmatmul neg pos abs bool len iter getitem setattr call lt le gt ge "
              "array index int float").split():
    setattr(Undefined, f"__{_name}__", Undefined._raise)


# --- run-time helpers, called by the converted code --------------------------------------------
def _symbolic(value):
    return isinstance(value, SymbolicTensor)


def if_stmt(test, true_fn, false_fn, values, names, in_both):
    """`if test:` with branches `true_fn(*values)` / `false_fn(*values)` that return the new
    values of the variables `names`; `in_both[i]` tells whether both branches assign name i."""
    if not _symbolic(test):
        return true_fn(*values) if test else false_fn(*values)
    from .control_flow import cond
    # A variable with no value before the `if` that one branch does not assign is the other
    # branch's temporary: it does not leave the cond, and has no value after it.
    kept = [i for i, v in enumerate(values) if in_both[i] or not isinstance(v, Undefined)]
    kept_names = [names[i] for i in kept]

    def branch(fn, where):
        def run():
            new = fn(*values)
            return _tensors([new[i] for i in kept], kept_names, where)
        return run

    outs = cond(test, branch(true_fn, "after the `if` branch"),
                branch(false_fn, "after the `else` branch"))
    result = [Undefined(name) for name in names]
    for i, value in zip(kept, outs):
        result[i] = value
    return tuple(result)


def if_return(test, true_fn, false_fn):
    """`if test: ... return a` / `else: ... return b`: the returned value."""
    if not _symbolic(test):
        return true_fn() if test else false_fn()
    from .control_flow import cond
    return cond(test, true_fn, false_fn)


def while_stmt(test_fn, body_fn, values, names):
    """`while test:` over the variables `names`; a Python loop until the test is a tensor
    being traced, then a `while_loop` from the current values."""
    values = tuple(values)
    while True:
        test = test_fn(*values)
        if _symbolic(test):
            return _graph_loop(test_fn, body_fn, values, names)
        if not test:
            return values
        values = tuple(body_fn(*values))


def for_stmt(iterable, body_fn, values, names):
    """`for target in iterable:` (the target assigned by `body_fn(item, *values)`)."""
    if not isinstance(iterable, SymbolicTensor):
        values = tuple(values)
        for item in iterable:
            values = tuple(body_fn(item, *values))
        return values
    from ..ops import array_ops, index_ops
    count = array_ops.shape(iterable)[0]

    def test(i, *vs):
        return i < count

    def body(i, *vs):
        return (i + 1,) + tuple(body_fn(index_ops.gather(iterable, i), *vs))

    start = convert_to_tensor(0, dtype=count.dtype)
    return _graph_loop(test, body, (start,) + tuple(values), ("<index>",) + tuple(names))[1:]


def and_(*operands):
    """`a and b and ...` (operands as functions, evaluated in turn as Python does)."""
    value = operands[0]()
    for operand in operands[1:]:
        if _symbolic(value):
            from ..ops import math_ops
            return math_ops.logical_and(value, and_(*operands[1:]))
        if not value:
            return value
        value = operand()
    return value


def or_(*operands):
    """`a or b or ...` (operands as functions, evaluated in turn as Python does)."""
    value = operands[0]()
    for operand in operands[1:]:
        if _symbolic(value):
            from ..ops import math_ops
            return math_ops.logical_or(value, or_(*operands[1:]))
        if value:
            return value
        value = operand()
    return value


def not_(value):
    if _symbolic(value):
        from ..ops import math_ops
        return math_ops.logical_not(value)
    return not value


def _graph_loop(test_fn, body_fn, values, names):
    """A `while_loop` carrying the variables that have a value before the loop; the others
    are the loop's own temporaries (assigned in the body before any use)."""
    from .control_flow import while_loop
    carried = [i for i, v in enumerate(values) if not isinstance(v, Undefined)]
    carried_names = [names[i] for i in carried]

    def expand(vs):
        full = [Undefined(name) for name in names]
        for i, v in zip(carried, vs):
            full[i] = v
        return full

    def body(*vs):
        new = body_fn(*expand(vs))
        return _tensors([new[i] for i in carried], carried_names, "in the loop")

    outs = while_loop(lambda *vs: test_fn(*expand(vs)), body,
                      _tensors([values[i] for i in carried], carried_names, "before the loop"))
    return tuple(expand(outs))


def _tensors(values, names, where):
    """The values as tensors (numbers converted), each name's value checked to be defined."""
    out = []
    for name, value in zip(names, values):
        if isinstance(value, Undefined):
            raise ValueError(
                f"autograph: '{name}' has no value {where}: a variable that an `if`, `while` or "
                "`for` on a tensor assigns must have a value on every path. Give it one before "
                "the statement.")
        if isinstance(value, Variable):
            value = value.read_value()
        elif isinstance(value, (bool, int, float, np.generic)):
            value = convert_to_tensor(value)
        out.append(value)
    for name, value in zip(names, out):
        for leaf in nest.flatten(value):
            if not isinstance(leaf, (Tensor, int, float, bool)) and \
                    not hasattr(leaf, "__array__"):
                raise TypeError(
                    f"autograph: '{name}' is a {type(leaf).__name__}; variables that an `if`, "
                    "`while` or `for` on a tensor assigns must hold tensors or numbers. Compute "
                    "it outside the statement.")
    return tuple(out)


# --- the source transformation ------------------------------------------------------------------
_UNSUPPORTED_IN_LOOP = (ast.Break, ast.Continue, ast.Return)
_UNSUPPORTED = (ast.Global, ast.Nonlocal, ast.Delete, ast.Yield, ast.YieldFrom, ast.NamedExpr,
                ast.Await)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp,
           ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _walk_scope(nodes):
    """The nodes of `nodes` and their children, not entering nested functions or classes."""
    pending = list(nodes)
    while pending:
        node = pending.pop()
        yield node
        if not isinstance(node, _SCOPES):
            pending.extend(ast.iter_child_nodes(node))


def _assigned(nodes):
    """Names the statements assign (in their own scope), in first-assignment order."""
    names = []
    for node in _walk_scope(nodes):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.append(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.extend((a.asname or a.name).split(".")[0] for a in node.names)
    return sorted(set(names), key=names.index)


def _contains(nodes, kinds):
    return any(isinstance(n, kinds) for n in _walk_scope(nodes))


def _ends_in_return(body):
    """Whether every path through the statements ends in a `return` (as its last statement,
    or in both branches of a last `if`)."""
    if not body:
        return False
    last = body[-1]
    if isinstance(last, ast.If):
        return _ends_in_return(last.body) and _ends_in_return(last.orelse)
    return isinstance(last, ast.Return)


def _returns_on_some_path(stmt):
    """Whether an `if` chain has a branch that ends in a `return`."""
    return isinstance(stmt, ast.If) and any(
        _ends_in_return(b) or (len(b) == 1 and _returns_on_some_path(b[0]))
        for b in (stmt.body, stmt.orelse))


def _absorb(stmt, rest):
    """The `if` chain with the statements that follow it appended to each branch that does not
    return (so that each path ends where the function's code would have taken it)."""
    body = stmt.body if _ends_in_return(stmt.body) else stmt.body + rest
    if len(stmt.orelse) == 1 and isinstance(stmt.orelse[0], ast.If):
        orelse = [_absorb(stmt.orelse[0], rest)]
    else:
        orelse = stmt.orelse if _ends_in_return(stmt.orelse) else stmt.orelse + rest
    return ast.copy_location(ast.If(test=stmt.test, body=body, orelse=orelse), stmt)


class _Conditions(ast.NodeTransformer):
    """`and`, `or` and `not` in the test of a converted statement: tensor-aware helpers."""

    def visit_BoolOp(self, node):
        self.generic_visit(node)
        helper = "and_" if isinstance(node.op, ast.And) else "or_"
        return ast.copy_location(_helper_call(helper, [
            ast.Lambda(args=_arguments([]), body=v) for v in node.values]), node)

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return ast.copy_location(_helper_call("not_", [node.operand]), node)
        return node

    def visit_Lambda(self, node):
        return node


class _ExplicitSuper(ast.NodeTransformer):
    """`super()` -> `super(__class__, self)`."""

    def __init__(self, instance):
        self.instance = instance

    def visit_Call(self, node):
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id == "super" and not node.args:
            node.args = [_load("__class__"), _load(self.instance)]
        return node


def _condition(test):
    return _Conditions().visit(test)


class _Converter:
    def __init__(self):
        self.count = 0

    def _name(self, kind):
        self.count += 1
        return f"__ag_{kind}_{self.count}"

    def block(self, body):
        """Converts a list of statements."""
        out = []
        for i, stmt in enumerate(body):
            if _returns_on_some_path(stmt) and i + 1 < len(body) and \
                    not _contains(body[i + 1:], _UNSUPPORTED):
                # `if t: ...; return a` then the rest: the rest joins the other branches.
                out.extend(self.statement(_absorb(stmt, body[i + 1:])))
                return out
            out.extend(self.statement(stmt))
        return out

    def statement(self, stmt):
        if isinstance(stmt, ast.If):
            return self.if_statement(stmt)
        if isinstance(stmt, ast.While):
            return self.loop(stmt)
        if isinstance(stmt, ast.For):
            return self.loop(stmt)
        if isinstance(stmt, (ast.With, ast.Try)):
            stmt.body = self.block(stmt.body)
            if isinstance(stmt, ast.Try):
                stmt.orelse = self.block(stmt.orelse)
                stmt.finalbody = self.block(stmt.finalbody)
                for handler in stmt.handlers:
                    handler.body = self.block(handler.body)
        return [stmt]

    def if_statement(self, stmt):
        if _contains([stmt], _UNSUPPORTED + (ast.Break, ast.Continue)):
            return [stmt]
        body, orelse = self.block(stmt.body), self.block(stmt.orelse)
        returns = _contains(stmt.body + stmt.orelse, ast.Return)
        if returns:
            if not (_ends_in_return(body) and _ends_in_return(orelse)) or \
                    _contains(body[:-1] + orelse[:-1], ast.Return):
                stmt.body, stmt.orelse = body, orelse
                return [stmt]
            true_fn, false_fn = self._name("if_true"), self._name("if_false")
            call = _helper_call("if_return", [_condition(stmt.test), _load(true_fn),
                                              _load(false_fn)])
            return [_function(true_fn, [], body), _function(false_fn, [], orelse),
                    ast.Return(value=call)]
        names = _assigned(stmt.body + stmt.orelse)
        true_fn, false_fn = self._name("if_true"), self._name("if_false")
        state = _tuple(names)
        in_true, in_false = set(_assigned(stmt.body)), set(_assigned(stmt.orelse))
        in_both = ast.Tuple(elts=[ast.Constant(value=n in in_true and n in in_false)
                                  for n in names], ctx=ast.Load())
        call = _helper_call("if_stmt", [_condition(stmt.test), _load(true_fn), _load(false_fn),
                                        _current_values(names), _names(names), in_both])
        return [_function(true_fn, names, body + [ast.Return(value=state)]),
                _function(false_fn, names, orelse + [ast.Return(value=_tuple(names))]),
                ast.Assign(targets=[_tuple(names, ast.Store())], value=call)]

    def loop(self, stmt):
        body = stmt.body
        if stmt.orelse or _contains(body, _UNSUPPORTED_IN_LOOP + _UNSUPPORTED) or \
                _contains([stmt.test if isinstance(stmt, ast.While) else stmt.iter],
                          _UNSUPPORTED):
            stmt.body = self.block(body)
            return [stmt]
        body = self.block(body)
        if isinstance(stmt, ast.While):
            names = _assigned(stmt.body)
            test_fn, body_fn = self._name("while_test"), self._name("while_body")
            call = _helper_call("while_stmt", [_load(test_fn), _load(body_fn),
                                               _current_values(names), _names(names)])
            defs = [_function(test_fn, names, [ast.Return(value=_condition(stmt.test))]),
                    _function(body_fn, names, body + [ast.Return(value=_tuple(names))])]
        else:
            names = _assigned([stmt.target] + stmt.body)
            body_fn, item = self._name("for_body"), self._name("item")
            assign = ast.Assign(targets=[stmt.target], value=_load(item))
            call = _helper_call("for_stmt", [stmt.iter, _load(body_fn),
                                             _current_values(names), _names(names)])
            defs = [_function(body_fn, [item] + names,
                              [assign] + body + [ast.Return(value=_tuple(names))])]
        if not names:
            return defs + [ast.Expr(value=call)]
        return defs + [ast.Assign(targets=[_tuple(names, ast.Store())], value=call)]


def _load(name):
    return ast.Name(id=name, ctx=ast.Load())


def _tuple(names, ctx=None):
    return ast.Tuple(elts=[ast.Name(id=n, ctx=ctx or ast.Load()) for n in names],
                     ctx=ctx or ast.Load())


def _names(names):
    return ast.Tuple(elts=[ast.Constant(value=n) for n in names], ctx=ast.Load())


def _helper_call(helper, args):
    return ast.Call(func=ast.Attribute(value=_load(_HELPERS), attr=helper, ctx=ast.Load()),
                    args=args, keywords=[])


def _current_values(names):
    """`(a, b)` where an unbound name gives an `Undefined` instead of raising."""
    return ast.Tuple(elts=[_helper_call("value_of", [ast.Lambda(
        args=_arguments([]), body=_load(n)), ast.Constant(value=n)]) for n in names],
        ctx=ast.Load())


def value_of(getter, name):
    try:
        return getter()
    except NameError:
        return Undefined(name)


def _arguments(names):
    return ast.arguments(posonlyargs=[], args=[ast.arg(arg=n) for n in names], vararg=None,
                         kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])


def _function(name, params, body):
    return ast.FunctionDef(name=name, args=_arguments(params), body=body or [ast.Pass()],
                           decorator_list=[], returns=None, **_NO_TYPE_PARAMS)


_NO_TYPE_PARAMS = {"type_params": []} if "type_params" in ast.FunctionDef._fields else {}


# --- conversion of a function --------------------------------------------------------------------
def convert(func):
    """`func` with its `if`/`while`/`for` statements converted (see the module docstring), or
    `func` itself when it has none or its source is not available.

    Example:
    >>> def absolute(x):
    ...     if x > 0:
    ...         return x
    ...     return -x
    >>> f = fluxion.function(absolute)   # converted when traced
    >>> f(fluxion.constant(-2.0))
    <tf.Tensor: shape=(), dtype=float32, numpy=2.0>
    """
    if isinstance(func, types.MethodType):
        converted = convert(func.__func__)
        return func if converted is func.__func__ else types.MethodType(converted, func.__self__)
    if isinstance(func, functools.partial):
        converted = convert(func.func)
        return func if converted is func.func else \
            functools.partial(converted, *func.args, **func.keywords)
    if not isinstance(func, types.FunctionType) or \
            func.__module__.split(".")[0] == "fluxion":  # our own code needs no conversion
        return func
    code = _converted_code(func.__code__)
    if code is None:
        return func
    cells = dict(zip(func.__code__.co_freevars, func.__closure__ or ()))
    cells[_HELPERS] = types.CellType(_HELPER_MODULE)
    try:
        closure = tuple(cells[name] for name in code.co_freevars)
    except KeyError:
        return func
    converted = types.FunctionType(code, func.__globals__, func.__name__, func.__defaults__,
                                   closure)
    converted.__kwdefaults__ = func.__kwdefaults__
    converted.__dict__.update(func.__dict__)
    functools.update_wrapper(converted, func, assigned=("__module__", "__qualname__", "__doc__"),
                             updated=())
    return converted


@functools.lru_cache(maxsize=256)
def _converted_code(code):
    """The code object of the converted function, or None (nothing to convert, no source)."""
    if code.co_flags & (inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR):
        return None
    try:
        lines, first_line = inspect.getsourcelines(code)
    except (OSError, TypeError):
        return None
    try:
        tree = ast.parse(textwrap.dedent("".join(lines)))
    except SyntaxError:  # e.g. a lambda in the middle of an expression
        return None
    definition = tree.body[0] if tree.body else None
    if not isinstance(definition, ast.FunctionDef) or definition.name != code.co_name or \
            not _contains(definition.body, (ast.If, ast.While, ast.For)):
        return None
    definition.decorator_list = []
    if "__class__" in code.co_freevars and code.co_argcount:
        # zero-argument super() looks at the frame it runs in, which is a branch's function
        # once converted: name its class and instance
        _ExplicitSuper(code.co_varnames[0]).visit(definition)
    definition.body = _Converter().block(definition.body)
    outer_names = list(code.co_freevars) + [_HELPERS]
    factory = _function("__ag_factory", outer_names,
                        [definition, ast.Return(value=_load(definition.name))])
    module = ast.Module(body=[factory], type_ignores=[])
    ast.fix_missing_locations(module)
    ast.increment_lineno(module, first_line - 1)
    compiled = compile(module, code.co_filename, "exec")
    factory_code = next(c for c in compiled.co_consts if isinstance(c, types.CodeType))
    return next(c for c in factory_code.co_consts
                if isinstance(c, types.CodeType) and c.co_name == code.co_name)


_HELPER_MODULE = types.SimpleNamespace(if_stmt=if_stmt, if_return=if_return,
                                       while_stmt=while_stmt, for_stmt=for_stmt,
                                       value_of=value_of, and_=and_, or_=or_, not_=not_)

__all__ = ["convert"]
