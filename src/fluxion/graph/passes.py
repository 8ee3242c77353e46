"""Graph optimisations. Each pass takes a Graph and returns it rewritten in place.

- `fold_constants`: evaluates nodes whose inputs are all constants (stateless ops only), and
  ops of an input's static shape (`size`, `shape`, `ones_like`, ...).
- `simplify`: identities that keep results bit-identical (x * 1, x / 1, x - 0, reshape or
  identity to the same shape, double negation, the sum of a scalar, `divide_no_nan` by a
  nonzero constant).
- `eliminate_common_subexpressions`: one node for identical stateless computations.
- `fold_variable_updates`: `assign(v, read(v) + d)` becomes an in-place `assign_add(v, d)`.
- `eliminate_dead_code`: drops nodes no output or effect depends on.
- `reorder_relu_max_pool_grad`: relu's gradient taken on max pooling's (smaller) output side.
- `pool_before_relu`: `max_pool2d(relu(z))` becomes `relu(max_pool2d(z))`, relu on the pooled side.
- `share_conv_patches`: a convolution and its filter gradient read one copy of the input's patches.
- `fuse_elementwise`: chains of element-wise ufuncs become one node writing one array.

Passes never touch stateful nodes (variable reads and writes, random ops), so program order of
effects is kept.
"""
import numpy as np

from ..core.tensor import SymbolicTensor
from ..kernels.conv import uses_patches
from ..ops.array_ops import _ONES_LIKE, _RANK, _SHAPE, _SIZE, _ZEROS_LIKE
from ..ops.conv_ops import (
    _BACKPROP_FILTER,
    _BACKPROP_FILTER_ON_PATCHES,
    _CONV2D,
    _CONV2D_ON_PATCHES,
    _MAX_POOL,
    _MAX_POOL_GRAD,
    _PATCHES,
)
from ..ops.math_ops import _divide
from ..ops.nn_ops import _RELU, _RELU_GRAD
from .ir import ASSIGN, CONSTANT, PLACEHOLDER, READ_VARIABLE, Node, Special

MAX_FOLDED_SIZE = 1 << 20  # elements; larger folded constants would bloat the graph
MAX_SHARED_PATCHES = 1 << 26  # bytes of one layer's patches that share_conv_patches keeps alive
SHAPE_ONLY_OPS = (_SIZE, _SHAPE, _RANK, _ONES_LIKE, _ZEROS_LIKE)


def _replace_uses(graph, mapping):
    """Rewires every use of value id k to mapping[k]."""
    if not mapping:
        return
    for node in graph.nodes:
        if any(id(v) in mapping for v in node.inputs):
            node.inputs = tuple(mapping.get(id(v), v) for v in node.inputs)
    graph.outputs = [mapping.get(id(v), v) for v in graph.outputs]


def _resolve(mapping, value):
    while id(value) in mapping:
        value = mapping[id(value)]
    return value


def eliminate_dead_code(graph):
    live = {id(v) for v in graph.outputs}
    kept = []
    for node in reversed(graph.nodes):
        needed = node.op is PLACEHOLDER or (node.stateful and not node.outputs) or \
            any(id(v) in live for v in node.outputs) or \
            (node.stateful and not isinstance(node.op, Special))
        if needed:
            kept.append(node)
            live.update(id(v) for v in node.inputs)
    graph.nodes = kept[::-1]
    return graph


def _attr_key(value):
    if isinstance(value, np.ndarray):
        return ("array", value.shape, value.dtype.str, value.tobytes())
    if isinstance(value, (list, tuple)):
        return tuple(_attr_key(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _attr_key(v)) for k, v in value.items()))
    try:
        hash(value)
    except TypeError:
        return ("id", id(value))
    return (type(value).__name__, value)


def eliminate_common_subexpressions(graph):
    seen = {}
    mapping = {}
    kept = []
    for node in graph.nodes:
        node.inputs = tuple(_resolve(mapping, v) for v in node.inputs)
        if node.stateful or node.op is PLACEHOLDER:
            kept.append(node)
            continue
        key = (id(node.op), tuple(id(v) for v in node.inputs),
               tuple(sorted((k, _attr_key(v)) for k, v in node.attrs.items())))
        if node.op is CONSTANT:
            value = node.attrs["value"]
            key = ("constant", np.asarray(value).dtype.str, np.shape(value),
                   np.asarray(value).tobytes() if np.size(value) <= 4096 else id(value))
        twin = seen.get(key)
        if twin is None:
            seen[key] = node
            kept.append(node)
        else:
            for mine, theirs in zip(node.outputs, twin.outputs):
                mapping[id(mine)] = theirs
    graph.nodes = kept
    graph.outputs = [_resolve(mapping, v) for v in graph.outputs]
    return graph


def _shape_stand_in(value):
    """An array of `value`'s static shape and dtype (no memory of its own), or None when the
    shape is not fully known."""
    shape = tuple(value._value.shape)
    if None in shape:
        return None
    return np.broadcast_to(np.zeros((), value._value.dtype), shape)


def fold_constants(graph):
    """Evaluates nodes whose inputs are all constants, and ops that read only their input's
    static shape and dtype (`size`, `shape`, `rank`, `ones_like`, `zeros_like`: a loss's mean
    over a batch of known size, for one)."""
    constants = {}
    for node in graph.nodes:
        if node.op is CONSTANT:
            constants[id(node.outputs[0])] = node.attrs["value"]
            continue
        if node.stateful or isinstance(node.op, Special) or not node.inputs:
            continue
        if node.op in SHAPE_ONLY_OPS:
            args = [_shape_stand_in(node.inputs[0])]
            if args[0] is None:
                continue
        elif all(id(v) in constants for v in node.inputs):
            args = [constants[id(v)] for v in node.inputs]
        else:
            continue
        result = node.op.kernel(*args, **node.attrs)
        results = (result,) if node.op.num_outputs == 1 else tuple(result)
        if sum(np.size(r) for r in results) > MAX_FOLDED_SIZE:
            continue
        for value, r in zip(node.outputs, results):
            constants[id(value)] = r
        # The node becomes constant nodes (one per output), keeping the output values.
        node.op, node.inputs, node.attrs = CONSTANT, (), {"value": results[0]}
        if len(results) > 1:
            extra = [Node(CONSTANT, (), {"value": r}, (v,))
                     for v, r in zip(node.outputs[1:], results[1:])]
            node.outputs = node.outputs[:1]
            index = graph.nodes.index(node)
            graph.nodes[index + 1:index + 1] = extra
    return graph


def _constant_value(value):
    node = value._producer
    return node.attrs["value"] if node is not None and node.op is CONSTANT else None


def _constant_where(value, test):
    """Whether `value` is a non-empty constant whose every element passes `test`."""
    c = _constant_value(value)
    return c is not None and np.size(c) > 0 and bool(np.all(test(np.asarray(c))))


def _is_all(value, number):
    return _constant_where(value, lambda c: c == number)


def simplify(graph):
    """Algebraic identities that leave results bit-identical: x * 1, x / 1, x - 0, --x,
    reshapes and casts to the same shape and dtype, the sum of a scalar, and `divide_no_nan`
    by a constant without zeros (a plain division)."""
    mapping = {}
    for node in graph.nodes:
        node.inputs = tuple(_resolve(mapping, v) for v in node.inputs)
        name = getattr(node.op, "name", "")
        out = node.outputs[0] if len(node.outputs) == 1 else None
        if out is None or node.stateful:
            continue
        replacement = None
        if name in ("identity", "reshape", "broadcast_to", "cast") and \
                node.inputs[0]._value.shape == out._value.shape and \
                node.inputs[0]._value.dtype == out._value.dtype:
            replacement = node.inputs[0]
        elif name in ("multiply", "subtract", "divide"):
            # x * 1, x / 1 and x - 0 are exactly x (x + 0 is not: -0.0 + 0.0 is +0.0).
            x, y = node.inputs
            unit = 0 if name == "subtract" else 1
            if _is_all(y, unit) and x._value.shape == out._value.shape:
                replacement = x
            elif name == "multiply" and _is_all(x, 1) and y._value.shape == out._value.shape:
                replacement = y
        elif name == "negative":
            inner = node.inputs[0]._producer
            if inner is not None and getattr(inner.op, "name", "") == "negative":
                replacement = inner.inputs[0]
        elif name == "reduce_sum" and node.inputs[0]._value.shape == () and \
                node.inputs[0]._value.dtype == out._value.dtype:
            replacement = node.inputs[0]  # the sum of one number is that number
        elif name == "divide_no_nan" and _constant_where(node.inputs[1], lambda c: c != 0):
            node.op = _divide.op  # a loss's mean over a known batch size
        if replacement is not None:
            mapping[id(out)] = replacement
    graph.outputs = [_resolve(mapping, v) for v in graph.outputs]
    return graph


def fold_variable_updates(graph):
    """`assign(v, read(v) + d)` becomes `assign_add(v, d)` (likewise `-` and `assign_sub`), so
    that the executor can update the variable's array in place; later uses of the sum read the
    variable again after the update. Optimizers written as `v.assign(v + d)` benefit."""
    position = {id(n): i for i, n in enumerate(graph.nodes)}
    uses = {}
    for i, node in enumerate(graph.nodes):
        for v in node.inputs:
            uses.setdefault(id(v), []).append(i)
    rewrites = []
    for i, node in enumerate(graph.nodes):
        if node.op is not ASSIGN["assign"]:
            continue
        var = node.attrs["variable"]
        value = node.inputs[0]
        update = value._producer
        name = getattr(getattr(update, "op", None), "name", "")
        if name not in ("add", "subtract"):
            continue
        base, delta = update.inputs
        read = base._producer
        if read is None or read.op is not READ_VARIABLE or read.attrs["variable"] is not var \
                or base._value.shape != value._value.shape:
            continue
        between = graph.nodes[position[id(read)] + 1:i]
        if any(n.op is not READ_VARIABLE and n.attrs.get("variable") is var or
               any(v is var for v in n.attrs.get("variables", ())) for n in between):
            continue
        if any(j < i for j in uses.get(id(value), [])):
            continue  # the sum is used before the assignment: keep it
        rewrites.append((node, update, delta, "assign_add" if name == "add" else "assign_sub"))
    for node, update, delta, mode in rewrites:
        var = node.attrs["variable"]
        node.op, node.inputs = ASSIGN[mode], (delta,)
        fresh = SymbolicTensor(update.outputs[0]._value.shape, update.outputs[0]._value.dtype)
        reread = Node(READ_VARIABLE, (), {"variable": var}, (fresh,))
        fresh._producer, fresh._graph = reread, graph
        graph.nodes.insert(graph.nodes.index(node) + 1, reread)
        _replace_uses(graph, {id(update.outputs[0]): fresh})
    return graph


def _windows_disjoint(attrs):
    """Whether max pooling's windows never overlap (each stride at least its window side)."""
    return all(s >= k for s, k in zip(attrs["strides"], attrs["ksize"]))


def _uses_and_producers(graph):
    """({value id: number of uses, graph outputs counted}, {value id: producing node})."""
    uses, producer = {}, {}
    for node in graph.nodes:
        for v in node.inputs:
            uses[id(v)] = uses.get(id(v), 0) + 1
        for v in node.outputs:
            producer[id(v)] = node
    for v in graph.outputs:
        uses[id(v)] = uses.get(id(v), 0) + 1
    return uses, producer


def reorder_relu_max_pool_grad(graph):
    """`relu_grad(max_pool2d_grad(x, y, g), x)` becomes `max_pool2d_grad(x, y, relu_grad(g, y))`:
    relu's gradient mask is applied to the pooled cotangent (a quarter of the elements for 2x2
    pooling) instead of the input-sized one. This is the backward pass of
    `max_pool2d(relu(z))` (the relu gradient reads relu's output `x`, which is also the pooling
    input).

    Bit-identical, position by position of `x` (both sides route with the same `x` and `y`, so
    the same winners; a NaN window has no winner, padded positions are dropped):
    - the first maximum `p` of window `w` has `x[p] == y[w]`, so `x[p] > 0` iff `y[w] > 0`, and
      `(g[w] * 1) * m == 1 * (g[w] * m)` for the mask value `m`, including -0.0, inf and NaN;
    - any other position receives `0 * g[w]` (old) or `0 * (g[w] * m')` (new): both are 0 with
      the sign of `g[w]`, or NaN when `g[w]` is inf or NaN, whatever the masks;
    - a position in no window stays +0.0 on both sides.
    So `x` need not come from a relu. Necessary conditions, all checked: the relu_grad's second
    input is the very value pooled (`x`); the max_pool2d_grad's output has no other use (and is
    not a graph output), since it changes; `g` has `y`'s shape and the output's dtype; and the
    windows do not overlap. With overlapping windows a position can win several windows and
    collects a sum: `(g1 + g2) * 0` keeps the sum's sign (-0.0) or becomes NaN when the sum
    overflows, while the sum of masked terms is +0.0, so those graphs are left alone.

    Example (the gradient in `z` of `reduce_sum(w * max_pool2d(relu(z), 2, 2, "VALID"))`):
        %1 = relu(%0)                            : (1, 4, 4, 1) float32
        ...
        %9 = max_pool2d_grad(%1, %2, %8) ...     : (1, 4, 4, 1) float32
        %10 = relu_grad(%9, %1)                  : (1, 4, 4, 1) float32
    becomes
        %9 = relu_grad(%8, %2)                   : (1, 2, 2, 1) float32
        %10 = max_pool2d_grad(%1, %2, %9) ...    : (1, 4, 4, 1) float32
    """
    uses, producer = _uses_and_producers(graph)
    rewrites = []
    for node in graph.nodes:
        if node.op is not _RELU_GRAD:
            continue
        routed, mask_source = node.inputs
        pool_grad = producer.get(id(routed))
        if pool_grad is None or pool_grad.op is not _MAX_POOL_GRAD or uses[id(routed)] != 1:
            continue
        x, y, g = pool_grad.inputs
        if mask_source is not x or not _windows_disjoint(pool_grad.attrs) or \
                g._value.shape != y._value.shape or g._value.dtype != routed._value.dtype:
            continue
        rewrites.append((node, pool_grad))
    mapping = {}
    for relu_grad, pool_grad in rewrites:
        x, y, g = pool_grad.inputs
        masked = SymbolicTensor(g._value.shape, g._value.dtype)
        masked._producer, masked._graph = relu_grad, graph
        mapping[id(relu_grad.outputs[0])] = pool_grad.outputs[0]
        relu_grad.inputs, relu_grad.outputs = (g, y), (masked,)
        pool_grad.inputs = (x, y, masked)
        graph.nodes.remove(relu_grad)
        graph.nodes.insert(graph.nodes.index(pool_grad), relu_grad)
    _replace_uses(graph, mapping)
    return graph


def pool_before_relu(graph):
    """`p = max_pool2d(relu(z))` becomes `p = relu(q)`, `q = max_pool2d(z)`: relu runs on the
    pooled values (a quarter of the elements for 2x2 pooling), and the pooling gradient routes
    with `z` and `q` (pre-activation values, which rarely tie) instead of `relu(z)` and `p`.

    Runs after `reorder_relu_max_pool_grad`, whose form of the backward pass it needs. Equal
    values: relu and max commute (both monotone, no rounding; a NaN wins either way), so `p` is
    unchanged but for the sign of a zero (`relu(-0.0)` is -0.0, and which zero of a window wins
    depends on the order). The gradient in `z` is bit-identical: a window with `p > 0` has the
    same first maximum in `z` as in `relu(z)`; a window with `p <= 0` (or NaN) has its
    cotangent masked by `relu_grad(g, p)` to `0 * g`, and with disjoint windows every position
    of it receives `1 * (0 * g)` or `0 * (0 * g)`, the same value, whichever position wins.
    Necessary conditions, all checked: `relu(z)` is used only by this pooling and by pooling
    gradients with the same windows, disjoint, whose cotangent is `relu_grad(., p)`; it is not
    a graph output.

    Example (the gradient in `z` of `reduce_sum(w * max_pool2d(relu(z), 2, 2, "VALID"))`):
        %1 = relu(%0)                            : (1, 4, 4, 1) float32
        %2 = max_pool2d(%1) ...                  : (1, 2, 2, 1) float32
        %9 = relu_grad(%8, %2)                   : (1, 2, 2, 1) float32
        %10 = max_pool2d_grad(%1, %2, %9) ...    : (1, 4, 4, 1) float32
    becomes
        %11 = max_pool2d(%0) ...                 : (1, 2, 2, 1) float32
        %2 = relu(%11)                           : (1, 2, 2, 1) float32
        %9 = relu_grad(%8, %2)                   : (1, 2, 2, 1) float32
        %10 = max_pool2d_grad(%0, %11, %9) ...   : (1, 4, 4, 1) float32
    """
    uses, producer = _uses_and_producers(graph)
    consumers = {}
    for node in graph.nodes:
        for v in node.inputs:
            consumers.setdefault(id(v), []).append(node)
    for pool in [n for n in graph.nodes if n.op is _MAX_POOL]:
        (relu_out,), (pooled,) = pool.inputs, pool.outputs
        relu = producer.get(id(relu_out))
        if relu is None or relu.op is not _RELU:
            continue
        grads = [n for n in consumers[id(relu_out)] if n is not pool]
        if uses[id(relu_out)] != 1 + len(grads) or not all(
                _routes_masked(n, relu_out, pooled, pool.attrs, producer) for n in grads):
            continue
        (z,) = relu.inputs
        pre = SymbolicTensor(pooled._value.shape, pooled._value.dtype)
        pre._producer, pre._graph = pool, graph
        pool.inputs, pool.outputs = (z,), (pre,)
        relu.inputs, relu.outputs = (pre,), (pooled,)
        pooled._producer = relu
        for grad in grads:
            grad.inputs = (z, pre, grad.inputs[2])
        graph.nodes.remove(relu)
        graph.nodes.insert(graph.nodes.index(pool) + 1, relu)
    return graph


def _routes_masked(node, x, y, attrs, producer):
    """Whether `node` is `max_pool2d_grad(x, y, relu_grad(., y))` over `attrs`' disjoint windows."""
    if node.op is not _MAX_POOL_GRAD or node.attrs != attrs or not _windows_disjoint(attrs):
        return False
    x_in, y_in, g = node.inputs
    mask = producer.get(id(g))
    return x_in is x and y_in is y and mask is not None and mask.op is _RELU_GRAD and \
        mask.inputs[1] is y


def share_conv_patches(graph):
    """`y = conv2d(x, w)` and `dw = conv2d_backprop_filter(x, dy)` over the same input and
    windows both copy the patches of `x` (im2col or row patches) before their GEMMs: the patches
    are made once, by a `conv2d_patches` node, and read by `conv2d_on_patches` and
    `conv2d_backprop_filter_on_patches`. The same kernels run on the same patches, so results are
    bit-identical; the patches stay alive from the forward pass to the filter gradient.

    Left alone: shapes not fully known, layers whose kernels use the output-side layout
    (`kernels.conv.uses_patches`), and patches larger than `MAX_SHARED_PATCHES` bytes: every
    layer's shared patches are alive at once between the forward and the backward pass, while
    unshared ones live one op at a time (im2col of a 3x3 layer is 9 times its input).

    Example (a training step's convolution):
        %2 = conv2d(%0, %1) strides=(1, 1) ...              : (8, 4, 4, 3) float32
        %9 = conv2d_backprop_filter(%0, %8) ...             : (3, 3, 2, 3) float32
    becomes
        %10 = conv2d_patches(%0) ksize=(3, 3) ...           : (18, 128) float32
        %2 = conv2d_on_patches(%10, %1) ...                 : (8, 4, 4, 3) float32
        %9 = conv2d_backprop_filter_on_patches(%10, %8) ... : (3, 3, 2, 3) float32
    """
    filter_grads = {}
    for node in graph.nodes:
        if node.op is _BACKPROP_FILTER:
            filter_grads.setdefault(id(node.inputs[0]), []).append(node)
    for conv in [n for n in graph.nodes if n.op is _CONV2D]:
        x, w = conv.inputs
        x_shape, w_shape = tuple(x._value.shape), tuple(w._value.shape)
        grads = [g for g in filter_grads.get(id(x), ())
                 if g.attrs == {**conv.attrs, "filter_hw": w_shape[:2]}]
        if not grads or None in x_shape + w_shape or not uses_patches(x_shape, w_shape,
                                                                      **conv.attrs):
            continue
        ksize = w_shape[:2]
        spec = _PATCHES.infer(x._value, ksize=ksize, **conv.attrs)
        if np.prod(spec.shape) * np.dtype(spec.dtype).itemsize > MAX_SHARED_PATCHES:
            continue
        patches = SymbolicTensor(spec.shape, spec.dtype)
        make = Node(_PATCHES, (x,), {"ksize": ksize, **conv.attrs}, (patches,))
        patches._producer, patches._graph = make, graph
        graph.nodes.insert(graph.nodes.index(conv), make)
        conv.op, conv.inputs = _CONV2D_ON_PATCHES, (patches, w)
        conv.attrs = {**conv.attrs, "input_shape": x_shape}
        for grad in grads:
            grad.op, grad.inputs = _BACKPROP_FILTER_ON_PATCHES, (patches, grad.inputs[1])
            grad.attrs = {**grad.attrs, "input_shape": x_shape}
    return graph


class FusedElementwise:
    """A chain of element-wise ufuncs run one after another in a single output array.

    `steps` holds `(ufunc, argument sources)`; a source is an index into the fused node's
    inputs, or None for the chain's running value (the output array itself).
    """

    stateful = False
    num_outputs = 1
    differentiable = False

    def __init__(self, steps):
        self.steps = tuple(steps)
        expression = None
        for ufunc, sources in self.steps:
            args = ", ".join(expression if i is None else f"${i}" for i in sources)
            expression = f"{ufunc.__name__}({args})"
        # e.g. fused{add(exp(multiply($0, $1)), $0)}: $i is the node's i-th input
        self.name = "fused{" + expression + "}"

    def kernel(self, *args, out=None):
        for ufunc, sources in self.steps:
            operands = [out if i is None else args[i] for i in sources]
            # (A first result of rank 0 is a NumPy scalar: make it an array to write into.)
            out = ufunc(*operands, out=out) if out is not None else np.asarray(ufunc(*operands))
        return out

    @property
    def out_kernel(self):
        return self.kernel

    def __repr__(self):
        return self.name


def _elementwise_ufunc(node):
    op = node.op
    kernel = getattr(op, "kernel", None)
    return kernel if isinstance(kernel, np.ufunc) and kernel.nout == 1 and len(
        node.outputs) == 1 and not node.stateful and not node.attrs else None


def fuse_elementwise(graph):
    """Merges chains of element-wise ufunc nodes whose intermediate values have no other use and
    the chain's shape and dtype into one `FusedElementwise` node: one output array, no
    temporaries, one instruction."""
    uses = {}
    for node in graph.nodes:
        for v in node.inputs:
            uses[id(v)] = uses.get(id(v), 0) + 1
    for v in graph.outputs:
        uses[id(v)] = uses.get(id(v), 0) + 1
    consumer = {}
    for node in graph.nodes:
        for v in node.inputs:
            consumer[id(v)] = node
    fused_into = {}
    chains = []
    for node in graph.nodes:
        if id(node) in fused_into or _elementwise_ufunc(node) is None:
            continue
        chain = [node]
        out = node.outputs[0]
        while uses.get(id(out)) == 1:
            nxt = consumer.get(id(out))
            if nxt is None or id(nxt) in fused_into or _elementwise_ufunc(nxt) is None or \
                    nxt.outputs[0]._value.shape != out._value.shape or \
                    nxt.outputs[0]._value.dtype != out._value.dtype or \
                    sum(v is out for v in nxt.inputs) != 1:
                break
            chain.append(nxt)
            out = nxt.outputs[0]
        if len(chain) > 1:
            for n in chain:
                fused_into[id(n)] = chain
            chains.append(chain)
    for chain in chains:
        inputs, steps = [], []
        previous = None
        for n in chain:
            sources = []
            for v in n.inputs:
                if previous is not None and v is previous:
                    sources.append(None)
                else:
                    if not any(v is x for x in inputs):
                        inputs.append(v)
                    sources.append(next(i for i, x in enumerate(inputs) if x is v))
            steps.append((n.op.kernel, tuple(sources)))
            previous = n.outputs[0]
        last = chain[-1]
        last.op, last.inputs, last.attrs = FusedElementwise(steps), tuple(inputs), {}
    keep = {id(c[-1]) for c in chains}
    graph.nodes = [n for n in graph.nodes if id(n) not in fused_into or id(n) in keep]
    return graph


DEFAULT_PASSES = (fold_constants, simplify, eliminate_common_subexpressions,
                  fold_variable_updates, eliminate_dead_code, reorder_relu_max_pool_grad,
                  pool_before_relu, share_conv_patches, fuse_elementwise)


def optimize(graph, passes=None):
    """Runs `passes` (default: `DEFAULT_PASSES`, read at each call) over `graph` in order and
    returns it."""
    for p in DEFAULT_PASSES if passes is None else passes:
        graph = p(graph)
    return graph
