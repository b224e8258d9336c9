"""`tf.train.summary_iterator`: read the events of a TensorBoard event file back.

Lives here: the TFRecord reader (length, masked CRC32C of the length, data, masked CRC32C of
the data; a corrupt record raises DataLossError) and `summary_iterator`, which yields `Event`
protos from tensorboard's proto package (the `tensorboard` extra, imported lazily).
"""

from __future__ import annotations

import functools
import struct
from typing import Iterator

from ..framework.errors import DataLossError
from .event_writer import tensorboard_modules

__all__ = ["summary_iterator"]


@functools.cache
def crc32c_table() -> tuple:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
        table.append(crc)
    return tuple(table)


def masked_crc32c(data: bytes) -> int:
    """CRC32C (Castagnoli) of `data`, masked as TFRecord files store it."""
    table, crc = crc32c_table(), 0xFFFFFFFF
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    crc ^= 0xFFFFFFFF
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def read_records(path: str) -> Iterator[bytes]:
    """Yield the payload of every record of the TFRecord file `path`."""
    with open(path, "rb") as f:
        while header := f.read(12):
            if len(header) < 12:
                raise DataLossError(None, None, f"Truncated record header in {path}.")
            length, length_crc = struct.unpack("<QI", header)
            if masked_crc32c(header[:8]) != length_crc:
                raise DataLossError(None, None, f"Corrupted record length in {path}.")
            data, data_crc = f.read(length), f.read(4)
            if len(data) < length or len(data_crc) < 4:
                raise DataLossError(None, None, f"Truncated record in {path}.")
            if masked_crc32c(data) != struct.unpack("<I", data_crc)[0]:
                raise DataLossError(None, None, f"Corrupted record data in {path}.")
            yield data


def summary_iterator(path: str):
    """Yield each `Event` proto of the event file `path` (the file_version event first).

    Needs the `tensorboard` extra for the Event proto.
    Example: `for e in tf.train.summary_iterator(path): for v in e.summary.value: print(v.tag)`.
    """
    event_pb2 = tensorboard_modules()[0]
    for record in read_records(path):
        yield event_pb2.Event.FromString(record)
