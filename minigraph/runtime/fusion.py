"""Elementwise fusion: chains of elementwise steps of a plan become one loop.

numpy runs `m + (g - m) * (1 - beta1)` as three passes over memory, each writing a full
temporary. A fused kernel runs the whole chain element by element in one compiled loop,
with the temporaries in registers. This module finds such chains in a plan's steps
(`find_groups`) and makes the fused copy of the plan's program (`fuse`); fused_loops.py
writes each chain's loop as Python source and compiles it with numba, an optional extra
(`pip install minigraph[fast]`). Without numba nothing is fused and plans run exactly as
before.

What may join a group (`formula`): an op whose block sets `elementwise`, the formula of
one element written in the order its numpy kernel computes, so the loop gives the same bits
(fused and unfused runs are tested identical). Only arithmetic, comparisons, selection,
sqrt, floor and ceil are written so: numba's exp, log and tanh differ from numpy's in the
last bit, so those ops stay numpy kernels and end a group. An update op (ApplyAdam, ...)
may be the last member of a group: the gradient's scaling joins its update.

A group (`Group`) is a root step and the producers it absorbs: steps computing values of
the root's shape whose every reader is in the group or runs after it, under the same cond
guard. Its inputs are of the loop's shape, scalars, or shaped like the loop's trailing
dimensions (a bias). The group runs at the root's position, as one line
`a, b = fused_3(x, y)` of the plan's source; `plan.fused_source` shows the loop of each
fused kernel in its header. Its inputs have the shapes the plan was specialised to (and
checked on its first run), except variable values, whose sizes each kernel checks: for
another size, or when its loop cannot be compiled (with a warning), it runs its members'
own kernels instead, with the same results and errors as an unfused run.

The loops are compiled when a plan has run often (plan.py, `FUSE_AFTER_RUNS`), once per
distinct loop source, and cached on disk (`cache_dir()`), so a later process loads them.
"""

from __future__ import annotations

import bisect
import os

import numpy as np

from . import codegen
from .fused_loops import (FusedKernel, arg_tensors, available, cache_dir, compile_group,
                          formula, input_kind, numba_module)

__all__ = ["available", "enabled", "fuse", "find_groups", "formula", "cache_dir",
           "FusedKernel", "FUSE_AFTER_RUNS"]

# A plan is fused when it has run this many times after it compiled (plan.py): training
# loops get fused loops, one-off and test runs never pay the compile (0.1-0.5 s a loop).
FUSE_AFTER_RUNS = int(os.environ.get("MINIGRAPH_FUSE_AFTER", "20"))

_DTYPES = {"float32", "float64", "bool"}  # what a fused loop computes in
# An update op alone is a loop too from this many elements: one pass instead of numpy's
# dozen (Adam on a 784x512 variable: 0.41 ms -> 0.09 ms); below it the call costs more.
SOLO_UPDATE_SIZE = 1024
# numba's compile time grows faster than the loop: a chain of 400 steps with 200 inputs
# took 13 s. Longer chains are cut into several loops of at most these sizes.
MAX_MEMBERS = 32
MAX_INPUTS = 24


def enabled() -> bool:
    """Fuse plans? Yes when numba is installed, unless MINIGRAPH_FUSION=0."""
    return os.environ.get("MINIGRAPH_FUSION", "1") != "0" and available()


# -- finding groups -----------------------------------------------------------------------
class Group:
    """A root step (index) and the producer steps it absorbs, fused into one loop."""

    def __init__(self, root: int, shape: tuple):
        self.root, self.shape = root, shape
        self.members = [root]
        self.inner = None  # the size of trailing-shaped inputs, if any


def _static(specs, t):
    spec = specs.get(t)
    if spec is None or spec.shape.ndims is None or not spec.shape.is_fully_defined():
        return None
    return spec


def _fusable(step, specs) -> tuple | None:
    """The loop shape of a step that can be a group member, or None."""
    op = step.op
    if step.kind != "call" or "_" in step.names or not step.names:
        return None
    if op.op_def.list_output or len(op._outputs) != 1 or formula(op) is None:
        return None
    out = _static(specs, op._outputs[0])
    if out is None or out.dtype.base_dtype.name not in _DTYPES:
        return None
    shape = tuple(out.shape.as_list())
    for _, t in arg_tensors(step):
        if t is None:
            continue
        spec = _static(specs, t)
        if spec is None or spec.dtype.base_dtype.name not in _DTYPES:
            return None
    if op.op_def.uses_context and not op.op_def.writes_ref:
        return None
    return shape


def find_groups(steps, specs) -> list:
    """Groups of two or more steps (or one big update op) to fuse, found from the last step
    backwards."""
    producer = {name: i for i, step in enumerate(steps) for name in step.names}
    readers = _readers(steps)
    writes = _write_positions(steps)
    shapes = [_fusable(step, specs) for step in steps]
    taken = set()
    groups = []
    # Where each step runs: a member of a group (found earlier, later in the plan) runs at
    # its group's root, so its reads happen there.
    position = list(range(len(steps)))
    for root in range(len(steps) - 1, -1, -1):
        shape = shapes[root]
        if root in taken or shape is None:
            continue
        group = Group(root, shape)
        if not _admit(group, steps[root], specs):
            continue
        members = {root}
        frontier = [root]
        args = set(steps[root].args)
        produced = set(steps[root].names)
        while frontier and len(members) < MAX_MEMBERS:
            m = frontier.pop()
            for name in steps[m].reads:
                p = producer.get(name)
                if p is None or p in members or p in taken or shapes[p] != group.shape:
                    continue
                step = steps[p]
                if step.op.op_def.uses_context or step.guard != steps[root].guard:
                    continue
                if any(r not in members and position[r] <= root for n in step.names
                       for r in readers.get(n, ())):
                    continue  # a reader outside the group runs before the group does
                if any(a.startswith("read(") for a in step.args) and \
                        _write_between(writes, p, root):
                    continue  # moving its variable read past a write would change it
                if len((args | set(step.args)) - produced - set(step.names)) > MAX_INPUTS or \
                        len(members) >= MAX_MEMBERS or not _admit(group, step, specs):
                    continue
                members.add(p)
                frontier.append(p)
                args.update(step.args)
                produced.update(step.names)
        if len(members) > 1 or (steps[root].op.op_def.writes_ref and
                                int(np.prod(shape)) >= SOLO_UPDATE_SIZE):
            group.members = sorted(members)
            taken.update(members)
            for m in members:
                position[m] = root
            groups.append(group)
    groups.reverse()
    return groups


def _readers(steps) -> dict:
    """Local name -> the indices of the steps reading it (as an argument or in a guard)."""
    readers: dict = {}
    for i, step in enumerate(steps):
        for name in (*step.reads, *(e for e, _ in step.terms)):
            readers.setdefault(name, []).append(i)
    return readers


def _write_positions(steps) -> list:
    """The indices of the steps that write variables or have effects, in order."""
    return [i for i, step in enumerate(steps) if step.op.op_def.writes_ref or
            step.op.op_def.stateful]


def _write_between(writes: list, first: int, last: int) -> bool:
    """Is there a write strictly between steps `first` and `last`? (A binary search.)"""
    k = bisect.bisect_right(writes, first)
    return k < len(writes) and writes[k] < last


def _admit(group, step, specs) -> bool:
    """Can `step`'s inputs be read in the group's loop? (Records a trailing input's size.)"""
    inner = group.inner
    for _, t in arg_tensors(step):
        if t is None:
            continue
        shape = tuple(specs[t].shape.as_list())
        kind = input_kind(shape, group.shape)
        if kind is None:
            return False
        if kind == "inner":
            size = int(np.prod(shape))
            if inner is not None and inner != size:
                return False
            inner = size
    group.inner = inner
    return True


def fuse(program, specs):
    """A copy of `program` (codegen.Program) with its fusable chains fused, or None."""
    groups = find_groups(program.steps, specs)
    if not groups or numba_module() is None:  # none, or numba installed but broken
        return None
    namespace = dict(program.namespace)
    kernels = set(program.kernels)
    kept = {e for e, _ in program.results if e} | \
        {p for _, terms in program.results for p, _ in terms}
    header, by_root, done, fused = [], {}, set(), {}
    readers = _readers(program.steps)
    for n, group in enumerate(groups, 1):
        name = f"fused_{n}"
        while name in namespace:
            name += "_"
        kernel, step = compile_group(group, program.steps, specs, namespace, kept, readers, name)
        namespace[name] = kernel.call
        kernels.add(name)
        fused[name] = kernel
        by_root[group.root] = step
        done.update(group.members)
        header.append(f"# {name}: " + ", ".join(op.name for op in kernel.members) +
                      " in one loop:")
        header += [f"#   {line}" for line in kernel.loop_source.rstrip().splitlines()]
    steps = [by_root[i] if i in by_root else _copy(step)
             for i, step in enumerate(program.steps) if i in by_root or i not in done]
    _free_after_last_use(steps, {n for s in program.steps for n in s.frees})
    head, prelude, returned = program._parts
    result = codegen.Program(namespace, steps, kernels, program.feeds, program.results,
                             list(head) + header, prelude, returned)
    result.fused = fused
    return result


def _copy(step):
    new = codegen.Step(step.op, step.reads, step.outs, step.guard, step.kernel)
    new.kind, new.args, new.names, new.terms = step.kind, step.args, step.names, step.terms
    return new


def _free_after_last_use(steps, freeable) -> None:
    """Each step drops the freeable names it reads last (as the unfused plan does)."""
    last = {}
    for i, step in enumerate(steps):
        for name in step.reads:
            last[name] = i
        for expr, _ in step.terms:
            last[expr] = i
    for i, step in enumerate(steps):
        names = [*step.reads, *(e for e, _ in step.terms)]
        frees = [n for n in names if n in freeable and last[n] == i]
        step.frees = tuple(dict.fromkeys(frees))



