"""Session: fetch/feed normalisation, the plan cache, variable storage and commit.

Lives here: `Session` and `InteractiveSession`. Each run normalises fetches and feeds, looks up
(or compiles once) the Plan for its signature (plan.py) and executes it. A run never changes
the graph. Variable writes go to the run's overlay and are committed only when the whole run
succeeded, so a failed run changes nothing. Runs that write a variable hold that variable's
lock from their first read to their commit, so concurrent updates of one variable behave as
if the runs happened one after another.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from typing import Any

import numpy as np

from ..framework import graph as _graph
from ..framework.errors import describe_caller, describe_node
from .allocator import retain_freed_memory
from .config import OptimizerOptions
from ..framework.graph import Graph
from ..framework.indexed_slices import IndexedSlices, IndexedSlicesValue
from ..framework.tensor import Operation, Tensor
from .loops import LoopProgram
from .plan import Plan, RunContext, closed_during_call

__all__ = ["Session", "InteractiveSession", "Plan"]

MAX_SHAPE_PLANS = 8  # shape-specialised plans per fetch/feed signature before going generic
MAX_PLANS = 1024     # compiled plans a session keeps (least recently used dropped first)
GENERIC = "generic"
_CACHEABLE_FETCHES = (Tensor, Operation, list, tuple, str)


# ---------------------------------------------------------------------------------------
# Fetches and feeds
# ---------------------------------------------------------------------------------------
def _normalize_fetches(graph, fetches):
    """Flatten a nested fetch structure; return (targets, rebuild(values) -> structure)."""
    targets: list = []
    index: dict = {}

    def element(f):
        try:
            el = graph.as_graph_element(f)
        except TypeError as e:
            raise TypeError(f"Fetch argument {f!r} has invalid type {type(f)}, must be a string "
                            f"or Tensor. ({e}) Fix: fetch tensors, operations or their names; "
                            f"run called at {describe_caller()}.") from None
        except (KeyError, ValueError) as e:
            raise ValueError(f"Fetch argument {f!r} cannot be interpreted as a Tensor. ({e}) "
                             f"{_lookup_fix(graph, f, 'fetch')}") from None
        if not graph.is_fetchable(el):
            raise ValueError(f"Operation {el.name!r} has been marked as not fetchable.")
        if el not in index:
            index[el] = len(targets)
            targets.append(el)
        return index[el]

    def walk(f):
        if f is None:
            raise TypeError("Fetch argument None has invalid type <class 'NoneType'>. Fix: "
                            "remove it from the fetches (a gradient that is None cannot be "
                            f"run); run called at {describe_caller()}.")
        if isinstance(f, IndexedSlices):  # fetched as IndexedSlicesValue, as in TF
            parts = [walk(x) for x in (f.values, f.indices, f.dense_shape) if x is not None]
            return lambda v: IndexedSlicesValue(*[p(v) for p in parts],
                                                *[None] * (3 - len(parts)))
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
            mapping: Any = type(f)  # dict, OrderedDict, defaultdict, ...

            def rebuild(v):
                out = mapping.__new__(mapping)
                if hasattr(f, "default_factory"):
                    out.default_factory = f.default_factory
                for k, p in zip(keys, parts):
                    out[k] = p(v)
                return out
            return rebuild
        i = element(f)
        return lambda v: v[i]

    return targets, walk(fetches)


def _lookup_fix(graph, key, what) -> str:
    """The "how to fix" sentence for a fetch or feed key that is not an element of `graph`."""
    elem = key._as_graph_element() if hasattr(key, "_as_graph_element") else key
    if isinstance(elem, (Tensor, Operation)) and elem.graph is not graph:
        op = elem if isinstance(elem, Operation) else elem.op
        return (f"Fix: {what} only tensors of the session's graph (or open tf.Session(graph=...) "
                f"on the other graph); this one belongs to another tf.Graph: "
                f"{describe_node(op)}.")
    if isinstance(elem, str) and ":" not in elem:
        try:
            op = graph.get_operation_by_name(elem)
        except KeyError:
            op = None
        if op is not None:
            return f"Fix: use the tensor name '{elem}:0' or the tensor object; {describe_node(op)}."
    return (f"Fix: {what} the tensor object itself, or check the name against "
            f"[op.name for op in graph.get_operations()]; run called at {describe_caller()}.")


def _feed_value(tensor, value):
    if isinstance(value, Tensor) or hasattr(value, "_as_graph_element"):
        raise TypeError(f"The value of a feed cannot be a tf.Tensor object. Acceptable feed "
                        f"values include Python scalars, strings, lists, numpy ndarrays. Got "
                        f"{value!r} for key {tensor.name}. Fix: feed sess.run(t) instead; key "
                        f"{describe_node(tensor.op)}.")
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
                                "e.g. declare the placeholder as tf.int64; tensor "
                                f"{describe_node(tensor.op)}.")
        if dtype.name == "string":
            arr = np.asarray(value, dtype=object)
        else:
            try:
                arr = np.asarray(value, dtype=np_type)
            except OverflowError as e:
                raise TypeError(f"Type of feed value {value!r} is not compatible with Tensor "
                                f"type {np_type} ({e}). Fix: declare the placeholder with a "
                                f"wider type, e.g. tf.int64; tensor "
                                f"{describe_node(tensor.op)}.") from None
            except (ValueError, TypeError) as e:
                raise ValueError(f"Cannot feed {value!r} to Tensor {tensor.name} of dtype "
                                 f"{dtype.name}: {str(e).rstrip('.')}. Fix: feed a "
                                 f"rectangular array of {dtype.name} values (pad ragged rows "
                                 "to equal length, convert strings to numbers first); tensor "
                                 f"{describe_node(tensor.op)}.") from None
    if not _fits(tensor._shape._dims, arr.shape):
        raise ValueError(f"Cannot feed value of shape {arr.shape} for Tensor {tensor.name}, "
                         f"which has shape {tensor._shape}. Fix: reshape the value, or declare "
                         "the placeholder with None for dimensions that vary; tensor "
                         f"{describe_node(tensor.op)}.")
    return arr


def _check_tuple_feed(key, value) -> None:
    """A tuple of tensors as one feed key needs a sequence of as many values (TF's rule)."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or \
            len(value) != len(key):
        count = len(value) if hasattr(value, "__len__") and not isinstance(value, str) else 1
        raise ValueError(f"Could not flatten dictionary. Key had {len(key)} elements, but value "
                         f"had {count} elements. Key: {list(key)}, value: {value!r}. Fix: give "
                         "a tuple key a tuple of as many values, e.g. {(x, y): (x_value, "
                         f"y_value)}}; run called at {describe_caller()}.")


def _fits(dims, shape) -> bool:
    """Is a concrete `shape` compatible with static `dims` (None: unknown rank or dim)?"""
    if dims is None:
        return True
    if len(dims) != len(shape):
        return False
    for d, n in zip(dims, shape):
        if d is not None and d != n:
            return False
    return True


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
        retain_freed_memory()  # see allocator.py: fresh kernel outputs without page faults
        self._closed = False
        self._store = {}
        self._rngs = {}
        self._kernel_states = {}
        self._plans = OrderedDict()  # (fetches, fed tensors) -> {fed shapes: Plan}, LRU order
        self._plan_count = 0
        self._loops = {}
        self._fetch_cache = {}
        self._variable_locks = {}
        self._spare = {}
        self._shadows = {}  # var -> (previous array, rows it lacks): see _with_rows
        self._lock = threading.Lock()
        self._entered = None
        self.config = config
        # TF1's switch for its JIT compiler turns off minigraph's fusion (runtime/fusion.py).
        options = getattr(getattr(config, "graph_options", None), "optimizer_options", None)
        self.fuses = getattr(options, "global_jit_level", 0) != OptimizerOptions.OFF

    graph = property(lambda self: self._graph)
    sess_str = property(lambda self: b"")

    @property
    def graph_def(self):
        return self._graph.as_graph_def()

    def list_devices(self):
        return ["/job:localhost/replica:0/task:0/device:CPU:0"]

    # -- lifetime --------------------------------------------------------------------------
    def close(self) -> None:
        """Release variable values; later runs raise RuntimeError. Safe to call twice.

        A run still executing in another thread when the session closes commits nothing and
        raises CancelledError; a run that starts after `close` began raises RuntimeError
        ("Attempted to use a closed Session.").
        """
        with self._lock:
            self._closed = True
            self._store = {}
        self._rngs = {}
        self._kernel_states = {}
        self._plans = OrderedDict()
        self._plan_count = 0
        self._loops = {}
        self._fetch_cache = {}
        self._spare = {}
        self._shadows = {}  # var -> (previous array, rows it lacks): see _with_rows

    def __enter__(self):
        if self._entered is not None:
            raise RuntimeError("Session context managers are not re-entrant. Use "
                               "`Session.as_default()` if you want to enter a session "
                               f"multiple times. Entered again at {describe_caller()}.")
        self._entered = (self.as_default(), self._graph.as_default())
        for ctx in self._entered:
            ctx.__enter__()
        return self

    def __exit__(self, *exc):
        for ctx in reversed(self._entered or ()):
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
        if self._closed:
            self._check_open()
        targets, rebuild = self._fetch_structure(fetches)
        feeds = self._normalize_feeds(feed_dict) if feed_dict else self._no_feeds(feed_dict)
        if not targets:
            self._check_not_empty()
            return rebuild([])
        plan = self._plan(targets, feeds)
        return rebuild(plan.execute(self, list(feeds.values())))

    def make_callable(self, fetches, feed_list=None, accept_options=False):
        """Return a function running `fetches` with feed values given positionally."""
        self._check_open()
        targets, rebuild = _normalize_fetches(self._graph, fetches)
        keys = [self._feed_key(k) for k in (feed_list or [])]

        def call(*values, **kwargs):
            self._check_open()
            if len(values) != len(keys):
                raise TypeError(f"This callable takes {len(keys)} feed values, got "
                                f"{len(values)}.")
            feeds = {k: _feed_value(k, v) for k, v in zip(keys, values)}
            if not targets:
                return rebuild([])
            return rebuild(self._plan(targets, feeds).execute(self, list(feeds.values())))

        return call

    def trace(self, fetches, feed_dict=None, commit: bool = False):
        """Run `fetches` once, recording every value: a `RunTrace` (minigraph-only).

        The trace has the plan's execution order (`steps`), the ops it pruned (those not in
        `needed`), each tensor's value and how it was known, the variable writes, and
        `results` (the fetched values in the structure `run` returns). With `commit=False`
        (the default) the variables keep their values, so tracing a training step does
        not train. `minigraph.viz.explore` draws a trace.

        Example: `t = sess.trace(loss, {x: batch}); [op.name for op in t.steps]`.
        """
        self._check_open()
        targets, rebuild = _normalize_fetches(self._graph, fetches)
        feeds = self._normalize_feeds(feed_dict) if feed_dict else self._no_feeds(feed_dict)
        if not targets:
            raise ValueError("Nothing to trace: `fetches` is empty. Fix: pass the tensors or "
                             "ops to run, e.g. sess.trace(train_op, feed_dict).")
        trace = self._plan(targets, feeds).trace(self, list(feeds.values()), commit=commit)
        trace.results = rebuild(trace.results)
        return trace

    def plan_for(self, targets, feeds) -> Plan:
        """Return the Plan `run` uses for these fetches and fed values, compiling it once.

        `targets` is a list of Tensors/Operations; `feeds` maps fed tensors to their values
        (only the values' shapes matter). `print(sess.plan_for([loss], {x: batch}))` shows
        the steps a run executes.
        """
        targets = [self._graph.as_graph_element(t) for t in targets]
        return self._plan(targets, {self._feed_key(k): v for k, v in feeds.items()})

    def _plan(self, targets, feeds) -> Plan:
        """Plans are cached per (fetches, fed tensors) and, inside that, per fed shapes.

        The graph only ever grows and existing ops never change, so a plan stays valid as
        ops are added. A signature fed more than MAX_SHAPE_PLANS different shapes gets one
        generic plan that does not fold shapes. The cache holds at most MAX_PLANS plans:
        beyond that the least recently used signature (with all its plans) is dropped, and
        compiled again if it is run again.
        """
        signature = (tuple(targets), tuple(feeds))
        plans = self._plans
        by_shape = plans.get(signature)
        if by_shape is None:
            self._check_not_empty()
            by_shape = plans[signature] = {}
        else:
            plans.move_to_end(signature)
        shapes = tuple(getattr(v, "shape", None) for v in feeds.values())
        plan = by_shape.get(shapes)
        if plan is None:
            if len(by_shape) < MAX_SHAPE_PLANS:
                plan = by_shape[shapes] = Plan(self._graph, targets, dict(zip(feeds, shapes)))
            else:
                plan = by_shape.get(GENERIC)
                if plan is None:
                    plan = by_shape[GENERIC] = Plan(self._graph, targets, dict.fromkeys(feeds))
            self._plan_count += 1
            if self._plan_count > MAX_PLANS:
                self._evict_plans()
        return plan

    def _evict_plans(self) -> None:
        """Drop least recently used signatures until at most MAX_PLANS plans remain."""
        plans = self._plans
        count = sum(map(len, plans.values()))
        while count > MAX_PLANS and len(plans) > 1:
            _, by_shape = plans.popitem(last=False)
            count -= len(by_shape)
        self._plan_count = count

    def _fetch_structure(self, fetches):
        """Normalised fetches, cached for the common flat forms (a node or a list of nodes)."""
        try:
            key = (type(fetches), tuple(fetches) if type(fetches) is list else fetches)
            cached = self._fetch_cache.get(key)
        except TypeError:  # unhashable (a dict): normalise every time
            cached, key = None, None
        if cached is None:
            cached = _normalize_fetches(self._graph, fetches)
            if key is not None and type(fetches) in _CACHEABLE_FETCHES:
                if len(self._fetch_cache) > 1000:  # many distinct fetch lists: start over
                    self._fetch_cache.clear()
                self._fetch_cache[key] = cached
        return cached

    def _no_feeds(self, feed_dict):
        if feed_dict is not None and not isinstance(feed_dict, dict):
            raise TypeError("feed_dict must be a dictionary mapping tensors to values.")
        return {}

    def _check_not_empty(self):
        if self._graph.version == 0:
            raise RuntimeError("The Session graph is empty. Add operations to the graph "
                               "before calling run().")

    def _check_open(self):
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session. Fix: create a new "
                               "tf.Session() or keep using this one inside its `with` block; "
                               f"used at {describe_caller()}.")

    def _feed_key(self, key):
        try:
            t = self._graph.as_graph_element(key, allow_tensor=True, allow_operation=False)
        except (TypeError, ValueError, KeyError) as e:
            msg = e.args[0] if e.args else str(e)
            raise TypeError(f"Cannot interpret feed_dict key as Tensor: {msg} "
                            f"{_lookup_fix(self._graph, key, 'feed')}") from None
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
                            f"{type(feed_dict).__name__}. Fix: write feed_dict={{x: value}}; "
                            f"run called at {describe_caller()}.")
        feeds = {}
        graph, unfeedable = self._graph, self._graph._unfeedable
        for key, value in feed_dict.items():
            if type(key) is Tensor and key._op._graph is graph and key not in unfeedable:
                # Fast path: a tensor of this graph, and usually an array of its dtype.
                if type(value) is np.ndarray and value.dtype == key._dtype._numpy and \
                        _fits(key._shape._dims, value.shape):
                    feeds[key] = value
                else:
                    feeds[key] = _feed_value(key, value)
                continue
            if isinstance(key, tuple) and not isinstance(key, Tensor):
                _check_tuple_feed(key, value)
                for k, v in zip(key, value):
                    t = self._feed_key(k)
                    feeds[t] = _feed_value(t, v)
                continue
            t = self._feed_key(key)
            feeds[t] = _feed_value(t, value)
        return feeds

    # -- state -----------------------------------------------------------------------------
    def commit_variables(self, writes, row_writes=None, run=False) -> None:
        """Store new values for several variables at once ({VariableV2 op: array}).

        All values become visible together (one dict update, so not even a KeyboardInterrupt
        can commit half of them); used by Session.run (`run=True`), Saver.restore and
        Variable.load. The arrays become read-only: the session owns them. `row_writes`
        ({var: [(indices, rows)]}) change only those rows (see `_with_rows`). Nothing is
        committed once the session is closed.
        """
        for value in writes.values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
        rows = row_writes or {}
        with self._lock:
            if self._closed:
                raise closed_during_call(run)
            store = self._store
            new = {var: self._with_rows(var, pending) for var, pending in rows.items()}
            new.update(writes)
            for var in writes:
                self._shadows.pop(var, None)
            olds = {var: store.get(var) for var in writes if var not in rows}
            store.update(new)
        # Recycle each replaced buffer for the next update of its variable, unless someone
        # still holds it (a view, a concurrent run): refcount = `olds` + `old` + argument.
        for var, old in olds.items():
            if type(old) is np.ndarray and old is not writes[var] and old.base is None and \
                    sys.getrefcount(old) <= 3:
                self._spare[var] = old

    def _with_rows(self, var, pending) -> np.ndarray:
        """The stored value of `var` with the `pending` rows written, at the cost of rows.

        Double buffering: the array stored before the previous row commit (the shadow) is
        brought up to date by copying the rows it lacks, then gets the new rows and becomes
        the stored value; the array readers may still be using is never changed, so a run
        never sees a half-written update. The first row commit of a variable, or one while
        a reader still holds the shadow, pays for one copy of the table.
        """
        current = self._store[var]
        shadow, lacking = self._shadows.pop(var, (None, ()))
        if shadow is None or shadow.shape != current.shape or \
                shadow.dtype != current.dtype or sys.getrefcount(shadow) > 2:  # local, arg
            shadow = np.array(current, copy=True)
        else:
            shadow.flags.writeable = True
            for indices in lacking:
                shadow[indices] = current[indices]
        for indices, rows in pending:
            shadow[indices] = rows
        shadow.flags.writeable = False
        self._shadows[var] = (current, [indices for indices, _ in pending])
        return shadow

    def take_buffer(self, key, like: np.ndarray) -> np.ndarray:
        """A writable array shaped like `like`, reused across runs under `key` when possible.

        Kernels that write variables build their result in such a buffer (`RunContext.buffer`)
        instead of a fresh array; see allocator.py for why fresh big arrays are slow.
        """
        buf = self._spare.pop(key, None)
        if buf is None or buf.shape != like.shape or buf.dtype != like.dtype or \
                not buf.flags.c_contiguous:
            return np.empty(like.shape, like.dtype)  # C order, whatever `like`'s order
        buf.flags.writeable = True
        return buf

    def give_buffer(self, key, buf: np.ndarray) -> None:
        """Return a scratch buffer taken with take_buffer."""
        self._spare[key] = buf

    def variable_values(self, var_ops) -> dict:
        """Return {VariableV2 op: current array}; raise FailedPreconditionError if any is
        uninitialized (the error names the first such variable)."""
        ctx = RunContext(self)
        return {op: ctx.read(op) for op in var_ops}

    def variable_locks(self, variables) -> list:
        """The locks a run holds while it updates `variables` (created on first use).

        Always taken in one order (the plan sorts its written variables), so two runs that
        write overlapping sets cannot deadlock each other.
        """
        locks, table = [], self._variable_locks
        for var in variables:
            lock = table.get(var)
            if lock is None:
                with self._lock:
                    lock = table.setdefault(var, threading.RLock())
            locks.append(lock)
        return locks

    @staticmethod
    def acquire_locks(locks) -> None:
        """Take `locks` (from variable_locks) for one run of this thread.

        Ctrl-C raises KeyboardInterrupt between any two Python steps, so a run can be
        interrupted after taking a lock and before its `finally` releases it (or while the
        `finally` runs). Such a lock is left owned by this thread, which is not in any other
        run now (runs do not nest), so it is released here before being taken again: after
        any interrupt the thread's next run works.
        """
        for lock in locks:
            if lock._is_owned():
                lock._release_save()  # left over from an interrupted run of this thread
            lock.acquire()

    @staticmethod
    def release_locks(locks) -> None:
        """Release the locks of `locks` that this thread holds, even under a Ctrl-C storm."""
        interrupt = None
        while True:
            try:
                for lock in reversed(locks):
                    if lock._is_owned():
                        lock.release()
                break
            except KeyboardInterrupt as e:  # finish releasing, then deliver the interrupt
                interrupt = e
        if interrupt is not None:
            raise interrupt

    def loop_program(self, op) -> LoopProgram:
        """The compiled body and condition of While op `op` (compiled on first use).

        Recompiled when a gradient built later asks the loop to save more values.
        """
        key = (op, len(op.attrs["frame"].saved))
        program = self._loops.get(key)
        if program is None:
            with self._lock:
                program = self._loops.get(key)
                if program is None:
                    program = self._loops[key] = LoopProgram(self._graph, op)
        return program

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
