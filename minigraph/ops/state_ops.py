"""Variable state: the variable node itself, assignment, and initialization checks.

Lives here: `VariableV2` (a node standing for a variable; the executor reads it where it is
consumed), `Assign`, `AssignAdd`, `AssignSub`, `IsVariableInitialized` and
`InitializedValue`. Kernels write through the run context, never to globals, so a failed run
commits nothing. The Variable class itself lives in variables.py.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Spec
from ..framework.registry import ALL_INPUTS, OpDef, no_gradient, register_op
from ..framework.shapes import TensorShape

__all__ = ["assign", "assign_add", "assign_sub", "is_variable_initialized"]


@register_op("VariableV2")
class VariableV2(OpDef):
    """The node of a variable. Its output is a reference; consumers read the current value."""

    stateful = True

    @staticmethod
    def infer(*, shape, dtype, container="", shared_name=""):
        return Spec(dtype.as_ref(), shape)

    @staticmethod
    def compute(*args, **attrs):  # the executor resolves variable nodes itself
        raise RuntimeError("VariableV2 has no kernel: the executor reads variables directly.")

    gradient = staticmethod(lambda op, grad: [])


def _check_value(ref: Spec, value: Spec, op_type: str, validate_shape: bool):
    if ref.dtype.base_dtype != value.dtype.base_dtype:
        raise TypeError(f"Input 'value' of '{op_type}' Op has type {value.dtype.name} that does "
                        f"not match type {ref.dtype.base_dtype.name} of argument 'ref'. Fix: "
                        f"tf.cast the value to {ref.dtype.base_dtype.name}.")
    if validate_shape:
        try:
            ref.shape.merge_with(value.shape)
        except ValueError as e:
            raise ValueError(f"{str(e).rstrip('.')}. Fix: {op_type.lower()} a value of the "
                             f"variable's shape {ref.shape}, or pass validate_shape=False to "
                             "change the variable's shape.") from None


class _Update(OpDef):
    """Shared shape/dtype rule of the assign family: value must match the variable."""

    inputs = ("ref", "value")
    ref_inputs = (0,)
    writes_ref = True
    uses_context = True
    stateful = True

    @classmethod
    def infer(cls, ref, value, *, use_locking=True, validate_shape=True):
        _check_value(ref, value, cls.op_type, validate_shape)
        shape = ref.shape if validate_shape else value.shape
        return Spec(ref.dtype, shape)

    gradient = staticmethod(no_gradient)


def _new_value(op, var, value):
    """Copy `value` into a fresh array of the variable's dtype, checking its shape."""
    new = np.array(value, dtype=var._outputs[0].dtype.as_numpy_dtype, copy=True)
    if op.attrs.get("validate_shape", True) and not \
            var._outputs[0].shape.is_compatible_with(new.shape):
        raise InvalidArgumentError(
            None, op, f"Assign requires shapes of both tensors to match. lhs shape= "
            f"{var._outputs[0].shape._bracket()} rhs shape= {list(new.shape)}")
    return new


@register_op("Assign")
class Assign(_Update):
    """Store `value` in the variable; the output is the new value."""

    @staticmethod
    def compute(ctx, op, var, value, **attrs):
        new = _new_value(op, var, value)
        ctx.write(var, new)
        return new


def _accumulate(sign):
    def compute(ctx, op, var, value, **attrs):
        old = ctx.read(var)
        if np.shape(value) != old.shape:
            raise InvalidArgumentError(
                None, op, f"{op.type} requires the value to have the variable's shape: "
                f"variable {list(old.shape)} vs value {list(np.shape(value))}.")
        new = old + value if sign > 0 else old - value
        new = np.asarray(new, dtype=old.dtype)
        ctx.write(var, new)
        return new

    return staticmethod(compute)


@register_op("AssignAdd")
class AssignAdd(_Update):
    """Add `value` to the variable; the output is the new value."""

    compute = _accumulate(+1)


@register_op("AssignSub")
class AssignSub(_Update):
    """Subtract `value` from the variable; the output is the new value."""

    compute = _accumulate(-1)


def assign(ref, value, validate_shape=None, use_locking=None, name=None):
    """Assign `value` to variable `ref`.  Example: `sess.run(tf.assign(v, 10.))` -> 10.0."""
    return Assign.apply([ref, value], name=name, use_locking=True if use_locking is None
                        else use_locking, validate_shape=True if validate_shape is None
                        else validate_shape)


def assign_add(ref, value, use_locking=None, name=None):
    """Add `value` to variable `ref`.  Example: three runs of `tf.assign_add(v, 1)` -> 1, 2, 3."""
    return AssignAdd.apply([ref, value], name=name, use_locking=bool(use_locking))


def assign_sub(ref, value, use_locking=None, name=None):
    """Subtract `value` from variable `ref`."""
    return AssignSub.apply([ref, value], name=name, use_locking=bool(use_locking))


@register_op("IsVariableInitialized")
class IsVariableInitialized(OpDef):
    """True when the variable holds a value in this session."""

    inputs = ("ref",)
    ref_inputs = (0,)
    uses_context = True
    stateful = True

    @staticmethod
    def infer(ref):
        return Spec(_dtypes.bool, TensorShape([]))

    @staticmethod
    def compute(ctx, op, var):
        return np.bool_(ctx.is_initialized(var))

    gradient = staticmethod(no_gradient)


def is_variable_initialized(variable, name=None):
    """A bool tensor: has `variable` been initialized in the running session?"""
    return IsVariableInitialized.apply([variable], name=name)


@register_op("InitializedValue")
class InitializedValue(OpDef):
    """The variable's value if it is initialized, else its initial value.

    TF1 note: TF builds this from a cond on IsVariableInitialized; minigraph uses one node.
    """

    inputs = ("ref", "initial_value")
    ref_inputs = (0,)
    uses_context = True
    stateful = True

    @staticmethod
    def infer(ref, initial):
        return Spec(ref.dtype.base_dtype, ref.shape)

    @staticmethod
    def compute(ctx, op, var, initial):
        return ctx.read(var) if ctx.is_initialized(var) else initial

    @staticmethod
    def gradient(op, grad):
        return [None, grad]

    @staticmethod
    def lower(op, exporter):
        # TF's form: a cond on IsVariableInitialized, as Switch / Merge.
        ref, initial = exporter.input(0), exporter.input(1)
        dtype = ref[1].base_dtype
        ready = (exporter.emit("IsVariableInitialized", [ref], {}), _dtypes.bool)
        switched = exporter.emit("RefSwitch", [ref, ready], {},
                                 output_dtypes=[ref[1], ref[1]])
        value = (exporter.emit("Identity", [(switched + ":1", ref[1])], {}), dtype)
        fallback = exporter.emit("Switch", [initial, ready], {}, output_dtypes=[dtype, dtype])
        return [(exporter.emit("Merge", [(fallback, dtype), value], {}, name=op.name,
                               output_dtypes=[dtype, _dtypes.int32]), dtype)]


def _initialized_flags(op, exporter) -> tuple:
    """A bool vector node: IsVariableInitialized of each input variable, stacked."""
    flags = [(exporter.emit("IsVariableInitialized", [exporter.input(i)], {}), _dtypes.bool)
             for i in range(len(op.inputs))]
    return (exporter.emit("Pack", flags, {"axis": ("i", 0)}), _dtypes.bool)


@register_op("ReportUninitializedVariables")
class ReportUninitialized(OpDef):
    """A 1-D string tensor with the names of the uninitialized variables among the inputs."""

    ref_inputs = ALL_INPUTS
    uses_context = True
    stateful = True

    @staticmethod
    def infer(*refs):
        return Spec(_dtypes.string, TensorShape([None]))

    @staticmethod
    def compute(ctx, op, *variables):
        names = [v.name.encode() for v in variables if not ctx.is_initialized(v)]
        return np.array(names, dtype=object)

    gradient = staticmethod(no_gradient)

    @staticmethod
    def lower(op, exporter):
        # TF's form: boolean_mask(variable names, not initialized).
        missing = (exporter.emit("LogicalNot", [_initialized_flags(op, exporter)], {}),
                   _dtypes.bool)
        names = exporter.const([t.op.name.encode() for t in op.inputs], _dtypes.string, "names")
        where = (exporter.emit("Where", [missing], {}), _dtypes.int64)
        flat = (exporter.emit("Reshape", [where, exporter.const([-1], _dtypes.int32, "flat")],
                              {}), _dtypes.int64)
        axis = exporter.const(0, _dtypes.int32, "axis")
        return [(exporter.emit("GatherV2", [names, flat, axis], {"batch_dims": ("i", 0)},
                               name=op.name), _dtypes.string)]


@register_op("AssertVariablesInitialized")
class AssertInitialized(OpDef):
    """Fails with FailedPreconditionError if any input variable is uninitialized."""

    ref_inputs = ALL_INPUTS
    uses_context = True
    stateful = True

    @staticmethod
    def infer(*refs):
        return []

    @staticmethod
    def compute(ctx, op, *variables):
        for v in variables:
            ctx.read(v)  # raises FailedPreconditionError naming the variable

    gradient = staticmethod(no_gradient)

    @staticmethod
    def lower(op, exporter):
        # TF's form: Assert(reduce_all(is_variable_initialized(v) for each v), [message]).
        flags = _initialized_flags(op, exporter)
        every = (exporter.emit("All", [flags, exporter.const([0], _dtypes.int32, "axis")], {}),
                 _dtypes.bool)
        message = exporter.const("Attempting to use uninitialized value", _dtypes.string,
                                 "message")
        exporter.emit("Assert", [every, message], {}, name=op.name, output_dtypes=[],
                      control=[c.name for c in op.control_inputs])
        return []
