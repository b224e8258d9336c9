"""Variable initializers: the TF1 v1 classes, called as init(shape, dtype, partition_info).

Lives here: the `Initializer` base and zeros/ones/constant, the random initializers and the
variance-scaling family (glorot). Each call builds graph ops (constants, fills, random ops)
that produce the initial value; `tf.get_variable` and `tf.layers` call them. Variables
themselves live in variables.py; `tf.initializers` (api/initializers.py) re-exports these
under TF's short names.
"""

from __future__ import annotations

import math

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.shapes import as_shape
from . import array_ops, constant_op, random_ops

__all__ = ["zeros_initializer", "ones_initializer", "constant_initializer",
           "random_normal_initializer", "truncated_normal_initializer",
           "random_uniform_initializer", "glorot_uniform_initializer",
           "glorot_normal_initializer", "variance_scaling_initializer"]


class Initializer:
    """Base class: an initializer builds graph ops producing a value of a given shape."""

    dtype = _dtypes.float32

    def _dtype(self, dtype):
        return _dtypes.as_dtype(dtype if dtype is not None else self.dtype)

    def get_config(self) -> dict:
        return {k: v for k, v in vars(self).items()}


class zeros_initializer(Initializer):  # noqa: N801 - TF's class name
    """Initializer producing zeros."""

    def __init__(self, dtype=_dtypes.float32):
        self.dtype = _dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return array_ops.zeros(shape, self._dtype(dtype))


class ones_initializer(Initializer):  # noqa: N801
    """Initializer producing ones."""

    def __init__(self, dtype=_dtypes.float32):
        self.dtype = _dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return array_ops.ones(shape, self._dtype(dtype))


class constant_initializer(Initializer):  # noqa: N801
    """Initializer producing `value` (a scalar, or a list padded with its last element)."""

    def __init__(self, value=0, dtype=_dtypes.float32, verify_shape=False):
        self.value, self.dtype, self.verify_shape = value, _dtypes.as_dtype(dtype), verify_shape

    def __call__(self, shape, dtype=None, partition_info=None):
        return constant_op.constant(self.value, self._dtype(dtype), shape=shape,
                                    verify_shape=self.verify_shape)


class random_normal_initializer(Initializer):  # noqa: N801
    """Initializer drawing from N(mean, stddev^2)."""

    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=_dtypes.float32):
        self.mean, self.stddev, self.seed = mean, stddev, seed
        self.dtype = _dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return random_ops.random_normal(shape, self.mean, self.stddev, self._dtype(dtype),
                                        seed=self.seed)


class truncated_normal_initializer(random_normal_initializer):  # noqa: N801
    """Initializer drawing from a normal truncated at two standard deviations."""

    def __call__(self, shape, dtype=None, partition_info=None):
        return random_ops.truncated_normal(shape, self.mean, self.stddev, self._dtype(dtype),
                                seed=self.seed)


class random_uniform_initializer(Initializer):  # noqa: N801
    """Initializer drawing from U[minval, maxval)."""

    def __init__(self, minval=0.0, maxval=None, seed=None, dtype=_dtypes.float32):
        self.minval, self.maxval, self.seed = minval, maxval, seed
        self.dtype = _dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return random_ops.random_uniform(shape, self.minval, self.maxval, self._dtype(dtype),
                              seed=self.seed)


def _compute_fans(shape):
    shape = list(shape)
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = int(np.prod(shape[:-2]))
    return shape[-2] * receptive, shape[-1] * receptive


class variance_scaling_initializer(Initializer):  # noqa: N801
    """Initializer scaled to the fan-in/fan-out of the shape (TF1's formulas)."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 dtype=_dtypes.float32):
        if scale <= 0.0:
            raise ValueError(f"`scale` must be a positive float, got {scale}.")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"Invalid `mode` argument: {mode!r}; use fan_in, fan_out or "
                             "fan_avg.")
        if distribution not in ("normal", "truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(f"Invalid `distribution` argument: {distribution!r}.")
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed
        self.dtype = _dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dims = as_shape(shape).as_list()
        fan_in, fan_out = _compute_fans(dims)
        n = {"fan_in": max(1.0, fan_in), "fan_out": max(1.0, fan_out),
             "fan_avg": max(1.0, (fan_in + fan_out) / 2.0)}[self.mode]
        dtype = self._dtype(dtype)
        if self.distribution in ("normal", "truncated_normal"):
            stddev = math.sqrt(self.scale / n) / 0.87962566103423978
            return random_ops.truncated_normal(dims, 0.0, stddev, dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random_ops.random_normal(dims, 0.0, math.sqrt(self.scale / n), dtype,
                                            seed=self.seed)
        limit = math.sqrt(3.0 * self.scale / n)
        return random_ops.random_uniform(dims, -limit, limit, dtype, seed=self.seed)


class glorot_uniform_initializer(variance_scaling_initializer):  # noqa: N801
    """Xavier uniform: U[-L, L), L = sqrt(6 / (fan_in + fan_out)); get_variable's default."""

    def __init__(self, seed=None, dtype=_dtypes.float32):
        super().__init__(1.0, "fan_avg", "uniform", seed, dtype)


class glorot_normal_initializer(variance_scaling_initializer):  # noqa: N801
    """Xavier normal (truncated): stddev = sqrt(2 / (fan_in + fan_out)) / 0.8796..."""

    def __init__(self, seed=None, dtype=_dtypes.float32):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed, dtype)
