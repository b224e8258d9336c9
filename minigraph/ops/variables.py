"""Variable, variable scopes and the variable collections.

Lives here: `Variable` (a RefVariable in TF 1.x terms: a `VariableV2` node, its `Assign`
initializer and its `read` Identity), `get_variable` with `variable_scope`, and the
initializer/collection helpers (global_variables_initializer, report_uninitialized_variables,
...). The initializer classes (zeros_initializer, glorot_uniform_initializer, ...) live in
init_ops.py, the ops behind variables (VariableV2, Assign) in state_ops.py. Variable *values*
live in each Session, never here.
"""

from __future__ import annotations

import contextlib
import threading

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.errors import describe_site, user_frame
from ..framework.graph import GraphKeys, get_default_graph
from ..framework.shapes import TensorShape, as_shape
from ..framework.tensor import Tensor, TensorOperators
from . import array_ops, constant_op, control_flow_ops, scatter_ops, state_ops
from .init_ops import Initializer, glorot_uniform_initializer, zeros_initializer

__all__ = [
    "Variable", "global_variables", "trainable_variables", "local_variables",
    "model_variables", "moving_average_variables", "global_variables_initializer",
    "local_variables_initializer", "variables_initializer", "initialize_all_variables",
    "initialize_variables", "initialize_local_variables", "report_uninitialized_variables",
    "assert_variables_initialized", "get_variable", "variable_scope", "get_variable_scope",
    "VariableScope", "AUTO_REUSE",
]


def _caller() -> str:
    return describe_site(user_frame())


class Variable(TensorOperators):
    """A value that persists across `Session.run` calls.

    Example: `v = tf.Variable(0.0, name="v")`; after `sess.run(v.initializer)`,
    `sess.run(v.assign_add(1.0))` -> 1.0.
    """

    def __init__(self, initial_value=None, trainable=None, collections=None,
                 validate_shape=True, caching_device=None, name=None, variable_def=None,
                 dtype=None, expected_shape=None, import_scope=None, constraint=None,
                 use_resource=None, synchronization=None, aggregation=None, shape=None):
        if variable_def is not None:
            self._init_from_variable_def(variable_def, import_scope)
            return
        if initial_value is None:
            raise ValueError("initial_value must be specified. Example: tf.Variable(0.0) or "
                             "tf.Variable(tf.zeros([3])). Fix: pass the starting value (or use "
                             f"tf.get_variable(name, shape)); called at {_caller()}.")
        trainable = True if trainable is None else trainable
        collections = [GraphKeys.GLOBAL_VARIABLES] if collections is None else list(collections)
        if trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections.append(GraphKeys.TRAINABLE_VARIABLES)
        graph = get_default_graph()
        dtype = _dtypes.as_dtype(dtype) if dtype is not None else None
        with graph.name_scope(name or "Variable") as scope, graph.control_dependencies(None):
            if callable(initial_value):
                with graph.name_scope("Initializer"):
                    initial_value = initial_value()
            init = constant_op.convert_to_tensor(initial_value, dtype=dtype,
                                                 name="initial_value")
            if dtype is not None and init.dtype.base_dtype != dtype:
                raise TypeError(f"Initial value has dtype {init.dtype.name}, but the variable "
                                f"was declared {dtype.name}. Fix: tf.cast the initial value.")
            var_shape = init.shape if validate_shape else TensorShape(None)
            if shape is not None:
                var_shape = as_shape(shape)
            if validate_shape and not var_shape.is_fully_defined():
                raise ValueError(f"initial_value must have a shape specified: {init}. Fix: pass "
                                 "validate_shape=False, or give the initial value a fully known "
                                 "shape.")
            self._variable = state_ops.VariableV2.apply(
                [], name=scope, shape=var_shape, dtype=init.dtype.base_dtype)
            self._initializer_op = state_ops.assign(
                self._variable, guard_variable_reads(init), validate_shape=validate_shape,
                name="Assign").op
            self._snapshot = array_ops.identity(self._variable, name="read")
        self._initial_value = init
        self._trainable = trainable
        self._constraint = constraint
        graph.add_to_collections(collections, self)

    def _init_from_variable_def(self, proto, import_scope) -> None:
        """Wrap the ops a VariableDef names (an imported graph's variable) as a Variable."""
        graph = get_default_graph()

        def scoped(name: str) -> str:
            return f"{import_scope}/{name}" if import_scope else name

        try:
            self._variable = graph.get_tensor_by_name(scoped(proto.variable_name))
            self._initializer_op = graph.get_operation_by_name(scoped(proto.initializer_name))
            self._snapshot = graph.get_tensor_by_name(scoped(proto.snapshot_name))
        except (KeyError, ValueError) as e:
            raise ValueError(f"variable_def names ops that are not in the graph ({e}). Fix: "
                             "import the graph (tf.import_graph_def) before its variables, "
                             "with the same import_scope.") from None
        self._initial_value = (graph.get_tensor_by_name(scoped(proto.initial_value_name))
                               if proto.initial_value_name else None)
        self._trainable = bool(getattr(proto, "trainable", True))
        self._constraint = None

    # -- graph identity -------------------------------------------------------------------
    def _as_graph_element(self):
        return self._variable

    def _ref(self) -> Tensor:
        return self._variable

    def value(self) -> Tensor:
        """The `<name>/read` tensor that operators and conversions use."""
        return self._snapshot

    def read_value(self) -> Tensor:
        """A new Identity op named "read" reading the variable where it runs."""
        return array_ops.identity(self._variable, name="read")

    name = property(lambda self: self._variable.name)
    op = property(lambda self: self._variable.op)
    graph = property(lambda self: self._variable.graph)
    device = property(lambda self: self._variable.device)
    dtype = property(lambda self: self._variable.dtype)
    shape = property(lambda self: self._variable.shape)
    trainable = property(lambda self: self._trainable)
    initializer = property(lambda self: self._initializer_op)
    initial_value = property(lambda self: self._initial_value)
    constraint = property(lambda self: self._constraint)

    def get_shape(self) -> TensorShape:
        return self._variable.shape

    def set_shape(self, shape) -> None:
        self._variable.set_shape(shape)

    def initialized_value(self) -> Tensor:
        """The value if initialized, else the initial value (safe to use in other inits)."""
        return state_ops.InitializedValue.apply([self._variable, self._initial_value],
                                                name="initialized_value")

    # -- updates ----------------------------------------------------------------------------
    def assign(self, value, use_locking=False, name=None, read_value=True):
        return state_ops.assign(self._variable, value, use_locking=use_locking, name=name)

    def assign_add(self, delta, use_locking=False, name=None, read_value=True):
        return state_ops.assign_add(self._variable, delta, use_locking=use_locking, name=name)

    def assign_sub(self, delta, use_locking=False, name=None, read_value=True):
        return state_ops.assign_sub(self._variable, delta, use_locking=use_locking, name=name)

    def scatter_add(self, sparse_delta, use_locking=False, name=None):
        """Add an IndexedSlices to rows of the variable (only those rows are touched)."""
        return scatter_ops.scatter_add(self._variable, *_slices(sparse_delta),
                                       use_locking=use_locking, name=name)

    def scatter_sub(self, sparse_delta, use_locking=False, name=None):
        """Subtract an IndexedSlices from rows of the variable."""
        return scatter_ops.scatter_sub(self._variable, *_slices(sparse_delta),
                                       use_locking=use_locking, name=name)

    def scatter_update(self, sparse_delta, use_locking=False, name=None):
        """Overwrite rows of the variable with an IndexedSlices."""
        return scatter_ops.scatter_update(self._variable, *_slices(sparse_delta),
                                          use_locking=use_locking, name=name)

    def eval(self, session=None):
        """The variable's value in `session` or the default session."""
        return self._variable.eval(session=session)

    def load(self, value, session=None) -> None:
        """Store `value` in the variable without adding ops to the graph."""
        session = self.graph.session_for(session, "load a variable")
        op = self._variable.op
        arr = np.array(value, dtype=self.dtype.as_numpy_dtype)
        if not self.shape.is_compatible_with(arr.shape):
            raise ValueError(f"Cannot load a value of shape {arr.shape} into variable "
                             f"{self.name} of shape {self.shape}.")
        session.commit_variables({op: arr})

    def __repr__(self):
        return f"<tf.Variable '{self.name}' shape={self.shape} dtype={self.dtype.name}>"

    __hash__ = object.__hash__


def guard_variable_reads(value: Tensor) -> Tensor:
    """Rebuild the ops behind `value` so that each variable they read is read through
    `initialized_value()`: its value when initialized, else its initial value.

    This is TF1's rule for initial values that read other variables:
    `tf.Variable(v * 2)` can be initialized before `v`. Only ops that depend on a
    variable are copied (the graph only grows); `value` itself is returned when none does.
    """
    graph = value.graph
    needed, stack, variables = set(), [value.op], []
    while stack:
        op = stack.pop()
        if op in needed:
            continue
        needed.add(op)
        if op.type == "VariableV2":
            variables.append(op)
            continue
        stack.extend(t.op for t in op.inputs)
    replaced = {}
    for var in variables:
        initial = _initial_value_of(var)
        if initial is not None:
            replaced[var.outputs[0]] = state_ops.InitializedValue.apply(
                [var.outputs[0], initial], name="initialized_value")
    if not replaced:
        return value
    position = {op: i for i, op in enumerate(graph.get_operations())}
    for op in sorted(needed, key=position.__getitem__):  # creation order is topological
        if op.type == "VariableV2":
            continue
        ref_inputs = op.op_def.ref_inputs
        inputs = [t if i in ref_inputs else replaced.get(t, t) for i, t in enumerate(op.inputs)]
        if inputs == list(op.inputs):
            continue
        copy = graph.create_op(op.op_def, inputs, dict(op.attrs), op.name.rsplit("/", 1)[-1])
        replaced.update(zip(op.outputs, copy.outputs, strict=True))
    return replaced.get(value, value)


def _initial_value_of(var_op):
    """The initial-value tensor of a variable, found through its `<name>/Assign` op."""
    for consumer in var_op.outputs[0].consumers():
        if consumer.type == "Assign" and consumer.name == var_op.name + "/Assign":
            return consumer.inputs[1]
    return None


# ---------------------------------------------------------------------------------------
# Collections and initializers of many variables
# ---------------------------------------------------------------------------------------
def global_variables(scope=None) -> list:
    """All variables in GLOBAL_VARIABLES (optionally filtered by a name-regex `scope`)."""
    return get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


def trainable_variables(scope=None) -> list:
    return get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope=None) -> list:
    return get_default_graph().get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def model_variables(scope=None) -> list:
    return get_default_graph().get_collection(GraphKeys.MODEL_VARIABLES, scope)


def moving_average_variables(scope=None) -> list:
    return get_default_graph().get_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, scope)


def variables_initializer(var_list, name="init"):
    """One op that runs the initializers of `var_list` (a NoOp when the list is empty)."""
    var_list = list(var_list)
    if not var_list:
        return control_flow_ops.no_op(name=name)
    return control_flow_ops.group(*[v.initializer for v in var_list], name=name)


def global_variables_initializer():
    """Initialize the global variables that exist *now* (create it after all variables)."""
    return variables_initializer(global_variables(), name="init")


def local_variables_initializer():
    return variables_initializer(local_variables(), name="init")


def initialize_all_variables():
    """Deprecated TF1 alias of global_variables_initializer."""
    return global_variables_initializer()


def initialize_variables(var_list, name="init"):
    """Deprecated TF1 alias of variables_initializer."""
    return variables_initializer(var_list, name)


def initialize_local_variables():
    return local_variables_initializer()


def report_uninitialized_variables(var_list=None, name="report_uninitialized_variables"):
    """A 1-D string tensor naming the variables not yet initialized in the session."""
    if var_list is None:
        var_list = global_variables() + local_variables()
    refs = [v._ref() for v in var_list]
    return state_ops.ReportUninitialized.apply(refs, name=name)


def assert_variables_initialized(var_list=None):
    """An op that fails (FailedPreconditionError) if any listed variable is uninitialized."""
    if var_list is None:
        var_list = global_variables() + local_variables()
    refs = [v._ref() for v in var_list]
    return state_ops.AssertInitialized.apply(refs, name="assert_initialized")


# ---------------------------------------------------------------------------------------
# variable_scope and get_variable
# ---------------------------------------------------------------------------------------
class _AutoReuse:
    def __repr__(self):
        return "tf.AUTO_REUSE"


AUTO_REUSE = _AutoReuse()


class VariableScope:
    """A variable scope: a name prefix for get_variable plus defaults (reuse, initializer)."""

    def __init__(self, reuse, name="", initializer=None, regularizer=None, dtype=None,
                 name_scope=""):
        self.name = name
        self.reuse = reuse
        self.initializer = initializer
        self.regularizer = regularizer
        self.dtype = _dtypes.as_dtype(dtype) if dtype is not None else _dtypes.float32
        self.original_name_scope = name_scope

    def reuse_variables(self) -> None:
        self.reuse = True

    def set_initializer(self, initializer) -> None:
        self.initializer = initializer

    def get_variable(self, name, *args, **kwargs):
        return get_variable(name, *args, **kwargs)


_scope_local = threading.local()


def _scope_stack(graph) -> list:
    stacks = getattr(_scope_local, "stacks", None)
    if stacks is None:
        stacks = _scope_local.stacks = {}
    return stacks.setdefault(id(graph), [])


def get_variable_scope() -> VariableScope:
    """The current VariableScope (the root scope has name "" and reuse False)."""
    stack = _scope_stack(get_default_graph())
    return stack[-1] if stack else VariableScope(False)


@contextlib.contextmanager
def variable_scope(name_or_scope, default_name=None, values=None, initializer=None,
                   regularizer=None, caching_device=None, partitioner=None, custom_getter=None,
                   reuse=None, dtype=None, use_resource=None, constraint=None,
                   auxiliary_name_scope=True):
    """Open a variable scope (for get_variable) and a name scope (for ops).

    Example: `with tf.variable_scope("layer", reuse=tf.AUTO_REUSE): w = tf.get_variable("w", [3])`.
    """
    graph = get_default_graph()
    stack = _scope_stack(graph)
    parent = stack[-1] if stack else VariableScope(False)
    counts = graph.__dict__.setdefault("_var_scope_counts", {})
    if isinstance(name_or_scope, VariableScope):
        full, ops_name = name_or_scope.name, name_or_scope.name.rsplit("/", 1)[-1]
        base = name_or_scope
    elif name_or_scope:
        full = f"{parent.name}/{name_or_scope}" if parent.name else name_or_scope
        ops_name, base = name_or_scope, None
    elif default_name:
        # Unique among the variable scopes opened so far (named or not), as TF counts them;
        # the op name scope is uniquified separately by the graph.
        candidate = f"{parent.name}/{default_name}" if parent.name else default_name
        full, i = candidate, 1
        while counts.get(full, 0):
            full, i = f"{candidate}_{i}", i + 1
        ops_name, base = default_name, None
    else:
        raise ValueError("variable_scope needs a name_or_scope or a default_name.")
    counts[full] = counts.get(full, 0) + 1
    for key in [k for k in counts if k.startswith(full + "/")]:
        counts[key] = 0  # re-entering a scope restarts the numbering of its default names
    inherited = parent.reuse if parent.reuse in (True, AUTO_REUSE) else None
    new_reuse = inherited if inherited is not None else (
        reuse if reuse is not None else (base.reuse if base else False))
    with graph.name_scope(ops_name if auxiliary_name_scope else None) as ns:
        scope = VariableScope(new_reuse, full,
                              initializer or (base.initializer if base else parent.initializer),
                              regularizer or (base.regularizer if base else parent.regularizer),
                              dtype or (base.dtype if base else parent.dtype),
                              base.original_name_scope if base else ns)
        stack.append(scope)
        try:
            yield scope
        finally:
            stack.pop()


def get_variable(name, shape=None, dtype=None, initializer=None, regularizer=None,
                 trainable=None, collections=None, caching_device=None, partitioner=None,
                 validate_shape=True, use_resource=None, custom_getter=None, constraint=None,
                 synchronization=None, aggregation=None):
    """Create or reuse a variable named `<variable scope>/<name>`.

    Example: `w = tf.get_variable("w", [784, 10])` (glorot-uniform initialized).
    """
    graph = get_default_graph()
    scope = get_variable_scope()
    full = f"{scope.name}/{name}" if scope.name else name
    store = graph.variable_store
    existing = store.get(full)
    if existing is not None:
        if scope.reuse is False or scope.reuse is None:
            var, site = existing
            raise ValueError(f"Variable {full} already exists, disallowed. Did you mean to set "
                             "reuse=True or reuse=tf.AUTO_REUSE in VarScope? Originally "
                             f"defined at: {describe_site(site)}. Requested again at "
                             f"{_caller()}. Fix: reuse it inside "
                             "tf.variable_scope(..., reuse=True), or give it another name.")
        var = existing[0]
        if shape is not None and not var.shape.is_compatible_with(shape):
            raise ValueError(f"Trying to share variable {full}, but specified shape "
                             f"{as_shape(shape)} and found shape {var.shape}. Fix: request the "
                             f"shape it was created with, {var.shape}, or shape=None. "
                             f"Originally defined at: {describe_site(existing[1])}; requested "
                             f"again at {_caller()}.")
        return var
    if scope.reuse is True:
        raise ValueError(f"Variable {full} does not exist, or was not created with "
                         "tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE in "
                         "VarScope? Fix: create it first without reuse (or use "
                         f"reuse=tf.AUTO_REUSE); requested at {_caller()}.")
    dtype = _dtypes.as_dtype(dtype) if dtype is not None else scope.dtype
    initializer = initializer if initializer is not None else scope.initializer
    if initializer is None:
        if dtype.is_floating:
            initializer = glorot_uniform_initializer()
        elif dtype.is_integer or dtype.is_bool or dtype == _dtypes.string:
            initializer = zeros_initializer()
        else:
            raise ValueError(f"An initializer for variable {full} of {dtype.name} is required.")
    if isinstance(initializer, Initializer) or (callable(initializer) and
                                                not isinstance(initializer, Tensor)):
        if shape is None:
            raise ValueError(f"Variable {full} did not get an initializer, so its `shape` "
                             "argument must be specified.")
        dims = as_shape(shape).as_list()
        init_value = lambda: initializer(dims, dtype=dtype)  # noqa: E731
    else:
        if shape is not None:
            raise ValueError("If initializer is a constant, do not specify shape.")
        init_value = initializer
    with graph.name_scope(""):
        var = Variable(init_value, trainable=trainable, collections=collections, name=full,
                       dtype=dtype if not isinstance(init_value, Tensor) else None,
                       validate_shape=validate_shape, constraint=constraint)
    store[full] = (var, user_frame())
    regularizer = regularizer or scope.regularizer
    if regularizer is not None:
        with graph.name_scope(f"{var.op.name}/Regularizer/"):
            loss = regularizer(var)
        if loss is not None:
            graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
    return var


def _slices(sparse_delta):
    """(indices, values) of an IndexedSlices, for the Variable.scatter_* methods."""
    if not hasattr(sparse_delta, "indices") or not hasattr(sparse_delta, "values"):
        raise TypeError(f"sparse_delta is not IndexedSlices: {sparse_delta!r}. Fix: pass "
                        "tf.IndexedSlices(values, indices).")
    return sparse_delta.indices, sparse_delta.values
