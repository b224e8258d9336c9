"""Graph, with name scopes, control dependencies and collections; the default stacks.

Lives here: the Graph (TF 1.x naming rules, scopes, collections, lookup), the default-graph
stack and its sibling, the default-session stack (both per thread), and the module-level
shortcuts acting on the default graph. The nodes themselves (Tensor, Operation) live in
tensor.py. The graph only records; it does not run (session.py), differentiate
(gradients.py) or draw (export/).
"""

from __future__ import annotations

import contextlib
import re
import threading

from .errors import describe_site, user_frame
from .tensor import (Operation, Tensor, TensorOperators, describe_value, exporter, frame_branch,
                     frame_inputs)

__all__ = [
    "Graph", "GraphKeys", "get_default_graph", "reset_default_graph",
    "name_scope", "control_dependencies", "device", "add_to_collection", "add_to_collections",
    "get_collection", "get_collection_ref", "get_default_session", "colocate_with",
]

_ROOT_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\-/>]*$")
_NESTED_NAME = re.compile(r"^[A-Za-z0-9_.\-/>]*$")


class GraphKeys:
    """Standard collection names (`tf.GraphKeys.TRAINABLE_VARIABLES` is "trainable_variables")."""

    GLOBAL_VARIABLES = VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    MODEL_VARIABLES = "model_variables"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    METRIC_VARIABLES = "metric_variables"
    GLOBAL_STEP = "global_step"
    UPDATE_OPS = "update_ops"
    SUMMARIES = "summaries"
    LOSSES = "losses"
    REGULARIZATION_LOSSES = "regularization_losses"
    TRAIN_OP = "train_op"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    SUMMARY_OP = "summary_op"
    SAVERS = "savers"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    ACTIVATIONS = "activations"
    WEIGHTS = "weights"
    BIASES = "biases"
    ASSET_FILEPATHS = "asset_filepaths"
    EVAL_STEP = "eval_step"
    RESOURCES = "resources"
    LOCAL_RESOURCES = "local_resources"
    COND_CONTEXT = "cond_context"
    WHILE_CONTEXT = "while_context"
    CONCATENATED_VARIABLES = "concatenated_variables"


# ---------------------------------------------------------------------------------------
# Graph
# ---------------------------------------------------------------------------------------
class Graph:
    """A container of Operations with unique names, scopes, collections and a version.

    Example: `with tf.Graph().as_default() as g: c = tf.constant(1.0)` puts `c` in `g`.
    """

    def __init__(self):
        self._ops = []
        self._by_name = {}
        self._names_in_use = {}
        self._collections = {}
        self._finalized = False
        self._lock = threading.RLock()
        self._local = threading.local()
        self._unfeedable = set()
        self._unfetchable = set()
        self.seed = None
        self.seedless_random_ops = 0  # random_ops.get_seed derives op seeds from it (1.10)
        self.variable_store = {}  # get_variable's store: full name -> Variable

    # -- thread-local construction state ------------------------------------------------
    def _state(self):
        local = self._local
        if not hasattr(local, "name_stack"):
            local.name_stack = ""
            local.control_stack = []
            local.device_stack = []
            local.variable_scopes = []
            local.cond_stack = []  # CondBranch (or None: outside any cond) of new ops
            local.frame_stack = []  # WhileFrame of new ops (innermost last)
            local.gradient_overrides = {}  # op type -> RegisterGradient name
        return local

    @property
    def version(self) -> int:
        """The number of ops created so far (it grows with every op)."""
        return len(self._ops)

    @property
    def finalized(self) -> bool:
        return self._finalized

    building_function = False
    graph_def_versions = property(lambda self: {"producer": 27})

    def finalize(self) -> None:
        """Make the graph read-only: any later op creation raises RuntimeError."""
        self._finalized = True

    def _unsafe_unfinalize(self) -> None:
        self._finalized = False

    def _check_not_finalized(self):
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified. Fix: build every op "
                               "before finalize() (or before a MonitoredSession starts); "
                               f"this addition came from {describe_site(user_frame())}.")

    @contextlib.contextmanager
    def as_default(self):
        """Make this graph the default graph of the current thread inside the block."""
        stack = _graph_stack()
        stack.append(self)
        try:
            yield self
        finally:
            stack.pop()

    def get_operations(self) -> list:
        return list(self._ops)

    # -- names ---------------------------------------------------------------------------
    def get_name_scope(self) -> str:
        return self._state().name_stack

    def unique_name(self, name: str, mark_as_used: bool = True) -> str:
        """Return `name` made unique in this graph, in the current name scope."""
        stack = self._state().name_stack
        if stack:
            name = stack + "/" + name
        key = name.lower()
        if key == name:
            key = name  # one string, not two, per lower-case name (memory)
        count = self._names_in_use.get(key, 0)
        if mark_as_used:
            self._names_in_use[key] = count + 1
        if count > 0:
            base = key
            while key in self._names_in_use:
                key = f"{base}_{count}"
                count += 1
            count -= 1
            if mark_as_used:
                self._names_in_use[key] = 1
            name = f"{name}_{count}"
        return name

    @contextlib.contextmanager
    def name_scope(self, name):
        """Open a name scope; yields the scope string ("s/", "s_1/", or "" at the root)."""
        state = self._state()
        old = state.name_stack
        if not name:
            new, returned = "", ""
        elif name.endswith("/"):
            _validate_name(name[:-1], nested=False, what="scope")
            new, returned = name[:-1], name
        else:
            _validate_name(name, nested=bool(old), what="scope")
            new = self.unique_name(name)
            returned = new + "/"
        state.name_stack = new
        try:
            yield returned
        finally:
            state.name_stack = old

    # -- op creation ---------------------------------------------------------------------
    def create_op(self, op_def, inputs, attrs, name):
        """Add one Operation. `name` ending in "/" is used verbatim (TF's scope idiom).

        The op definition infers the output specs; its errors name the new node.
        """
        with self._lock:
            self._check_not_finalized()
            if name.endswith("/"):
                op_name = name[:-1]
                _validate_name(op_name, nested=False, what="node")  # a full name, used as is
                if op_name in self._by_name:
                    raise ValueError(f"Duplicate node name in graph: '{op_name}'. Pick another "
                                     "name, or let minigraph uniquify it by dropping the "
                                     "trailing '/'.")
            else:
                _validate_name(name, nested=bool(self._state().name_stack), what="node")
                op_name = self.unique_name(name)
                if op_name in self._by_name:  # taken verbatim earlier via a trailing "/"
                    raise ValueError(f"Duplicate node name in graph: '{op_name}' (it was "
                                     f"created earlier with name='{op_name}/', which does not "
                                     "reserve the name). Pick another name.")
            site = user_frame()
            state = self._state()
            frame = state.frame_stack[-1] if state.frame_stack else None
            inputs = frame_inputs(inputs, frame, op_name)
            output_specs = op_def.output_specs(inputs, attrs, op_name, site)
            control = self._current_control_inputs(inputs)
            if frame is not None:  # outside ops gate the loop (its While op), not one step
                control = [c for c in control if c.loop_frame is frame]
            dev = state.device_stack[-1] if state.device_stack else ""
            op = Operation(self, op_def, op_name, inputs, attrs, control, output_specs,
                           "" if callable(dev) else dev, site)
            if callable(dev):  # a device function picks the device per op; used as is
                op.device = dev(op) or ""
            if state.cond_stack:
                op.cond_context = state.cond_stack[-1]
                if frame is not None and op.cond_context is not None:
                    op.cond_context = frame_branch(op.cond_context, frame)
            if frame is not None:
                op.loop_frame = frame
                frame.ops.append(op)
            if state.gradient_overrides:
                op.gradient_override = state.gradient_overrides.get(op.type)
            self._ops.append(op)
            self._by_name[op_name] = op
            for t in inputs:
                t._consumers.append(op)
            return op

    # -- control dependencies and devices -----------------------------------------------
    def _current_control_inputs(self, inputs):
        stack = self._state().control_stack
        if not stack:
            return []
        data_ops = {t._op for t in inputs}
        result = []
        for frame in reversed(stack):
            if frame is None:
                break
            for op in frame:
                if op not in data_ops and op not in result:
                    result.append(op)
        return result

    @contextlib.contextmanager
    def cond_branch(self, branch):
        """Ops created in the block belong to `branch` (a CondBranch; None: to no cond)."""
        stack = self._state().cond_stack
        stack.append(branch)
        try:
            yield
        finally:
            stack.pop()

    @contextlib.contextmanager
    def loop_frame(self, frame):
        """Ops created in the block belong to the while-loop body `frame` (a WhileFrame).

        The body starts outside any tf.cond branch: a loop built in a branch is one op of
        that branch, and its body runs only when that op does.
        """
        state = self._state()
        state.frame_stack.append(frame)
        state.cond_stack.append(None)
        try:
            yield frame
        finally:
            state.cond_stack.pop()
            state.frame_stack.pop()

    @property
    def current_loop_frame(self):
        """The WhileFrame new ops are created in, or None outside while-loop bodies."""
        stack = self._state().frame_stack
        return stack[-1] if stack else None

    @contextlib.contextmanager
    def gradient_override_map(self, op_type_map: dict):
        """Ops of the mapped types created in the block take their gradient from the
        function registered (tf.RegisterGradient) under the mapped name."""
        for key, value in op_type_map.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise TypeError("op_type_map must be a dictionary mapping strings to strings")
        state = self._state()
        old = state.gradient_overrides
        state.gradient_overrides = {**old, **op_type_map}
        try:
            yield
        finally:
            state.gradient_overrides = old

    @property
    def current_cond_branch(self):
        """The CondBranch new ops are created in, or None outside tf.cond branches."""
        stack = self._state().cond_stack
        return stack[-1] if stack else None

    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        """Ops created in the block run only after `control_inputs`; None clears outer ones.

        None also leaves any tf.cond branch and while-loop body (as in TF1): variables
        created in a branch or loop body function, and their initializers, are made once,
        outside it.
        """
        state = self._state()
        if control_inputs is None:
            frame = None
            state.cond_stack.append(None)
            state.frame_stack.append(None)
        else:
            frame = []
            for c in control_inputs:
                op = self.as_graph_element(c, allow_tensor=True, allow_operation=True)
                frame.append(op.op if isinstance(op, Tensor) else op)
        state.control_stack.append(frame)
        try:
            yield
        finally:
            state.control_stack.pop()
            if frame is None:
                state.cond_stack.pop()
                state.frame_stack.pop()

    @contextlib.contextmanager
    def device(self, spec):
        """Record a device string on ops created inside (minigraph places nothing)."""
        stack = self._state().device_stack
        if spec is None:
            value = ""
        elif callable(spec):
            value = spec
        else:
            value = _merge_device(stack[-1] if stack and isinstance(stack[-1], str) else "",
                                  spec)
        stack.append(value)
        try:
            yield
        finally:
            stack.pop()

    @contextlib.contextmanager
    def colocate_with(self, op, ignore_existing=False):
        """Accepted for compatibility; minigraph has a single device, so it changes nothing."""
        yield

    # -- lookup --------------------------------------------------------------------------
    def as_graph_element(self, obj, allow_tensor=True, allow_operation=True):
        """Return the Tensor or Operation that `obj` (object or name) denotes in this graph."""
        if hasattr(obj, "_as_graph_element"):
            obj = obj._as_graph_element()
        if isinstance(obj, str):
            if ":" in obj:
                if not allow_tensor:
                    raise ValueError(f"Name '{obj}' appears to refer to a Tensor, not an "
                                     "Operation.")
                return self.get_tensor_by_name(obj)
            if not allow_operation:
                raise ValueError(f"The name '{obj}' refers to an Operation, not a Tensor. "
                                 f"Tensor names look like '<op_name>:<output_index>', e.g. "
                                 f"'{obj}:0'.")
            return self.get_operation_by_name(obj)
        if isinstance(obj, Tensor) and allow_tensor:
            if obj.graph is not self:
                raise ValueError(f"Tensor {obj} is not an element of this graph.")
            return obj
        if isinstance(obj, Operation) and allow_operation:
            if obj.graph is not self:
                raise ValueError(f"Operation {obj} is not an element of this graph.")
            return obj
        raise TypeError(f"Can not convert a {type(obj).__name__} into a "
                        f"{'Tensor or Operation' if allow_operation else 'Tensor'}.")

    def get_operation_by_name(self, name: str) -> Operation:
        if ":" in name:
            raise ValueError(f"Name '{name}' appears to refer to a Tensor, not an Operation.")
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"The name '{name}' refers to an Operation not in the graph.") \
                from None

    def get_tensor_by_name(self, name: str) -> Tensor:
        if ":" not in name:
            raise ValueError(f"The name '{name}' refers to an Operation, not a Tensor. Tensor "
                             f"names look like '<op_name>:<output_index>', e.g. '{name}:0'.")
        op_name, _, index = name.rpartition(":")
        op = self._by_name.get(op_name)
        if op is None:
            raise KeyError(f"The name '{name}' refers to a Tensor which does not exist. The "
                           f"operation, '{op_name}', does not exist in the graph.")
        try:
            return op._outputs[int(index)]
        except (ValueError, IndexError):
            raise KeyError(f"The name '{name}' refers to a Tensor which does not exist. The "
                           f"operation, '{op_name}', exists but only has "
                           f"{len(op._outputs)} outputs.") from None

    # -- collections ----------------------------------------------------------------------
    def add_to_collection(self, name, value) -> None:
        self._check_not_finalized()
        self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names, value) -> None:
        for name in ([names] if isinstance(names, str) else set(names)):
            self.add_to_collection(name, value)

    def get_collection_ref(self, name) -> list:
        return self._collections.setdefault(name, [])

    def get_collection(self, name, scope=None) -> list:
        items = self._collections.get(name, [])
        if scope is None:
            return list(items)
        pattern = re.compile(scope)
        return [i for i in items if hasattr(i, "name") and pattern.match(i.name)]

    def get_all_collection_keys(self) -> list:
        return [k for k in self._collections if isinstance(k, str)]

    def clear_collection(self, name) -> None:
        self._collections.pop(name, None)

    # -- feeding and fetching -------------------------------------------------------------
    def prevent_feeding(self, tensor) -> None:
        self._unfeedable.add(tensor)

    def is_feedable(self, tensor) -> bool:
        return tensor not in self._unfeedable

    def prevent_fetching(self, op) -> None:
        self._unfetchable.add(op)

    def is_fetchable(self, tensor_or_op) -> bool:
        op = tensor_or_op.op if isinstance(tensor_or_op, Tensor) else tensor_or_op
        return op not in self._unfetchable

    def session_for(self, session, what: str, name: str | None = None):
        """`session`, else the default session; raise ValueError if none, or if it runs
        another graph. `what` ("evaluate tensor using `eval()`") and `name` go in the error."""
        if session is None:
            session = get_default_session()
            if session is None:
                node = f" ('{name}')" if name else ""
                raise ValueError(f"Cannot {what}: No default session is registered. Use "
                                 "`with sess.as_default():` or pass an explicit session, e.g. "
                                 f"t.eval(session=sess). Called{node} at "
                                 f"{describe_site(user_frame())}.")
        if session.graph is not self:
            raise ValueError("Cannot use the given session to evaluate tensor: the tensor's graph "
                             "is different from the session's graph. Pass a session created on "
                             "the tensor's graph.")
        return session

    def as_graph_def(self, add_shapes=False):
        """Return the graph as a GraphDef (needs the `tensorboard` extra for the protos)."""
        return exporter("graph_def")(self, add_shapes=add_shapes)


def _validate_name(name, nested, what):
    pattern = _NESTED_NAME if nested else _ROOT_NAME
    if not pattern.match(name):
        kind = "node name" if what == "node" else ("scope name" if nested else "root scope name")
        raise ValueError(f"'{name}' is not a valid {kind}: use letters, digits and '_.-/' "
                         "(and do not start a root name with '_', '-' or '/'). Given at "
                         f"{describe_site(user_frame())}.")


def _merge_device(outer: str, spec: str) -> str:
    """Normalise a device string ("/gpu:0" -> "/device:GPU:0") and merge it into `outer`."""
    fields = {}
    for part in (outer, spec):
        for piece in filter(None, part.split("/")):
            key, _, value = piece.partition(":")
            low = key.lower()
            if low in ("job", "replica", "task"):
                fields[low] = value
            elif low == "device":
                dtype, _, index = value.partition(":")
                fields["device"] = f"{dtype.upper()}:{index or '*'}"
            elif low in ("cpu", "gpu", "tpu"):
                fields["device"] = f"{low.upper()}:{value or '*'}"
            else:
                raise ValueError(f"Unknown attribute: '{piece}' in '{spec}': device strings "
                                 "look like '/job:ps/task:0/device:CPU:0' or '/gpu:0'.")
    out = "".join(f"/{k}:{fields[k]}" for k in ("job", "replica", "task") if k in fields)
    if "device" in fields:
        out += f"/device:{fields['device']}"
    return out


# ---------------------------------------------------------------------------------------
# Default graph and default session stacks (per thread)
# ---------------------------------------------------------------------------------------
_thread = threading.local()
_global_graph = None
_global_lock = threading.Lock()


def _graph_stack() -> list:
    stack = getattr(_thread, "graphs", None)
    if stack is None:
        stack = _thread.graphs = []
    return stack


def _session_stack() -> list:
    stack = getattr(_thread, "sessions", None)
    if stack is None:
        stack = _thread.sessions = []
    return stack


def get_default_graph() -> Graph:
    """Return the innermost graph entered with `as_default()`, else the global graph."""
    stack = getattr(_thread, "graphs", None)
    if stack:
        return stack[-1]
    global _global_graph
    if _global_graph is None:
        with _global_lock:
            if _global_graph is None:
                _global_graph = Graph()
    return _global_graph


def reset_default_graph() -> None:
    """Replace the global default graph with a new, empty one."""
    if _graph_stack():
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. If "
                             "you need a cleared graph, exit the nesting and create a new "
                             "graph. Fix: call it outside every `with graph.as_default():` "
                             f"block (called at {describe_site(user_frame())}).")
    global _global_graph
    _global_graph = Graph()


def get_default_session():
    """Return the innermost session entered with `as_default()` or `with`, else None."""
    stack = getattr(_thread, "sessions", None)
    return stack[-1] if stack else None


def graph_of(values, default=None) -> Graph:
    """Return the one graph that the tensors/ops among `values` belong to (else the default).

    Raises ValueError naming two offenders when they come from different graphs.
    """
    graph, first = None, None
    for v in values:
        g = getattr(v, "graph", None) if isinstance(v, (Tensor, Operation)) or hasattr(
            v, "_as_graph_element") else None
        if g is None:
            continue
        if graph is None:
            graph, first = g, v
        elif g is not graph:
            raise ValueError(f"{v!r} must be from the same graph as {first!r} (they come from "
                             "two different tf.Graph objects). Fix: build both inside the same "
                             f"`with graph.as_default():` block. {describe_value(first)} vs "
                             f"{describe_value(v)}; combined at {describe_site(user_frame())}.")
    if graph is None:
        return default if default is not None else get_default_graph()
    return graph


# ---------------------------------------------------------------------------------------
# Module-level shortcuts acting on the default graph
# ---------------------------------------------------------------------------------------
@contextlib.contextmanager
def name_scope(name, default_name=None, values=None):
    """Open a name scope in the graph of `values` (or the default graph).

    Example: `with tf.name_scope("layer") as scope:` -> ops named "layer/...".
    """
    graph = graph_of(values or [])
    if name is None and default_name is not None:
        name = default_name
    ctx = graph.as_default() if values else contextlib.nullcontext()
    with ctx, graph.name_scope(name) as scope:
        yield scope


def control_dependencies(control_inputs):
    """`tf.control_dependencies`: see Graph.control_dependencies."""
    if control_inputs is not None and not isinstance(control_inputs, (list, tuple, set)):
        if isinstance(control_inputs, TensorOperators):
            control_inputs.__iter__()  # raises the TF1 "not iterable" TypeError
        control_inputs = list(control_inputs)
    # TF applies this to the default graph; inputs from another graph are refused there.
    return get_default_graph().control_dependencies(control_inputs)


def device(spec):
    """`tf.device`: record a device string on ops created inside (no placement happens)."""
    return get_default_graph().device(spec)


def colocate_with(op, ignore_existing=False):
    return get_default_graph().colocate_with(op, ignore_existing)


def add_to_collection(name, value) -> None:
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names, value) -> None:
    get_default_graph().add_to_collections(names, value)


def get_collection(key, scope=None) -> list:
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key) -> list:
    return get_default_graph().get_collection_ref(key)
