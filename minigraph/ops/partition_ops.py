"""DynamicPartition: split a tensor's rows by a partition id.

With DynamicStitch (stitch_ops.py), which merges rows back by position, it routes the ids of
a sharded embedding lookup to their shards and the looked-up rows back into place
(nn_impl.embedding_lookup).
"""

from __future__ import annotations

import numpy as np

from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Spec, Tensor
from ..framework.registry import OpDef, register_op
from ..framework.shapes import TensorShape
from . import array_ops, reduction_ops, shape_ops
from .stitch_ops import dynamic_stitch
from .common import check_dtype_in

__all__ = ["dynamic_partition"]


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
        prefix = shape_ops.shape(partitions)
        positions = shape_ops.reshape(shape_ops.range_(reduction_ops.reduce_prod(prefix)), prefix)
        parts = dynamic_partition(positions, partitions, len(grads))
        grads = [array_ops.zeros_like(t) if g is None else g for g, t in zip(grads, op.outputs)]
        stitched = dynamic_stitch(parts, grads)
        return [shape_ops.reshape(stitched, shape_ops.shape(data)), None]


def dynamic_partition(data, partitions, num_partitions, name=None) -> list:
    """Split `data` by `partitions`.  Example: ([10, 20, 30], [1, 0, 1], 2) -> [[20], [10, 30]]."""
    out = DynamicPartition.apply([data, partitions], name=name,
                                 num_partitions=int(num_partitions))
    return [out] if isinstance(out, Tensor) else list(out)
