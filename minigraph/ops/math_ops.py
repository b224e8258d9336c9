"""Math ops: elementwise binary arithmetic, add_n and cast (one block per op).

Lives here: AddV2, Sub, Mul, RealDiv (with TF's truediv casting rules), FloorDiv, FloorMod,
Pow, Maximum, Minimum, SquaredDifference, AddN, Cast, and their Python operator table entries
(`a + b` -> "add"). The rest of TF's math family lives in sibling modules, each the one
place its names are defined: unary_ops.py (exp, sqrt, ...), comparison_ops.py (less,
logical_*, where), linalg_ops.py (matmul), broadcast_ops.py (reduce_sum) and
reduction_ops.py (reduce_mean, argmax, ...). Broadcasting gradients share
`broadcast_ops.binary_gradient`.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework import errors
from ..framework.graph import name_scope
from ..framework.tensor import OPERATORS, Spec, Tensor
from ..framework.registry import OpDef, no_gradient, register_op
from . import array_ops, comparison_ops, unary_ops
from .broadcast_ops import binary_gradient, reduce_to_input_shape
from .common import (FLOATS, INEXACT, NUMBERS, REALS, broadcast_spec, check_dtype_in,
                     check_same_dtype)
from .constant_op import convert_pair, convert_to_tensor

# int operands of `/` are cast before dividing, as Python 3 and TF's truediv do.
_TRUEDIV_FLOAT = {"int8": "float32", "int16": "float32", "uint8": "float32",
                  "uint16": "float32", "int32": "float64", "int64": "float64",
                  "uint32": "float64", "uint64": "float64"}

__all__ = ["add", "subtract", "sub", "multiply", "mul", "scalar_mul", "divide", "truediv",
           "realdiv", "div", "floordiv", "floor_div", "mod", "floormod", "maximum", "minimum",
           "squared_difference", "add_n", "cast", "to_float", "to_double", "to_int32",
           "to_int64"]


def binary_spec(op_type: str, x: Spec, y: Spec, allowed=NUMBERS) -> Spec:
    """Spec of a broadcasting binary op whose inputs share one of the `allowed` dtypes."""
    check_dtype_in(op_type, x, allowed)
    return broadcast_spec(op_type, x, y)


def check_nonzero_divisor(y) -> None:
    """Integer division by zero is a run-time error in TF (floats give inf/nan instead)."""
    if np.issubdtype(np.asarray(y).dtype, np.integer) and np.any(y == 0):
        raise errors.InvalidArgumentError(None, None, "Integer division by zero. Fix: make "
                                          "sure the divisor has no zeros, or cast both "
                                          "operands to a float dtype.")


class _Binary(OpDef):
    """Shared part of the broadcasting binary blocks: inputs (x, y) of one dtype among
    `allowed`, output of that dtype and the broadcast shape. A subclass sets `compute`,
    `gradient` and, if not every number type, `allowed`."""

    inputs = ("x", "y")
    allowed = NUMBERS  # input dtypes accepted

    @classmethod
    def infer(cls, x, y):
        return binary_spec(cls.op_type, x, y, cls.allowed)


@register_op("AddV2")
class AddV2(_Binary):
    """Elementwise x + y with broadcasting."""

    compute = staticmethod(np.add)
    elementwise = "x + y"

    @staticmethod
    def gradient(op, grad):
        return binary_gradient(op, lambda: grad, lambda: grad)


def add(x, y, name=None) -> Tensor:
    """Elementwise sum with broadcasting.  Example: `tf.add([1, 2], 1)` -> [2, 3]."""
    return AddV2.apply([x, y], name=name or "Add")


@register_op("Sub")
class Sub(_Binary):
    """Elementwise x - y with broadcasting."""

    compute = staticmethod(np.subtract)
    elementwise = "x - y"

    @staticmethod
    def gradient(op, grad):
        return binary_gradient(op, lambda: grad, lambda: unary_ops.negative(grad))


def subtract(x, y, name=None) -> Tensor:
    """Elementwise difference with broadcasting.  Example: `tf.subtract(5, [1, 2])` -> [4, 3]."""
    return Sub.apply([x, y], name=name)


sub = subtract  # deprecated TF1 name


@register_op("Mul")
class Mul(_Binary):
    """Elementwise x * y with broadcasting."""

    compute = staticmethod(np.multiply)
    elementwise = "x * y"

    @staticmethod
    def gradient(op, grad):
        x, y = op.inputs
        return binary_gradient(op, lambda: multiply(grad, y), lambda: multiply(x, grad))


def multiply(x, y, name=None) -> Tensor:
    """Elementwise product with broadcasting.  Example: `tf.multiply(a, 2.0)`."""
    return Mul.apply([x, y], name=name)


mul = multiply  # deprecated TF1 name


def scalar_mul(scalar, x, name=None) -> Tensor:
    """Multiply `x` by a scalar.  Example: `tf.scalar_mul(2.0, x)` -> 2x."""
    with name_scope(name, "scalar_mul", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        scalar = convert_to_tensor(scalar, dtype=x.dtype.base_dtype, name="scalar")
        if scalar.shape.ndims not in (None, 0):
            raise ValueError(f"Only scalar multiply works, got shape {scalar.shape}. Fix: "
                             "use tf.multiply for elementwise products.")
        return Mul.apply([scalar, x], name=scope)


@register_op("RealDiv")
class RealDiv(_Binary):
    """Elementwise x / y for float and complex tensors (no integer rounding).

    TF1 note: TF also registers RealDiv for ints; minigraph asks for tf.truediv there.
    """

    allowed = INEXACT
    compute = staticmethod(np.true_divide)
    elementwise = "x / y"

    @staticmethod
    def gradient(op, grad):
        x, y = op.inputs
        # dy = -g * x / y^2, written as TF does so that 3/0 gives (inf, -inf).
        return binary_gradient(
            op, lambda: realdiv(grad, y),
            lambda: multiply(grad, realdiv(realdiv(unary_ops.negative(x), y), y)))


def realdiv(x, y, name=None) -> Tensor:
    """Elementwise float division.  Example: `tf.realdiv(3.0, 2.0)` -> 1.5."""
    return RealDiv.apply([x, y], name=name)


def truediv(x, y, name=None) -> Tensor:
    """Divide as Python 3 does: int8/16 -> float32, int32/64 -> float64 first.

    Raises TypeError when the two operands have different dtypes.
    Example: `tf.truediv(7, 2)` -> 3.5 (float64).
    """
    with name_scope(name, "truediv", [x, y]) as scope:
        x, y = convert_pair(x, y)
        if x.dtype.base_dtype != y.dtype.base_dtype:
            raise TypeError(f"`x` and `y` must have the same dtype, got "
                            f"{x.dtype.base_dtype!r} != {y.dtype.base_dtype!r}. Fix: tf.cast "
                            "one operand, or write a float literal as an int (or vice versa).")
        target = _TRUEDIV_FLOAT.get(x.dtype.base_dtype.name)
        if target is not None:
            x, y = cast(x, target), cast(y, target)
        return RealDiv.apply([x, y], name=scope)


divide = truediv


def div(x, y, name=None) -> Tensor:
    """Deprecated Python 2 division: floats divide exactly, ints floor-divide.

    Example: `tf.div(7, 2)` -> 3; `tf.div(7.0, 2.0)` -> 3.5.
    """
    with name_scope(name, "div", [x, y]) as scope:
        x, y = convert_pair(x, y)
        if x.dtype.base_dtype.is_floating or x.dtype.base_dtype.is_complex:
            return RealDiv.apply([x, y], name=scope)
        return FloorDiv.apply([x, y], name=scope)


@register_op("FloorDiv")
class FloorDiv(_Binary):
    """Elementwise floor(x / y): rounds toward minus infinity, like Python's //."""

    allowed = REALS

    @staticmethod
    def compute(x, y):
        check_nonzero_divisor(y)
        return np.floor_divide(x, y)

    gradient = staticmethod(no_gradient)


def floordiv(x, y, name=None) -> Tensor:
    """Elementwise floor division.  Example: `tf.floordiv(7, -2)` -> -4."""
    return FloorDiv.apply([x, y], name=name or "floordiv")


floor_div = floordiv


@register_op("FloorMod")
class FloorMod(_Binary):
    """Elementwise remainder of floor division; the sign follows y, as in Python's %."""

    allowed = REALS

    @staticmethod
    def compute(x, y):
        check_nonzero_divisor(y)
        return np.mod(x, y)

    @staticmethod
    def gradient(op, grad):
        x, y = op.inputs
        # x mod y = x - floor(x / y) * y, with the floor treated as a constant.
        return [reduce_to_input_shape(grad, x),
                reduce_to_input_shape(multiply(grad, unary_ops.negative(floordiv(x, y))), y)]


def floormod(x, y, name=None) -> Tensor:
    """Elementwise floor modulo.  Example: `tf.floormod(7, -2)` -> -1."""
    return FloorMod.apply([x, y], name=name)


mod = floormod


@register_op("Pow")
class Pow(_Binary):
    """Elementwise x ** y with broadcasting."""

    compute = staticmethod(np.power)

    @staticmethod
    def gradient(op, grad):
        x, y = op.inputs
        z = op.outputs[0]
        dx = multiply(grad, multiply(y, pow_(x, subtract(y, 1))))
        # log(x) is only used where x > 0; elsewhere dy is 0, as in TF (no nan from log(0)).
        mask = (comparison_ops.not_equal(x, 0) if x.dtype.is_complex
                else comparison_ops.greater(x, 0))
        safe_x = comparison_ops.where(mask, x, array_ops.ones_like(x))
        log_x = comparison_ops.where(mask, unary_ops.log(safe_x), array_ops.zeros_like(x))
        dy = multiply(grad, multiply(z, log_x))
        return [reduce_to_input_shape(dx, x), reduce_to_input_shape(dy, y)]


def pow_(x, y, name=None) -> Tensor:
    """Elementwise power (exported as `tf.pow`).  Example: `tf.pow(2.0, 3.0)` -> 8.0."""
    return Pow.apply([x, y], name=name)


def min_or_max_gradient(op, grad, x_wins):
    """Route `grad` to x where `x_wins` (ties included), to y elsewhere."""
    x, y = op.inputs
    zeros = array_ops.zeros_like(grad)
    return [reduce_to_input_shape(comparison_ops.where(x_wins, grad, zeros), x),
            reduce_to_input_shape(comparison_ops.where(x_wins, zeros, grad), y)]


@register_op("Maximum")
class Maximum(_Binary):
    """Elementwise max(x, y); in the gradient a tie goes to x."""

    allowed = REALS
    compute = staticmethod(np.maximum)
    # np.maximum's rules: a NaN operand wins, and of two equal values the second is taken.
    elementwise = "x if x > y else (x if x != x else y)"

    @staticmethod
    def gradient(op, grad):
        x, y = op.inputs
        return min_or_max_gradient(op, grad, comparison_ops.greater_equal(x, y))


def maximum(x, y, name=None) -> Tensor:
    """Elementwise maximum.  Example: `tf.maximum([1, 5], 3)` -> [3, 5]."""
    return Maximum.apply([x, y], name=name)


@register_op("Minimum")
class Minimum(_Binary):
    """Elementwise min(x, y); in the gradient a tie goes to x."""

    allowed = REALS
    compute = staticmethod(np.minimum)
    elementwise = "x if x < y else (x if x != x else y)"  # as Maximum

    @staticmethod
    def gradient(op, grad):
        x, y = op.inputs
        return min_or_max_gradient(op, grad, comparison_ops.less_equal(x, y))


def minimum(x, y, name=None) -> Tensor:
    """Elementwise minimum.  Example: `tf.minimum([1, 5], 3)` -> [1, 3]."""
    return Minimum.apply([x, y], name=name)


@register_op("SquaredDifference")
class SquaredDifference(_Binary):
    """Elementwise (x - y) ** 2 with broadcasting."""

    allowed = FLOATS + ("int32", "int64", "complex64", "complex128")

    elementwise = "(x - y) * (x - y)"

    @staticmethod
    def compute(x, y):
        return np.square(np.subtract(x, y))

    @staticmethod
    def gradient(op, grad):
        x, y = op.inputs
        dx = multiply(multiply(grad, 2), subtract(x, y))
        return [reduce_to_input_shape(dx, x), reduce_to_input_shape(unary_ops.negative(dx), y)]


def squared_difference(x, y, name=None) -> Tensor:
    """Elementwise (x - y)^2.  Example: `tf.squared_difference(3.0, 1.0)` -> 4.0."""
    return SquaredDifference.apply([x, y], name=name)


@register_op("AddN")
class AddN(OpDef):
    """Sum of N tensors of the same shape and dtype."""

    forwards_input = staticmethod(lambda inputs, output, attrs: 0 if len(inputs) == 1 else None)

    @staticmethod
    def infer(*xs):
        if not xs:
            raise ValueError("add_n needs at least one tensor.")
        check_dtype_in("AddN", xs[0], NUMBERS, arg="inputs")
        check_same_dtype("AddN", xs, names=[f"inputs_{i}" for i in range(len(xs))])
        shape = xs[0].shape
        for x in xs[1:]:
            try:
                shape = shape.merge_with(x.shape)
            except ValueError:
                raise ValueError(f"Shapes must be equal for add_n, got {xs[0].shape} and "
                                 f"{x.shape}. Fix: add_n does not broadcast; use tf.add "
                                 "or reshape the inputs.") from None
        return Spec(xs[0].dtype, shape)

    @staticmethod
    def elementwise(op):
        return " + ".join(f"x{i}" for i in range(len(op.inputs)))  # left to right, as compute

    @staticmethod
    def compute(*xs):
        if len(xs) == 1:
            return xs[0]
        total = np.add(xs[0], xs[1])
        for x in xs[2:]:
            total += x
        return total

    @staticmethod
    def gradient(op, grad):
        return [grad] * len(op.inputs)


def add_n(inputs, name=None) -> Tensor:
    """Sum a list of same-shaped tensors.  Example: `tf.add_n([a, b, c])`."""
    inputs = list(inputs)
    if not inputs:
        raise ValueError("inputs must be a non-empty list of tensors to add_n.")
    if len(inputs) == 1 and name is None:
        return convert_to_tensor(inputs[0])
    return AddN.apply(inputs, name=name)


@register_op("Cast")
class Cast(OpDef):
    """Convert x to dtype `DstT`: floats truncate toward zero into ints, nonzero is True."""

    inputs = ("x",)

    @staticmethod
    def infer(x, *, DstT):  # noqa: N803 - TF's attribute name
        value = None
        if x.value is not None and np.size(x.value) <= 1 and x.dtype.is_numeric and \
                DstT.is_numeric:  # a constant scalar (shape arithmetic, tf.range's bounds)
            value = Cast.compute(x.value, DstT=DstT)
        return Spec(DstT, x.shape, value)

    @staticmethod
    def elementwise(op):
        source, target = op.inputs[0].dtype.base_dtype, op.attrs["DstT"]
        return "T(x)" if source.is_floating and target.is_floating else None

    @staticmethod
    def compute(x, *, DstT):  # noqa: N803
        source = np.asarray(x)
        if (source.dtype == object) != (DstT == _dtypes.string):
            raise errors.UnimplementedError(
                None, None, f"Cast {_dtypes.as_dtype(source.dtype).name} to {DstT.name} is not "
                "supported. Fix: use tf.strings.to_number / tf.strings.as_string.")
        if np.iscomplexobj(source) and not DstT.is_complex:
            source = source.real  # TF keeps the real part
        with np.errstate(invalid="ignore"):
            return source.astype(DstT.as_numpy_dtype)

    @staticmethod
    def gradient(op, grad):
        source = op.inputs[0].dtype.base_dtype
        differentiable = (source.is_floating or source.is_complex) and \
            (grad.dtype.is_floating or grad.dtype.is_complex)
        return [cast(grad, source) if differentiable else None]


def cast(x, dtype, name=None) -> Tensor:
    """Cast `x` to `dtype`; returns `x` itself when it already has that dtype.

    Example: `tf.cast([-1.7, 2.5], tf.int32)` -> [-1, 2].
    """
    dtype = _dtypes.as_dtype(dtype).base_dtype
    if isinstance(x, Tensor) and x.dtype.base_dtype == dtype:
        return x
    with name_scope(name, "Cast", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        if x.dtype.base_dtype == dtype:
            return x
        return Cast.apply([x], name=scope, DstT=dtype)


OPERATORS["cast"] = cast  # shape_ops.range_ casts its arguments with it


def to_float(x, name="ToFloat") -> Tensor:
    """Deprecated: `tf.cast(x, tf.float32)`."""
    return cast(x, _dtypes.float32, name=name)


def to_double(x, name="ToDouble") -> Tensor:
    """Deprecated: `tf.cast(x, tf.float64)`."""
    return cast(x, _dtypes.float64, name=name)


def to_int32(x, name="ToInt32") -> Tensor:
    """Deprecated: `tf.cast(x, tf.int32)`."""
    return cast(x, _dtypes.int32, name=name)


def to_int64(x, name="ToInt64") -> Tensor:
    """Deprecated: `tf.cast(x, tf.int64)`."""
    return cast(x, _dtypes.int64, name=name)


OPERATORS.update({
    "add": lambda x, y: AddV2.apply([x, y], name="add"),
    "sub": lambda x, y: Sub.apply([x, y], name="sub"),
    "mul": lambda x, y: Mul.apply([x, y], name="mul"),
    "truediv": lambda x, y: truediv(x, y, name="truediv"),
    "floordiv": lambda x, y: FloorDiv.apply([x, y], name="floordiv"),
    "mod": lambda x, y: FloorMod.apply([x, y], name="mod"),
    "pow": lambda x, y: Pow.apply([x, y], name="pow"),
})
