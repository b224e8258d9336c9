"""Sorting: tf.sort and tf.argsort, composites of TopKV2 (no op of their own, as in TF).

Lives here: `sort` and `argsort`. Both sort along one (constant) axis: TopKV2 sorts the last
axis in descending order, so another axis is swapped with the last one around it, and an
ascending sort negates the values on the way in (and out). TopKV2 keeps equal values in index
order, so the sort is stable. Gradients come from TopKV2's.
"""

from __future__ import annotations

from ..framework.graph import name_scope
from ..framework.tensor import Tensor
from . import nn_ops, shape_ops
from .constant_op import convert_to_tensor, get_static_value

__all__ = ["sort", "argsort"]


def sort(values, axis=-1, direction="ASCENDING", name=None) -> Tensor:
    """Sorted `values` along `axis`.  Example: `tf.sort([3, 1, 2])` -> [1, 2, 3]."""
    with name_scope(name, "sort"):
        return _sort_or_argsort(values, axis, direction, indices=False)


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None) -> Tensor:
    """Indices that sort `values` along `axis` (int32; equal values keep their order).

    Example: `tf.argsort([3, 1, 2])` -> [1, 2, 0].
    """
    del stable  # the sort is always stable
    with name_scope(name, "argsort"):
        return _sort_or_argsort(values, axis, direction, indices=True)


def _sort_or_argsort(values, axis, direction, indices):
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f"Unknown direction: {direction}. Fix: 'ASCENDING' or 'DESCENDING'.")
    axis = convert_to_tensor(axis, name="axis")
    if axis.shape.ndims not in (None, 0):
        raise ValueError(f"axis must be 0-D, got shape {axis.shape}.")
    static_axis = get_static_value(axis)
    if static_axis is None:
        raise ValueError("axis must be constant. Fix: pass a Python int.")
    values = convert_to_tensor(values, name="values")
    if direction == "DESCENDING":
        return _descending_sort(values, int(static_axis), indices)
    result = _descending_sort(-values, int(static_axis), indices)
    return result if indices else -result


def _descending_sort(values, axis, indices):
    rank = values.shape.ndims
    last = axis == -1 or (rank is not None and axis + 1 == rank)
    if not last and rank is None:
        raise ValueError("sort along an axis other than the last needs a known rank. Fix: "
                         "set_shape on the values, or sort the last axis.")
    perm = None
    if not last:
        axis = shape_ops.normalize_axis(axis, rank, "sort")
        perm = list(range(rank))
        perm[axis], perm[-1] = perm[-1], perm[axis]  # a swap: its own inverse
        values = shape_ops.transpose(values, perm)
    k = shape_ops.shape(values)[-1]
    top_values, top_indices = nn_ops.top_k(values, k)
    result = top_indices if indices else top_values
    return result if perm is None else shape_ops.transpose(result, perm)
