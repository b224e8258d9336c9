"""Numpy kernels shared by the convolution and pooling ops: window geometry, im2col, col2im.

Lives here: `Window` (the 2-D geometry of a sliding window: sizes, strides, dilations, padding
and output size, worked out once from an op's attributes), the attribute helpers that read
TF's 4-element `strides`/`ksize`/`dilations` lists in either data format, and the numpy
building blocks: `im2col` (every window copied into one matrix row, so a convolution is a
single BLAS matmul), `col2im` and `scatter_taps` (its adjoint), `taps` (the strided view of
the input under one window position), and the two convolution kernels built from them,
`conv_nhwc` and `conv_input_grad_nhwc`. Every kernel works on NHWC arrays; NCHW callers
transpose views.
No op is registered here and nothing here builds graph ops.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["Window", "output_size", "spatial", "to_nhwc", "from_nhwc", "pad_nhwc", "taps",
           "im2col", "col2im", "scatter_taps", "conv_nhwc", "conv_input_grad_nhwc"]


def output_size(size, k, stride, dilation, padding, pads=(0, 0)):
    """Output length and (before, after) padding of one spatial axis, as TF computes them.

    VALID: ceil((size - effective_k + 1) / stride); SAME: ceil(size / stride), padded
    evenly with the odd element after; EXPLICIT: the given pads, then VALID. Returns
    (None, None) when `size` is unknown and raises ValueError when the window does not fit.
    """
    effective = (k - 1) * dilation + 1
    if size is None:
        return None, None
    if padding == "SAME":
        out = -(-size // stride)
        total = max((out - 1) * stride + effective - size, 0)
        return out, (total // 2, total - total // 2)
    padded = size + pads[0] + pads[1]
    if padded < effective:
        raise ValueError(f"Negative dimension size caused by subtracting {effective} from "
                         f"{padded}: the window (size {k}, dilation {dilation}) is larger than "
                         f"the {'padded ' if padding == 'EXPLICIT' else ''}input. Fix: use "
                         "padding='SAME', a smaller window, or a larger input.")
    return (padded - effective) // stride + 1, tuple(pads)


def spatial(values, data_format: str) -> tuple:
    """The (height, width) entries of a 4-element attribute list in `data_format` order."""
    return (values[1], values[2]) if data_format == "NHWC" else (values[2], values[3])


def to_nhwc(x: np.ndarray, data_format: str) -> np.ndarray:
    return x if data_format == "NHWC" else x.transpose(0, 2, 3, 1)


def from_nhwc(x: np.ndarray, data_format: str) -> np.ndarray:
    return x if data_format == "NHWC" else x.transpose(0, 3, 1, 2)


@dataclass(frozen=True)
class Window:
    """Geometry of a 2-D sliding window over an NHWC input of spatial size (h, w)."""

    size: tuple        # (kh, kw)
    strides: tuple     # (sh, sw)
    dilations: tuple   # (dh, dw)
    pads: tuple        # ((top, bottom), (left, right))
    out: tuple         # (out_h, out_w)

    @classmethod
    def from_attrs(cls, hw, size, strides, dilations=(1, 1), padding="VALID",
                   explicit=((0, 0), (0, 0))) -> Window:
        """Work out pads and output size; `explicit` pads are used when padding='EXPLICIT'."""
        rows = output_size(hw[0], size[0], strides[0], dilations[0], padding, explicit[0])
        cols = output_size(hw[1], size[1], strides[1], dilations[1], padding, explicit[1])
        return cls(tuple(size), tuple(strides), tuple(dilations), (rows[1], cols[1]),
                   (rows[0], cols[0]))

    @property
    def padded(self) -> bool:
        return any(self.pads[0]) or any(self.pads[1])

    def tap_slices(self, i: int, j: int) -> tuple:
        """Index of the input positions that window tap (i, j) reads, over every output."""
        (sh, sw), (dh, dw), (oh, ow) = self.strides, self.dilations, self.out
        return (slice(None), slice(i * dh, i * dh + (oh - 1) * sh + 1, sh),
                slice(j * dw, j * dw + (ow - 1) * sw + 1, sw), slice(None))


def pad_nhwc(x: np.ndarray, window: Window, value=0) -> np.ndarray:
    """`x` padded on its spatial axes as the window says (returned as is when unpadded)."""
    if not window.padded:
        return x
    return np.pad(x, ((0, 0), window.pads[0], window.pads[1], (0, 0)), constant_values=value)


def taps(padded: np.ndarray, window: Window):
    """Yield (i, j, view): the input values under window tap (i, j) for every output position.

    Each view has shape [N, out_h, out_w, C]; pooling kernels combine them with one numpy
    call per tap, so the Python loop runs over the kh * kw taps, never over pixels.
    """
    for i in range(window.size[0]):
        for j in range(window.size[1]):
            yield i, j, padded[window.tap_slices(i, j)]


def im2col(padded: np.ndarray, window: Window) -> np.ndarray:
    """Copy every window into a row: shape [N, out_h, out_w, kh, kw, C], C-contiguous.

    Reshaped to [N * out_h * out_w, kh * kw * C] it multiplies a filter reshaped to
    [kh * kw * C, out_channels] in one BLAS call.
    """
    n, c = padded.shape[0], padded.shape[3]
    (kh, kw), (oh, ow) = window.size, window.out
    if c >= 8:
        # Wide channels: one strided copy of the sliding-window view is fastest.
        (sh, sw), (dh, dw) = window.strides, window.dilations
        view = sliding_window_view(padded, ((kh - 1) * dh + 1, (kw - 1) * dw + 1), axis=(1, 2))
        view = view[:, :(oh - 1) * sh + 1:sh, :(ow - 1) * sw + 1:sw, :, ::dh, ::dw]
        return np.ascontiguousarray(view.transpose(0, 1, 2, 4, 5, 3))
    # Few channels (a first layer on images): the 6-D copy's inner loop would be 1-3
    # elements long, so copying one tap at a time is about 3x faster.
    cols = np.empty((n, oh, ow, kh, kw, c), padded.dtype)
    for i, j, view in taps(padded, window):
        cols[:, :, :, i, j, :] = view
    return cols


def scatter_taps(values_by_tap, shape, window: Window, dtype) -> np.ndarray:
    """Sum per-tap [N, out_h, out_w, C] values back onto an NHWC input of `shape`.

    `values_by_tap` yields (i, j, values); the adjoint of reading `taps`.
    """
    (top, bottom), (left, right) = window.pads
    n, h, w, c = shape
    padded = np.zeros((n, h + top + bottom, w + left + right, c), dtype)
    for i, j, values in values_by_tap:
        padded[window.tap_slices(i, j)] += values
    return padded[:, top:top + h, left:left + w, :]


def col2im(cols: np.ndarray, window: Window, in_hw: tuple) -> np.ndarray:
    """The adjoint of im2col: sum each row's entries back onto the [N, H, W, C] input."""
    by_tap = ((i, j, cols[:, :, :, i, j, :]) for i in range(window.size[0])
              for j in range(window.size[1]))
    return scatter_taps(by_tap, (cols.shape[0],) + tuple(in_hw) + (cols.shape[5],), window,
                        cols.dtype)


def conv_nhwc(x: np.ndarray, f: np.ndarray, window: Window) -> np.ndarray:
    """Convolution (cross-correlation) of NHWC `x` with a [kh, kw, in, out] filter."""
    cols = im2col(pad_nhwc(x, window), window)
    out = cols.reshape(-1, f[..., 0].size) @ f.reshape(-1, f.shape[3])
    return out.reshape(cols.shape[:3] + (f.shape[3],))


def conv_input_grad_nhwc(dy: np.ndarray, f: np.ndarray, window: Window,
                         in_hw: tuple) -> np.ndarray:
    """The gradient of conv_nhwc for its input, from the output gradient `dy`.

    With stride 1 it is itself a convolution: dy padded by (effective size - 1 - pad) on each
    side, correlated with the filter flipped in space and with in/out channels swapped (one
    im2col and one matmul, measured about 25% faster). Otherwise (or when a pad exceeds the
    window) each row of dy @ filter^T is summed back onto the input with col2im.
    """
    (kh, kw), (dh, dw) = window.size, window.dilations
    effective = ((kh - 1) * dh + 1, (kw - 1) * dw + 1)
    pads = tuple((e - 1 - a, e - 1 - b) for e, (a, b) in zip(effective, window.pads))
    if window.strides == (1, 1) and min(min(p) for p in pads) >= 0:
        back = Window(window.size, (1, 1), window.dilations, pads, tuple(in_hw))
        flipped = np.ascontiguousarray(f[::-1, ::-1].transpose(0, 1, 3, 2))
        return conv_nhwc(dy, flipped, back)
    cols = dy.reshape(-1, f.shape[3]) @ f.reshape(-1, f.shape[3]).T
    return col2im(cols.reshape(dy.shape[:3] + f.shape[:3]), window, in_hw)
