"""Image headers are measured without decoding, and non-images are not mistaken for them."""

import io

import pytest

from apps.files.images import read_image_header
from tests.files.helpers import gif_bytes, jpeg_bytes, png_bytes, webp_bytes


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (png_bytes(30, 20), ("image/png", 30, 20)),
        (gif_bytes(4, 5), ("image/gif", 4, 5)),
        (jpeg_bytes(640, 480), ("image/jpeg", 640, 480)),
        (webp_bytes(7, 9), ("image/webp", 7, 9)),
    ],
)
def test_image_headers_are_read(content, expected) -> None:
    stream = io.BytesIO(content)
    header = read_image_header(stream)
    assert header is not None
    assert (header.mime_type, header.width, header.height) == expected
    assert stream.tell() == 0


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 8,  # truncated
        png_bytes(1, 1)[:16] + b"\x00" * 8,  # zero size
        b"\xff\xd8\xff" + b"\xff\xda\x00\x02",  # pixel data before any frame header
        b"\xff\xd8\xff\xe0\x00",  # truncated segment
        b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    ],
)
def test_anything_else_is_not_an_image(content) -> None:
    assert read_image_header(io.BytesIO(content)) is None


def test_a_jpeg_frame_header_is_found_behind_large_segments_but_not_too_far() -> None:
    app1 = b"\xff\xe1" + (65535).to_bytes(2, "big") + b"\x00" * 65533
    jpeg = jpeg_bytes(10, 20)
    near = jpeg[:2] + app1 * 3 + jpeg[2:]
    header = read_image_header(io.BytesIO(near))
    assert header is not None and (header.width, header.height) == (10, 20)
    far = jpeg[:2] + app1 * 20 + jpeg[2:]
    assert read_image_header(io.BytesIO(far)) is None
