"""RunTrace: the values of one recorded run of a Plan (`Plan.trace`, `Session.trace`).

A trace says, for every op the plan needed, what happened to it in that run: computed by a
step (in the plan's execution order), folded into a constant when the plan was compiled,
fed, read from a variable, or skipped (a NoOp, an op passing its input through, a step in
a tf.cond branch not taken). Explorers and teaching tools read it; normal runs never build
one.
"""

from __future__ import annotations

from . import passes
from ..framework.tensor import Tensor

__all__ = ["RunTrace"]


class RunTrace:
    """What one run of a plan computed.

    Attributes:
      steps: the plan's steps, in the order it executes them (a step inside a tf.cond
        branch that this run did not take has no values).
      needed: every op the plan needed (the rest of the graph was pruned).
      values: {Tensor: value} for every tensor whose value the run knew.
      sources: {Tensor: "step" | "fed" | "folded" | "variable"}, how each value was known
        ("variable": the variable's value before the run, read where a consumer needed it;
        an op that passes its input through has no step and takes the input's source).
      writes: {VariableV2 op: new value} written by the run (committed or not).
      results: the fetched values, in the plan's target order.
    """

    def __init__(self, plan, known, recorded, feed_values, before, writes, results):
        """From `Plan.trace`: `known` holds the plan's folded values (`specs`), variable
        aliases (`alias`) and cond guards (`guards`); `recorded` the values the steps
        produced, `before` the variables' values before the run."""
        self.steps = list(plan.step_ops)
        self.needed = list(plan.ops)
        self.writes = writes
        self.results = results
        self.values: dict = {}  # tensor -> its value in the run
        self.sources: dict = {}  # tensor -> where the value came from ("fed", "step", ...)
        for t, value in zip(plan.feed_order, feed_values):
            self._set(t, value, "fed")
        for t, value in recorded.items():
            self._set(t, value, "step")
        ran = set(self.steps)
        for op in self.needed:  # creation order: an op's inputs are known before it
            if op in ran:
                if op.op_def.selects_branch:
                    self._merge(op, known["guards"].get(op, ()))
                continue  # a step the run did not reach (an untaken branch) has no value
            for t in op.outputs:
                if t not in self.values:
                    self._fill(t, known, before)

    def _set(self, t, value, source):
        self.values[t] = value
        self.sources[t] = source

    def _merge(self, op, guard):
        """A Merge (the output of a tf.cond) ran if its guard held: the taken branch's value."""
        preds = [self.values.get(p) for p, _ in guard]
        if any(v is None for v in preds) or any(
                bool(v) != taken for v, (_, taken) in zip(preds, guard)):
            return
        value, other, pred = (self.values.get(t) for t in op.inputs)
        chosen = value if pred else other
        if pred is not None and chosen is not None:
            self._set(op.outputs[0], chosen, "step")

    def _fill(self, t: Tensor, known, before):
        """A value no step computed: a folded constant, a variable's value, or the value an
        op passes through (its input's, and the input's source: no step of its own)."""
        spec = known["specs"].get(t)
        var = known["alias"].get(t)
        if spec is not None and spec.value is not None:
            self._set(t, spec.value, "folded")
        elif var is not None:
            if before.get(var) is not None:
                self._set(t, before[var], "variable")
        else:
            op = t.op
            index = passes.forwarded_input(op, known["specs"], op.inputs, lambda _: True)
            source = None if index is None else op.inputs[index]
            if source is not None and source in self.values:
                self._set(t, self.values[source], self.sources[source])

    def value(self, tensor):
        """The value of `tensor` in this run, or None if the run did not compute it."""
        return self.values.get(tensor)

    def __repr__(self):
        return (f"<RunTrace: {len(self.steps)} steps, {len(self.needed)} ops needed, "
                f"{len(self.values)} values>")

