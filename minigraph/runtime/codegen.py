"""Code generation: the ordered ops of a plan become one readable Python function.

Lives here: `Program` (the generated source, the globals it needs, and the step behind every
line) and `Emitter`, which turns each op into one line, one small method per case: a
variable read, a Merge, a kernel call; folded constants, no-ops and pass-through ops emit
nothing. Values are named after their ops (`dense_MatMul` for `dense/MatMul:0`), kernels
after their op types (`MatMul`), and every line ends with the op's name as a comment, so
`print(plan.source)` reads as the run it performs. The passes that decide what runs, and in
which order, live in passes.py; running the code lives in plan.py.
"""

from __future__ import annotations

import builtins
import functools
import keyword
import re

from ..framework.dtypes import DType
from ..framework.errors import InternalError, InvalidArgumentError, describe_node
from ..framework.tensor import Tensor
from . import passes

__all__ = ["Program", "Step", "emit"]

# Names the generated function uses for itself: the run context, the feeds, reading.
_RESERVED = {"run", "ctx", "F", "read", "missing"}


class Step:
    """One emitted line: the op, the value names it reads, the tensors it computes, its
    guard (the cond-branch condition it runs under, or "") and its kernel's name (or None
    for a read or a Merge)."""

    __slots__ = ("op", "reads", "outs", "guard", "kernel")

    def __init__(self, op, reads, outs, guard, kernel):
        self.op, self.reads, self.outs, self.guard, self.kernel = op, reads, outs, guard, kernel


class Program:
    """The generated `run(ctx, F)` function: source, globals, and the step of each line."""

    def __init__(self, source: str, namespace: dict, steps: list, step_of_line: dict,
                 kernels: set):
        self.source, self.namespace, self.steps = source, namespace, steps
        self.step_of_line = step_of_line  # line number in `source` -> step index
        self.kernels = kernels  # the names in `namespace` that are kernels


def emit(order, feeds, alias, specs, guards, feed_order, targets) -> Program:
    """Generate the plan's function for the ops in `order` (see Emitter)."""
    return Emitter(feeds, alias, specs, guards, order).program(order, feed_order, targets)


def identifier(name: str) -> str:
    """A Python identifier spelling the graph name `name` ("dense/MatMul" -> dense_MatMul)."""
    ident = re.sub(r"\W", "_", name)
    if not ident or ident[0].isdigit():
        ident = "_" + ident
    return ident


class Emitter:
    """Names values and globals, and turns each op into one line of the plan's source."""

    def __init__(self, feeds, alias, specs, guards, order):
        self.feeds, self.alias, self.specs, self.guards = feeds, alias, specs, guards
        self.names = {}      # tensor -> expression of its value (a local or a constant)
        self.namespace = {}  # globals of the generated function: kernels, constants, nodes
        self.globals_of = {}  # id of a bound object (or kernel key) -> its global name
        self.kernels = set()
        self.local_names = set()  # names of values computed in the run (not globals)
        self.var_names = set()  # globals naming variable nodes (arguments of read())
        self.steps = []
        # Kernels are named after op types; values that would shadow them get a trailing _.
        self.taken = set(_RESERVED) | set(dir(builtins)) | {identifier(op.type) for op in order}
        # Predicates tested by guards must be plain names, even when they read a variable.
        self.materialize = {pred for terms in guards.values() for pred, _ in terms}
        for v in sorted(set(alias.values()), key=lambda v: v._id):
            self.var(v)  # variable nodes keep their own names; a read of one gets a `_`

    # -- naming ---------------------------------------------------------------------------
    def unique(self, ident: str) -> str:
        while ident in self.taken or keyword.iskeyword(ident):
            ident += "_"
        self.taken.add(ident)
        return ident

    def local(self, t) -> str:
        """A new local name for the value of tensor `t`, after its op (and output index)."""
        suffix = f"_{t.value_index}" if t.value_index else ""
        name = self.names[t] = self.unique(identifier(t.op.name) + suffix)
        self.local_names.add(name)
        return name

    def bind(self, key, ident: str, obj) -> str:
        """The global name of `obj` (bound once per `key`)."""
        if key not in self.globals_of:
            name = self.unique(ident)
            self.namespace[name] = obj
            self.globals_of[key] = name
        return self.globals_of[key]

    def var(self, v) -> str:
        """The global naming variable node `v` (what `read` takes)."""
        name = self.bind(("var", v), identifier(v.name), v)
        self.var_names.add(name)
        return name

    def kernel(self, op) -> str:
        """The global naming `op`'s kernel: its op type, with a suffix per attribute set."""
        attrs = op.attrs
        key = ("kernel", op.op_def, _attrs_key(attrs))
        if key not in self.globals_of:
            compute = op.op_def.compute
            fn = functools.partial(compute, **attrs) if attrs else compute
            self.globals_of[key] = name = self._kernel_name(identifier(op.type))
            self.namespace[name] = fn
            self.kernels.add(name)
        return self.globals_of[key]

    def _kernel_name(self, op_type: str) -> str:
        if op_type not in self.namespace and op_type not in _RESERVED:
            return op_type  # reserved in `taken` for exactly this kernel
        n = 2
        while f"{op_type}_{n}" in self.taken:
            n += 1
        return self.unique(f"{op_type}_{n}")

    def value_of(self, t) -> str:
        """The expression for the value of tensor `t` at this point of the plan."""
        if t in self.names:
            return self.names[t]
        spec = self.specs.get(t)
        if spec is not None and spec.value is not None:
            suffix = f"_{t.value_index}" if t.value_index else ""
            self.names[t] = self.bind(("const", t), identifier(t.op.name) + suffix, spec.value)
            return self.names[t]
        if t in self.alias:
            return f"read({self.var(self.alias[t])})"
        raise InternalError(None, t.op, f"The plan has no value for {t.name}.")

    def ref(self, op, i) -> str:
        """The variable node behind ref input `i` of `op` (Assign, Apply*): never a value."""
        t = op._inputs[i]
        if t not in self.alias:
            raise InvalidArgumentError(
                None, op, f"Input {i} of {describe_node(op)} must be a variable, but "
                f"'{t.name}' is fed or is not a variable reference. Fix: do not feed a "
                "variable that is assigned in the same run.")
        return self.var(self.alias[t])

    def guard_text(self, op) -> str:
        """The condition under which `op` runs ("p and not q"), or "" if it always runs."""
        terms = self.guards.get(op)
        if not terms:
            return ""
        return " and ".join(self.value_of(p) if taken else f"not {self.value_of(p)}"
                            for p, taken in terms)

    # -- one op, one line: the cases --------------------------------------------------------
    def step(self, op, fetched):
        """The line computing `op` (text, Step), or None when the op needs no line."""
        if passes.is_alias_op(op, self.alias):
            return self.variable_read(op, fetched)
        if self.folded(op) or self.no_op(op):
            return None
        args = self.arguments(op)
        if self.forwards_input(op, args):
            return None
        if op.op_def.selects_branch:
            return self.merge(op, args)
        return self.kernel_call(op, args)

    def variable_read(self, op, fetched):
        """A variable's value (Identity `v/read`): read where a consumer needs it, except
        when fetched or tested by a guard, which need a name of its own."""
        out = op._outputs[0]
        if (out not in fetched and out not in self.materialize) or out in self.feeds:
            return None
        text = f"{self.local(out)} = read({self.var(self.alias[out])})"
        return self.emitted(op, text, [], [out], None)

    def folded(self, op) -> bool:
        """Every output is fed or was computed while compiling (a constant)."""
        specs = self.specs
        return bool(op._outputs) and all(
            t in self.feeds or (specs.get(t) is not None and specs[t].value is not None)
            for t in op._outputs)

    def no_op(self, op) -> bool:
        """NoOp and group: only their control inputs matter, and the order has those."""
        return not op._outputs and not op.op_def.stateful

    def arguments(self, op) -> list:
        refs = passes.ref_indices(op)
        return [self.ref(op, i) if i in refs else self.value_of(t)
                for i, t in enumerate(op._inputs)]

    def forwards_input(self, op, args) -> bool:
        """The op passes one input through unchanged at these shapes: name that value."""
        index = passes.forwarded_input(op, self.specs, args, self.is_value)
        if index is None:
            return False
        self.names[op._outputs[0]] = args[index]
        return True

    def merge(self, op, args):
        """Merge of a tf.cond: the value of the branch taken."""
        value, other, pred = args
        text = f"{self.local(op._outputs[0])} = {value} if {pred} else {other}"
        return self.emitted(op, text, self.locals_in(args), [op._outputs[0]], None)

    def kernel_call(self, op, args):
        """A call of the op's kernel; stateful kernels also get the run context and op."""
        kernel = self.kernel(op)
        call_args = args
        if op.op_def.uses_context:
            call_args = ["ctx", self.bind(("op", op), identifier(op.name) + "_op", op)] + args
        call = f"{kernel}({', '.join(call_args)})"
        outs = op._outputs
        if op.op_def.returns_ref and outs[0] in self.alias:
            # The output stands for the variable (TF's output_ref): consumers read it.
            return self.emitted(op, call, self.locals_in(args), [], kernel)
        # A fed output keeps its fed value for consumers; the kernel's result is dropped.
        names = ["_" if t in self.feeds else self.local(t) for t in outs]
        if not outs:
            text = call
        elif len(outs) == 1 and not op.op_def.list_output:
            text = f"{names[0]} = {call}"
        else:
            text = f"{', '.join(names)}, = {call}"
        computed = [t for t in outs if t not in self.feeds]
        return self.emitted(op, text, self.locals_in(args), computed, kernel)

    # -- bookkeeping ------------------------------------------------------------------------
    def is_value(self, expression: str) -> bool:
        """True for a computed or constant value; False for a variable read or node, which
        must stay at its own position in the run."""
        return not expression.startswith("read(") and expression not in self.var_names

    def locals_in(self, args) -> list:
        return [a for a in args if a in self.local_names]

    def emitted(self, op, text, reads, outs, kernel):
        guard = self.guard_text(op)
        step = Step(op, reads, outs, guard, kernel)
        self.steps.append(step)
        return text, step

    # -- the whole function -----------------------------------------------------------------
    def program(self, order, feed_order, targets) -> Program:
        lines = ["def run(ctx, F):", "    read = ctx.read"]
        for i, t in enumerate(feed_order):
            lines.append(f"    {self.local(t)} = F[{i}]  # fed: {t.name}")
        # A fetched reference (the variable itself, an Assign's output) gives the variable's
        # value at the end of the run, as in TF; every other fetch is read where it is made.
        at_end = {t: var for t in targets if isinstance(t, Tensor) and t not in self.feeds
                  and t._dtype.is_ref_dtype and (var := passes.ref_variable(t, self.alias))}
        fetched = {t for t in targets if isinstance(t, Tensor) and t not in at_end}
        emitted = [line for op in order if (line := self.step(op, fetched)) is not None]
        step_of_line = self.body(lines, emitted, feed_order, fetched)
        results = ", ".join(self.result(k, t, at_end.get(t)) for k, t in enumerate(targets))
        lines.append(f"    return ({results},)")
        header = [f"# {name} = {op_type} kernel with {attrs}"
                  for name, op_type, attrs in self.kernel_variants()]
        shift = len(header)
        step_of_line = {line + shift: i for line, i in step_of_line.items()}
        return Program("\n".join(header + lines), self.namespace, self.steps, step_of_line,
                       self.kernels)

    def body(self, lines, emitted, feed_order, fetched) -> dict:
        """Append the steps with guards and `del`s; return {line number: step index}."""
        last_use = {}
        for i, (_, step) in enumerate(emitted):
            for name in step.reads + self.guard_reads(step):
                last_use[name] = i
        keep = {self.names[t] for t in list(feed_order) + list(fetched) if t in self.names}
        guarded: set[str] = set()  # values computed under a guard: never deleted
        open_guard, step_of_line = "", {}
        for i, (text, step) in enumerate(emitted):
            indent = "    "
            if step.guard:
                guarded.update(self.names[t] for t in step.outs)
                indent = "        "
                if step.guard != open_guard:
                    lines.append(f"    if {step.guard}:")
                    step_of_line[len(lines)] = i
            lines.append(f"{indent}{text}  # {step.op.name}")
            step_of_line[len(lines)] = i
            frees = [n for n in step.reads + self.guard_reads(step)
                     if last_use[n] == i and n not in keep and n not in guarded]
            if frees:  # each intermediate is dropped after its last use
                lines.append(f"    del {', '.join(dict.fromkeys(frees))}")
            open_guard = "" if frees else step.guard
        return step_of_line

    def guard_reads(self, step) -> list:
        """The local names a step's guard reads (its predicates)."""
        if not step.guard:
            return []
        return [name for pred, _ in self.guards[step.op]
                if (name := self.value_of(pred)) in self.local_names]

    def result(self, k, t, var=None) -> str:
        """The expression returning fetch `k`; a fetch made in a cond branch is checked.

        `var` is the variable whose end-of-run value a fetched reference returns (or None).
        """
        if not isinstance(t, Tensor):
            return "None"
        value = self.value_of(t) if var is None else f"read({self.var(var)})"
        guard = self.guard_text(t._op) if t not in self.feeds else ""
        return f"({value} if {guard} else missing({k}))" if guard else value

    def kernel_variants(self) -> list:
        """(name, op type, attributes) of every kernel bound with attributes."""
        out = []
        for key, name in self.globals_of.items():
            if key[0] == "kernel" and key[2]:
                text = ", ".join(f"{k}={_short(v)}" for k, v in key[2])
                out.append((name, key[1].op_type, text))
        return out


def _attrs_key(attrs: dict) -> tuple:
    """A hashable key for an op's attributes (arrays by their text)."""
    items = []
    for k in sorted(attrs):
        v = attrs[k]
        try:
            hash(v)
        except TypeError:
            v = repr(v)
        items.append((k, v))
    return tuple(items)


def _short(value) -> str:
    """An attribute value for the plan's header comment (dtypes by name, long text cut)."""
    if isinstance(value, DType):
        return f"tf.{value.name}"
    text = str(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
