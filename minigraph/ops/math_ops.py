"""Math ops: elementwise arithmetic, reductions, matrix products (one block per op).

Lives here: AddV2, Mul, AddN, Sum and the rest of TF's math family, and the Python operator
table entries (`a + b` -> "add") that graph.py's Tensor operators call. Broadcasting
gradients share `common.reduce_to_input_shape`.
"""

from __future__ import annotations

import numpy as np

from ..graph import OPERATORS, Spec, Tensor
from ..registry import OpDef, register_op
from ..shapes import TensorShape
from .common import NUMBERS, broadcast_spec, check_dtype_in, reduce_to_input_shape, \
    reduction_axes
from .constant_op import convert_to_tensor

__all__ = ["add", "multiply", "add_n", "reduce_sum"]


@register_op("AddV2")
class AddV2(OpDef):
    """Elementwise x + y with broadcasting."""

    inputs = ("x", "y")

    @staticmethod
    def infer(x, y):
        check_dtype_in("AddV2", x, NUMBERS)
        return broadcast_spec("AddV2", x, y)

    compute = staticmethod(np.add)

    @staticmethod
    def gradient(op, grad):
        x, y = op.inputs
        return [reduce_to_input_shape(grad, x), reduce_to_input_shape(grad, y)]


def add(x, y, name=None) -> Tensor:
    """Elementwise sum with broadcasting.  Example: `tf.add([1, 2], 1)` -> [2, 3]."""
    return AddV2.apply([x, y], name=name or "Add")


@register_op("Mul")
class Mul(OpDef):
    """Elementwise x * y with broadcasting."""

    inputs = ("x", "y")

    @staticmethod
    def infer(x, y):
        check_dtype_in("Mul", x, NUMBERS)
        return broadcast_spec("Mul", x, y)

    compute = staticmethod(np.multiply)

    @staticmethod
    def gradient(op, grad):
        x, y = op.inputs
        return [reduce_to_input_shape(multiply(grad, y), x),
                reduce_to_input_shape(multiply(x, grad), y)]


def multiply(x, y, name=None) -> Tensor:
    """Elementwise product with broadcasting.  Example: `tf.multiply(a, 2.0)`."""
    return Mul.apply([x, y], name=name)


@register_op("AddN")
class AddN(OpDef):
    """Sum of N tensors of the same shape and dtype."""

    @staticmethod
    def infer(*xs):
        from .common import check_same_dtype

        if not xs:
            raise ValueError("add_n needs at least one tensor.")
        check_same_dtype("AddN", xs, names=[f"inputs_{i}" for i in range(len(xs))])
        shape = xs[0].shape
        for x in xs[1:]:
            shape = shape.merge_with(x.shape)
        return Spec(xs[0].dtype, shape)

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


@register_op("Sum")
class Sum(OpDef):
    """Sum over the axes in `reduction_indices` (every axis when it is None)."""

    inputs = ("input", "reduction_indices")
    input_types = ("T", "int32")

    @staticmethod
    def infer(x, axis, *, keepdims):
        check_dtype_in("Sum", x, NUMBERS + ("bool",))
        return Spec(x.dtype, reduced_static_shape(x.shape, axis, keepdims))

    @staticmethod
    def compute(x, axis, *, keepdims):
        return np.asarray(np.sum(x, axis=tuple(np.ravel(axis)), keepdims=keepdims,
                                 dtype=x.dtype))

    @staticmethod
    def gradient(op, grad):
        return [broadcast_reduction_grad(op, grad), None]


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


def broadcast_reduction_grad(op, grad):
    """Gradient helper of Sum-like reductions: reshape to kept dims, broadcast to the input."""
    from .array_ops import broadcast_to, reshape, shape

    x, axis = op.inputs[0], op.inputs[1]
    if not op.attrs["keepdims"]:
        if x.shape.is_fully_defined() and axis._static_value is not None:
            axes = reduction_axes(x.shape, axis._static_value)
            kept = [1 if i in axes else d for i, d in enumerate(x.shape.known)]
        else:
            kept = ReducedShape.apply([shape(x), axis])
        grad = reshape(grad, kept)
    target = x.shape.as_list() if x.shape.is_fully_defined() else shape(x)
    return broadcast_to(grad, target)


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

    gradient = staticmethod(lambda op, grad: [None, None])


def reduce_sum(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None) -> Tensor:
    """Sum of elements across axes.  Example: `tf.reduce_sum([[1, 2], [3, 4]], 0)` -> [4, 6]."""
    return reduction(Sum, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduction(op_def, input_tensor, axis, keepdims, name, reduction_indices, keep_dims):
    """Build a reduction op; `axis=None` becomes the constant list of every axis (as in TF)."""
    from .array_ops import range_, rank

    axis = reduction_indices if axis is None else axis
    keep = bool(keepdims if keepdims is not None else keep_dims)
    x = convert_to_tensor(input_tensor)
    if axis is None:
        if x.shape.ndims is not None:
            axis = list(range(x.shape.ndims))
        else:
            axis = range_(0, rank(x))
    return op_def.apply([x, axis], name=name, keepdims=keep)


OPERATORS.update({
    "add": lambda x, y: AddV2.apply([x, y], name="add"),
    "mul": lambda x, y: Mul.apply([x, y], name="mul"),
})
