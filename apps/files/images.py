"""Raster image type and dimensions, read from the header bytes without decoding pixels.

Only the formats browsers may show inline are recognized (PNG, JPEG, GIF, WebP). The
dimensions come from the header, so an image is measured (and a huge one refused)
before anything ever decodes it, which is how decompression bombs are kept out.
"""

import struct
from dataclasses import dataclass
from typing import IO

# A JPEG's frame header may sit behind large EXIF or ICC segments; never scan further.
_JPEG_SCAN_LIMIT = 1024 * 1024
_JPEG_MAX_SEGMENTS = 512
# SOFn markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) are not frames.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# A GIF's first frame may sit behind a colour table and extension blocks; never scan further.
_GIF_SCAN_LIMIT = 64 * 1024


@dataclass(frozen=True)
class ImageHeader:
    mime_type: str
    width: int
    height: int


def read_image_header(stream: IO[bytes]) -> ImageHeader | None:
    """The type and size of a PNG, JPEG, GIF or WebP image, or None for anything else.

    Reads a bounded prefix of `stream` and leaves it positioned at the start.
    """
    stream.seek(0)
    try:
        head = stream.read(64)
        if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
            width, height = struct.unpack(">II", head[16:24])
            return _header("image/png", width, height)
        if head[:6] in (b"GIF87a", b"GIF89a"):
            return _gif(stream)
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            return _webp(head)
        if head[:3] == b"\xff\xd8\xff":
            return _jpeg(stream)
        return None
    except (struct.error, ValueError):
        return None
    finally:
        stream.seek(0)


def _header(mime_type: str, width: int, height: int) -> ImageHeader | None:
    if width <= 0 or height <= 0:
        return None
    return ImageHeader(mime_type=mime_type, width=width, height=height)


def _webp(head: bytes) -> ImageHeader | None:
    chunk = head[12:16]
    if chunk == b"VP8 " and head[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", head[26:30])
        return _header("image/webp", width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L" and head[20] == 0x2F:
        bits = int.from_bytes(head[21:25], "little")
        return _header("image/webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8X":
        width = int.from_bytes(head[24:27], "little") + 1
        height = int.from_bytes(head[27:30], "little") + 1
        return _header("image/webp", width, height)
    return None


def _jpeg(stream: IO[bytes]) -> ImageHeader | None:
    stream.seek(2)
    for _ in range(_JPEG_MAX_SEGMENTS):
        if stream.tell() > _JPEG_SCAN_LIMIT:
            return None
        marker = stream.read(2)
        if len(marker) < 2 or marker[0] != 0xFF:
            return None
        kind = marker[1]
        if kind == 0xFF:  # fill byte before a marker
            stream.seek(-1, 1)
            continue
        if kind in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            continue
        if kind in (0xD9, 0xDA):  # end of image, or pixel data before any frame header
            return None
        length_bytes = stream.read(2)
        if len(length_bytes) < 2:
            return None
        (length,) = struct.unpack(">H", length_bytes)
        if length < 2:
            return None
        if kind in _JPEG_SOF:
            frame = stream.read(5)
            if len(frame) < 5:
                return None
            height, width = struct.unpack(">HH", frame[1:5])
            return _header("image/jpeg", width, height)
        stream.seek(length - 2, 1)
    return None


def _gif(stream: IO[bytes]) -> ImageHeader | None:
    """The larger of the logical screen and the first frame's extent.

    The screen size alone is the sender's word: a GIF may declare a 1x1 screen and carry a
    6000x6000 first frame, which decoders (Pillow included) grow the canvas to. The walk
    mirrors Pillow's: extensions are skipped by their sub-blocks and stray bytes one by one.
    A GIF whose first frame is not found within the scan limit is not measured (None).
    """
    stream.seek(0)
    data = stream.read(_GIF_SCAN_LIMIT)
    width, height, flags = struct.unpack("<HHB", data[6:11])
    pos = 13
    if flags & 0x80:  # global colour table
        pos += 3 << ((flags & 0x07) + 1)
    while pos < len(data):
        introducer = data[pos]
        if introducer == 0x3B:  # trailer: there is no frame to grow the canvas
            return _header("image/gif", width, height)
        if introducer == 0x2C:  # image descriptor: left, top, width, height
            descriptor = data[pos + 1 : pos + 9]
            if len(descriptor) < 8:
                break
            left, top, frame_width, frame_height = struct.unpack("<HHHH", descriptor)
            return _header(
                "image/gif", max(width, left + frame_width), max(height, top + frame_height)
            )
        if introducer == 0x21:  # extension: a label, then sub-blocks up to an empty one
            pos += 2
            while pos < len(data) and data[pos]:
                pos += data[pos] + 1
            pos += 1
            continue
        pos += 1  # Pillow skips a byte it does not know; so must the measure
    if len(data) >= _GIF_SCAN_LIMIT:
        return None  # the first frame may lie beyond what was read: not measured
    # The file ends (or its trailer comes) before any frame: nothing larger to decode.
    return _header("image/gif", width, height)
