"""Array ops: construction of whole tensors and identity (one block per op).

Lives here: Identity, StopGradient, Fill, the zeros/ones family, and Pack (stack) with its
inverse Unpack (unstack); each of those two is the other's gradient. The shape family
(Shape, Reshape, Transpose, Range, ...) lives in shape_ops.py, BroadcastTo in
broadcast_ops.py; slicing and gathering in indexing_ops.py; concat, split, tile and reverse
in join_split_ops.py; arithmetic in math_ops.py.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.graph import name_scope
from ..framework.tensor import Spec, Tensor
from ..framework.registry import OpDef, no_gradient, register_op
from ..framework.shapes import TensorShape
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import OPERATORS
from . import broadcast_ops, shape_ops
from .common import check_same_dtype, passes_input_through
from .constant_op import constant, convert_to_tensor

__all__ = ["identity", "fill", "zeros", "ones", "zeros_like", "ones_like", "stack", "unstack",
           "stop_gradient"]


@register_op("Identity")
class Identity(OpDef):
    """Returns its input unchanged (of a variable: the variable's value)."""

    inputs = ("input",)
    forwards_alias = True
    forwards_input = staticmethod(passes_input_through)

    @staticmethod
    def infer(x):
        return Spec(x.dtype.base_dtype, x.shape, x.value)

    @staticmethod
    def compute(x):
        return x

    @staticmethod
    def gradient(op, grad):
        return [grad]


def identity(input, name=None) -> Tensor:  # noqa: A002 - TF's argument name
    """Return a tensor with the same value as `input`.  Example: `tf.identity(v)` reads v."""
    return Identity.apply([input], name=name)


@register_op("Fill")
class Fill(OpDef):
    """A tensor of shape `dims` filled with the scalar `value`."""

    inputs = ("dims", "value")
    input_types = ("int32", "T")

    @staticmethod
    def infer(dims, value):
        if value.shape.ndims not in (None, 0):
            raise ValueError(f"value must be a scalar, got shape {value.shape}.")
        if dims.value is not None:
            return Spec(value.dtype, TensorShape([int(d) for d in dims.value]))
        n = dims.shape.known[0] if dims.shape.known else None
        return Spec(value.dtype, TensorShape(None if n is None else [None] * n))

    @staticmethod
    def compute(dims, value):
        return np.full(dims, value, dtype=np.asarray(value).dtype)

    @staticmethod
    def gradient(op, grad):
        return [None, broadcast_ops.reduce_sum(grad)]


def fill(dims, value, name=None) -> Tensor:
    """A tensor of shape `dims` filled with `value`.  Example: `tf.fill([2, 3], 9)`."""
    return Fill.apply([dims, value], name=name)


SMALL_CONSTANT = 1000  # elements: smaller zeros/ones are one Const, larger ones a Fill (TF)


def _const_fill(shape_value, dtype, fill_value, name, default_name):
    """zeros/ones as TF builds them: a Const under SMALL_CONSTANT elements, else a Fill of a
    scalar (`<name>/shape_as_tensor`, `<name>/Const`, `<name>`), so the graph does not grow
    with the tensor; nothing of the tensor's size is allocated before a run needs it."""
    dtype = _dtypes.as_dtype(dtype).base_dtype
    if dtype == _dtypes.string:
        fill_value = "" if fill_value == 0 else fill_value
    elif dtype == _dtypes.bool:
        fill_value = bool(fill_value)
    values = [shape_value] if isinstance(shape_value, Tensor) else None
    with name_scope(name, default_name, values) as scope:
        if isinstance(shape_value, Tensor):
            dims = shape_value if shape_value.shape.ndims != 0 else \
                shape_ops.reshape(shape_value, [-1])
        else:
            known = shape_value.as_list() if isinstance(shape_value, TensorShape) else \
                [int(d) for d in np.asarray(shape_value, dtype=np.int64).ravel()]
            if int(np.prod(known, dtype=np.float64)) < SMALL_CONSTANT:
                return constant(np.full(known, fill_value, dtype=dtype.as_numpy_dtype), dtype,
                                name=scope)
            wide = any(d >= 2**31 for d in known)
            dims = constant(known, _dtypes.int64 if wide else _dtypes.int32,
                            name="shape_as_tensor")
        return fill(dims, constant(fill_value, dtype, name="Const"), name=scope)


def zeros(shape, dtype=_dtypes.float32, name=None) -> Tensor:
    """A tensor of zeros.  Example: `tf.zeros([2, 3])`."""
    return _const_fill(shape, dtype, 0, name, "zeros")


def ones(shape, dtype=_dtypes.float32, name=None) -> Tensor:
    """A tensor of ones.  Example: `tf.ones([2, 3], tf.int32)`."""
    return _const_fill(shape, dtype, 1, name, "ones")


def _like(tensor, dtype, value, name, default_name):
    tensor = convert_to_tensor(tensor)
    dtype = _dtypes.as_dtype(dtype) if dtype is not None else tensor.dtype.base_dtype
    if tensor.shape.is_fully_defined():
        return _const_fill(tensor.shape, dtype, value, name, default_name)
    out = fill(shape_ops.shape(tensor), constant(value, dtype), name=name or default_name)
    out.set_shape(tensor.shape)  # Fill sees only the shape tensor; keep the known dims
    return out


def zeros_like(tensor, dtype=None, name=None, optimize=True) -> Tensor:
    """Zeros with the shape of `tensor`."""
    return _like(tensor, dtype, 0, name, "zeros_like")


def ones_like(tensor, dtype=None, name=None, optimize=True) -> Tensor:
    """Ones with the shape of `tensor`."""
    return _like(tensor, dtype, 1, name, "ones_like")


@register_op("Pack")
class Pack(OpDef):
    """Stack N tensors of one shape along a new axis."""

    default_name = "stack"

    @staticmethod
    def infer(*xs, axis=0):
        if not xs:
            raise ValueError("stack needs at least one tensor.")
        check_same_dtype("Pack", xs, names=[f"values_{i}" for i in range(len(xs))])
        merged = xs[0].shape
        for x in xs[1:]:
            try:
                merged = merged.merge_with(x.shape)
            except ValueError:
                raise ValueError(f"Shapes of all inputs must match: values[0].shape = "
                                 f"{xs[0].shape._bracket()} != values[i].shape = "
                                 f"{x.shape._bracket()}.") from None
        if merged.ndims is None:
            return Spec(xs[0].dtype, TensorShape(None))
        dims = list(merged.known)
        rank = len(dims) + 1
        if not -rank <= axis < rank:
            raise ValueError(f"axis = {axis} not in [{-rank}, {rank}).")
        dims.insert(axis % rank, len(xs))
        value = None
        if all(x.value is not None for x in xs):
            value = np.stack([x.value for x in xs], axis=axis)
        return Spec(xs[0].dtype, TensorShape(dims), value)

    @staticmethod
    def compute(*xs, axis=0):
        return np.stack(xs, axis=axis)

    @staticmethod
    def gradient(op, grad):
        return unstack(grad, num=len(op.inputs), axis=op.attrs["axis"])


def stack(values, axis=0, name="stack") -> Tensor:
    """Stack tensors along a new axis.  Example: `tf.stack([a, b])` -> shape (2, ...)."""
    return Pack.apply(list(values), name=name, axis=axis)


OPERATORS["pack"] = stack  # convert_to_tensor stacks a list that holds tensors


@register_op("Unpack")
class Unpack(OpDef):
    """Split along `axis` into `num` tensors of one rank less (the inverse of stack)."""

    default_name = "unstack"
    list_output = True
    inputs = ("value",)

    @staticmethod
    def infer(value, *, num, axis):
        if value.shape.ndims is None:
            return [Spec(value.dtype, TensorShape(None))] * num
        dims = list(value.shape.known)
        a = shape_ops.normalize_axis(axis, len(dims), "Unpack")
        if dims[a] not in (None, num):
            raise ValueError(f"Dimension {a} has length {dims[a]}, cannot unstack it into "
                             f"{num} tensors. Fix: pass num={dims[a]}.")
        del dims[a]
        return [Spec(value.dtype, TensorShape(dims))] * num

    @staticmethod
    def compute(value, *, num, axis):
        if np.shape(value)[axis] != num:
            raise InvalidArgumentError(None, None, f"Input dimension {axis} has length "
                                       f"{np.shape(value)[axis]}, but num = {num}. Fix: feed "
                                       f"a value with {num} entries along axis {axis}.")
        return tuple(np.moveaxis(value, axis, 0))

    @staticmethod
    def gradient(op, *grads):
        return [stack(list(grads), axis=op.attrs["axis"])]


def unstack(value, num=None, axis=0, name="unstack") -> list:
    """Split along `axis` into a list.  Example: `a, b = tf.unstack(tf.zeros([2, 3]))`."""
    value = convert_to_tensor(value)
    if num is None:
        dims = value.shape.known
        if dims is None or not -len(dims) <= axis < len(dims) or dims[axis] is None:
            raise ValueError(f"Cannot infer num from shape {value.shape}. Fix: pass num=, or "
                             "give the tensor a static size along axis (set_shape).")
        num = dims[axis]
    return list_of(Unpack.apply([value], name=name, num=int(num), axis=int(axis)))


def list_of(outputs) -> list:
    """The outputs of a multi-output op as a list (`apply` returns one Tensor for one)."""
    return list(outputs) if isinstance(outputs, list) else [outputs]


@register_op("StopGradient")
class StopGradient(Identity):
    """Identity forward; `tf.gradients` treats it as a constant (no gradient flows back)."""

    gradient = staticmethod(no_gradient)


def stop_gradient(input, name=None) -> Tensor:  # noqa: A002
    """Block gradients.  Example: `tf.gradients(tf.stop_gradient(x) * x, x)` -> x, not 2x."""
    return StopGradient.apply([input], name=name)
