"""Segment reductions over sorted ids (SegmentSum, SegmentMean), UnsortedSegmentMax, and
ReverseSequence (reverse the first seq_lengths[b] steps of each batch entry).

Lives here: the segment ops beyond UnsortedSegmentSum (which lives in indexing_ops.py,
under gather's gradient). SegmentSum and SegmentMean need ids sorted ascending (and not
negative); the output has ids[-1] + 1 rows, empty segments give 0. UnsortedSegmentMax gives
the lowest value of the dtype for an empty segment, as TF; its gradient goes to the
positions that hold the maximum, split evenly among ties.
"""

from __future__ import annotations

import numpy as np

from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Spec, Tensor
from ..framework.registry import OpDef, register_op
from ..framework.shapes import TensorShape
from . import array_ops, comparison_ops, indexing_ops, math_ops, shape_ops
from .common import REALS, check_dtype_in
from .constant_op import convert_to_tensor

__all__ = ["segment_sum", "segment_mean", "unsorted_segment_max", "reverse_sequence"]

INDEX_TYPES = ("int32", "int64")


def _segment_spec(op_type: str, data: Spec, ids: Spec, rows, sorted_ids=True) -> Spec:
    check_dtype_in(op_type, ids, INDEX_TYPES, "segment_ids")
    if sorted_ids and ids.shape.ndims not in (None, 1):
        raise ValueError(f"{op_type}: segment_ids should be a vector, got shape {ids.shape}.")
    if ids.shape.ndims is None or data.shape.ndims is None:
        return Spec(data.dtype, TensorShape(None))
    if not data.shape[:ids.shape.ndims].is_compatible_with(ids.shape):
        raise ValueError(f"{op_type}: segment_ids.shape {ids.shape} must be a prefix of "
                         f"data.shape {data.shape}.")
    return Spec(data.dtype, TensorShape([rows] + list(data.shape.known[ids.shape.ndims:])))


def _sorted_segments(op_type: str, data, ids) -> tuple:
    """(sums, counts) of the rows of `data` per sorted id, after TF's checks."""
    if ids.ndim != 1 or not np.shape(data) or np.shape(data)[0] != ids.size:
        raise InvalidArgumentError(None, None, f"{op_type}: segment_ids should be a vector "
                                   f"of length data.shape[0] = {np.shape(data)[:1]}, got "
                                   f"shape {list(ids.shape)}.")
    if ids.size and (ids[0] < 0 or np.any(np.diff(ids) < 0)):
        raise InvalidArgumentError(None, None, f"{op_type}: segment ids are not increasing "
                                   f"(or negative): {ids.tolist()[:10]}. Fix: sort the ids, "
                                   "or use the unsorted_segment_* ops.")
    rows = int(ids[-1]) + 1 if ids.size else 0
    sums = np.zeros((rows,) + np.shape(data)[1:], dtype=np.asarray(data).dtype)
    np.add.at(sums, ids, data)
    return sums, np.bincount(ids, minlength=rows)


# -- SegmentSum ----------------------------------------------------------------------------
@register_op("SegmentSum")
class SegmentSum(OpDef):
    """out[k] = sum of data[i] with segment_ids[i] == k; ids sorted, out has ids[-1] + 1 rows."""

    inputs = ("data", "segment_ids")
    input_types = ("T", "Tindices")

    @staticmethod
    def infer(data, segment_ids):
        return _segment_spec("SegmentSum", data, segment_ids, None)

    @staticmethod
    def compute(data, segment_ids):
        return _sorted_segments("SegmentSum", data, segment_ids)[0]

    @staticmethod
    def gradient(op, grad):
        return [indexing_ops.gather(grad, op.inputs[1]), None]


def segment_sum(data, segment_ids, name=None) -> Tensor:
    """Sum rows by sorted segment id.  Example: ids [0, 0, 2]: [1, 2, 3] -> [3, 0, 3]."""
    return SegmentSum.apply([data, segment_ids], name=name)


# -- SegmentMean ---------------------------------------------------------------------------
@register_op("SegmentMean")
class SegmentMean(OpDef):
    """out[k] = mean of data[i] with segment_ids[i] == k (0 for an empty segment)."""

    inputs = ("data", "segment_ids")
    input_types = ("T", "Tindices")

    @staticmethod
    def infer(data, segment_ids):
        return _segment_spec("SegmentMean", data, segment_ids, None)

    @staticmethod
    def compute(data, segment_ids):
        sums, counts = _sorted_segments("SegmentMean", data, segment_ids)
        counts = np.maximum(counts, 1).reshape((-1,) + (1,) * (sums.ndim - 1))
        if sums.dtype.kind in "iu":  # integer means truncate toward zero, as TF's
            return (np.sign(sums) * (np.abs(sums) // counts)).astype(sums.dtype)
        return (sums / counts).astype(sums.dtype)

    @staticmethod
    def gradient(op, grad):
        data, ids = op.inputs
        rank = data.shape.ndims
        if rank is None:
            raise ValueError(f"The gradient of segment_mean '{op.name}' needs data of known "
                             "rank. Fix: set_shape on the data.")
        counts = segment_sum(array_ops.ones_like(ids, dtype=grad.dtype), ids)
        counts = shape_ops.reshape(counts, [-1] + [1] * (rank - 1))
        return [indexing_ops.gather(grad / counts, ids), None]


def segment_mean(data, segment_ids, name=None) -> Tensor:
    """Mean of rows by sorted segment id.  Example: ids [0, 0, 1]: [1, 3, 5] -> [2, 5]."""
    return SegmentMean.apply([data, segment_ids], name=name)


# -- UnsortedSegmentMax --------------------------------------------------------------------
@register_op("UnsortedSegmentMax")
class UnsortedSegmentMax(OpDef):
    """out[k] = max of data[i] with segment_ids[i] == k; an empty segment gets the dtype's
    lowest value."""

    inputs = ("data", "segment_ids", "num_segments")
    input_types = ("T", "Tindices", "Tnumsegments")

    @staticmethod
    def infer(data, segment_ids, num_segments):
        check_dtype_in("UnsortedSegmentMax", data, REALS, "data")
        check_dtype_in("UnsortedSegmentMax", num_segments, INDEX_TYPES, "num_segments")
        n = None if num_segments.value is None else int(num_segments.value)
        return _segment_spec("UnsortedSegmentMax", data, segment_ids, n, sorted_ids=False)

    @staticmethod
    def compute(data, segment_ids, num_segments):
        n = int(num_segments)
        bad = np.argwhere((segment_ids < 0) | (segment_ids >= n))
        if bad.size:
            where = tuple(int(i) for i in bad[0])
            raise InvalidArgumentError(
                None, None, f"segment_ids{list(where)} = {segment_ids[where]} is out of range "
                f"[0, {n}). Fix: every id must be a valid output row.")
        data = np.asarray(data)
        info = np.finfo if data.dtype.kind == "f" else np.iinfo
        out = np.full((n,) + data.shape[segment_ids.ndim:], info(data.dtype).min, data.dtype)
        np.maximum.at(out, segment_ids, data)
        return out

    @staticmethod
    def gradient(op, grad):
        data, ids, n = op.inputs
        chosen = comparison_ops.equal(data, indexing_ops.gather(op.outputs[0], ids))
        ties = indexing_ops.unsorted_segment_sum(math_ops.cast(chosen, grad.dtype), ids, n)
        shared = indexing_ops.gather(grad / ties, ids)
        return [comparison_ops.where(chosen, shared, array_ops.zeros_like(shared)), None, None]


def unsorted_segment_max(data, segment_ids, num_segments, name=None) -> Tensor:
    """Max of rows by segment id.  Example: ids [0, 0, 1], 2 segments: [1, 3, 5] -> [3, 5]."""
    return UnsortedSegmentMax.apply([data, segment_ids, num_segments], name=name)


# -- ReverseSequence -----------------------------------------------------------------------
@register_op("ReverseSequence")
class ReverseSequence(OpDef):
    """For each b along batch_dim, reverse the first seq_lengths[b] entries along seq_dim."""

    inputs = ("input", "seq_lengths")
    input_types = ("T", "Tlen")

    @staticmethod
    def infer(x, seq_lengths, *, seq_dim, batch_dim):
        check_dtype_in("ReverseSequence", seq_lengths, INDEX_TYPES, "seq_lengths")
        rank = x.shape.ndims
        if seq_lengths.shape.ndims not in (None, 1):
            raise ValueError(f"ReverseSequence: seq_lengths must be a vector, got shape "
                             f"{seq_lengths.shape}.")
        if rank is not None:
            for what, d in (("seq_dim", seq_dim), ("batch_dim", batch_dim)):
                if not 0 <= d < rank:
                    raise ValueError(f"ReverseSequence: {what} = {d} is not in [0, {rank}) "
                                     f"for input of shape {x.shape}.")
            if seq_dim == batch_dim:
                raise ValueError(f"ReverseSequence: seq_dim == batch_dim == {seq_dim}.")
            if not x.shape[batch_dim:batch_dim + 1].is_compatible_with(
                    seq_lengths.shape if seq_lengths.shape.ndims else TensorShape([None])):
                raise ValueError(f"ReverseSequence: len(seq_lengths) {seq_lengths.shape} must "
                                 f"equal input.shape[{batch_dim}] of shape {x.shape}.")
        return Spec(x.dtype, x.shape)

    @staticmethod
    def compute(x, seq_lengths, *, seq_dim, batch_dim):
        x = np.asarray(x)
        steps = x.shape[seq_dim]
        if seq_lengths.shape != (x.shape[batch_dim],) or np.any(seq_lengths < 0) or np.any(
                seq_lengths > steps):
            raise InvalidArgumentError(None, None, f"ReverseSequence: seq_lengths "
                                       f"{seq_lengths.tolist()} must hold input.shape"
                                       f"[{batch_dim}] values in [0, {steps}].")
        moved = np.moveaxis(x, (batch_dim, seq_dim), (0, 1))
        t = np.arange(steps)
        source = np.where(t < seq_lengths[:, None], seq_lengths[:, None] - 1 - t, t)
        out = np.take_along_axis(moved, source.reshape(source.shape + (1,) * (x.ndim - 2)),
                                 axis=1)
        return np.ascontiguousarray(np.moveaxis(out, (0, 1), (batch_dim, seq_dim)))

    @staticmethod
    def gradient(op, grad):
        return [ReverseSequence.apply([grad, op.inputs[1]], **op.attrs), None]


def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None,  # noqa: A002
                     name=None, seq_dim=None, batch_dim=None) -> Tensor:
    """Reverse the first seq_lengths[b] steps along `seq_axis` of each batch entry b.

    Example: `tf.reverse_sequence([[1, 2, 3], [4, 5, 6]], [2, 3], seq_axis=1)`
    -> [[2, 1, 3], [6, 5, 4]].
    """
    seq = seq_axis if seq_axis is not None else seq_dim
    batch = batch_axis if batch_axis is not None else batch_dim
    if seq is None:
        raise ValueError("reverse_sequence needs seq_axis (or seq_dim).")
    x = convert_to_tensor(input, name="input")
    rank = x.shape.ndims
    seq, batch = int(seq), 0 if batch is None else int(batch)
    if rank is not None:
        seq, batch = seq % rank if seq < 0 else seq, batch % rank if batch < 0 else batch
    return ReverseSequence.apply([x, seq_lengths], name=name, seq_dim=seq, batch_dim=batch)
