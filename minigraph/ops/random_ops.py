"""Random ops and TF1's graph-level/op-level seed rules.

Lives here: the sampling primitives (RandomStandardNormal, TruncatedNormal, RandomUniform,
RandomUniformInt, RandomShuffle), their public builders random_normal, truncated_normal,
random_uniform, random_shuffle, and `set_random_seed` / `get_seed` (TF1's seed rules,
docs/tf1_compat.md).
Kernels draw from `ctx.rng(op)`, the session's stream for that op; there is no global RNG.
TF1 note: numbers come from numpy's PCG64, not Philox; only the determinism rules match TF.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.errors import InvalidArgumentError
from ..framework.graph import get_default_graph, name_scope
from ..framework.tensor import Spec, Tensor
from ..framework.registry import OpDef, no_gradient, register_op
from ..framework.shapes import TensorShape
from .common import FLOATS, check_dtype_in
from .constant_op import convert_to_tensor
from . import math_ops

__all__ = ["random_normal", "truncated_normal", "random_uniform", "random_shuffle",
           "set_random_seed", "get_seed"]

DEFAULT_GRAPH_SEED = 87654321
MAX_SEED = 2**31 - 1


# -- seeds ---------------------------------------------------------------------------------
def set_random_seed(seed: int | None) -> None:
    """Set the graph-level seed of the default graph; ops created afterwards use it.

    Example: `tf.set_random_seed(42); r = tf.random_uniform([2])` -> same values per session.
    """
    get_default_graph().seed = seed


def get_seed(op_seed: int | None) -> tuple:
    """Return the (seed, seed2) pair a random op created now should use (TF1's rules).

    (None, None) means "nondeterministic"; the op then stores seed = seed2 = 0. With a graph
    seed but no op seed, the op seed is the number of seedless random ops made before.
    TF1 note: TF 1.x derives that op seed from its op counter (adding any op shifts it);
    minigraph counts seedless random ops only, as TF 2.x's compat mode does.
    """
    graph = get_default_graph()
    if graph.seed is not None:
        if op_seed is None:
            op_seed = graph.seedless_random_ops
            graph.seedless_random_ops += 1
        seeds = (int(graph.seed) % MAX_SEED, int(op_seed) % MAX_SEED)
    elif op_seed is not None:
        seeds = (DEFAULT_GRAPH_SEED, int(op_seed) % MAX_SEED)
    else:
        return None, None
    # (0, 0) would mean "nondeterministic" to the kernel, so TF moves it.
    return (0, MAX_SEED) if seeds == (0, 0) else seeds


def seed_attrs(seed: int | None) -> dict:
    """The `seed`/`seed2` attributes of a new random op (0, 0 when nondeterministic)."""
    seed1, seed2 = get_seed(seed)
    return {"seed": seed1 or 0, "seed2": seed2 or 0}


# -- shared inference ----------------------------------------------------------------------
def shape_tensor(shape) -> Tensor:
    """Convert a shape argument (list, TensorShape or int tensor) to an int tensor `shape`."""
    if isinstance(shape, TensorShape):
        shape = shape.as_list()
    t = convert_to_tensor(shape, dtype=None if isinstance(shape, Tensor) else _dtypes.int32,
                          name="shape")
    if t.dtype.base_dtype not in (_dtypes.int32, _dtypes.int64):
        raise TypeError(f"A shape must be an int32 or int64 tensor, got {t.dtype.name} "
                        f"('{t.name}'). Fix: tf.cast it to tf.int32.")
    return t


def output_shape(op_type: str, shape: Spec) -> TensorShape:
    """The static output shape of an op whose `shape` input is a 1-D int tensor."""
    if shape.shape.ndims is not None and shape.shape.ndims != 1:
        raise ValueError(f"The shape argument of {op_type} must be 1-D, got shape "
                         f"{shape.shape}. Fix: pass a list such as [2, 3].")
    if shape.value is not None:
        dims = [int(d) for d in np.ravel(shape.value)]
        if any(d < 0 for d in dims):
            raise ValueError(f"{op_type} needs non-negative dimensions, got {dims}.")
        return TensorShape(dims)
    n = shape.shape.known[0] if shape.shape.ndims == 1 else None
    return TensorShape(None if n is None else [None] * n)


def random_float_spec(op_type: str, shape: Spec, dtype) -> Spec:
    """Spec of a float sampling op: static shape from the shape input, a float dtype."""
    check_dtype_in(op_type, Spec(dtype, []), FLOATS, arg="dtype")
    return Spec(dtype, output_shape(op_type, shape))


# -- primitives ----------------------------------------------------------------------------
class _RandomFloat(OpDef):
    """Shared part of the float sampling blocks: a shape input, a per-session stream."""

    inputs = ("shape",)
    input_types = ("int32",)
    uses_context = True
    stateful = True

    @classmethod
    def infer(cls, shape, *, dtype, seed, seed2):
        return random_float_spec(cls.op_type, shape, dtype)

    gradient = staticmethod(no_gradient)


@register_op("RandomStandardNormal")
class RandomStandardNormal(_RandomFloat):
    """Samples of N(0, 1) with the given shape."""

    @staticmethod
    def compute(ctx, op, shape, *, dtype, seed, seed2):
        return ctx.rng(op).standard_normal(np.ravel(shape)).astype(dtype.as_numpy_dtype)


@register_op("TruncatedNormal")
class TruncatedNormal(_RandomFloat):
    """Samples of N(0, 1) restricted to [-2, 2): values outside are drawn again."""

    @staticmethod
    def compute(ctx, op, shape, *, dtype, seed, seed2):
        rng = ctx.rng(op)
        out = rng.standard_normal(np.ravel(shape))
        outside = np.abs(out) >= 2.0
        while outside.any():  # about 4.6% of draws land outside; a few rounds suffice
            out[outside] = rng.standard_normal(int(outside.sum()))
            outside = np.abs(out) >= 2.0
        return out.astype(dtype.as_numpy_dtype)


@register_op("RandomUniform")
class RandomUniform(_RandomFloat):
    """Samples of the uniform distribution on [0, 1)."""

    @staticmethod
    def compute(ctx, op, shape, *, dtype, seed, seed2):
        out = ctx.rng(op).random(np.ravel(shape)).astype(dtype.as_numpy_dtype)
        # Rounding to float16/32 can turn 0.99999999 into 1.0; keep the interval half-open.
        return np.minimum(out, np.nextafter(dtype.as_numpy_dtype(1), 0))


@register_op("RandomUniformInt")
class RandomUniformInt(OpDef):
    """Uniform integers in [minval, maxval) with the given shape."""

    inputs = ("shape", "minval", "maxval")
    input_types = ("int32", "Tout", "Tout")
    uses_context = True
    stateful = True

    @staticmethod
    def infer(shape, minval, maxval, *, seed, seed2):
        check_dtype_in("RandomUniformInt", minval, ("int32", "int64"), arg="minval")
        if maxval.dtype != minval.dtype:
            raise TypeError(f"minval ({minval.dtype.name}) and maxval ({maxval.dtype.name}) "
                            "of RandomUniformInt must share a dtype.")
        for arg, spec in (("minval", minval), ("maxval", maxval)):
            if spec.shape.ndims not in (None, 0):
                raise ValueError(f"{arg} must be a scalar, got shape {spec.shape}.")
        return Spec(minval.dtype, output_shape("RandomUniformInt", shape))

    @staticmethod
    def compute(ctx, op, shape, minval, maxval, *, seed, seed2):
        if minval >= maxval:
            raise InvalidArgumentError(None, None, f"Need minval < maxval: {minval} >= "
                                       f"{maxval}. Fix: pass a maxval above minval.")
        return ctx.rng(op).integers(minval, maxval, size=np.ravel(shape), dtype=minval.dtype)

    gradient = staticmethod(no_gradient)


@register_op("RandomShuffle")
class RandomShuffle(OpDef):
    """The input with its first dimension randomly permuted."""

    inputs = ("value",)
    uses_context = True
    stateful = True

    @staticmethod
    def infer(value, *, seed, seed2):
        return Spec(value.dtype, value.shape)

    @staticmethod
    def compute(ctx, op, value, *, seed, seed2):
        return value[ctx.rng(op).permutation(len(value))] if value.ndim else value.copy()

    gradient = staticmethod(no_gradient)


# -- public builders -----------------------------------------------------------------------
def random_normal(shape, mean=0.0, stddev=1.0, dtype=_dtypes.float32, seed=None,
                  name=None) -> Tensor:
    """Samples of N(mean, stddev^2), built as RandomStandardNormal * stddev + mean.

    Example: `tf.random_normal([2, 3], stddev=0.1, seed=1)`.
    """
    return scaled_sample(RandomStandardNormal, shape, mean, stddev, dtype, seed, name,
                         "random_normal", ("mean", "stddev"))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=_dtypes.float32, seed=None,
                     name=None) -> Tensor:
    """Normal samples redrawn until within mean +- 2 stddev (actual std about 0.88 stddev).

    Example: `tf.truncated_normal([784, 10], stddev=0.1)`.
    """
    return scaled_sample(TruncatedNormal, shape, mean, stddev, dtype, seed, name,
                         "truncated_normal", ("mean", "stddev"))


def random_uniform(shape, minval=0, maxval=None, dtype=_dtypes.float32, seed=None,
                   name=None) -> Tensor:
    """Uniform samples in [minval, maxval); maxval defaults to 1 for floats.

    Raises ValueError for an integer dtype without maxval.
    Example: `tf.random_uniform([2], -1.0, 1.0, seed=3)`; `tf.random_uniform([], 0, 10, tf.int32)`.
    """
    dtype = _dtypes.as_dtype(dtype)
    if dtype.is_integer:
        if maxval is None:
            raise ValueError(f"Must specify maxval for integer dtype {dtype!r}")
        with name_scope(name, "random_uniform", [shape, minval, maxval]) as scope:
            shape_t = shape_tensor(shape)
            low = convert_to_tensor(minval, dtype, name="min")
            high = convert_to_tensor(maxval, dtype, name="max")
            return RandomUniformInt.apply([shape_t, low, high], name=scope,
                                          **seed_attrs(seed))
    if maxval is None:
        maxval = 1
    return scaled_sample(RandomUniform, shape, minval, maxval, dtype, seed, name,
                         "random_uniform", ("min", "max"))


def scaled_sample(op_def, shape, first, second, dtype, seed, name, default_name, arg_names):
    """Build `op_def` samples, then `* stddev + mean` (normal) or `* (max - min) + min`."""
    dtype = _dtypes.as_dtype(dtype)
    with name_scope(name, default_name, [shape, first, second]) as scope:
        shape_t = shape_tensor(shape)
        a = convert_to_tensor(first, dtype, name=arg_names[0])
        b = convert_to_tensor(second, dtype, name=arg_names[1])
        sample = op_def.apply([shape_t], dtype=dtype, **seed_attrs(seed))
        scale = b - a if op_def is RandomUniform else b
        return math_ops.add(sample * scale, a, name=scope)


def random_shuffle(value, seed=None, name=None) -> Tensor:
    """Randomly permute `value` along its first dimension.

    Example: `tf.random_shuffle([1, 2, 3], seed=4)` -> a permutation such as [3, 1, 2].
    """
    return RandomShuffle.apply([value], name=name, **seed_attrs(seed))
