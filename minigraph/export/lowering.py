"""Turn a minigraph Graph into the nodes of a GraphDef that TensorFlow 1.x imports and runs.

Lives here: `Exporter`, which walks the ops in creation order and emits one neutral node
description (`NodeSpec`) per TF node. Most ops map to one node of the same type; an OpDef
with a `lower(op, exporter)` static method (minigraph-only ops such as ReducedShape, and
Merge, whose TF form has no predicate input) emits the TF ops that compute the same thing.
tf.cond branches get TF1's dataflow form: a tensor entering a branch passes a `Switch` on the
branch predicate, and ops of a branch with no data input hang off the branch's pivot, so
the ops of the branch not taken are dead, as in TF. Attribute completion (dtype, count and
list attrs) comes from TF's own op registry (tf_registry.py).
Not here: protobuf building and text formatting (graph_def.py).
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from . import tf_registry
from .loop_lowering import LoopLowering

__all__ = ["RENAMED_ATTRS", "NodeSpec", "Exporter", "node_specs", "single_node_spec",
           "import_problems", "renamed_tensors"]

# minigraph attribute names that TF spells differently.
RENAMED_ATTRS = {"keepdims": "keep_dims"}


class NodeSpec:
    """One NodeDef to be: name, op type, input names, device, attrs as (kind, payload)."""

    __slots__ = ("name", "op", "inputs", "device", "attrs", "input_dtypes", "output_dtypes")

    def __init__(self, name, op, inputs, device, attrs, input_dtypes, output_dtypes):
        self.name, self.op, self.inputs, self.device = name, op, inputs, device
        self.attrs, self.input_dtypes, self.output_dtypes = attrs, input_dtypes, output_dtypes

    def __repr__(self):
        return f"<NodeSpec {self.name} = {self.op}({', '.join(self.inputs)})>"


class Exporter:
    """Emit the TF nodes of a graph's ops; `describe_value` turns Python attrs into pairs."""

    def __init__(self, graph, describe_value, add_shapes: bool = False):
        self.graph, self.describe_value, self.add_shapes = graph, describe_value, add_shapes
        self.nodes: list = []
        self._tensors: dict = {}     # minigraph Tensor -> (exported name, dtype)
        self._switched: dict = {}    # (name, pred name, branch) -> (switched name, dtype)
        self._pivots: dict = {}      # (pred name, branch) -> pivot node name
        self._taken = {op.name for op in graph.get_operations()}
        self.op = None               # the op being exported (lowering helpers read it)
        self.loops = LoopLowering(self)

    # -- the walk ------------------------------------------------------------------------
    def run(self) -> list:
        for op in self.graph.get_operations():
            self.export(op)
        self.order_reads_before_writes()
        return self.nodes

    def order_reads_before_writes(self) -> None:
        """Give each variable update a control input from the reads of that variable it
        could otherwise race with, as minigraph's plans order them (reads first).

        TF1 reads a reference variable without copying it, so an update that runs before a
        read the same step needs (a backward MatMul reading `w/read`, say) changes what that
        read sees. Only reads that feed some update count (what a training step runs), and
        only outside tf.cond branches and loops, where a control edge is always safe.
        """
        writers = [op for op in self.graph.get_operations()
                   if op.op_def.writes_ref and _top_level(op)]
        if not writers:
            return
        feeding = _ancestors(writers)
        nodes = {node.name: node for node in self.nodes}
        for writer in writers:
            node = nodes.get(writer.name)
            if node is None:
                continue
            for i in [i for i in range(len(writer.inputs)) if i in writer.op_def.ref_inputs]:
                for reader in _value_readers(writer.inputs[i]):
                    edge = "^" + reader.name
                    if (reader in feeding and reader._id < writer._id and _top_level(reader)
                            and reader.name in nodes and edge not in node.inputs):
                        node.inputs.append(edge)

    def export(self, op) -> None:
        if _in_unfinished_loop(op):
            return  # left behind by a tf.while_loop whose building failed: not a loop
        self.op = op
        lower = getattr(op.op_def, "lower", None)
        if lower is not None:
            outputs = lower(op, self)
        else:
            inputs = [self.input(i) for i in range(len(op.inputs))]
            attrs = {}
            for key, value in op.attrs.items():
                described = self.describe_value(value)
                if described is not None:
                    attrs[RENAMED_ATTRS.get(key, key)] = described
            name = self.emit(op.type, inputs, attrs, name=op.name,
                             output_dtypes=[t.dtype for t in op.outputs],
                             control=[c.name for c in op.control_inputs], device=op.device)
            outputs = [(_tensor_name(name, i), t.dtype) for i, t in enumerate(op.outputs)]
        for t, exported in zip(op.outputs, outputs):
            self._tensors[t] = exported
        if self.add_shapes and op.outputs:
            node = self._node_named(op.name)
            if node is not None:
                node.attrs["_output_shapes"] = ("list", ("shape", [t.shape for t in op.outputs]))

    # -- what lowering rules call --------------------------------------------------------
    def input(self, index: int, live_when=None) -> tuple:
        """(name, dtype) of the op's input `index`, routed into the op's cond branch.

        `live_when=(pred, branch)` also makes it dead unless `pred == branch` (a Merge input).
        """
        t = self.op.inputs[index]
        exported = self.route(t, self.op)
        if live_when is not None:
            pred, branch = live_when
            if not _inside(t.op.cond_context, pred, branch):
                exported = self.switch(exported, self._tensors[pred][0], branch)
        return exported

    def tensor_name(self, t) -> tuple:
        """(name, dtype) of `t` where it is made."""
        return self._tensors[t]

    def route(self, t, op) -> tuple:
        """(name, dtype) of `t` as `op` reads it: into `op`'s loop frames and cond branches."""
        return self.route_value(self._tensors[t], t.op.loop_frame, t.op.cond_context, op,
                                source_op=t.op)

    def route_value(self, exported, source_frame, source_context, op, source_op=None):
        """Route a value made in (source_frame, source_context) to where `op` reads it.

        Cond branches opened outside `op`'s loop frame are entered (Switch) before the frame
        (Enter), branches opened inside it after, so each Switch sits beside its predicate.
        """
        frame = op.loop_frame
        guards = op.cond_context.guards() if op.cond_context is not None else []
        inner = [g for g in guards if frame is not None and _frame_of(g[0]) is not None
                 and _frame_of(g[0]).within(frame)]
        outer = [g for g in guards if g not in inner]
        exported = self._switch_into(exported, source_context, outer)
        if frame is not None:
            exported = self.loops.into_frame(exported, source_frame, source_op, op)
        return self._switch_into(exported, source_context, inner)

    def _switch_into(self, exported, source_context, guards) -> tuple:
        for pred, branch in guards:
            if not _inside(source_context, pred, branch):
                exported = self.switch(exported, self._tensors[pred][0], branch)
        return exported

    def routed(self, t, context) -> tuple:
        """(name, dtype) of `t` as seen from inside `context` (Switches for each branch entered)."""
        exported = self._tensors[t]
        if context is None:
            return exported
        for pred, branch in context.guards():
            if not _inside(t.op.cond_context, pred, branch):
                exported = self.switch(exported, self._tensors[pred][0], branch)
        return exported

    def switch(self, exported: tuple, pred_name: str, branch: bool) -> tuple:
        """Pass a tensor through Switch(pred): its value is alive only when pred == branch."""
        key = (exported[0], pred_name, branch)
        if key not in self._switched:
            name, dtype = exported
            op_type = "RefSwitch" if dtype.is_ref_dtype else "Switch"
            base = self.unique(f"{_node_name(name)}/switch_{'t' if branch else 'f'}")
            node = self.emit(op_type, [exported, (pred_name, _dtypes.bool)], {}, name=base,
                             output_dtypes=[dtype, dtype], context=False)
            self._switched[key] = (_tensor_name(node, int(branch)), dtype)
        return self._switched[key]

    def emit(self, op_type: str, inputs: list, attrs: dict, name: str | None = None,
             output_dtypes=None, control=(), device="", context=True) -> str:
        """Add one TF node; return its name. `inputs` are (name, dtype) pairs."""
        name = name or self.unique(f"{self.op.name}/{op_type}")
        control = list(control)
        if context and self.op is not None and not inputs:
            pivot = self._pivot_for(self.op)
            if pivot is not None and pivot not in control:
                control.append(pivot)
        input_dtypes = [d for _, d in inputs]
        if output_dtypes is None:
            output_dtypes = tf_registry.output_dtypes(
                op_type, tf_registry.complete_attrs(op_type, attrs, input_dtypes, []))
        attrs = tf_registry.complete_attrs(op_type, attrs, input_dtypes, list(output_dtypes))
        names = [n for n, _ in inputs] + ["^" + c for c in control]
        self.nodes.append(NodeSpec(name, op_type, names, device or "", attrs, input_dtypes,
                                   list(output_dtypes)))
        return name

    def const(self, value, dtype, suffix: str) -> tuple:
        """Emit a Const node for `value` (numpy-convertible) as `dtype`."""
        array = np.asarray(value, dtype=dtype.as_numpy_dtype if dtype != _dtypes.string
                           else object)
        name = self.emit("Const", [], {"value": ("tensor", array), "dtype": ("type", dtype)},
                         name=self.unique(f"{self.op.name}/{suffix}"), output_dtypes=[dtype])
        return (name, dtype)

    def _pivot_for(self, op):
        """The control input that keeps an input-less op in its cond branch or loop frame."""
        branch, frame = op.cond_context, op.loop_frame
        if frame is None:
            return None if branch is None else self.pivot(branch)
        if branch is not None and _frame_of(branch.pred) is frame:
            return self.pivot(branch)
        return self.loops.pivot(op)

    def pivot(self, branch) -> str:
        """The node whose control edge keeps input-less ops of `branch` dead when not taken."""
        pred_name = self._tensors[branch.pred][0]
        key = (pred_name, branch.branch)
        if key not in self._pivots:
            outer = self.routed(branch.pred, branch.outer)
            switched = self.switch(outer, outer[0], branch.branch)
            base = self.unique(f"{_node_name(pred_name)}/pivot_{'t' if branch.branch else 'f'}")
            self._pivots[key] = self.emit("Identity", [switched], {}, name=base,
                                          output_dtypes=[_dtypes.bool], context=False)
        return self._pivots[key]

    def unique(self, name: str) -> str:
        """`name`, or `name_1`, `name_2`, ...: a node name no op or emitted node has."""
        candidate, k = name, 0
        while candidate in self._taken:
            k += 1
            candidate = f"{name}_{k}"
        self._taken.add(candidate)
        return candidate

    def _node_named(self, name):
        for node in reversed(self.nodes):
            if node.name == name:
                return node
        return None


def _in_unfinished_loop(op) -> bool:
    frame = op.loop_frame
    while frame is not None:
        if frame.op is None:
            return True
        frame = frame.outer
    return False


def _frame_of(t):
    return t.op.loop_frame


def _inside(context, pred, branch) -> bool:
    """True if `context` is the cond branch (pred, branch) or nested inside it."""
    while context is not None:
        if context.pred is pred and context.branch == branch:
            return True
        context = context.outer
    return False


def _tensor_name(node: str, index: int) -> str:
    return node if index == 0 else f"{node}:{index}"


def _node_name(tensor_name: str) -> str:
    return tensor_name.split(":")[0]


def single_node_spec(op, describe_value) -> NodeSpec:
    """The TF node of one op on its own (for `str(op)`): its attrs completed, no lowering."""
    exporter = Exporter(op.graph, describe_value)
    exporter.op = op
    for t in op.inputs:
        exporter._tensors[t] = (_tensor_name(t.op.name, t.value_index), t.dtype)
    inputs = [exporter._tensors[t] for t in op.inputs]
    attrs = {RENAMED_ATTRS.get(k, k): d for k, d in
             ((k, describe_value(v)) for k, v in op.attrs.items()) if d is not None}
    exporter.emit(op.type, inputs, attrs, name=op.name, output_dtypes=[t.dtype for t in op.outputs],
                  control=[c.name for c in op.control_inputs], device=op.device, context=False)
    return exporter.nodes[-1]


def node_specs(graph, describe_value, add_shapes: bool = False) -> list:
    """The TF nodes of `graph`, in creation order, lowered and with TF's attrs."""
    return Exporter(graph, describe_value, add_shapes).run()


def renamed_tensors(graph, describe_value) -> dict:
    """{tensor name in `graph`: its name in the exported GraphDef} where the two differ.

    Lowered ops keep their names for output 0; other outputs of a lowered op live on their
    own TF nodes (a While op's output k is the Exit node `while/Exit_k:0`, as in TF).
    """
    exporter = Exporter(graph, describe_value)
    exporter.run()
    renamed = {}
    for t, (name, _) in exporter._tensors.items():
        exported = name if ":" in name else f"{name}:0"
        if exported != t.name and t.dtype.base_dtype.name != "variant":
            renamed[t.name] = exported
    return renamed


def import_problems(specs: list) -> list:
    """Every reason TF's importer would reject these nodes: one sentence each ([] if none)."""
    problems, outputs = [], {}
    for spec in specs:
        outputs[spec.name] = len(spec.output_dtypes)
    for spec in specs:
        where = f"node '{spec.name}' ({spec.op})"
        for name in spec.inputs:
            node, _, index = name.lstrip("^").partition(":")
            if node not in outputs:
                problems.append(f"{where}: input '{name}' names no node")
            elif index and int(index) >= outputs[node]:
                problems.append(f"{where}: input '{name}' is past the node's outputs")
        data_inputs = [n for n in spec.inputs if not n.startswith("^")]
        if len(data_inputs) != len(spec.input_dtypes):
            problems.append(f"{where}: input names and dtypes disagree")
        problems += [f"{where}: {p}" for p in
                     tf_registry.check_node(spec.op, spec.attrs, spec.input_dtypes)]
    return problems


def _top_level(op) -> bool:
    return op.cond_context is None and getattr(op, "loop_frame", None) is None


def _ancestors(ops) -> set:
    """Every op that `ops` depend on (data or control), `ops` excluded."""
    seen, stack = set(), [x for op in ops for x in
                          [t.op for t in op.inputs] + list(op.control_inputs)]
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)
    return seen


def _value_readers(ref) -> list:
    """Ops that read the value of the variable behind `ref` (through Identity reads)."""
    readers, stack = [], [ref]
    while stack:
        t = stack.pop()
        for consumer in t.consumers():
            uses = [i for i, x in enumerate(consumer.inputs) if x is t]
            if all(i in consumer.op_def.ref_inputs for i in uses):
                continue  # another update (or initializer) of the variable
            if consumer.op_def.forwards_alias:
                stack.extend(consumer.outputs)
            else:
                readers.append(consumer)
    return readers
