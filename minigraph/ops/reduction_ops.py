"""Reductions: Mean, Max, Min, Prod, All, Any, ArgMax, ArgMin, L2Loss, and the running
reductions (scans) Cumsum and Cumprod (one block per op).

Lives here: the reduce_* family built on the plumbing of broadcast_ops.py (the `ReductionOp`
base, the `reduction` constructor helper, `broadcast_reduction_grad`). Each reduction op
takes the axes as a second int32 input, as TF does; `axis=None` becomes every axis. Sum, the
adjoint of broadcasting, lives in broadcast_ops.py, below the arithmetic that these
gradients use.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.tensor import Spec, Tensor
from ..framework.registry import OpDef, no_gradient, register_op
from ..framework.shapes import TensorShape
from . import array_ops, broadcast_ops, comparison_ops, math_ops, shape_ops
from .broadcast_ops import (ReductionOp, broadcast_reduction_grad, np_axes, reduce_sum,
                            reduction, to_kept_dims)
from .common import FLOATS, REALS, check_dtype_in, reduction_axes


__all__ = ["reduce_mean", "reduce_max", "reduce_min", "reduce_prod",
           "reduce_all", "reduce_any", "argmax", "argmin", "arg_max", "arg_min", "l2_loss",
           "cumsum", "cumprod"]


@register_op("Mean")
class Mean(ReductionOp):
    """Mean over the axes in `reduction_indices` (integer means truncate, as TF's)."""

    @staticmethod
    def compute(x, axis, *, keepdims):
        axes = np_axes(axis)
        if x.dtype.kind in "fc":  # float mean: sum in the input dtype, then divide
            count = 1
            for a in axes:
                count *= x.shape[a]
            total = np.add.reduce(x, axis=axes, dtype=x.dtype, keepdims=keepdims)
            return total / x.dtype.type(count)
        return np.asarray(np.mean(x, axis=axes, keepdims=keepdims, dtype=x.dtype),
                          dtype=x.dtype)[()]

    @staticmethod
    def gradient(op, grad):
        x, y = op.inputs[0], op.outputs[0]
        if x.shape.is_fully_defined() and y.shape.is_fully_defined():
            count = max(x.shape.num_elements() // max(y.shape.num_elements(), 1), 1)
        else:
            ratio = math_ops.floordiv(reduce_prod(shape_ops.shape(x)),
                                      reduce_prod(shape_ops.shape(y)))
            count = math_ops.cast(math_ops.maximum(ratio, 1), grad.dtype)
        return [math_ops.realdiv(broadcast_reduction_grad(op, grad), count), None]


def reduce_mean(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                keep_dims=None) -> Tensor:
    """Mean of elements across axes.  Example: `tf.reduce_mean([1.0, 2.0])` -> 1.5."""
    return reduction(Mean, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def min_or_max_grad(op, grad):
    """`grad` split equally among the elements equal to the extreme value (ties share)."""
    x = op.inputs[0]
    picked = math_ops.cast(comparison_ops.equal(x, to_kept_dims(op, op.outputs[0])),
                           grad.dtype)
    count = reduce_sum(picked, op.inputs[1], keepdims=True)
    return [math_ops.multiply(math_ops.realdiv(picked, count), to_kept_dims(op, grad)), None]


def lowest(dtype):
    """The start value of a max-reduction: -inf for floats, the smallest int otherwise."""
    return -np.inf if np.issubdtype(dtype, np.floating) else np.iinfo(dtype).min


def highest(dtype):
    """The start value of a min-reduction: inf for floats, the largest int otherwise."""
    return np.inf if np.issubdtype(dtype, np.floating) else np.iinfo(dtype).max


@register_op("Max")
class Max(ReductionOp):
    """Maximum over the axes; an empty reduction gives the dtype's lowest value."""

    allowed = REALS

    @staticmethod
    def compute(x, axis, *, keepdims):
        return np.max(x, axis=np_axes(axis), keepdims=keepdims, initial=lowest(x.dtype))

    gradient = staticmethod(min_or_max_grad)


def reduce_max(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None) -> Tensor:
    """Maximum across axes.  Example: `tf.reduce_max([[1, 5], [3, 2]], 1)` -> [5, 3]."""
    return reduction(Max, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


@register_op("Min")
class Min(ReductionOp):
    """Minimum over the axes; an empty reduction gives the dtype's highest value."""

    allowed = REALS

    @staticmethod
    def compute(x, axis, *, keepdims):
        return np.min(x, axis=np_axes(axis), keepdims=keepdims, initial=highest(x.dtype))

    gradient = staticmethod(min_or_max_grad)


def reduce_min(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None) -> Tensor:
    """Minimum across axes.  Example: `tf.reduce_min([[1, 5], [3, 2]], 1)` -> [1, 2]."""
    return reduction(Min, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


@register_op("Prod")
class Prod(ReductionOp):
    """Product over the axes."""

    @staticmethod
    def compute(x, axis, *, keepdims):
        return np.prod(x, axis=np_axes(axis), keepdims=keepdims, dtype=x.dtype)

    @staticmethod
    def gradient(op, grad):
        # d prod / d x_i = product of the other elements. Computed without dividing by x_i so
        # that zeros work: with one zero only that element gets the product of the rest,
        # with two or more zeros every element gets 0.
        cast, equal, multiply = math_ops.cast, comparison_ops.equal, math_ops.multiply
        where = comparison_ops.where
        x, axis = op.inputs[0], op.inputs[1]
        is_zero = equal(x, 0)
        nonzero = where(is_zero, array_ops.ones_like(x), x)
        zeros = reduce_sum(cast(is_zero, x.dtype), axis, keepdims=True)
        rest = reduce_prod(nonzero, axis, keepdims=True)
        target = x.shape.as_list() if x.shape.is_fully_defined() else shape_ops.shape(x)
        if_zero = broadcast_ops.broadcast_to(multiply(rest, cast(equal(zeros, 1), x.dtype)),
                                             target)
        if_nonzero = multiply(math_ops.realdiv(rest, nonzero), cast(equal(zeros, 0), x.dtype))
        others = where(is_zero, if_zero, if_nonzero)
        return [multiply(others, to_kept_dims(op, grad)), None]


def reduce_prod(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                keep_dims=None) -> Tensor:
    """Product across axes.  Example: `tf.reduce_prod([[1, 2], [3, 4]])` -> 24."""
    return reduction(Prod, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


@register_op("All")
class All(ReductionOp):
    """Logical and over the axes (bool only); no gradient."""

    allowed = ("bool",)

    @staticmethod
    def compute(x, axis, *, keepdims):
        return np.all(x, axis=np_axes(axis), keepdims=keepdims)

    gradient = staticmethod(no_gradient)


def reduce_all(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None) -> Tensor:
    """True where every element is True.  Example: `tf.reduce_all([True, False])` -> False."""
    return reduction(All, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


@register_op("Any")
class Any(ReductionOp):
    """Logical or over the axes (bool only); no gradient."""

    allowed = ("bool",)

    @staticmethod
    def compute(x, axis, *, keepdims):
        return np.any(x, axis=np_axes(axis), keepdims=keepdims)

    gradient = staticmethod(no_gradient)


def reduce_any(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None) -> Tensor:
    """True where any element is True.  Example: `tf.reduce_any([True, False])` -> True."""
    return reduction(Any, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def arg_spec(op_type: str, x: Spec, dimension: Spec, output_type) -> Spec:
    """Spec of ArgMax/ArgMin: the input shape without the reduced axis, int32/int64 out."""
    check_dtype_in(op_type, x, REALS, arg="input")
    if output_type.name not in ("int32", "int64"):
        raise TypeError(f"output_type of {op_type} must be tf.int32 or tf.int64, got "
                        f"{output_type.name}.")
    if dimension.shape.ndims not in (None, 0):
        raise ValueError(f"{op_type} takes one axis (a scalar), got shape {dimension.shape}. "
                         "Fix: reduce one axis at a time.")
    if x.shape.ndims is None or dimension.value is None:
        rank = None if x.shape.ndims is None else x.shape.ndims - 1
        return Spec(output_type, TensorShape(None if rank is None else [None] * rank))
    (axis,) = reduction_axes(x.shape, dimension.value)
    return Spec(output_type, TensorShape([d for i, d in enumerate(x.shape.known) if i != axis]))


@register_op("ArgMax")
class ArgMax(OpDef):
    """Index of the largest value along one axis (the first one on ties); no gradient."""

    inputs = ("input", "dimension")
    input_types = ("T", "int32")

    @staticmethod
    def infer(x, dimension, *, output_type):
        return arg_spec("ArgMax", x, dimension, output_type)

    @staticmethod
    def compute(x, dimension, *, output_type):
        return np.argmax(x, axis=int(dimension)).astype(output_type.as_numpy_dtype)

    gradient = staticmethod(no_gradient)


@register_op("ArgMin")
class ArgMin(OpDef):
    """Index of the smallest value along one axis (the first one on ties); no gradient."""

    inputs = ("input", "dimension")
    input_types = ("T", "int32")

    @staticmethod
    def infer(x, dimension, *, output_type):
        return arg_spec("ArgMin", x, dimension, output_type)

    @staticmethod
    def compute(x, dimension, *, output_type):
        return np.argmin(x, axis=int(dimension)).astype(output_type.as_numpy_dtype)

    gradient = staticmethod(no_gradient)


def argmax(input, axis=None, name=None, dimension=None,  # noqa: A002 - TF's argument name
           output_type=_dtypes.int64) -> Tensor:
    """Index of the largest value along `axis` (default 0).

    Example: `tf.argmax([1, 3, 2])` -> 1 (int64).
    """
    axis = _arg_axis(axis, dimension)
    return ArgMax.apply([input, axis], name=name, output_type=_dtypes.as_dtype(output_type))


def argmin(input, axis=None, name=None, dimension=None,  # noqa: A002
           output_type=_dtypes.int64) -> Tensor:
    """Index of the smallest value along `axis` (default 0).

    Example: `tf.argmin([1, 3, 0])` -> 2 (int64).
    """
    axis = _arg_axis(axis, dimension)
    return ArgMin.apply([input, axis], name=name, output_type=_dtypes.as_dtype(output_type))


def arg_max(input, dimension, name=None, output_type=_dtypes.int64) -> Tensor:  # noqa: A002
    """Deprecated TF1 spelling of `tf.argmax(input, dimension)`."""
    return argmax(input, dimension, name=name, output_type=output_type)


def arg_min(input, dimension, name=None, output_type=_dtypes.int64) -> Tensor:  # noqa: A002
    """Deprecated TF1 spelling of `tf.argmin(input, dimension)`."""
    return argmin(input, dimension, name=name, output_type=output_type)


def _arg_axis(axis, dimension):
    if axis is not None and dimension is not None:
        raise ValueError("Cannot specify both 'axis' and 'dimension'. Fix: pass only `axis`.")
    axis = dimension if axis is None else axis
    return 0 if axis is None else axis  # TF1 reduces axis 0 when none is given


@register_op("L2Loss")
class L2Loss(OpDef):
    """sum(t ** 2) / 2 as a scalar."""

    inputs = ("t",)

    @staticmethod
    def infer(t):
        check_dtype_in("L2Loss", t, FLOATS, arg="t")
        return Spec(t.dtype, [])

    @staticmethod
    def compute(t):
        # vdot: the sum of squares without a temporary array the size of t.
        return np.asarray(np.vdot(t, t) / 2, dtype=t.dtype)

    @staticmethod
    def gradient(op, grad):
        return [op.inputs[0] * grad]


def l2_loss(t, name=None) -> Tensor:
    """Half the squared L2 norm, sum(t ** 2) / 2.  Example: `tf.nn.l2_loss([3., 4.])` -> 12.5."""
    return L2Loss.apply([t], name=name)


# -- running sums and products (scans) -----------------------------------------------------
class _Scan(OpDef):
    """Shared inputs, attributes and shape rule of Cumsum and Cumprod: the output has x's
    shape; `exclusive` shifts in the identity (0 or 1), `reverse` scans from the end."""

    inputs = ("x", "axis")
    input_types = ("T", "int32")
    IDENTITY = 0

    @classmethod
    def infer(cls, x, axis, *, exclusive, reverse):
        check_dtype_in(cls.op_type, x, REALS + ("complex64", "complex128"), arg="x")
        a = shape_ops.static_axis(axis, cls.op_type)
        if a is not None and x.shape.ndims is not None:
            shape_ops.normalize_axis(a, x.shape.ndims, cls.op_type)
        return Spec(x.dtype, x.shape)

    @classmethod
    def scan(cls, x, axis, exclusive, reverse, running):
        """`running(array, axis=0)` (np.cumsum / np.cumprod) along `axis`, TF's options."""
        x = np.moveaxis(np.asarray(x), int(axis), 0)
        if reverse:
            x = x[::-1]
        out = running(x, axis=0, dtype=x.dtype)
        if exclusive and len(out):
            out = np.concatenate([np.full_like(out[:1], cls.IDENTITY), out[:-1]])
        if reverse:
            out = out[::-1]
        return np.ascontiguousarray(np.moveaxis(out, 0, int(axis)))


@register_op("Cumsum")
class Cumsum(_Scan):
    """Running sum along `axis`: [a, b, c] -> [a, a + b, a + b + c]."""

    @classmethod
    def compute(cls, x, axis, *, exclusive, reverse):
        return cls.scan(x, axis, exclusive, reverse, np.cumsum)

    @staticmethod
    def gradient(op, grad):
        attrs = op.attrs  # each input reaches the outputs after it: sum the grads from there
        return [cumsum(grad, op.inputs[1], exclusive=attrs["exclusive"],
                       reverse=not attrs["reverse"]), None]


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """Running sum.  Example: `tf.cumsum([1, 2, 3], exclusive=True)` -> [0, 1, 3]."""
    return Cumsum.apply([x, axis], name=name, exclusive=bool(exclusive), reverse=bool(reverse))


@register_op("Cumprod")
class Cumprod(_Scan):
    """Running product along `axis`: [a, b, c] -> [a, a * b, a * b * c]."""

    IDENTITY = 1

    @classmethod
    def compute(cls, x, axis, *, exclusive, reverse):
        return cls.scan(x, axis, exclusive, reverse, np.cumprod)

    @staticmethod
    def gradient(op, grad):
        # TF's formula: cumsum of (product * grad) backwards, divided by x (so, as in TF,
        # not defined where x is 0).
        x, axis = op.inputs
        attrs = op.attrs
        product = cumprod(x, axis, exclusive=attrs["exclusive"], reverse=attrs["reverse"])
        summed = cumsum(product * grad, axis, exclusive=attrs["exclusive"],
                        reverse=not attrs["reverse"])
        return [math_ops.divide(summed, x), None]


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """Running product.  Example: `tf.cumprod([2, 3, 4])` -> [2, 6, 24]."""
    return Cumprod.apply([x, axis], name=name, exclusive=bool(exclusive), reverse=bool(reverse))
