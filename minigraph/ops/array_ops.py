"""Array ops: construction of whole tensors and identity (one block per op).

Lives here: Identity, StopGradient, Fill, the zeros/ones family, Pack (stack) and Range. The
shape family (Shape, Reshape, Transpose, ExpandDims, Squeeze, BroadcastTo, ...) lives in
shape_ops.py and is re-exported here; slicing and gathering in indexing_ops.py; concat,
split, unstack, tile, pad and reverse in join_split_ops.py; arithmetic in math_ops.py.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.graph import Spec, Tensor, name_scope
from ..framework.registry import OpDef, no_gradient, register_op
from ..framework.shapes import TensorShape
from .common import passes_input_through
from . import shape_ops
from .constant_op import constant, convert_to_tensor
from .shape_ops import *  # noqa: F401,F403  (array_ops re-exports the shape family)
from .shape_ops import fold_integers, normalize_axis, reshape, shape, static_axis  # noqa: F401

__all__ = ["identity", "fill", "zeros", "ones", "zeros_like", "ones_like", "stack",
           "stop_gradient"] + shape_ops.__all__
# Names that shadow Python builtins are defined with a trailing underscore and exported
# under their TF name by minigraph/__init__.py: range_ -> tf.range.


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
        from .math_ops import reduce_sum

        return [None, reduce_sum(grad)]


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
            dims = shape_value if shape_value.shape.ndims != 0 else reshape(shape_value, [-1])
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
    out = fill(shape(tensor), constant(value, dtype), name=name or default_name)
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
        from .join_split_ops import unstack

        return unstack(grad, num=len(op.inputs), axis=op.attrs["axis"])


def stack(values, axis=0, name="stack") -> Tensor:
    """Stack tensors along a new axis.  Example: `tf.stack([a, b])` -> shape (2, ...)."""
    return Pack.apply(list(values), name=name, axis=axis)


@register_op("Range")
class Range(OpDef):
    """The sequence start, start+delta, ... up to (not including) limit."""

    inputs = ("start", "limit", "delta")
    FOLD_LIMIT = 1 << 16  # longer constant ranges keep their length but are made at run time

    @staticmethod
    def infer(start, limit, delta):
        from .common import check_same_dtype

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
    from .math_ops import cast

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
        args = [cast(a, dtype) for a in args]
        return Range.apply(args, name=scope)


@register_op("StopGradient")
class StopGradient(Identity):
    """Identity forward; `tf.gradients` treats it as a constant (no gradient flows back)."""

    gradient = staticmethod(no_gradient)


def stop_gradient(input, name=None) -> Tensor:  # noqa: A002
    """Block gradients.  Example: `tf.gradients(tf.stop_gradient(x) * x, x)` -> x, not 2x."""
    return StopGradient.apply([input], name=name)
