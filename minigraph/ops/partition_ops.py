"""DynamicPartition and DynamicStitch: split a tensor's rows by a partition id, and merge
rows back by position. Together they route the ids of a sharded embedding lookup to their
shards and the looked-up rows back into place (nn_impl.embedding_lookup).
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.errors import InvalidArgumentError
from ..framework.graph import Spec, Tensor
from ..framework.registry import OpDef, register_op
from ..framework.shapes import TensorShape
from . import array_ops, indexing_ops, reduction_ops
from .common import check_dtype_in

__all__ = ["dynamic_partition", "dynamic_stitch"]


@register_op("DynamicPartition")
class DynamicPartition(OpDef):
    """Output i holds the slices data[j] with partitions[j] == i, in order."""

    inputs = ("data", "partitions")
    input_types = ("T", "int32")

    @staticmethod
    def infer(data, partitions, *, num_partitions):
        check_dtype_in("DynamicPartition", partitions, ("int32",), "partitions")
        if data.shape.ndims is None or partitions.shape.ndims is None:
            rest = None
        else:
            if not data.shape[:partitions.shape.ndims].is_compatible_with(partitions.shape):
                raise ValueError(f"partitions.shape {partitions.shape} must be a prefix of "
                                 f"data.shape {data.shape}.")
            rest = data.shape[partitions.shape.ndims:]
        shape = TensorShape(None) if rest is None else TensorShape([None]).concatenate(rest)
        return [Spec(data.dtype, shape) for _ in range(num_partitions)]

    @staticmethod
    def compute(data, partitions, *, num_partitions):
        bad = np.flatnonzero((partitions < 0) | (partitions >= num_partitions))
        if bad.size:
            value = partitions.reshape(-1)[bad[0]]
            raise InvalidArgumentError(None, None, f"partitions[{bad[0]}] = {value} is not in "
                                       f"[0, {num_partitions}).")
        return tuple(data[partitions == i] for i in range(num_partitions))

    @staticmethod
    def gradient(op, *grads):
        data, partitions = op.inputs
        prefix = array_ops.shape(partitions)
        positions = array_ops.reshape(array_ops.range_(reduction_ops.reduce_prod(prefix)), prefix)
        parts = dynamic_partition(positions, partitions, len(grads))
        grads = [array_ops.zeros_like(t) if g is None else g for g, t in zip(grads, op.outputs)]
        stitched = dynamic_stitch(parts, grads)
        return [array_ops.reshape(stitched, array_ops.shape(data)), None]


def dynamic_partition(data, partitions, num_partitions, name=None) -> list:
    """Split `data` by `partitions`.  Example: ([10, 20, 30], [1, 0, 1], 2) -> [[20], [10, 30]]."""
    out = DynamicPartition.apply([data, partitions], name=name,
                                 num_partitions=int(num_partitions))
    return [out] if isinstance(out, Tensor) else list(out)


@register_op("DynamicStitch")
class DynamicStitch(OpDef):
    """merged[indices[m][j]] = data[m][j]; later inputs win where indices repeat."""

    @staticmethod
    def infer(*specs, N):
        indices, data = specs[:N], specs[N:]
        for spec in indices:
            check_dtype_in("DynamicStitch", spec, ("int32",), "indices")
        first, first_index = data[0], indices[0]
        if first.shape.ndims is None or first_index.shape.ndims is None:
            return Spec(first.dtype, TensorShape(None))
        rest = first.shape[first_index.shape.ndims:]
        return Spec(first.dtype, TensorShape([None]).concatenate(rest))

    @staticmethod
    def compute(*arrays, N):
        indices, data = arrays[:N], arrays[N:]
        rows = max((int(np.max(i)) + 1 for i in indices if np.size(i)), default=0)
        rest = np.shape(data[0])[np.ndim(indices[0]):]
        merged = np.zeros((rows,) + rest, dtype=data[0].dtype)
        for index, values in zip(indices, data):
            merged[index.reshape(-1)] = np.reshape(values, (-1,) + rest)
        return merged

    @staticmethod
    def gradient(op, grad):
        n = op.attrs["N"]
        grad = indexing_ops.convert_to_tensor(grad)
        return [None] * n + [indexing_ops.gather(grad, i) for i in op.inputs[:n]]


def dynamic_stitch(indices, data, name=None) -> Tensor:
    """Merge `data` rows into the positions `indices`.

    Example: dynamic_stitch([[0, 2], [1]], [[1., 3.], [2.]]) -> [1., 2., 3.].
    """
    indices, data = list(indices), list(data)
    if len(indices) != len(data) or not indices:
        raise ValueError(f"dynamic_stitch needs as many data tensors as index tensors, got "
                         f"{len(indices)} and {len(data)}.")
    indices = [indexing_ops.convert_to_tensor(i, dtype=_dtypes.int32) for i in indices]
    return DynamicStitch.apply(indices + data, name=name, N=len(indices))
