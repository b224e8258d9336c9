"""Indexing ops: strided slicing, `t[...]`, gather and one-hot (one block per op).

Lives here: StridedSlice (+ StridedSliceGrad), the `__getitem__` operator, GatherV2,
UnsortedSegmentSum (the dense gradient of gather) and OneHot. Slice lives with Pad, its
gradient, in pad_ops.py; whole-tensor reshaping in shape_ops.py; concat/split in
join_split_ops.py.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.errors import InvalidArgumentError
from ..framework.graph import name_scope
from ..framework.indexed_slices import IndexedSlices
from ..framework.tensor import OPERATORS, Spec, Tensor
from ..framework.registry import OpDef, no_gradient, register_op
from ..framework.shapes import Dimension, TensorShape
from .array_ops import ones_like, stack
from .common import check_dtype_in
from .constant_op import constant, convert_to_tensor
from .shape_ops import (fold_integers, normalize_axis, reshape, shape, static_axis,
                        transpose)

__all__ = ["strided_slice", "gather", "unsorted_segment_sum", "one_hot"]
# slice_ is exported as tf.slice by minigraph/__init__.py (it shadows a builtin).

INDEX_TYPES = ("int32", "int64")
MASKS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")
UNKNOWN = object()  # an index item whose value is only known at run time


def _flat(spec: Spec):
    return None if spec.value is None else [int(v) for v in np.ravel(spec.value)]


def _bounds_error(index, axis, dim):
    return f"slice index {index} of dimension {axis} out of bounds (the dimension has " \
           f"{dim} elements). Fix: use an index in [{-dim}, {dim})."


# -- StridedSlice --------------------------------------------------------------------------
def decode_index(begin, end, strides, masks):
    """Turn StridedSlice's arrays and bit masks into numpy basic-indexing items.

    `strides` is a list (entries may be UNKNOWN); `begin` and `end` are lists of ints, or None
    when not known at build time (then the affected items hold UNKNOWN). Shrink items are
    ints, new axes None.
    """
    n = len(strides)

    def item(values, i):
        return UNKNOWN if values is None else values[i]

    items = []
    for i in range(n):
        bit = 1 << i
        if masks["ellipsis_mask"] & bit:
            items.append(Ellipsis)
        elif masks["new_axis_mask"] & bit:
            items.append(None)
        elif masks["shrink_axis_mask"] & bit:
            items.append(item(begin, i))
        else:
            items.append(slice(None if masks["begin_mask"] & bit else item(begin, i),
                               None if masks["end_mask"] & bit else item(end, i),
                               item(strides, i)))
    return items


def sliced_shape(shape: TensorShape, items) -> TensorShape:
    """Static shape of `x[items]` (numpy's basic indexing) for a partially known shape."""
    if items.count(Ellipsis) > 1:
        raise ValueError("Multiple ellipses in slice spec not allowed. Fix: use one `...`.")
    if shape.ndims is None:
        return TensorShape(None)
    dims = shape.known
    used = sum(1 for it in items if it is not None and it is not Ellipsis)
    if used > len(dims):
        raise ValueError(f"Index out of range using input dim {len(dims)}; input has only "
                         f"{len(dims)} dims. Fix: use at most {len(dims)} indices.")
    fill = [slice(None)] * (len(dims) - used)
    k = items.index(Ellipsis) if Ellipsis in items else len(items)
    items = items[:k] + fill + items[k + 1:]
    out, axis = [], 0
    for it in items:
        if it is None:
            out.append(1)
            continue
        d = dims[axis]
        if isinstance(it, slice):
            parts = (it.start, it.stop, it.step)
            if it.step == 0:
                raise ValueError(f"strides[{axis}] must be non-zero.")
            out.append(None if d is None or UNKNOWN in parts else len(range(*it.indices(d))))
        elif it is not UNKNOWN and d is not None and not -d <= it < d:
            raise ValueError(_bounds_error(it, axis, d))
        axis += 1
    return TensorShape(out)


@register_op("StridedSlice")
class StridedSlice(OpDef):
    """Basic numpy-style indexing encoded as begin/end/strides arrays plus five bit masks."""

    inputs = ("input", "begin", "end", "strides")
    input_types = ("T", "Index", "Index", "Index")

    @staticmethod
    def infer(x, begin, end, strides, **masks):
        check_dtype_in("StridedSlice", begin, INDEX_TYPES, "begin")
        n = strides.shape.known[0] if strides.shape.ndims == 1 else None
        if n is None:
            return Spec(x.dtype, TensorShape(None))
        items = decode_index(_flat(begin), _flat(end), _flat(strides) or [UNKNOWN] * n,
                             masks)
        value = None
        out = sliced_shape(x.shape, items)
        if x.dtype.is_integer and x.value is not None and UNKNOWN not in items and all(
                UNKNOWN not in (it.start, it.stop, it.step) for it in items
                if isinstance(it, slice)):
            value = np.asarray(x.value[tuple(items)])
        return Spec(x.dtype, out, value)

    @staticmethod
    def compute(x, begin, end, strides, **masks):
        items = tuple(decode_index([int(v) for v in begin], [int(v) for v in end],
                                   [int(v) for v in strides], masks))
        try:
            return np.asarray(x[items])
        except IndexError as e:
            raise InvalidArgumentError(None, None, f"{e} (input shape {np.shape(x)}). Fix: "
                                       "keep each integer index inside its dimension.") from None

    @staticmethod
    def gradient(op, grad):
        x, begin, end, strides = op.inputs
        dx = StridedSliceGrad.apply([shape(x, out_type=begin.dtype), begin, end, strides, grad],
                                    **op.attrs)
        return [dx, None, None, None]


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0,
                  new_axis_mask=0, shrink_axis_mask=0, var=None, name=None) -> Tensor:
    """Slice with explicit arrays and masks.  Example: `tf.strided_slice(x, [0], [4], [2])`."""
    if strides is None:
        strides = ones_like(begin)
    return StridedSlice.apply([input_, begin, end, strides], name=name, begin_mask=begin_mask,
                              end_mask=end_mask, ellipsis_mask=ellipsis_mask,
                              new_axis_mask=new_axis_mask, shrink_axis_mask=shrink_axis_mask)


@register_op("StridedSliceGrad")
class StridedSliceGrad(OpDef):
    """Scatter `dy` into zeros of `shape` at the positions a StridedSlice read (its gradient)."""

    inputs = ("shape", "begin", "end", "strides", "dy")
    input_types = ("Index", "Index", "Index", "Index", "T")

    @staticmethod
    def infer(shape, begin, end, strides, dy, **masks):
        dims = _flat(shape)
        if dims is not None:
            return Spec(dy.dtype, TensorShape(dims))
        n = shape.shape.known[0] if shape.shape.ndims == 1 else None
        return Spec(dy.dtype, TensorShape(None if n is None else [None] * n))

    @staticmethod
    def compute(shape, begin, end, strides, dy, **masks):
        out = np.zeros(shape, dtype=dy.dtype)
        out[tuple(decode_index([int(v) for v in begin], [int(v) for v in end],
                               [int(v) for v in strides], masks))] = dy
        return out

    @staticmethod
    def gradient(op, grad):
        _, begin, end, strides, _ = op.inputs
        return [None, None, None, None, strided_slice(grad, begin, end, strides, **op.attrs)]


# -- t[...] --------------------------------------------------------------------------------
def _check_index(item):
    """Return an int or a scalar integer tensor for one index value, or raise TypeError."""
    if isinstance(item, Dimension) and item.value is not None:
        return item.value
    if isinstance(item, numbers.Integral):
        return int(item)
    if isinstance(item, Tensor) or hasattr(item, "_as_graph_element"):
        t = convert_to_tensor(item)
        if t.dtype.base_dtype.name in INDEX_TYPES and t.shape.ndims in (None, 0):
            return t
    raise TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and "
                    f"scalar tf.int32/tf.int64 tensors are valid indices, got {item!r}. Fix: "
                    "use tf.gather for a list of indices, tf.cast for a float index.")


def _pack_index(values, name, dtype):
    if not any(isinstance(v, Tensor) for v in values):
        return constant(values, dtype, name=name)
    return stack([v if isinstance(v, Tensor) else constant(v, dtype) for v in values],
                 name=name)


def _index_dtype(*lists):
    """int64 if any tensor index is int64, else int32: begin, end and strides share one type
    (TF's StridedSlice requires it)."""
    tensors = [v for values in lists for v in values if isinstance(v, Tensor)]
    return _dtypes.int64 if any(t.dtype.base_dtype == _dtypes.int64 for t in tensors) \
        else _dtypes.int32


def getitem(tensor, slice_spec) -> Tensor:
    """`t[...]`: numpy basic indexing compiled to one StridedSlice, as TF1 does.

    TF1 note, as in TF: a Python list is a tuple of indices, so `x[[0, 1]]` is `x[0, 1]`.
    """
    spec = slice_spec if isinstance(slice_spec, (list, tuple)) else [slice_spec]
    begin, end, strides = [], [], []
    masks = dict.fromkeys(MASKS, 0)
    for i, item in enumerate(spec):
        bit = 1 << i
        if isinstance(item, slice):
            parts = [None if p is None else _check_index(p)
                     for p in (item.start, item.stop, item.step)]
            for key, part in (("begin_mask", parts[0]), ("end_mask", parts[1])):
                if part is None:
                    masks[key] |= bit
            begin.append(0 if parts[0] is None else parts[0])
            end.append(0 if parts[1] is None else parts[1])
            strides.append(1 if parts[2] is None else parts[2])
            continue
        if item is Ellipsis or item is None:
            if item is Ellipsis and masks["ellipsis_mask"]:
                raise ValueError("Multiple ellipses in slice spec not allowed. Fix: use one "
                                 "`...`.")
            masks["ellipsis_mask" if item is Ellipsis else "new_axis_mask"] |= bit
            begin.append(0)
            end.append(0)
            strides.append(1)
            continue
        index = _check_index(item)
        masks["shrink_axis_mask"] |= bit
        begin.append(index)
        # TF stores begin + 1 as the end; the kernel only reads begin for a shrunk axis.
        end.append(index + 1 if isinstance(index, int) else index)
        strides.append(1)
    with name_scope(None, "strided_slice", [tensor]) as scope:
        dtype = _index_dtype(begin, end, strides)
        packed = [_pack_index(v, "stack", dtype) for v in (begin, end, strides)]
        return StridedSlice.apply([tensor] + packed, name=scope, **masks)


OPERATORS["getitem"] = getitem


# -- Gather and its dense gradient ---------------------------------------------------------
@register_op("GatherV2")
class GatherV2(OpDef):
    """Pick slices of `params` along `axis` at `indices`: output shape
    params.shape[:axis] + indices.shape + params.shape[axis + 1:]."""

    inputs = ("params", "indices", "axis")
    input_types = ("T", "Tindices", "Taxis")

    @staticmethod
    def infer(params, indices, axis, *, batch_dims=0):
        check_dtype_in("GatherV2", indices, INDEX_TYPES, "indices")
        a = static_axis(axis, "GatherV2")
        if a is None or params.shape.ndims is None or indices.shape.ndims is None:
            return Spec(params.dtype, TensorShape(None))
        dims = params.shape.known
        a = normalize_axis(a, len(dims), "GatherV2")
        out = dims[:a] + indices.shape.known + dims[a + 1:]
        value = fold_integers(params.dtype, np.take, [params, indices, axis])
        return Spec(params.dtype, TensorShape(out), value)

    @staticmethod
    def compute(params, indices, axis, *, batch_dims=0):
        axis = int(axis) % max(np.ndim(params), 1)
        n = np.shape(params)[axis]
        bad = np.argwhere((indices < 0) | (indices >= n))
        if bad.size:
            where = tuple(int(i) for i in bad[0])
            raise InvalidArgumentError(
                None, None, f"indices{list(where)} = {indices[where]} is not in [0, {n}). "
                f"Fix: gather indices must be in [0, params.shape[{axis}]); check the "
                "vocabulary size or clip the ids.")
        return np.take(params, indices, axis=axis)

    @staticmethod
    def gradient(op, grad):
        params, indices, axis = op.inputs
        a = None if axis._static_value is None else int(axis._static_value)
        pr, ir = params.shape.ndims, indices.shape.ndims
        if a is not None and pr is not None:
            a = a % pr
        if a == 0 and pr is not None:  # TF's sparse gradient: grad's rows at the indices
            return [_gather_rows_gradient(params, indices, convert_to_tensor(grad)), None, None]
        n = params.shape.known[a] if a is not None and pr is not None else None
        if n is None:
            n = shape(params, out_type=indices.dtype)[a if a is not None else axis]
        if a == 0:
            return [unsorted_segment_sum(grad, indices, n), None, None]
        if a is None or pr is None or ir is None:
            raise ValueError(f"The gradient of gather '{op.name}' along a non-constant axis or "
                             "with inputs of unknown rank is not supported. Fix: use a constant "
                             "axis and give params and indices static ranks.")
        # Move the index dimensions to the front, sum duplicates, move the axis back.
        front = list(range(a, a + ir)) + list(range(a)) + list(range(a + ir, pr - 1 + ir))
        summed = unsorted_segment_sum(transpose(grad, front), indices, n)
        return [transpose(summed, list(range(1, a + 1)) + [0] + list(range(a + 1, pr))),
                None, None]


def _gather_rows_gradient(params, indices, grad) -> IndexedSlices:
    """IndexedSlices(grad as one row per index, the flat indices, shape(params)), as TF."""
    params_shape = shape(params)
    inner = params.shape.as_list()[1:]
    if None in inner:  # [-1, params_shape[1], ...] from the run-time shape
        inner = [params_shape[i] for i in range(1, params.shape.ndims)]
        values = reshape(grad, stack([-1] + inner))
    else:
        values = reshape(grad, [-1] + inner)
    return IndexedSlices(values, reshape(indices, [-1]), params_shape)


def gather(params, indices, validate_indices=None, name=None, axis=0, batch_dims=0) -> Tensor:
    """Gather slices of `params` along `axis`.  Example: `tf.gather([5, 6, 7], [2, 0])` -> [7, 5].

    The gradient for `params` along axis 0 is an IndexedSlices (rows at `indices`, duplicates
    not summed), as in TF; along other axes a dense tensor.
    """
    if batch_dims != 0:
        raise ValueError("minigraph's gather supports batch_dims=0 only.")
    return GatherV2.apply([params, indices, axis], name=name)


@register_op("UnsortedSegmentSum")
class UnsortedSegmentSum(OpDef):
    """out[k] = sum of data[i] over positions i with segment_ids[i] == k (k < num_segments)."""

    inputs = ("data", "segment_ids", "num_segments")
    input_types = ("T", "Tindices", "Tnumsegments")

    @staticmethod
    def infer(data, segment_ids, num_segments):
        check_dtype_in("UnsortedSegmentSum", segment_ids, INDEX_TYPES, "segment_ids")
        n = None if num_segments.value is None else int(num_segments.value)
        ids, dims = segment_ids.shape, data.shape
        if ids.ndims is None or dims.ndims is None:
            return Spec(data.dtype, TensorShape(None))
        if not dims[:ids.ndims].is_compatible_with(ids):
            raise ValueError(f"segment_ids.shape {ids} must be a prefix of data.shape {dims}.")
        return Spec(data.dtype, TensorShape([n] + list(dims.known[ids.ndims:])))

    @staticmethod
    def compute(data, segment_ids, num_segments):
        n = int(num_segments)
        bad = np.argwhere((segment_ids < 0) | (segment_ids >= n))
        if bad.size:
            where = tuple(int(i) for i in bad[0])
            raise InvalidArgumentError(
                None, None, f"segment_ids{list(where)} = {segment_ids[where]} is out of range "
                f"[0, {n}). Fix: every id must be a valid output row.")
        out = np.zeros((n,) + np.shape(data)[np.ndim(segment_ids):], dtype=data.dtype)
        np.add.at(out, segment_ids, data)
        return out

    @staticmethod
    def gradient(op, grad):
        return [gather(grad, op.inputs[1]), None, None]


def indexed_slices_to_dense(value: IndexedSlices, name=None) -> Tensor:
    """The dense tensor of an IndexedSlices: rows summed per index (TF's conversion)."""
    return unsorted_segment_sum(value.values, value.indices, value.dense_shape[0], name=name)


OPERATORS["indexed_slices_to_dense"] = indexed_slices_to_dense


def unsorted_segment_sum(data, segment_ids, num_segments, name=None) -> Tensor:
    """Sum rows by segment id.  Example: ids [0, 0, 2], 3 segments: [1, 2, 3] -> [3, 0, 3].

    TF1 note: a negative id raises InvalidArgumentError (TF silently drops it).
    """
    return UnsortedSegmentSum.apply([data, segment_ids, num_segments], name=name)


# -- OneHot --------------------------------------------------------------------------------
@register_op("OneHot")
class OneHot(OpDef):
    """A new axis of length `depth`: on_value where the index matches, off_value elsewhere."""

    inputs = ("indices", "depth", "on_value", "off_value")
    input_types = ("TI", "int32", "T", "T")

    @staticmethod
    def infer(indices, depth, on_value, off_value, *, axis):
        check_dtype_in("OneHot", indices, ("uint8",) + INDEX_TYPES, "indices")
        for arg, spec in (("depth", depth), ("on_value", on_value), ("off_value", off_value)):
            if spec.shape.ndims not in (None, 0):
                raise ValueError(f"one_hot: {arg} must be a scalar, got shape {spec.shape}.")
        if indices.shape.ndims is None:
            return Spec(on_value.dtype, TensorShape(None))
        dims = list(indices.shape.known)
        if not -1 <= axis <= len(dims):
            raise ValueError(f"Expected axis to be -1 or between [0, {len(dims)}), but got "
                             f"{axis}.")
        n = None if depth.value is None else int(depth.value)
        if n is not None and n < 0:
            raise ValueError(f"one_hot: depth must be non-negative, got {n}.")
        dims.insert(len(dims) if axis == -1 else axis, n)
        return Spec(on_value.dtype, TensorShape(dims))

    @staticmethod
    def compute(indices, depth, on_value, off_value, *, axis):
        hits = np.expand_dims(indices, -1) == np.arange(int(depth))
        out = np.where(hits, on_value, off_value).astype(np.asarray(on_value).dtype)
        return out if axis == -1 else np.moveaxis(out, -1, axis)

    gradient = staticmethod(no_gradient)


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None,
            name=None) -> Tensor:
    """One-hot encode.  Example: `tf.one_hot([0, 2], 3)` -> [[1, 0, 0], [0, 0, 1]] (float32).

    Indices outside [0, depth) give a row of off_value, as in TF.
    """
    with name_scope(name, "one_hot", [indices]) as scope:
        given = [v for v in (on_value, off_value) if v is not None]
        tensors = [v for v in given if isinstance(v, Tensor) or hasattr(v, "_as_graph_element")]
        if dtype is None:
            dtype = convert_to_tensor(tensors[0]).dtype.base_dtype if tensors else (
                _dtypes.infer_dtype(given[0]) if given else _dtypes.float32)
        dtype = _dtypes.as_dtype(dtype)
        on = convert_to_tensor(1 if on_value is None else on_value, dtype, name="on_value")
        off = convert_to_tensor(0 if off_value is None else off_value, dtype, name="off_value")
        return OneHot.apply([indices, depth, on, off], name=scope,
                            axis=-1 if axis is None else int(axis))
