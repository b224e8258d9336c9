"""Comparisons, logical ops and selection: Less, Equal, LogicalAnd, Select, Where, ...

Lives here: ops whose output is bool (no gradient flows through them), and `tf.where`,
which selects between two tensors (Select, differentiable in its branches) or returns the
coordinates of True elements (Where). Arithmetic is in math_ops.py.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework import errors
from ..framework.tensor import OPERATORS, Spec, Tensor
from ..framework.registry import OpDef, no_gradient, register_op
from ..framework.shapes import TensorShape
from . import array_ops
from .common import NUMBERS, REALS, broadcast_spec, check_dtype_in, check_same_dtype
from .constant_op import convert_pair


__all__ = ["equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
           "logical_and", "logical_or", "logical_not", "logical_xor", "where"]


def compare_spec(op_type: str, x: Spec, y: Spec, allowed=REALS) -> Spec:
    """Spec of a broadcasting comparison: same input dtypes, bool output."""
    check_dtype_in(op_type, x, allowed)
    return broadcast_spec(op_type, x, y, dtype=_dtypes.bool)


class _Comparison(OpDef):
    """Shared block of the binary bool ops: a subclass sets `compute` (and `allowed`)."""

    inputs = ("x", "y")
    allowed = REALS  # input dtypes accepted

    @classmethod
    def infer(cls, x, y):
        return compare_spec(cls.op_type, x, y, cls.allowed)

    gradient = staticmethod(no_gradient)


@register_op("Less")
class Less(_Comparison):
    """Elementwise x < y (bool); no gradient."""

    compute = staticmethod(np.less)
    elementwise = "x < y"


def less(x, y, name=None) -> Tensor:
    """Elementwise x < y.  Example: `tf.less([1, 3], 2)` -> [True, False]."""
    return Less.apply([x, y], name=name)


@register_op("LessEqual")
class LessEqual(_Comparison):
    """Elementwise x <= y (bool); no gradient."""

    compute = staticmethod(np.less_equal)
    elementwise = "x <= y"


def less_equal(x, y, name=None) -> Tensor:
    """Elementwise x <= y.  Example: `tf.less_equal([1, 3], 3)` -> [True, True]."""
    return LessEqual.apply([x, y], name=name)


@register_op("Greater")
class Greater(_Comparison):
    """Elementwise x > y (bool); no gradient."""

    compute = staticmethod(np.greater)
    elementwise = "x > y"


def greater(x, y, name=None) -> Tensor:
    """Elementwise x > y.  Example: `tf.greater([1, 3], 2)` -> [False, True]."""
    return Greater.apply([x, y], name=name)


@register_op("GreaterEqual")
class GreaterEqual(_Comparison):
    """Elementwise x >= y (bool); no gradient."""

    compute = staticmethod(np.greater_equal)
    elementwise = "x >= y"


def greater_equal(x, y, name=None) -> Tensor:
    """Elementwise x >= y.  Example: `tf.greater_equal([1, 3], 3)` -> [False, True]."""
    return GreaterEqual.apply([x, y], name=name)


EQUALITY_TYPES = NUMBERS + ("bool", "string")


def equal_kernel(compare):
    """numpy's comparison, with bool output also for string (object) arrays."""
    def kernel(x, y):
        out = compare(x, y)
        return np.asarray(out, dtype=bool)[()] if np.asarray(out).dtype != bool else out
    return kernel


@register_op("Equal")
class Equal(_Comparison):
    """Elementwise x == y (bool, any dtype); no gradient."""

    allowed = EQUALITY_TYPES
    compute = staticmethod(equal_kernel(np.equal))


def equal(x, y, name=None) -> Tensor:
    """Elementwise equality (`==` on tensors is identity in TF1).

    Example: `tf.equal([1, 2], 2)` -> [False, True].
    """
    return Equal.apply([x, y], name=name)


@register_op("NotEqual")
class NotEqual(_Comparison):
    """Elementwise x != y (bool, any dtype); no gradient."""

    allowed = EQUALITY_TYPES
    compute = staticmethod(equal_kernel(np.not_equal))


def not_equal(x, y, name=None) -> Tensor:
    """Elementwise inequality.  Example: `tf.not_equal([1, 2], 2)` -> [True, False]."""
    return NotEqual.apply([x, y], name=name)


@register_op("LogicalAnd")
class LogicalAnd(_Comparison):
    """Elementwise x and y on bool tensors; no gradient."""

    allowed = ("bool",)
    compute = staticmethod(np.logical_and)


def logical_and(x, y, name=None) -> Tensor:
    """Elementwise and (`a & b`).  Example: `tf.logical_and(True, [True, False])`."""
    return LogicalAnd.apply([x, y], name=name)


@register_op("LogicalOr")
class LogicalOr(_Comparison):
    """Elementwise x or y on bool tensors; no gradient."""

    allowed = ("bool",)
    compute = staticmethod(np.logical_or)


def logical_or(x, y, name=None) -> Tensor:
    """Elementwise or (`a | b`).  Example: `tf.logical_or(False, [True, False])`."""
    return LogicalOr.apply([x, y], name=name)


@register_op("LogicalNot")
class LogicalNot(OpDef):
    """Elementwise not on a bool tensor; no gradient."""

    inputs = ("x",)

    @staticmethod
    def infer(x):
        check_dtype_in("LogicalNot", x, ("bool",))
        return Spec(x.dtype, x.shape)

    compute = staticmethod(np.logical_not)
    gradient = staticmethod(no_gradient)


def logical_not(x, name=None) -> Tensor:
    """Elementwise not (`~a`).  Example: `tf.logical_not([True, False])` -> [False, True]."""
    return LogicalNot.apply([x], name=name)


def logical_xor(x, y, name="LogicalXor") -> Tensor:
    """Elementwise exclusive or (`a ^ b`), built as (x or y) and not (x and y), as TF does."""
    x, y = convert_pair(x, y)
    both = logical_and(x, y)
    return logical_and(logical_or(x, y), logical_not(both), name=name)


@register_op("Select")
class Select(OpDef):
    """Pick t where `condition` is True, else e (TF1 `tf.where`; no broadcasting).

    `condition` has t's shape, or is a vector over t's first dimension, or a scalar.
    """

    inputs = ("condition", "t", "e")
    input_types = ("bool", "T", "T")

    @staticmethod
    def elementwise(op):
        condition, t = (x.shape.ndims for x in op.inputs[:2])
        # A vector condition picks rows: not an elementwise broadcast, so no loop.
        return "t if condition else e" if condition in (0, t) and t is not None else None

    @staticmethod
    def infer(condition, t, e):
        check_dtype_in("Select", condition, ("bool",), arg="condition")
        check_same_dtype("Select", [t, e], names=("t", "e"))
        try:
            shape = t.shape.merge_with(e.shape)
        except ValueError:
            raise ValueError(f"x and y of tf.where must have the same shape, got "
                             f"{t.shape._bracket()} and {e.shape._bracket()}. Fix: broadcast "
                             "them first (tf.where does not broadcast in TF1).") from None
        c, n = condition.shape, shape.ndims
        if c.ndims not in (None, 0):
            if c.ndims == 1 and n is not None and n > 1:
                c = TensorShape([c.known[0]] + [None] * (n - 1))
            try:
                shape = shape.merge_with(c)
            except ValueError:
                raise ValueError(f"condition of tf.where has shape {c._bracket()}, which is "
                                 f"neither x's shape {shape._bracket()} nor a vector over "
                                 "its first dimension. Fix: reshape the condition.") from None
        return Spec(t.dtype, shape)

    @staticmethod
    def compute(condition, t, e):
        t_shape = t.shape  # kernel inputs are numpy arrays or numpy scalars
        if condition.ndim == 1 and len(t_shape) > 1:
            condition = condition.reshape((-1,) + (1,) * (len(t_shape) - 1))
        if t_shape != e.shape or condition.ndim and condition.shape[0] != t_shape[0]:
            raise errors.InvalidArgumentError(
                None, None, f"tf.where got condition {condition.shape}, x {t_shape}, y "
                f"{np.shape(e)}. Fix: x and y need the same shape, the condition that shape "
                "or one entry per row.")
        return np.where(condition, t, e)

    @staticmethod
    def gradient(op, grad):
        condition = op.inputs[0]
        zeros = array_ops.zeros_like(grad)
        return [None, Select.apply([condition, grad, zeros]),
                Select.apply([condition, zeros, grad])]


@register_op("Where")
class Where(OpDef):
    """Coordinates of the True (nonzero) elements: an int64 matrix [num_true, rank]."""

    inputs = ("input",)

    @staticmethod
    def infer(x):
        check_dtype_in("Where", x, NUMBERS + ("bool",), arg="input")
        return Spec(_dtypes.int64, TensorShape([None, x.shape.ndims]))

    @staticmethod
    def compute(x):
        return np.argwhere(x).astype(np.int64)

    gradient = staticmethod(no_gradient)


def where(condition, x=None, y=None, name=None) -> Tensor:
    """Select from x where `condition` is True, else from y; or, with condition alone,
    return the coordinates of its True elements.

    Example: `tf.where([True, False], [1, 2], [3, 4])` -> [1, 4]; `tf.where([True, False])`
    -> [[0]].
    """
    if x is None and y is None:
        return Where.apply([condition], name=name)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None. Fix: pass both "
                         "branches, or only the condition to get indices.")
    return Select.apply([condition, x, y], name=name)


OPERATORS.update({
    "less": less,
    "less_equal": less_equal,
    "greater": greater,
    "greater_equal": greater_equal,
    "and": lambda x, y: logical_and(x, y, name="and"),
    "or": lambda x, y: logical_or(x, y, name="or"),
    "xor": lambda x, y: logical_xor(x, y, name="xor"),
    "invert": logical_not,
})
