"""Uploads for tests, made through the service as the API makes them."""

import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.models import User
from apps.channels.models import Channel
from apps.files.models import FileInfo
from apps.files.services import file_upload


def upload(
    actor: User, channel: Channel, name: str = "notes.txt", content: bytes = b"launch checklist\n"
) -> FileInfo:
    (info,), _client_ids = file_upload(
        actor=actor, channel=channel, files=[SimpleUploadedFile(name, content)]
    )
    return info


def png_bytes(width: int = 3, height: int = 2) -> bytes:
    """A valid PNG of the given size (one grey pixel row repeated)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def gif_bytes(width: int = 4, height: int = 5) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00" + b"\x3b"


def jpeg_bytes(width: int = 640, height: int = 480) -> bytes:
    """A JPEG header with an APP0 segment before the frame header (enough to measure)."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


def webp_bytes(width: int = 7, height: int = 9) -> bytes:
    """A VP8X (extended) WebP header."""
    payload = (
        b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    )
    chunk = b"VP8X" + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk
