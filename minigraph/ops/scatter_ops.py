"""Row updates of variables: ScatterUpdate/Add/Sub, ScatterNdUpdate, and Unique.

The scatter ops write only the rows they name: their kernels hand the new rows to the run
context (`write_rows`), which applies them when the run commits, so an update through a few
ids costs those rows, not the table, and a failed run still changes nothing. Their output,
as TF's `output_ref`, is the variable itself: a consumer reads it after the update. Unique
(the distinct values of a vector and where each element went) is what optimizers use to sum
the rows of a sparse gradient that share an index.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Spec, Tensor
from ..framework.registry import OpDef, no_gradient, register_op
from ..framework.shapes import TensorShape
from .common import check_dtype_in

__all__ = ["scatter_update", "scatter_add", "scatter_sub", "scatter_nd_update", "unique"]

INDEX_TYPES = ("int32", "int64")


def check_rows(op, indices, rows: int) -> np.ndarray:
    """Flat int64 indices, each in [0, rows), else TF's InvalidArgumentError."""
    flat = np.asarray(indices).reshape(-1).astype(np.int64, copy=False)
    if not flat.size or (flat.min() >= 0 and flat.max() < rows):
        return flat
    bad = np.flatnonzero((flat < 0) | (flat >= rows))
    if bad.size:
        raise InvalidArgumentError(
            None, op, f"indices[{bad[0]}] = {flat[bad[0]]} is not in [0, {rows}). Fix: every "
            "index must name a row of the variable.")
    return flat


def occurrence_waves(positions) -> list:
    """Index arrays into `positions` (small non-negative ints, such as np.unique's inverse)
    such that wave k holds the k-th occurrence of every value: applying the waves in turn
    updates a repeated row once per occurrence, in order (as TF's kernels loop), while each
    wave is one vectorised numpy step."""
    counts = np.bincount(positions)
    if counts.size == 0 or counts.max() <= 1:
        return [slice(None)]
    order = np.argsort(positions, kind="stable")
    occurrence = np.empty_like(order)
    occurrence[order] = np.arange(order.size) - np.repeat(np.cumsum(counts) - counts, counts)
    return [np.flatnonzero(occurrence == k) for k in range(int(counts.max()))]


class _Scatter(OpDef):
    """ref[indices[i]] (op)= updates[i]; updates has shape indices.shape + ref.shape[1:]."""

    inputs = ("ref", "indices", "updates")
    input_types = ("T", "Tindices", "T")
    ref_inputs = (0,)
    writes_ref = True
    uses_context = True
    stateful = True
    returns_ref = True

    @classmethod
    def infer(cls, ref, indices, updates, *, use_locking=False):
        check_dtype_in(cls.op_type, indices, INDEX_TYPES, "indices")
        if updates.dtype.base_dtype != ref.dtype.base_dtype:
            raise TypeError(f"Input 'updates' of '{cls.op_type}' Op has type "
                            f"{updates.dtype.base_dtype.name} that does not match type "
                            f"{ref.dtype.base_dtype.name} of argument 'ref'. Fix: tf.cast the "
                            "updates to the variable's dtype.")
        if ref.shape.ndims == 0:
            raise ValueError(f"{cls.op_type} needs a variable of rank >= 1, got a scalar.")
        if ref.shape.ndims is not None and indices.shape.ndims is not None and \
                updates.shape.ndims not in (None, 0):
            expected = indices.shape.concatenate(ref.shape[1:])
            if not updates.shape.is_compatible_with(expected):
                raise ValueError(f"Shapes must be equal: updates has shape {updates.shape} but "
                                 f"indices.shape + ref.shape[1:] = {expected}. Fix: pass one "
                                 "row of updates per index.")
        return Spec(ref.dtype, ref.shape)

    @classmethod
    def compute(cls, ctx, op, ref, indices, updates, **attrs):
        shape = ctx.read(ref).shape
        flat = check_rows(op, indices, shape[0])
        rows_shape = (flat.size,) + shape[1:]
        rows = np.broadcast_to(updates, rows_shape) if np.ndim(updates) == 0 else \
            np.reshape(updates, rows_shape)
        unique_rows, position = np.unique(flat, return_inverse=True)
        new = cls.combine(ctx.read_rows(ref, unique_rows), position, rows)
        ctx.write_rows(ref, unique_rows, new)

    gradient = staticmethod(no_gradient)


@register_op("ScatterUpdate")
class ScatterUpdate(_Scatter):
    """ref[indices] = updates (for a repeated index, the last update wins)."""

    @staticmethod
    def combine(current, position, rows):
        current[position] = rows
        return current


@register_op("ScatterAdd")
class ScatterAdd(_Scatter):
    """ref[indices] += updates (repeated indices add up, in order)."""

    @staticmethod
    def combine(current, position, rows):
        for wave in occurrence_waves(position):
            current[position[wave]] += rows[wave]
        return current


@register_op("ScatterSub")
class ScatterSub(_Scatter):
    """ref[indices] -= updates (repeated indices subtract in turn)."""

    @staticmethod
    def combine(current, position, rows):
        for wave in occurrence_waves(position):
            current[position[wave]] -= rows[wave]
        return current


def scatter_update(ref, indices, updates, use_locking=True, name=None) -> Tensor:
    """Overwrite rows of variable `ref`.  Example: scatter_update(v, [0], [[9., 9.]])."""
    return ScatterUpdate.apply([ref, indices, updates], name=name, use_locking=use_locking)


def scatter_add(ref, indices, updates, use_locking=False, name=None) -> Tensor:
    """Add `updates` to rows `indices` of variable `ref`; only those rows are touched."""
    return ScatterAdd.apply([ref, indices, updates], name=name, use_locking=use_locking)


def scatter_sub(ref, indices, updates, use_locking=False, name=None) -> Tensor:
    """Subtract `updates` from rows `indices` of variable `ref`."""
    return ScatterSub.apply([ref, indices, updates], name=name, use_locking=use_locking)


@register_op("ScatterNdUpdate")
class ScatterNdUpdate(OpDef):
    """ref[indices[..., :K]] = updates: each index row names an element or slice of ref."""

    inputs = ("ref", "indices", "updates")
    input_types = ("T", "Tindices", "T")
    ref_inputs = (0,)
    writes_ref = True
    uses_context = True
    stateful = True
    returns_ref = True

    @staticmethod
    def infer(ref, indices, updates, *, use_locking=True):
        check_dtype_in("ScatterNdUpdate", indices, INDEX_TYPES, "indices")
        if updates.dtype.base_dtype != ref.dtype.base_dtype:
            raise TypeError(f"Input 'updates' of 'ScatterNdUpdate' Op has type "
                            f"{updates.dtype.base_dtype.name} that does not match type "
                            f"{ref.dtype.base_dtype.name} of argument 'ref'.")
        k = indices.shape[-1].value if indices.shape.ndims else None
        if k is not None and ref.shape.ndims is not None and updates.shape.ndims is not None:
            expected = indices.shape[:-1].concatenate(ref.shape[k:])
            if not updates.shape.is_compatible_with(expected):
                raise ValueError(f"The shape of updates {updates.shape} must be "
                                 f"indices.shape[:-1] + ref.shape[K:] = {expected}.")
        return Spec(ref.dtype, ref.shape)

    @staticmethod
    def compute(ctx, op, ref, indices, updates, **attrs):
        value = ctx.read(ref)
        k = np.shape(indices)[-1]
        index_rows = np.asarray(indices).reshape(-1, k)
        for axis in range(k):
            check_rows(op, index_rows[:, axis], value.shape[axis])
        new = value.copy()
        new[tuple(index_rows.T)] = np.reshape(updates, (-1,) + value.shape[k:])
        ctx.write(ref, new)

    gradient = staticmethod(no_gradient)


def scatter_nd_update(ref, indices, updates, use_locking=True, name=None) -> Tensor:
    """Write `updates` at the positions `indices` (each a row of K coordinates) of `ref`."""
    return ScatterNdUpdate.apply([ref, indices, updates], name=name, use_locking=use_locking)


@register_op("Unique")
class Unique(OpDef):
    """The distinct values of a vector in order of first appearance, and for each element
    the position of its value among them."""

    inputs = ("x",)

    @staticmethod
    def infer(x, *, out_idx=_dtypes.int32):
        if x.shape.ndims not in (None, 1):
            raise ValueError(f"Unique expects a 1-D vector, got shape {x.shape}.")
        return [Spec(x.dtype, TensorShape([None])), Spec(out_idx, x.shape)]

    @staticmethod
    def compute(x, *, out_idx=_dtypes.int32):
        values, first, inverse = np.unique(x, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        return values[order], rank[inverse.reshape(-1)].astype(out_idx.as_numpy_dtype)

    gradient = staticmethod(no_gradient)


def unique(x, out_idx=_dtypes.int32, name=None) -> tuple:
    """(y, idx): y the distinct values in order of appearance, x == gather(y, idx).

    Example: `tf.unique([1, 1, 4, 2, 4])` -> ([1, 4, 2], [0, 0, 1, 2, 1]).
    """
    y, idx = Unique.apply([x], name=name, out_idx=_dtypes.as_dtype(out_idx))
    return y, idx
