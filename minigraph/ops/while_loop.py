"""Loops: `tf.while_loop` and the one `While` op that every loop (scan, map_fn, RNNs) is.

Lives here: the While op (one node in the enclosing graph whose body is a WhileFrame: the
ops created while the body function ran), LoopVar (the body's view of a loop variable, a
row of a sliced input, or the iteration index; fed by the loop at run time), LoopHistory
(a gradient loop's read of a value the forward loop saved at one iteration), `build_loop`
(the builder shared by every loop) and `while_loop` with TF1's argument handling. How a
plan runs a loop is in runtime/loops.py; how a loop is differentiated in loop_gradients.py.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.errors import InvalidArgumentError, describe_caller, describe_node
from ..framework.graph import get_default_graph, graph_of, name_scope
from ..framework.tensor import Spec, Tensor, WhileFrame
from ..framework.nest import flatten, pack_sequence_as, same_structure
from ..framework.registry import OpDef, no_gradient, register_op
from ..framework.shapes import TensorShape, as_shape
from .array_ops import identity
from .constant_op import convert_to_tensor

__all__ = ["while_loop", "build_loop"]

# A loop's gradient is another loop built by the backward pass itself, which lives above
# ops/: loop_gradients.py fills this table when it is imported (as the tf namespace does).
LOOP_GRADIENT: dict = {}


@register_op("LoopVar")
class LoopVar(OpDef):
    """Inside a loop body: a loop variable, a row of a sliced input, or the iteration index.

    The loop feeds it at every iteration; it has no value outside its loop.
    TF1 note: TF builds Enter, Merge, Switch and Identity ops for each loop variable; one
    LoopVar stands for all four (it is named `while/Identity` like TF's body-side tensor).
    """

    @staticmethod
    def infer(*, dtype, shape, role, index):
        return Spec(dtype, shape)

    @staticmethod
    def compute(*, dtype, shape, role, index):
        raise InvalidArgumentError(None, None, "A tensor made inside a tf.while_loop body has "
                                   "a value only inside one iteration of the loop. Fix: fetch "
                                   "the loop's outputs (what tf.while_loop returned).")

    gradient = staticmethod(no_gradient)

    @staticmethod
    def lower(op, exporter):
        # TF's Merge (condition side) and Identity (body side); see export/loop_lowering.py.
        return exporter.loops.lower_loop_var(op)


@register_op("LoopHistory")
class LoopHistory(OpDef):
    """In a gradient loop: the value forward tensor number `index` had at `iteration`.

    The forward While op keeps every iteration's values of the tensors its gradient reads
    (TF1's stack push in the forward loop and pop in the backward loop).
    """

    inputs = ("history", "iteration")
    input_types = ("variant", "int32")

    @staticmethod
    def infer(history, iteration, *, index, dtype, shape):
        return Spec(dtype, shape)

    @staticmethod
    def compute(history, iteration, *, index, dtype, shape):
        return history[()][iteration][index]

    @staticmethod
    def lower(op, exporter):
        # A TensorArray the forward loop wrote, read at this iteration.
        return exporter.loops.lower_history(op)

    @staticmethod
    def gradient(op, grad):
        raise TypeError(f"Second-order gradient for while loops not supported (the read "
                        f"{describe_node(op)} of a forward loop's saved value). Fix: "
                        "differentiate the loop once, or unroll it in Python.")


@register_op("While")
class While(OpDef):
    """Run the loop body `frame` while its condition holds (or `limit` times).

    Inputs: the initial loop variables, the tensors the body captures, the sliced inputs
    (row i feeds iteration i), and `limit` when there is one. Outputs: the final loop
    variables, the stacked per-iteration values, the trip count (int32) and the history
    (the saved values its gradient loop reads). The plan runs the body as a sub-plan.
    """

    uses_context = True

    @staticmethod
    def infer(*inputs, frame, n_vars, has_limit, reverse, back_prop, parallel_iterations,
              swap_memory):
        first_sliced = n_vars + len(frame.captures)
        counts = [spec.shape.known[0] if spec.shape.ndims else None
                  for spec in inputs[first_sliced:first_sliced + len(frame.sliced)]]
        if has_limit:
            counts.append(None if inputs[-1].value is None else max(int(inputs[-1].value), 0))
        rows = None if None in counts or not counts or frame.cond_output is not None \
            else min(counts)
        specs = [Spec(t.dtype, t.shape) for t in frame.body_outputs]
        specs += [Spec(t.dtype, TensorShape([rows]).concatenate(t.shape))
                  for t in frame.stacked]
        return specs + [Spec(_dtypes.int32, []), Spec(_dtypes.variant, [])]

    @staticmethod
    def compute(ctx, op, *inputs, **attrs):
        return ctx.run_loop(op, inputs)

    @staticmethod
    def gradient(op, *grads):
        return LOOP_GRADIENT["While"](op, grads)

    @staticmethod
    def lower(op, exporter):
        # TF1's frame: Enter, Merge, LoopCond, Switch, NextIteration, Exit.
        return exporter.loops.lower_while(op)


# ---------------------------------------------------------------------------------------
# Building a loop
# ---------------------------------------------------------------------------------------
def _inside(value, frame) -> Tensor:
    """`value` as a tensor of `frame`: an outside tensor gets an Identity in the body."""
    t = convert_to_tensor(value)
    if t.op.loop_frame is not frame or t.dtype.is_ref_dtype:
        t = identity(t)
    return t


def _loop_cond(value, frame) -> Tensor:
    c = convert_to_tensor(value)
    if c.dtype.base_dtype != _dtypes.bool:
        raise TypeError(f"The condition of a while loop must return a bool tensor, got "
                        f"{c.dtype.name} ({c.name}). Fix: compare, e.g. `lambda i: i < 10`; "
                        f"built at {describe_caller()}.")
    if c.shape.ndims not in (None, 0):
        raise ValueError(f"Shape must be rank 0 but is rank {c.shape.ndims} for "
                         f"'{frame.name}/LoopCond' (op: 'LoopCond') with input shapes: "
                         f"{c.shape._bracket()}. Fix: reduce the condition to one bool, e.g. "
                         "tf.reduce_all(...).")
    return _inside(c, frame)


def _captures(frame) -> list:
    """Tensors from outside the frame read by its ops (in first-use order)."""
    seen = {}
    for op in frame.ops:
        for t in op._inputs:
            source = t._op.loop_frame
            if source is None or not source.within(frame):
                seen.setdefault(t, None)
    return list(seen)


def _shape_at_most(shape, invariant) -> bool:
    """Is `shape` at least as specific as `invariant` (TF's _ShapeLessThanOrEqual)?"""
    if invariant.ndims is None:
        return True
    if shape.ndims != invariant.ndims:
        return False
    return all(b is None or a == b for a, b in zip(shape.known, invariant.known))


def _check_next(init, nxt, invariants):
    for t0, t1, inv in zip(init, nxt, invariants):
        if t1.dtype.base_dtype != t0.dtype.base_dtype:
            raise TypeError(f"The loop variable '{t0.name}' enters the loop as "
                            f"{t0.dtype.base_dtype.name} but the body returns "
                            f"{t1.dtype.base_dtype.name} ({t1.name}). Fix: tf.cast the body's "
                            "result to the loop variable's dtype.")
        if not _shape_at_most(t1.shape, inv):
            raise ValueError(f"Input tensor '{t0.name}' enters the loop with shape {t0.shape}, "
                             f"but has shape {t1.shape} after one iteration. To allow the shape "
                             "to vary across iterations, use the `shape_invariants` argument "
                             "of tf.while_loop to specify a less-specific shape.")


def build_loop(init, invariants, cond_fn, body_fn, *, sliced=(), limit=None, reverse=False,
               back_prop=True, forward=None, name="while", parallel_iterations=10,
               swap_memory=False):
    """Build one While op; return its outputs (next vars, stacked values, trips, history).

    `init` is the flat list of initial loop variables and `invariants` their shapes inside
    the body. `cond_fn(vars, iteration)` returns the bool scalar (or None: run `limit`
    times); `body_fn(vars, rows, iteration)` returns (next vars, values to stack), where
    `rows` are row `iteration` of each `sliced` input. `reverse` counts the iteration index
    down from limit-1 (gradient loops); `forward` is the frame a gradient loop reads.
    """
    graph = graph_of(list(init) + list(sliced) + ([limit] if limit is not None else []))
    with graph.as_default(), name_scope(name) as scope:
        frame = WhileFrame(scope.rstrip("/"), graph.current_loop_frame)
        if forward is not None:
            frame.forward = forward
            frame.reader = lambda t: _read_saved(graph, frame, t)
        with graph.loop_frame(frame):
            frame.loop_vars = [LoopVar.apply([], name="Identity", dtype=t.dtype.base_dtype,
                                             shape=inv, role="var", index=i)
                               for i, (t, inv) in enumerate(zip(init, invariants))]
            frame.sliced = [LoopVar.apply([], name="row", dtype=s.dtype.base_dtype,
                                          shape=s.shape[1:], role="row", index=i)
                            for i, s in enumerate(sliced)]
            frame.iteration = LoopVar.apply([], name="iteration", dtype=_dtypes.int32,
                                            shape=[], role="iteration", index=0)
            c = cond_fn(list(frame.loop_vars), frame.iteration)
            frame.cond_output = None if c is None else _loop_cond(c, frame)
            nxt, stacked = body_fn(list(frame.loop_vars), list(frame.sliced), frame.iteration)
            frame.body_outputs = [_inside(t, frame) for t in nxt]
            frame.stacked = [_inside(t, frame) for t in stacked]
        _check_next(init, frame.body_outputs, invariants)
        frame.captures = _captures(frame)
        inputs = list(init) + frame.captures + list(sliced)
        if limit is not None:
            inputs.append(limit)
        # Named like TF's exit of the loop (`while/Exit:0`), inside the loop's scope, so the
        # exports draw the loop and its body as one frame.
        outputs = While.apply(inputs, name=scope + "Exit/", frame=frame, n_vars=len(init),
                              has_limit=limit is not None, reverse=reverse,
                              back_prop=back_prop, parallel_iterations=parallel_iterations,
                              swap_memory=swap_memory)
        frame.op = outputs[0].op
    return outputs


def _read_saved(graph, frame, t) -> Tensor:
    """In gradient loop `frame`: the value forward tensor `t` had at this iteration."""
    if t in frame.translated:
        return frame.translated[t]
    forward = frame.forward
    if t not in forward.saved:
        forward.saved.append(t)
    branch = t.op.cond_context  # a value saved inside a cond branch exists only when taken
    with graph.loop_frame(frame), graph.cond_branch(branch), \
            graph.name_scope(f"{frame.name}/saved/"):
        read = LoopHistory.apply([forward.op.outputs[-1], frame.iteration], name="read",
                                 index=forward.saved.index(t), dtype=t.dtype.base_dtype,
                                 shape=t.shape)
    frame.translated[t] = read
    return read


# ---------------------------------------------------------------------------------------
# tf.while_loop
# ---------------------------------------------------------------------------------------
def _loop_value(v) -> Tensor:
    if hasattr(v, "_as_graph_element") and not isinstance(v, Tensor):
        return v.value()
    return convert_to_tensor(v)


def _invariants(loop_vars, flat, shape_invariants) -> list:
    if shape_invariants is None:
        return [t.shape for t in flat]
    problem = same_structure(loop_vars, shape_invariants) if not isinstance(
        shape_invariants, TensorShape) else None
    shapes = flatten(shape_invariants) if not isinstance(shape_invariants, TensorShape) \
        else [shape_invariants]
    if problem is not None or len(shapes) != len(flat):
        raise ValueError(f"shape_invariants must have the same structure as loop_vars "
                         f"({problem or 'different number of entries'}). Fix: give one "
                         "tf.TensorShape per loop variable, nested like loop_vars.")
    result = []
    for t, s in zip(flat, shapes):
        s = s if isinstance(s, TensorShape) else as_shape(s)
        if not _shape_at_most(t.shape, s):
            raise ValueError(f"The shape invariant specified for {t.name} is not compatible "
                             f"with the initial shape of the loop variable. It enters the "
                             f"loop with shape {t.shape}, but the specified shape invariant "
                             f"is {s}.")
        result.append(s)
    return result


def _limit(maximum_iterations):
    if maximum_iterations is None:
        return None
    limit = convert_to_tensor(maximum_iterations, name="maximum_iterations")
    if limit.shape.ndims != 0:
        raise ValueError(f"'maximum_iterations' must be a scalar. Received shape: "
                         f"{limit.shape}")
    if not limit.dtype.base_dtype.is_integer:
        raise TypeError(f"'maximum_iterations' must be an integer tensor, got "
                        f"{limit.dtype.base_dtype.name}.")
    return limit


def _call(fn, structure, flat):
    packed = pack_sequence_as(structure, list(flat))
    return fn(*packed)


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10,
               back_prop=True, swap_memory=False, name=None, maximum_iterations=None,
               return_same_structure=False):
    """Repeat `body` while `cond` is true: `loop_vars = body(*loop_vars)`.

    `loop_vars` is a list or tuple (its items may nest tuples, lists, namedtuples and
    dicts); `cond(*loop_vars)` returns a bool scalar tensor and `body(*loop_vars)` returns
    the same structure. Both functions are called once, now, to build the loop body: ops
    they create belong to the loop and run once per iteration; tensors they read from
    outside are captured. A loop variable whose shape changes needs a less specific entry in
    `shape_invariants`. `maximum_iterations` bounds the trip count; `back_prop=False` makes
    the loop non-differentiable. `parallel_iterations` and `swap_memory` are accepted (the
    body runs one iteration at a time). A single loop variable comes back unwrapped unless
    `return_same_structure=True`.

    Example: `tf.while_loop(lambda i: i < 10, lambda i: i + 1, [0])` -> a Tensor, 10 at run.
    """
    if not callable(cond):
        raise TypeError("'cond' must be callable. Fix: pass a function of the loop variables.")
    if not callable(body):
        raise TypeError("'body' must be callable. Fix: pass a function of the loop variables.")
    if not isinstance(parallel_iterations, (int, np.integer)) or parallel_iterations < 1:
        raise TypeError("'parallel_iterations' must be a positive integer.")
    if not isinstance(loop_vars, (list, tuple)):
        raise TypeError(f"'loop_vars' must be a list or tuple of loop variables, got "
                        f"{type(loop_vars).__name__}. Fix: wrap a single tensor as [x].")
    if not loop_vars:
        raise ValueError("'loop_vars' must be provided.")
    graph = graph_of(flatten(loop_vars), get_default_graph())
    with graph.as_default(), name_scope(name, "while") as scope:
        flat = [_loop_value(v) for v in flatten(loop_vars)]
        invariants = _invariants(loop_vars, flat, shape_invariants)
        limit = _limit(maximum_iterations)
        result = {}

        def body_fn(vars_, rows, iteration):
            out = _call(body, loop_vars, vars_)
            if not isinstance(out, (list, tuple, dict)):
                out = [out]
            problem = same_structure(list(pack_sequence_as(loop_vars, vars_)), list(out)
                                     if not isinstance(out, dict) else out)
            if problem is not None:
                raise ValueError(f"The body of a while loop must return the structure of "
                                 f"loop_vars: {problem}. Fix: return one value per loop "
                                 "variable, nested like loop_vars.")
            result["structure"] = out
            return [_loop_value(v) for v in flatten(out)], []

        outs = build_loop(flat, invariants, lambda v, i: _call(cond, loop_vars, v), body_fn,
                          limit=limit, back_prop=back_prop, name=scope,
                          parallel_iterations=parallel_iterations, swap_memory=swap_memory)
    packed = pack_sequence_as(result["structure"], outs[:len(flat)])
    if not return_same_structure and len(flat) == 1:
        return outs[0]
    return packed
