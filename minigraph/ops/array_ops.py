"""Array ops: shape manipulation, construction, indexing (one block per op).

Lives here: Identity, Shape, Reshape, Fill, Pack (stack), BroadcastGradientArgs and the
zeros/ones family. Arithmetic lives in math_ops.py.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes as _dtypes
from ..graph import OPERATORS, Spec, Tensor
from ..registry import OpDef, no_gradient, register_op
from ..shapes import TensorShape
from .constant_op import constant, convert_to_tensor

__all__ = ["identity", "shape", "reshape", "fill", "zeros", "ones", "zeros_like", "ones_like",
           "stack", "broadcast_gradient_args", "broadcast_to", "rank"]
# Names that shadow Python builtins are defined with a trailing underscore and exported
# under their TF name by minigraph/__init__.py: range_ -> tf.range.


@register_op("Identity")
class Identity(OpDef):
    """Returns its input unchanged (of a variable: the variable's value)."""

    inputs = ("input",)
    forwards_alias = True

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


@register_op("Shape")
class Shape(OpDef):
    """The run-time shape of the input as a 1-D int32 (or int64) tensor."""

    inputs = ("input",)

    @staticmethod
    def infer(x, *, out_type):
        value = np.array(x.shape.known, dtype=out_type.as_numpy_dtype) \
            if x.shape.is_fully_defined() else None
        return Spec(out_type, TensorShape([x.shape.ndims]), value)

    @staticmethod
    def compute(x, *, out_type):
        return np.array(np.shape(x), dtype=out_type.as_numpy_dtype)

    gradient = staticmethod(no_gradient)


def shape(input, name=None, out_type=_dtypes.int32) -> Tensor:  # noqa: A002
    """The dynamic shape of `input`.  Example: `tf.shape(x)` -> [batch, 3] at run time."""
    return Shape.apply([input], name=name, out_type=_dtypes.as_dtype(out_type))


@register_op("Reshape")
class Reshape(OpDef):
    """Give the input a new shape with the same number of elements; -1 is inferred."""

    inputs = ("tensor", "shape")
    input_types = ("T", "int32")

    @staticmethod
    def infer(x, shape):
        if shape.value is None:
            n = shape.shape.known[0] if shape.shape.known else None
            return Spec(x.dtype, TensorShape(None if n is None else [None] * n))
        target = [int(d) for d in np.asarray(shape.value).ravel()]
        if sum(d == -1 for d in target) > 1:
            raise ValueError(f"Reshape can infer at most one dimension (-1), got {target}.")
        total = x.shape.num_elements()
        known = int(np.prod([d for d in target if d != -1], dtype=np.int64))
        if -1 in target:
            if total is not None:
                if known == 0 or total % known:
                    raise ValueError(f"Cannot reshape a tensor with {total} elements to shape "
                                     f"{target}. Fix: the product of the known dimensions "
                                     f"must divide {total}.")
                target = [total // known if d == -1 else d for d in target]
            else:
                target = [None if d == -1 else d for d in target]
        elif total is not None and total != known:
            raise ValueError(f"Cannot reshape a tensor with {total} elements to shape {target} "
                             f"({known} elements). Fix: the element counts must agree.")
        return Spec(x.dtype, TensorShape(target))

    @staticmethod
    def compute(x, shape):
        return np.reshape(x, shape)

    @staticmethod
    def gradient(op, grad):
        return [reshape(grad, shape(op.inputs[0])), None]


def reshape(tensor, shape, name=None) -> Tensor:
    """Reshape `tensor`.  Example: `tf.reshape(x, [-1, 1])` -> a column."""
    return Reshape.apply([tensor, shape], name=name)


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
        from .math_ops import reduce_sum

        return [None, reduce_sum(grad)]


def fill(dims, value, name=None) -> Tensor:
    """A tensor of shape `dims` filled with `value`.  Example: `tf.fill([2, 3], 9)`."""
    return Fill.apply([dims, value], name=name)


def _const_fill(shape_value, dtype, fill_value, name):
    dtype = _dtypes.as_dtype(dtype)
    if isinstance(shape_value, Tensor):
        return fill(shape_value, constant(fill_value, dtype), name=name)
    shp = [int(d) for d in np.asarray(shape_value, dtype=np.int64).ravel()] \
        if not isinstance(shape_value, TensorShape) else shape_value.as_list()
    return constant(np.full(shp, fill_value, dtype=dtype.as_numpy_dtype), dtype, name=name)


def zeros(shape, dtype=_dtypes.float32, name=None) -> Tensor:
    """A tensor of zeros.  Example: `tf.zeros([2, 3])`."""
    return _const_fill(shape, dtype, 0, name or "zeros")


def ones(shape, dtype=_dtypes.float32, name=None) -> Tensor:
    """A tensor of ones.  Example: `tf.ones([2, 3], tf.int32)`."""
    return _const_fill(shape, dtype, 1, name or "ones")


def _like(tensor, dtype, value, name):
    tensor = convert_to_tensor(tensor)
    dtype = _dtypes.as_dtype(dtype) if dtype is not None else tensor.dtype.base_dtype
    if tensor.shape.is_fully_defined():
        return _const_fill(tensor.shape, dtype, value, name)
    return fill(shape(tensor), constant(value, dtype), name=name)


def zeros_like(tensor, dtype=None, name=None, optimize=True) -> Tensor:
    """Zeros with the shape of `tensor`."""
    return _like(tensor, dtype, 0, name or "zeros_like")


def ones_like(tensor, dtype=None, name=None, optimize=True) -> Tensor:
    """Ones with the shape of `tensor`."""
    return _like(tensor, dtype, 1, name or "ones_like")


@register_op("Pack")
class Pack(OpDef):
    """Stack N tensors of one shape along a new axis."""

    default_name = "stack"

    @staticmethod
    def infer(*xs, axis=0):
        if not xs:
            raise ValueError("stack needs at least one tensor.")
        from .common import check_same_dtype

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
        from .array_ops import unstack

        return unstack(grad, num=len(op.inputs), axis=op.attrs["axis"])


def stack(values, axis=0, name="stack") -> Tensor:
    """Stack tensors along a new axis.  Example: `tf.stack([a, b])` -> shape (2, ...)."""
    return Pack.apply(list(values), name=name, axis=axis)


@register_op("BroadcastGradientArgs")
class BroadcastGradientArgs(OpDef):
    """For two shapes, the axes each input was broadcast along (gradient helper)."""

    inputs = ("s0", "s1")

    @staticmethod
    def infer(s0, s1):
        return [Spec(s0.dtype, TensorShape([None])), Spec(s0.dtype, TensorShape([None]))]

    @staticmethod
    def compute(s0, s1):
        n = max(len(s0), len(s1))
        a = [1] * (n - len(s0)) + list(s0)
        b = [1] * (n - len(s1)) + list(s1)
        r0 = [i for i in range(n) if a[i] == 1 and b[i] != 1 or i < n - len(s0)]
        r1 = [i for i in range(n) if b[i] == 1 and a[i] != 1 or i < n - len(s1)]
        return np.array(r0, dtype=s0.dtype), np.array(r1, dtype=s0.dtype)

    gradient = staticmethod(no_gradient)


def broadcast_gradient_args(s0, s1, name=None):
    """Return the reduction axes for each of two broadcast shapes."""
    return BroadcastGradientArgs.apply([s0, s1], name=name)


@register_op("BroadcastTo")
class BroadcastTo(OpDef):
    """Broadcast the input to `shape` (numpy broadcasting rules)."""

    inputs = ("input", "shape")
    input_types = ("T", "int32")

    @staticmethod
    def infer(x, shape):
        from ..shapes import broadcast_shapes

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
        from .common import reduce_to_input_shape

        return [reduce_to_input_shape(grad, op.inputs[0]), None]


def broadcast_to(input, shape, name=None) -> Tensor:  # noqa: A002
    """Broadcast `input` to `shape`.  Example: `tf.broadcast_to([1, 2], [3, 2])`."""
    return BroadcastTo.apply([input, shape], name=name)


@register_op("Rank")
class Rank(OpDef):
    """The number of dimensions of the input, as an int32 scalar."""

    inputs = ("input",)

    @staticmethod
    def infer(x):
        value = None if x.shape.ndims is None else np.int32(x.shape.ndims)
        return Spec(_dtypes.int32, TensorShape([]), value)

    @staticmethod
    def compute(x):
        return np.int32(np.ndim(x))

    gradient = staticmethod(no_gradient)


def rank(input, name=None) -> Tensor:  # noqa: A002
    """The rank of `input`.  Example: `tf.rank(tf.zeros([2, 3]))` -> 2."""
    return Rank.apply([input], name=name)


@register_op("Range")
class Range(OpDef):
    """The sequence start, start+delta, ... up to (not including) limit."""

    inputs = ("start", "limit", "delta")

    @staticmethod
    def infer(start, limit, delta):
        from .common import check_same_dtype

        check_same_dtype("Range", [start, limit, delta], ("start", "limit", "delta"))
        value = None
        if all(s.value is not None for s in (start, limit, delta)):
            value = np.arange(start.value, limit.value, delta.value,
                              dtype=start.dtype.as_numpy_dtype)
        return Spec(start.dtype, TensorShape([None if value is None else len(value)]), value)

    @staticmethod
    def compute(start, limit, delta):
        return np.arange(start, limit, delta, dtype=np.asarray(start).dtype)

    gradient = staticmethod(no_gradient)


def range_(start, limit=None, delta=1, dtype=None, name="range") -> Tensor:
    """Like Python's range, as a tensor.  Example: `tf.range(3)` -> [0, 1, 2]."""
    if limit is None:
        start, limit = 0, start
    if dtype is not None:
        start, limit, delta = (constant(v, dtype) if not isinstance(v, Tensor) else v
                               for v in (start, limit, delta))
    return Range.apply([start, limit, delta], name=name)
