"""Running a While op: its condition and body compiled into sub-plans, run per iteration.

Lives here: `LoopProgram`, built once per While op and session (and again when a gradient
built later asks the loop to save more values). Its condition and body are ordinary Plans
whose feeds are the loop variables, the captured outer values, the rows of the sliced
inputs and the iteration index; the outer plan sees the whole loop as one step.
"""

from __future__ import annotations

import numpy as np

from ..framework.errors import InvalidArgumentError, describe_node
from .plan import Plan

__all__ = ["LoopProgram"]


class LoopProgram:
    """The compiled condition and body of one While op."""

    def __init__(self, graph, op):
        frame = op.attrs["frame"]
        self.op = op
        self.n_vars, self.n_captures = len(frame.loop_vars), len(frame.captures)
        self.n_sliced, self.n_stacked = len(frame.sliced), len(frame.stacked)
        self.has_limit, self.reverse = op.attrs["has_limit"], op.attrs["reverse"]
        # A captured variable reference (an assign in the body) is not fed: the sub-plan
        # reaches the variable itself, so its writes go to the run's overlay.
        self.fed_captures = [i for i, t in enumerate(frame.captures)
                             if not t.dtype.is_ref_dtype]
        feeds = dict.fromkeys(frame.loop_vars + [frame.captures[i] for i in self.fed_captures]
                              + frame.sliced + [frame.iteration])
        self.saving = bool(frame.saved) and op.attrs["back_prop"]
        saved = list(frame.saved) if self.saving else []
        self.cond = None if frame.cond_output is None else \
            Plan(graph, [frame.cond_output], feeds)
        self.body = Plan(graph, frame.body_outputs + frame.stacked + saved, feeds,
                         missing_ok=True)
        self.stacked_specs = [(t.dtype.base_dtype.as_numpy_dtype, t.shape)
                              for t in frame.stacked]

    def _limit(self, inputs, sliced):
        limit = int(inputs[-1]) if self.has_limit else None
        for rows in sliced:
            n = len(rows)
            if limit is not None and n < limit and self.cond is None:
                raise InvalidArgumentError(None, self.op, f"A loop over {limit} iterations "
                                           f"reads an input with only {n} rows. Node "
                                           f"{describe_node(self.op)}.")
            limit = n if limit is None else min(limit, n)
        if limit is not None and limit < 0:
            limit = 0
        return limit

    def run(self, ctx, inputs) -> tuple:
        """Run the loop on the While op's input arrays; return its output arrays."""
        n, c = self.n_vars, self.n_captures
        values = list(inputs[:n])
        captures = [inputs[n + i] for i in self.fed_captures]
        sliced = inputs[n + c:n + c + self.n_sliced]
        limit = self._limit(inputs, sliced)
        stacks: list[list] = [[] for _ in range(self.n_stacked)]
        history = []
        cond, body, ns = self.cond, self.body, n + self.n_stacked
        t = 0
        while limit is None or t < limit:
            index = limit - 1 - t if self.reverse else t
            feed = values + captures + [rows[index] for rows in sliced] + [np.int32(index)]
            if cond is not None and not cond.run_in(ctx, feed)[0]:
                break
            out = body.run_in(ctx, feed)
            values = list(out[:n])
            for k in range(self.n_stacked):
                stacks[k].append(out[n + k])
            if self.saving:
                history.append(out[ns:])
            t += 1
        if self.reverse:
            history.reverse()
            for s in stacks:
                s.reverse()
        stacked = [np.stack(s) if s else _empty(dtype, shape)
                   for s, (dtype, shape) in zip(stacks, self.stacked_specs)]
        saved = np.empty((), object)  # a variant value: one Python object in a 0-d array
        saved[()] = history
        return (*values, *stacked, np.int32(t), saved)


def _empty(dtype, shape) -> np.ndarray:
    dims = [0 if d is None else d for d in (shape.dims or [])] if shape.ndims else []
    return np.zeros([0] + dims, dtype)
