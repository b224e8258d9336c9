"""A minimal PNG encoder and decoder (8-bit gray, RGB, RGBA) in pure Python on zlib.

Lives here: `encode_png` (used by the ImageSummary kernel, so image summaries need no image
library; rows unfiltered) and `decode_png` (every PNG row filter, non-interlaced 8-bit only:
enough to read summaries written by minigraph or TensorFlow back in tests and tools).
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

__all__ = ["encode_png", "decode_png"]

SIGNATURE = b"\x89PNG\r\n\x1a\n"
COLOR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}      # channels -> PNG colour type


def chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of a uint8 image [height, width, channels] with 1 to 4 channels."""
    height, width, channels = image.shape
    if image.dtype != np.uint8 or channels not in COLOR_TYPES:
        raise ValueError(f"encode_png needs a uint8 [height, width, 1-4] image, got "
                         f"{image.dtype} {image.shape}.")
    header = struct.pack(">IIBBBBB", width, height, 8, COLOR_TYPES[channels], 0, 0, 0)
    rows = np.zeros((height, 1 + width * channels), np.uint8)   # filter byte 0: "None"
    rows[:, 1:] = image.reshape(height, width * channels)
    return (SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes()))
            + chunk(b"IEND", b""))


def decode_png(data: bytes) -> np.ndarray:
    """The uint8 [height, width, channels] image of PNG bytes written with filter type 0."""
    if not data.startswith(SIGNATURE):
        raise ValueError("not a PNG file (bad signature)")
    pos, idat, header = len(SIGNATURE), b"", None
    while pos < len(data):
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + size]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + size
    width, height, depth, color_type = header[:4]
    channels = {v: k for k, v in COLOR_TYPES.items()}[color_type]
    if depth != 8 or header[6] != 0:
        raise ValueError("decode_png reads 8-bit, non-interlaced PNGs only")
    rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(height, -1)
    pixels = np.zeros((height, width * channels), np.uint8)
    previous = np.zeros(width * channels, np.int32)
    for y in range(height):
        previous = unfilter(rows[y, 0], rows[y, 1:].astype(np.int32), previous, channels)
        pixels[y] = previous
    return pixels.reshape(height, width, channels)


def unfilter(kind: int, row: np.ndarray, above: np.ndarray, step: int) -> np.ndarray:
    """Undo one row's PNG filter (0 None, 1 Sub, 2 Up, 3 Average, 4 Paeth)."""
    if kind == 0:
        return row
    if kind == 2:
        return (row + above) & 0xFF
    out = row.copy()
    for i in range(len(row)):
        left = out[i - step] if i >= step else 0
        if kind == 1:
            guess = left
        elif kind == 3:
            guess = (left + above[i]) // 2
        else:
            upper_left = above[i - step] if i >= step else 0
            estimate = left + above[i] - upper_left
            distances = (abs(estimate - left), abs(estimate - above[i]),
                         abs(estimate - upper_left))
            guess = (left, above[i], upper_left)[distances.index(min(distances))]
        out[i] = (row[i] + guess) & 0xFF
    return out
