"""Image headers are measured without decoding, and non-images are not mistaken for them."""

import io
import struct

import pytest
from PIL import Image

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


# --- GIF: the first frame counts, not only the screen it claims ----------------------------


def gif(
    screen: tuple[int, int],
    frame: tuple[int, int, int, int],
    *,
    palette: bool = False,
    before_frame: bytes = b"",
) -> bytes:
    """A GIF built by hand: header, logical screen, optional global colour table,
    whatever `before_frame` holds, then one image descriptor (left, top, width, height)
    with a token of image data, and the trailer."""
    flags = 0x80 | 0x01 if palette else 0x00  # a 4-colour table when asked
    out = b"GIF89a" + struct.pack("<HHBBB", *screen, flags, 0, 0)
    if palette:
        out += bytes(range(12))
    out += before_frame
    out += b"\x2c" + struct.pack("<HHHHB", *frame, 0)
    out += b"\x02\x02\x44\x01\x00"  # LZW minimum code size, one sub-block, terminator
    return out + b"\x3b"


GRAPHIC_CONTROL = b"\x21\xf9\x04\x00\x0a\x00\x00\x00"
COMMENT = b"\x21\xfe" + b"\x05hello" + b"\x03abc" + b"\x00"


def measure(content: bytes) -> tuple[int, int] | None:
    header = read_image_header(io.BytesIO(content))
    return None if header is None else (header.width, header.height)


def test_a_gif_frame_larger_than_its_screen_sets_the_size() -> None:
    content = gif((1, 1), (0, 0, 6000, 6000))

    assert measure(content) == (6000, 6000)
    # Pillow grows its canvas to the frame just the same: the measure is what it decodes.
    assert Image.open(io.BytesIO(content)).size == (6000, 6000)


def test_a_gif_frames_offset_counts_and_the_screen_still_bounds_from_below() -> None:
    assert measure(gif((10, 10), (100, 50, 20, 30))) == (120, 80)
    assert measure(gif((640, 480), (0, 0, 10, 10))) == (640, 480)
    assert measure(gif((0, 0), (0, 0, 8, 9))) == (8, 9)


def test_the_frame_is_found_behind_a_colour_table_extensions_and_stray_bytes() -> None:
    before = GRAPHIC_CONTROL + COMMENT + b"\x00\x07" + COMMENT  # Pillow skips stray bytes
    content = gif((2, 2), (0, 0, 5000, 7000), palette=True, before_frame=before)

    assert measure(content) == (5000, 7000)
    assert Image.open(io.BytesIO(content)).size == (5000, 7000)


def test_a_gif_whose_first_frame_lies_beyond_the_scan_limit_is_not_measured() -> None:
    padding = b"\x21\xfe" + (b"\xff" + b"x" * 255) * 300 + b"\x00"  # ~77 KB of comment
    assert measure(gif((1, 1), (0, 0, 6000, 6000), before_frame=padding)) is None


def test_a_gif_without_frames_keeps_its_screen_size() -> None:
    assert measure(b"GIF89a" + struct.pack("<HHBBB", 4, 5, 0, 0, 0) + b"\x3b") == (4, 5)
    assert measure(b"GIF89a" + struct.pack("<HHBBB", 4, 5, 0, 0, 0)) == (4, 5)  # truncated
    assert measure(gif((4, 5), (0, 0, 9, 9))[:-12]) == (4, 5)  # descriptor cut short


@pytest.mark.django_db
def test_an_upload_of_a_gif_hiding_a_huge_frame_is_refused() -> None:
    from apps.core.errors import InvalidInput
    from tests.channels.world import build_world
    from tests.files.helpers import upload

    world = build_world()

    with pytest.raises(InvalidInput) as refused:
        upload(world.alice, world.lobby, "tiny.gif", gif((1, 1), (0, 0, 6000, 6000)))

    assert refused.value.error_id == "api.file.upload_file.large_image_detailed.app_error"
    small = upload(world.alice, world.lobby, "small.gif", gif((1, 1), (0, 0, 30, 20)))
    assert (small.mime_type, small.width, small.height) == ("image/gif", 30, 20)
