"""Compilation passes of a Plan: pruning, variable aliases, shape specialisation and
folding, ordering, and the guards of ops inside tf.cond branches.

Each pass is a function of the ops a plan needs; plan.py strings them together and generates
the code. Nothing here runs kernels except `fold`, which evaluates pure ops whose inputs are
all known at compile time.
"""

from __future__ import annotations

import heapq

import numpy as np

from ..framework.tensor import Spec, Tensor

__all__ = ["ref_indices", "prune", "aliases", "is_alias_op", "ref_variable", "forwarded_input",
           "specialize", "schedule", "guards", "FOLD_INPUT_LIMIT"]

FOLD_INPUT_LIMIT = 1 << 20  # elements; larger constant inputs or outputs are left to run time


def is_alias_op(op, alias) -> bool:
    """Does `op` stand for a variable (VariableV2, or an Identity forwarding one)?"""
    return op.op_def.op_type == "VariableV2" or (
        op.op_def.forwards_alias and op._outputs[0] in alias)


def ref_indices(op):
    refs = op.op_def.ref_inputs
    return [i for i in range(len(op._inputs)) if i in refs]


def cond_preds(op):
    """The predicates of every tf.cond branch `op` was created in (outermost first)."""
    branch = op.cond_context
    return [pred for pred, _ in branch.guards()] if branch is not None else []


def prune(targets, feeds):
    needed, stack = set(), []
    for t in targets:
        if isinstance(t, Tensor):
            if t not in feeds:
                stack.append(t._op)
        else:
            stack.append(t)
    while stack:
        op = stack.pop()
        if op in needed:
            continue
        needed.add(op)
        for t in op._inputs:
            if t not in feeds and t._op not in needed:
                stack.append(t._op)
        stack.extend(c for c in op._control_inputs if c not in needed)
        if op.cond_context is not None:  # a guarded step needs its predicates
            stack.extend(p._op for p in cond_preds(op) if p not in feeds)
    return sorted(needed, key=lambda o: o._id)


def aliases(ops, feeds):
    """Map each tensor that stands for a variable (not yet read) to its variable op."""
    alias = {}
    for op in ops:  # creation order is topological
        if op.op_def.op_type == "VariableV2":
            alias[op._outputs[0]] = op
        elif op.op_def.forwards_alias or op.op_def.returns_ref:
            t = op._inputs[0]
            if t in alias and t not in feeds:
                alias[op._outputs[0]] = alias[t]
    return alias


def ref_variable(t, alias):
    """The variable op behind ref tensor `t` (a variable, or an Assign's output), else None."""
    while t not in alias:
        refs = ref_indices(t._op)
        if not t._dtype.is_ref_dtype or not refs:
            return None
        t = t._op._inputs[refs[0]]
    return alias[t]


def forwarded_input(op, specs, args, is_value):
    """Index of the input that `op` passes through unchanged at these specs, else None.

    `args` are the expressions of the inputs in the generated code; `is_value(arg)` is False
    for a variable read, which is never forwarded: it must happen at this op's position.
    """
    if len(op._outputs) != 1:
        return None
    ins = [specs.get(t) or t.spec() for t in op._inputs]
    out = specs.get(op._outputs[0])
    if out is None:
        return None
    index = op.op_def.forwards_input(ins, out, op.attrs)
    if index is None or not is_value(args[index]):
        return None
    return index


def foldable(op) -> bool:
    d = op.op_def
    return not (d.stateful or d.uses_context or d.ref_inputs or d.forwards_alias)


def specialize(ops, feeds, alias):
    """Re-infer static specs with the fed shapes, folding every value that becomes known."""
    specs = {}
    for t, shape in feeds.items():
        dims = t._shape if shape is None else t._shape.merge_with(shape)
        specs[t] = Spec(t._dtype.base_dtype, dims)
    for op in ops:
        if all(t in feeds for t in op._outputs) and op._outputs:
            continue
        if is_alias_op(op, alias):
            var_out = alias[op._outputs[0]]._outputs[0]
            reshaped = any(c.attrs.get("validate_shape") is False for c in var_out._consumers)
            for t in op._outputs:  # assign(validate_shape=False) may change the stored shape
                specs[t] = Spec(t._dtype, None if reshaped else t._shape)
            continue
        refs = op.op_def.ref_inputs
        inputs = []
        for i, t in enumerate(op._inputs):
            s = specs.get(t) or t.spec(as_ref=i in refs)
            if i not in refs and s.dtype.is_ref_dtype:  # an alias of a variable's value
                s = Spec(s.dtype.base_dtype, s.shape, s.value)
            inputs.append(s)
        try:
            out = op.op_def.infer(*inputs, **op.attrs)
        except (ValueError, TypeError):
            # The fed shapes do not fit this op: keep its build-time specs and let its kernel
            # raise the run-time error (with TF's wording) when the run reaches it.
            out = [Spec(t._dtype, t._shape) for t in op._outputs]
        out = [out] if isinstance(out, Spec) else list(out)
        for t, s in zip(op._outputs, out):
            if t in feeds:
                continue
            shape = s.shape
            if shape.is_compatible_with(t._shape):
                shape = shape.merge_with(t._shape)
            specs[t] = Spec(s.dtype, shape, s.value)
        if foldable(op) and any(specs[t].value is None for t in op._outputs
                                 if t not in feeds):
            fold(op, inputs, specs)
    return specs


def fold(op, inputs, specs):
    if not all(s.value is not None for s in inputs):
        return
    if sum(int(np.size(s.value)) for s in inputs) > FOLD_INPUT_LIMIT:
        return
    for t in op._outputs:  # a big Fill is made when the run needs it, not kept in the plan
        dims = specs[t].shape._dims if t in specs else None
        if dims is not None and None not in dims and \
                np.prod(dims, dtype=np.float64) > FOLD_INPUT_LIMIT:
            return
    try:
        with np.errstate(all="ignore"):
            result = op.op_def.compute(*[s.value for s in inputs], **op.attrs)
    except Exception:  # noqa: BLE001 - an op that fails on constants fails again at run time
        return
    results = op.op_def.results(op, result)
    for t, value in zip(op._outputs, results):
        spec = specs[t]
        if not isinstance(value, (np.ndarray, np.generic)) or \
                value.dtype != spec.dtype.base_dtype.as_numpy_dtype:
            return  # leave an odd kernel to run time, where the first-run check reports it
    for t, value in zip(op._outputs, results):
        if isinstance(value, np.ndarray):
            value = value.view()
            value.flags.writeable = False
        specs[t] = Spec(specs[t].dtype, specs[t].shape, value)


def schedule(ops, alias, feeds):
    """The run order: creation order (`ops` is sorted by creation) when that is topological
    and no read of a variable created after a write of it must move before it; else a
    topological sort with those read-before-write edges added, ties broken by creation
    order. (A loop's gradient creates some cond predicates after the ops they guard.)
    Linear when nothing needs moving, the usual case."""
    readers, writers = readers_and_writers(ops, alias, feeds)
    late = [(r, w) for var, ws in writers.items() for w in ws
            for r in readers.get(var, ()) if r is not w and r._id > w._id]
    parents = data_parents(ops, feeds)
    if not late and all(p._id < op._id for op, ps in parents.items() for p in ps):
        return list(ops)
    children: dict = {}
    for child, ps in parents.items():
        for p in ps:
            children.setdefault(p, []).append(child)
    below: dict = {}
    for reader, writer in late:
        if writer not in below:
            below[writer] = descendants(writer, children)
        if reader not in below[writer] and reader not in parents[writer]:
            parents[writer].add(reader)
    for var, ws in writers.items():  # reads created before a write stay before it
        for w in ws:
            parents[w].update(r for r in readers.get(var, ()) if r._id < w._id)
    return topological(ops, parents)


def data_parents(ops, feeds) -> dict:
    """op -> the ops it needs first (data and control inputs, cond predicates)."""
    in_plan = set(ops)
    parents: dict = {op: set() for op in ops}
    for op in ops:
        for t in op._inputs:
            if t not in feeds and t._op in in_plan:
                parents[op].add(t._op)
        parents[op].update(c for c in op._control_inputs if c in in_plan)
        if op.cond_context is not None:
            parents[op].update(p._op for p in cond_preds(op) if p not in feeds)
    return parents


def topological(ops, parents) -> list:
    """Kahn's sort, the earliest-created ready op first; creation order if there is a cycle."""
    children: dict = {op: [] for op in ops}
    for op, ps in parents.items():
        for p in ps:
            children[p].append(op)
    pending = {op: len(ps) for op, ps in parents.items()}
    heap = [(op._id, op) for op in ops if pending[op] == 0]
    heapq.heapify(heap)
    order = []
    while heap:
        _, op = heapq.heappop(heap)
        order.append(op)
        for c in children[op]:
            pending[c] -= 1
            if pending[c] == 0:
                heapq.heappush(heap, (c._id, c))
    if len(order) != len(ops):
        return list(ops)  # reads and writes form a cycle: fall back to creation order
    return order


def guards(order, feeds):
    """Map each op that may not run to its condition: [(pred, branch taken)], in order.

    An op runs when every tf.cond branch it was created in is taken, and (as a dead value
    in TF) only when all of its inputs and control inputs were computed; a Merge needs only
    its predicate. Terms are ordered like the plan, so `and` tests a predicate only after
    the terms under which that predicate itself was computed.
    """
    if all(op.cond_context is None for op in order):
        return {}
    position = {op: i for i, op in enumerate(order)}
    terms: dict = {}
    for op in order:
        mine: set = set()
        branch = op.cond_context
        if branch is not None:
            for pred, taken in branch.guards():
                mine.add((pred, taken))
                if pred not in feeds:
                    mine.update(terms.get(pred._op, ()))
        sources = op._inputs[2:] if op.op_def.selects_branch else op._inputs
        for t in sources:
            if t not in feeds:
                mine.update(terms.get(t._op, ()))
        for c in op._control_inputs:
            mine.update(terms.get(c, ()))
        if mine:
            terms[op] = mine
    return {op: sorted(ts, key=lambda term: (position.get(term[0]._op, -1)
                                             if term[0] not in feeds else -1, not term[1]))
            for op, ts in terms.items()}


def readers_and_writers(ops, alias, feeds):
    """{variable op: ops reading its value}, {variable op: ops writing it}."""
    readers: dict = {}
    writers: dict = {}
    for op in ops:
        if op.op_def.writes_ref:
            for i in ref_indices(op):
                var = alias.get(op._inputs[i])
                if var is not None:
                    writers.setdefault(var, []).append(op)
        if op._outputs and op._outputs[0] in alias:
            # The variable op and Identity ops forwarding it: a fetch reads there.
            readers.setdefault(alias[op._outputs[0]], []).append(op)
            continue
        refs = op.op_def.ref_inputs
        for i, t in enumerate(op._inputs):
            if i not in refs and t in alias and t not in feeds:
                readers.setdefault(alias[t], []).append(op)
    return readers, writers


def descendants(op, children):
    seen, stack = set(), [op]
    while stack:
        for c in children.get(stack.pop(), ()):
            if c not in seen:
                seen.add(c)
                stack.append(c)
    return seen
