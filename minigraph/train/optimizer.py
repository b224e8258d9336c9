"""The base `Optimizer`: compute_gradients, apply_gradients, minimize, slots and hyper-parameters.

Lives here: everything every optimizer shares: gradient
computation and validation, the update loop with its name scopes, slot and non-slot variables,
hyper-parameter preparation and casting, the global-step increment and the TF1 errors for
missing gradients, and the sparse path: an IndexedSlices gradient (from a gather or an
embedding lookup) has its duplicate indices summed and goes to `_apply_sparse`, which
updates only those rows. The concrete update rules live in optimizers.py; their kernels in
ops/training_ops.py and ops/sparse_training_ops.py. Deliberately absent: eager mode.
"""

from __future__ import annotations

from ..framework.nest import flatten
from ..framework import dtypes as _dtypes
from ..framework.errors import describe_caller, describe_node
from ..gradients import gradients
from ..framework.graph import GraphKeys, get_default_graph, graph_of
from ..framework.indexed_slices import IndexedSlices
from ..framework.tensor import Tensor
from ..ops import (array_ops, control_flow_ops, indexing_ops, math_ops, scatter_ops,
                   shape_ops, state_ops)
from ..ops.constant_op import constant, convert_to_tensor
from ..ops.variables import Variable, trainable_variables

__all__ = ["Optimizer"]

_VALID_DTYPES = (_dtypes.float16, _dtypes.float32, _dtypes.float64)


class Optimizer:
    """Base class of the TF1 optimizers; subclasses fill `_create_slots`, `_apply_dense`.

    A subclass declares its hyper-parameters with `_set_hyper(learning_rate=..., ...)` in its
    constructor and reads them per variable with `self._hyper("learning_rate", var)`, already
    converted to a tensor and cast to the variable's dtype.

    Example: `train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)`.
    """

    GATE_NONE = 0
    GATE_OP = 1
    GATE_GRAPH = 2

    def __init__(self, use_locking: bool, name: str):
        if not name:
            raise ValueError("Must specify the optimizer name, e.g. "
                             "Optimizer(use_locking=False, name='MyOptimizer').")
        self._use_locking = use_locking
        self._name = name
        self._hyper_values = {}  # name -> number, tensor or callable, as given
        self._hyper_tensors = {}  # name -> tensor, made by _prepare
        self._slots = {}  # slot name -> {primary VariableV2 op: slot Variable}
        self._non_slot = {}  # (name, graph) -> Variable

    def get_name(self) -> str:
        return self._name

    # -- the three public steps -----------------------------------------------------------
    def compute_gradients(self, loss, var_list=None, gate_gradients=GATE_OP,
                          aggregation_method=None, colocate_gradients_with_ops=False,
                          grad_loss=None) -> list:
        """Return [(gradient or None, variable)] for `var_list` (default: trainables).

        TF1 note: GATE_GRAPH adds no extra gating; as in TF, no gate changes the values.
        Example: `opt.compute_gradients(a * x)` -> [(<grad>, a), (None, b)].
        """
        if callable(loss) and not isinstance(loss, Tensor):
            raise NotImplementedError("A callable loss is TF's eager path; minigraph builds "
                                      "graphs only. Pass the loss tensor instead.")
        if gate_gradients not in (Optimizer.GATE_NONE, Optimizer.GATE_OP,
                                  Optimizer.GATE_GRAPH):
            raise ValueError("gate_gradients must be one of: Optimizer.GATE_NONE, "
                             f"Optimizer.GATE_OP, Optimizer.GATE_GRAPH. Not {gate_gradients}")
        loss = convert_to_tensor(loss)
        self._assert_valid_dtypes([loss])
        if grad_loss is not None:
            grad_loss = convert_to_tensor(grad_loss, dtype=loss.dtype.base_dtype)
            self._assert_valid_dtypes([grad_loss])
        var_list = trainable_variables() if var_list is None else flatten(var_list)
        for v in var_list:
            if not isinstance(v, (Variable, Tensor)):
                raise NotImplementedError(f"Trying to optimize unsupported type {v!r}: pass "
                                          "tf.Variable objects in var_list.")
        if not var_list:
            raise ValueError(f"No variables to optimize (called at {describe_caller()}). Fix: "
                             "create trainable variables first, or "
                             "pass var_list explicitly.")
        grads = gradients(loss, var_list, grad_ys=grad_loss,
                          gate_gradients=gate_gradients == Optimizer.GATE_OP,
                          aggregation_method=aggregation_method,
                          colocate_gradients_with_ops=colocate_gradients_with_ops)
        grads_and_vars = list(zip(grads, var_list, strict=True))
        self._assert_valid_dtypes([v for g, v in grads_and_vars if g is not None])
        return grads_and_vars

    def apply_gradients(self, grads_and_vars, global_step=None, name: str | None = None):
        """Build the update of every (gradient, variable) pair; return one Operation.

        With `global_step`, the result is the AssignAdd op named `name` that increments it
        after all updates; without, a NoOp group named `name`.
        Example: `opt.apply_gradients([([0.1, 0.1], v)])`.
        """
        pairs = _check_pairs(grads_and_vars)
        var_list = [v for g, v in pairs if g is not None]
        if not var_list:
            raise ValueError(f"No gradients provided for any variable: "
                             f"{[str(v) for _, v in pairs]}. Fix: check that the loss "
                             "depends on these variables through differentiable ops. Called "
                             f"at {describe_caller()}.")
        graph = graph_of([g for g, _ in pairs if g is not None] + var_list)
        with graph.as_default():
            with graph.control_dependencies(None):
                self._create_slots(var_list)
            update_ops = []
            with graph.name_scope(name or self._name) as scope:
                self._prepare()
                for grad, var in pairs:
                    if grad is None:
                        continue
                    with graph.name_scope("update_" + var.op.name):
                        if isinstance(grad, IndexedSlices):
                            update_ops.append(self._apply_sparse_duplicate_indices(grad, var))
                        else:
                            update_ops.append(self._apply_dense(grad, var))
                if global_step is None:
                    train_op = self._finish(update_ops, scope)
                else:
                    with graph.control_dependencies([self._finish(update_ops, "update")]):
                        train_op = _increment(global_step, scope)
            collection = graph.get_collection_ref(GraphKeys.TRAIN_OP)
            if train_op not in collection:
                collection.append(train_op)
        return train_op

    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=GATE_OP,
                 aggregation_method=None, colocate_gradients_with_ops=False,
                 name: str | None = None, grad_loss=None):
        """compute_gradients, then apply_gradients; return the train Operation.

        Example: `op = tf.train.AdamOptimizer(0.001).minimize(loss, global_step=gs)`.
        """
        grads_and_vars = self.compute_gradients(
            loss, var_list=var_list, gate_gradients=gate_gradients,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops, grad_loss=grad_loss)
        if all(g is None for g, _ in grads_and_vars):
            raise ValueError(
                "No gradients provided for any variable, check your graph for ops that do not "
                f"support gradients, between variables {[str(v) for _, v in grads_and_vars]} "
                f"and loss {loss}. Fix: make the loss depend on the variables through float "
                "ops (a tf.cast to int, tf.argmax or tf.stop_gradient cuts the path); loss "
                f"{_where(loss)}; minimize called at {describe_caller()}.")
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    # -- slots and other optimizer state ---------------------------------------------------
    def get_slot(self, var, name: str):
        """The slot variable `name` of `var`, or None if there is none."""
        return self._slots.get(name, {}).get(var.op)

    def get_slot_names(self) -> list:
        """The sorted names of the slots this optimizer creates, e.g. ['m', 'v']."""
        return sorted(self._slots)

    def variables(self) -> list:
        """Every variable this optimizer created in the default graph, sorted by name."""
        graph = get_default_graph()
        found = [v for (_, g), v in self._non_slot.items() if g is graph]
        for slots in self._slots.values():
            found.extend(v for v in slots.values() if v.graph is graph)
        return sorted(found, key=lambda v: v.name)

    def _get_or_make_slot(self, var, make_value, slot_name: str, op_name: str):
        """Return slot `slot_name` of `var`, creating `<var op name>/<op_name>` once.

        `make_value(shape, dtype)` builds the initial value (under `<slot>/Initializer`).
        """
        slots = self._slots.setdefault(slot_name, {})
        if var.op not in slots:
            graph = var.graph
            shape, dtype = var.shape.as_list(), var.dtype.base_dtype
            # Slot names ignore the caller's name scope: always "<var op name>/<op_name>".
            with graph.as_default(), graph.name_scope(""), graph.control_dependencies(None):
                slots[var.op] = Variable(lambda: make_value(shape, dtype), trainable=False,
                                         name=f"{var.op.name}/{op_name}", dtype=dtype)
        return slots[var.op]

    def _zeros_slot(self, var, slot_name: str, op_name: str):
        return self._get_or_make_slot(var, array_ops.zeros, slot_name, op_name)

    def _constant_slot(self, var, value: float, slot_name: str, op_name: str):
        def make(shape, dtype):  # a Fill of one scalar: the graph does not grow with var
            if value == 1.0:
                return array_ops.ones(shape, dtype)
            return array_ops.fill(shape, constant(value, dtype, name="value"), name="Const")

        return self._get_or_make_slot(var, make, slot_name, op_name)

    def _create_non_slot_variable(self, initial_value, name: str, graph=None):
        """Create (once per optimizer and graph) a non-trainable variable such as beta1_power."""
        graph = graph or get_default_graph()
        key = (name, graph)
        if key not in self._non_slot:
            with graph.as_default(), graph.name_scope(""), graph.control_dependencies(None):
                self._non_slot[key] = Variable(initial_value, trainable=False, name=name)
        return self._non_slot[key]

    def _get_non_slot_variable(self, name: str, graph=None):
        return self._non_slot.get((name, graph or get_default_graph()))

    # -- hyper-parameters -------------------------------------------------------------------
    def _set_hyper(self, **values) -> None:
        """Declare hyper-parameters: numbers, tensors or zero-argument callables."""
        self._hyper_values.update(values)

    def _prepare(self) -> None:
        """Turn every hyper-parameter into a tensor (a callable is called here, once)."""
        for key, value in self._hyper_values.items():
            if callable(value) and not isinstance(value, (Tensor, Variable)):
                value = value()
            # A Python float becomes a float32 tensor before any cast, as in TF 1.x.
            self._hyper_tensors[key] = convert_to_tensor(value, name=key)

    def _hyper(self, key: str, var=None) -> Tensor:
        """Hyper-parameter `key` as a tensor of `var`'s dtype (as prepared when var is None)."""
        tensor = self._hyper_tensors[key]
        return tensor if var is None else _cast_like(tensor, var)

    @staticmethod
    def _cast(value, var) -> Tensor:
        """`value` (a tensor or variable) cast to `var`'s dtype."""
        return _cast_like(value, var)

    # -- hooks for subclasses ----------------------------------------------------------------
    def _create_slots(self, var_list) -> None:
        """Create the slots of every variable in `var_list` (idempotent)."""

    def _apply_dense(self, grad, var):
        """Return the update op of one variable."""
        raise NotImplementedError(f"{type(self).__name__} must implement _apply_dense.")

    def _apply_sparse_duplicate_indices(self, grad: IndexedSlices, var):
        """Sum the rows of `grad` that share an index, then `_apply_sparse`."""
        unique_indices, positions = scatter_ops.unique(grad.indices)
        summed = indexing_ops.unsorted_segment_sum(grad.values, positions,
                                                   shape_ops.shape(unique_indices)[0])
        return self._apply_sparse(IndexedSlices(summed, unique_indices, grad.dense_shape), var)

    def _apply_sparse(self, grad: IndexedSlices, var):
        """Return the update op of one variable for a gradient with unique indices."""
        raise NotImplementedError(f"{type(self).__name__} has no sparse update: it must "
                                  "implement _apply_sparse. Fix: tf.convert_to_tensor the "
                                  "gradient to apply it densely.")

    def _finish(self, update_ops, name_scope: str):
        """Group the updates; the group is named `name_scope`."""
        return control_flow_ops.group(*update_ops, name=name_scope)

    # -- checks -------------------------------------------------------------------------------
    def _valid_dtypes(self):
        return _VALID_DTYPES

    def _assert_valid_dtypes(self, tensors) -> None:
        valid = self._valid_dtypes()
        for t in tensors:
            dtype = t.dtype.base_dtype
            if dtype not in valid:
                raise ValueError(f"Invalid type {dtype.name} for {t.name}, expected: "
                                 f"[{', '.join(d.name for d in valid)}].")



def _where(tensor) -> str:
    """The node behind `tensor`, with its creation site, for error messages."""
    op = getattr(tensor, "op", None)
    return describe_node(op) if op is not None else repr(tensor)


def _check_pairs(grads_and_vars) -> tuple:
    """Consume the iterable; convert each gradient to a Tensor; check each variable."""
    pairs = tuple(grads_and_vars)
    if not pairs:
        raise ValueError("No variables provided. Fix: pass a non-empty list of (gradient, "
                         "variable) pairs, e.g. from compute_gradients; called at "
                         f"{describe_caller()}.")
    out = []
    for grad, var in pairs:
        if grad is not None and not isinstance(grad, IndexedSlices):
            try:
                grad = convert_to_tensor(grad)
            except (TypeError, ValueError) as e:
                raise TypeError(f"Gradient must be convertible to a Tensor or None: {grad!r} "
                                f"({e})") from None
        if not isinstance(var, Variable):
            raise NotImplementedError(f"Trying to update {var!r}, which is not a tf.Variable: "
                                      "only variables can be optimized.")
        out.append((grad, var))
    return tuple(out)


def _cast_like(value, var) -> Tensor:
    """`value` cast to `var`'s base dtype (no op when it already has it), as TF casts."""
    dtype = var.dtype.base_dtype
    if value.dtype.base_dtype == dtype:
        return value if isinstance(value, Tensor) else value.value()
    return math_ops.cast(value, dtype)


def _increment(global_step, name: str):
    """The AssignAdd op adding 1 to `global_step`, named `name`."""
    if not (isinstance(global_step, Variable) or
            isinstance(global_step, Tensor) and global_step.dtype.is_ref_dtype):
        raise AttributeError(f"global_step {global_step!r} has no 'assign_add': pass a "
                             "variable, e.g. tf.train.get_or_create_global_step().")
    return state_ops.assign_add(global_step, 1, name=name).op
