"""Roles of ops for pictures and the explorer: which part of a training step each op is.

Lives here: `op_roles` (forward / gradient / update / schedule / init / summary, read from
names and op types, with a finer highlight group: clip, warmup, optimizer, global_step),
`ROLES`, `COLORS` (the fill colour of each highlight group, shared by the DOT pictures, the
matplotlib preview and the HTML explorer) and `LEGEND` (their names in legends).
"""

from __future__ import annotations

import collections
import re

from ..framework.graph import Graph, GraphKeys, get_default_graph
from ..framework.tensor import Operation

__all__ = ["op_roles", "ROLES", "COLORS", "LEGEND", "KINDS"]

ROLES = ("forward", "gradient", "update", "schedule", "init", "summary")

# Fill colours of `to_dot`, by highlight group (a role, refined by well-known scope names).
COLORS = {
    "forward": "#e7f0fd", "gradient": "#fde2e1", "clip": "#ffc9a0", "schedule": "#d3f5d9",
    "warmup": "#fff2a8", "optimizer": "#e2d9ff", "update": "#b9a6f2", "global_step": "#bdeff5",
    "init": "#e6e8eb", "summary": "#fbd0e4",
}

KINDS = {"VariableV2": "variable", "Variable": "variable", "VarHandleOp": "variable",
          "Placeholder": "placeholder", "PlaceholderWithDefault": "placeholder",
          "Const": "constant"}
_SUMMARY_TYPES = {"ScalarSummary", "HistogramSummary", "MergeSummary", "ImageSummary",
                  "AudioSummary", "TensorSummary", "TensorSummaryV2"}
_UPDATE_TYPE = re.compile(r"^(Resource)?(Apply|SparseApply|Assign|Scatter)")
_GRADIENT_SCOPE = re.compile(r"^gradients(_\d+)?$")
# Default scope names of the schedules (TF's name_scope defaults) and of the optimizers.
_SCHEDULE_SCOPE = re.compile(
    r"^(ExponentialDecay|PiecewiseConstant|PolynomialDecay|NaturalExpDecay|InverseTimeDecay|"
    r"CosineDecay|CosineDecayRestarts|SGDRDecay|LinearCosineDecay|NoisyLinearCosineDecay|"
    r"piecewise_constant|exponential_decay|polynomial_decay|cosine_decay\w*)(_\d+)?$")
_WARMUP = re.compile(r"warm_?up", re.IGNORECASE)
_OPTIMIZER_SCOPE = re.compile(
    r"^(GradientDescent|Momentum|Adam|AdamW|AdamWeightDecay\w*|Adagrad|AdagradDA|Adadelta|"
    r"RMSProp|Ftrl|ProximalGradientDescent|ProximalAdagrad|LAMB|Lamb|beta[12]_power)(_\d+)?$")
_CLIP_SCOPE = re.compile(r"^(clip_by_global_norm|clip_by_norm|clip_by_value|"
                         r"clip_by_average_norm|global_norm)(_\d+)?$")


# Highlight groups in the order legends list them, with the words they use.
LEGEND = (("forward", "forward pass"), ("schedule", "learning-rate schedule"),
          ("warmup", "warmup"), ("gradient", "gradients"), ("clip", "gradient clipping"),
          ("optimizer", "optimizer slots and updates"), ("update", "other updates"),
          ("global_step", "global step"), ("init", "initializers"), ("summary", "summaries"))


# ---------------------------------------------------------------------------------------
def op_roles(graph: Graph | None = None) -> dict:
    """Return {Operation: (role, highlight)} for every op of `graph`.

    Roles, first match wins: summary (summary ops and the constants only they use), init
    (variable initializers, the init NoOp, and inputs only initializers use), gradient
    (under a `gradients*/` scope), update (Apply*/Assign*/Scatter* ops and anything under an
    optimizer scope such as `Adam/`, including the `global_step` increment), schedule (under
    a learning-rate schedule scope such as `ExponentialDecay/`, or named *warmup*),
    gradient again for clip scopes that consume gradients, else forward.
    """
    graph = get_default_graph() if graph is None else graph
    ops = graph.get_operations()
    init = _init_ops(graph, ops)
    global_step = _global_step_ops(graph)
    roles = {}
    for op in ops:  # creation order is a topological order: inputs are classified first
        parts = op.name.split("/")
        if op.type in _SUMMARY_TYPES or (op.type == "Const" and _only_feeds_summaries(op)):
            role = "summary"
        elif op in init:
            role = "init"
        elif _GRADIENT_SCOPE.match(parts[0]):
            role = "gradient"
        elif _UPDATE_TYPE.match(op.type) or any(_OPTIMIZER_SCOPE.match(p) for p in parts):
            role = "update"
        elif any(_SCHEDULE_SCOPE.match(p) for p in parts) or _WARMUP.search(op.name):
            role = "schedule"
        elif any(_CLIP_SCOPE.match(p) for p in parts) and any(
                roles[t.op][0] == "gradient" for t in op.inputs):
            role = "gradient"
        else:
            role = "forward"
        roles[op] = (role, _highlight(op, role, parts, global_step))
    # A clip scope that processes gradients is gradient work as a whole (its constants too).
    clipping = {_clip_prefix(op) for op, (role, _) in roles.items() if role == "gradient"}
    for op, (role, highlight) in roles.items():
        if role == "forward" and _clip_prefix(op) in clipping - {None}:
            roles[op] = ("gradient", highlight)
    return roles


def _clip_prefix(op) -> str | None:
    """The name up to and including its first clip scope ("clip_by_global_norm_1"), or None."""
    parts = op.name.split("/")
    for i, part in enumerate(parts):
        if _CLIP_SCOPE.match(part):
            return "/".join(parts[:i + 1])
    return None


def _highlight(op, role, parts, global_step) -> str:
    if role in ("init", "summary"):
        return role
    if op in global_step:
        return "global_step"
    if any(_CLIP_SCOPE.match(p) for p in parts):
        return "clip"
    if role == "schedule":
        return "warmup" if _WARMUP.search(op.name) else "schedule"
    if role == "update":
        return "optimizer" if any(_OPTIMIZER_SCOPE.match(p) for p in parts) else "update"
    return role


def _only_feeds_summaries(op) -> bool:
    consumers = [c for t in op.outputs for c in t.consumers()]
    return bool(consumers) and all(c.type in _SUMMARY_TYPES for c in consumers)


def _init_ops(graph: Graph, ops) -> set:
    """Initializers, init NoOps over them, and the ops whose every consumer is one of those."""
    init = set()
    for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.LOCAL_VARIABLES):
        for var in graph.get_collection(key):
            op = getattr(var, "initializer", None)
            if isinstance(op, Operation):
                init.add(op)
    for key in (GraphKeys.INIT_OP, GraphKeys.LOCAL_INIT_OP):
        init.update(x for x in graph.get_collection(key) if isinstance(x, Operation))
    for op in ops:
        if op.type == "NoOp" and op.control_inputs and all(c in init
                                                           for c in op.control_inputs):
            init.add(op)
    consumers = collections.defaultdict(list)
    for op in ops:
        for t in op.inputs:
            consumers[t.op].append(op)
        for c in op.control_inputs:
            consumers[c].append(op)
    for op in reversed(ops):  # consumers come after producers, so they are decided first
        users = consumers[op]
        if op not in init and users and KINDS.get(op.type) != "variable" and all(
                u in init for u in users):
            init.add(op)
    return init


def _global_step_ops(graph: Graph) -> set:
    """The global-step variable, the ops under its name and the assignments to it."""
    variables = [v.op for v in graph.get_collection(GraphKeys.GLOBAL_STEP)
                 if hasattr(v, "op")]
    variables += [op for op in graph.get_operations()
                  if op.type == "VariableV2" and op.name.split("/")[-1] == "global_step"]
    result = set(variables)
    prefixes = tuple(v.name + "/" for v in variables)
    for op in graph.get_operations():
        if prefixes and op.name.startswith(prefixes):
            result.add(op)
        elif _UPDATE_TYPE.match(op.type) and op.inputs and op.inputs[0].op in result:
            result.add(op)
    return result
