"""Summary ops: Scalar/Histogram/ImageSummary, MergeSummary and the `tf.summary` builders.

Lives here: the four ops (each kernel returns a serialized `Summary` protobuf as a string
scalar), TF1's tag rules (invalid characters -> "_", name-scope prefix, `family`), TF's default
histogram buckets, TF's mapping of float images to 8-bit pixels (the PNG encoder is png.py),
and a ~40-line protobuf encoder for the few Summary fields needed. The encoder is hand-written
so that summary ops run without the tensorboard extra; the tests check its bytes against
tensorboard's own protos. Writing event files lives in export/event_writer.py.
"""

from __future__ import annotations

import contextlib
import functools
import re
import struct
import sys

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.errors import InvalidArgumentError
from ..framework.graph import GraphKeys, get_collection, name_scope
from ..framework.tensor import Spec, Tensor
from ..framework.registry import OpDef, no_gradient, register_op
from ..framework.shapes import TensorShape
from .common import check_dtype_in
from .constant_op import constant, convert_to_tensor
from .png import encode_png

__all__ = ["scalar", "histogram", "image", "merge", "merge_all", "clean_tag"]


def _check_real(op_type: str, spec: Spec) -> None:
    dtype = spec.dtype.base_dtype
    if not (dtype.is_floating or dtype.is_integer or dtype.is_bool) or dtype.is_complex:
        raise TypeError(f"{op_type} needs real numeric values, got {dtype.name}. Fix: "
                        "tf.cast the tensor to float32 (or summarise its real part).")


@register_op("ScalarSummary")
class ScalarSummary(OpDef):
    """A Summary with one `simple_value` per element of `values`, tagged by the same element
    of `tags`."""

    inputs = ("tags", "values")
    input_types = ("string", "T")
    uses_context = True

    @staticmethod
    def infer(tags, values):
        _check_real("ScalarSummary", values)
        if not tags.shape.is_compatible_with(values.shape):
            raise ValueError(f"tags and values not the same shape: {tags.shape._bracket()} != "
                             f"{values.shape._bracket()}. tf.summary.scalar takes one value; "
                             "use tf.reduce_mean (or index) to make the tensor a scalar.")
        return Spec(_dtypes.string, TensorShape([]))

    @staticmethod
    def compute(ctx, op, tags, values):
        if np.shape(tags) != np.shape(values):
            raise InvalidArgumentError(
                None, op, f"tags and values not the same shape: {list(np.shape(tags))} != "
                f"{list(np.shape(values))} in node '{op.name}' (ScalarSummary).")
        pairs = zip(np.ravel(tags), np.ravel(values).astype(np.float32), strict=True)
        return _as_string(encode_summary([scalar_value(t, v) for t, v in pairs]))

    gradient = staticmethod(no_gradient)


@register_op("HistogramSummary")
class HistogramSummary(OpDef):
    """A Summary with one histogram of every element of `values`, in TF's default buckets."""

    inputs = ("tag", "values")
    input_types = ("string", "T")
    uses_context = True

    @staticmethod
    def infer(tag, values):
        _check_real("HistogramSummary", values)
        if tag.shape.ndims not in (None, 0):
            raise ValueError(f"The tag of a histogram summary must be a scalar, got shape "
                             f"{tag.shape._bracket()}.")
        return Spec(_dtypes.string, TensorShape([]))

    @staticmethod
    def compute(ctx, op, tag, values):
        values = np.ravel(values).astype(np.float64)
        tag = np.ravel(tag)[0]
        for test, word in ((np.isnan, "Nan"), (np.isinf, "Infinity")):
            if test(values).any():
                name = tag.decode() if isinstance(tag, bytes) else tag
                raise InvalidArgumentError(
                    None, op, f"{word} in summary histogram for: {name} (node '{op.name}'). "
                    "Fix: find where the values stop being finite, e.g. with "
                    "tf.debugging.check_numerics, or lower the learning rate.")
        return _as_string(encode_summary([histogram_value(tag, values)]))

    gradient = staticmethod(no_gradient)


@register_op("MergeSummary")
class MergeSummary(OpDef):
    """One Summary holding the values of every input Summary (tags must be distinct)."""

    input_types = None  # variadic: every input is a string tensor
    uses_context = True
    default_name = "MergeSummary"

    @staticmethod
    def infer(*summaries):
        for spec in summaries:
            if spec.dtype.base_dtype != _dtypes.string:
                raise TypeError(f"MergeSummary takes string tensors (the outputs of summary "
                                f"ops), got {spec.dtype.name}.")
        return Spec(_dtypes.string, TensorShape([]))

    @staticmethod
    def compute(ctx, op, *summaries):
        parts, seen = [], set()
        for data in (s for array in summaries for s in np.ravel(array)):
            data = data if isinstance(data, bytes) else str(data).encode()
            try:
                tags = [next(_fields(value, 1)) for value in _fields(data, 1)]
            except (IndexError, StopIteration, ValueError):
                raise InvalidArgumentError(None, op, f"Could not parse one of the summary "
                                           f"inputs of '{op.name}' (MergeSummary).") from None
            for tag in tags:
                if tag in seen:
                    raise InvalidArgumentError(
                        None, op, f"Duplicate tag {tag.decode(errors='replace')} found in "
                        f"summary inputs of '{op.name}'. Fix: give each summary its own name.")
                seen.add(tag)
            parts.append(data)
        # Concatenating serialized messages merges their repeated `value` fields.
        return _as_string(b"".join(parts))

    gradient = staticmethod(no_gradient)


@register_op("ImageSummary")
class ImageSummary(OpDef):
    """A Summary with up to `max_images` PNG images of a [batch, height, width, 1|3|4] tensor.

    Float images are mapped to 8 bits per image as TF does: scaled so that the largest value
    is 255 when none is negative, else so that 0 is 128 and the largest magnitude 127 (then
    truncated); pixels with a non-finite channel take `bad_color`. uint8 images are kept.
    """

    inputs = ("tag", "tensor")
    input_types = ("string", "T")
    uses_context = True

    @staticmethod
    def infer(tag, tensor, *, max_images=3, bad_color=(255, 0, 0, 255)):
        check_dtype_in("ImageSummary", tensor, ("uint8", "float16", "float32", "float64"),
                       arg="tensor")
        shape = tensor.shape
        if shape.ndims is not None and (shape.ndims != 4 or shape[3].value not in
                                        (None, 1, 3, 4)):
            raise ValueError(f"Tensor must be 4-D with last dim 1, 3, or 4, not "
                             f"{shape._bracket()}. Fix: images are [batch, height, width, "
                             "channels]; tf.reshape(x, [-1, 28, 28, 1]) for flat gray images.")
        if max_images < 1:
            raise ValueError(f"max_outputs must be positive, got {max_images}.")
        return Spec(_dtypes.string, TensorShape([]))

    @staticmethod
    def compute(ctx, op, tag, tensor, *, max_images=3, bad_color=(255, 0, 0, 255)):
        if tensor.ndim != 4 or tensor.shape[3] not in (1, 3, 4):
            raise InvalidArgumentError(
                None, op, f"Tensor must be 4-D with last dim 1, 3, or 4, not "
                f"{list(tensor.shape)} (node '{op.name}', ImageSummary).")
        tag = _as_bytes(np.ravel(tag)[0])
        values = []
        for i in range(min(max_images, tensor.shape[0])):
            suffix = b"/image" if max_images == 1 else b"/image/%d" % i
            pixels = to_uint8(tensor[i], np.asarray(bad_color, np.uint8))
            values.append(image_value(tag + suffix, pixels))
        return _as_string(encode_summary(values))

    gradient = staticmethod(no_gradient)


def to_uint8(image: np.ndarray, bad_color: np.ndarray) -> np.ndarray:
    """TF's float image -> uint8 mapping (see ImageSummary); uint8 images pass through."""
    if image.dtype == np.uint8:
        return image
    finite = np.all(np.isfinite(image), axis=-1)
    good = image[finite]
    low = good.min() if good.size else np.inf
    high = good.max() if good.size else -np.inf
    dtype = image.dtype.type
    if low < 0:
        biggest = max(abs(low), abs(high))
        scale, offset = (0.0 if biggest < 1e-6 else 127.0 / biggest), 128.0
    else:
        scale, offset = (0.0 if high < 1e-6 else 255.0 / high), 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        mapped = image * dtype(scale) + dtype(offset)
    out = np.where(finite[..., None], mapped, 0).astype(np.uint8)   # truncates, as TF
    out[~finite] = bad_color[:image.shape[-1]]
    return out


# ---------------------------------------------------------------------------------------
# Public builders (tf.summary.*)
# ---------------------------------------------------------------------------------------
def clean_tag(name: str) -> str:
    """Replace characters TensorBoard does not allow in tags by "_" and drop leading "/"."""
    return re.sub(r"[^-/\w.]", "_", name).lstrip("/")


@contextlib.contextmanager
def _summary_scope(name, family, values):
    """TF1's summary scope: yields (tag, scope); the tag repeats `family` so the dashboard
    groups by it."""
    name = clean_tag(name)
    family = clean_tag(family) if family else None
    base = name if family is None else f"{family}/{name}"
    with name_scope(base, values=[v for v in values if isinstance(v, Tensor)]) as scope:
        inner = scope.rstrip("/")
        yield (inner if family is None else f"{family}/{inner}"), scope


def _collect(tensor: Tensor, collections, default) -> None:
    for key in (default if collections is None else collections):
        tensor.graph.add_to_collection(key, tensor)


def scalar(name: str, tensor, collections=None, family=None) -> Tensor:
    """A string scalar holding a Summary of one scalar value (op ScalarSummary).

    The tag is `name` cleaned and prefixed by the name scope (inside `sc`: "sc/loss"); the
    op joins `GraphKeys.SUMMARIES` unless `collections` is given.
    Example: `tf.summary.scalar("loss", loss)`; `sess.run` of it gives serialized bytes.
    """
    with _summary_scope(name, family, [tensor]) as (tag, scope):
        values = convert_to_tensor(tensor)
        result = ScalarSummary.apply([constant(tag, name="tags"), values], name=scope)
    _collect(result, collections, [GraphKeys.SUMMARIES])
    return result


def histogram(name: str, values, collections=None, family=None) -> Tensor:
    """A string scalar holding a histogram Summary of `values` (op HistogramSummary).

    Example: `tf.summary.histogram("weights", w)`.
    """
    with _summary_scope(name, family, [values]) as (tag, scope):
        values = convert_to_tensor(values)
        result = HistogramSummary.apply([constant(tag, name="tag"), values], name=scope)
    _collect(result, collections, [GraphKeys.SUMMARIES])
    return result


def image(name: str, tensor, max_outputs: int = 3, collections=None, family=None) -> Tensor:
    """A string scalar holding a Summary of up to `max_outputs` images (op ImageSummary).

    `tensor` is [batch, height, width, channels] (1: gray, 3: RGB, 4: RGBA), uint8 or float.
    Tags are "<name>/image/0", "<name>/image/1", ... ("<name>/image" when max_outputs is 1).
    Example: `tf.summary.image("input", tf.reshape(x, [-1, 28, 28, 1]), 3)`.
    """
    with _summary_scope(name, family, [tensor]) as (tag, scope):
        tensor = convert_to_tensor(tensor)
        result = ImageSummary.apply([constant(tag, name="tag"), tensor], name=scope,
                                    max_images=int(max_outputs))
    _collect(result, collections, [GraphKeys.SUMMARIES])
    return result


def merge(inputs, collections=None, name=None) -> Tensor:
    """One Summary combining the summary tensors in `inputs` (op MergeSummary).

    Example: `merged = tf.summary.merge([loss_summary, w_summary])`.
    """
    inputs = [convert_to_tensor(x) for x in inputs]
    if not inputs:
        raise ValueError("tf.summary.merge needs at least one summary tensor. Use "
                         "tf.summary.merge_all(), which returns None when there is none.")
    graph = inputs[0].graph
    with graph.as_default(), graph.name_scope(name or "Merge"):
        result = MergeSummary.apply(inputs)
    _collect(result, collections, [])
    return result


def merge_all(key: str = GraphKeys.SUMMARIES, scope=None, name=None) -> Tensor | None:
    """Merge every summary in collection `key`; None when the collection is empty.

    Example: `merged = tf.summary.merge_all()` after defining scalars and histograms.
    """
    summaries = get_collection(key, scope=scope)
    return merge(summaries, name=name) if summaries else None


# ---------------------------------------------------------------------------------------
# Values, buckets and the protobuf wire format (Summary, Summary.Value, HistogramProto)
# ---------------------------------------------------------------------------------------
def scalar_value(tag, value) -> bytes:
    """A serialized `Summary.Value{tag, simple_value}` (simple_value is float32)."""
    return _length_field(1, _as_bytes(tag)) + _key(2, 5) + struct.pack("<f", value)


def image_value(tag: bytes, pixels: np.ndarray) -> bytes:
    """A serialized `Summary.Value{tag, image{height, width, colorspace, encoded PNG}}`."""
    height, width, channels = pixels.shape
    fields = _key(1, 0) + _varint(height) + _key(2, 0) + _varint(width) \
        + _key(3, 0) + _varint(channels) + _length_field(4, encode_png(pixels))
    return _length_field(1, tag) + _length_field(4, fields)


def histogram_value(tag, values: np.ndarray) -> bytes:
    """A serialized `Summary.Value{tag, histo}` with TF's buckets, empty runs collapsed."""
    limits = default_bucket_limits()
    counts = np.bincount(np.searchsorted(limits, values, side="right"),
                         minlength=len(limits)).astype(np.float64)
    out_limits, out_counts, i = [], [], 0
    while i < len(limits):
        end, count = limits[i], counts[i]
        i += 1
        while count == 0 and i < len(limits) and counts[i] == 0:
            end = limits[i]  # a run of empty buckets becomes one entry ending at the last
            i += 1
        out_limits.append(float(end))
        out_counts.append(float(count))
    empty = values.size == 0
    fields = [(1, sys.float_info.max if empty else values.min()),
              (2, -sys.float_info.max if empty else values.max()),
              (3, values.size), (4, values.sum()), (5, np.dot(values, values))]
    histo = b"".join(_key(n, 1) + struct.pack("<d", x) for n, x in fields
                     if struct.pack("<d", x) != bytes(8))  # proto3 omits zeros
    histo += _length_field(6, struct.pack(f"<{len(out_limits)}d", *out_limits))
    histo += _length_field(7, struct.pack(f"<{len(out_counts)}d", *out_counts))
    return _length_field(1, _as_bytes(tag)) + _length_field(5, histo)


@functools.cache
def default_bucket_limits() -> np.ndarray:
    """TF's histogram bucket limits: +-1e-12 growing by 10% up to 1e20, 0, and +-DBL_MAX."""
    positive, v = [], 1e-12
    while v < 1e20:
        positive.append(v)
        v *= 1.1
    positive.append(sys.float_info.max)
    limits = np.array([-x for x in reversed(positive)] + [0.0] + positive)
    limits.flags.writeable = False
    return limits


def encode_summary(values: list) -> bytes:
    """A serialized `Summary{value: [...]}` from serialized Summary.Value messages."""
    return b"".join(_length_field(1, v) for v in values)


def _as_string(data: bytes) -> np.ndarray:
    return np.array(data, dtype=object)


def _as_bytes(text) -> bytes:
    return text if isinstance(text, bytes) else str(text).encode()


def _varint(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _key(field: int, wire_type: int) -> bytes:
    return _varint((field << 3) | wire_type)


def _length_field(field: int, data: bytes) -> bytes:
    return _key(field, 2) + _varint(len(data)) + data


def _read_varint(data: bytes, pos: int):
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def _fields(data: bytes, wanted: int):
    """Yield the payloads of the length-delimited field `wanted` of a serialized message."""
    pos = 0
    while pos < len(data):
        key, pos = _read_varint(data, pos)
        field, wire_type = key >> 3, key & 7
        if wire_type == 0:
            _, pos = _read_varint(data, pos)
        elif wire_type in (1, 5):
            pos += 8 if wire_type == 1 else 4
        elif wire_type == 2:
            size, pos = _read_varint(data, pos)
            if field == wanted:
                yield data[pos:pos + size]
            pos += size
        else:
            raise ValueError(f"unsupported wire type {wire_type}")
        if pos > len(data):
            raise ValueError("truncated message")
