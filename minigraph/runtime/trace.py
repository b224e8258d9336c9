"""RunTrace: the values of one recorded run of a Plan (`Plan.trace`, `Session.trace`).

A trace says, for every op the plan needed, what happened to it in that run: computed by a
step (in the plan's execution order), folded into a constant when the plan was compiled,
fed, read from a variable, or skipped (a NoOp, an op passing its input through, a step in
a tf.cond branch not taken). Explorers and teaching tools read it; normal runs never build
one.
"""

from __future__ import annotations

from ..framework.graph import Tensor

__all__ = ["RunTrace"]


class RunTrace:
    """What one run of a plan computed.

    Attributes:
      steps: the ops that ran, in the order the plan executed them.
      needed: every op the plan needed (the rest of the graph was pruned).
      values: {Tensor: value} for every tensor whose value the run knew.
      sources: {Tensor: "step" | "fed" | "folded" | "variable"}, how each value was known
        ("variable": the variable's value before the run, read where a consumer needed it).
      writes: {VariableV2 op: new value} written by the run (committed or not).
      results: the fetched values, in the plan's target order.
    """

    def __init__(self, plan, names, specs, recorded, feed_values, before, writes, results):
        """From `Plan.trace`: `names` maps tensors to their names in the plan's code, `specs`
        holds the folded values, `recorded` the values the steps produced, `before` the
        variables' values before the run."""
        self.steps = list(plan.step_ops)
        self.needed = list(plan.ops)
        self.writes = writes
        self.results = results
        self.values, self.sources = {}, {}
        for t, value in zip(plan.feed_order, feed_values):
            self._set(t, value, "fed")
        by_name = {names[t]: v for t, v in recorded.items() if t in names}
        for t, value in recorded.items():
            self._set(t, value, "step")
        for op in self.needed:
            for t in op.outputs:
                if t not in self.values:
                    self._fill(names.get(t), specs, t, by_name, before)

    def _set(self, t, value, source):
        self.values[t] = value
        self.sources[t] = source

    def _fill(self, name, specs, t: Tensor, by_name, before):
        """A value the steps did not record: a folded constant, a pass-through, a read."""
        spec = specs.get(t)
        if spec is not None and spec.value is not None:
            self._set(t, spec.value, "folded")
        elif name is not None and name in by_name:
            self._set(t, by_name[name], "step")  # an op that passed its input through
        else:
            var = _variable_behind(t)
            if var is not None and before.get(var) is not None:
                self._set(t, before[var], "variable")

    def value(self, tensor):
        """The value of `tensor` in this run, or None if the run did not compute it."""
        return self.values.get(tensor)

    def __repr__(self):
        return (f"<RunTrace: {len(self.steps)} steps, {len(self.needed)} ops needed, "
                f"{len(self.values)} values>")


def _variable_behind(t: Tensor):
    """The VariableV2 op whose value `t` is (the variable itself or its read Identity)."""
    op = t.op
    while op.type != "VariableV2" and op.op_def.forwards_alias and op.inputs:
        op = op.inputs[0].op
    return op if op.type == "VariableV2" else None
