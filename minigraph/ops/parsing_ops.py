"""Parsing tf.train.Example records: ParseSingleExample (tf.parse_single_example) with
FixedLenFeature, and the protobuf wire format it reads.

An Example is a map from feature names to lists of bytes, float32 or int64 values; the
records of a TFRecord file of Examples are their serialized bytes. This module decodes that
format itself (no protobuf dependency). Builders for Examples (tf.train.Example, Feature,
...) live in data/example_proto.py.
TF1 note: VarLenFeature (a SparseTensor) and parse_example over a batch are not supported;
parse each record in Dataset.map, as TF1 input pipelines usually do.
"""

from __future__ import annotations

import collections
import struct

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.errors import InvalidArgumentError
from ..framework.registry import OpDef, no_gradient, register_op
from ..framework.shapes import TensorShape, as_shape
from ..framework.tensor import Spec
from .constant_op import constant, convert_to_tensor

__all__ = ["FixedLenFeature", "VarLenFeature", "parse_single_example"]


class FixedLenFeature(collections.namedtuple("FixedLenFeature",
                                             ["shape", "dtype", "default_value"])):
    """A feature of fixed shape; without default_value it must be present in every record."""

    def __new__(cls, shape, dtype, default_value=None):
        return super().__new__(cls, shape, dtype, default_value)


class VarLenFeature(collections.namedtuple("VarLenFeature", ["dtype"])):
    """A feature of varying length (TF parses it into a SparseTensor)."""


def read_varint(data: bytes, pos: int) -> tuple:
    """(value, next position) of the base-128 varint at `pos`."""
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated varint")
        byte = data[pos]
        result |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            return result, pos
        shift += 7


def fields(data: bytes):
    """Yield (field number, wire type, value) of a serialized message: ints for varints,
    bytes for length-delimited fields, raw 4/8 bytes for fixed ones."""
    pos = 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = read_varint(data, pos)
        elif wire == 2:
            size, pos = read_varint(data, pos)
            value, pos = data[pos:pos + size], pos + size
            if len(value) != size:
                raise ValueError("truncated field")
        elif wire in (1, 5):
            width = 8 if wire == 1 else 4
            value, pos = data[pos:pos + width], pos + width
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield number, wire, value


def _values(kind: int, data: bytes) -> list:
    """The values of a BytesList (1), FloatList (2) or Int64List (3) message."""
    out = []
    for _, wire, value in fields(data):
        if kind == 1:
            out.append(value)
        elif kind == 2:
            out.extend(struct.unpack(f"<{len(value) // 4}f", value) if wire == 2 else
                       struct.unpack("<f", value))
        elif wire == 2:  # packed int64 varints
            pos = 0
            while pos < len(value):
                v, pos = read_varint(value, pos)
                out.append(v - (1 << 64) if v >= 1 << 63 else v)
        else:
            out.append(value - (1 << 64) if value >= 1 << 63 else value)
    return out


def parse_example_proto(data: bytes) -> dict:
    """{feature name: (kind, values)} of a serialized Example (kind 1 bytes, 2 float, 3 int)."""
    features = {}
    for number, _, message in fields(data):
        if number != 1:
            continue
        for entry_number, _, entry in fields(message):
            if entry_number != 1:
                continue
            key, feature = b"", b""
            for n, _, v in fields(entry):
                key, feature = (v, feature) if n == 1 else (key, v if n == 2 else feature)
            kind, values = 0, []
            for n, _, v in fields(feature):
                kind, values = n, _values(n, v)
            features[key.decode()] = (kind, values)
    return features


_KIND = {_dtypes.string: 1, _dtypes.float32: 2, _dtypes.int64: 3}


@register_op("ParseSingleExample")
class ParseSingleExample(OpDef):
    """The dense features `dense_keys` of one serialized Example, with their shapes."""

    @staticmethod
    def infer(serialized, *defaults, num_sparse, sparse_keys, dense_keys, sparse_types, Tdense,
              dense_shapes):
        if serialized.dtype.base_dtype != _dtypes.string:
            raise TypeError(f"serialized must be a string tensor, got {serialized.dtype.name}.")
        return [Spec(t, s) for t, s in zip(Tdense, dense_shapes)]

    @staticmethod
    def compute(serialized, *defaults, num_sparse, sparse_keys, dense_keys, sparse_types,
                Tdense, dense_shapes):
        record = np.asarray(serialized, dtype=object)[()]
        try:
            features = parse_example_proto(bytes(record))
        except (ValueError, UnicodeDecodeError) as e:
            raise InvalidArgumentError(None, None,
                                       f"Could not parse example input ({e}).") from e
        return tuple(_dense(features, key, dtype, shape, default)
                     for key, dtype, shape, default in zip(dense_keys, Tdense, dense_shapes,
                                                           defaults))

    gradient = staticmethod(no_gradient)


def _dense(features, key, dtype, shape, default):
    shape = as_shape(shape).as_list()
    if key not in features:
        if np.size(default) == 0:
            raise InvalidArgumentError(None, None, f"Feature: {key} (data type: {dtype.name}) "
                                       "is required but could not be found.")
        return np.broadcast_to(np.asarray(default, dtype.as_numpy_dtype), shape).copy()
    kind, values = features[key]
    if kind != _KIND[dtype]:
        raise InvalidArgumentError(None, None, f"Feature: {key}. Data types don't match. "
                                   f"Expected type: {dtype.name}.")
    if len(values) != int(np.prod(shape, dtype=np.int64)):
        raise InvalidArgumentError(None, None, f"Key: {key}. Number of {dtype.name} values != "
                                   f"expected. Values size: {len(values)} but output shape: "
                                   f"{shape}")
    return np.array(values, dtype=dtype.as_numpy_dtype).reshape(shape)


def parse_single_example(serialized, features: dict, name=None, example_names=None) -> dict:
    """{name: tensor} parsed from one serialized tf.train.Example by FixedLenFeature specs.

    Example: `tf.parse_single_example(record, {"x": tf.FixedLenFeature([2], tf.float32)})`.
    """
    keys = sorted(features)
    if not keys:
        return {}
    for key in keys:
        if isinstance(features[key], VarLenFeature):
            raise NotImplementedError(f"VarLenFeature ('{key}') parses into a SparseTensor, "
                                      "which minigraph does not have. Fix: use "
                                      "FixedLenFeature with the feature's length.")
    dtypes = [_dtypes.as_dtype(features[k].dtype) for k in keys]
    for key, dtype in zip(keys, dtypes):
        if dtype not in _KIND:
            raise ValueError(f"Feature '{key}' has dtype {dtype.name}; Example features are "
                             "tf.string, tf.float32 or tf.int64.")
    shapes = [TensorShape(features[k].shape) for k in keys]
    defaults = [constant([] if features[k].default_value is None else features[k].default_value,
                         dtype=d, name=f"default_{k}") for k, d in zip(keys, dtypes)]
    out = ParseSingleExample.apply(
        [convert_to_tensor(serialized, dtype=_dtypes.string)] + defaults, name=name,
        num_sparse=0, sparse_keys=(), dense_keys=tuple(keys), sparse_types=(),
        Tdense=tuple(dtypes), dense_shapes=tuple(shapes))
    outputs = [out] if len(keys) == 1 else list(out)
    return dict(zip(keys, outputs))
