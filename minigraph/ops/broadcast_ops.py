"""Broadcasting and its adjoint, the sum: BroadcastTo and Sum (one block per op).

Lives here: BroadcastTo, Sum (tf.reduce_sum) with the plumbing every reduction shares
(`reduction`, the `ReductionOp` base, `reduced_static_shape`, ReducedShape), and the two
helpers every broadcasting gradient uses: `reduce_to_input_shape` (sum a gradient back to an
input's shape) and `binary_gradient`. Sum sits here, below the arithmetic, because the
gradient of every broadcasting op is a sum; the other reductions (Mean, Max, Prod, ...),
whose gradients need arithmetic, live in reduction_ops.py.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.registry import OpDef, no_gradient, register_op
from ..framework.shapes import TensorShape, broadcast_shapes
from ..framework.tensor import Spec, Tensor
from . import shape_ops
from .common import (NUMBERS, check_dtype_in, reduction_axes, same_shape_passthrough,
                     wants_gradient)
from .constant_op import convert_to_tensor

__all__ = ["broadcast_to", "reduce_sum"]


def reduced_static_shape(shape: TensorShape, axis: Spec, keepdims: bool) -> TensorShape:
    """Static output shape of a reduction whose axes are the (maybe constant) tensor `axis`."""
    if shape.ndims is None:
        return TensorShape(None)
    if axis.value is None:
        return TensorShape([None] * shape.ndims) if keepdims else TensorShape(None)
    axes = reduction_axes(shape, axis.value)
    dims = shape.known
    if keepdims:
        return TensorShape([1 if i in axes else d for i, d in enumerate(dims)])
    return TensorShape([d for i, d in enumerate(dims) if i not in axes])


def reduction_spec(op_type: str, x: Spec, axis: Spec, keepdims: bool, allowed) -> Spec:
    """Spec of a reduction: input dtype, reduced static shape."""
    check_dtype_in(op_type, x, allowed, arg="input")
    return Spec(x.dtype, reduced_static_shape(x.shape, axis, keepdims))


def no_axes_passthrough(inputs, output, attrs):
    """`forwards_input` of reductions: reducing over no axis returns the input."""
    axis = inputs[1].value
    if axis is not None and np.size(axis) == 0 and inputs[0].dtype == output.dtype:
        return 0
    return None


def np_axes(axis) -> tuple:
    """The reduction axes as the tuple numpy wants (kernels get them as an int array)."""
    if type(axis) is np.ndarray:
        axes = axis.tolist()
        return tuple(axes) if type(axes) is list else (axes,)
    return tuple(int(a) for a in np.ravel(axis))


def to_kept_dims(op, t):
    """Reshape a reduction's output-shaped tensor `t` to the input rank (reduced axes 1)."""
    x, axis = op.inputs[0], op.inputs[1]
    if op.attrs["keepdims"]:
        return t
    if x.shape.is_fully_defined() and axis._static_value is not None:
        axes = reduction_axes(x.shape, axis._static_value)
        kept = [1 if i in axes else d for i, d in enumerate(x.shape.known)]
    else:
        kept = ReducedShape.apply([shape_ops.shape(x), axis])
    return shape_ops.reshape(t, kept)


def broadcast_reduction_grad(op, grad):
    """Gradient helper of Sum-like reductions: reshape to kept dims, broadcast to the input."""
    x = op.inputs[0]
    target = x.shape.as_list() if x.shape.is_fully_defined() else shape_ops.shape(x)
    return broadcast_to(to_kept_dims(op, grad), target)


@register_op("ReducedShape")
class ReducedShape(OpDef):
    """The input shape with reduced axes set to 1 (gradient helper of reductions).

    TF1 note: TF computes this with DynamicStitch; minigraph uses one small op.
    """

    inputs = ("input_shape", "axes")
    input_types = ("int32", "int32")

    @staticmethod
    def infer(input_shape, axes):
        return Spec(input_shape.dtype, input_shape.shape)

    @staticmethod
    def compute(input_shape, axes):
        out = np.array(input_shape, copy=True)
        out[np.ravel(axes) % max(len(out), 1)] = 1
        return out

    gradient = staticmethod(no_gradient)

    @staticmethod
    def lower(op, exporter):
        # TF's form: DynamicStitch([range(rank), axes % rank], [input_shape, ones]).
        int32 = _dtypes.int32
        shape, axes = exporter.input(0), exporter.input(1)
        rank = (exporter.emit("Size", [shape], {"out_type": ("type", int32)}), int32)
        shifted = (exporter.emit("AddV2", [axes, rank], {}), int32)
        wrapped = (exporter.emit("FloorMod", [shifted, rank], {}), int32)
        positions = (exporter.emit("Range", [exporter.const(0, int32, "zero"), rank,
                                              exporter.const(1, int32, "one")], {}), int32)
        ones = (exporter.emit("Fill", [(exporter.emit("Shape", [wrapped], {}), int32),
                                       exporter.const(1, int32, "ones_value")], {}), int32)
        return [(exporter.emit("DynamicStitch", [positions, wrapped, shape, ones], {},
                               name=op.name), int32)]


def reduction(op_def, input_tensor, axis, keepdims, name, reduction_indices, keep_dims):
    """Build a reduction op; `axis=None` becomes the constant list of every axis (as in TF)."""
    if axis is not None and reduction_indices is not None:
        raise ValueError("Can not specify both 'axis' and 'reduction_indices'. Fix: pass only "
                         "`axis` (reduction_indices is its deprecated name).")
    if keepdims is not None and keep_dims is not None:
        raise ValueError("Can not specify both 'keepdims' and 'keep_dims'. Fix: pass only "
                         "`keepdims` (keep_dims is its deprecated name).")
    axis = reduction_indices if axis is None else axis
    keep = bool(keepdims if keepdims is not None else keep_dims)
    x = convert_to_tensor(input_tensor)
    if axis is None:
        if x.shape.ndims is not None:
            axis = list(range(x.shape.ndims))
        else:
            axis = shape_ops.range_(0, shape_ops.rank(x))
    return op_def.apply([x, axis], name=name, keepdims=keep)


class ReductionOp(OpDef):
    """Shared part of the reduction blocks: (input, axes) inputs, the reduced static shape,
    and skipping a reduction over no axis. A subclass sets compute, gradient, `allowed`."""

    inputs = ("input", "reduction_indices")
    input_types = ("T", "int32")
    allowed = NUMBERS  # input dtypes accepted
    forwards_input = staticmethod(no_axes_passthrough)

    @classmethod
    def infer(cls, x, axis, *, keepdims):
        return reduction_spec(cls.op_type, x, axis, keepdims, cls.allowed)


@register_op("Sum")
class Sum(ReductionOp):
    """Sum over the axes in `reduction_indices`."""

    @staticmethod
    def compute(x, axis, *, keepdims):
        return np.add.reduce(x, axis=np_axes(axis), dtype=x.dtype, keepdims=keepdims)

    @staticmethod
    def gradient(op, grad):
        return [broadcast_reduction_grad(op, grad), None]


def reduce_sum(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None) -> Tensor:
    """Sum of elements across axes.  Example: `tf.reduce_sum([[1, 2], [3, 4]], 0)` -> [4, 6]."""
    return reduction(Sum, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


@register_op("BroadcastTo")
class BroadcastTo(OpDef):
    """Broadcast the input to `shape` (numpy broadcasting rules)."""

    inputs = ("input", "shape")
    input_types = ("T", "int32")
    forwards_input = staticmethod(same_shape_passthrough)

    @staticmethod
    def infer(x, shape):
        if shape.value is None:
            n = shape.shape.known[0] if shape.shape.known else None
            return Spec(x.dtype, TensorShape(None if n is None else [None] * n))
        target = TensorShape([int(d) for d in np.ravel(shape.value)])
        out = broadcast_shapes(x.shape, target)
        if x.shape.ndims is not None and x.shape.ndims > target.ndims or out != target \
                and out.is_fully_defined():
            raise ValueError(f"Cannot broadcast a tensor of shape {x.shape} to shape "
                             f"{target}.")
        return Spec(x.dtype, target)

    @staticmethod
    def compute(x, shape):
        return np.broadcast_to(x, tuple(shape))

    @staticmethod
    def gradient(op, grad):
        return [reduce_to_input_shape(grad, op.inputs[0]), None]


def broadcast_to(input, shape, name=None) -> Tensor:  # noqa: A002
    """Broadcast `input` to `shape`.  Example: `tf.broadcast_to([1, 2], [3, 2])`."""
    return BroadcastTo.apply([input, shape], name=name)


def reduce_to_input_shape(grad, x):
    """Sum `grad` over the axes along which `x` was broadcast, then reshape to x's shape.

    Used by every broadcasting binary op's gradient: TF sums the incoming gradient over
    every axis along which the input was stretched.
    """
    gs, xs = grad.shape.known, x.shape.known
    if gs is not None and xs is not None and None not in gs and None not in xs:
        if gs == xs:
            return grad
        lead = len(gs) - len(xs)
        axes = list(range(lead)) + [lead + i for i, d in enumerate(xs)
                                    if d == 1 and gs[lead + i] != 1]
        summed = reduce_sum(grad, axis=axes) if axes else grad
        if summed.shape.known == xs:  # only leading axes were summed: no reshape needed
            return summed
        return shape_ops.reshape(summed, list(xs))
    rx, _ = shape_ops.broadcast_gradient_args(shape_ops.shape(x), shape_ops.shape(grad))
    return shape_ops.reshape(reduce_sum(grad, axis=rx), shape_ops.shape(x))


def binary_gradient(op, dx, dy):
    """Gradients of a broadcasting binary op from two builders of the unreduced gradients.

    `dx` and `dy` are zero-argument functions; each is only called when its input wants a
    gradient, and its result is summed back to that input's shape.
    """
    x, y = op.inputs
    return [reduce_to_input_shape(dx(), x) if wants_gradient(x) else None,
            reduce_to_input_shape(dy(), y) if wants_gradient(y) else None]
