"""Helpers shared by op blocks: dtype checks, broadcasting inference, gradient reduction.

Lives here: small functions that keep each op block short (`check_same_dtype`,
`check_dtype_in`, `broadcast_spec`, `reduce_to_input_shape`, `reduction_axes`). No op is
registered here.
"""

from __future__ import annotations

import contextlib
import threading

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.tensor import Spec
from ..framework.shapes import TensorShape, broadcast_shapes

FLOATS = ("float16", "float32", "float64")
NUMBERS = FLOATS + ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                    "complex64", "complex128")
REALS = tuple(d for d in NUMBERS if not d.startswith("complex"))
INEXACT = FLOATS + ("complex64", "complex128")


def check_same_dtype(op_type: str, specs, names=("x", "y")) -> _dtypes.DType:
    """Raise TF's TypeError if the inputs' dtypes differ; return the shared dtype."""
    first = specs[0].dtype
    for spec, arg in zip(specs[1:], names[1:]):
        if spec.dtype != first:
            raise TypeError(f"Input '{arg}' of '{op_type}' Op has type {spec.dtype.name} that "
                            f"does not match type {first.name} of argument '{names[0]}'. Fix: "
                            f"tf.cast one input, e.g. tf.cast({arg}, tf.{first.name}).")
    return first


def check_dtype_in(op_type: str, spec: Spec, allowed, arg="x") -> None:
    """Raise TypeError if `spec.dtype` is not among the allowed dtype names."""
    if spec.dtype.base_dtype.name not in allowed:
        raise TypeError(f"Value passed to parameter '{arg}' of op '{op_type}' has DataType "
                        f"{spec.dtype.name} not in list of allowed values: "
                        f"{', '.join(allowed)}. Fix: tf.cast it to one of those.")


def broadcast_spec(op_type: str, x: Spec, y: Spec, dtype=None) -> Spec:
    """Spec of an elementwise binary op: same dtype, broadcast shapes (errors name both)."""
    check_same_dtype(op_type, [x, y])
    try:
        shape = broadcast_shapes(x.shape, y.shape)
    except ValueError as e:
        raise ValueError(f"{e} for '{op_type}' with input shapes: {x.shape._bracket()}, "
                         f"{y.shape._bracket()}. Fix: make the shapes equal or broadcastable "
                         "(a dimension of 1 stretches).") from None
    return Spec(dtype or x.dtype, shape)


def reduction_axes(shape: TensorShape, axis):
    """Normalise `axis` (None, int or list, negatives allowed) against a static shape.

    Returns a sorted tuple of non-negative axes, or None when the rank is unknown and
    `axis` has a negative entry.
    """
    rank = shape.ndims
    if axis is None:
        return None if rank is None else tuple(range(rank))
    axes = [int(a) for a in np.atleast_1d(np.asarray(axis)).ravel()]
    if rank is None:
        return tuple(sorted(axes)) if all(a >= 0 for a in axes) else None
    out = set()
    for a in axes:
        if not -rank <= a < rank:
            raise ValueError(f"Invalid reduction dimension {a} for input with {rank} "
                             f"dimensions. Fix: use an axis in [{-rank}, {rank}).")
        out.add(a % rank)
    return tuple(sorted(out))


def unary_spec(op_type: str, x: Spec, allowed=FLOATS, arg="x") -> Spec:
    """Spec of an elementwise unary op: the input's dtype (one of `allowed`) and shape."""
    check_dtype_in(op_type, x, allowed, arg)
    return Spec(x.dtype, x.shape)


def passes_input_through(inputs, output, attrs):
    """`forwards_input` of ops that are the identity on their first input (Identity)."""
    return 0


def same_shape_passthrough(inputs, output, attrs):
    """`forwards_input` of shape ops (Reshape, BroadcastTo): identity when nothing changes."""
    x = inputs[0]
    if x.shape.is_fully_defined() and x.shape == output.shape and x.dtype == output.dtype:
        return 0
    return None


_backprop = threading.local()


@contextlib.contextmanager
def gradient_targets(between, xs):
    """While tf.gradients builds, record which tensors need a gradient (see wants_gradient)."""
    old = getattr(_backprop, "targets", None)
    _backprop.targets = (between, xs)
    try:
        yield
    finally:
        _backprop.targets = old


def wants_gradient(t) -> bool:
    """Does the gradient currently being built need a gradient for input tensor `t`?

    Gradient functions use it to skip building ops for inputs no x depends on (constants,
    data), which tf.gradients would discard anyway. True outside tf.gradients.
    """
    targets = getattr(_backprop, "targets", None)
    if targets is None:
        return True
    between, xs = targets
    return t in xs or t._op in between
