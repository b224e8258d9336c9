"""Local response normalisation (the CIFAR-10 tutorial's `tf.nn.lrn`): LRN and LRNGrad.

Lives here: the LRN block, its gradient op LRNGrad (which, as in TF, has no gradient of its
own) and the public local_response_normalization / lrn. Batch normalisation lives
elsewhere (nn_impl.py and the batch-norm ops).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..framework.tensor import Spec, Tensor
from ..framework.registry import OpDef, register_op
from .common import FLOATS, check_dtype_in, check_same_dtype
from .conv_ops import check_rank4

__all__ = ["local_response_normalization", "lrn"]


def channel_window_sum(x: np.ndarray, radius: int) -> np.ndarray:
    """Sum over channels d - radius .. d + radius (clipped at the ends) for every channel d."""
    padded = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(radius, radius)])
    return sliding_window_view(padded, 2 * radius + 1, axis=-1).sum(axis=-1)


def lrn_norm(x: np.ndarray, depth_radius, bias, alpha) -> np.ndarray:
    """bias + alpha * (sum of squares over the channel window)."""
    return x.dtype.type(bias) + x.dtype.type(alpha) * channel_window_sum(x * x, depth_radius)


@register_op("LRN")
class LRN(OpDef):
    """x / (bias + alpha * sum of x^2 over 2 * depth_radius + 1 neighbouring channels) ** beta."""

    inputs = ("input",)

    @staticmethod
    def infer(x, *, depth_radius, bias, alpha, beta):
        check_dtype_in("LRN", x, FLOATS, arg="input")
        check_rank4("LRN", x, "input")
        return Spec(x.dtype, x.shape)

    @staticmethod
    def compute(x, *, depth_radius, bias, alpha, beta):
        norm = lrn_norm(x, depth_radius, bias, alpha)
        return (x * norm ** x.dtype.type(-beta)).astype(x.dtype)

    @staticmethod
    def gradient(op, grad):
        return [LRNGrad.apply([grad, op.inputs[0], op.outputs[0]], **op.attrs)]


def local_response_normalization(input, depth_radius=5, bias=1.0, alpha=1.0,  # noqa: A002
                                 beta=0.5, name=None) -> Tensor:
    """Normalise each channel by the squared activity of its neighbouring channels.

    TF1 note: TF's kernel accepts float16/bfloat16/float32; minigraph also runs float64.
    Example: `tf.nn.lrn(conv, 4, bias=1.0, alpha=0.001 / 9.0, beta=0.75)` (CIFAR-10).
    """
    if int(depth_radius) < 0:
        raise ValueError(f"depth_radius must be >= 0, got {depth_radius}.")
    return LRN.apply([input], name=name, depth_radius=int(depth_radius), bias=float(bias),
                     alpha=float(alpha), beta=float(beta))


lrn = local_response_normalization


@register_op("LRNGrad")
class LRNGrad(OpDef):
    """The gradient of LRN: g * N^-beta - 2 alpha beta x * window_sum(g * y / N).

    N is LRN's denominator base; the window sum is symmetric, so the same channel window
    gathers every output that an input channel contributed to. TF defines no gradient for
    LRNGrad, so none is defined here either.
    """

    inputs = ("input_grads", "input_image", "output_image")

    @staticmethod
    def infer(g, x, y, *, depth_radius, bias, alpha, beta):
        check_same_dtype("LRNGrad", [g, x, y], ("input_grads", "input_image", "output_image"))
        if not g.shape.is_compatible_with(x.shape):
            raise ValueError(f"input_grads {g.shape} must match input_image {x.shape}.")
        return Spec(x.dtype, x.shape.merge_with(g.shape))

    @staticmethod
    def compute(g, x, y, *, depth_radius, bias, alpha, beta):
        t = x.dtype.type
        norm = lrn_norm(x, depth_radius, bias, alpha)
        spread = channel_window_sum(g * y / norm, depth_radius)
        return (g * norm ** t(-beta) - t(2 * alpha * beta) * x * spread).astype(x.dtype)
