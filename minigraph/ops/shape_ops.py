"""Shape ops: reading and changing the shape of a tensor (one block per op).

Lives here: Shape, Size, Rank, Reshape, ExpandDims, Squeeze, Transpose (+ InvertPermutation),
BroadcastGradientArgs, Range, and the small helpers for axes and integer folding that other
array-op families share. This is the lowest op layer above constants: none of these
gradients needs arithmetic. BroadcastTo lives in broadcast_ops.py (its gradient is a sum);
construction (fill, zeros, stack) and identity in array_ops.py.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.errors import InvalidArgumentError
from ..framework.graph import name_scope
from ..framework.tensor import OPERATORS, Spec, Tensor
from ..framework.registry import OpDef, no_gradient, register_op
from ..framework.shapes import TensorShape
from .common import check_same_dtype, same_shape_passthrough
from .constant_op import constant, convert_to_tensor

__all__ = ["shape", "shape_n", "reshape", "broadcast_gradient_args", "rank", "size", "transpose",
           "invert_permutation", "expand_dims", "squeeze"]
# range_ shadows a builtin: minigraph/__init__.py exports it as tf.range.


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


@register_op("ShapeN")
class ShapeN(OpDef):
    """The run-time shapes of N inputs at once, one 1-D int32 (or int64) output each.

    TF's conv2d gradient reads its two shapes with it, so imported TF gradient graphs hold it.
    """

    @staticmethod
    def infer(*xs, out_type=_dtypes.int32):
        if not xs:
            raise ValueError("shape_n needs at least one tensor.")
        return [Shape.infer(x, out_type=out_type) for x in xs]

    @staticmethod
    def compute(*xs, out_type=_dtypes.int32):
        return [np.array(np.shape(x), dtype=out_type.as_numpy_dtype) for x in xs]

    gradient = staticmethod(no_gradient)


def shape_n(input, out_type=_dtypes.int32, name=None) -> list:  # noqa: A002
    """The dynamic shapes of a list of tensors.  Example: `tf.shape_n([x, w])` -> [[2, 3], [3]]."""
    outputs = ShapeN.apply(list(input), name=name, out_type=_dtypes.as_dtype(out_type))
    return outputs if isinstance(outputs, list) else [outputs]


@register_op("Reshape")
class Reshape(OpDef):
    """Give the input a new shape with the same number of elements; -1 is inferred."""

    inputs = ("tensor", "shape")
    input_types = ("T", "int32")
    forwards_input = staticmethod(same_shape_passthrough)

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
        try:
            return np.reshape(x, shape)
        except ValueError:
            known = int(np.prod([d for d in shape if d != -1], dtype=np.int64))
            wanted = f"requires a multiple of {known}" if -1 in shape else f"has {known}"
            raise InvalidArgumentError(
                None, None, f"Input to reshape is a tensor with {np.size(x)} values, but the "
                f"requested shape {wanted}. Fix: check the fed shapes, or use -1 for the one "
                "dimension that should be inferred.") from None

    @staticmethod
    def gradient(op, grad):
        return [reshape(grad, shape(op.inputs[0])), None]


def reshape(tensor, shape, name=None) -> Tensor:
    """Reshape `tensor`.  Example: `tf.reshape(x, [-1, 1])` -> a column."""
    return Reshape.apply([tensor, shape], name=name)


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


def fold_integers(dtype, compute, specs, **attrs):
    """Run `compute` at build time when every input value is known and the result is integer.

    Folding keeps shape arithmetic (`tf.shape(x)[1:]`, concat of shapes) static, so later
    ops such as Reshape still infer full shapes. Float results are never folded.
    """
    if not dtype.is_integer or any(s.value is None for s in specs):
        return None
    return np.asarray(compute(*(s.value for s in specs), **attrs))


def normalize_axis(axis: int, rank: int, op_type: str, what: str = "axis") -> int:
    """Map `axis` in [-rank, rank) to [0, rank) or raise TF's ValueError."""
    if not -rank <= axis < rank:
        raise ValueError(f"{op_type}: {what} {axis} is out of range for a tensor of rank "
                         f"{rank}. Fix: use a value in [{-rank}, {rank}).")
    return axis % rank


def static_axis(spec: Spec, op_type: str):
    """The int value of a scalar axis input, or None when it is not known at build time."""
    if spec.shape.ndims not in (None, 0):
        raise ValueError(f"{op_type}: axis must be a scalar, got shape {spec.shape}.")
    return None if spec.value is None else int(spec.value)


@register_op("Size")
class Size(OpDef):
    """The number of elements of the input, as a scalar (int32 unless out_type says so)."""

    inputs = ("input",)

    @staticmethod
    def infer(x, *, out_type):
        n = x.shape.num_elements()
        return Spec(out_type, TensorShape([]),
                    None if n is None else np.asarray(n, out_type.as_numpy_dtype))

    @staticmethod
    def compute(x, *, out_type):
        return np.asarray(np.size(x), dtype=out_type.as_numpy_dtype)

    gradient = staticmethod(no_gradient)


def size(input, name=None, out_type=_dtypes.int32) -> Tensor:  # noqa: A002
    """The number of elements of `input`.  Example: `tf.size(tf.zeros([2, 3]))` -> 6."""
    return Size.apply([input], name=name, out_type=_dtypes.as_dtype(out_type))


@register_op("Transpose")
class Transpose(OpDef):
    """Permute the dimensions: output dimension i is input dimension perm[i] (negative entries
    count from the end, as in TF)."""

    inputs = ("x", "perm")
    input_types = ("T", "Tperm")

    @staticmethod
    def infer(x, perm):
        rank = x.shape.ndims
        if perm.value is None:
            if rank is None and perm.shape.ndims == 1:
                rank = perm.shape.known[0]
            return Spec(x.dtype, TensorShape(None if rank is None else [None] * rank))
        order = [int(i) for i in np.ravel(perm.value)]
        order = [i % len(order) if -len(order) <= i < 0 else i for i in order]  # -1: the last
        if rank is not None and len(order) != rank:
            raise ValueError(f"Dimension must be {rank} but is {len(order)}: perm {order} "
                             f"does not fit a tensor of rank {rank}. Fix: list every axis "
                             "exactly once.")
        if sorted(order) != list(range(len(order))):
            raise ValueError(f"perm {order} is not a permutation of 0..{len(order) - 1}. "
                             "Fix: list every axis exactly once (-1 counts from the end).")
        dims = x.shape.known or [None] * len(order)
        value = fold_integers(x.dtype, np.transpose, [x, perm])
        return Spec(x.dtype, TensorShape([dims[i] for i in order]), value)

    @staticmethod
    def compute(x, perm):
        return np.transpose(x, perm)

    @staticmethod
    def gradient(op, grad):
        perm = op.inputs[1]
        value = perm._static_value
        if value is not None and np.any(np.asarray(value) < 0):  # count from the end
            perm = constant(np.asarray(value) % np.size(value), perm.dtype.base_dtype)
        return [transpose(grad, invert_permutation(perm)), None]


def transpose(a, perm=None, name="transpose") -> Tensor:
    """Permute the axes of `a`; by default reverse them.  Example: `tf.transpose(m)` (2-D)."""
    if perm is None:
        a = convert_to_tensor(a)
        if a.shape.ndims is not None:
            perm = list(range(a.shape.ndims))[::-1]
        else:
            perm = range_(rank(a) - 1, -1, -1)
    return Transpose.apply([a, perm], name=name)


@register_op("InvertPermutation")
class InvertPermutation(OpDef):
    """The inverse of a permutation vector: y[x[i]] = i (gradient helper of Transpose)."""

    inputs = ("x",)

    @staticmethod
    def infer(x):
        if x.dtype.base_dtype.name not in ("int32", "int64") or x.shape.ndims not in (None, 1):
            raise ValueError(f"invert_permutation expects a 1-D int32/int64 tensor, got "
                             f"{x.dtype.name} of shape {x.shape}.")
        return Spec(x.dtype, x.shape, fold_integers(x.dtype, InvertPermutation.compute, [x]))

    @staticmethod
    def compute(x):
        if sorted(np.ravel(x).tolist()) != list(range(np.size(x))):
            raise InvalidArgumentError(None, None, f"{np.asarray(x).tolist()} is not a "
                                       "permutation of 0..n-1. Fix: list every axis once.")
        out = np.empty_like(x)
        out[x] = np.arange(np.size(x), dtype=out.dtype)
        return out

    gradient = staticmethod(no_gradient)


def invert_permutation(x, name=None) -> Tensor:
    """Invert a permutation.  Example: `tf.invert_permutation([2, 0, 1])` -> [1, 2, 0]."""
    return InvertPermutation.apply([x], name=name)


@register_op("ExpandDims")
class ExpandDims(OpDef):
    """Insert a dimension of size 1 at index `dim` (negative counts from the end)."""

    inputs = ("input", "dim")
    input_types = ("T", "Tdim")

    @staticmethod
    def infer(x, dim):
        axis = static_axis(dim, "ExpandDims")
        if x.shape.ndims is None:
            return Spec(x.dtype, TensorShape(None))
        dims = list(x.shape.known)
        if axis is None:
            return Spec(x.dtype, TensorShape([None] * (len(dims) + 1)))
        dims.insert(normalize_axis(axis, len(dims) + 1, "ExpandDims", "dim"), 1)
        value = fold_integers(x.dtype, ExpandDims.compute, [x, dim])
        return Spec(x.dtype, TensorShape(dims), value)

    @staticmethod
    def compute(x, dim):
        return np.expand_dims(x, int(dim))

    @staticmethod
    def gradient(op, grad):
        return [reshape(grad, shape(op.inputs[0])), None]


def expand_dims(input, axis=None, name=None, dim=None) -> Tensor:  # noqa: A002
    """Insert a length-1 axis.  Example: `tf.expand_dims(v, 0)` turns (3,) into (1, 3)."""
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dim' in tf.expand_dims.")
        axis = dim
    if axis is None:
        raise ValueError("Must specify an axis argument to tf.expand_dims(), e.g. axis=0.")
    return ExpandDims.apply([input, axis], name=name)


@register_op("Squeeze")
class Squeeze(OpDef):
    """Remove dimensions of size 1: the listed `squeeze_dims`, or all of them when empty."""

    inputs = ("input",)

    @staticmethod
    def infer(x, *, squeeze_dims):
        if x.shape.ndims is None:
            return Spec(x.dtype, TensorShape(None))
        dims = x.shape.known
        if not squeeze_dims:
            if None in dims:  # any unknown dimension might be a 1, so the rank is unknown
                return Spec(x.dtype, TensorShape(None))
            return Spec(x.dtype, TensorShape([d for d in dims if d != 1]))
        axes = {normalize_axis(a, len(dims), "Squeeze") for a in squeeze_dims}
        for a in sorted(axes):
            if dims[a] not in (None, 1):
                raise ValueError(f"Can not squeeze dim[{a}], expected a dimension of 1, got "
                                 f"{dims[a]}. Fix: squeeze only axes of length 1.")
        return Spec(x.dtype, TensorShape([d for i, d in enumerate(dims) if i not in axes]))

    @staticmethod
    def compute(x, *, squeeze_dims):
        return np.squeeze(x, axis=tuple(squeeze_dims) if squeeze_dims else None)

    @staticmethod
    def gradient(op, grad):
        return [reshape(grad, shape(op.inputs[0]))]


def squeeze(input, axis=None, name=None, squeeze_dims=None) -> Tensor:  # noqa: A002
    """Drop length-1 axes.  Example: `tf.squeeze(tf.zeros([1, 3, 1]))` -> shape (3,)."""
    if squeeze_dims is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'squeeze_dims' and 'axis' in tf.squeeze.")
        axis = squeeze_dims
    axes = [] if axis is None else [int(a) for a in np.ravel(axis)]
    return Squeeze.apply([input], name=name, squeeze_dims=axes)


@register_op("Range")
class Range(OpDef):
    """The sequence start, start+delta, ... up to (not including) limit."""

    inputs = ("start", "limit", "delta")
    FOLD_LIMIT = 1 << 16  # longer constant ranges keep their length but are made at run time

    @staticmethod
    def infer(start, limit, delta):
        check_same_dtype("Range", [start, limit, delta], ("start", "limit", "delta"))
        if any(s.value is None for s in (start, limit, delta)) or delta.value == 0:
            return Spec(start.dtype, TensorShape([None]))
        first, last, step = (s.value.item() for s in (start, limit, delta))
        length = max(0, -((first - last) // step)) if start.dtype.is_integer else \
            max(0, int(np.ceil((last - first) / step)))
        value = None
        if length <= Range.FOLD_LIMIT:
            value = np.arange(first, last, step, dtype=start.dtype.as_numpy_dtype)
            length = len(value)
        return Spec(start.dtype, TensorShape([length]), value)

    @staticmethod
    def compute(start, limit, delta):
        return np.arange(start, limit, delta, dtype=np.asarray(start).dtype)

    gradient = staticmethod(no_gradient)


_RANGE_DTYPES = (_dtypes.int32, _dtypes.int64, _dtypes.float32, _dtypes.float64)


def range_(start, limit=None, delta=1, dtype=None, name="range") -> Tensor:
    """Like Python's range, as a tensor.  Example: `tf.range(3)` -> [0, 1, 2].

    Without `dtype` the result has the widest dtype of the arguments in the order int32,
    int64, float32, float64 (`tf.range(6.0)` is float32, `tf.range(2**33)` int64), and the
    other arguments are cast to it, as in TF.
    """
    if limit is None:
        start, limit = 0, start
    with name_scope(name, "Range", [start, limit, delta]) as scope:
        args = [x if isinstance(x, Tensor) else convert_to_tensor(x, dtype, name=part)
                for x, part in zip((start, limit, delta), ("start", "limit", "delta"))]
        if dtype is None:
            kinds = [a.dtype.base_dtype for a in args]
            bad = [k.name for k in kinds if k not in _RANGE_DTYPES]
            if bad:
                raise TypeError(f"tf.range takes int32, int64, float32 or float64 arguments, "
                                f"got {', '.join(bad)}. Fix: tf.cast them, or pass dtype=.")
            dtype = max(kinds, key=_RANGE_DTYPES.index)
        cast = OPERATORS["cast"]  # math_ops.cast, filled in by math_ops (a layer above)
        args = [cast(a, dtype) for a in args]
        return Range.apply(args, name=scope)
