"""Clip ops: clip_by_value, clip_by_norm, global_norm, clip_by_global_norm, clip_by_average_norm.

All are composites of primitive ops (minimum, maximum, sqrt, where, ...), so they need no
registry entry and their gradients come from the primitives. Formulas and edge cases
(inf or nan norms, a negative clip_norm) follow TF 1.x; docs/clipping.md has them.
As in TF, clip_by_value, clip_by_norm, global_norm and clip_by_global_norm accept an
IndexedSlices (a sparse gradient): they work on its rows and return an IndexedSlices (the
norm of the rows, repeated indices counted separately).
"""

from __future__ import annotations

import collections.abc

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.errors import describe_caller, describe_node
from ..framework.graph import name_scope
from ..framework.indexed_slices import IndexedSlices
from ..framework.tensor import Tensor
from ..ops import (array_ops, broadcast_ops, comparison_ops, constant_op, math_ops, shape_ops,
                   unary_ops)
from ..ops.constant_op import constant, convert_to_tensor
from ..ops.reduction_ops import l2_loss

__all__ = ["clip_by_value", "clip_by_norm", "global_norm", "clip_by_global_norm",
           "clip_by_average_norm"]

TensorLike = object  # anything convertible to a Tensor: Tensor, Variable, number, array


def _on_rows(t, fn):
    """fn applied to t, or to the rows of an IndexedSlices (which stays one)."""
    if isinstance(t, IndexedSlices):
        return IndexedSlices(fn(t.values), t.indices, t.dense_shape)
    return fn(t)


def _check_not_enlarged(what: str, t: Tensor, result: Tensor) -> None:
    """The bounds may broadcast to t's shape but never enlarge it (a build-time ValueError)."""
    known = t.shape.is_fully_defined() and result.shape.is_fully_defined()
    if not t.shape.is_compatible_with(result.shape) or (
            known and t.shape.as_list() != result.shape.as_list()):
        raise ValueError(f"{what}: the bounds would broadcast t of shape {t.shape} to "
                         f"{result.shape}; the result must keep t's shape. Fix: give bounds "
                         f"that are scalars or broadcast to t's shape; t is "
                         f"{describe_node(t.op)}, clip called at {describe_caller()}.")


def clip_by_value(t: TensorLike, clip_value_min: TensorLike, clip_value_max: TensorLike,
                  name: str | None = None) -> Tensor:
    """Return maximum(minimum(t, clip_value_max), clip_value_min), elementwise.

    The bounds are scalars or broadcast to t's shape. Built from Minimum and Maximum, so on a
    boundary the gradient goes to `t` (ties go to the first input); the bounds get gradient
    only where t is strictly outside. `min > max` is not checked (the result is then min).

    Raises:
      ValueError: the bounds would enlarge t's shape.
      TypeError: an integer t with float bounds.

    Example:
        >>> import minigraph as tf
        >>> print(tf.Session().run(tf.clip_by_value([-2., 0.5, 3.], -1., 1.)))
        [-1.   0.5  1. ]
    """
    if isinstance(t, IndexedSlices):
        return _on_rows(t, lambda v: clip_by_value(v, clip_value_min, clip_value_max, name))
    with name_scope(name or "clip_by_value"):
        t = convert_to_tensor(t, name="t")
        dtype = t.dtype.base_dtype
        low, high = (_bound(b, dtype, arg) for b, arg in
                     ((clip_value_min, "clip_value_min"), (clip_value_max, "clip_value_max")))
        result = math_ops.maximum(math_ops.minimum(t, high), low)
        _check_not_enlarged("clip_by_value", t, result)
        return result


def _bound(value, dtype: _dtypes.DType, arg: str) -> Tensor:
    """Convert a clip bound to t's dtype; a float bound for an integer t is a TypeError."""
    if constant_op.is_graph_value(value):
        return convert_to_tensor(value)
    try:
        return convert_to_tensor(value, dtype=dtype, name=arg)
    except TypeError:
        raise TypeError(f"clip_by_value: {arg}={value!r} cannot be converted to t's dtype "
                        f"{dtype.name}. Fix: pass bounds of t's dtype, or tf.cast t to a "
                        f"float dtype first; called at {describe_caller()}.") from None


def _floating(what: str, t: Tensor) -> None:
    if not t.dtype.base_dtype.is_floating:
        raise TypeError(f"{what}: t must be a floating-point tensor, got "
                        f"{t.dtype.base_dtype.name} ({t.name}). Fix: tf.cast it to float32; "
                        f"t is {describe_node(t.op)}, called at {describe_caller()}.")


def _safe_norm(sum_of_squares: Tensor) -> Tensor:
    """sqrt(sum_of_squares), with 0 (and a finite gradient) where the sum is 0."""
    # sqrt'(0) is inf and 0 * inf = nan, so the sqrt only ever sees positive inputs.
    positive = sum_of_squares > 0.0
    safe = comparison_ops.where(positive, sum_of_squares, array_ops.ones_like(sum_of_squares))
    return comparison_ops.where(positive, unary_ops.sqrt(safe), sum_of_squares)


def clip_by_norm(t: TensorLike, clip_norm: TensorLike, axes: int | list | None = None,
                 name: str | None = None) -> Tensor:
    """Return t * clip_norm / maximum(l2norm(t, axes), clip_norm).

    With `axes` each slice along them is clipped on its own; the shape stays t's. A zero t
    comes back unchanged with a finite gradient (safe square root). A negative clip_norm is
    treated as 0, which gives zeros (and 0/0 = nan for a zero t).

    Raises:
      TypeError: t is not floating point.

    Example:
        >>> import minigraph as tf
        >>> print(tf.Session().run(tf.clip_by_norm([3., 4.], 2.0)))
        [1.2 1.6]
    """
    if isinstance(t, IndexedSlices):
        return _on_rows(t, lambda v: clip_by_norm(v, clip_norm, axes, name))
    with name_scope(name or "clip_by_norm"):
        t = convert_to_tensor(t, name="t")
        _floating("clip_by_norm", t)
        dtype = t.dtype.base_dtype
        if constant_op.is_graph_value(clip_norm):
            clip_norm = math_ops.maximum(convert_to_tensor(clip_norm), 0.0)
        else:
            clip_norm = convert_to_tensor(np.maximum(clip_norm, 0), dtype=dtype,
                                          name="clip_norm")
        norm = _safe_norm(broadcast_ops.reduce_sum(t * t, axes, keepdims=True))
        result = t * clip_norm / math_ops.maximum(norm, clip_norm)
        _check_not_enlarged("clip_by_norm", t, result)
        return array_ops.identity(result)


def _check_sequence(what: str, t_list: object) -> None:
    if isinstance(t_list, (str, bytes)) or not isinstance(t_list, collections.abc.Sequence):
        raise TypeError(f"{what}: t_list should be a sequence of tensors (a list or tuple), "
                        f"got {type(t_list).__name__}. Fix: wrap a single tensor as [t]; "
                        f"called at {describe_caller()}.")


def global_norm(t_list: list | tuple, name: str | None = None) -> Tensor:
    """Return sqrt(2 * sum of l2_loss(t) over t_list) = the L2 norm of all entries together.

    None entries are skipped.

    An empty or all-None list gives 0.0.

    Raises:
      TypeError: t_list is not a list/tuple, or its tensors have different dtypes.

    Example:
        >>> import minigraph as tf
        >>> print(tf.Session().run(tf.global_norm([[3., 4.], None, [[12.]]])))
        13.0
    """
    _check_sequence("global_norm", t_list)
    with name_scope(name or "global_norm"):
        values = [convert_to_tensor(t.values if isinstance(t, IndexedSlices) else t, name="t")
                  for t in t_list if t is not None]
        if not values:
            return constant(0.0, dtype=_dtypes.float32, name="global_norm")
        first = values[0].dtype.base_dtype
        for v in values[1:]:
            if v.dtype.base_dtype != first:
                raise TypeError(f"global_norm: all tensors must have the same dtype, got "
                                f"{first.name} ({values[0].name}) and "
                                f"{v.dtype.base_dtype.name} ({v.name}). Fix: tf.cast them to "
                                "one dtype.")
        # TF's formula: sqrt(2 * sum of l2_loss), l2_loss(t) = sum(t * t) / 2.
        half_squares = [l2_loss(v) for v in values]
        total = broadcast_ops.reduce_sum(array_ops.stack(half_squares))
        return unary_ops.sqrt(total * constant(2.0, dtype=total.dtype), name="global_norm")


def clip_by_global_norm(t_list: list | tuple, clip_norm: TensorLike,
                        use_norm: TensorLike | None = None,
                        name: str | None = None) -> tuple[list, Tensor]:
    """Return ([t * clip_norm / max(G, clip_norm) for t in t_list], G), G = global_norm(t_list).

    The scale is computed as clip_norm * min(1/G, 1/clip_norm) and then has (G - G) added, so
    an inf or NaN global norm makes every output NaN. None entries stay None; the first
    element is always a list. `use_norm` replaces G (and is returned as G).

    Raises:
      TypeError: t_list is not a list/tuple.

    Example:
        >>> import minigraph as tf
        >>> print(tf.Session().run(tf.clip_by_global_norm([[3., 4.], [[12.]]], 6.5)))
        ([array([1.5, 2. ], dtype=float32), array([[6.]], dtype=float32)], np.float32(13.0))
    """
    _check_sequence("clip_by_global_norm", t_list)
    with name_scope(name or "clip_by_global_norm"):
        norm = global_norm(t_list) if use_norm is None else convert_to_tensor(use_norm)
        dtype = norm.dtype.base_dtype
        clip_norm = convert_to_tensor(clip_norm, dtype=dtype, name="clip_norm")
        one = constant(1.0, dtype=dtype, name="one")
        scale = clip_norm * math_ops.minimum(1.0 / norm, one / clip_norm)
        # G - G is 0 for a finite norm and NaN for inf/NaN: it poisons every output.
        scale = scale + (norm - norm)
        clipped = []
        for t in t_list:
            if t is None:
                clipped.append(None)
                continue
            if not isinstance(t, IndexedSlices):
                t = convert_to_tensor(t, name="t")
            factor = scale if t.dtype.base_dtype == dtype else math_ops.cast(scale, t.dtype)
            clipped.append(_on_rows(t, lambda v, f=factor: array_ops.identity(
                convert_to_tensor(v, name="t") * f)))
        return clipped, norm


def clip_by_average_norm(t: TensorLike, clip_norm: TensorLike,
                         name: str | None = None) -> Tensor:
    """Return t * clip_norm * min(N / l2norm(t), 1 / clip_norm), N = number of elements.

    Clips so that l2norm(t) / N <= clip_norm. A zero t comes back unchanged.

    TF1 note: TF computes N as float32 and fails for float64 t; minigraph uses t's dtype.

    Example:
        >>> import minigraph as tf
        >>> print(tf.Session().run(tf.clip_by_average_norm([3., 4.], 1.0)))
        [1.2 1.6]
    """
    with name_scope(name or "clip_by_average_norm"):
        t = convert_to_tensor(t, name="t")
        _floating("clip_by_average_norm", t)
        dtype = t.dtype.base_dtype
        if t.shape.is_fully_defined():
            count = constant(float(np.prod(t.shape.as_list())), dtype=dtype, name="count")
        else:
            count = math_ops.cast(shape_ops.size(t), dtype)
        clip_norm = _to(clip_norm, dtype)
        inverse_norm = unary_ops.rsqrt(broadcast_ops.reduce_sum(t * t))
        one = constant(1.0, dtype=dtype, name="one")
        return array_ops.identity(
            t * clip_norm * math_ops.minimum(inverse_norm * count, one / clip_norm))


def _to(value, dtype: _dtypes.DType) -> Tensor:
    if constant_op.is_graph_value(value):
        return math_ops.cast(value, dtype)
    return convert_to_tensor(value, dtype=dtype, name="clip_norm")
