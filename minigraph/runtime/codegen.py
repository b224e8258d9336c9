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
    for a read or a Merge). The same line as data, for the interpreter (interpreter.py):
    `kind` ("call", "merge" or "read"), the argument expressions `args`, the names it
    assigns `names` ("_" for a fed output), the guard's `terms` [(expression, taken)] and
    the names dropped after it (`frees`)."""

    __slots__ = ("op", "reads", "outs", "guard", "kernel", "kind", "args", "names", "terms",
                 "frees")

    def __init__(self, op, reads, outs, guard, kernel):
        self.op, self.reads, self.outs, self.guard, self.kernel = op, reads, outs, guard, kernel
        self.kind = "call"
        self.args: tuple = ()
        self.names: tuple = ()
        self.terms: tuple | list = ()
        self.frees: tuple = ()


class Program:
    """The generated `run(ctx, F)` function: globals, steps, and (written when first asked
    for: a plan that is only interpreted never needs it) the source and the step of each
    line."""

    def __init__(self, namespace: dict, steps: list, kernels: set, feeds: list,
                 results: list, header: list, prelude: list, returned: str):
        self.namespace, self.steps = namespace, steps
        self.kernels = kernels  # the names in `namespace` that are kernels
        self.fused: dict = {}  # kernel name -> fusion.FusedKernel, in a fused copy
        self.feeds = feeds  # the local name of each feed, in feed order
        self.results = results  # per fetch: (expression or None, guard terms)
        self._parts = header, prelude, returned

    @functools.cached_property
    def source(self) -> str:
        header, prelude, returned = self._parts
        lines = header + ["def run(ctx, F):", "    read = ctx.read"] + prelude
        step_of_line = {}
        open_guard = ""
        for i, step in enumerate(self.steps):
            indent = "    "
            if step.guard:
                indent = "        "
                if step.guard != open_guard:
                    lines.append(f"    if {step.guard}:")
                    step_of_line[len(lines)] = i
            lines.append(f"{indent}{line_text(step)}  # {step.op.name}")
            step_of_line[len(lines)] = i
            if step.frees:  # each intermediate is dropped after its last use
                lines.append(f"    del {', '.join(step.frees)}")
            open_guard = "" if step.frees else step.guard
        lines.append(f"    return ({returned},)")
        self.__dict__["step_of_line"] = step_of_line
        return "\n".join(lines)

    @property
    def step_of_line(self) -> dict:
        """Line number in `source` -> step index."""
        if "step_of_line" not in self.__dict__:
            self.source  # noqa: B018 - writing the source numbers its lines
        return self.__dict__["step_of_line"]


def line_text(step) -> str:
    """The source line of one step (without indent and comment)."""
    names, args = step.names, step.args
    if step.kind == "read":
        return f"{names[0]} = read({args[0]})"
    if step.kind == "merge":
        return f"{names[0]} = {args[0]} if {args[2]} else {args[1]}"
    call = f"{step.kernel}({', '.join(args)})"
    if not names:
        return call
    if len(names) == 1 and not step.op.op_def.list_output:
        return f"{names[0]} = {call}"
    return f"{', '.join(names)}, = {call}"


def emit(order, feeds, alias, specs, guards, feed_order, targets) -> Program:
    """Generate the plan's function for the ops in `order` (see Emitter)."""
    return Emitter(feeds, alias, specs, guards, order).program(order, feed_order, targets)


def identifier(name: str) -> str:
    """A Python identifier spelling the graph name `name` ("dense/MatMul" -> dense_MatMul)."""
    ident = name.replace("/", "_")
    if not ident.isidentifier():
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
        name, var = self.local(out), self.var(self.alias[out])
        return self.emitted(op, [], [out], None, "read", [var], [name])

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
        name = self.local(op._outputs[0])
        return self.emitted(op, self.locals_in(args), [op._outputs[0]], None, "merge", args,
                            [name])

    def kernel_call(self, op, args):
        """A call of the op's kernel; stateful kernels also get the run context and op."""
        kernel = self.kernel(op)
        call_args = args
        if op.op_def.uses_context:
            call_args = ["ctx", self.bind(("op", op), identifier(op.name) + "_op", op)] + args
        outs = op._outputs
        if op.op_def.returns_ref and outs[0] in self.alias:
            # The output stands for the variable (TF's output_ref): consumers read it.
            return self.emitted(op, self.locals_in(args), [], kernel, "call", call_args, [])
        # A fed output keeps its fed value for consumers; the kernel's result is dropped.
        names = ["_" if t in self.feeds else self.local(t) for t in outs]
        computed = [t for t in outs if t not in self.feeds]
        return self.emitted(op, self.locals_in(args), computed, kernel, "call", call_args,
                            names)

    # -- bookkeeping ------------------------------------------------------------------------
    def is_value(self, expression: str) -> bool:
        """True for a computed or constant value; False for a variable read or node, which
        must stay at its own position in the run."""
        return not expression.startswith("read(") and expression not in self.var_names

    def locals_in(self, args) -> list:
        return [a for a in args if a in self.local_names]

    def emitted(self, op, reads, outs, kernel, kind, args, names):
        guard = self.guard_text(op)
        step = Step(op, tuple(reads), tuple(outs), guard, kernel)  # tuples: memory per step
        step.kind, step.args, step.names = kind, tuple(args), tuple(names)
        if guard:
            step.terms = [(self.value_of(p), taken) for p, taken in self.guards[op]]
        self.steps.append(step)
        return step

    # -- the whole function -----------------------------------------------------------------
    def program(self, order, feed_order, targets) -> Program:
        prelude = [f"    {self.local(t)} = F[{i}]  # fed: {t.name}"
                   for i, t in enumerate(feed_order)]
        # A fetched reference (the variable itself, an Assign's output) gives the variable's
        # value at the end of the run, as in TF; every other fetch is read where it is made.
        at_end = {t: var for t in targets if isinstance(t, Tensor) and t not in self.feeds
                  and t._dtype.is_ref_dtype and (var := passes.ref_variable(t, self.alias))}
        fetched = {t for t in targets if isinstance(t, Tensor) and t not in at_end}
        for op in order:
            self.step(op, fetched)
        self.free_after_last_use(self.steps, feed_order, fetched)
        returned = ", ".join(self.result(k, t, at_end.get(t)) for k, t in enumerate(targets))
        feeds = [self.names[t] for t in feed_order]
        ends = [self.result_parts(t, at_end.get(t)) for t in targets]
        header = [f"# {name} = {op_type} kernel with {attrs}"
                  for name, op_type, attrs in self.kernel_variants()]
        return Program(self.namespace, self.steps, self.kernels, feeds, ends, header, prelude,
                       returned)

    def free_after_last_use(self, steps, feed_order, fetched) -> None:
        """Set each step's `frees`: the intermediates whose last use it is."""
        last_use = {}
        for i, step in enumerate(steps):
            for name in (*step.reads, *self.guard_reads(step)):
                last_use[name] = i
        keep = {self.names[t] for t in list(feed_order) + list(fetched) if t in self.names}
        # The predicates guarding a fetch are tested again when the results are returned.
        keep.update(self.value_of(p) for t in fetched if t not in self.feeds
                    for p, _ in self.guards.get(t._op, ()))
        guarded: set[str] = set()  # values computed under a guard: never deleted
        for i, step in enumerate(steps):
            if step.guard:
                guarded.update(self.names[t] for t in step.outs)
            frees = [n for n in (*step.reads, *self.guard_reads(step))
                     if last_use[n] == i and n not in keep and n not in guarded]
            if frees:
                step.frees = tuple(dict.fromkeys(frees))

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

    def result_parts(self, t, var=None):
        """Fetch `t` for the interpreter: (its expression or None, its guard terms)."""
        if not isinstance(t, Tensor):
            return None, ()
        value = self.value_of(t) if var is None else f"read({self.var(var)})"
        terms = self.guards.get(t._op) if t not in self.feeds else None
        return value, [(self.value_of(p), taken) for p, taken in terms or ()]

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
