"""Padding and its adjoint, slicing: Pad, PadV2, MirrorPad (+ MirrorPadGrad) and Slice.

Lives here: the ops that add elements around a tensor and the op that cuts a block out of
one; each is the other's gradient (the gradient of Slice pads, the gradient of Pad slices),
so they share a module. Strided slicing (`t[...]`) and gather live in indexing_ops.py,
concat/split/tile in join_split_ops.py.
"""

from __future__ import annotations

import numpy as np

from ..framework.errors import InvalidArgumentError
from ..framework.registry import OpDef, register_op
from ..framework.shapes import TensorShape
from ..framework.tensor import Spec, Tensor
from . import array_ops, math_ops, shape_ops
from .common import check_dtype_in

__all__ = ["pad"]
# slice_ is exported as tf.slice by minigraph/__init__.py (it shadows a builtin).

INDEX_TYPES = ("int32", "int64")


def _flat(spec: Spec):
    return None if spec.value is None else [int(v) for v in np.ravel(spec.value)]


# -- Pad, PadV2, MirrorPad -----------------------------------------------------------------
def _pad_shape(x: Spec, paddings: Spec, sign=1) -> TensorShape:
    """Static shape after adding (sign=1) or removing (sign=-1) `paddings`."""
    n = x.shape.ndims
    if paddings.shape.ndims is not None and (paddings.shape.ndims != 2 or
                                             paddings.shape.known[1] not in (None, 2)):
        raise ValueError(f"paddings must be a matrix with 2 columns, got shape "
                         f"{paddings.shape}. Fix: one [before, after] row per dimension.")
    if n is None and paddings.shape.ndims == 2:
        n = paddings.shape.known[0]
    if n is None:
        return TensorShape(None)
    if paddings.value is None:
        return TensorShape([None] * n)
    p = np.asarray(paddings.value).reshape(-1, 2)
    if len(p) != n or p.min(initial=0) < 0:
        raise ValueError(f"paddings {p.tolist()} must have {n} rows of non-negative "
                         f"[before, after] values, one per dimension of the input.")
    dims = x.shape.known or (None,) * n
    return TensorShape([None if d is None else d + sign * int(p[i].sum())
                        for i, d in enumerate(dims)])


@register_op("Pad")
class Pad(OpDef):
    """Add paddings[i] = [before, after] elements of value 0 around dimension i."""

    inputs = ("input", "paddings")
    input_types = ("T", "Tpaddings")

    @staticmethod
    def infer(x, paddings, constant_values=None):
        return Spec(x.dtype, _pad_shape(x, paddings))

    @staticmethod
    def compute(x, paddings, constant_values=0):
        return np.pad(x, np.asarray(paddings).reshape(-1, 2), constant_values=constant_values)

    @staticmethod
    def gradient(op, grad):
        x, paddings = op.inputs[:2]
        begin = shape_ops.reshape(slice_(paddings, [0, 0], [-1, 1]), [-1])
        return [slice_(grad, begin, shape_ops.shape(x, out_type=paddings.dtype))] + \
            [None] * (len(op.inputs) - 1)


@register_op("PadV2")
class PadV2(Pad):
    """Pad with the scalar `constant_values` (TF's op type when that value is not 0)."""

    inputs = ("input", "paddings", "constant_values")
    input_types = ("T", "Tpaddings", "T")


def pad(tensor, paddings, mode="CONSTANT", name=None, constant_values=0) -> Tensor:
    """Pad a tensor.  Example: `tf.pad([[1]], [[1, 0], [0, 2]])` -> [[0, 0, 0], [1, 0, 0]].

    `mode` is "CONSTANT", "REFLECT" or "SYMMETRIC" (any case), as in TF.
    """
    mode = mode.upper()
    if mode == "CONSTANT":
        if not isinstance(constant_values, Tensor) and np.all(np.asarray(constant_values) == 0):
            return Pad.apply([tensor, paddings], name=name)
        return PadV2.apply([tensor, paddings, constant_values], name=name)
    if mode not in ("REFLECT", "SYMMETRIC"):
        raise ValueError(f"Unknown padding mode: {mode}. Use CONSTANT, REFLECT or SYMMETRIC.")
    return MirrorPad.apply([tensor, paddings], name=name, mode=mode)


@register_op("MirrorPad")
class MirrorPad(OpDef):
    """Pad by mirroring the input: REFLECT omits the edge element, SYMMETRIC repeats it."""

    inputs = ("input", "paddings")
    input_types = ("T", "Tpaddings")

    @staticmethod
    def infer(x, paddings, *, mode):
        out = _pad_shape(x, paddings)
        if paddings.value is not None and x.shape.ndims is not None:
            limit = 1 if mode == "REFLECT" else 0
            for (before, after), d in zip(np.asarray(paddings.value).reshape(-1, 2),
                                          x.shape.known, strict=True):
                if d is not None and max(before, after) > d - limit:
                    raise ValueError(f"paddings must be no greater than the dimension size "
                                     f"{d}{' - 1' if limit else ''} for {mode} mode, got "
                                     f"[{before}, {after}].")
        return Spec(x.dtype, out)

    @staticmethod
    def compute(x, paddings, *, mode):
        return np.pad(x, np.asarray(paddings).reshape(-1, 2), mode=mode.lower())

    @staticmethod
    def gradient(op, grad):
        return [MirrorPadGrad.apply([grad, op.inputs[1]], mode=op.attrs["mode"]), None]


@register_op("MirrorPadGrad")
class MirrorPadGrad(OpDef):
    """Fold a padded gradient back onto the input: each source element sums its mirrors."""

    inputs = ("input", "paddings")
    input_types = ("T", "Tpaddings")

    @staticmethod
    def infer(x, paddings, *, mode):
        return Spec(x.dtype, _pad_shape(x, paddings, sign=-1))

    @staticmethod
    def compute(x, paddings, *, mode):
        out = x
        for axis, (before, after) in enumerate(np.asarray(paddings).reshape(-1, 2)):
            d = out.shape[axis] - before - after
            # Where each padded position was copied from, then add the copies up.
            source = np.pad(np.arange(d), (before, after), mode=mode.lower())
            folded = np.zeros(out.shape[:axis] + (d,) + out.shape[axis + 1:], dtype=x.dtype)
            np.add.at(folded, (slice(None),) * axis + (source,), out)
            out = folded
        return out

    @staticmethod
    def gradient(op, grad):
        return [MirrorPad.apply([grad, op.inputs[1]], mode=op.attrs["mode"]), None]


# -- Slice ---------------------------------------------------------------------------------
@register_op("Slice")
class Slice(OpDef):
    """The block of `size` elements starting at `begin` (a size of -1 means "to the end")."""

    inputs = ("input", "begin", "size")
    input_types = ("T", "Index", "Index")

    @staticmethod
    def infer(x, begin, size):
        check_dtype_in("Slice", begin, INDEX_TYPES, "begin")
        b, s = _flat(begin), _flat(size)
        n = x.shape.ndims if x.shape.ndims is not None else (
            begin.shape.known[0] if begin.shape.ndims == 1 else None)
        if n is None:
            return Spec(x.dtype, TensorShape(None))
        for name, v in (("begin", b), ("size", s)):
            if v is not None and len(v) != n:
                raise ValueError(f"Expected {name} to have {n} entries (one per dimension of "
                                 f"the input), got {v}.")
        dims = x.shape.known or (None,) * n
        out = []
        for i, d in enumerate(dims):
            bi, si = (None if b is None else b[i]), (None if s is None else s[i])
            if bi is not None and (bi < 0 or d is not None and bi > d):
                raise ValueError(f"Expected begin[{i}] in [0, {d}], but got {bi}.")
            if si == -1:
                out.append(None if d is None or bi is None else d - bi)
            elif si is not None and (si < 0 or None not in (d, bi) and bi + si > d):
                limit = "?" if None in (d, bi) else d - bi
                raise ValueError(f"Expected size[{i}] in [0, {limit}], but got {si}. Fix: "
                                 "size -1 means 'to the end'.")
            else:
                out.append(si)
        return Spec(x.dtype, TensorShape(out), shape_ops.fold_integers(x.dtype, Slice.compute,
                                                               [x, begin, size]))

    @staticmethod
    def compute(x, begin, size):
        index = []
        for i, (b, s) in enumerate(zip(begin, size, strict=True)):
            end = x.shape[i] if s == -1 else b + s
            if not 0 <= b <= end <= x.shape[i]:
                raise InvalidArgumentError(
                    None, None, f"Expected begin[{i}] = {b} and size[{i}] = {s} to fit in "
                    f"dimension {i} of size {x.shape[i]}. Fix: size -1 means 'to the end'.")
            index.append(slice(b, end))
        return x[tuple(index)]

    @staticmethod
    def gradient(op, grad):
        x, begin, _ = op.inputs
        before_end = math_ops.subtract(shape_ops.shape(x, out_type=begin.dtype), begin)
        after = math_ops.subtract(before_end, shape_ops.shape(grad, out_type=begin.dtype))
        return [pad(grad, array_ops.stack([begin, after], axis=1)), None, None]


def slice_(input_, begin, size, name=None) -> Tensor:
    """Extract a block.  Example: `tf.slice(x, [0, 1], [-1, 2])` -> columns 1 and 2."""
    return Slice.apply([input_, begin, size], name=name)
