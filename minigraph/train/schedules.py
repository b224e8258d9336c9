"""Learning-rate schedules of `tf.train`: plain functions of `global_step` built from primitives.

Each returns a scalar Tensor that re-reads the step on every `Session.run`. Shared helpers
hold the common pieces (argument checks, casts to the rate's dtype, staircase, cosine).
Warmup is not here (TF1 has none): see `minigraph.warmup`. Formulas:
docs/schedules.md.
"""

from __future__ import annotations

import math

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.errors import describe_caller
from ..framework.graph import name_scope
from ..framework.tensor import Tensor
from ..ops import array_ops, comparison_ops, constant_op, math_ops, random_ops, unary_ops
from ..ops.constant_op import constant, convert_to_tensor, get_static_value

__all__ = ["exponential_decay", "piecewise_constant", "polynomial_decay", "natural_exp_decay",
           "inverse_time_decay", "cosine_decay", "cosine_decay_restarts",
           "linear_cosine_decay", "noisy_linear_cosine_decay"]

TensorLike = object  # anything convertible to a Tensor: Tensor, Variable, number, array


# ---------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------
def _prepare(schedule: str, learning_rate, global_step) -> tuple[Tensor, Tensor]:
    """Check the common arguments; return (learning_rate tensor, step cast to its dtype)."""
    if global_step is None:
        raise ValueError(f"{schedule} requires a global_step: got None. Fix: pass the step "
                         "variable, e.g. tf.train.get_or_create_global_step(); called at "
                         f"{describe_caller()}.")
    rate = convert_to_tensor(learning_rate, name="learning_rate")
    if not rate.dtype.base_dtype.is_floating:
        raise TypeError(f"{schedule}: learning_rate must be a floating-point value, got "
                        f"{rate.dtype.base_dtype.name} ({learning_rate!r}). Fix: pass a "
                        f"float, e.g. 1.0 instead of 1; called at {describe_caller()}.")
    return rate, cast_argument(global_step, rate.dtype.base_dtype, "global_step")


def cast_argument(value, dtype: _dtypes.DType, name: str) -> Tensor:
    """Return a schedule argument in `dtype`: tensors are cast, Python numbers converted.

    Shared with minigraph.warmup; not part of the TF namespace.

    TF1 note: TF converts a Python float to float32 before casting, so 0.96 in a float64
    schedule becomes 0.9599999785; minigraph keeps the full float64 value.
    """
    if constant_op.is_graph_value(value):
        return math_ops.cast(value, dtype, name=name)
    return convert_to_tensor(value, dtype=dtype, name=name)


def _decay_exponent(step: Tensor, decay_steps: Tensor, staircase: bool) -> Tensor:
    """p = step / decay_steps, floored when `staircase` (float division, then floor)."""
    p = step / decay_steps
    return unary_ops.floor(p) if staircase else p


def _clamped(step: Tensor, decay_steps: Tensor) -> Tensor:
    """min(step, decay_steps): the cosine family and polynomial_decay stop at decay_steps."""
    return math_ops.minimum(step, decay_steps)


def _half_cosine(fraction: Tensor) -> Tensor:
    """0.5 * (1 + cos(pi * fraction)): 1 at fraction 0, 0 at fraction 1."""
    pi = constant(math.pi, dtype=fraction.dtype.base_dtype, name="pi")
    return 0.5 * (1.0 + unary_ops.cos(pi * fraction))


def _static_number(value):
    """The Python value of a number or constant scalar tensor, else None."""
    if constant_op.is_graph_value(value):
        known = get_static_value(convert_to_tensor(value))
        return None if known is None or np.ndim(known) else known.item()
    return value if np.ndim(value) == 0 else None


# ---------------------------------------------------------------------------------------
# Exponential-family schedules: p = step / decay_steps (floored with staircase)
# ---------------------------------------------------------------------------------------
def exponential_decay(learning_rate: TensorLike, global_step: TensorLike,
                      decay_steps: TensorLike, decay_rate: TensorLike, staircase: bool = False,
                      name: str | None = None) -> Tensor:
    """Return learning_rate * decay_rate ** (global_step / decay_steps).

    With `staircase=True` the exponent is floored, so the rate drops every `decay_steps`.
    The result has learning_rate's dtype (float32 for a Python float, float64 supported).

    Example:
        >>> import minigraph as tf
        >>> print(tf.Session().run(tf.train.exponential_decay(0.1, 5, 3, 0.5, staircase=True)))
        0.05
    """
    with name_scope(name or "ExponentialDecay"):
        rate, step = _prepare("exponential_decay", learning_rate, global_step)
        dtype = rate.dtype.base_dtype
        p = _decay_exponent(step, cast_argument(decay_steps, dtype, "decay_steps"), staircase)
        return rate * math_ops.pow_(cast_argument(decay_rate, dtype, "decay_rate"), p)


def natural_exp_decay(learning_rate: TensorLike, global_step: TensorLike,
                      decay_steps: TensorLike, decay_rate: TensorLike, staircase: bool = False,
                      name: str | None = None) -> Tensor:
    """Return learning_rate * exp(-decay_rate * global_step / decay_steps).

    Example:
        >>> import minigraph as tf
        >>> print(tf.Session().run(tf.train.natural_exp_decay(0.1, 5, 3, 0.5, staircase=True)))
        0.060653068
    """
    with name_scope(name or "NaturalExpDecay"):
        rate, step = _prepare("natural_exp_decay", learning_rate, global_step)
        dtype = rate.dtype.base_dtype
        p = _decay_exponent(step, cast_argument(decay_steps, dtype, "decay_steps"), staircase)
        return rate * unary_ops.exp(-cast_argument(decay_rate, dtype, "decay_rate") * p)


def inverse_time_decay(learning_rate: TensorLike, global_step: TensorLike,
                       decay_steps: TensorLike, decay_rate: TensorLike, staircase: bool = False,
                       name: str | None = None) -> Tensor:
    """Return learning_rate / (1 + decay_rate * global_step / decay_steps).

    Example:
        >>> import minigraph as tf
        >>> print(tf.Session().run(tf.train.inverse_time_decay(1.0, 7, 2, 1.0, staircase=True)))
        0.25
    """
    with name_scope(name or "InverseTimeDecay"):
        rate, step = _prepare("inverse_time_decay", learning_rate, global_step)
        dtype = rate.dtype.base_dtype
        p = _decay_exponent(step, cast_argument(decay_steps, dtype, "decay_steps"), staircase)
        return rate / (1.0 + cast_argument(decay_rate, dtype, "decay_rate") * p)


# ---------------------------------------------------------------------------------------
# Piecewise constant and polynomial
# ---------------------------------------------------------------------------------------
def _check_boundaries(x: Tensor, boundaries: list) -> list:
    """Convert the boundaries; int32 ones are promoted for an int64 x, other mismatches fail."""
    x_dtype = x.dtype.base_dtype
    checked, known = [], []
    for b in boundaries:
        b = convert_to_tensor(b, name="boundary")
        known.append(get_static_value(b))
        b_dtype = b.dtype.base_dtype
        if b_dtype == _dtypes.int32 and x_dtype == _dtypes.int64:
            b = math_ops.cast(b, _dtypes.int64)
        elif b_dtype != x_dtype:
            raise ValueError(f"piecewise_constant: boundaries ({b_dtype.name}) must have the "
                             f"same dtype as x ({x_dtype.name}). Fix: write the boundaries in "
                             f"x's dtype or tf.cast x.")
        checked.append(b)
    if all(k is not None for k in known) and any(  # a NaN boundary compares False: allowed
            lo >= hi for lo, hi in zip(known[:-1], known[1:], strict=True)):
        raise ValueError(f"piecewise_constant: boundaries must increase strictly, got "
                         f"{[k.item() for k in known]}. Fix: sort them and drop duplicates.")
    return checked


def piecewise_constant(x: TensorLike, boundaries: list, values: list,
                       name: str | None = None) -> Tensor:
    """Return values[i] where boundaries[i-1] < x <= boundaries[i] (values[0] / values[-1] outside).

    A boundary belongs to the interval on its left. The result has the values' dtype. When no
    interval holds (x or a boundary is NaN) the result is values[0], as in TF.

    Raises:
      ValueError: len(boundaries) != len(values) - 1, boundary dtype differing from x's
        (int32 boundaries are promoted for an int64 x), values of mixed dtypes, or constant
        boundaries that do not increase (NaN boundaries are accepted, as in TF).

    TF1 note: TF checks the order only at run time (InvalidArgumentError from its exclusive
    `case`); minigraph rejects unsorted constant boundaries while building, and an empty
    `boundaries` raises ValueError instead of TF's IndexError.

    Example:
        >>> import minigraph as tf
        >>> print(tf.Session().run(tf.train.piecewise_constant(3, [3, 7], [1.0, 0.5, 0.1])))
        1.0
    """
    if x is None:
        raise ValueError("piecewise_constant requires x (usually the global step): got None. "
                         "Fix: pass tf.train.get_or_create_global_step(); called at "
                         f"{describe_caller()}.")
    if len(boundaries) != len(values) - 1:
        raise ValueError(f"piecewise_constant: the length of boundaries should be 1 less than "
                         f"the length of values, got {len(boundaries)} boundaries and "
                         f"{len(values)} values. Fix: give one value per interval, i.e. "
                         f"len(values) == len(boundaries) + 1; called at {describe_caller()}.")
    if not boundaries:
        raise ValueError("piecewise_constant needs at least one boundary (and two values). "
                         "For a constant rate pass the value itself.")
    with name_scope(name or "PiecewiseConstant"):
        x = convert_to_tensor(x, name="x")
        bounds = _check_boundaries(x, list(boundaries))
        vals = [convert_to_tensor(v, name="value") for v in values]
        for v in vals[1:]:
            if v.dtype.base_dtype != vals[0].dtype.base_dtype:
                raise ValueError(f"piecewise_constant: values must all have the same dtype, "
                                 f"got {vals[0].dtype.base_dtype.name} (values[0]) and "
                                 f"{v.dtype.base_dtype.name}. Fix: write them all as floats.")
        # TF's cases: x <= b[0] -> values[0]; b[i-1] < x <= b[i] -> values[i]; x > b[-1] ->
        # values[-1]; and values[0] when no case holds (a NaN x or boundary).
        result = vals[0]
        for i in range(1, len(bounds)):
            inside = comparison_ops.logical_and(x > bounds[i - 1], x <= bounds[i])
            result = comparison_ops.where(inside, vals[i], result)
        return comparison_ops.where(x > bounds[-1], vals[-1], result)


def polynomial_decay(learning_rate: TensorLike, global_step: TensorLike,
                     decay_steps: TensorLike, end_learning_rate: TensorLike = 0.0001,
                     power: TensorLike = 1.0, cycle: bool = False,
                     name: str | None = None) -> Tensor:
    """Return (learning_rate - end) * (1 - s/D) ** power + end, s = min(step, D), D = decay_steps.

    With `cycle=True`, s = step and D = decay_steps * ceil(step / decay_steps) (1 at step 0),
    so the rate reaches `end_learning_rate` at each multiple of decay_steps and jumps back up.

    TF1 note: TF fails for a float64 learning_rate with cycle=True; minigraph supports it.

    Example:
        >>> import minigraph as tf
        >>> print(tf.Session().run(tf.train.polynomial_decay(0.1, 15, 10, 0.01, cycle=True)))
        0.0325
    """
    with name_scope(name or "PolynomialDecay"):
        rate, step = _prepare("polynomial_decay", learning_rate, global_step)
        dtype = rate.dtype.base_dtype
        decay_steps = cast_argument(decay_steps, dtype, "decay_steps")
        end = cast_argument(end_learning_rate, dtype, "end_learning_rate")
        power = cast_argument(power, dtype, "power")
        if cycle:
            # Step 0 would give ceil(0) = 0 and 0/0; TF forces the multiplier to 1 there.
            multiplier = comparison_ops.where(comparison_ops.equal(step, 0.0),
                                         array_ops.ones_like(step),
                                         unary_ops.ceil(step / decay_steps))
            decay_steps = decay_steps * multiplier
        else:
            step = _clamped(step, decay_steps)
        return (rate - end) * math_ops.pow_(1.0 - step / decay_steps, power) + end


# ---------------------------------------------------------------------------------------
# Cosine family
# ---------------------------------------------------------------------------------------
def cosine_decay(learning_rate: TensorLike, global_step: TensorLike, decay_steps: TensorLike,
                 alpha: TensorLike = 0.0, name: str | None = None) -> Tensor:
    """Return learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * s/d)) + alpha), s = min(step, d).

    TF1 note: TF fails for a float64 learning_rate (a float32 pi); minigraph supports it.

    Example:
        >>> import minigraph as tf
        >>> print(tf.Session().run(tf.train.cosine_decay(0.1, 20, 10, alpha=0.1)))
        0.010000001
    """
    with name_scope(name or "CosineDecay"):
        rate, step = _prepare("cosine_decay", learning_rate, global_step)
        dtype = rate.dtype.base_dtype
        decay_steps = cast_argument(decay_steps, dtype, "decay_steps")
        alpha = cast_argument(alpha, dtype, "alpha")
        cosine = _half_cosine(_clamped(step, decay_steps) / decay_steps)
        return rate * ((1.0 - alpha) * cosine + alpha)


def _restart_period(fraction: Tensor, t_mul: Tensor, geometric: bool) -> tuple[Tensor, Tensor]:
    """Split `fraction` (= step / first_decay_steps) into (period index i, fraction of period i).

    Period i is t_mul**i units long; with t_mul == 1 the periods all have length one.
    """
    if not geometric:
        index = unary_ops.floor(fraction)
        return index, fraction - index
    index = unary_ops.floor(unary_ops.log(1.0 - fraction * (1.0 - t_mul)) / unary_ops.log(t_mul))
    completed = (1.0 - math_ops.pow_(t_mul, index)) / (1.0 - t_mul)
    return index, (fraction - completed) / math_ops.pow_(t_mul, index)


def cosine_decay_restarts(learning_rate: TensorLike, global_step: TensorLike,
                          first_decay_steps: TensorLike, t_mul: TensorLike = 2.0,
                          m_mul: TensorLike = 1.0, alpha: TensorLike = 0.0,
                          name: str | None = None) -> Tensor:
    """Return learning_rate * ((1 - alpha) * m_mul**i * 0.5 * (1 + cos(pi * f)) + alpha).

    i is the restart period and f the fraction of it already done. Period i lasts
    first_decay_steps * t_mul**i steps (SGDR); each period starts again at
    learning_rate * ((1 - alpha) * m_mul**i + alpha). The schedule never ends.

    TF1 note: TF fails for a float64 learning_rate; minigraph supports it.

    Example:
        >>> import minigraph as tf
        >>> print(tf.Session().run(tf.train.cosine_decay_restarts(0.1, 10, 10)))
        0.1
    """
    with name_scope(name or "SGDRDecay"):
        rate, step = _prepare("cosine_decay_restarts", learning_rate, global_step)
        dtype = rate.dtype.base_dtype
        fraction = step / cast_argument(first_decay_steps, dtype, "first_decay_steps")
        t_mul_value = _static_number(t_mul)
        t_mul = cast_argument(t_mul, dtype, "t_mul")
        if t_mul_value is not None:
            index, fraction = _restart_period(fraction, t_mul, geometric=t_mul_value != 1)
        else:  # t_mul only known at run time: compute both and select
            flat_i, flat_f = _restart_period(fraction, t_mul, geometric=False)
            geo_i, geo_f = _restart_period(fraction, t_mul, geometric=True)
            is_flat = comparison_ops.equal(t_mul, 1.0)
            index = comparison_ops.where(is_flat, flat_i, geo_i)
            fraction = comparison_ops.where(is_flat, flat_f, geo_f)
        m_factor = math_ops.pow_(cast_argument(m_mul, dtype, "m_mul"), index)
        alpha = cast_argument(alpha, dtype, "alpha")
        cosine = m_factor * _half_cosine(fraction)
        return rate * ((1.0 - alpha) * cosine + alpha)


def _linear_cosine_parts(step, decay_steps, num_periods, dtype):
    """Shared by the two linear-cosine schedules: (clamped step, linear part, cosine part)."""
    clamped = _clamped(step, decay_steps)
    linear = (decay_steps - clamped) / decay_steps
    periods = cast_argument(num_periods, dtype, "num_periods")
    cosine = _half_cosine(2.0 * periods * (clamped / decay_steps))
    return clamped, linear, cosine


def linear_cosine_decay(learning_rate: TensorLike, global_step: TensorLike,
                        decay_steps: TensorLike, num_periods: TensorLike = 0.5,
                        alpha: TensorLike = 0.0, beta: TensorLike = 0.001,
                        name: str | None = None) -> Tensor:
    """Return learning_rate * ((alpha + (d-s)/d) * 0.5 * (1 + cos(2 pi num_periods s/d)) + beta).

    s = min(step, d) and d = decay_steps. At step 0 the rate is
    learning_rate * (1 + alpha + beta), slightly above learning_rate.

    TF1 note: TF fails for a float64 learning_rate; minigraph supports it.

    Example:
        >>> import minigraph as tf
        >>> print(tf.Session().run(tf.train.linear_cosine_decay(0.1, 0, 10)))
        0.1001
    """
    with name_scope(name or "LinearCosineDecay"):
        rate, step = _prepare("linear_cosine_decay", learning_rate, global_step)
        dtype = rate.dtype.base_dtype
        decay_steps = cast_argument(decay_steps, dtype, "decay_steps")
        _, linear, cosine = _linear_cosine_parts(step, decay_steps, num_periods, dtype)
        alpha, beta = cast_argument(alpha, dtype, "alpha"), cast_argument(beta, dtype, "beta")
        return rate * ((alpha + linear) * cosine + beta)


def noisy_linear_cosine_decay(learning_rate: TensorLike, global_step: TensorLike,
                              decay_steps: TensorLike, initial_variance: TensorLike = 1.0,
                              variance_decay: TensorLike = 0.55, num_periods: TensorLike = 0.5,
                              alpha: TensorLike = 0.0, beta: TensorLike = 0.001,
                              name: str | None = None) -> Tensor:
    """Return linear_cosine_decay with eps ~ N(0, var0 / (1 + s)**variance_decay) added to (d-s)/d.

    var0 is initial_variance and s = min(step, d). One scalar normal draw per `Session.run`,
    seeded only through the graph-level seed (tf.set_random_seed). With initial_variance=0
    it equals linear_cosine_decay; the result can be negative.

    TF1 note: TF fails for a float64 learning_rate; minigraph supports it.

    Example:
        >>> import minigraph as tf
        >>> print(tf.Session().run(tf.train.noisy_linear_cosine_decay(0.1, 5, 10, 0.0)))
        0.025099998
    """
    with name_scope(name or "NoisyLinearCosineDecay"):
        rate, step = _prepare("noisy_linear_cosine_decay", learning_rate, global_step)
        dtype = rate.dtype.base_dtype
        decay_steps = cast_argument(decay_steps, dtype, "decay_steps")
        clamped, linear, cosine = _linear_cosine_parts(step, decay_steps, num_periods, dtype)
        variance = cast_argument(initial_variance, dtype, "initial_variance") / math_ops.pow_(
            1.0 + clamped, cast_argument(variance_decay, dtype, "variance_decay"))
        noise = random_ops.random_normal([], dtype=dtype) * unary_ops.sqrt(variance)
        alpha, beta = cast_argument(alpha, dtype, "alpha"), cast_argument(beta, dtype, "beta")
        return rate * ((alpha + (linear + noise)) * cosine + beta)
