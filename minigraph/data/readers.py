"""File sources of tf.data (TextLineDataset, TFRecordDataset) and the TFRecord format.

Lives here: the TFRecord framing (each record: little-endian uint64 length, masked CRC-32C
of the length, the bytes, masked CRC-32C of the bytes; optionally GZIP or ZLIB
compressed), `TFRecordWriter` and `tf_record_iterator`, and the two datasets. Files are read
when the iterator is initialized, one record or line at a time. Parsing tf.train.Example
protos is not part of minigraph.
"""

from __future__ import annotations

import glob
import gzip
import struct
import zlib

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.errors import DataLossError, InvalidArgumentError, NotFoundError
from ..framework.shapes import TensorShape
from ..ops.constant_op import convert_to_tensor
from .dataset_ops import BUILDERS, Dataset
from .structure import TensorSpec

__all__ = ["TextLineDataset", "TFRecordDataset", "list_files", "TFRecordWriter", "TFRecordOptions",
           "tf_record_iterator", "crc32c", "masked_crc32c"]


def _crc_table() -> list:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1  # Castagnoli polynomial, reflected
        table.append(c)
    return table


_TABLE = _crc_table()


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli) of `data`.  Example: crc32c(b"123456789") -> 0xE3069283."""
    crc = 0xFFFFFFFF
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """The CRC TFRecord stores: rotated right by 15 bits plus a constant (mod 2**32)."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


_COMPRESSIONS = {None: "", "": "", "GZIP": "GZIP", "ZLIB": "ZLIB"}


def _compression(value) -> str:
    value = getattr(value, "compression_type", value)
    if isinstance(value, int):  # TFRecordCompressionType: NONE 0, ZLIB 1, GZIP 2
        value = {0: "", 1: "ZLIB", 2: "GZIP"}.get(value)
    if value not in _COMPRESSIONS:
        raise ValueError(f"Unsupported compression_type {value!r}. Fix: use None, '', "
                         "'GZIP' or 'ZLIB'.")
    return _COMPRESSIONS[value]


def _read_file(path: str, compression: str) -> bytes:
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise NotFoundError(None, None, f"{path}; No such file or directory") from None
    if compression == "GZIP":
        return gzip.decompress(raw)
    if compression == "ZLIB":
        return zlib.decompress(raw)
    return raw


def _records(data: bytes, path: str):
    """Yield the records of a TFRecord file's bytes, checking both CRCs of each."""
    offset = 0
    while offset < len(data):
        header = data[offset:offset + 12]
        if len(header) < 12:
            raise DataLossError(None, None, f"truncated record at {offset} in {path}")
        (length,), (length_crc,) = struct.unpack("<Q", header[:8]), struct.unpack("<I",
                                                                                 header[8:])
        if masked_crc32c(header[:8]) != length_crc:
            raise DataLossError(None, None, f"corrupted record at {offset} in {path}")
        body = data[offset + 12:offset + 12 + length]
        footer = data[offset + 12 + length:offset + 16 + length]
        if len(body) < length or len(footer) < 4:
            raise DataLossError(None, None, f"truncated record at {offset} in {path}")
        if masked_crc32c(body) != struct.unpack("<I", footer)[0]:
            raise DataLossError(None, None, f"corrupted record at {offset} in {path}")
        yield body
        offset += 16 + length


def _frame(record: bytes) -> bytes:
    length = struct.pack("<Q", len(record))
    return length + struct.pack("<I", masked_crc32c(length)) + record + \
        struct.pack("<I", masked_crc32c(record))


class TFRecordOptions:
    """Options of a TFRecord file: `compression_type` None, 'GZIP' or 'ZLIB'."""

    def __init__(self, compression_type=None):
        self.compression_type = _compression(compression_type)


class TFRecordWriter:
    """Write records (bytes) to a TFRecord file.  Example:
        with tf.io.TFRecordWriter("a.tfrecord") as w: w.write(b"record")
    The file is complete once the writer is closed.
    """

    def __init__(self, path: str, options=None):
        self._path = path
        self._compression = _compression(options)
        self._chunks = []
        open(path, "wb").close()  # fail now, as TF does, if the file cannot be created

    def write(self, record) -> None:
        if isinstance(record, str):
            record = record.encode()
        self._chunks.append(_frame(bytes(record)))

    def flush(self) -> None:
        data = b"".join(self._chunks)
        if self._compression == "GZIP":
            data = gzip.compress(data)
        elif self._compression == "ZLIB":
            data = zlib.compress(data)
        with open(self._path, "wb") as f:
            f.write(data)

    def close(self) -> None:
        self.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def tf_record_iterator(path: str, options=None):
    """Yield the records of a TFRecord file as bytes (tf.python_io.tf_record_iterator)."""
    yield from _records(_read_file(path, _compression(options)), path)


class _FileDataset(Dataset):
    """Elements read from the files named by a string scalar or vector."""

    def __init__(self, filenames, compression_type):
        self._filenames = convert_to_tensor(filenames, dtype=_dtypes.string, name="filenames")
        if self._filenames.shape.ndims not in (None, 0, 1):
            raise ValueError(f"`filenames` must be a scalar or a vector of strings, got shape "
                             f"{self._filenames.shape}.")
        self._compression = _compression(compression_type)
        super().__init__(TensorSpec(TensorShape([]), _dtypes.string),
                         inputs=[self._filenames])

    def _paths(self, env) -> list:
        names = np.asarray(env.value(self._filenames), dtype=object).reshape(-1)
        return [n.decode() if isinstance(n, bytes) else str(n) for n in names]


class TextLineDataset(_FileDataset):
    """The lines of text files, without their line ends ('\\n' or '\\r\\n').

    Example: `tf.data.TextLineDataset("poem.txt")` -> b"first line", b"second line", ...
    """

    def __init__(self, filenames, compression_type=None, buffer_size=None):
        super().__init__(filenames, compression_type)

    def iterate(self, env):
        for path in self._paths(env):
            data = _read_file(path, self._compression)
            lines = data.split(b"\n")
            if lines and lines[-1] == b"":
                lines.pop()  # a final line end does not start another line
            for line in lines:
                yield (line[:-1] if line.endswith(b"\r") else line,)


class TFRecordDataset(_FileDataset):
    """The records of TFRecord files, as strings (checked against their CRCs).

    Example: `tf.data.TFRecordDataset(["a.tfrecord"]).map(parse_fn)`.
    """

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None):
        super().__init__(filenames, compression_type)

    def iterate(self, env):
        for path in self._paths(env):
            for record in _records(_read_file(path, self._compression), path):
                yield (record,)


class _MatchingFilesDataset(_FileDataset):
    """The names of the files matching glob patterns, sorted (TF's MatchingFiles)."""

    def __init__(self, file_pattern):
        super().__init__(file_pattern, None)

    def iterate(self, env):
        found = sorted({name for pattern in self._paths(env) for name in glob.glob(pattern)})
        if not found:
            raise InvalidArgumentError(None, None, f"No files matched pattern: "
                                       f"{', '.join(self._paths(env))}")
        for name in found:
            yield (np.asarray(name.encode(), dtype=object),)


def list_files(file_pattern, shuffle=None, seed=None) -> Dataset:
    """`Dataset.list_files`: the matching file names, shuffled unless shuffle=False (as TF).

    Example: `tf.data.Dataset.list_files("data/*.txt").flat_map(tf.data.TextLineDataset)`.
    """
    files = _MatchingFilesDataset(file_pattern)
    if shuffle is None or shuffle:
        return files.shuffle(1 << 20, seed=seed)  # the whole list, as TF's buffer does
    return files


BUILDERS["list_files"] = list_files
