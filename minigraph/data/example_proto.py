"""tf.train.Example and its parts (Features, Feature, BytesList, FloatList, Int64List):
build records in Python and serialize them in the protobuf wire format TF reads.

Only what writing TFRecord files of Examples needs: construction with TF's keyword
arguments and SerializeToString (packed floats and ints, as TF writes them; feature names
in sorted order, where TF's order is unspecified). `FromString` reads one back.
Parsing inside a graph is ops/parsing_ops.py (tf.parse_single_example).
"""

from __future__ import annotations

import struct

from ..ops.parsing_ops import parse_example_proto

__all__ = ["Example", "Features", "Feature", "BytesList", "FloatList", "Int64List"]


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative int64s are ten-byte two's complement, as in protobuf
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited field."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


class BytesList:
    def __init__(self, value=()):
        self.value = [v.encode() if isinstance(v, str) else bytes(v) for v in value]

    def SerializeToString(self) -> bytes:  # noqa: N802 - protobuf's method name
        return b"".join(_field(1, v) for v in self.value)


class FloatList:
    def __init__(self, value=()):
        self.value = [float(v) for v in value]

    def SerializeToString(self) -> bytes:  # noqa: N802
        packed = struct.pack(f"<{len(self.value)}f", *self.value)
        return _field(1, packed) if self.value else b""


class Int64List:
    def __init__(self, value=()):
        self.value = [int(v) for v in value]

    def SerializeToString(self) -> bytes:  # noqa: N802
        packed = b"".join(_varint(v) for v in self.value)
        return _field(1, packed) if self.value else b""


class Feature:
    """One of bytes_list, float_list or int64_list."""

    def __init__(self, bytes_list=None, float_list=None, int64_list=None):
        given = [(n, v) for n, v in ((1, bytes_list), (2, float_list), (3, int64_list))
                 if v is not None]
        if len(given) > 1:
            raise ValueError("A Feature holds one of bytes_list, float_list, int64_list.")
        self.bytes_list, self.float_list, self.int64_list = bytes_list, float_list, int64_list
        self._kind = given[0] if given else None

    def SerializeToString(self) -> bytes:  # noqa: N802
        if self._kind is None:
            return b""
        number, values = self._kind
        return _field(number, values.SerializeToString())


class Features:
    def __init__(self, feature=None):
        self.feature = dict(feature or {})

    def SerializeToString(self) -> bytes:  # noqa: N802
        entries = []
        for key in sorted(self.feature):
            entry = _field(1, key.encode()) + _field(2, self.feature[key].SerializeToString())
            entries.append(_field(1, entry))
        return b"".join(entries)


class Example:
    """`tf.train.Example(features=tf.train.Features(feature={...}))`."""

    def __init__(self, features=None):
        self.features = features if features is not None else Features()

    def SerializeToString(self) -> bytes:  # noqa: N802
        return _field(1, self.features.SerializeToString())

    @classmethod
    def FromString(cls, data: bytes) -> "Example":  # noqa: N802 - protobuf's method name
        """Read a serialized Example back."""
        kinds = {1: ("bytes_list", BytesList), 2: ("float_list", FloatList),
                 3: ("int64_list", Int64List)}
        feature = {}
        for key, (kind, values) in parse_example_proto(bytes(data)).items():
            if kind in kinds:
                name, cls_ = kinds[kind]
                feature[key] = Feature(**{name: cls_(values)})
            else:
                feature[key] = Feature()
        return cls(Features(feature))

    def __eq__(self, other):
        return isinstance(other, Example) and \
            self.SerializeToString() == other.SerializeToString()

    __hash__ = None
