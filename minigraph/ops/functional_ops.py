"""Higher-order functions: `scan`, `map_fn`, `foldl`, `foldr`, `case`, `switch_case`.

Lives here: the four functions over the rows of tensors, each one While loop
(ops/while_loop.py) that reads row i of its `elems` at iteration i and, for scan and map_fn,
stacks what the function returns at every iteration into the output; and the multi-way
conditionals `case` and `switch_case`, chains of tf.cond. No op is registered here;
gradients come from the loop's and the cond's.
"""

from __future__ import annotations

from ..framework import dtypes as _dtypes
from ..framework.graph import graph_of, name_scope
from ..framework.nest import flatten, pack_sequence_as, same_structure
from . import (array_ops, check_ops, comparison_ops, join_split_ops, math_ops, reduction_ops,
               shape_ops)
from .constant_op import convert_to_tensor
from .control_flow_ops import cond
from .while_loop import build_loop

__all__ = ["scan", "map_fn", "foldl", "foldr", "case", "switch_case"]


def _elements(elems, what) -> list:
    flat = [convert_to_tensor(e, name="elems") for e in flatten(elems)]
    if not flat:
        raise ValueError(f"{what}: elems must be a tensor or a non-empty nesting of tensors.")
    for t in flat:
        if t.shape.ndims == 0:
            raise ValueError(f"{what}: elems must be a 1+ dimensional Tensor, not a scalar "
                             f"({t.name}). Fix: pass a tensor whose rows are the elements.")
    return flat


def _first_row(flat, reverse):
    """(the first element to fold in, the remaining rows) in the scan's direction."""
    if reverse:
        return [t[-1] for t in flat], [t[:-1] for t in flat]
    return [t[0] for t in flat], [t[1:] for t in flat]


def _check_result(out, like, what):
    problem = same_structure(like, out)
    if problem is not None:
        raise ValueError(f"{what}: fn must return the structure of the accumulator: {problem}. "
                         "Fix: return a value nested like `initializer`.")
    return [convert_to_tensor(v) for v in flatten(out)]


def _scan_loop(fn, elems, initializer, reverse, stack, what, back_prop, parallel_iterations,
               swap_memory):
    """The loop shared by scan and the folds: (accumulator structure, finals, stacked)."""
    flat = _elements(elems, what)
    if initializer is None:
        first, rows = _first_row(flat, reverse)
        acc_like = pack_sequence_as(elems, first)
    else:
        rows, acc_like = flat, initializer
    init = [convert_to_tensor(v) for v in flatten(acc_like)]

    def body(vars_, row_values, iteration):
        out = fn(pack_sequence_as(acc_like, vars_), pack_sequence_as(elems, row_values))
        values = _check_result(out, acc_like, what)
        return values, (values if stack else [])

    outs = build_loop(init, [t.shape for t in init], lambda v, i: None, body, sliced=rows,
                      reverse=reverse, back_prop=back_prop,
                      parallel_iterations=parallel_iterations, swap_memory=swap_memory)
    n = len(init)
    stacked = list(outs[n:2 * n]) if stack else []
    if stack and initializer is None:  # TF puts the first element in the output as is
        ends = [shape_ops.expand_dims(t, 0) for t in init]
        stacked = [join_split_ops.concat([s, e] if reverse else [e, s], 0)
                   for s, e in zip(stacked, ends)]
    return acc_like, list(outs[:n]), stacked


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
         swap_memory=False, infer_shape=True, reverse=False, name=None):
    """Apply `acc = fn(acc, x)` to the rows `x` of `elems`; return every `acc`, stacked.

    Without `initializer` the first row starts the accumulator (and is the first output).
    `reverse=True` scans from the last row; outputs keep the rows' order.

    Example: `tf.scan(lambda a, x: a + x, tf.constant([1, 2, 3]))` -> [1, 3, 6].
    """
    graph = graph_of(flatten(elems) + flatten(initializer))
    with graph.as_default(), name_scope(name, "scan"):
        acc_like, _, stacked = _scan_loop(fn, elems, initializer, reverse, True, "scan",
                                          back_prop, parallel_iterations, swap_memory)
    return pack_sequence_as(acc_like, stacked)


def _fold(fn, elems, initializer, reverse, name, default_name, back_prop,
          parallel_iterations, swap_memory):
    graph = graph_of(flatten(elems) + flatten(initializer))
    with graph.as_default(), name_scope(name, default_name):
        acc_like, finals, _ = _scan_loop(fn, elems, initializer, reverse, False, default_name,
                                         back_prop, parallel_iterations, swap_memory)
    return pack_sequence_as(acc_like, finals)


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """Fold the rows of `elems` from the first: `acc = fn(acc, x)`; return the last `acc`.

    Example: `tf.foldl(lambda a, x: a + x, tf.constant([1, 2, 3]))` -> 6.
    """
    return _fold(fn, elems, initializer, False, name, "foldl", back_prop, parallel_iterations,
                 swap_memory)


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """Fold the rows of `elems` from the last: `acc = fn(acc, x)`; return the last `acc`.

    Example: `tf.foldr(lambda a, x: a * 10 + x, tf.constant([1, 2, 3]))` -> 321.
    """
    return _fold(fn, elems, initializer, True, name, "foldr", back_prop, parallel_iterations,
                 swap_memory)


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True, swap_memory=False,
           infer_shape=True, name=None):
    """Apply `fn` to each row of `elems` (or to each tuple of rows); stack the results.

    `fn` must return the structure of `elems`, or that of `dtype` when it is given (one
    dtype per output): `dtype=(tf.float32, tf.int32)` for a function returning two tensors.

    Example: `tf.map_fn(lambda x: x * x, tf.constant([1., 2., 3.]))` -> [1., 4., 9.].
    """
    graph = graph_of(flatten(elems))
    with graph.as_default(), name_scope(name, "map"):
        flat = _elements(elems, "map_fn")
        out_like = elems if dtype is None else dtype
        dtypes = [t.dtype.base_dtype for t in flat] if dtype is None else \
            [_dtypes.as_dtype(d) for d in flatten(dtype)]

        def body(vars_, rows, iteration):
            out = fn(pack_sequence_as(elems, rows))
            values = _check_result(out, out_like, "map_fn")
            for v, d in zip(values, dtypes):
                if v.dtype.base_dtype != d:
                    raise TypeError(f"map_fn: fn returned {v.dtype.base_dtype.name} where "
                                    f"{d.name} was expected ({v.name}). Fix: pass dtype= "
                                    "with the output's dtypes, or tf.cast the result.")
            return [], values

        outs = build_loop([], [], lambda v, i: None, body, sliced=flat, back_prop=back_prop,
                          parallel_iterations=parallel_iterations or 10,
                          swap_memory=swap_memory)
    return pack_sequence_as(out_like, outs[:len(dtypes)])


# ---------------------------------------------------------------------------------------
# Multi-way conditionals
# ---------------------------------------------------------------------------------------
def _chain(pairs, default, strict):
    """cond(p0, f0, lambda: cond(p1, f1, ... default)): the first true predicate wins."""
    fn = default
    for pred, branch in reversed(pairs):
        fn = (lambda p, b, rest: lambda: cond(p, b, rest, strict=strict))(pred, branch, fn)
    return fn()


def _case_pairs(pred_fn_pairs) -> list:
    pairs = list(pred_fn_pairs.items()) if isinstance(pred_fn_pairs, dict) \
        else list(pred_fn_pairs)
    result = []
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"Each entry in pred_fn_pairs must be a 2-tuple (pred, fn), got "
                            f"{pair!r}. Fix: tf.case([(x < 0, f1), (x > 5, f2)], default=f3).")
        pred, fn = pair
        if not callable(fn):
            raise TypeError(f"fn for pred {pred!r} must be callable. Fix: pass a function, "
                            "e.g. lambda: value.")
        pred = convert_to_tensor(pred)
        if pred.dtype.base_dtype != _dtypes.bool:
            raise TypeError(f"pred must be Tensor of type bool: {pred.name}")
        result.append((pred, fn))
    return result


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """Run the function of the first true predicate (or `default`); return its result.

    `pred_fn_pairs` is a list of (bool scalar tensor, callable). Without `default` the last
    pair's function is the default. `exclusive=True` fails the run when more than one
    predicate is true.

    Example: `tf.case([(x < 0., lambda: -x)], default=lambda: x)` -> |x|.
    """
    pairs = _case_pairs(pred_fn_pairs)
    if not pairs:
        raise ValueError("pred_fn_pairs must not be empty. Fix: pass at least one (pred, fn).")
    if default is not None and not callable(default):
        raise TypeError("default must be callable. Fix: pass a function, e.g. lambda: value.")
    graph = graph_of([p for p, _ in pairs])
    with graph.as_default(), name_scope(name, "case"):
        if default is None:
            pairs, default = pairs[:-1], pairs[-1][1]
        checks = []
        if exclusive and len(pairs) > 1:
            count = reduction_ops.reduce_sum(math_ops.cast(array_ops.stack([p for p, _ in pairs]),
                                                      _dtypes.int32))
            checks.append(check_ops.Assert(
                comparison_ops.less(count, 2), ["Input error: exclusive=True: more than 1 "
                                          "conditions evaluated as True:", count]))
        with graph.control_dependencies(checks):
            return _chain(pairs, default, strict)


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """Run `branch_fns[branch_index]`; an index out of range runs `default` (else the last).

    `branch_fns` is a list of callables, a list of (int, callable) or a dict.

    Example: `tf.switch_case(k, [lambda: a, lambda: b])` -> a if k == 0 else b.
    """
    items = sorted(branch_fns.items()) if isinstance(branch_fns, dict) else list(branch_fns)
    if items and isinstance(items[0], tuple):
        keys = sorted(k for k, _ in items)
        if keys != list(range(len(keys))):
            raise ValueError(f"branch indices (keys) must form contiguous range of [0 to "
                             f"{len(keys)}) but found {{{', '.join(map(str, keys))}}}")
        items = [fn for _, fn in sorted(items, key=lambda kv: kv[0])]
    if not items:
        raise ValueError("branch_fns must not be empty. Fix: pass a list of functions.")
    for fn in items + ([default] if default is not None else []):
        if not callable(fn):
            raise TypeError(f"branch_fns entries must be callable, got {fn!r}.")
    graph = graph_of([branch_index])
    with graph.as_default(), name_scope(name, "switch_case"):
        index = convert_to_tensor(branch_index, name="branch_index")
        if index.dtype.base_dtype != _dtypes.int32 or index.shape.ndims not in (None, 0):
            raise TypeError(f"branch_index must be an int32 scalar, got {index.dtype.name} of "
                            f"shape {index.shape}.")
        if default is None:
            items, default = items[:-1], items[-1]
        pairs = [(comparison_ops.equal(index, k), fn) for k, fn in enumerate(items)]
        return _chain(pairs, default, False)
