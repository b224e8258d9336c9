"""Join and split ops: concat, split, tile and reverse (one block per op).

Lives here: ConcatV2, Split, SplitV, Tile and ReverseV2: ops that glue tensors together,
cut them apart, or repeat or flip them along axes. Stack and unstack (Pack, Unpack) live in
array_ops.py, padding and slicing in pad_ops.py.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.errors import InvalidArgumentError
from ..framework.graph import name_scope
from ..framework.tensor import Spec, Tensor
from ..framework.registry import OpDef, register_op
from ..framework.shapes import TensorShape
from . import broadcast_ops, indexing_ops, math_ops
from .array_ops import identity, list_of, stack
from .common import check_same_dtype
from .constant_op import convert_to_tensor
from .shape_ops import (fold_integers, normalize_axis, range_, rank, reshape, shape, size,
                        static_axis, transpose)

__all__ = ["concat", "split", "tile", "reverse"]


def _known_axis(axis: Tensor, rank_: int | None):
    """A constant axis as an int, made non-negative when the rank is known; else None."""
    if axis._static_value is None:
        return None
    a = int(axis._static_value)
    return a + rank_ if a < 0 and rank_ is not None else a


def _same_dtype_tensors(values, prefix):
    """Convert `values` to tensors; Python values take the dtype of the first tensor."""
    def is_graph_value(v):
        return isinstance(v, Tensor) or hasattr(v, "_as_graph_element")

    dtype = next((convert_to_tensor(v).dtype.base_dtype for v in values if is_graph_value(v)),
                 None)
    return [convert_to_tensor(v) if is_graph_value(v) else
            convert_to_tensor(v, dtype, name=f"{prefix}_{i}") for i, v in enumerate(values)]


# -- ConcatV2 ------------------------------------------------------------------------------
@register_op("ConcatV2")
class ConcatV2(OpDef):
    """Join N tensors along an existing axis (the last input); other dimensions must match."""

    default_name = "concat"

    @staticmethod
    def infer(*specs):
        values, axis_spec = specs[:-1], specs[-1]
        check_same_dtype("ConcatV2", values, [f"values_{i}" for i in range(len(values))])
        axis = static_axis(axis_spec, "ConcatV2")
        ranks = {v.shape.ndims for v in values} - {None}
        if len(ranks) > 1:
            raise ValueError(f"Shapes must be equal rank, but are {sorted(ranks)} for the inputs "
                             "of concat. Fix: reshape or expand_dims the inputs first.")
        if not ranks:
            return Spec(values[0].dtype, TensorShape(None))
        n = ranks.pop()
        if axis is None:
            return Spec(values[0].dtype, TensorShape([None] * n))
        a = normalize_axis(axis, n, "ConcatV2")
        merged, total = TensorShape([None] * n), 0
        for v in values:
            if v.shape.ndims is None:
                total = None
                continue
            others = [None if i == a else d for i, d in enumerate(v.shape.known)]
            try:
                merged = merged.merge_with(others)
            except ValueError as e:
                raise ValueError(f"{str(e).rstrip('.')}. Fix: concat inputs must agree on "
                                 f"every dimension except axis {a}; check the shapes or the "
                                 "axis.") from None
            d = v.shape.known[a]
            total = None if total is None or d is None else total + d
        dims = list(merged.known)
        dims[a] = total
        value = fold_integers(values[0].dtype, ConcatV2.compute, specs)
        return Spec(values[0].dtype, TensorShape(dims), value)

    @staticmethod
    def compute(*arrays):
        values, axis = arrays[:-1], int(arrays[-1])
        first = np.shape(values[0])
        ax = axis % len(first) if first else 0
        for i, v in enumerate(values[1:], 1):
            shape = np.shape(v)
            if len(shape) != len(first) or any(
                    a != b for d, (a, b) in enumerate(zip(first, shape)) if d != ax):
                raise InvalidArgumentError(
                    None, None, f"ConcatOp : Dimensions of inputs should match: shape[0] = "
                    f"[{','.join(map(str, first))}] vs. shape[{i}] = "
                    f"[{','.join(map(str, shape))}]. Fix: all inputs must agree "
                    f"on every dimension except axis {axis}.")
        return np.concatenate(values, axis=axis)

    @staticmethod
    def gradient(op, grad):
        values, axis = op.inputs[:-1], op.inputs[-1]
        a = _known_axis(axis, values[0].shape.ndims)
        sizes = [None if a is None or v.shape.ndims is None else v.shape.known[a]
                 for v in values]
        if None in sizes:
            if a is None or a < 0:
                a = math_ops.floormod(axis, rank(values[0]))
                sizes = stack([indexing_ops.gather(shape(v), a) for v in values])
            else:
                sizes = stack([shape(v)[a] for v in values])
        return split(grad, sizes, axis) + [None]


def concat(values, axis, name="concat") -> Tensor:
    """Join tensors along `axis`.  Example: `tf.concat([a, b], 0)`: (2, 3) and (1, 3) -> (3, 3)."""
    values = list(values)
    if len(values) == 1:
        with name_scope(name) as scope:
            return identity(values[0], name=scope)
    with name_scope(name) as scope:
        tensors = _same_dtype_tensors(values, "values")
        axis = convert_to_tensor(axis, _dtypes.int32 if not isinstance(axis, Tensor) else None,
                                 name="axis")
        return ConcatV2.apply(tensors + [axis], name=scope)


# -- Split, SplitV, Unpack -----------------------------------------------------------------
def _split_dims(value: Spec, axis, pieces, op_type):
    """Output shapes of splitting `value` along `axis` into pieces of the given sizes."""
    if value.shape.ndims is None:
        return [TensorShape(None)] * len(pieces)
    dims = list(value.shape.known)
    if axis is None:
        return [TensorShape([None] * len(dims))] * len(pieces)
    a = normalize_axis(axis, len(dims), op_type)
    out = []
    for p in pieces:
        dims[a] = p
        out.append(TensorShape(dims))
    return out


@register_op("Split")
class Split(OpDef):
    """Cut `value` into `num_split` equal pieces along `split_dim`."""

    default_name = "split"
    list_output = True
    inputs = ("split_dim", "value")
    input_types = ("int32", "T")

    @staticmethod
    def infer(split_dim, value, *, num_split):
        axis = static_axis(split_dim, "Split")
        d = None
        if axis is not None and value.shape.ndims is not None:
            d = value.shape.known[normalize_axis(axis, value.shape.ndims, "Split")]
        if d is not None and d % num_split:
            raise ValueError(f"Dimension size must be evenly divisible by {num_split} but is "
                             f"{d}. Fix: pass a list of sizes to tf.split instead.")
        piece = None if d is None else d // num_split
        return [Spec(value.dtype, s)
                for s in _split_dims(value, axis, [piece] * num_split, "Split")]

    @staticmethod
    def compute(split_dim, value, *, num_split):
        return tuple(np.split(value, num_split, axis=int(split_dim)))

    @staticmethod
    def gradient(op, *grads):
        return [None, concat(list(grads), op.inputs[0])]


@register_op("SplitV")
class SplitV(OpDef):
    """Cut `value` along `split_dim` into pieces of the listed sizes (one -1 is inferred)."""

    default_name = "split"
    list_output = True
    inputs = ("value", "size_splits", "split_dim")
    input_types = ("T", "Tlen", "int32")

    @staticmethod
    def infer(value, size_splits, split_dim, *, num_split):
        axis = static_axis(split_dim, "SplitV")
        sizes = None if size_splits.value is None else [int(s) for s in
                                                         np.ravel(size_splits.value)]
        if sizes is None:
            return [Spec(value.dtype, s)
                    for s in _split_dims(value, axis, [None] * num_split, "SplitV")]
        if len(sizes) != num_split or sizes.count(-1) > 1 or min(sizes, default=0) < -1:
            raise ValueError(f"size_splits {sizes} must have {num_split} entries >= 0, with "
                             "at most one -1 (inferred).")
        d = None
        if axis is not None and value.shape.ndims is not None:
            d = value.shape.known[normalize_axis(axis, value.shape.ndims, "SplitV")]
        known = sum(s for s in sizes if s != -1)
        if d is not None and (known > d or -1 not in sizes and known != d):
            raise ValueError(f"Determined shape must either match input shape along split_dim "
                             f"exactly if fully specified, or be less than the size of the "
                             f"input along split_dim if not fully specified. Got {sizes} for "
                             f"a dimension of {d}.")
        pieces = [(None if d is None else d - known) if s == -1 else s for s in sizes]
        return [Spec(value.dtype, s) for s in _split_dims(value, axis, pieces, "SplitV")]

    @staticmethod
    def compute(value, size_splits, split_dim, *, num_split):
        axis = int(split_dim)
        d, sizes = np.shape(value)[axis], [int(s) for s in size_splits]
        if -1 in sizes:
            sizes[sizes.index(-1)] = d - sum(s for s in sizes if s != -1)
        if sum(sizes) != d or min(sizes, default=0) < 0:
            raise InvalidArgumentError(None, None, f"size_splits {list(size_splits)} do not "
                                       f"add up to the split dimension's size {d}. Fix: make "
                                       "them sum to it, or use -1 for one of them.")
        return tuple(np.split(value, np.cumsum(sizes)[:-1], axis=axis))

    @staticmethod
    def gradient(op, *grads):
        return [concat(list(grads), op.inputs[2]), None, None]


def split(value, num_or_size_splits, axis=0, num=None, name="split") -> list:
    """Split into a list of tensors.  Example: `tf.split(x, [2, -1], 1)`: (4, 5)->(4, 2),(4, 3).

    An int `num_or_size_splits` makes a Split op (equal pieces); a list or 1-D tensor of
    sizes makes a SplitV (one size may be -1).
    """
    if isinstance(num_or_size_splits, (int, np.integer)) and not isinstance(
            num_or_size_splits, bool):
        return list_of(Split.apply([axis, value], name=name, num_split=int(num_or_size_splits)))
    sizes = convert_to_tensor(num_or_size_splits, _dtypes.int32 if not isinstance(
        num_or_size_splits, Tensor) else None)
    if num is None:
        if sizes.shape.ndims != 1 or sizes.shape.known[0] is None:
            raise ValueError(f"Cannot infer num from shape {sizes.shape} of size_splits. Fix: "
                             "pass num= or a list of sizes.")
        num = sizes.shape.known[0]
    return list_of(SplitV.apply([value, sizes, axis], name=name, num_split=int(num)))


# -- Tile ----------------------------------------------------------------------------------
@register_op("Tile")
class Tile(OpDef):
    """Repeat the input multiples[i] times along dimension i."""

    inputs = ("input", "multiples")
    input_types = ("T", "Tmultiples")

    @staticmethod
    def infer(x, multiples):
        m = None if multiples.value is None else [int(v) for v in np.ravel(multiples.value)]
        n = x.shape.ndims if x.shape.ndims is not None else (
            multiples.shape.known[0] if multiples.shape.ndims == 1 else None)
        if n is None:
            return Spec(x.dtype, TensorShape(None))
        if m is not None and len(m) != n:
            raise ValueError(f"Shape must be rank {n} but is rank {len(m)}: tile needs one "
                             f"multiple per dimension, got {m}.")
        if m is not None and min(m, default=0) < 0:
            raise ValueError(f"Expected multiples >= 0, got {m}.")
        dims = x.shape.known or (None,) * n
        out = [None if d is None or m is None else d * m[i] for i, d in enumerate(dims)]
        return Spec(x.dtype, TensorShape(out), fold_integers(x.dtype, np.tile, [x, multiples]))

    @staticmethod
    def compute(x, multiples):
        return np.tile(x, multiples)

    @staticmethod
    def gradient(op, grad):
        x, multiples = op.inputs
        # Reshape to (m0, d0, m1, d1, ...) and sum over the m axes (the even ones).
        x_shape = shape(x, out_type=multiples.dtype)
        split_shape = reshape(transpose(stack([multiples, x_shape])), [-1])
        summed = broadcast_ops.reduce_sum(reshape(grad, split_shape),
                                          range_(0, size(split_shape), 2))
        return [reshape(summed, x_shape), None]


def tile(input, multiples, name=None) -> Tensor:  # noqa: A002
    """Repeat a tensor.  Example: `tf.tile([[1, 2]], [2, 1])` -> [[1, 2], [1, 2]]."""
    return Tile.apply([input, multiples], name=name)


# -- ReverseV2 -----------------------------------------------------------------------------
@register_op("ReverseV2")
class ReverseV2(OpDef):
    """Reverse the order of elements along the listed axes."""

    inputs = ("tensor", "axis")
    input_types = ("T", "Tidx")

    @staticmethod
    def infer(x, axis):
        if axis.value is not None and x.shape.ndims is not None:
            axes = [normalize_axis(int(a), x.shape.ndims, "ReverseV2")
                    for a in np.ravel(axis.value)]
            if len(set(axes)) != len(axes):
                raise ValueError(f"axis {np.ravel(axis.value).tolist()} lists a dimension "
                                 "twice. Fix: list each axis once.")
        return Spec(x.dtype, x.shape, fold_integers(x.dtype, ReverseV2.compute, [x, axis]))

    @staticmethod
    def compute(x, axis):
        return np.flip(x, axis=tuple(int(a) for a in np.ravel(axis)))

    @staticmethod
    def gradient(op, grad):
        return [reverse(grad, op.inputs[1]), None]


def reverse(tensor, axis, name=None) -> Tensor:
    """Reverse along axes.  Example: `tf.reverse([[1, 2], [3, 4]], [1])` -> [[2, 1], [4, 3]]."""
    return ReverseV2.apply([tensor, axis], name=name)
