"""TensorFlow's tensor bundle: the `.index` + `.data-00000-of-00001` pair of a checkpoint.

Lives here: the BundleHeaderProto / BundleEntryProto messages (encoded with the wire-format
helpers of checkpoint_format.py), the bytes of one tensor in the data file (raw little-endian
values; strings as varint lengths, a masked CRC of the lengths, then the bytes), the writer
(`write_bundle`) and the reader (`BundleReader`), which checks every entry against the data
(size, dtype, shape, CRC-32C) before returning anything. Errors are TF's classes naming the
file: DataLossError (corrupt), OutOfRangeError (data file too short), NotFoundError (missing
file or key). The Saver and the atomic-save protocol live in saver.py / checkpoint_io.py.
"""

from __future__ import annotations

import math
import os
import struct

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.errors import (DataLossError, NotFoundError, OutOfRangeError,
                                UnimplementedError)
from .checkpoint_format import (CorruptFile, build_table, crc32c, decode_message,
                                decode_varint, encode_message, encode_varint, mask_crc,
                                read_table, unmask_crc)

__all__ = ["BundleEntry", "BundleReader", "write_bundle", "data_path", "pending_data_path"]

DATA_SUFFIX = ".data-00000-of-00001"
_VERSION_PRODUCER = 1          # TF's tensor bundle version
_SAVE_ID_FIELD = 1000          # minigraph's own header field (TF ignores unknown fields)
_DTYPES = {d.enum: d for d in (_dtypes.float16, _dtypes.float32, _dtypes.float64, _dtypes.int8,
                               _dtypes.int16, _dtypes.int32, _dtypes.int64, _dtypes.uint8,
                               _dtypes.uint16, _dtypes.uint32, _dtypes.uint64, _dtypes.bool,
                               _dtypes.string, _dtypes.complex64, _dtypes.complex128)}


def data_path(prefix: str) -> str:
    return prefix + DATA_SUFFIX


def pending_data_path(prefix: str, save_id: str) -> str:
    """Where a save writes its data before the index names it (see checkpoint_io.py)."""
    return f"{prefix}{DATA_SUFFIX}.tmp-{save_id}"


class BundleEntry:
    """One tensor of the index: dtype, shape and where its bytes are in the data file."""

    __slots__ = ("name", "dtype", "shape", "offset", "size", "crc", "shard")

    def __init__(self, name, dtype, shape, offset, size, crc, shard=0):
        self.name, self.dtype, self.shape = name, dtype, tuple(shape)
        self.offset, self.size, self.crc, self.shard = offset, size, crc, shard

    def encode(self) -> bytes:
        dims = b"".join(encode_message([(2, "bytes!", encode_message([(1, "varint", d)]))])
                        for d in self.shape)
        return encode_message([(1, "varint", self.dtype.enum), (2, "bytes!", dims),
                               (4, "varint", self.offset), (5, "varint", self.size),
                               (6, "fixed32", mask_crc(self.crc))])


def _field(fields: dict, number: int, default):
    """The last value of a field, which must be of the default's kind (int or bytes)."""
    value = fields.get(number, [default])[-1]
    if type(value) is not type(default):
        raise CorruptFile(f"protobuf field {number} has the wrong wire type")
    return value


def _numeric_size(entry: BundleEntry):
    """Bytes a numeric tensor takes (None for strings)."""
    if entry.dtype == _dtypes.string:
        return None
    return math.prod(entry.shape) * np.dtype(entry.dtype.as_numpy_dtype).itemsize


# ---------------------------------------------------------------------------------------
# Tensor bytes
# ---------------------------------------------------------------------------------------
def _tensor_bytes(arr: np.ndarray, dtype) -> tuple:
    """(list of byte chunks, crc) of one tensor as the data file stores it."""
    if dtype == _dtypes.string:
        items = [x if isinstance(x, bytes) else str(x).encode("utf-8") for x in arr.ravel()]
        lengths = b"".join(encode_varint(len(x)) for x in items)
        crc = crc32c(struct.pack(f"<{len(items)}I", *(len(x) & 0xFFFFFFFF for x in items)))
        length_crc = struct.pack("<I", mask_crc(crc))
        crc = crc32c(length_crc, crc)
        for x in items:
            crc = crc32c(x, crc)
        return [lengths, length_crc, *items], crc
    flat = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<"))
    return [memoryview(flat).cast("B")], crc32c(flat)


def _decode_tensor(raw: bytes, entry: BundleEntry, where: str) -> np.ndarray:
    count = math.prod(entry.shape)
    if entry.dtype == _dtypes.string:
        return _decode_strings(raw, count, entry, where)
    numpy_dtype = np.dtype(entry.dtype.as_numpy_dtype).newbyteorder("<")
    if len(raw) != count * numpy_dtype.itemsize:
        raise DataLossError(None, None, f"{where}: tensor {entry.name} holds {len(raw)} bytes, "
                            f"but {entry.dtype.name} of shape {list(entry.shape)} needs "
                            f"{count * numpy_dtype.itemsize}.")
    arr = np.frombuffer(raw, dtype=numpy_dtype).reshape(entry.shape)
    # `raw` is a bytearray read for this tensor alone: on little-endian machines the array
    # is a writable view of it (no copy); elsewhere a native copy.
    return arr.astype(numpy_dtype.newbyteorder("="), copy=False)


def _decode_strings(raw: bytes, count: int, entry: BundleEntry, where: str) -> np.ndarray:
    try:
        pos, lengths = 0, []
        for _ in range(count):
            n, pos = decode_varint(raw, pos)
            lengths.append(n)
    except CorruptFile:
        lengths = None
    if lengths is None or pos + 4 + sum(lengths) != len(raw):
        raise DataLossError(None, None, f"{where}: string tensor {entry.name} does not hold "
                            f"{count} strings in its {len(raw)} bytes.")
    pos += 4
    out = np.empty(count, dtype=object)
    for i, n in enumerate(lengths):
        out[i] = bytes(raw[pos:pos + n])
        pos += n
    return out.reshape(entry.shape)


# ---------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------
def write_bundle(index_file, data_file, arrays: dict, save_id: str = "") -> None:
    """Write `arrays` ({name: array}) to open binary files; names in sorted order.

    `save_id` goes into the header (field 1000), naming the save that wrote the data.
    """
    offset, entries = 0, []
    for name in sorted(arrays):
        arr = arrays[name]
        dtype = _dtypes.string if arr.dtype == object else _dtypes.as_dtype(arr.dtype)
        chunks, crc = _tensor_bytes(arr, dtype)
        size = 0
        for chunk in chunks:
            data_file.write(chunk)
            size += len(chunk)
        entries.append(BundleEntry(name, dtype, arr.shape, offset, size, crc))
        offset += size
    version = encode_message([(1, "varint", _VERSION_PRODUCER)])
    header = encode_message([(1, "varint", 1), (3, "bytes", version),
                             (_SAVE_ID_FIELD, "bytes", save_id.encode())])
    table = [(b"", header)] + [(e.name.encode("utf-8"), e.encode()) for e in entries]
    index_file.write(build_table(table))


# ---------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------
class BundleReader:
    """The entries of `<prefix>.index`, and checked reads of their tensors.

    Raises NotFoundError if the index is missing, DataLossError if it is corrupt.
    """

    def __init__(self, prefix: str, index_bytes: bytes):
        self.prefix = prefix
        self.index_path = prefix + ".index"
        try:
            table = read_table(index_bytes)
            self.save_id, self.entries = self._parse(table)
        except CorruptFile as e:
            raise DataLossError(None, None, f"Unable to read checkpoint index "
                                f"{self.index_path}: {e}. The file is corrupt (or not a "
                                "TensorFlow checkpoint index). Fix: restore an intact copy, "
                                "or an older checkpoint.") from None

    def _parse(self, table) -> tuple:
        if not table or table[0][0] != b"":
            raise CorruptFile("the header entry (empty key) is missing")
        header = decode_message(table[0][1])
        self.num_shards = _field(header, 1, 1)
        if not 1 <= self.num_shards < 100000:
            raise CorruptFile(f"the header says {self.num_shards} shards")
        if _field(header, 2, 0) != 0:
            raise UnimplementedError(None, None, f"{self.index_path}: the checkpoint was "
                                     "written on a big-endian machine; not supported.")
        save_id = _field(header, _SAVE_ID_FIELD, b"").decode("ascii", "replace")
        return save_id, {key.decode("utf-8", "replace"): self._entry(key, value)
                         for key, value in table[1:]}

    def _entry(self, key: bytes, value: bytes) -> BundleEntry:
        name = key.decode("utf-8", "replace")
        fields = decode_message(value)
        enum = _field(fields, 1, 0)
        if enum not in _DTYPES:
            raise UnimplementedError(None, None, f"{self.index_path}: tensor {name} has "
                                     f"TensorFlow dtype enum {enum}, which minigraph does not "
                                     "support (e.g. bfloat16 or a resource).")
        shape_fields = decode_message(_field(fields, 2, b""))
        if _field(shape_fields, 3, 0) or 7 in fields:
            raise UnimplementedError(None, None, f"{self.index_path}: tensor {name} is stored "
                                     "in slices (a partitioned variable) or with an unknown "
                                     "rank; not supported.")
        dims = shape_fields.get(2, [])
        if any(not isinstance(d, bytes) for d in dims):
            raise CorruptFile(f"tensor {name} has a malformed dimension")
        shape = [_field(decode_message(d), 1, 0) for d in dims]
        if any(d >= 1 << 62 for d in shape):
            raise CorruptFile(f"tensor {name} has a malformed or negative dimension")
        entry = BundleEntry(name, _DTYPES[enum], shape, _field(fields, 4, 0),
                            _field(fields, 5, 0), unmask_crc(_field(fields, 6, 0)),
                            _field(fields, 3, 0))
        if entry.shard >= self.num_shards:
            raise CorruptFile(f"tensor {name} is in shard {entry.shard} of {self.num_shards}")
        expected = _numeric_size(entry)
        if expected is not None and expected != entry.size:
            raise CorruptFile(f"tensor {name} is recorded with {entry.size} bytes, but "
                              f"{entry.dtype.name} of shape {list(entry.shape)} takes "
                              f"{expected}")
        return entry

    def shard_path(self, shard: int) -> str:
        """`<prefix>.data-<shard>-of-<num_shards>`, TF's name of a data file."""
        return f"{self.prefix}.data-{shard:05d}-of-{self.num_shards:05d}"

    def data_file(self, shard: int = 0) -> str:
        """The data file of a shard; for minigraph's saves, the pending file while it exists
        (the index names the save that wrote it: see checkpoint_io.py)."""
        if self.save_id and self.num_shards == 1:
            pending = pending_data_path(self.prefix, self.save_id)
            if os.path.exists(pending):
                return pending
        return self.shard_path(shard)

    def read(self, names) -> dict:
        """{name: fresh array} for `names`, every one checked; nothing is returned on error."""
        by_shard, out = {}, {}
        for name in names:
            by_shard.setdefault(self.entries[name].shard, []).append(name)
        for shard, group in sorted(by_shard.items()):
            out.update(self._read_shard(shard, group))
        return {name: out[name] for name in names}

    def _read_shard(self, shard: int, names) -> dict:
        final = self.shard_path(shard)
        # A pending file may be renamed to the final name between the check and the open.
        for path in dict.fromkeys([self.data_file(shard), final]):
            try:
                f = open(path, "rb")
            except FileNotFoundError:
                continue
            with f:
                return self._read_open(f, path, names)
        raise NotFoundError(None, None, f"{final}; No such file or directory. The "
                            "checkpoint's data file is missing. Fix: copy the data file "
                            "next to its .index, or restore another checkpoint.")

    def _read_open(self, f, path: str, names) -> dict:
        out = {}
        file_size = os.fstat(f.fileno()).st_size
        for name in names:
            entry = self.entries[name]
            if entry.offset + entry.size > file_size:
                raise OutOfRangeError(None, None, f"Read less bytes than requested: tensor "
                                      f"{name} lies at bytes [{entry.offset}, "
                                      f"{entry.offset + entry.size}) of {path}, which has "
                                      f"{file_size} bytes: the data file is truncated. Fix: "
                                      "restore an intact copy, or an older checkpoint.")
            f.seek(entry.offset)
            raw = bytearray(entry.size)
            f.readinto(raw)
            value = _decode_tensor(raw, entry, path)
            actual = _tensor_bytes(value, entry.dtype)[1] if entry.dtype == _dtypes.string \
                else crc32c(raw)
            if actual != entry.crc:
                raise DataLossError(None, None, f"TensorBundle at {self.prefix} shard "
                                    f"{entry.shard} ({entry.size} bytes): Checksum does not "
                                    f"match: stored {entry.crc} vs. calculated on the restored "
                                    f"bytes "
                                    f"{actual} (tensor {name} in {path}). The data file is "
                                    "corrupt or belongs to another save. Fix: restore an "
                                    "intact copy, or an older checkpoint.")
            out[name] = value
        return out
