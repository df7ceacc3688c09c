"""Thumbnails and previews (`GET /files/{id}/thumbnail`, `/preview`): bounded in size,
authorized like the download, refused for non-images and decompression bombs
(SECURITY.md 17 and 18)."""

import io
import resource
import struct
import time
import zlib

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from PIL import Image

from apps.accounts.services.sessions import session_create
from apps.channels.services import channel_member_remove
from apps.files import thumbnails
from apps.files.thumbnails import PREVIEW, THUMBNAIL, RenderRefused, derived_key, render
from tests.channels.world import World, build_world, say
from tests.files.helpers import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db) -> World:
    return build_world()


def image_bytes(fmt: str, size: tuple[int, int], mode: str = "RGB", **save) -> bytes:
    colour = (200, 40, 40, 120) if mode == "RGBA" else (200, 40, 40)
    out = io.BytesIO()
    Image.new(mode, size, colour[: len(mode)]).save(out, fmt, **save)
    return out.getvalue()


def bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A PNG whose header claims `width`x`height` pixels over a few bytes of data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def fetch(user, file_id: str, kind: str = "thumbnail"):
    headers = {}
    if user is not None:
        _session, token = session_create(user=user)
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return Client().get(f"/api/v4/files/{file_id}/{kind}", **headers)


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def decoded(response) -> Image.Image:
    return Image.open(io.BytesIO(body_of(response)))


def shared(world: World, name: str, content: bytes):
    """An upload by alice attached to a post in the private channel (alice and bob)."""
    info = upload(world.alice, world.secret, name, content)
    say(world.alice, world.secret, "look", file_ids=[info.id])
    return info


# --- sizes and types -----------------------------------------------------------------------


def test_a_png_thumbnail_fits_the_box_with_safe_headers(world: World) -> None:
    info = shared(world, "chart.png", image_bytes("PNG", (1000, 800)))

    response = fetch(world.bob, info.id)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"  # opaque: JPEG
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == "inline"
    assert response["Cache-Control"].startswith("private")
    assert "sandbox" in response["Content-Security-Policy"]
    image = decoded(response)
    assert image.format == "JPEG"
    assert image.size == (450, 360)
    assert default_storage.exists(derived_key(info, THUMBNAIL))


def test_a_jpeg_thumbnail_and_preview_fit_their_boxes(world: World) -> None:
    info = shared(world, "photo.jpg", image_bytes("JPEG", (3000, 2000)))

    thumb = fetch(world.bob, info.id, "thumbnail")
    preview = fetch(world.bob, info.id, "preview")

    assert (thumb.status_code, preview.status_code) == (200, 200)
    assert thumb["Content-Type"] == preview["Content-Type"] == "image/jpeg"
    assert decoded(thumb).size == (480, 320)
    assert decoded(preview).size == (1620, 1080)


def test_a_small_image_is_not_enlarged(world: World) -> None:
    info = shared(world, "icon.png", image_bytes("PNG", (40, 30)))

    assert decoded(fetch(world.bob, info.id, "preview")).size == (40, 30)


def test_transparency_is_kept_as_png(world: World) -> None:
    info = shared(world, "logo.png", image_bytes("PNG", (800, 800), "RGBA"))

    response = fetch(world.bob, info.id)

    assert response["Content-Type"] == "image/png"
    image = decoded(response)
    assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (360, 360))


def test_only_the_first_frame_of_an_animated_gif_is_used(world: World) -> None:
    frames = [Image.new("RGB", (600, 300), c) for c in ((255, 0, 0), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    info = shared(world, "anim.gif", out.getvalue())

    image = decoded(fetch(world.bob, info.id))

    assert image.format == "JPEG" and image.size == (480, 240)
    red, _green, blue = image.convert("RGB").getpixel((10, 10))
    assert red > 200 and blue < 60


def test_exif_orientation_turns_the_thumbnail_upright(world: World) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to show
    info = shared(world, "phone.jpg", image_bytes("JPEG", (1200, 900), exif=exif.tobytes()))

    assert decoded(fetch(world.bob, info.id)).size == (270, 360)


def test_a_webp_gets_a_thumbnail(world: World) -> None:
    info = shared(world, "pic.webp", image_bytes("WEBP", (960, 720)))

    response = fetch(world.bob, info.id)

    assert response.status_code == 200
    assert decoded(response).size == (480, 360)


# --- who may see them --------------------------------------------------------------------


def test_thumbnails_are_authorized_like_downloads(world: World) -> None:
    info = shared(world, "plan.png", image_bytes("PNG", (100, 100)))

    assert fetch(world.alice, info.id).status_code == 200
    assert fetch(world.bob, info.id).status_code == 200
    for outsider in (world.carol, world.dave, world.outsider, world.admin):
        refused = fetch(outsider, info.id, "thumbnail")
        assert refused.status_code == 404, outsider.username
        assert refused.json()["id"] == "app.file_info.get.app_error"
        assert fetch(outsider, info.id, "preview").status_code == 404
    assert fetch(None, info.id).status_code == 401

    # Right after removal, with the same kind of session, the cached rendition is refused.
    channel_member_remove(actor=world.alice, channel_id=world.secret.id, user_id=world.bob.id)
    assert fetch(world.bob, info.id).status_code == 404


def test_an_unattached_upload_is_its_uploaders_only(world: World) -> None:
    info = upload(world.alice, world.lobby, "draft.png", image_bytes("PNG", (64, 64)))

    assert fetch(world.alice, info.id).status_code == 200
    assert fetch(world.bob, info.id).status_code == 404


def test_an_unknown_file_is_404(world: World) -> None:
    assert fetch(world.alice, "x" * 26).status_code == 404
    assert fetch(world.alice, "not-an-id").status_code == 404


# --- what is refused ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.txt", b"launch checklist\n"),
        ("report.pdf", b"%PDF-1.4\n%%EOF\n"),
        ("page.html", b"<script>alert(1)</script>"),
        ("vector.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("fake.png", b"<html><script>alert(1)</script></html>"),  # image name, not image bytes
    ],
)
def test_a_non_image_answers_400(world: World, name: str, content: bytes) -> None:
    info = shared(world, name, content)

    for kind, rendition in (("thumbnail", THUMBNAIL), ("preview", PREVIEW)):
        response = fetch(world.bob, info.id, kind)
        assert response.status_code == 400
        assert response["Content-Type"] == "application/json"
        assert response.json()["id"] == rendition.error_id


@pytest.mark.parametrize("name", ["page.html", "vector.svg"])
def test_html_and_svg_are_only_ever_downloaded(world: World, name: str) -> None:
    info = shared(world, name, b"<svg><script>alert(1)</script></svg>")
    _session, token = session_create(user=world.bob)

    response = Client().get(f"/api/v4/files/{info.id}", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_decompression_bomb_is_refused_without_decoding(world: World, settings) -> None:
    # Let the upload through (it refuses over 33 MP itself), to reach the renderer.
    settings.CONFAB_MAX_IMAGE_RESOLUTION = 10**10
    info = shared(world, "bomb.png", bomb_png())
    assert (info.width, info.height) == (30_000, 30_000)
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    started = time.monotonic()
    response = fetch(world.bob, info.id)
    again = fetch(world.bob, info.id, "thumbnail")

    assert response.status_code == again.status_code == 400
    assert response.json()["id"] == THUMBNAIL.error_id
    assert time.monotonic() - started < 5
    # 900 MP of RGB would be 2.7 GB; the peak must not move by anything like that.
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    assert grown_kib < 100 * 1024
    # The refusal is remembered (an empty marker), so later requests decode nothing.
    with default_storage.open(derived_key(info, THUMBNAIL), "rb") as marker:
        assert marker.read() == b""


def test_the_renderer_refuses_too_many_pixels_itself() -> None:
    with pytest.raises(RenderRefused):
        render(io.BytesIO(bomb_png(8_000, 7_000)), (480, 360))  # 56 MP
    with pytest.raises(RenderRefused):
        render(io.BytesIO(bomb_png(60_000, 60_000)), (480, 360))  # past Pillow's own guard


def test_a_damaged_image_gets_no_thumbnail(world: World) -> None:
    truncated = image_bytes("PNG", (300, 300))[:60]
    info = shared(world, "broken.png", truncated)
    assert info.width == 300

    assert fetch(world.bob, info.id).status_code == 400
    assert fetch(world.bob, info.id, "preview").status_code == 400


def test_the_renderer_never_guesses_other_formats() -> None:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "BMP")
    with pytest.raises(RenderRefused):
        render(io.BytesIO(out.getvalue()), (480, 360))


def test_renders_wait_for_a_free_slot(world: World, monkeypatch) -> None:
    """When every render slot is taken, a request is told to come back (429) instead
    of decoding yet another image at the same time."""
    info = shared(world, "busy.png", image_bytes("PNG", (200, 200)))
    monkeypatch.setattr(thumbnails, "_RENDER_WAIT_SECONDS", 0.01)
    taken = [thumbnails._RENDER_SLOTS.acquire(timeout=1) for _ in range(2)]
    try:
        response = fetch(world.bob, info.id)
    finally:
        for ok in taken:
            if ok:
                thumbnails._RENDER_SLOTS.release()

    assert response.status_code == 429
    assert fetch(world.bob, info.id).status_code == 200


# --- what is remembered, and what is not ---------------------------------------------------


def test_a_damaged_image_is_remembered_as_failed(world: World) -> None:
    info = shared(world, "broken.png", image_bytes("PNG", (300, 300))[:60])

    assert fetch(world.bob, info.id).status_code == 400

    with default_storage.open(derived_key(info, THUMBNAIL), "rb") as marker:
        assert marker.read() == b""


def test_running_out_of_memory_answers_503_and_marks_nothing(world: World, monkeypatch) -> None:
    from PIL import ImageFile

    info = shared(world, "big.png", image_bytes("PNG", (600, 400)))

    def no_memory(self):
        raise MemoryError

    with monkeypatch.context() as patched:
        patched.setattr(ImageFile.ImageFile, "load", no_memory)
        response = fetch(world.bob, info.id)

    assert response.status_code == 503
    assert response.json()["id"] == "api.file.get_file_thumbnail.unavailable.app_error"
    assert not default_storage.exists(derived_key(info, THUMBNAIL))
    assert fetch(world.bob, info.id).status_code == 200  # the next try renders it


class _FailingRead(io.BytesIO):
    def read(self, size: int = -1) -> bytes:
        raise OSError(5, "Input/output error")


class _FlakyStorage:
    """The real storage, except that the original's bytes cannot be read (or opened)."""

    def __init__(self, inner, path: str, *, on_open: bool) -> None:
        self._inner, self._path, self._on_open = inner, path, on_open

    def open(self, name: str, mode: str = "rb"):
        if name != self._path:
            return self._inner.open(name, mode)
        if self._on_open:
            raise PermissionError(13, "Permission denied")
        return _FailingRead(b"")

    def __getattr__(self, name: str):
        return getattr(self._inner, name)


@pytest.mark.parametrize("on_open", [False, True], ids=["read", "open"])
def test_a_storage_error_answers_503_and_marks_nothing(
    world: World, monkeypatch, on_open: bool
) -> None:
    info = shared(world, "photo.png", image_bytes("PNG", (600, 400)))

    with monkeypatch.context() as patched:
        flaky = _FlakyStorage(default_storage, info.path, on_open=on_open)
        patched.setattr(thumbnails, "default_storage", flaky)
        response = fetch(world.bob, info.id, "preview")

    assert response.status_code == 503
    assert not default_storage.exists(derived_key(info, PREVIEW))
    assert fetch(world.bob, info.id, "preview").status_code == 200


def test_a_rendition_that_cannot_be_stored_is_still_served(world: World, monkeypatch) -> None:
    info = shared(world, "photo.png", image_bytes("PNG", (600, 400)))

    def disk_full(key: str, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(thumbnails, "_store", disk_full)

    assert fetch(world.bob, info.id).status_code == 200
    assert not default_storage.exists(derived_key(info, THUMBNAIL))


# --- atomic saves --------------------------------------------------------------------------


@pytest.fixture
def disk(settings, tmp_path):
    """Files kept on disk (the production storage) in a folder of the test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def test_a_rendition_on_disk_is_moved_into_place_whole(world: World, disk, monkeypatch) -> None:
    import os

    info = shared(world, "photo.jpg", image_bytes("JPEG", (1200, 900)))
    final = os.path.join(str(disk), derived_key(info, THUMBNAIL))
    seen = []
    real_replace = os.replace

    def watched(src, dst):
        # At the moment of the move the key does not exist yet and the temporary file,
        # beside it, already holds every byte: no reader sees a partial thumbnail.
        with open(src, "rb") as temp:
            seen.append((os.path.dirname(src), dst, os.path.exists(dst), temp.read()))
        return real_replace(src, dst)

    monkeypatch.setattr(thumbnails.os, "replace", watched)

    response = fetch(world.bob, info.id)

    assert response.status_code == 200
    body = body_of(response)
    assert seen == [(os.path.dirname(final), final, False, body)]
    with open(final, "rb") as stored:
        assert stored.read() == body
    assert not [n for n in os.listdir(os.path.dirname(final)) if n.endswith(".tmp")]
    assert fetch(world.bob, info.id).status_code == 200  # served from disk


def test_a_failed_write_leaves_nothing_behind(world: World, disk, monkeypatch) -> None:
    import os

    key = "files/20240101/abc/thumbnail"

    def broken_disk(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(thumbnails.os, "fsync", broken_disk)

    with pytest.raises(OSError):
        thumbnails._store(key, b"\xff\xd8\xff" + b"x" * 1000)

    folder = disk / "files" / "20240101" / "abc"
    assert os.listdir(folder) == []


def test_a_stored_rendition_is_replaced_whole_on_disk(disk) -> None:
    key = "files/20240101/abc/preview"

    thumbnails._store(key, b"first")
    thumbnails._store(key, b"second")

    assert (disk / key).read_bytes() == b"second"
    assert [p.name for p in (disk / key).parent.iterdir()] == ["preview"]
