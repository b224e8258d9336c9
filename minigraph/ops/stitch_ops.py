"""Interleaving by index: DynamicStitch (tf.dynamic_stitch).

Lives here: ops that scatter whole slices of several inputs into one output by integer
indices. Gather-like ops live in indexing_ops.py; segment sums there too.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.graph import name_scope
from ..framework.tensor import Spec, Tensor
from ..framework.registry import OpDef, register_op
from ..framework.shapes import TensorShape
from .indexing_ops import gather
from .common import check_dtype_in
from .constant_op import convert_to_tensor

__all__ = ["dynamic_stitch"]


@register_op("DynamicStitch")
class DynamicStitch(OpDef):
    """merged[indices[m][i]] = data[m][i]: N index tensors, then N data tensors.

    Later entries win where an index repeats. The output's first dimension is the largest
    index plus one; its other dimensions are data[0].shape[indices[0].ndim:].
    """

    @staticmethod
    def infer(*args):
        if not args or len(args) % 2:
            raise ValueError(f"DynamicStitch takes N index tensors and N data tensors, got "
                             f"{len(args)} inputs. Fix: pass lists of equal length.")
        n = len(args) // 2
        indices, data = args[:n], args[n:]
        for t in indices:
            check_dtype_in("DynamicStitch", t, ("int32",), "indices")
        if any(d.dtype != data[0].dtype for d in data):
            raise TypeError("DynamicStitch data tensors must share one dtype, got "
                            f"{[d.dtype.name for d in data]}. Fix: tf.cast them.")
        first = None
        if all(t.value is not None for t in indices):
            first = int(max((np.max(t.value) for t in indices if np.size(t.value)),
                            default=-1)) + 1
        rest = TensorShape(None)
        if indices[0].shape.ndims is not None and data[0].shape.ndims is not None:
            rest = TensorShape(data[0].shape.as_list()[indices[0].shape.ndims:])
        return Spec(data[0].dtype, TensorShape([first]).concatenate(rest))

    @staticmethod
    def compute(*arrays):
        n = len(arrays) // 2
        indices, data = arrays[:n], arrays[n:]
        tail = np.shape(data[0])[np.ndim(indices[0]):]
        size = max((int(np.max(i)) for i in indices if np.size(i)), default=-1) + 1
        out = np.zeros((size,) + tuple(tail), dtype=np.asarray(data[0]).dtype)
        for index, values in zip(indices, data):
            index = np.asarray(index)
            out[index.reshape(-1)] = np.asarray(values).reshape((index.size,) + tuple(tail))
        return out

    @staticmethod
    def gradient(op, grad):
        n = len(op.inputs) // 2
        return [None] * n + [gather(grad, index) for index in op.inputs[:n]]


def dynamic_stitch(indices, data, name=None) -> Tensor:
    """Interleave `data` slices by `indices`.

    Example: `tf.dynamic_stitch([[0, 2], [1]], [[1., 3.], [2.]])` -> [1., 2., 3.].
    """
    indices, data = list(indices), list(data)
    if len(indices) != len(data):
        raise ValueError(f"dynamic_stitch needs as many index tensors as data tensors, got "
                         f"{len(indices)} and {len(data)}.")
    with name_scope(name, "DynamicStitch", indices + data) as scope:
        indices = [convert_to_tensor(i, _dtypes.int32, name="indices") for i in indices]
        data = [convert_to_tensor(d, name="data") for d in data]
        return DynamicStitch.apply(indices + data, name=scope)
