"""Session: fetch/feed normalisation, the Plan cache, and the run loop.

Lives here: `Session`, `InteractiveSession`, `Plan` (one compiled, pruned, ordered program per
(fetches, feeds) signature) and `RunContext` (the per-run view of variable state). A run never
changes the graph. Variable writes go to the run's overlay and are committed only when the
whole run succeeded, so a failed run changes nothing.
"""

from __future__ import annotations

import heapq
import threading

import numpy as np

from . import graph as _graph
from .errors import (FailedPreconditionError, InvalidArgumentError, OpError, describe_node,
                     describe_site)
from .graph import Graph, Operation, Tensor

__all__ = ["Session", "InteractiveSession", "Plan"]


class RunContext:
    """Per-run state handed to stateful kernels: variable reads/writes, random streams."""

    __slots__ = ("session", "writes")

    def __init__(self, session):
        self.session = session
        self.writes = {}

    def read(self, var: Operation):
        """Return the current value of variable `var` (this run's write if any)."""
        writes = self.writes
        if writes and var in writes:
            return writes[var]
        value = self.session._store.get(var)
        if value is None:
            raise FailedPreconditionError(
                None, var, f"Attempting to use uninitialized value {var.name}. Fix: run "
                "sess.run(tf.global_variables_initializer()) first, and create that "
                "initializer after every variable (including optimizer slots) exists. "
                f"Variable created at {describe_site(var.creation_site)}.")
        return value

    def write(self, var: Operation, value: np.ndarray) -> None:
        """Record a new value for `var`; it becomes visible to other runs on commit."""
        self.writes[var] = value

    def is_initialized(self, var: Operation) -> bool:
        return var in self.writes or var in self.session._store

    def rng(self, op: Operation) -> np.random.Generator:
        """The random stream of `op` in this session (seeded from its seed attributes)."""
        return self.session.random_stream(op)

    def state(self, op: Operation) -> dict:
        """A dict private to `op` in this session (e.g. Print's count of runs that printed).

        Unlike variable writes it is not rolled back when the run fails: it records side
        effects that already happened.
        """
        return self.session.kernel_state(op)


class Plan:
    """A compiled program for one (fetches, feeds) signature.

    Pruned to what the fetches need, in a deterministic topological order (creation order,
    with every read of a variable placed before the writes that do not depend on it), kernels
    and attributes bound, values addressed by integer slots. `str(plan)` lists the steps.
    """

    def __init__(self, graph: Graph, targets, feeds):
        self.graph = graph
        self.feed_slots = {}
        ops = self._prune(targets, feeds)
        alias = self._aliases(ops, feeds)
        order = self._schedule(ops, alias, feeds)
        self._compile(order, targets, feeds, alias)

    # -- 1. pruning ----------------------------------------------------------------------
    @staticmethod
    def _prune(targets, feeds):
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
        return sorted(needed, key=lambda o: o._id)

    # -- 2. variable aliases --------------------------------------------------------------
    @staticmethod
    def _aliases(ops, feeds):
        """Map each tensor that stands for a variable (not yet read) to its variable op."""
        alias = {}
        for op in ops:  # creation order is topological
            if op.op_def.op_type == "VariableV2":
                alias[op._outputs[0]] = op
            elif op.op_def.forwards_alias:
                t = op._inputs[0]
                if t in alias and t not in feeds:
                    alias[op._outputs[0]] = alias[t]
        return alias

    # -- 3. ordering ----------------------------------------------------------------------
    def _schedule(self, ops, alias, feeds):
        in_plan = set(ops)
        parents = {op: set() for op in ops}
        for op in ops:
            for t in op._inputs:
                if t not in feeds and t._op in in_plan:
                    parents[op].add(t._op)
            parents[op].update(c for c in op._control_inputs if c in in_plan)
        extra = self._read_before_write(ops, alias, parents, feeds)
        for reader, writer in extra:
            parents[writer].add(reader)
        children = {op: [] for op in ops}
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
            # Reads and writes of variables form a cycle; fall back to creation order.
            return list(ops)
        return order

    @staticmethod
    def _read_before_write(ops, alias, parents, feeds):
        """Pairs (reader, writer): a read not downstream of a write sees the old value."""
        readers, writers = {}, {}
        for op in ops:
            if op.op_def.writes_ref:
                for i in op.op_def.ref_inputs:
                    var = alias.get(op._inputs[i])
                    if var is not None:
                        writers.setdefault(var, []).append(op)
            if op._outputs and op._outputs[0] in alias:
                # The variable op and Identity ops forwarding it: a fetch reads there.
                readers.setdefault(alias[op._outputs[0]], []).append(op)
                continue
            for i, t in enumerate(op._inputs):
                if i not in op.op_def.ref_inputs and t in alias and t not in feeds:
                    readers.setdefault(alias[t], []).append(op)
        if not writers:
            return []
        children = {}
        for child, ps in parents.items():
            for p in ps:
                children.setdefault(p, []).append(child)
        pairs = []
        for var, ws in writers.items():
            for w in ws:
                below = _descendants(w, children)
                pairs.extend((r, w) for r in readers.get(var, ()) if r not in below
                             and r is not w and r not in parents[w])
        return pairs

    # -- 4. compilation -------------------------------------------------------------------
    def _compile(self, order, targets, feeds, alias):
        slots = {}

        def slot(t):
            if t not in slots:
                slots[t] = len(slots)
            return slots[t]

        for t in feeds:
            self.feed_slots[t] = slot(t)
        fetched = {t for t in targets if isinstance(t, Tensor)}
        self.steps, self.step_ops, self.step_inputs = [], [], []
        last_use = {}
        for op in order:
            is_alias_op = op.op_def.op_type == "VariableV2" or (
                op.op_def.forwards_alias and op._outputs[0] in alias)
            if is_alias_op:
                out = op._outputs[0]
                if out in fetched and out not in feeds:
                    self._add(_read_step(alias[out], slot(out)), op, [])
                continue
            args = []
            for i, t in enumerate(op._inputs):
                if i in op.op_def.ref_inputs:
                    var = alias.get(t)
                    if var is None:
                        raise InvalidArgumentError(
                            None, op, f"Input {i} of {describe_node(op)} must be a variable, "
                            f"but '{t.name}' is fed or is not a variable reference. Do not "
                            "feed a variable that is assigned in the same run.")
                    args.append(("var", var))
                elif t in alias and t not in feeds:
                    args.append(("read", alias[t]))
                else:
                    s = slot(t)
                    args.append(("slot", s))
                    last_use[s] = len(self.steps)
            outs = [slot(t) for t in op._outputs]
            if not outs and not op.op_def.stateful:
                continue  # NoOp: only its control inputs matter, and ordering has them
            self._add(_make_step(op, args, outs), op, [a[1] for a in args if a[0] == "slot"])
        keep = set(self.feed_slots.values()) | {slots[t] for t in fetched if t in slots}
        self.frees = [[] for _ in self.steps]
        for s, i in last_use.items():
            if s not in keep:
                self.frees[i].append(s)
        self.num_slots = len(slots)
        self.fetch_slots = [(slots[t], t in feeds) if isinstance(t, Tensor) else None
                            for t in targets]

    def _add(self, step, op, inputs):
        self.steps.append(step)
        self.step_ops.append(op)
        self.step_inputs.append(inputs)

    # -- 5. execution ---------------------------------------------------------------------
    def execute(self, session, feed_values):
        """Run the steps; return the fetched values (None for operations)."""
        vals = [None] * self.num_slots
        for t, s in self.feed_slots.items():
            vals[s] = feed_values[t]
        ctx = RunContext(session)
        steps, frees = self.steps, self.frees
        i = -1
        with np.errstate(all="ignore"):
            try:
                for i in range(len(steps)):
                    steps[i](vals, ctx)
                    for s in frees[i]:
                        vals[s] = None
            except Exception as e:  # noqa: BLE001 - re-raised with the node's context
                raise self._error(i, e, vals) from e
        if ctx.writes:
            session.commit_variables(ctx.writes)
        return [None if fs is None else _fetched(vals[fs[0]], fs[1])
                for fs in self.fetch_slots]

    def _error(self, i, e, vals):
        op = self.step_ops[i]
        where = f"\n\t [[node {op.name} (defined at {describe_site(op.creation_site)}) ]]"
        if isinstance(e, OpError):
            return type(e)(None, e.op or op, e.message + where)
        shapes = ", ".join(str(getattr(vals[s], "shape", "?")) for s in self.step_inputs[i])
        return InvalidArgumentError(
            None, op, f"{type(e).__name__} in {describe_node(op)}: {e}. Input shapes at run "
            f"time: [{shapes}]. Fix: check that the values fed to this op have the shapes "
            f"and values it expects.{where}")

    def __str__(self):
        lines = [f"Plan: {len(self.steps)} steps, {self.num_slots} slots"]
        for i, op in enumerate(self.step_ops):
            ins = ", ".join(f"%{s}" for s in self.step_inputs[i])
            lines.append(f"  {i:3d}  {op.type:<20} {op.name}({ins})")
        return "\n".join(lines)


def _descendants(op, children):
    seen, stack = set(), [op]
    while stack:
        for c in children.get(stack.pop(), ()):
            if c not in seen:
                seen.add(c)
                stack.append(c)
    return seen


def _read_step(var, out):
    def step(vals, ctx):
        vals[out] = ctx.read(var)

    return step


def _make_step(op, args, outs):
    """Build the closure for one op: gather inputs, call the kernel, store outputs."""
    op_def = op.op_def
    if op_def.uses_context:
        compute, attrs = op_def.compute, op.attrs
        kernel = lambda ctx, *a: compute(ctx, op, *a, **attrs)  # noqa: E731
    else:
        kernel = op_def.bind(op)
    plain = all(kind == "slot" for kind, _ in args) and not op_def.uses_context
    if plain and len(outs) == 1:
        o, ins = outs[0], [s for _, s in args]
        if len(ins) == 1:
            a = ins[0]

            def step(vals, ctx):
                vals[o] = kernel(vals[a])
        elif len(ins) == 2:
            a, b = ins

            def step(vals, ctx):
                vals[o] = kernel(vals[a], vals[b])
        else:
            def step(vals, ctx):
                vals[o] = kernel(*[vals[s] for s in ins])
        return step

    def gather(vals, ctx):
        out = []
        for kind, x in args:
            if kind == "slot":
                out.append(vals[x])
            elif kind == "read":
                out.append(ctx.read(x))
            else:
                out.append(x)
        return out

    with_ctx = op_def.uses_context

    def step(vals, ctx):
        a = gather(vals, ctx)
        result = kernel(ctx, *a) if with_ctx else kernel(*a)
        if len(outs) == 1:
            vals[outs[0]] = result
        else:
            for s, r in zip(outs, result or ()):
                vals[s] = r

    return step


def _fetched(value, fed):
    if fed or not isinstance(value, np.ndarray):
        return value
    if value.ndim == 0:
        return value[()]
    return value if value.flags.writeable else value.copy()


# ---------------------------------------------------------------------------------------
# Fetches and feeds
# ---------------------------------------------------------------------------------------
def _normalize_fetches(graph, fetches):
    """Flatten a nested fetch structure; return (targets, rebuild(values) -> structure)."""
    targets, index = [], {}

    def element(f):
        try:
            el = graph.as_graph_element(f)
        except TypeError as e:
            raise TypeError(f"Fetch argument {f!r} has invalid type {type(f)}, must be a string "
                            f"or Tensor. ({e})") from None
        except (KeyError, ValueError) as e:
            raise ValueError(f"Fetch argument {f!r} cannot be interpreted as a Tensor. ({e})") \
                from None
        if not graph.is_fetchable(el):
            raise ValueError(f"Operation {el.name!r} has been marked as not fetchable.")
        if el not in index:
            index[el] = len(targets)
            targets.append(el)
        return index[el]

    def walk(f):
        if f is None:
            raise TypeError("Fetch argument None has invalid type <class 'NoneType'>. Remove "
                            "it from the fetches (a gradient that is None cannot be run).")
        if isinstance(f, (list, tuple)) and not hasattr(f, "_fields"):
            parts = [walk(x) for x in f]
            kind = type(f)
            return lambda v: kind(p(v) for p in parts)
        if isinstance(f, tuple):  # namedtuple
            parts = [walk(x) for x in f]
            kind = type(f)
            return lambda v: kind(*[p(v) for p in parts])
        if isinstance(f, dict):
            keys = list(f)
            parts = [walk(f[k]) for k in keys]
            kind = type(f)

            def rebuild(v):
                out = kind.__new__(kind)
                if hasattr(f, "default_factory"):
                    out.default_factory = f.default_factory
                for k, p in zip(keys, parts):
                    out[k] = p(v)
                return out
            return rebuild
        i = element(f)
        return lambda v: v[i]

    return targets, walk(fetches)


def _feed_value(tensor, value):
    if isinstance(value, Tensor) or hasattr(value, "_as_graph_element"):
        raise TypeError(f"The value of a feed cannot be a tf.Tensor object. Acceptable feed "
                        f"values include Python scalars, strings, lists, numpy ndarrays. Got "
                        f"{value!r} for key {tensor.name}. Fix: feed sess.run(t) instead.")
    dtype = tensor.dtype.base_dtype
    np_type = dtype.as_numpy_dtype
    if type(value) is np.ndarray and value.dtype == np_type:
        arr = value
    else:
        if isinstance(value, int) and dtype.is_integer and not isinstance(value, bool):
            info = np.iinfo(np_type)
            if not info.min <= value <= info.max:
                raise TypeError(f"Type of feed value {value} with type {type(value)} is not "
                                f"compatible with Tensor type {np_type}. Try a wider type, "
                                "e.g. declare the placeholder as tf.int64.")
        if dtype.name == "string":
            arr = np.asarray(value, dtype=object)
        else:
            try:
                arr = np.asarray(value, dtype=np_type)
            except (ValueError, TypeError) as e:
                raise ValueError(f"Cannot feed {value!r} to Tensor {tensor.name} of dtype "
                                 f"{dtype.name}: {e}") from None
    if not tensor._shape.is_compatible_with(arr.shape):
        raise ValueError(f"Cannot feed value of shape {arr.shape} for Tensor {tensor.name}, "
                         f"which has shape {tensor._shape}. Fix: reshape the value, or declare "
                         "the placeholder with None for dimensions that vary.")
    return arr


class Session:
    """Runs parts of a graph, holding variable values and random streams.

    Example: `with tf.Session() as sess: print(sess.run(c, {x: 1.0}))`.
    """

    def __init__(self, target="", graph=None, config=None):
        if graph is None:
            graph = _graph.get_default_graph()
        if not isinstance(graph, Graph):
            raise TypeError(f"Argument `graph` must be a tf.Graph, got {type(graph).__name__}.")
        self._graph = graph
        self._closed = False
        self._store = {}
        self._rngs = {}
        self._kernel_states = {}
        self._plans = {}
        self._lock = threading.Lock()
        self._entered = None
        self.config = config

    graph = property(lambda self: self._graph)
    sess_str = property(lambda self: b"")

    @property
    def graph_def(self):
        return self._graph.as_graph_def()

    def list_devices(self):
        return ["/job:localhost/replica:0/task:0/device:CPU:0"]

    # -- lifetime --------------------------------------------------------------------------
    def close(self) -> None:
        """Release variable values; later runs raise RuntimeError. Safe to call twice."""
        self._closed = True
        self._store = {}
        self._rngs = {}
        self._kernel_states = {}
        self._plans = {}

    def __enter__(self):
        if self._entered is not None:
            raise RuntimeError("Session context managers are not re-entrant. Use "
                               "`Session.as_default()` if you want to enter a session "
                               "multiple times.")
        self._entered = (self.as_default(), self._graph.as_default())
        for ctx in self._entered:
            ctx.__enter__()
        return self

    def __exit__(self, *exc):
        for ctx in reversed(self._entered):
            ctx.__exit__(*exc)
        self._entered = None
        self.close()
        return False

    def as_default(self):
        """Make this the default session (for Tensor.eval and Operation.run) in a block."""
        return _DefaultSession(self)

    # -- running ---------------------------------------------------------------------------
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Run the ops needed for `fetches` and return their values in the same structure."""
        self._check_open()
        self._check_not_empty()
        targets, rebuild = _normalize_fetches(self._graph, fetches)
        feeds = self._normalize_feeds(feed_dict)
        if not targets:
            return rebuild([])
        plan = self.plan_for(targets, feeds)
        return rebuild(plan.execute(self, feeds))

    def make_callable(self, fetches, feed_list=None, accept_options=False):
        """Return a function running `fetches` with feed values given positionally."""
        self._check_open()
        targets, rebuild = _normalize_fetches(self._graph, fetches)
        keys = [self._feed_key(k) for k in (feed_list or [])]
        plan = self.plan_for(targets, dict.fromkeys(keys)) if targets else None

        def call(*values, **kwargs):
            self._check_open()
            if len(values) != len(keys):
                raise TypeError(f"This callable takes {len(keys)} feed values, got "
                                f"{len(values)}.")
            feeds = {k: _feed_value(k, v) for k, v in zip(keys, values)}
            return rebuild(plan.execute(self, feeds) if plan else [])

        return call

    def plan_for(self, targets, feeds) -> Plan:
        """Return the cached Plan for these targets and fed tensors, compiling it once.

        The graph only ever grows and existing ops never change, so a plan stays valid as
        ops are added; the key is the signature alone.
        """
        key = (tuple(targets), frozenset(feeds))
        plan = self._plans.get(key)
        if plan is None:
            self._check_not_empty()
            plan = Plan(self._graph, targets, feeds)
            self._plans[key] = plan
        return plan

    def _check_not_empty(self):
        if self._graph.version == 0:
            raise RuntimeError("The Session graph is empty. Add operations to the graph "
                               "before calling run().")

    def _check_open(self):
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session. Create a new tf.Session() "
                               "or keep using this one inside its `with` block.")

    def _feed_key(self, key):
        try:
            t = self._graph.as_graph_element(key, allow_tensor=True, allow_operation=False)
        except (TypeError, ValueError, KeyError) as e:
            msg = e.args[0] if e.args else str(e)
            raise TypeError(f"Cannot interpret feed_dict key as Tensor: {msg}") from None
        if not self._graph.is_feedable(t):
            raise ValueError(f"Tensor {t.name} may not be fed.")
        return t

    def _normalize_feeds(self, feed_dict):
        if not feed_dict:
            if feed_dict is not None and not isinstance(feed_dict, dict):
                raise TypeError("feed_dict must be a dictionary mapping tensors to values.")
            return {}
        if not isinstance(feed_dict, dict):
            raise TypeError(f"feed_dict must be a dictionary mapping tensors to values, got "
                            f"{type(feed_dict).__name__}.")
        feeds = {}
        for key, value in feed_dict.items():
            if isinstance(key, tuple) and not isinstance(key, Tensor):
                for k, v in zip(key, value):
                    t = self._feed_key(k)
                    feeds[t] = _feed_value(t, v)
                continue
            t = self._feed_key(key)
            feeds[t] = _feed_value(t, value)
        return feeds

    # -- state -----------------------------------------------------------------------------
    def commit_variables(self, writes) -> None:
        """Store new values for several variables at once ({VariableV2 op: array}).

        All values become visible together; used by Session.run, Saver.restore and
        Variable.load. The arrays become read-only: the session owns them.
        """
        with self._lock:
            for var, value in writes.items():
                if isinstance(value, np.ndarray):
                    value.flags.writeable = False
                self._store[var] = value

    def variable_values(self, var_ops) -> dict:
        """Return {VariableV2 op: current array}; raise FailedPreconditionError if any is
        uninitialized (the error names the first such variable)."""
        ctx = RunContext(self)
        return {op: ctx.read(op) for op in var_ops}

    def kernel_state(self, op) -> dict:
        """The per-session scratch dict of a stateful kernel (created on first use)."""
        return self._kernel_states.setdefault(op, {})

    def random_stream(self, op):
        """The numpy Generator of random op `op` in this session (created on first use)."""
        rng = self._rngs.get(op)
        if rng is None:
            seed, seed2 = op.attrs.get("seed", 0), op.attrs.get("seed2", 0)
            rng = np.random.default_rng([seed, seed2] if (seed or seed2) else None)
            self._rngs[op] = rng
        return rng


class _DefaultSession:
    def __init__(self, session):
        self.session = session

    def __enter__(self):
        _graph._session_stack().append(self.session)
        return self.session

    def __exit__(self, *exc):
        _graph._session_stack().pop()
        return False


class InteractiveSession(Session):
    """A Session that makes itself the default session (and graph) until closed."""

    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config)
        _graph._session_stack().append(self)
        self._graph_ctx = None
        if graph is not None:
            self._graph_ctx = graph.as_default()
            self._graph_ctx.__enter__()

    def close(self) -> None:
        stack = _graph._session_stack()
        if self in stack:
            stack.remove(self)
        if self._graph_ctx is not None:
            self._graph_ctx.__exit__(None, None, None)
            self._graph_ctx = None
        super().close()
