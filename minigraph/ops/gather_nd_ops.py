"""N-dimensional indexing: GatherNd and its adjoint ScatterNd, and boolean_mask.

Lives here: `gather_nd` (slices of params named by the last axis of indices), `scatter_nd`
(a new zero tensor of a given shape with updates added at the named places; repeated
indices add up) and `boolean_mask`, which TF builds from reshape, Where and gather (so its
gradient is gather's: an IndexedSlices along the masked axis when that axis is 0).
"""

from __future__ import annotations

import numpy as np

from ..framework.errors import InvalidArgumentError
from ..framework.graph import name_scope
from ..framework.tensor import Spec, Tensor
from ..framework.registry import OpDef, register_op
from ..framework.shapes import TensorShape
from . import comparison_ops, indexing_ops, join_split_ops, reduction_ops, shape_ops
from .common import check_dtype_in
from .constant_op import convert_to_tensor

__all__ = ["gather_nd", "scatter_nd", "boolean_mask"]

INDEX_TYPES = ("int32", "int64")


def _nd_positions(op_type: str, indices: np.ndarray, dims) -> tuple:
    """The index tuple (one array per indexed axis) for numpy, after TF's range check."""
    depth = indices.shape[-1]
    flat = indices.reshape(-1, depth)
    bad = np.argwhere((flat < 0) | (flat >= np.asarray(dims[:depth], dtype=np.int64)))
    if bad.size:
        row = int(bad[0][0])
        raise InvalidArgumentError(
            None, None, f"{op_type}: indices[{row}] = {flat[row].tolist()} does not index "
            f"into shape {list(dims)}. Fix: every index row must lie inside the indexed "
            "dimensions.")
    return tuple(indices[..., k] for k in range(depth))


def _nd_shape(op_type: str, indices: TensorShape, dims: TensorShape, what: str) -> TensorShape:
    """indices.shape[:-1] + dims[indices.shape[-1]:], TF's GatherNd/ScatterNd shape rule."""
    if indices.ndims is None or dims.ndims is None or indices.known[-1] is None:
        return TensorShape(None)
    if indices.ndims < 1:
        raise ValueError(f"{op_type}: indices must be at least a vector, got shape {indices}.")
    depth = indices.known[-1]
    if depth > dims.ndims:
        raise ValueError(f"{op_type}: indices.shape[-1] = {depth} must be <= the rank of "
                         f"{what} ({dims.ndims}); shapes: indices {indices}, {what} {dims}.")
    return TensorShape(list(indices.known[:-1]) + list(dims.known[depth:]))


# -- GatherNd ------------------------------------------------------------------------------
@register_op("GatherNd")
class GatherNd(OpDef):
    """out[i...] = params[indices[i..., :]]: each index row picks an element or a slice."""

    inputs = ("params", "indices")
    input_types = ("Tparams", "Tindices")

    @staticmethod
    def infer(params, indices):
        check_dtype_in("GatherNd", indices, INDEX_TYPES, "indices")
        return Spec(params.dtype, _nd_shape("GatherNd", indices.shape, params.shape, "params"))

    @staticmethod
    def compute(params, indices):
        params = np.asarray(params)
        return np.ascontiguousarray(params[_nd_positions("GatherNd", indices, params.shape)])

    @staticmethod
    def gradient(op, grad):
        params, indices = op.inputs
        dims = shape_ops.shape(params, out_type=indices.dtype)
        return [scatter_nd(indices, grad, dims), None]


def gather_nd(params, indices, name=None, batch_dims=0) -> Tensor:
    """Slices of `params` named by the rows of `indices`' last axis.

    Example: `tf.gather_nd([[1, 2], [3, 4]], [[1, 0], [0, 1]])` -> [3, 2].
    """
    if batch_dims != 0:
        raise ValueError("minigraph's gather_nd supports batch_dims=0 only.")
    return GatherNd.apply([params, indices], name=name)


# -- ScatterNd -----------------------------------------------------------------------------
@register_op("ScatterNd")
class ScatterNd(OpDef):
    """A zero tensor of `shape` with updates[i...] added at indices[i..., :] (repeats add)."""

    inputs = ("indices", "updates", "shape")
    input_types = ("Tindices", "T", "Tindices")

    @staticmethod
    def infer(indices, updates, shape):
        check_dtype_in("ScatterNd", indices, INDEX_TYPES, "indices")
        if shape.shape.ndims not in (None, 1):
            raise ValueError(f"ScatterNd: shape must be a vector, got shape {shape.shape}.")
        if shape.value is not None:
            out = TensorShape([int(d) for d in shape.value])
        else:  # a fed shape: its length (when known) is the rank
            length = shape.shape.known[0] if shape.shape.ndims == 1 else None
            out = TensorShape(None if length is None else [None] * length)
        want = _nd_shape("ScatterNd", indices.shape, out, "shape")
        if not want.is_compatible_with(updates.shape):
            raise ValueError(f"ScatterNd: updates.shape {updates.shape} must be indices.shape"
                             f"[:-1] + shape[indices.shape[-1]:] = {want} (indices "
                             f"{indices.shape}, shape {out}).")
        return Spec(updates.dtype, out)

    @staticmethod
    def compute(indices, updates, shape):
        out = np.zeros([int(d) for d in shape], dtype=np.asarray(updates).dtype)
        np.add.at(out, _nd_positions("ScatterNd", indices, out.shape), updates)
        return out

    @staticmethod
    def gradient(op, grad):
        return [None, gather_nd(grad, op.inputs[0]), None]


def scatter_nd(indices, updates, shape, name=None) -> Tensor:
    """A zero tensor of `shape` with `updates` added at `indices` (repeated indices add up).

    Example: `tf.scatter_nd([[1], [3]], [9, 10], [5])` -> [0, 9, 0, 10, 0].
    """
    indices = convert_to_tensor(indices, name="indices")
    shape = convert_to_tensor(shape, indices.dtype, name="shape")
    return ScatterNd.apply([indices, updates, shape], name=name)


# -- boolean_mask (a composite, as TF builds it) ---------------------------------------------
def boolean_mask(tensor, mask, name="boolean_mask", axis=None) -> Tensor:
    """The entries (or slices along `axis`) of `tensor` where `mask` is True, flattened over
    the mask's dimensions.  Example: `tf.boolean_mask([1, 2, 3], [True, False, True])` -> [1, 3].
    """
    with name_scope(name, "boolean_mask", [tensor, mask]):
        tensor = convert_to_tensor(tensor, name="tensor")
        mask = convert_to_tensor(mask, name="mask")
        k = mask.shape.ndims
        if k == 0:
            raise ValueError("mask cannot be scalar.")
        if k is None:
            raise ValueError("Number of mask dimensions must be specified, even if some "
                             "dimensions are None. E.g. shape=[None] is ok, but shape=None "
                             "is not.")
        axis = 0 if axis is None else int(axis)
        dims = tensor.shape
        if dims.ndims is not None:
            if not dims[axis:axis + k].is_compatible_with(mask.shape):
                raise ValueError(f"Shapes {dims[axis:axis + k]} and {mask.shape} are "
                                 "incompatible: the mask must match the tensor's dimensions "
                                 f"{axis}..{axis + k - 1}.")
        tensor = _merge_dims(tensor, axis, k)
        indices = shape_ops.squeeze(comparison_ops.where(shape_ops.reshape(mask, [-1])), [1])
        return indexing_ops.gather(tensor, indices, axis=axis)


def _merge_dims(tensor, axis: int, k: int) -> Tensor:
    """`tensor` with dimensions axis..axis+k-1 merged into one (static shape when known)."""
    dims = tensor.shape
    if dims.ndims is not None and None not in dims.as_list():
        sizes = dims.as_list()
        size = int(np.prod(sizes[axis:axis + k]))
        return shape_ops.reshape(tensor, sizes[:axis] + [size] + sizes[axis + k:])
    full = shape_ops.shape(tensor)
    merged = reduction_ops.reduce_prod(full[axis:axis + k], [0], keepdims=True)
    out = shape_ops.reshape(tensor, join_split_ops.concat([full[:axis], merged,
                                                           full[axis + k:]], 0))
    if dims.ndims is not None:
        middle = dims[axis:axis + k].num_elements()
        out.set_shape(list(dims.known[:axis]) + [middle] + list(dims.known[axis + k:]))
    return out
