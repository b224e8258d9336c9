"""The interpreter tier of a plan: its generated program run as data, without compiling it.

Python's `compile` costs tens of microseconds per line, so compiling the generated function
of a 100,000-step plan takes longer than running it many times. A plan therefore starts in
this tier: `Interpreter` resolves once, per step of the Program (codegen.py), the kernel,
where each argument comes from (a slot of the run, a constant, a variable read, the run
context), the slots it assigns, its cond guard and the slots freed after it; `run` loops
over those steps. It does exactly what the generated source says, line by line: the same
kernels in the same order, the same guards, Merges and frees, so results and errors are the
same. plan.py decides when a plan is used often enough to compile the source instead.
"""

from __future__ import annotations

from ..framework.errors import InternalError

__all__ = ["Interpreter", "StepFailed"]

_CONST, _READ, _CTX = 1, 2, 3


class StepFailed(Exception):
    """Step `step` raised the exception in `__cause__`; `values` maps the local names it
    read to their values (for the error message)."""

    def __init__(self, step: int, values: dict):
        super().__init__(step)
        self.step, self.values = step, values


class Interpreter:
    """The steps of `program` as (kind, kernel, args, outs, guard, frees) tuples."""

    def __init__(self, program, missing):
        self.program, self.missing = program, missing
        self.slot_of: dict = {}
        self.arg_of: dict = {}  # expression -> its encoding, shared by every use (memory)
        self.feeds = [self.slot(name) for name in program.feeds]
        self.code = [self.instruction(step) for step in program.steps]
        self.results = [(None if expr is None else self.arg(expr),
                         [(self.arg(p), taken) for p, taken in terms])
                        for expr, terms in program.results]
        del self.arg_of  # needed only while encoding

    def slot(self, name: str) -> int:
        if name not in self.slot_of:
            self.slot_of[name] = len(self.slot_of)
        return self.slot_of[name]

    def arg(self, expr: str):
        """One argument expression of the generated source: a slot number (a value of the
        run), or (where, what) for a constant, a variable read or the run context."""
        encoded = self.arg_of.get(expr)
        if encoded is None:
            if expr in self.slot_of:
                encoded = self.slot_of[expr]
            elif expr == "ctx":
                encoded = _CTX, None
            elif expr.startswith("read("):
                encoded = _READ, self.program.namespace[expr[5:-1]]
            else:
                encoded = _CONST, self.program.namespace[expr]
            self.arg_of[expr] = encoded
        return encoded

    def instruction(self, step) -> tuple:
        namespace = self.program.namespace
        args = tuple(self.arg(a) for a in step.args)
        guard = tuple((self.arg(p), taken) for p, taken in step.terms)
        fn = namespace[step.kernel] if step.kind == "call" else None
        outs = tuple(None if n == "_" else self.slot(n) for n in step.names)
        frees = tuple(self.slot_of[n] for n in step.frees)
        kind = step.kind
        if kind == "call" and len(outs) == 1 and not step.op.op_def.list_output:
            kind = "one"  # the kernel returns the value itself, not a list of outputs
        return kind, fn, args, outs, guard, frees

    def run(self, ctx, feed_values, check=None):
        """One run: the fetched values, as the generated `run(ctx, F)` returns them.

        `check(step, result)` (the plan's first-run output check) is called after every
        kernel when given. A failing step raises StepFailed from the kernel's exception.
        """
        slots: list = [None] * len(self.slot_of)
        for i, fed in zip(self.feeds, feed_values):
            slots[i] = fed
        read = ctx.read

        def value(a):
            if type(a) is int:
                return slots[a]
            where, what = a
            if where == _CONST:
                return what
            return read(what) if where == _READ else ctx

        i = 0
        try:
            for i, (kind, fn, args, outs, guard, frees) in enumerate(self.code):
                if guard and not all(bool(value(p)) == taken for p, taken in guard):
                    continue
                if kind == "one" or kind == "call":
                    result = fn(*[value(a) for a in args])
                    if check is not None:
                        check(i, result)
                    if kind == "one":
                        if outs[0] is not None:
                            slots[outs[0]] = result
                    elif outs:  # several outputs (or one in a list); none: an op's effect only
                        for slot, v in zip(outs, result):
                            if slot is not None:
                                slots[slot] = v
                elif kind == "merge":
                    t, f, pred = args
                    slots[outs[0]] = value(t) if value(pred) else value(f)
                else:
                    slots[outs[0]] = read(args[0][1])  # (_CONST, the variable node)
                for slot in frees:
                    slots[slot] = None
        except InternalError:
            raise
        except Exception as e:  # noqa: BLE001 - the plan re-raises it naming the step's node
            step = self.program.steps[i]
            raise StepFailed(i, {n: slots[self.slot_of[n]] for n in step.reads}) from e
        return tuple(self.result(k, value, expr, terms)
                     for k, (expr, terms) in enumerate(self.results))

    def result(self, k, value, expr, terms):
        if expr is None:
            return None
        if terms and not all(bool(value(p)) == taken for p, taken in terms):
            return self.missing(k)
        return value(expr)
