"""Elementwise unary math ops: Neg, Abs, Sign, Exp, Log, Sqrt, Sigmoid, Floor, ... (one block each).

Lives here: ops of one input whose output has the input's shape and dtype, plus SqrtGrad,
TanhGrad and SigmoidGrad, the kernels of those ops' gradients (one op each, as in TF).
Binary arithmetic is in math_ops.py. Each kernel casts its result to the input dtype, so
numpy's promotion rules never leak into the graph's dtypes.
"""

from __future__ import annotations

import numpy as np

from ..framework.tensor import OPERATORS, Spec, Tensor
from ..framework.registry import OpDef, no_gradient, register_op
from . import array_ops
from .common import FLOATS, check_dtype_in, check_same_dtype, unary_spec

SIGNED = FLOATS + ("int8", "int16", "int32", "int64")

__all__ = ["negative", "neg", "sign", "exp", "log", "log1p", "sqrt", "rsqrt", "square",
           "reciprocal", "sin", "cos", "tanh", "sigmoid", "floor", "ceil"]
# abs_ and round_ shadow builtins: minigraph/__init__.py exports them as tf.abs and tf.round.


class UnaryOp(OpDef):
    """Shared part of the elementwise unary blocks (here and the nn activations): output
    dtype and shape = the input's. A subclass sets `compute`, `gradient` and, if not floats
    only, `allowed`; attributes (LeakyRelu's alpha) pass through to `compute`.
    """

    inputs = ("x",)
    allowed = FLOATS  # input dtypes accepted

    @classmethod
    def infer(cls, x, **attrs):
        return unary_spec(cls.op_type, x, cls.allowed, cls.inputs[0])


def like(x, value):
    """`value` as an array (or numpy scalar) of x's dtype."""
    return np.asarray(value, dtype=np.asarray(x).dtype)[()]


@register_op("Neg")
class Neg(UnaryOp):
    """Elementwise -x."""

    allowed = SIGNED + ("complex64", "complex128")
    compute = staticmethod(np.negative)
    elementwise = "-x"

    @staticmethod
    def gradient(op, grad):
        return [negative(grad)]


def negative(x, name=None) -> Tensor:
    """Elementwise negation.  Example: `tf.negative([1, -2])` -> [-1, 2]."""
    return Neg.apply([x], name=name)


neg = negative  # deprecated TF1 name


@register_op("Abs")
class Abs(UnaryOp):
    """Elementwise |x|; its gradient is g * sign(x), so 0 at x = 0."""

    allowed = SIGNED
    compute = staticmethod(np.abs)
    elementwise = "abs(x)"

    @staticmethod
    def gradient(op, grad):
        return [grad * sign(op.inputs[0])]


def abs_(x, name=None) -> Tensor:
    """Elementwise absolute value (exported as `tf.abs`).  Example: `tf.abs(-2.0)` -> 2.0."""
    return Abs.apply([x], name=name)


@register_op("Sign")
class Sign(UnaryOp):
    """Elementwise -1, 0 or 1; its gradient is a zeros tensor (not None)."""

    allowed = SIGNED
    compute = staticmethod(np.sign)

    @staticmethod
    def gradient(op, grad):
        return [array_ops.zeros_like(op.inputs[0])]


def sign(x, name=None) -> Tensor:
    """Elementwise sign.  Example: `tf.sign([-3.0, 0.0, 2.0])` -> [-1, 0, 1]."""
    return Sign.apply([x], name=name)


@register_op("Exp")
class Exp(UnaryOp):
    """Elementwise e ** x."""

    compute = staticmethod(np.exp)

    @staticmethod
    def gradient(op, grad):
        return [grad * op.outputs[0]]


def exp(x, name=None) -> Tensor:
    """Elementwise exponential.  Example: `tf.exp(0.0)` -> 1.0."""
    return Exp.apply([x], name=name)


@register_op("Log")
class Log(UnaryOp):
    """Elementwise natural logarithm (-inf at 0, nan below)."""

    compute = staticmethod(np.log)

    @staticmethod
    def gradient(op, grad):
        return [grad * reciprocal(op.inputs[0])]


def log(x, name=None) -> Tensor:
    """Elementwise natural logarithm.  Example: `tf.log(1.0)` -> 0.0."""
    return Log.apply([x], name=name)


@register_op("Log1p")
class Log1p(UnaryOp):
    """Elementwise log(1 + x), accurate for small x."""

    compute = staticmethod(np.log1p)

    @staticmethod
    def gradient(op, grad):
        return [grad * reciprocal(op.inputs[0] + 1)]


def log1p(x, name=None) -> Tensor:
    """Elementwise log(1 + x).  Example: `tf.log1p(0.0)` -> 0.0."""
    return Log1p.apply([x], name=name)


@register_op("Sqrt")
class Sqrt(UnaryOp):
    """Elementwise square root; the gradient is SqrtGrad(y, g) = 0.5 * g / y."""

    compute = staticmethod(np.sqrt)
    elementwise = "sqrt(x)"

    @staticmethod
    def gradient(op, grad):
        return [SqrtGrad.apply([op.outputs[0], grad])]


def sqrt(x, name=None) -> Tensor:
    """Elementwise square root.  Example: `tf.sqrt(4.0)` -> 2.0."""
    return Sqrt.apply([x], name=name)


@register_op("SqrtGrad")
class SqrtGrad(OpDef):
    """0.5 * dy / y, and 0 wherever dy == 0 (as TF 2.21's kernel), so sqrt(0) with a zero
    upstream gradient gives 0, not nan (the NaN trap of sqrt at 0 under tf.where).
    """

    inputs = ("y", "dy")
    elementwise = "0 if dy == 0 else 0.5 * dy / y"

    @staticmethod
    def infer(y, dy):
        check_dtype_in("SqrtGrad", y, FLOATS, arg="y")
        check_same_dtype("SqrtGrad", [y, dy], names=("y", "dy"))
        return Spec(y.dtype, y.shape.merge_with(dy.shape))

    @staticmethod
    def compute(y, dy):
        return like(y, np.where(dy == 0, 0, 0.5 * dy / y))

    @staticmethod
    def gradient(op, grad):
        y, z = op.inputs[0], op.outputs[0]
        scaled = grad / y
        return [-(scaled * z), scaled * 0.5]


@register_op("Rsqrt")
class Rsqrt(UnaryOp):
    """Elementwise 1 / sqrt(x); the gradient is -0.5 * g * y^3."""

    elementwise = "1 / sqrt(x)"

    @staticmethod
    def compute(x):
        return like(x, 1 / np.sqrt(x))

    @staticmethod
    def gradient(op, grad):
        y = op.outputs[0]
        return [grad * (y * square(y)) * -0.5]


def rsqrt(x, name=None) -> Tensor:
    """Elementwise reciprocal square root.  Example: `tf.rsqrt(4.0)` -> 0.5."""
    return Rsqrt.apply([x], name=name)


@register_op("Square")
class Square(UnaryOp):
    """Elementwise x * x."""

    allowed = SIGNED + ("complex64", "complex128")
    compute = staticmethod(np.square)
    elementwise = "x * x"

    @staticmethod
    def gradient(op, grad):
        return [grad * (op.inputs[0] * 2)]


def square(x, name=None) -> Tensor:
    """Elementwise square.  Example: `tf.square(-3)` -> 9."""
    return Square.apply([x], name=name)


@register_op("Reciprocal")
class Reciprocal(UnaryOp):
    """Elementwise 1 / x; the gradient is -g * y^2."""

    elementwise = "1 / x"

    @staticmethod
    def compute(x):
        return like(x, np.reciprocal(x))

    @staticmethod
    def gradient(op, grad):
        y = op.outputs[0]
        return [-(grad * square(y))]


def reciprocal(x, name=None) -> Tensor:
    """Elementwise 1 / x.  Example: `tf.reciprocal(4.0)` -> 0.25."""
    return Reciprocal.apply([x], name=name)


@register_op("Sin")
class Sin(UnaryOp):
    """Elementwise sine."""

    compute = staticmethod(np.sin)

    @staticmethod
    def gradient(op, grad):
        return [grad * cos(op.inputs[0])]


def sin(x, name=None) -> Tensor:
    """Elementwise sine.  Example: `tf.sin(0.0)` -> 0.0."""
    return Sin.apply([x], name=name)


@register_op("Cos")
class Cos(UnaryOp):
    """Elementwise cosine."""

    compute = staticmethod(np.cos)

    @staticmethod
    def gradient(op, grad):
        return [-(grad * sin(op.inputs[0]))]


def cos(x, name=None) -> Tensor:
    """Elementwise cosine.  Example: `tf.cos(0.0)` -> 1.0."""
    return Cos.apply([x], name=name)


@register_op("Tanh")
class Tanh(UnaryOp):
    """Elementwise hyperbolic tangent; the gradient is TanhGrad(y, g) = g * (1 - y^2)."""

    compute = staticmethod(np.tanh)

    @staticmethod
    def gradient(op, grad):
        return [TanhGrad.apply([op.outputs[0], grad])]


def tanh(x, name=None) -> Tensor:
    """Elementwise tanh.  Example: `tf.tanh(0.0)` -> 0.0."""
    return Tanh.apply([x], name=name)


class _ActivationGrad(OpDef):
    """Shared part of TanhGrad and SigmoidGrad: (y, dy) of one float dtype and shape."""

    inputs = ("y", "dy")

    @classmethod
    def infer(cls, y, dy):
        check_dtype_in(cls.op_type, y, FLOATS, arg="y")
        check_same_dtype(cls.op_type, [y, dy], names=("y", "dy"))
        return Spec(y.dtype, y.shape.merge_with(dy.shape))


@register_op("TanhGrad")
class TanhGrad(_ActivationGrad):
    """The gradient of Tanh from its output: dy * (1 - y * y), one op (as TF builds it)."""

    elementwise = "dy * (1 - y * y)"

    @staticmethod
    def compute(y, dy):
        return like(y, dy * (1 - y * y))

    @staticmethod
    def gradient(op, grad):
        y, dy = op.inputs
        return [grad * -2.0 * dy * y, TanhGrad.apply([y, grad])]


@register_op("Sigmoid")
class Sigmoid(UnaryOp):
    """Elementwise 1 / (1 + exp(-x)); the gradient is g * y * (1 - y)."""

    @staticmethod
    def compute(x):
        # The tanh form never overflows, unlike 1 / (1 + exp(-x)) for large negative x.
        return like(x, 0.5 * (1 + np.tanh(0.5 * np.asarray(x))))

    @staticmethod
    def gradient(op, grad):
        return [SigmoidGrad.apply([op.outputs[0], grad])]


def sigmoid(x, name=None) -> Tensor:
    """Elementwise logistic function.  Example: `tf.sigmoid(0.0)` -> 0.5."""
    return Sigmoid.apply([x], name=name)


@register_op("SigmoidGrad")
class SigmoidGrad(_ActivationGrad):
    """The gradient of Sigmoid from its output: dy * (y * (1 - y)), one op (as TF)."""

    elementwise = "dy * (y * (1 - y))"

    @staticmethod
    def compute(y, dy):
        return like(y, dy * (y * (1 - y)))

    @staticmethod
    def gradient(op, grad):
        y, dy = op.inputs
        scaled = grad * dy
        return [scaled - 2.0 * scaled * y, SigmoidGrad.apply([y, grad])]


@register_op("Floor")
class Floor(UnaryOp):
    """Elementwise largest integer not above x (float in, float out); no gradient."""

    compute = staticmethod(np.floor)
    elementwise = "floor(x)"
    gradient = staticmethod(no_gradient)


def floor(x, name=None) -> Tensor:
    """Elementwise floor.  Example: `tf.floor(-1.5)` -> -2.0."""
    return Floor.apply([x], name=name)


@register_op("Ceil")
class Ceil(UnaryOp):
    """Elementwise smallest integer not below x (float in, float out); no gradient."""

    compute = staticmethod(np.ceil)
    elementwise = "ceil(x)"
    gradient = staticmethod(no_gradient)


def ceil(x, name=None) -> Tensor:
    """Elementwise ceiling.  Example: `tf.ceil(-1.5)` -> -1.0."""
    return Ceil.apply([x], name=name)


@register_op("Round")
class Round(UnaryOp):
    """Elementwise rounding, halves to even (banker's rounding, as numpy); no gradient."""

    allowed = SIGNED
    compute = staticmethod(np.round)
    gradient = staticmethod(no_gradient)


def round_(x, name=None) -> Tensor:
    """Elementwise round half to even (exported as `tf.round`).  Example: `tf.round(2.5)` -> 2.0."""
    return Round.apply([x], name=name)


OPERATORS.update({"neg": negative, "abs": abs_})
