"""Plan: the compiled program behind `Session.run`, and the per-run RunContext.

One Plan exists per (fetches, fed tensors, fed shapes) signature. Compiling it:
  1. prunes the graph to what the fetches need (stopping at fed tensors);
  2. specialises static shapes to the fed shapes and folds every value that is then known
     (constants, shapes, shape arithmetic), so runs skip them;
  3. orders the ops (creation order, reads of a variable before the writes that do not
     depend on them);
  4. generates one straight-line Python function calling the kernels, with each
     intermediate dropped after its last use (`print(plan.source)` shows it; values are
     named after their ops). A step of an op created inside a tf.cond branch (or fed by
     one) is guarded by `if <pred>:`, and Merge is `t if pred else f`.
Passes 1-3 (and the cond guards) live in passes.py, step 4 in codegen.py; this module runs
the code: first through the interpreter (interpreter.py: the same steps as data, no
compile; the first run checks every kernel's outputs' dtype and shape against the graph),
once the plan has run often enough, the compiled source, and (with numba installed) 20
runs later its fused copy, where chains of elementwise steps are one loop each (fusion.py).
`profile` compiles the source it runs with the kernels wrapped to time each op, and `trace`
the unfused source to record every value of one run (a RunTrace, from trace.py, for
explorers).
A run writes variables into its RunContext; the session commits them only on success.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import time
import types

import numpy as np

from . import codegen, fusion, passes
from .interpreter import Interpreter, StepFailed
from ..framework.errors import (CancelledError, FailedPreconditionError, InternalError,
                                InvalidArgumentError, OpError, ResourceExhaustedError,
                                describe_node, describe_site)
from ..framework.tensor import Tensor
from .trace import RunTrace

__all__ = ["Plan", "RunContext", "closed_during_call", "COMPILE_STEPS_PER_RUN"]

# A plan runs in the interpreter tier (interpreter.py) until it has run 1 + steps / this
# many times, then its generated source is compiled: a plan of fewer steps compiles on its
# second run (a training step: a few ms once), a one-off 100,000-step gradient not soon.
COMPILE_STEPS_PER_RUN = 2048


def closed_during_call(run: bool):
    """The error of a run (or restore/load) that was still going on when close() was called."""
    what = "Run call" if run else "The call"
    return CancelledError(
        None, None, f"{what} was cancelled: Session.close() was called while it ran, so it "
        "committed nothing. Fix: let runs in other threads finish (join them) before closing "
        "the session.")


class RunContext:
    """Per-run state handed to stateful kernels: variable reads/writes, random streams.

    Sparse updates (scatter ops, the optimizers' sparse kernels) record new rows with
    `write_rows`; the session applies them when the run commits (Session._with_rows), so
    an update through 32 ids costs 32 rows, not the table.
    """

    __slots__ = ("session", "writes", "scratch", "row_writes")

    def __init__(self, session):
        self.session = session
        self.writes = {}
        self.scratch = None
        self.row_writes = None

    def buffer(self, var, like):
        """A writable array like `like` for the new value of variable `var` (reused memory)."""
        return self.session.take_buffer(var, like)

    def scratch_buffer(self, op, name, like):
        """A writable temporary like `like`, private to `op`, returned after the run."""
        key = (op, name)
        buf = self.session.take_buffer(key, like)
        if self.scratch is None:
            self.scratch = []
        self.scratch.append((key, buf))
        return buf

    def read(self, var):
        """Return the current value of variable `var` (this run's write if any)."""
        if self.row_writes and var in self.row_writes:
            self._materialize(var)
        writes = self.writes
        if writes and var in writes:
            return writes[var]
        value = self.session._store.get(var)
        if value is None:
            if self.session._closed:
                raise closed_during_call(run=True)
            raise FailedPreconditionError(
                None, var, f"Attempting to use uninitialized value {var.name}. Fix: run "
                "sess.run(tf.global_variables_initializer()) first, and create that "
                "initializer after every variable (including optimizer slots) exists. "
                f"Variable created at {describe_site(var.creation_site)}.")
        return value

    def write(self, var, value) -> None:
        """Record a new value for `var`; it becomes visible to other runs on commit."""
        if self.row_writes:
            self.row_writes.pop(var, None)
        self.writes[var] = value

    def read_rows(self, var, indices):
        """Rows `indices` (unique, in range) of variable `var`'s current value (a copy).

        Rows this run already wrote are taken from its pending writes, so a second sparse
        update of a variable in one run still costs rows, not a copy of the table.
        """
        pending = self.row_writes.get(var) if self.row_writes else None
        if not pending:
            return self.read(var)[indices]
        rows = self.session._store[var][indices]
        for written, values in pending:
            _, mine, theirs = np.intersect1d(indices, written, assume_unique=True,
                                             return_indices=True)
            rows[mine] = values[theirs]
        return rows

    def write_rows(self, var, indices, rows) -> None:
        """Record new values for rows `indices` (unique) of `var`; applied on commit."""
        if var in self.writes:  # already a private array of this run: write into it
            value = self.writes[var]
            if not value.flags.writeable:
                value = self.writes[var] = value.copy()
            value[indices] = rows
            return
        if not self.is_initialized(var):
            self.read(var)  # raises FailedPreconditionError naming the variable
        if self.row_writes is None:
            self.row_writes = {}
        self.row_writes.setdefault(var, []).append((indices, rows))

    def _materialize(self, var):
        """Turn the pending row writes of `var` into a full private value of this run."""
        assert self.row_writes is not None  # only called for a variable with pending rows
        pending = self.row_writes.pop(var)
        value = self.read(var).copy()
        for indices, rows in pending:
            value[indices] = rows
        self.writes[var] = value

    def is_initialized(self, var) -> bool:
        return var in self.writes or var in self.session._store

    def rng(self, op) -> np.random.Generator:
        """The random stream of `op` in this session (seeded from its seed attributes)."""
        return self.session.random_stream(op)

    def run_loop(self, op, inputs) -> tuple:
        """Run the While op `op` on its input arrays; return its outputs (runtime/loops.py)."""
        return self.session.loop_program(op).run(self, inputs)

    def state(self, op) -> dict:
        """A dict private to `op` in this session (e.g. Print's count of runs that printed).

        Unlike variable writes it is not rolled back when the run fails: it records side
        effects that already happened.
        """
        return self.session.kernel_state(op)



class Plan:
    """A compiled program for one (fetches, feeds, fed shapes) signature.

    `feeds` maps each fed tensor to the shape of the value fed (or None for a plan that is
    not specialised to shapes). `print(plan.source)` shows the generated function, one line
    per op; `str(plan)` lists the steps.
    """

    def __init__(self, graph, targets, feeds: dict, missing_ok=False):
        with _gc_paused():  # compiling makes no garbage cycles; scans of a big graph cost
            self._build(graph, targets, feeds, missing_ok)

    def _build(self, graph, targets, feeds: dict, missing_ok):
        self.graph = graph
        self.targets = list(targets)
        self.feed_order = list(feeds)
        self.missing_ok = missing_ok  # a fetch whose cond branch did not run gives None
        ops = passes.prune(self.targets, feeds)
        self.ops = ops  # every op the plan needs, in creation order (steps are a subset)
        self._feeds = feeds  # fed tensor -> fed shape: `trace` specialises again
        alias = passes.aliases(ops, feeds)
        specs = passes.specialize(ops, feeds, alias)
        order = passes.schedule(ops, alias, feeds)
        guards = passes.guards(order, feeds)
        self.written_vars = sorted({alias[op._inputs[i]] for op in ops if op.op_def.writes_ref
                                    for i in passes.ref_indices(op) if op._inputs[i] in alias},
                                   key=lambda v: v._id)
        self.fetch_fed = [isinstance(t, Tensor) and t in feeds for t in self.targets]
        program = codegen.emit(order, feeds, alias, specs, guards, self.feed_order,
                               self.targets)
        # In a loop body a value of a cond branch not taken is None (see missing_ok).
        missing = program.namespace["missing"] = _none if missing_ok else self._missing
        self.program = program
        self.step_ops = [step.op for step in program.steps]
        # Per step: (position in the kernel's result or None, tensor, static spec) to check.
        self._checks = [self._checked_outputs(step, specs) for step in program.steps]
        self._interpreter = Interpreter(program, missing)
        self._fast = None  # the compiled source, once the plan has run `compile_after` times
        self._fast_program = program  # what `_fast` runs: `program`, or its fused copy
        self._runs = 0
        self.compile_after = 1 + len(program.steps) // COMPILE_STEPS_PER_RUN
        # Fused loops (fusion.py) replace the compiled source after this many runs.
        self.fuse_after = self.compile_after + fusion.FUSE_AFTER_RUNS
        self._fused: codegen.Program | None | bool = False  # False: not tried yet
        self._settled = False  # True once `_fast` is what every later run uses
        self._compiled: types.CodeType | None = None  # `source` compiled, once needed
        self._locks: list | None = None if self.written_vars else []

    @property
    def source(self) -> str:
        """The generated Python function, one line per step (written when first asked for)."""
        return self.program.source

    @property
    def fused_source(self) -> str:
        """The source the plan runs once fused (fusion.py): each group of elementwise steps
        is one `fused_N(...)` line, its loop shown in the header. The plain source when
        nothing fuses or numba is not installed."""
        fused = self._fused_program()
        return (fused or self.program).source

    def _fused_program(self):
        """The fused copy of the program (made once), or None."""
        if self._fused is False:
            self._fused = None
            if fusion.available():
                with _gc_paused():
                    alias = passes.aliases(self.ops, self._feeds)
                    specs = passes.specialize(self.ops, self._feeds, alias)
                    self._fused = fusion.fuse(self.program, specs)
        return self._fused

    @property
    def code(self):
        """`source` compiled (once: the fast, profiled and traced functions share it)."""
        if self._compiled is None:
            self._compiled = compile(self.source, "<minigraph plan>", "exec")
        return self._compiled

    @staticmethod
    def _checked_outputs(step, specs) -> tuple:
        single = len(step.op._outputs) == 1 and not step.op.op_def.list_output
        return tuple((None if single else t.value_index, t, specs[t]) for t in step.outs
                     if specs.get(t) is not None) or ()

    def _define_wrapped(self, wrap, program=None):
        """The function of `program` (default: the unfused one), with every kernel replaced
        by `wrap(kernel)`."""
        program = program or self.program
        namespace = dict(program.namespace)
        for name in program.kernels:
            namespace[name] = wrap(namespace[name])
        code = self.code if program is self.program else \
            compile(program.source, "<minigraph plan>", "exec")
        return _define(code, namespace)

    def _step_calling(self, program=None) -> int:
        """The step whose line (in the generated function) is calling a wrapped kernel."""
        return (program or self.program).step_of_line[sys._getframe(2).f_lineno]

    def _runner(self, session):
        """The function this run uses: the interpreter checking every kernel's outputs on
        the first run, the interpreter until the plan has run `compile_after` times, then
        the generated source, compiled once, and from run `fuse_after` on its fused copy
        (when numba is installed, anything fuses and `session` allows it)."""
        fast = self._fast
        if self._settled:
            return fast
        self._runs += 1
        if fast is not None:
            if self._runs > self.fuse_after:
                self._settled = True
                fast = self._fuse() or fast
            return fast
        if self._runs == 1:
            return self._checked_run
        if self._runs > self.compile_after:
            fast = self._fast = _define(self.code, self.program.namespace)
            # Nothing left to switch to without fusion.
            self._settled = not (fusion.enabled() and session.fuses)
            return fast
        return self._interpreter.run

    def _fuse(self):
        """Switch the compiled tier to the fused program, if anything fuses."""
        fused = self._fused_program()
        if fused is None:
            return None
        self._fast_program = fused
        self._fast = _define(compile(fused.source, "<minigraph plan>", "exec"),
                             fused.namespace)
        return self._fast

    def _checked_run(self, ctx, feed_values):
        return self._interpreter.run(ctx, feed_values, self._check_outputs)

    def _missing(self, k):
        t = self.targets[k]
        raise InvalidArgumentError(
            None, t.op, f"Tensor '{t.name}' has no value in this run: it is computed inside a "
            "tf.cond branch that was not taken (or from such a value). Fix: fetch the output "
            "of the tf.cond (its Merge) instead, which has the value of the branch taken. "
            f"Node {describe_node(t.op)}.")

    # -- execution ----------------------------------------------------------------------
    def execute(self, session, feed_values: list):
        """Run the plan with `feed_values` (in `feed_order`); return the fetched values.

        A KeyboardInterrupt (Ctrl-C) may land between any two Python steps in here. Every
        state change is therefore either one C call (the commit) or undone on the way out
        (locks, scratch buffers); see Session.acquire_locks for the locks.
        """
        ctx = RunContext(session)
        fn = self._runner(session)
        locks = self._locks
        if locks is None:  # a plan belongs to one session's cache
            locks = self._locks = session.variable_locks(self.written_vars)
        try:
            if locks:
                session.acquire_locks(locks)
            with np.errstate(all="ignore"):
                try:
                    values = fn(ctx, feed_values)
                except InternalError:
                    raise
                except StepFailed as e:
                    raise self._error(e, fn) from e.__cause__
                except Exception as e:  # noqa: BLE001 - re-raised with the node's context
                    raise self._error(e, fn) from e
            if ctx.writes or ctx.row_writes:
                session.commit_variables(ctx.writes, ctx.row_writes, run=True)
        finally:
            if locks:
                session.release_locks(locks)
            if ctx.scratch:
                for key, buf in ctx.scratch:
                    session.give_buffer(key, buf)
        return [v if fed else _fetched(v, feed_values)
                for v, fed in zip(values, self.fetch_fed)]

    def run_in(self, ctx, feed_values: list) -> tuple:
        """Run the steps inside another run (a loop body): `ctx` is that run's context."""
        fn = self._runner(ctx.session)
        try:
            return fn(ctx, feed_values)
        except InternalError:
            raise
        except StepFailed as e:
            raise self._error(e, fn) from e.__cause__
        except Exception as e:  # noqa: BLE001 - re-raised with the node's context
            raise self._error(e, fn) from e

    def profile(self, session, feed_values: list, runs: int = 10) -> list:
        """Run the plan `runs` times and return [(op, seconds per run)], slowest first.

        A fused plan lists each group as its fusion.FusedKernel (`.type` names the fused op
        types, `.members` the ops).
        Each kernel is timed separately (a little timing overhead is included); what is left
        of a run's time is the executor's own. Variables are updated as by `runs` real runs.
        """
        totals: dict = {}

        def timed(kernel):
            def call(*args):
                start = time.perf_counter()
                try:
                    return kernel(*args)
                finally:
                    step = program.steps[self._step_calling(program)]
                    key = step.op if step.kernel not in program.fused else \
                        program.fused[step.kernel]
                    totals[key] = totals.get(key, 0.0) + time.perf_counter() - start
            return call

        fast, runs_so_far, settled = self._fast, self._runs, self._settled
        program = self._fast_program
        self._fast, self._settled = self._define_wrapped(timed, program), True
        try:
            for _ in range(runs):
                self.execute(session, feed_values)
        finally:
            self._fast, self._runs, self._settled = fast, max(runs_so_far, 1), settled
        return sorted(((op, t / runs) for op, t in totals.items()), key=lambda p: -p[1])

    def trace(self, session, feed_values: list, commit: bool = False) -> RunTrace:
        """Run the plan once and record every value: a `trace.RunTrace` (for explorers).

        Every kernel is wrapped, as on a first run, to check its outputs and record them;
        the plan's own variable reads (a fetched or tested `v/read`) are recorded by the run
        context. Folded constants, Merges, pass-through ops and variable values are filled
        in by RunTrace. With `commit=False` (the default) the run's variable writes are
        recorded in the trace but not stored in the session, so looking at a training step
        does not train. Normal runs are unaffected: the recording copy is compiled here.
        """
        recorded = {}  # tensor -> value, as the kernels return them

        def recording(kernel):
            def call(*args):
                result = kernel(*args)
                i = self._step_calling()
                self._check_outputs(i, result)
                op = self.step_ops[i]
                single = len(op._outputs) == 1 and not op.op_def.list_output
                for t in self.program.steps[i].outs:
                    recorded[t] = result if single else result[t.value_index]
                return result
            return call

        fn = self._define_wrapped(recording)
        ctx = _RecordingContext(session, fn.__code__, self.program)
        variables = [op for op in self.ops if op.op_def.op_type == "VariableV2"]
        before = {v: ctx.read(v) for v in variables if ctx.is_initialized(v)}
        values = self._call(ctx, fn, feed_values, commit)
        for i, value in ctx.reads.items():
            recorded[self.program.steps[i].outs[0]] = value
        results = [v if fed else _fetched(v, feed_values)
                   for v, fed in zip(values, self.fetch_fed)]
        # The folded values and cond guards again (no plan keeps them: memory per plan).
        alias = passes.aliases(self.ops, self._feeds)
        known = {"specs": passes.specialize(self.ops, self._feeds, alias), "alias": alias,
                 "guards": passes.guards(self.ops, self._feeds)}
        return RunTrace(self, known, recorded, feed_values, before, dict(ctx.writes), results)

    def _call(self, ctx, fn, feed_values, commit):
        """`execute`'s steps for `trace`: run `fn` under the variable locks, commit its
        writes only if asked (`execute` keeps its own copy inline: it is the hot path)."""
        session = ctx.session
        locks = session.variable_locks(self.written_vars)
        try:
            session.acquire_locks(locks)
            with np.errstate(all="ignore"):
                try:
                    values = fn(ctx, feed_values)
                except InternalError:
                    raise
                except Exception as e:  # noqa: BLE001 - re-raised with the node's context
                    raise self._error(e, fn) from e
            if ctx.writes and commit:
                session.commit_variables(ctx.writes, run=True)
        finally:
            session.release_locks(locks)
            if ctx.scratch:
                for key, buf in ctx.scratch:
                    session.give_buffer(key, buf)
        return values

    def _check_outputs(self, i, result):
        op = self.step_ops[i]
        for position, t, spec in self._checks[i]:
            value = result if position is None else result[position]
            dtype = getattr(value, "dtype", None)
            shape = getattr(value, "shape", None)
            if dtype != spec.dtype.base_dtype.as_numpy_dtype or shape is None or \
                    not spec.shape.is_compatible_with(shape):
                raise InternalError(
                    None, op, f"The kernel of {describe_node(op)} returned "
                    f"{type(value).__name__} of dtype {dtype} and shape {shape} for "
                    f"{t.name}, but the graph says {spec.dtype.base_dtype.name} "
                    f"{spec.shape}. This is a bug in minigraph's {op.type} kernel or shape "
                    "function; please report it with this message.")

    def _error(self, e, fn):
        """`e` raised by the generated function (or the interpreter), re-raised naming the
        op of its step."""
        if isinstance(e, StepFailed):
            return self._error_at(e.__cause__, e.step, e.values)
        tb, frame_locals, step = e.__traceback__, {}, None
        code = getattr(fn, "__code__", None)
        program = self._fast_program if fn is self._fast else self.program
        while tb is not None:
            if tb.tb_frame.f_code is code:
                step = program.step_of_line.get(tb.tb_lineno)
                frame_locals = tb.tb_frame.f_locals
            tb = tb.tb_next
        if step is None:
            return e
        return self._error_at(e, step, frame_locals, program)

    def _error_at(self, e, step, frame_locals, program=None):
        """`e` raised by step `step` of `program` (default: the unfused one; the step's
        inputs are in `frame_locals`), naming its op (a fused step: the member that
        raised)."""
        program = program or self.program
        op = getattr(e, "fused_member", None) or program.steps[step].op
        where = f"\n\t [[node {op.name} (defined at {describe_site(op.creation_site)}) ]]"
        if isinstance(e, OpError):
            return type(e)(None, e.op or op, e.message + where)
        if isinstance(e, MemoryError):
            return self._out_of_memory(e, op, step if program is self.program else None,
                                       where)
        reads = program.steps[step].reads
        shapes = [getattr(frame_locals.get(n), "shape", None) for n in reads]
        shown = ", ".join("?" if s is None else str(s) for s in shapes)
        text = f"{type(e).__name__} in {describe_node(op)}: {e}"
        known = [list(s) for s in shapes if s is not None]
        if "could not be broadcast" in str(e) and len(shapes) == len(known) == 2:
            # numpy's broadcasting failure, in the words TF uses at run time.
            text = (f"Incompatible shapes: {known[0]} vs. {known[1]} in "
                    f"{describe_node(op)} (numpy: {e})")
        return InvalidArgumentError(
            None, op, f"{text}. Input shapes at run time: [{shown}]. Fix: check that the "
            f"values fed to this op have the shapes and values it expects.{where}")

    def _out_of_memory(self, e, op, step, where):
        """numpy could not allocate a kernel's result: TF's ResourceExhaustedError (OOM)."""
        checks = self._checks[step] if step is not None else ()  # None: a fused step
        shown = [f"shape{spec.shape._bracket()} and type {spec.dtype.base_dtype.name}"
                 for _, _, spec in checks]
        what = f"tensor with {shown[0]}" if shown else "a tensor"
        return ResourceExhaustedError(
            None, op, f"OOM when allocating {what} in {describe_node(op)} ({e}). Fix: make "
            "the tensor smaller (a smaller batch, layer or tf.zeros/tf.ones shape), or free "
            f"memory; the graph itself is fine.{where}")

    def __str__(self):
        lines = [f"Plan: {len(self.step_ops)} steps, {len(self.feed_order)} feeds, "
                 f"{len(self.targets)} fetches"]
        for i, op in enumerate(self.step_ops):
            lines.append(f"  {i:3d}  {op.type:<22} {op.name}")
        return "\n".join(lines)


def _none(k):
    return None


class _RecordingContext(RunContext):
    """A RunContext that also records the values of the plan's variable-read steps (the
    lines `v_read = read(v)` of the traced function `code`), by step index in `reads`."""

    __slots__ = ("code", "read_steps", "step_of_line", "reads")

    def __init__(self, session, code, program):
        super().__init__(session)
        self.code, self.step_of_line, self.reads = code, program.step_of_line, {}
        self.read_steps = {i for i, step in enumerate(program.steps)
                           if step.kernel is None and not step.op.op_def.selects_branch}

    def read(self, var):
        value = super().read(var)
        frame = sys._getframe(1)
        if frame.f_code is self.code:
            i = self.step_of_line.get(frame.f_lineno)
            if i in self.read_steps:
                self.reads[i] = value
        return value


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector (creating many objects, no garbage cycles)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _define(code, namespace):
    """Run the compiled plan source in `namespace`; return the `run` function it defines."""
    exec(code, namespace)  # noqa: S102 - the source is generated from the graph above
    return namespace["run"]


def _fetched(value, feed_values):
    """The value handed to the caller for a fetch that is not itself fed.

    numpy scalars for 0-d results; a copy of a read-only array (owned by the session) and of
    a view of a fed array (`tf.identity(x)`, a reshape of `x`): as in TF, only fetching the
    fed tensor itself returns the caller's own array.
    """
    if not isinstance(value, np.ndarray):
        return value
    if value.ndim == 0:
        return value[()]
    if not value.flags.writeable or (feed_values and _views_a_feed(value, feed_values)):
        return value.copy()
    return value


def _root(array):
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def _views_a_feed(value, feed_values) -> bool:
    root = _root(value)
    return any(type(f) is np.ndarray and _root(f) is root for f in feed_values)
