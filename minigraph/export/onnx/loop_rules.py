"""ONNX rule for loops: a While op (tf.while_loop, scan, map_fn, dynamic_rnn) becomes ONNX's
`Loop`; the loop's frame becomes the Loop's body graph (a Scope), its condition is converted
once before the loop (on the initial values) and once at the end of the body (on the next
values), and rows of sliced inputs are gathered at the iteration index.
"""

from __future__ import annotations

import numpy as np

from ...framework import dtypes as _dtypes
from .converter import Scope, check_convertible, elem_type, output, rule, value_info

__all__ = []


def _frame_ops(frame, targets) -> list:
    """The ops of `frame` that `targets` need, in creation order."""
    seen, stack = set(), [t.op for t in targets if t.op.loop_frame is frame]
    while stack:
        op = stack.pop()
        if op in seen or op.loop_frame is not frame:
            continue
        seen.add(op)
        stack.extend(t.op for t in op.inputs)
    return [op for op in frame.ops if op in seen]


def _convert_frame(scope, frame, targets) -> list:
    ops = [op for op in _frame_ops(frame, targets) if op.type != "LoopVar"]
    check_convertible(ops)
    for op in ops:
        scope.convert(op)
    return [scope.name(t) for t in targets]


def _loop_var_names(frame, values: list, iteration: str, rows: list) -> dict:
    names = {lv: v for lv, v in zip(frame.loop_vars, values)}
    names[frame.iteration] = iteration
    names.update(zip(frame.sliced, rows))
    return names


@rule("While")
def _while(c, op):
    frame, n = op.attrs["frame"], op.attrs["n_vars"]
    captures = len(frame.captures)
    init = [c.name(t) for t in op.inputs[:n]]
    sliced = op.inputs[n + captures:n + captures + len(frame.sliced)]
    trip = _trip_count(c, op, sliced)
    zero = c.constant(np.int32(0), "iteration")
    rows0 = [c.node("Gather", [c.name(s), zero], op.name, axis=0) for s in sliced]
    if frame.cond_output is not None:
        first = Scope(c, _loop_var_names(frame, init, zero, rows0))
        cond0 = _convert_frame(first, frame, [frame.cond_output])[0]
        c.nodes.extend(first.nodes)
    else:
        cond0 = c.constant(np.bool_(True), "cond")
    body_inputs = [c.fresh("iteration_num"), c.fresh("cond_in")] + \
        [c.fresh(f"{op.name}/var_{i}") for i in range(n)]
    body = Scope(c, {})
    iteration = body.node("Cast", [body_inputs[0]], op.name, to=6)
    if op.attrs["reverse"]:
        iteration = body.node("Sub", [body.node("Sub", [body.node(
            "Cast", [trip], op.name, to=6), body.constant(np.int32(1), "one")], op.name),
            iteration], op.name)
    rows = [body.node("Gather", [c.name(s), iteration], op.name, axis=0) for s in sliced]
    body._names.update(_loop_var_names(frame, body_inputs[2:], iteration, rows))
    outputs = _convert_frame(body, frame, frame.body_outputs + frame.stacked)
    cond_out = body.constant(np.bool_(True), "cond")
    if frame.cond_output is not None:
        following = body.node("Add", [iteration, body.constant(np.int32(1), "one")], op.name)
        again = Scope(body, _loop_var_names(frame, outputs[:n], following, [
            body.node("Gather", [c.name(s), following], op.name, axis=0) for s in sliced]))
        cond_out = _convert_frame(again, frame, [frame.cond_output])[0]
        body.nodes.extend(again.nodes)
    # Body outputs get names of their own (Identity): an output may be an input or outer value.
    cond_name = body.node("Identity", [cond_out], op.name)
    out_names = [body.node("Identity", [name], op.name) for name in outputs]
    graph = c.helper.make_graph(
        body.nodes, c.fresh(f"{op.name}/body"),
        [c.helper.make_tensor_value_info(body_inputs[0], elem_type(_dtypes.int64), []),
         c.helper.make_tensor_value_info(body_inputs[1], elem_type(_dtypes.bool), [])]
        + [value_info(c.helper, t, name) for t, name in zip(frame.loop_vars, body_inputs[2:])],
        [c.helper.make_tensor_value_info(cond_name, elem_type(_dtypes.bool), [])]
        + [value_info(c.helper, t, name)
           for t, name in zip(frame.body_outputs + frame.stacked, out_names)])
    results = c.node("Loop", [trip or "", cond0] + init, op.name,
                     n_out=n + len(frame.stacked), body=graph)
    results = [results] if isinstance(results, str) else results
    for k, name in enumerate(results):
        output(c, op, name, k)


def _trip_count(c, op, sliced):
    """The Loop's maximum trip count (int64): the limit and the rows of sliced inputs."""
    bounds = []
    if op.attrs["has_limit"]:
        bounds.append(c.node("Cast", [c.name(op.inputs[-1])], op.name, to=7))
    for s in sliced:
        shape = c.node("Shape", [c.name(s)], op.name)
        bounds.append(c.node("Gather", [shape, c.ints(0, "zero")], op.name, axis=0))
    if not bounds:
        return None
    trip = bounds[0]
    for other in bounds[1:]:
        trip = c.node("Min", [trip, other], op.name)
    return trip
