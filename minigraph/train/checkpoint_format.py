"""The byte-level pieces of TensorFlow's checkpoint format, written by hand (numpy only).

Lives here: CRC-32C (Castagnoli) with TF's "masked" form, a protobuf wire-format encoder and
decoder for the few messages a checkpoint index holds, and the LevelDB-style sorted table
("SSTable") that TF uses as the `.index` file: data blocks of prefix-compressed key/value
entries with restart points, an (empty) meta-index block, an index block of block handles and
a 48-byte footer, every block followed by a compression byte and a masked CRC-32C. What the
keys and values mean (tensor names and BundleEntryProto) lives in tensor_bundle.py; the
layout is described in docs/checkpoints.md.

Every parse error raises `CorruptFile(problem)`; callers turn it into TF's DataLossError
naming the file.
"""

from __future__ import annotations

import struct
import sys
import threading

import numpy as np

__all__ = ["crc32c", "mask_crc", "unmask_crc", "CorruptFile", "encode_varint",
           "decode_varint", "encode_message", "decode_message", "build_table", "read_table"]


class CorruptFile(Exception):
    """A structural problem found while parsing; the message says what is wrong."""


# ---------------------------------------------------------------------------------------
# CRC-32C
# ---------------------------------------------------------------------------------------
def _byte_table() -> np.ndarray:
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(0x82F63B78), table >> 1)
    return table.astype(np.uint32)


_TABLE = _byte_table()
_TABLE_LIST = _TABLE.tolist()
_SMALL = 4096             # below this many bytes a plain loop is faster


def _crc_loop(data: bytes, reg: int) -> int:
    table = _TABLE_LIST
    for b in data:
        reg = table[(reg ^ b) & 0xFF] ^ (reg >> 8)
    return reg


def _apply(columns: list, reg: int) -> int:
    """Apply a linear map on 32-bit registers, given as the images of the 32 bits."""
    out, bit = 0, 0
    while reg:
        if reg & 1:
            out ^= columns[bit]
        reg >>= 1
        bit += 1
    return out


_ZERO_COLUMNS = [[_TABLE_LIST[(1 << bit) & 0xFF] ^ ((1 << bit) >> 8) for bit in range(32)]]
_TABLES_LOCK = threading.Lock()  # the tables below are built on first use, once


def _zeros_columns(log2n: int) -> list:
    """The map "feed 2**log2n zero bytes" on a CRC register (by repeated squaring)."""
    with _TABLES_LOCK:
        while len(_ZERO_COLUMNS) <= log2n:
            last = _ZERO_COLUMNS[-1]
            _ZERO_COLUMNS.append([_apply(last, c) for c in last])
        return _ZERO_COLUMNS[log2n]


_SHIFT_TABLES: dict = {}


def _shift(regs: np.ndarray, log2n: int) -> np.ndarray:
    """Registers `regs` after 2**log2n zero bytes, through four byte-indexed tables."""
    t = _SHIFT_TABLES.get(log2n)
    if t is None:
        columns = _zeros_columns(log2n)
        t = []
        for byte in range(4):
            table = np.zeros(256, dtype=np.uint32)
            for bit in range(8):
                table[(np.arange(256) >> bit) & 1 == 1] ^= np.uint32(columns[8 * byte + bit])
            t.append(table)
        _SHIFT_TABLES[log2n] = t  # a complete list, stored in one step
    return (t[0][regs & 0xFF] ^ t[1][(regs >> 8) & 0xFF] ^ t[2][(regs >> 16) & 0xFF]
            ^ t[3][regs >> 24])


def _chunk_length(n: int) -> int:
    """Bytes per chunk: about 4096 chunks advance side by side (rows that stay in cache)."""
    return 1 << max(7, (n // 4096).bit_length() - 1)


_PAIR_TABLES: list = []


def _pair_tables() -> list:
    """"Slicing-by-8" tables indexed by 16 bits: entry j serves bytes 2j and 2j+1 of a word.

    With T0 the byte table and Tk[i] = (Tk-1[i] >> 8) ^ T0[Tk-1[i] & 0xFF], feeding eight
    bytes b0..b7 (the register xored into b0..b3) gives T7[b0] ^ T6[b1] ^ ... ^ T0[b7].
    """
    with _TABLES_LOCK:
        if not _PAIR_TABLES:
            tables = [_TABLE]
            for _ in range(7):
                tables.append((tables[-1] >> 8) ^ _TABLE[tables[-1] & 0xFF])
            word = np.arange(65536, dtype=np.uint32)
            _PAIR_TABLES.extend(tables[7 - 2 * j][word & 0xFF] ^ tables[6 - 2 * j][word >> 8]
                                for j in range(4))
        return _PAIR_TABLES


def _crc_vector(view: np.ndarray, length: int) -> int:
    """Register (from 0) after feeding `view` (uint8, a multiple of `length` bytes).

    The data is cut into chunks of `length` bytes whose registers advance together, eight
    bytes per numpy step; CRC is linear, so the chunk registers then combine pairwise:
    reg(A + B) = shift(reg(A), len(B)) ^ reg(B).
    """
    count = len(view) // length
    rows = view.reshape(count, length).view("<u8").T.copy()  # row j: word j of each chunk
    p0, p1, p2, p3 = _pair_tables()
    regs = np.zeros(count, dtype=np.uint32)
    word = np.empty(count, dtype=np.uint64)
    halves = word.view(np.uint16).reshape(count, 4)
    for row in rows:
        np.bitwise_xor(row, regs, out=word)
        regs = p0[halves[:, 0]] ^ p1[halves[:, 1]] ^ p2[halves[:, 2]] ^ p3[halves[:, 3]]
    log2n = length.bit_length() - 1
    while len(regs) > 1:
        if len(regs) % 2:
            regs = np.concatenate([np.zeros(1, np.uint32), regs])  # a zero chunk in front
        regs = _shift(regs[0::2], log2n) ^ regs[1::2]
        log2n += 1
    return int(regs[0])


def crc32c(data, crc: int = 0) -> int:
    """CRC-32C of `data` (bytes-like), continuing from a previous `crc` (TF's Extend)."""
    view = np.frombuffer(memoryview(data).cast("B"), dtype=np.uint8)
    reg = crc ^ 0xFFFFFFFF
    if len(view) < _SMALL or sys.byteorder != "little":  # the vector path reads words
        return _crc_loop(view.tobytes(), reg) ^ 0xFFFFFFFF
    length = _chunk_length(len(view))
    head = len(view) % length
    reg = _crc_loop(view[:head].tobytes(), reg)
    body = view[head:]
    # Feeding `body` from register `reg` = feeding it from 0, xor `reg` shifted by len(body).
    shifted = _shift_scalar(reg, len(body))
    return (_crc_vector(body, length) ^ shifted) ^ 0xFFFFFFFF


def _shift_scalar(reg: int, n: int) -> int:
    """`reg` after n zero bytes: n is split into powers of two."""
    power = 0
    while n:
        if n & 1:
            reg = _apply(_zeros_columns(power), reg)
        n >>= 1
        power += 1
    return reg


def mask_crc(crc: int) -> int:
    """TF's masked CRC (stored checksums are masked so that CRCs of CRCs stay strong)."""
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def unmask_crc(masked: int) -> int:
    rot = (masked - 0xA282EAD8) & 0xFFFFFFFF
    return ((rot >> 17) | (rot << 15)) & 0xFFFFFFFF


# ---------------------------------------------------------------------------------------
# Protobuf wire format (varint, fixed32, length-delimited)
# ---------------------------------------------------------------------------------------
def encode_varint(value: int) -> bytes:
    if value < 0:
        value += 1 << 64  # negative int64 fields take ten bytes, as protobuf writes them
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def decode_varint(buf, pos: int) -> tuple:
    """(value, next position); CorruptFile if the varint runs off the end or is too long."""
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise CorruptFile("a varint runs past the end of its buffer")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise CorruptFile("a varint is longer than 10 bytes")


def encode_message(fields) -> bytes:
    """Encode [(field number, kind, value)] with kind 'varint', 'fixed32' or 'bytes'.

    Fields whose value is the proto3 default (0 or empty) are left out, as protobuf does.
    """
    out = bytearray()
    for number, kind, value in fields:
        if not value and kind != "bytes!":
            continue
        if kind == "varint":
            out += encode_varint(number << 3) + encode_varint(value)
        elif kind == "fixed32":
            out += encode_varint(number << 3 | 5) + struct.pack("<I", value)
        else:  # 'bytes', or 'bytes!' for an embedded message that must appear even if empty
            out += encode_varint(number << 3 | 2) + encode_varint(len(value)) + bytes(value)
    return bytes(out)


def decode_message(buf) -> dict:
    """{field number: [values]}: ints for varint/fixed fields, bytes for length-delimited."""
    fields: dict = {}
    pos = 0
    while pos < len(buf):
        key, pos = decode_varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = decode_varint(buf, pos)
        elif wire in (1, 5):
            width = 8 if wire == 1 else 4
            if pos + width > len(buf):
                raise CorruptFile("a fixed-width protobuf field runs past the end")
            value = int.from_bytes(buf[pos:pos + width], "little")
            pos += width
        elif wire == 2:
            size, pos = decode_varint(buf, pos)
            if pos + size > len(buf):
                raise CorruptFile("a length-delimited protobuf field runs past the end")
            value = bytes(buf[pos:pos + size])
            pos += size
        else:
            raise CorruptFile(f"protobuf wire type {wire} (field {number}) is not valid here")
        if number == 0:
            raise CorruptFile("protobuf field number 0")
        fields.setdefault(number, []).append(value)
    return fields


# ---------------------------------------------------------------------------------------
# The sorted table (LevelDB layout, no compression)
# ---------------------------------------------------------------------------------------
_MAGIC = 0xDB4775248B80FB57
_FOOTER = 48             # two block handles padded to 40 bytes, then the 8-byte magic
_BLOCK_SIZE = 262144     # TF's table options: 256 KiB blocks, a restart every 16 keys
_RESTART_INTERVAL = 16


class _BlockBuilder:
    """Prefix-compressed entries with a restart point every 16 keys (every key in the index
    block), LevelDB's layout."""

    def __init__(self, restart_interval: int = _RESTART_INTERVAL):
        self.data, self.restarts, self.count, self.last = bytearray(), [0], 0, b""
        self.interval = restart_interval

    def add(self, key: bytes, value: bytes) -> None:
        shared = 0
        if self.count and self.count % self.interval == 0:
            self.restarts.append(len(self.data))
        elif self.count:
            limit = min(len(key), len(self.last))
            while shared < limit and key[shared] == self.last[shared]:
                shared += 1
        self.data += encode_varint(shared) + encode_varint(len(key) - shared) + \
            encode_varint(len(value)) + key[shared:] + value
        self.last, self.count = key, self.count + 1

    def size_estimate(self) -> int:
        return len(self.data) + 4 * len(self.restarts) + 4

    def finish(self) -> bytes:
        return bytes(self.data) + struct.pack(f"<{len(self.restarts)}I", *self.restarts) + \
            struct.pack("<I", len(self.restarts))


def _with_trailer(block: bytes) -> bytes:
    """The block, its compression byte (0: none) and the masked CRC of both."""
    return block + b"\x00" + struct.pack("<I", mask_crc(crc32c(block + b"\x00")))


def _separator(start: bytes, limit: bytes) -> bytes:
    """A short key k with start <= k < limit (LevelDB's bytewise FindShortestSeparator)."""
    common = 0
    while common < min(len(start), len(limit)) and start[common] == limit[common]:
        common += 1
    if common < min(len(start), len(limit)):
        byte = start[common]
        if byte < 0xFF and byte + 1 < limit[common]:
            return start[:common] + bytes([byte + 1])
    return start


def _successor(key: bytes) -> bytes:
    """A short key >= `key` (LevelDB's bytewise FindShortSuccessor)."""
    for i, byte in enumerate(key):
        if byte != 0xFF:
            return key[:i] + bytes([byte + 1])
    return key


def _handle(offset: int, size: int) -> bytes:
    return encode_varint(offset) + encode_varint(size)


def build_table(entries) -> bytes:
    """The bytes of a table holding [(key, value)] (keys sorted, unique), as TF writes it.

    A data block is closed once its size estimate reaches 256 KiB; its index entry is a short
    key between its last key and the next block's first key.
    """
    out, index, block, pending = bytearray(), _BlockBuilder(1), _BlockBuilder(), None
    for key, value in entries:
        if pending is not None:
            index.add(_separator(pending[0], key), pending[1])
            pending = None
        block.add(key, value)
        if block.size_estimate() >= _BLOCK_SIZE:
            pending = (block.last, _flush(out, block))
            block = _BlockBuilder()
    if block.count:
        pending = (block.last, _flush(out, block))
    if pending is not None:
        index.add(_successor(pending[0]), pending[1])
    meta_handle = _flush(out, _BlockBuilder())
    index_handle = _flush(out, index)
    footer = meta_handle + index_handle
    out += footer + b"\x00" * (40 - len(footer)) + struct.pack("<Q", _MAGIC)
    return bytes(out)


def _flush(out: bytearray, block: _BlockBuilder) -> bytes:
    """Append the block with its trailer to `out`; return its encoded handle."""
    data = block.finish()
    handle = _handle(len(out), len(data))
    out += _with_trailer(data)
    return handle


def read_table(buf) -> list:
    """[(key, value)] of a table, in order, after checking its footer and every checksum."""
    if len(buf) < _FOOTER:
        raise CorruptFile("file is too short to be an sstable")
    if struct.unpack_from("<Q", buf, len(buf) - 8)[0] != _MAGIC:
        raise CorruptFile("not an sstable (bad magic number)")
    footer = buf[len(buf) - _FOOTER:len(buf) - 8]
    _, pos = decode_varint(footer, 0)
    _, pos = decode_varint(footer, pos)
    index_at, pos = decode_varint(footer, pos)
    index_size, _ = decode_varint(footer, pos)
    entries, previous = [], None
    for _, handle in _block_entries(_read_block(buf, index_at, index_size)):
        offset, pos = decode_varint(handle, 0)
        size, _ = decode_varint(handle, pos)
        for key, value in _block_entries(_read_block(buf, offset, size)):
            if previous is not None and key <= previous:
                raise CorruptFile("keys of the table are not in increasing order")
            entries.append((key, value))
            previous = key
    return entries


def _read_block(buf, offset: int, size: int):
    end = offset + size + 5
    if end > len(buf) - _FOOTER:
        raise CorruptFile("truncated block read (a block handle points past the data)")
    stored = struct.unpack_from("<I", buf, offset + size + 1)[0]
    if unmask_crc(stored) != crc32c(buf[offset:offset + size + 1]):
        raise CorruptFile("block checksum mismatch")
    if buf[offset + size] != 0:
        raise CorruptFile(f"block compression type {buf[offset + size]} is not supported "
                          "(only uncompressed tables)")
    return buf[offset:offset + size]


def _block_entries(block):
    """Yield the (key, value) pairs of one block, undoing the prefix compression."""
    if len(block) < 4:
        raise CorruptFile("bad block contents (shorter than its restart count)")
    restarts = struct.unpack_from("<I", block, len(block) - 4)[0]
    end = len(block) - 4 - 4 * restarts
    if restarts < 1 or end < 0:
        raise CorruptFile("bad block contents (restart count out of range)")
    pos, key = 0, b""
    while pos < end:
        shared, pos = decode_varint(block, pos)
        fresh, pos = decode_varint(block, pos)
        size, pos = decode_varint(block, pos)
        if shared > len(key) or pos + fresh + size > end:
            raise CorruptFile("bad entry in block")
        key = key[:shared] + bytes(block[pos:pos + fresh])
        yield key, bytes(block[pos + fresh:pos + fresh + size])
        pos += fresh + size
