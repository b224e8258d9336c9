"""Linear learning-rate warmup in front of any schedule tensor (a minigraph-only helper).

TF1 has no warmup function: programs blend the rates with tensor arithmetic on the global
step. `linear_warmup` is that blend; `bert_learning_rate` is BERT's exact schedule
(polynomial decay to 0 after a linear warmup, docs/schedules.md). The schedules
themselves live in `minigraph.train.schedules`.
"""

from __future__ import annotations

from .framework import dtypes as _dtypes
from .framework.graph import name_scope
from .framework.tensor import Tensor
from .ops import comparison_ops, constant_op, math_ops
from .ops.constant_op import constant, convert_to_tensor
from .train.schedules import cast_argument, polynomial_decay

__all__ = ["linear_warmup", "bert_learning_rate"]

TensorLike = object  # anything convertible to a Tensor: Tensor, Variable, number, array


def _blend(learning_rate: Tensor, step: Tensor, num_warmup_steps: Tensor, init_lr) -> Tensor:
    """(1 - w) * learning_rate + w * init_lr * step / num_warmup_steps, w = float(step < warmup).

    `step` and `num_warmup_steps` share an integer (or float) dtype: the comparison happens
    there, as in BERT. The arithmetic is pure (no select): a NaN in `learning_rate` shows
    up even during warmup, exactly as in TF programs (0 * nan = nan).
    """
    dtype = learning_rate.dtype.base_dtype
    done = math_ops.cast(step, dtype) / math_ops.cast(num_warmup_steps, dtype)
    warmup_rate = cast_argument(init_lr, dtype, "init_lr") * done
    is_warmup = math_ops.cast(step < num_warmup_steps, dtype)
    return (1.0 - is_warmup) * learning_rate + is_warmup * warmup_rate


def linear_warmup(learning_rate: TensorLike, global_step: TensorLike,
                  num_warmup_steps: TensorLike, init_lr: TensorLike) -> Tensor:
    """Return init_lr * step / num_warmup_steps while step < num_warmup_steps, else learning_rate.

    `learning_rate` is any schedule tensor (or number); the result has its dtype. At step 0
    the rate is exactly 0. Both branches are always evaluated (the 2.1 blend), so a NaN in
    `learning_rate` appears during warmup too. `num_warmup_steps == 0` means no warmup: a
    Python 0 returns `learning_rate` unchanged, a tensor 0 selects it at run time (without
    the guard the blend would be 0 * nan = nan).

    Example:
        >>> import minigraph as tf, minigraph.warmup as mw
        >>> lr = mw.linear_warmup(tf.train.polynomial_decay(1e-3, 5, 100, 0.0), 5, 10, 1e-3)
        >>> print(tf.Session().run(lr))
        0.0005
    """
    if global_step is None:
        raise ValueError("linear_warmup requires a global_step: got None. Pass the step "
                         "variable, e.g. tf.train.get_or_create_global_step().")
    with name_scope("LinearWarmup"):
        rate = convert_to_tensor(learning_rate, name="learning_rate")
        if not rate.dtype.base_dtype.is_floating:
            raise TypeError(f"linear_warmup: learning_rate must be a floating-point tensor, "
                            f"got {rate.dtype.base_dtype.name}. Pass a float schedule.")
        step = convert_to_tensor(global_step, name="global_step")
        step_dtype = step.dtype.base_dtype
        if not constant_op.is_graph_value(num_warmup_steps):
            if num_warmup_steps < 0:
                raise ValueError(f"linear_warmup: num_warmup_steps must be >= 0, got "
                                 f"{num_warmup_steps}.")
            if num_warmup_steps == 0:
                return rate
        warmup = cast_argument(num_warmup_steps, step_dtype, "num_warmup_steps")
        blended = _blend(rate, step, warmup, init_lr)
        if constant_op.is_graph_value(num_warmup_steps):
            # A tensor can only be guarded at run time: where it is 0, select the schedule.
            return comparison_ops.where(warmup > 0, blended, rate)
        return blended


def bert_learning_rate(init_lr: float, global_step: TensorLike, num_train_steps: int,
                       num_warmup_steps: int) -> Tensor:
    """Return BERT's rate: init_lr * (1 - min(s, T)/T) linearly decayed, after a linear warmup.

    Reproduces google-research/bert `create_optimizer` exactly (float32; the step is cast to
    int32 for the warmup comparison). The decay is measured from step 0, not from the end of
    warmup, so the peak is init_lr * max((W-1)/W, 1 - W/T), never init_lr itself.

    Example:
        >>> import minigraph as tf, minigraph.warmup as mw
        >>> print(tf.Session().run(mw.bert_learning_rate(1e-3, 11, 100, 10)))
        0.00089
    """
    if global_step is None:
        raise ValueError("bert_learning_rate requires a global_step: got None. Pass "
                         "tf.train.get_or_create_global_step().")
    with name_scope("BertLearningRate"):
        rate = constant(init_lr, shape=[], dtype=_dtypes.float32, name="init_lr")
        rate = polynomial_decay(rate, global_step, num_train_steps, end_learning_rate=0.0,
                                power=1.0, cycle=False)
        if num_warmup_steps:
            step = math_ops.cast(global_step, _dtypes.int32)
            warmup = constant(num_warmup_steps, dtype=_dtypes.int32, name="num_warmup_steps")
            rate = _blend(rate, step, warmup, init_lr)
        return rate
