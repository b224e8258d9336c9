"""Control flow: ordering (`no_op`, `group`, `tuple`) and conditionals (`tf.cond`, `Merge`).

Lives here: the NoOp anchor for control dependencies and its groupings, and `cond` (TF1
semantics: both branch functions are called once while building, and at run time only the
ops created inside the taken branch execute) with the Merge op that picks the taken
branch's value. How a plan runs only one branch is in runtime/passes.py (guarded steps);
how gradients leave a branch is in gradients.py.
"""

from __future__ import annotations

from ..framework import dtypes as _dtypes
from ..framework.graph import get_default_graph, graph_of, name_scope
from ..framework.tensor import CondBranch, Operation, Spec, Tensor
from ..framework.nest import flatten, pack_sequence_as, same_structure
from ..framework.registry import OpDef, register_op
from .array_ops import identity
from .constant_op import convert_to_tensor
from .shape_ops import reshape

# tuple_ shadows a builtin: minigraph/__init__.py exports it as tf.tuple.
__all__ = ["no_op", "group", "cond"]


@register_op("NoOp")
class NoOp(OpDef):
    """Does nothing; an anchor for control dependencies."""

    @staticmethod
    def infer():
        return []

    @staticmethod
    def compute():
        return None

    gradient = staticmethod(lambda op: [])


def no_op(name=None) -> Operation:
    """An op that does nothing.  Example: `with tf.control_dependencies([a, b]): tf.no_op()`."""
    return NoOp.apply([], name=name)



def group(*inputs, **kwargs) -> Operation:
    """An op that runs all of `inputs` (each once per run).  Example: `tf.group(a, b)`."""
    name = kwargs.pop("name", None)
    if kwargs:
        raise ValueError(f"Unknown keyword arguments: {list(kwargs)}. tf.group only takes name=.")
    deps = []
    for x in flatten(list(inputs)):
        if hasattr(x, "_as_graph_element"):
            x = x._as_graph_element()
        if isinstance(x, Tensor):
            x = x.op
        if not isinstance(x, Operation):
            raise TypeError(f"tf.group expects Tensors or Operations, got {x!r}.")
        if x not in deps:
            deps.append(x)
    graph = graph_of(deps) if deps else get_default_graph()
    with graph.as_default(), graph.control_dependencies(deps):
        return NoOp.apply([], name=name or "group_deps")


def tuple_(tensors, name=None, control_inputs=None) -> list:
    """Gate `tensors`: each output is an identity that runs only after *all* inputs exist.

    Example: `a2, b2 = tf.tuple([a, b])`; fetching `a2` also computes `b`.
    """
    items = list(tensors)
    values = [x for x in items if x is not None]
    with name_scope(name, "tuple", values):
        gating = list(values)
        for c in control_inputs or []:
            if isinstance(c, Tensor):
                c = c.op
            if not isinstance(c, Operation):
                raise TypeError(f"tf.tuple control_inputs must be Operations or Tensors, got "
                                f"{c!r}.")
            gating.append(c)
        gate = group(*gating)
        out = []
        for x in items:
            if x is None:
                out.append(None)
                continue
            with name_scope(None, "control_dependency") as dep_scope, \
                    get_default_graph().control_dependencies([gate]):
                if isinstance(x, Operation):
                    out.append(group(x, name=dep_scope))
                else:
                    out.append(identity(x, name=dep_scope))
    return out


@register_op("Merge")
class Merge(OpDef):
    """The value of the branch a tf.cond took: `true_value` if `pred` else `false_value`.

    The plan emits it as the expression `t if p else f`, so it only reads the value of the
    branch that ran. TF1 note: TF's Merge takes its inputs in any order, forwards whichever
    is alive and has a second output (the index); this one has the predicate as an input.
    """

    inputs = ("true_value", "false_value", "pred")
    input_types = ("T", "T", "bool")
    selects_branch = True

    @staticmethod
    def infer(true_value, false_value, pred):
        if true_value.dtype != false_value.dtype:
            raise TypeError(f"Merge inputs must have one dtype, got {true_value.dtype.name} "
                            f"and {false_value.dtype.name}. Fix: tf.cast one branch's output.")
        if pred.dtype != _dtypes.bool or pred.shape.ndims not in (0, None):
            raise TypeError(f"The predicate of Merge must be a scalar bool, got "
                            f"{pred.dtype.name} of shape {pred.shape}.")
        shape = true_value.shape.most_specific_compatible_shape(false_value.shape)
        return Spec(true_value.dtype, shape)

    @staticmethod
    def compute(true_value, false_value, pred):
        return true_value if pred else false_value

    @staticmethod
    def gradient(op, grad):
        # Each value input lives inside its branch (cond wraps outside tensors in an
        # Identity there), so `grad` is only read by gradient ops of the branch that ran.
        return [grad, grad, None]

    @staticmethod
    def lower(op, exporter):
        # TF's Merge forwards whichever input is alive: make each input dead unless its
        # branch was taken (a Switch on the predicate where it is not already inside).
        pred = op.inputs[2]
        true_value = exporter.input(0, live_when=(pred, True))
        false_value = exporter.input(1, live_when=(pred, False))
        dtype = op.outputs[0].dtype
        return [(exporter.emit("Merge", [false_value, true_value], {}, name=op.name,
                               output_dtypes=[dtype, _dtypes.int32],
                               control=[c.name for c in op.control_inputs]), dtype)]


def _check_fn(fn, label):
    if fn is None:
        raise TypeError(f"cond(): '{label}' argument required. Example: "
                        "tf.cond(pred, lambda: a, lambda: b).")
    if not callable(fn):
        raise TypeError(f"'{label}' must be callable. Fix: pass a function, e.g. "
                        f"lambda: value, not the value itself (got {type(fn).__name__}).")


def _predicate(pred) -> Tensor:
    """`pred` as a scalar bool tensor named pred_id, with TF1's build-time errors."""
    if isinstance(pred, bool):
        raise TypeError("'pred' must not be a Python bool. Fix: pass a bool tensor (e.g. "
                        "tf.constant(True) or a tf.placeholder(tf.bool)), or branch in Python.")
    pred = convert_to_tensor(pred)
    if pred.dtype.base_dtype != _dtypes.bool:
        raise TypeError(f"Input 'pred' of 'Switch' Op has type {pred.dtype.base_dtype.name} "
                        f"that does not match expected type of bool ({pred.name}). Fix: "
                        "compare it, e.g. tf.greater(x, 0.0), or tf.cast it to tf.bool.")
    rank = pred.shape.ndims
    if rank is not None and rank != 0:
        raise ValueError(f"Shape must be rank 0 but is rank {rank} for the predicate "
                         f"{pred.name} of tf.cond (shape {pred.shape}). Fix: reduce it to one "
                         "value, e.g. tf.reduce_all(pred).")
    if rank is None:  # a non-scalar value fed at run time fails in this Reshape
        return reshape(pred, [], name="pred_id")
    return identity(pred, name="pred_id")


def _branch_output(value, branch: CondBranch, graph) -> Tensor:
    """One leaf of a branch's result as a tensor created inside `branch`.

    A tensor made outside the branch function gets an Identity inside it, so the Merge only
    ever reads values that belong to their branch (and its gradient only flows there).
    """
    if isinstance(value, Operation):
        # TF1 returns the predicate, gated on the op: the op runs when its branch does.
        with graph.control_dependencies([value]):
            return identity(branch.pred)
    t = convert_to_tensor(value)
    if t.op.cond_context is not branch or t.dtype.is_ref_dtype:
        t = identity(t)
    return t


def _describe_structure(structure) -> str:
    return repr(pack_sequence_as(structure, ["x"] * len(flatten(structure))))


def _check_same_outputs(true_out, false_out, flat_true, flat_false):
    problem = same_structure(true_out, false_out)
    if problem is not None:
        raise ValueError(
            "The two structures don't have the same nested structure.\n\nFirst structure: "
            f"{_describe_structure(true_out)}\n\nSecond structure: "
            f"{_describe_structure(false_out)}\n\nMore specifically: {problem}. Fix: return "
            "the same nesting of values from 'true_fn' and 'false_fn'.")
    true_types = [t.dtype.name for t in flat_true]
    false_types = [t.dtype.name for t in flat_false]
    if true_types != false_types:
        raise ValueError(
            "Outputs of 'true_fn' and 'false_fn' must have the same type(s). true_fn returned "
            f"{', '.join(true_types)}; false_fn returned {', '.join(false_types)}. Fix: "
            "tf.cast the outputs of one branch.")


def cond(pred, true_fn=None, false_fn=None, strict=False, name=None):
    """Return `true_fn()` if `pred` is true at run time, else `false_fn()`.

    Both functions are called once, now, to build their ops; a run executes only the ops
    created inside the function of the branch taken (so an `assign_add` made in the other
    branch does not happen). Ops created outside and merely returned always run. The
    branches must return the same nesting of tensors (or Python values) with equal dtypes;
    a single-element list or tuple is unpacked unless `strict=True`.

    Raises:
      TypeError: `pred` is a Python bool or not a bool tensor; a function is missing or
        not callable.
      ValueError: `pred` has a known non-scalar shape; a function returns None; the two
        results differ in structure or dtypes.

    Example: `tf.cond(x > 0.0, lambda: x * 2.0, lambda: -x)` -> a Tensor named cond/Merge:0.
    """
    _check_fn(true_fn, "true_fn")
    _check_fn(false_fn, "false_fn")
    graph = graph_of([pred])
    with graph.as_default(), name_scope(name, "cond", [pred]):
        pred = _predicate(pred)
        outer = graph.current_cond_branch
        results = []
        for taken, fn, label in ((True, true_fn, "true_fn"), (False, false_fn, "false_fn")):
            branch = CondBranch(pred, taken, outer)
            with graph.cond_branch(branch):
                out = fn()
                if out is None:
                    raise ValueError(f"'{label}' must have a return value. Fix: return the "
                                     "branch's value (a tensor, or a list of tensors).")
                flat = [_branch_output(v, branch, graph) for v in flatten(out)]
            results.append((out, flat))
        (true_out, flat_true), (false_out, flat_false) = results
        _check_same_outputs(true_out, false_out, flat_true, flat_false)
        merged = [Merge.apply([t, f, pred], name="Merge") for t, f in zip(flat_true, flat_false)]
    result = pack_sequence_as(true_out, merged)
    if not strict and isinstance(result, (list, tuple)) and len(result) == 1:
        return result[0]
    return result
