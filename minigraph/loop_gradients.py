"""The gradient of a While op: a second loop that runs the body's gradient backwards.

Lives here: `while_gradient`, called by the backward pass (gradients.py) for a While op.
As in TF1, the gradient loop runs once per forward iteration, last iteration first. Its
body is the body's gradient built by `gradients` itself; any forward value that gradient
reads is saved by the forward loop at every iteration and read back at the matching one
(framework/graph.py substitutes those reads, ops/while_loop.py builds them). Gradients for
tensors the body captured from outside are summed over the iterations in extra loop
variables; gradients for sliced inputs are stacked back into rows.
"""

from __future__ import annotations

from .framework.tensor import Tensor
from .gradients import gradients
from .ops import array_ops
from .ops.common import wants_gradient
from .ops.while_loop import LOOP_GRADIENT, build_loop

__all__ = ["while_gradient"]


def _differentiable(t: Tensor) -> bool:
    d = t.dtype.base_dtype
    return d.is_floating or d.is_complex


def _zeros_for(t: Tensor, like: Tensor | None = None) -> Tensor:
    """Zeros shaped like forward tensor `t` (from `like` when its static shape equals t's)."""
    if like is not None and t.shape.is_fully_defined() and like.shape == t.shape:
        return array_ops.zeros_like(like)
    return array_ops.zeros_like(t)


def _check_first_order(op, frame):
    if frame.forward is not None:  # TF1 refuses it with this TypeError too
        raise TypeError(f"Second-order gradient for while loops not supported (while "
                        f"differentiating the gradient loop '{op.name}'). Fix: differentiate "
                        "the loop once, or unroll it in Python (a for loop building ops).")


def while_gradient(op, grads) -> list:
    """Input gradients of While op `op` given the gradients of its outputs."""
    frame = op.attrs["frame"]
    if not op.attrs["back_prop"]:
        return [None] * len(op.inputs)
    _check_first_order(op, frame)
    n, n_cap = len(frame.loop_vars), len(frame.captures)
    first_sliced = n + n_cap
    var_idx = [i for i in range(n) if _differentiable(frame.loop_vars[i])]
    cap_idx = [j for j in range(n_cap) if _differentiable(frame.captures[j])
               and wants_gradient(op.inputs[n + j])]
    slice_idx = [k for k in range(len(frame.sliced)) if _differentiable(frame.sliced[k])
                 and wants_gradient(op.inputs[first_sliced + k])]
    stack_idx = [k for k in range(len(frame.stacked)) if _differentiable(frame.stacked[k])]
    outs = op.outputs
    g_vars = [grads[i] if grads[i] is not None else array_ops.zeros_like(outs[i])
              for i in var_idx]
    g_rows = [grads[n + k] if grads[n + k] is not None else array_ops.zeros_like(outs[n + k])
              for k in stack_idx]
    accs = [array_ops.zeros_like(op.inputs[n + j]) for j in cap_idx]
    ys = [frame.body_outputs[i] for i in var_idx] + [frame.stacked[k] for k in stack_idx]
    xs = ([frame.loop_vars[i] for i in var_idx] + [frame.captures[j] for j in cap_idx]
          + [frame.sliced[k] for k in slice_idx])
    nv = len(var_idx)

    def body(vars_, rows, iteration):
        gs = gradients(ys, xs, grad_ys=list(vars_[:nv]) + list(rows),
                       stop_gradients=[frame.captures[j] for j in cap_idx])
        g_loop = [g if g is not None else _zeros_for(frame.loop_vars[i], vars_[p])
                  for p, (i, g) in enumerate(zip(var_idx, gs[:nv]))]
        g_cap = [acc if g is None else acc + g
                 for acc, g in zip(vars_[nv:], gs[nv:nv + len(cap_idx)])]
        g_slices = [g if g is not None else _zeros_for(frame.sliced[k])
                    for k, g in zip(slice_idx, gs[nv + len(cap_idx):])]
        return g_loop + g_cap, g_slices

    init = g_vars + accs
    invariants = [frame.loop_vars[i].shape for i in var_idx] + [a.shape for a in accs]
    result = build_loop(init, invariants, lambda v, i: None, body, sliced=g_rows,
                        limit=outs[-2], reverse=not op.attrs["reverse"], forward=frame,
                        name=f"{frame.name.rsplit('/', 1)[-1]}_grad")
    in_grads = [None] * len(op.inputs)
    for p, i in enumerate(var_idx):
        in_grads[i] = result[p]
    for p, j in enumerate(cap_idx):
        in_grads[n + j] = result[nv + p]
    for p, k in enumerate(slice_idx):
        in_grads[first_sliced + k] = result[nv + len(cap_idx) + p]
    return in_grads


LOOP_GRADIENT["While"] = while_gradient
