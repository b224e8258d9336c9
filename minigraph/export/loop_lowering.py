"""Loops in TF1's dataflow form, for GraphDef export: Enter, Merge, Switch, LoopCond, Exit.

Lives here: `LoopLowering`, the part of the exporter (lowering.py) that turns each While op
and its frame into the nodes TensorFlow 1.x builds for `tf.while_loop`:

    Enter(init) -> Merge(enter, NextIteration) -> [condition] -> LoopCond
    Switch(merge, loop_cond): output 0 -> Exit (the loop's result), output 1 -> Identity
    Identity -> [body] -> NextIteration -> back into the Merge

A counter (the iteration index) is one more loop variable; the loop's own rows (scan,
map_fn inputs) are read from a TensorArray scattered before the loop, stacked values are
written to TensorArrays whose flows are loop variables, and the values a gradient loop reads
(LoopHistory) go through TF1's stacks: the forward loop pushes each saved value at every
iteration (a ControlTrigger ties the pushes to the counter, so they run even inside a cond
branch not taken) and the gradient loop pops them in reverse order, which also holds for
nested loops, whose inner pushes repeat for every outer iteration.
Values from outside a frame enter it through `Enter(is_constant=True)`; the body reads
values computed by the condition through `Switch(..., loop_cond):1`; input-less ops hang off
the frame's pivot (the counter's Merge on the condition side, its Identity in the body).
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes

__all__ = ["LoopLowering"]


class _FrameNames:
    """The node names of one loop's plumbing, reserved when the frame is first met."""

    def __init__(self, lowering, frame):
        unique = lowering.exporter.unique
        base = frame.name
        n = len(frame.loop_vars)
        self.frame = frame
        self.merge = [unique(f"{base}/Merge" + (f"_{i}" if i else "")) for i in range(n)]
        self.identity = [lv.op.name for lv in frame.loop_vars]
        self.counter_merge = unique(f"{base}/counter/Merge")
        self.counter_identity = unique(f"{base}/counter/Identity")
        self.loop_cond = unique(f"{base}/LoopCond")
        self.iteration_cond = unique(f"{base}/iteration_cond")
        self.iteration_body = frame.iteration.op.name
        self.rows = [r.op.name for r in frame.sliced]
        self.next = [unique(f"{base}/NextIteration" + (f"_{i}" if i else ""))
                     for i in range(n)]
        self.counter_next = unique(f"{base}/counter/NextIteration")
        self.cond_side = _cond_side(frame)


def _cond_side(frame) -> set:
    """Ops of `frame` that compute its condition (they read the Merge outputs)."""
    if frame.cond_output is None:
        return {lv.op for lv in frame.loop_vars} | {frame.iteration.op}
    found, stack = set(), [frame.cond_output.op]
    while stack:
        op = stack.pop()
        if op in found or op.loop_frame is not frame:
            continue
        found.add(op)
        stack.extend(t.op for t in op.inputs)
    return found | {lv.op for lv in frame.loop_vars} | {frame.iteration.op}


class LoopLowering:
    """Per-export state for loops: reserved names, Enter caches, TensorArray histories."""

    def __init__(self, exporter):
        self.exporter = exporter
        self._frames: dict = {}     # WhileFrame -> _FrameNames
        self._entered: dict = {}    # (exported name, frame) -> entered (name, dtype)
        self._to_body: dict = {}    # (exported name, frame) -> body-side (name, dtype)
        self.stacks: dict = {}      # forward While op -> [stack handle (name, dtype)] per saved

    def names(self, frame) -> _FrameNames:
        if frame not in self._frames:
            self._frames[frame] = _FrameNames(self, frame)
        return self._frames[frame]

    # -- where an op stands in its frame ------------------------------------------------
    def is_cond_side(self, op) -> bool:
        return op in self.names(op.loop_frame).cond_side

    def pivot(self, op) -> str:
        """The control input that puts an input-less op of a frame into that frame."""
        names = self.names(op.loop_frame)
        return names.counter_merge if self.is_cond_side(op) else names.counter_identity

    # -- values crossing into a frame ---------------------------------------------------
    def into_frame(self, exported, source_frame, source_op, op) -> tuple:
        """(name, dtype) of a value made in `source_frame` as `op` (in a frame) reads it."""
        frame = op.loop_frame
        if source_frame is frame:
            if source_op is not None and not self.is_cond_side(op) \
                    and source_op in self.names(frame).cond_side:
                return self.to_body(exported, source_op, frame)
            return exported
        chain = []
        f = frame
        while f is not None and f is not source_frame:
            chain.append(f)
            f = f.outer
        for f in reversed(chain):
            exported = self.enter(exported, f)
        return exported

    def enter(self, exported, frame) -> tuple:
        """`exported` made available (unchanged each iteration) inside `frame`."""
        key = (exported[0], frame)
        if key not in self._entered:
            name, dtype = exported
            op_type = "RefEnter" if dtype.is_ref_dtype else "Enter"
            node = self.exporter.emit(
                op_type, [exported], {"frame_name": ("s", frame.name.encode()),
                                      "is_constant": ("b", True),
                                      "parallel_iterations": ("i", _iterations(frame))},
                name=self.exporter.unique(f"{frame.name}/{_short(name)}/Enter"),
                output_dtypes=[dtype], context=False)
            self._entered[key] = (node, dtype)
        return self._entered[key]

    def to_body(self, exported, source_op, frame) -> tuple:
        """A condition-side value as the body reads it (Switch on the loop condition, out 1)."""
        names = self.names(frame)
        if source_op.type == "LoopVar":
            role, index = source_op.attrs["role"], source_op.attrs["index"]
            if role == "var":
                return (names.identity[index], exported[1])
            if role == "iteration":
                return (names.iteration_body, exported[1])
        key = (exported[0], frame)
        if key not in self._to_body:
            node = self.exporter.emit(
                "Switch", [exported, (names.loop_cond, _dtypes.bool)], {},
                name=self.exporter.unique(f"{_short(exported[0])}/to_body"),
                output_dtypes=[exported[1], exported[1]], context=False)
            self._to_body[key] = (f"{node}:1", exported[1])
        return self._to_body[key]

    # -- the op blocks' lowering ----------------------------------------------------------
    def lower_loop_var(self, op) -> list:
        """A LoopVar's condition-side name (the body side is reserved by name)."""
        names = self.names(op.loop_frame)
        dtype = op.outputs[0].dtype
        role, index = op.attrs["role"], op.attrs["index"]
        if role == "var":
            return [(names.merge[index], dtype)]
        if role == "iteration":
            return [(names.iteration_cond, dtype)]
        return [(names.rows[index], dtype)]

    def lower_history(self, op) -> list:
        """A gradient loop's read of a forward value: a pop of the forward loop's stack."""
        exporter = self.exporter
        dtype = op.outputs[0].dtype
        if dtype.base_dtype == _dtypes.variant:  # an inner loop's history: its own stacks
            return [(exporter.const(0, _dtypes.int32, "unused")[0], dtype)]
        forward = _forward_while(op.inputs[0])
        handle = self.stacks[forward][op.attrs["index"]]
        handle = exporter.route_value(handle, None, None, op)
        # The pivot makes the pop wait for its iteration (the handle alone is ready at once).
        return [(exporter.emit("StackPopV2", [handle], {"elem_type": ("type", dtype)},
                               name=op.name, output_dtypes=[dtype],
                               control=[self.pivot(op)]), dtype)]

    def lower_while(self, op) -> list:
        frame = op.attrs["frame"]
        return _WhileLowering(self, op, frame).run()


class _WhileLowering:
    """The nodes of one While op, emitted in the While op's own context."""

    def __init__(self, lowering, op, frame):
        self.lowering, self.exporter, self.op, self.frame = lowering, lowering.exporter, op, frame
        self.names = lowering.names(frame)
        self.n = op.attrs["n_vars"]
        self.int32 = _dtypes.int32

    def emit_inside(self, op_type, inputs, attrs, name=None, output_dtypes=None, control=()):
        return self.exporter.emit(op_type, inputs, attrs, name=name,
                                  output_dtypes=output_dtypes, control=control, context=False)

    def emit_outside(self, op_type, inputs, attrs, suffix, output_dtypes=None):
        name = self.exporter.unique(f"{self.frame.name}/{suffix}")
        return self.exporter.emit(op_type, inputs, attrs, name=name,
                                  output_dtypes=output_dtypes)

    def const_outside(self, value, dtype, suffix):
        return self.exporter.const(value, dtype, suffix)

    def run(self) -> list:
        ex, op, frame = self.exporter, self.op, self.frame
        inputs = [ex.input(i) for i in range(len(op.inputs))]
        n, c, s = self.n, len(frame.captures), len(frame.sliced)
        init, sliced = inputs[:n], inputs[n + c:n + c + s]
        self.row_counts = []
        limit = self.effective_limit(inputs[-1] if op.attrs["has_limit"] else None, sliced)
        self.limit_inside = None if limit is None else self.lowering.enter(limit, frame)
        zero = self.const_outside(0, self.int32, "counter_start")
        self.loop_variable(zero, self.names.counter_merge, self.names.counter_next,
                           self.int32)
        for i, value in enumerate(init):
            self.loop_variable(value, self.names.merge[i], self.names.next[i], value[1])
        loop_cond = self.condition()
        exits = [(self.switch_and_exit(self.names.merge[i], self.names.identity[i], init[i][1],
                                       exit_name=op.name if i == 0 else
                                       self.exporter.unique(f"{op.name}_{i}")), init[i][1])
                 for i in range(n)]
        counter_exit = self.switch_and_exit(self.names.counter_merge,
                                            self.names.counter_identity, self.int32)
        self.iteration_indices()
        self.rows(sliced)
        self.next_values(loop_cond)
        stacked = [self.stacked_output(t, k) for k, t in enumerate(frame.stacked)]
        return exits + stacked + [(counter_exit, self.int32), (counter_exit, _dtypes.variant)]

    # -- pieces ---------------------------------------------------------------------------
    def effective_limit(self, limit, sliced):
        """min(limit, rows of each sliced input), as an int32 scalar node (None: no bound)."""
        bounds = [limit] if limit is not None else []
        for value in sliced:
            shape = (self.emit_outside("Shape", [value], {"out_type": ("type", self.int32)},
                                       "rows/Shape"), self.int32)
            bounds.append((self.emit_outside(
                "GatherV2", [shape, self.const_outside(0, self.int32, "rows/index"),
                             self.const_outside(0, self.int32, "rows/axis")],
                {"batch_dims": ("i", 0)}, "rows/count"), self.int32))
            self.row_counts.append(bounds[-1])
        result = bounds[0] if bounds else None
        for other in bounds[1:]:
            result = (self.emit_outside("Minimum", [result, other], {}, "limit"), self.int32)
        return result

    def loop_variable(self, value, merge_name, next_name, dtype):
        frame = self.frame
        enter = self.emit_inside("Enter", [value], {
            "frame_name": ("s", frame.name.encode()), "is_constant": ("b", False),
            "parallel_iterations": ("i", _iterations(frame))},
            name=self.exporter.unique(f"{merge_name}/Enter"), output_dtypes=[dtype])
        self.emit_inside("Merge", [(enter, dtype), (next_name, dtype)], {}, name=merge_name,
                         output_dtypes=[dtype, self.int32])

    def condition(self):
        frame, names = self.frame, self.names
        parts = []
        if self.limit_inside is not None:
            parts.append((self.emit_inside("Less", [(names.counter_merge, self.int32),
                                                    self.limit_inside], {},
                                           name=self.exporter.unique(f"{frame.name}/Less")),
                          _dtypes.bool))
        if frame.cond_output is not None:
            parts.append(self.exporter.tensor_name(frame.cond_output))
        if not parts:
            raise ValueError(f"Loop '{frame.name}' has neither a condition nor a bound; it "
                             "cannot be exported.")
        pred = parts[0]
        if len(parts) == 2:
            pred = (self.emit_inside("LogicalAnd", parts, {},
                                     name=self.exporter.unique(f"{frame.name}/LogicalAnd")),
                    _dtypes.bool)
        return self.emit_inside("LoopCond", [pred], {}, name=names.loop_cond,
                                output_dtypes=[_dtypes.bool])

    def switch_and_exit(self, merge_name, identity_name, dtype, exit_name=None) -> str:
        switch = self.emit_inside("Switch", [(merge_name, dtype),
                                             (self.names.loop_cond, _dtypes.bool)], {},
                                  name=self.exporter.unique(f"{merge_name}/Switch"),
                                  output_dtypes=[dtype, dtype])
        self.emit_inside("Identity", [(f"{switch}:1", dtype)], {}, name=identity_name,
                         output_dtypes=[dtype])
        return self.exporter.emit("Exit", [(switch, dtype)], {},
                                  name=exit_name or self.exporter.unique(f"{merge_name}/Exit"),
                                  output_dtypes=[dtype], context=False)

    def iteration_indices(self):
        """The iteration index on each side: the counter, or limit-1-counter if reversed."""
        names, int32 = self.names, self.int32
        for counter, target in ((names.counter_merge, names.iteration_cond),
                                (names.counter_identity, names.iteration_body)):
            if self.op.attrs["reverse"]:
                one = self.emit_inside("Const", [], {
                    "value": ("tensor", _int32_array(1)), "dtype": ("type", int32)},
                    name=self.exporter.unique(f"{target}/one"), output_dtypes=[int32],
                    control=[counter])
                last = self.emit_inside("Sub", [self.limit_inside, (one, int32)], {},
                                        name=self.exporter.unique(f"{target}/last"))
                self.emit_inside("Sub", [(last, int32), (counter, int32)], {}, name=target)
            else:
                self.emit_inside("Identity", [(counter, int32)], {}, name=target)

    def rows(self, sliced):
        """Each sliced input scattered into a TensorArray; the body reads its row."""
        for k, value in enumerate(sliced):
            row = self.frame.sliced[k]
            count = self.row_counts[k]
            handle, flow = self.tensor_array(row.dtype, row.shape, f"rows_{k}", size=count)
            indices = (self.emit_outside("Range", [self.const_outside(0, self.int32, "start"),
                                                   count, self.const_outside(1, self.int32,
                                                                             "delta")], {},
                                         "rows/indices"), self.int32)
            flow = (self.emit_outside("TensorArrayScatterV3", [handle, indices, value, flow],
                                      {}, f"rows_{k}/scatter"), _dtypes.float32)
            self.emit_inside("TensorArrayReadV3", [
                self.lowering.enter(handle, self.frame),
                (self.names.iteration_body, self.int32), self.lowering.enter(flow, self.frame)],
                {"dtype": ("type", row.dtype)}, name=self.names.rows[k],
                output_dtypes=[row.dtype])

    def tensor_array(self, dtype, shape, suffix, size=None):
        size = size or self.const_outside(0, self.int32, f"{suffix}/size")
        node = self.emit_outside("TensorArrayV3", [size], {
            "dtype": ("type", dtype), "element_shape": ("shape", shape),
            "dynamic_size": ("b", True), "clear_after_read": ("b", False),
            "identical_element_shapes": ("b", True),
            "tensor_array_name": ("s", b"")}, f"{suffix}/TensorArray",
            output_dtypes=[_dtypes.resource, _dtypes.float32])
        return (node, _dtypes.resource), (f"{node}:1", _dtypes.float32)

    def next_values(self, loop_cond):
        names, ex = self.names, self.exporter
        for i, t in enumerate(self.frame.body_outputs):
            value = self.body_value(t)
            self.emit_inside("NextIteration", [value], {}, name=names.next[i],
                             output_dtypes=[value[1]])
        one = self.emit_inside("Const", [], {"value": ("tensor", _int32_array(1)),
                                             "dtype": ("type", self.int32)},
                               name=ex.unique(f"{self.frame.name}/counter/one"),
                               output_dtypes=[self.int32], control=[names.counter_identity])
        step = self.emit_inside("AddV2", [(names.counter_identity, self.int32),
                                          (one, self.int32)], {},
                                name=ex.unique(f"{self.frame.name}/counter/add"))
        pushes = self.history_pushes()
        control = []
        if pushes:
            control = [self.emit_inside("ControlTrigger", [], {}, output_dtypes=[],
                                        name=ex.unique(f"{self.frame.name}/saved/sync"),
                                        control=pushes)]
        self.emit_inside("NextIteration", [(step, self.int32)], {}, name=names.counter_next,
                         output_dtypes=[self.int32], control=control)

    def history_pushes(self) -> list:
        """Push every value a gradient loop reads onto a stack made outside all loops.

        A value of the condition side is pushed as the body reads it, so that the pushes
        happen once per iteration that ran, as the gradient loop's pops do.
        """
        ex, frame, stacks, pushes = self.exporter, self.frame, [], []
        for k, t in enumerate(frame.saved if self.op.attrs["back_prop"] else []):
            dtype = t.dtype.base_dtype
            if dtype == _dtypes.variant:  # an inner loop's history: it keeps its own stacks
                stacks.append(None)
                continue
            size = ex.emit("Const", [], {"value": ("tensor", _int32_array(-1)),
                                         "dtype": ("type", self.int32)},
                           name=ex.unique(f"{frame.name}/saved_{k}/max_size"),
                           output_dtypes=[self.int32], context=False)
            handle = (ex.emit("StackV2", [(size, self.int32)],
                              {"elem_type": ("type", dtype),
                               "stack_name": ("s", f"{frame.name}/saved_{k}".encode())},
                              name=ex.unique(f"{frame.name}/saved_{k}/stack"),
                              output_dtypes=[_dtypes.resource], context=False),
                      _dtypes.resource)
            stacks.append(handle)
            inner = ex.route_value(handle, None, None, t.op)
            value = self.body_value(t)
            pushes.append(ex.emit("StackPushV2", [inner, value], {},
                                  name=ex.unique(f"{frame.name}/saved_{k}/push"),
                                  output_dtypes=[dtype], context=False))
        self.lowering.stacks[self.op] = stacks
        return pushes

    def body_value(self, t) -> tuple:
        """How the body's end reads `t` (a body value, a loop variable, or a capture)."""
        exported = self.exporter.tensor_name(t)
        if t.op.loop_frame is self.frame and t.op in self.names.cond_side:
            return self.lowering.to_body(exported, t.op, self.frame)
        if t.op.loop_frame is not self.frame:
            return self.lowering.into_frame(exported, t.op.loop_frame, None,
                                            self.frame.iteration.op)
        return exported

    def stacked_output(self, t, k, kind="stacked"):
        """Write `t` at each iteration into a TensorArray carried as a flow loop variable."""
        frame, ex, f32 = self.frame, self.exporter, _dtypes.float32
        handle, flow = self.tensor_array(t.dtype.base_dtype, t.shape, f"{kind}_{k}")
        merge = ex.unique(f"{frame.name}/{kind}_{k}/Merge")
        identity = ex.unique(f"{frame.name}/{kind}_{k}/Identity")
        next_name = ex.unique(f"{frame.name}/{kind}_{k}/NextIteration")
        self.loop_variable(flow, merge, next_name, f32)
        exit_name = self.switch_and_exit(merge, identity, f32)
        written = self.emit_inside("TensorArrayWriteV3", [
            self.lowering.enter(handle, frame), (self.names.iteration_body, self.int32),
            self.body_value(t), (identity, f32)], {},
            name=ex.unique(f"{frame.name}/{kind}_{k}/write"), output_dtypes=[f32])
        self.emit_inside("NextIteration", [(written, f32)], {}, name=next_name,
                         output_dtypes=[f32])
        size = (self.emit_outside("TensorArraySizeV3", [handle, (exit_name, f32)], {},
                                  f"{kind}_{k}/size"), self.int32)
        indices = (self.emit_outside("Range", [self.const_outside(0, self.int32, "start"), size,
                                               self.const_outside(1, self.int32, "delta")],
                                     {}, f"{kind}_{k}/indices"), self.int32)
        dtype = t.dtype.base_dtype
        return (self.emit_outside("TensorArrayGatherV3", [handle, indices, (exit_name, f32)],
                                  {"dtype": ("type", dtype), "element_shape": ("shape", t.shape)},
                                  f"{kind}_{k}/gather", output_dtypes=[dtype]), dtype)


def _forward_while(t):
    """The forward While op whose saved values `t` (a While's history output) holds."""
    while t.op.type == "LoopHistory":  # an inner loop's history, saved by an outer loop
        outer = _forward_while(t.op.inputs[0])
        t = outer.attrs["frame"].saved[t.op.attrs["index"]]
    return t.op


def _iterations(frame) -> int:
    op = frame.op
    return int(op.attrs.get("parallel_iterations", 10)) if op is not None else 10


def _short(name: str) -> str:
    return name.split(":")[0]


def _int32_array(value):
    return np.asarray(value, np.int32)
