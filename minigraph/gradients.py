"""Reverse-mode differentiation: `gradients(ys, xs)` adds gradient ops to the graph.

Lives here: one backward pass over the ops that lie between `xs` and `ys` (found by one
forward and one backward sweep along float/complex tensors), aggregation of several paths with
add_n, `stop_gradients`, unconnected handling, and tf.cond branches: an op's gradient ops are
built in the branch the op belongs to, and a gradient leaving a branch passes a Merge that
gives zeros when the branch did not run. Each op's own rule is its OpDef's `gradient`;
this module knows no op by name. Because gradients are ordinary ops, they can be
differentiated again.
"""

from __future__ import annotations

import contextlib
import gc

from .framework import dtypes as _dtypes
from .framework.errors import creation_site, describe_caller, user_frame
from .framework.graph import graph_of
from .framework.indexed_slices import IndexedSlices
from .framework.registry import gradient_function
from .framework.tensor import Tensor
from .ops import array_ops, join_split_ops, math_ops, shape_ops
from .ops.control_flow_ops import Merge
from .ops.common import gradient_targets
from .ops.constant_op import constant, convert_to_tensor

__all__ = ["gradients", "UnconnectedGradients", "AggregationMethod"]


class UnconnectedGradients:
    """What `gradients` returns for an x with no path to any y: None or zeros."""

    NONE = "none"
    ZERO = "zero"


class AggregationMethod:
    """How several gradient contributions are summed (all give the same values here)."""

    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while building many ops.

    Building creates many objects and no garbage cycles; Python's collector would otherwise
    rescan the growing graph again and again (measured: 79 -> 62 us per op on a 16k chain).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _differentiable(t: Tensor) -> bool:
    d = t.dtype.base_dtype
    return d.is_floating or d.is_complex


def _as_list(values):
    if isinstance(values, (list, tuple)):
        return list(values)
    return [values]


def _as_x(x):
    if hasattr(x, "_ref"):
        return x._ref()
    return convert_to_tensor(x)


def gradients(ys, xs, grad_ys=None, name="gradients", colocate_gradients_with_ops=False,
              gate_gradients=False, aggregation_method=None, stop_gradients=None,
              unconnected_gradients=UnconnectedGradients.NONE) -> list:
    """Return [sum over ys of d(sum(grad_y * y))/dx for x in xs] as graph tensors (or None).

    Example: `g, = tf.gradients(x * x, [x])` -> 2x at run time.
    """
    ys = [convert_to_tensor(y) for y in _as_list(ys)]
    xs = [_as_x(x) for x in _as_list(xs)]
    unconnected = getattr(unconnected_gradients, "value", unconnected_gradients)
    if unconnected not in (UnconnectedGradients.NONE, UnconnectedGradients.ZERO):
        raise ValueError(f"Unknown value for unconnected_gradients: {unconnected_gradients!r}. "
                         "Use 'none' or 'zero' (tf.UnconnectedGradients.NONE/ZERO); "
                         f"tf.gradients called at {describe_caller()}.")
    if aggregation_method not in (None, 0, 1, 2):
        raise ValueError(f"Invalid aggregation_method specified {aggregation_method!r}. Use "
                         "one of tf.AggregationMethod.ADD_N, EXPERIMENTAL_TREE, "
                         "EXPERIMENTAL_ACCUMULATE_N.")
    grad_ys = [None] * len(ys) if grad_ys is None else _as_list(grad_ys)
    if len(grad_ys) != len(ys):
        raise ValueError(f"Length mismatch. Passed {len(grad_ys)} grad_ys for {len(ys)} ys. "
                         "Fix: pass one grad_y per y (None means ones); tf.gradients called at "
                         f"{describe_caller()}.")
    stop_ops = {t.op for t in (_as_x(s) for s in _as_list(stop_gradients or []))}
    graph = graph_of(ys + xs)
    site = user_frame()  # every gradient op is "created" at the user's tf.gradients call
    with graph.as_default(), graph.name_scope(name) as scope, creation_site(site), \
            _gc_paused():
        between = _ops_between(xs, ys, stop_ops)
        pending: dict = {}  # tensor -> list of gradient contributions
        for i, (y, gy) in enumerate(zip(ys, grad_ys)):
            pending.setdefault(y, []).append(_initial_grad(y, gy, i))
        x_set = set(xs)
        found: dict = {}
        base = graph.current_cond_branch  # tf.gradients may be called inside a branch
        with gradient_targets(between, x_set):
            for op in sorted(between, key=lambda o: o._id, reverse=True):
                branch = _deeper(op.cond_context, base)
                if branch is base:
                    _visit(op, pending, found, between, x_set, stop_ops, branch, base)
                else:  # build this op's gradient inside its cond branch
                    with graph.cond_branch(branch):
                        _visit(op, pending, found, between, x_set, stop_ops, branch, base)
        results = []
        for x in xs:
            g = found.get(x)
            if g is None and x in pending:
                g = found[x] = _aggregate(pending[x])
            if g is None and unconnected == UnconnectedGradients.ZERO:
                g = array_ops.zeros_like(array_ops.identity(x) if x.dtype.is_ref_dtype else x)
            if isinstance(g, Tensor):  # an IndexedSlices is returned as such
                try:
                    g.set_shape(x.shape)
                except ValueError as e:
                    raise ValueError(f"Incompatible shapes between op input and calculated "
                                     f"input gradient for '{x.name}': {e}") from None
            results.append(g)
        del scope
    return results


def _ops_between(xs, ys, stop_ops):
    """Ops reachable forward from xs and backward from ys along differentiable tensors."""
    forward, stack = set(), [x for x in xs if _differentiable(x)]
    while stack:
        t = stack.pop()
        for op in t._consumers:
            if op not in forward:
                forward.add(op)
                stack.extend(o for o in op._outputs if _differentiable(o))
    between, stack = set(), [y.op for y in ys]
    while stack:
        op = stack.pop()
        if op in between or op not in forward:
            continue
        between.add(op)
        if op in stop_ops:
            continue
        stack.extend(t.op for t in op._inputs if _differentiable(t) and t.op not in between)
    return between


def _initial_grad(y: Tensor, grad_y, index: int):
    if grad_y is None:
        if y.dtype.is_complex:
            raise TypeError(f"Gradients of complex tensors must set grad_ys (y.dtype = "
                            f"{y.dtype.name}, y = {y.name}).")
        dtype = y.dtype.base_dtype
        if y.shape.is_fully_defined():
            return array_ops.ones(y.shape, dtype, name=f"grad_ys_{index}")
        return array_ops.fill(shape_ops.shape(y), constant(1, dtype, name=f"grad_ys_{index}"))
    if isinstance(grad_y, Tensor) or hasattr(grad_y, "_as_graph_element"):
        grad_y = convert_to_tensor(grad_y)
        if grad_y.dtype.base_dtype != y.dtype.base_dtype:
            raise TypeError(f"Gradient type {grad_y.dtype.name} generated for op {y.op.name} "
                            f"does not match the type {y.dtype.base_dtype.name} of y {y.name}. "
                            "Fix: tf.cast grad_ys to y's dtype.")
        return grad_y
    return convert_to_tensor(grad_y, dtype=y.dtype.base_dtype, name=f"grad_ys_{index}")


def _aggregate(contributions):
    """Sum gradient contributions as TF does: add_n of tensors (an IndexedSlices among
    tensors is densified); several IndexedSlices alone are concatenated, not summed."""
    if not contributions:
        return None
    if len(contributions) == 1:
        return contributions[0]
    if all(isinstance(g, IndexedSlices) for g in contributions):
        return _concat_slices(contributions)
    return math_ops.add_n(contributions)


def _concat_slices(slices) -> IndexedSlices:
    """One IndexedSlices holding the rows of all (int64 indices if their dtypes differ).

    Contributions arrive from the last-built consumer first; reversed, the rows come in
    the order TF gives (that of the forward ops).
    """
    slices = slices[::-1]
    indices = [s.indices for s in slices]
    if len({i.dtype.base_dtype for i in indices}) > 1:
        indices = [math_ops.cast(i, _dtypes.int64) for i in indices]
    return IndexedSlices(join_split_ops.concat([s.values for s in slices], 0),
                         join_split_ops.concat(indices, 0), slices[0].dense_shape)


def _deeper(branch, base):
    """The innermost of two cond branches, one of which lies within the other."""
    return branch if branch is not None and branch.within(base) else base


def _visit(op, pending, found, between, x_set, stop_ops, branch, base):
    """Sum the gradients of `op`'s outputs and pass them on to its inputs."""
    out_grads = [_aggregate(pending.pop(t, None)) for t in op._outputs]
    for t, g in zip(op._outputs, out_grads):
        if t in x_set and g is not None:
            found[t] = g
    if all(g is None for g in out_grads) or op in stop_ops:
        return
    _backprop_op(op, out_grads, pending, between, x_set, branch, base)


def _leave_branches(g: Tensor, x: Tensor, branch, base) -> Tensor:
    """`g`, the gradient for `x` built in `branch`, made usable where `x` lives.

    It passes a Merge for each cond branch it leaves; the Merge gives zeros when its branch
    did not run. So an add_n outside the branch never reads a value that was not computed,
    and a gradient passed through unchanged (Identity's) counts only when its branch ran.
    """
    target = _deeper(x.op.cond_context, base)
    while branch is not None and not (target is not None and target.within(branch)):
        with g.graph.cond_branch(branch.outer):
            zeros = array_ops.zeros_like(array_ops.identity(x) if x.dtype.is_ref_dtype else x)
            values = [g, zeros] if branch.branch else [zeros, g]
            g = Merge.apply(values + [branch.pred], name="cond_grad")
        branch = branch.outer
    return g


def _backprop_op(op, out_grads, pending, between, x_set, branch, base):
    grad_fn = gradient_function(op)  # an override, the OpDef's rule, or LookupError
    if grad_fn is None:  # declared non-differentiable: nothing flows to the inputs
        return
    graph = op.graph
    if len(out_grads) > 1 and any(g is None for g in out_grads):
        out_grads = [array_ops.zeros_like(t) if g is None and _differentiable(t) else g
                     for t, g in zip(op._outputs, out_grads)]
    with graph.name_scope(op.name + "_grad"):
        in_grads = grad_fn(op, *out_grads)
    # A registered gradient may return one tensor for a one-input op, as TF allows.
    in_grads = list(in_grads) if isinstance(in_grads, (list, tuple)) else [in_grads]
    if len(in_grads) != len(op._inputs):
        raise ValueError(f"The gradient of '{op.name}' ({op.type}) returned {len(in_grads)} "
                         f"values for {len(op._inputs)} inputs.")
    for t, g in zip(op._inputs, in_grads):
        if g is None or not _differentiable(t):
            continue
        if t.op in between or t in x_set:
            if not isinstance(g, IndexedSlices):
                g = convert_to_tensor(g)
            if g.dtype.base_dtype != t.dtype.base_dtype and not _dtypes.as_dtype(
                    t.dtype.base_dtype).is_complex:
                raise TypeError(f"The gradient of '{op.name}' ({op.type}) for input "
                                f"'{t.name}' has dtype {g.dtype.name}, expected "
                                f"{t.dtype.base_dtype.name}.")
            if branch is not None:
                g = _leave_branches(convert_to_tensor(g), t, branch, base)
            pending.setdefault(t, []).append(g)
