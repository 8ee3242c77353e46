"""`map_fn`, `vectorized_map`, `foldl`, `foldr`: loops over the first axis, as TensorFlow's.

Eagerly they are Python loops (recorded by tapes). Traced, they are `while_loop`s (map_fn
writes each result into a `TensorArray`), so gradients flow through them in both modes.
"""
from ..core import dtypes, nest
from ..core.context import state
from ..core.tensor import convert_to_tensor
from ..core.tensor_spec import TensorSpec
from ..ops import array_ops, index_ops
from ..ops.tensor_array import TensorArray
from .control_flow import while_loop

__all__ = ["foldl", "foldr", "map_fn", "vectorized_map"]


def _elems(op_name, elems):
    flat = [convert_to_tensor(e) for e in nest.flatten(elems)]
    if not flat:
        raise ValueError(f"{op_name}: elems must hold at least one tensor.")
    if any(len(e.shape) == 0 for e in flat):
        raise ValueError("Elements in elems must be 1+ dimensional Tensors, not scalars")
    n = flat[0].shape[0]
    n = n if n is not None else array_ops.shape(flat[0])[0]
    return flat, n


def _dtype_of(spec):
    return spec.dtype if isinstance(spec, TensorSpec) else dtypes.as_dtype(spec)


def _check_outputs(result, signature):
    if signature is None:
        return nest.flatten(result)
    try:
        nest.assert_same_structure(signature, result, check_types=False)
    except (ValueError, TypeError) as e:
        raise ValueError(f"map_fn: the function's output structure does not match "
                         f"fn_output_signature (or elems, when none is given): {e}") from None
    flat = [convert_to_tensor(r) for r in nest.flatten(result)]
    for r, s in zip(flat, nest.flatten(signature)):
        if r.dtype != _dtype_of(s):
            raise TypeError(f"map_fn: the function returned a {r.dtype.name} tensor where "
                            f"{_dtype_of(s).name} is expected; pass fn_output_signature.")
    return flat


def _map(fn, elems, signature):
    flat, n = _elems("map_fn", elems)

    def item(i):
        return nest.pack_sequence_as(elems, [index_ops.gather(e, i) for e in flat])

    if state.tracer is None:
        outs = [_check_outputs(fn(item(i)), signature) for i in range(int(n))]
        if not outs:
            count = len(nest.flatten(signature)) if signature is not None else 1
            dts = [_dtype_of(s) for s in nest.flatten(signature)] if signature is not None \
                else [flat[0].dtype]
            stacked = [array_ops.zeros((0,), dts[k]) for k in range(count)]
        else:
            stacked = [array_ops.stack(list(col)) for col in zip(*outs)]
        template = signature if signature is not None else fn(item(0)) if outs else None
        return nest.pack_sequence_as(template, stacked) if template is not None else stacked[0]
    if signature is None:  # vectorized_map: the output structure from one traced call
        signature = nest.map_structure(lambda t: convert_to_tensor(t).dtype, fn(item(0)))
    arrays = [TensorArray(_dtype_of(s), size=n) for s in nest.flatten(signature)]

    def body(i, *tas):
        outs = _check_outputs(fn(item(i)), signature)
        return (i + 1,) + tuple(ta.write(i, o) for ta, o in zip(tas, outs))

    result = while_loop(lambda i, *tas: i < n, body,
                        (convert_to_tensor(0),) + tuple(arrays))
    return nest.pack_sequence_as(signature, [ta.stack() for ta in result[1:]])


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True, swap_memory=False,
           infer_shape=True, name=None, fn_output_signature=None):
    """Applies `fn` to each element (slice along the first axis) of `elems`; stacks the results.

    Args:
        fn: a function of one element (nested like `elems`).
        elems: a tensor or a nested structure of tensors with the same first dimension.
        fn_output_signature: the output's structure of dtypes or `TensorSpec`s when it differs
            from `elems`' (`dtype` is the deprecated name).

    Example:
    >>> fluxion.map_fn(lambda t: t * 2, fluxion.constant([1, 2, 3]))
    <tf.Tensor: shape=(3,), dtype=int32, numpy=array([2, 4, 6], dtype=int32)>
    """
    signature = fn_output_signature if fn_output_signature is not None else dtype
    if signature is None:
        signature = nest.map_structure(lambda e: convert_to_tensor(e).dtype, elems)
    return _map(fn, elems, signature)


def vectorized_map(fn, elems, fallback_to_while_loop=True, warn=True):
    """`map_fn` whose output structure and dtypes are whatever `fn` returns.

    Example:
    >>> fluxion.vectorized_map(lambda t: fluxion.reduce_sum(t), fluxion.constant([[1, 2], [3, 4]]))
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([3, 7], dtype=int32)>
    """
    return _map(fn, elems, None)


def _fold(op_name, fn, elems, initializer, reverse):
    flat, n = _elems(op_name, elems)

    def item(i):
        return nest.pack_sequence_as(elems, [index_ops.gather(e, i) for e in flat])

    if initializer is None:
        first = n - 1 if reverse else 0
        initializer = item(first)
        start, stop = (n - 2, -1) if reverse else (1, n)
    else:
        start, stop = (n - 1, -1) if reverse else (0, n)
    step = -1 if reverse else 1
    acc = nest.map_structure(convert_to_tensor, initializer)
    if state.tracer is None:
        for i in range(int(start), int(stop), step):
            acc = fn(acc, item(i))
        return acc

    def body(i, acc):
        return i + step, fn(acc, item(i))

    test = (lambda i, acc: i > stop) if reverse else (lambda i, acc: i < stop)
    return while_loop(test, body, (convert_to_tensor(start, dtype=dtypes.int32), acc))[1]


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """Folds `fn(acc, x)` over the elements of `elems` from first to last.

    Without `initializer` the first element is the initial accumulator.

    Example:
    >>> fluxion.foldl(lambda a, x: a + x, fluxion.constant([1, 2, 3]))
    <tf.Tensor: shape=(), dtype=int32, numpy=6>
    """
    return _fold("foldl", fn, elems, initializer, False)


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """Folds `fn(acc, x)` over the elements of `elems` from last to first.

    Example:
    >>> fluxion.foldr(lambda a, x: a * 10 + x, fluxion.constant([1, 2, 3]))
    <tf.Tensor: shape=(), dtype=int32, numpy=321>
    """
    return _fold("foldr", fn, elems, initializer, True)
