"""Thumbnails and previews of uploaded images, made lazily and kept next to the original.

Decoding an image is where decompression bombs go off (SECURITY.md 17), so every render
is bounded: only the raster formats the upload recognized are decoded, the pixel count is
checked from the header before any pixel is read, JPEGs are decoded at a reduced scale,
only the first frame of an animation is used, and few renders run at once per process.
A file whose bytes cannot be rendered gets an empty marker blob, so it is refused quickly
from then on instead of being decoded again on every request. Failures that may pass
(storage trouble, memory) mark nothing and answer 503, so a retry can still succeed.
Renditions are written under a temporary name and moved into place, so a reader never
mistakes a half-written one for that marker.
"""

import contextlib
import io
import logging
import os
import secrets
import struct
import threading
from dataclasses import dataclass
from typing import IO, cast

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from PIL import Image, UnidentifiedImageError

from apps.accounts.models import User
from apps.core.errors import ConfabError, InvalidInput, NotFound, TooManyRequests
from apps.files.models import FileInfo
from apps.files.permissions import access_file

logger = logging.getLogger(__name__)

# Beyond this many pixels nothing is decoded. Pillow's own guard raises only at twice its
# limit (and merely warns between), so the size is also checked by hand below.
MAX_PIXELS = 50_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# The formats `apps.files.images` recognizes; Pillow may not guess any other decoder.
DECODERS = ("PNG", "JPEG", "GIF", "WEBP")
RENDERABLE_MIME_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})

# Renders at once per process: each may hold a decoded image of up to MAX_PIXELS.
_RENDER_SLOTS = threading.BoundedSemaphore(2)
_RENDER_WAIT_SECONDS = 10

_JPEG_QUALITY = 85
# EXIF orientations: how to turn the pixels upright; 5 to 8 swap width and height.
_ORIENT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_TRANSPOSED = frozenset({5, 6, 7, 8})


@dataclass(frozen=True)
class Rendition:
    """A kind of derived image: the box it fits in and the name of its blob."""

    name: str
    width: int
    height: int
    error_id: str


THUMBNAIL = Rendition("thumbnail", 480, 360, "api.file.get_file_thumbnail.no_thumbnail.app_error")
PREVIEW = Rendition("preview", 1920, 1080, "api.file.get_file_preview.no_preview.app_error")
RENDITIONS = {r.name: r for r in (THUMBNAIL, PREVIEW)}


class RenderRefused(Exception):
    """The image is too large, damaged or not decodable: it gets no rendition."""


class RenditionUnavailable(ConfabError):
    """Storage or memory failed for now (503); nothing is remembered, so a retry may work."""

    status_code = 503
    default_id = "api.file.get_file_thumbnail.unavailable.app_error"


# What the decoders raise for bytes they will not decode. OSError is among them (Pillow's
# "image file is truncated", "broken data stream"); reads of the stored original are
# wrapped by _StorageReader, so an OSError from storage never reaches this list.
_DECODE_ERRORS = (
    UnidentifiedImageError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
    ValueError,
    SyntaxError,
    EOFError,
    IndexError,
    struct.error,
    OSError,
)


def _unavailable() -> RenditionUnavailable:
    return RenditionUnavailable(
        "The image preview cannot be made right now; try again shortly.",
    )


class _StorageReader:
    """The stored original as Pillow reads it, with storage errors turned into
    RenditionUnavailable: they say nothing about the image, so must not mark it failed."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        try:
            return self._stream.read(size)
        except OSError as exc:
            raise _unavailable() from exc

    def seek(self, offset: int, whence: int = 0) -> int:
        try:
            return self._stream.seek(offset, whence)
        except OSError as exc:
            raise _unavailable() from exc

    def tell(self) -> int:
        try:
            return self._stream.tell()
        except OSError as exc:
            raise _unavailable() from exc


def has_renditions(info: FileInfo) -> bool:
    """Only images whose header bytes were recognized at upload (width set) qualify."""
    return info.mime_type in RENDERABLE_MIME_TYPES and info.width > 0 and info.height > 0


def derived_key(info: FileInfo, rendition: Rendition) -> str:
    """`files/<day>/<id>/<rendition>`: beside the original, so purging the file's folder
    removes its renditions too."""
    folder, _sep, _name = info.path.rpartition("/")
    return f"{folder}/{rendition.name}"


def derived_keys(info: FileInfo) -> list[str]:
    """Every rendition key a file may have (for jobs that purge files)."""
    return [derived_key(info, r) for r in RENDITIONS.values()]


def render(stream: IO[bytes], box: tuple[int, int]) -> tuple[bytes, str]:
    """The image in `stream` scaled down to fit `box`: JPEG bytes, or PNG when it has
    transparency. Returns (bytes, content type).

    Raises:
        RenderRefused: too many pixels, or the bytes do not decode.
        MemoryError, and whatever `stream` raises other than OSError, pass through.
    """
    try:
        with Image.open(stream, formats=DECODERS) as image:
            width, height = image.size
            if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
                raise RenderRefused(f"{width}x{height} is too large to render")
            orientation = image.getexif().get(0x0112, 1)
            fit = (box[1], box[0]) if orientation in _TRANSPOSED else box
            if image.format == "JPEG":
                # Decode at 1/2, 1/4 or 1/8 scale when that still covers the box.
                image.draft("RGB", fit)
            image.seek(0)  # the first frame of an animation
            image.load()
            small = _to_rgb_or_rgba(image)
            small.thumbnail(fit, Image.Resampling.LANCZOS)
            if orientation in _ORIENT:
                small = small.transpose(_ORIENT[orientation])
            return _encode(small)
    except _DECODE_ERRORS as exc:  # the bytes themselves: "no rendition", for good
        raise RenderRefused(f"{type(exc).__name__}: {exc}") from exc


def _to_rgb_or_rgba(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "RGBA"):
        return image  # scaled in place: no full-size copy
    has_alpha = image.mode in ("LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    )
    return image.convert("RGBA" if has_alpha else "RGB")


def _lowest_alpha(image: Image.Image) -> int:
    # One band's extrema are (lowest, highest); the stubs also cover several bands'.
    lowest, _highest = cast(tuple[int, int], image.getchannel("A").getextrema())
    return lowest


def _encode(image: Image.Image) -> tuple[bytes, str]:
    out = io.BytesIO()
    if image.mode == "RGBA" and _lowest_alpha(image) < 255:
        image.save(out, "PNG", optimize=True)
        return out.getvalue(), "image/png"
    image.convert("RGB").save(out, "JPEG", quality=_JPEG_QUALITY, optimize=True)
    return out.getvalue(), "image/jpeg"


def _content_type(head: bytes) -> str:
    return "image/png" if head.startswith(b"\x89PNG") else "image/jpeg"


def _open_stored(key: str) -> tuple[IO[bytes], str] | None:
    """The stored rendition and its type; None when there is none yet.

    Raises:
        RenderRefused: an earlier render failed (the empty marker blob).
    """
    try:
        stream = default_storage.open(key, "rb")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _unavailable() from exc
    try:
        head = stream.read(8)
        if head:
            stream.seek(0)
    except OSError as exc:
        stream.close()
        raise _unavailable() from exc
    if not head:
        stream.close()
        raise RenderRefused("an earlier render failed")
    return stream, _content_type(head)


def _local_path(key: str) -> str | None:
    """Where the storage keeps `key` on this machine, or None when it is not on disk.

    Only a FileSystemStorage qualifies: others may answer path() (InMemoryStorage does)
    without keeping anything there.
    """
    if not isinstance(default_storage, FileSystemStorage):
        return None
    try:
        return default_storage.path(key)
    except NotImplementedError:
        return None


def _store(key: str, data: bytes) -> None:
    """Keep a rendition (or the empty failure marker) under `key`, whole or not at all.

    On disk: a temporary file in the same folder, then an atomic rename over the key.
    Other storages get one save of the complete bytes.
    """
    path = _local_path(key)
    if path is None:
        saved = default_storage.save(key, ContentFile(data))
        if saved != key:
            # Another request rendered it meanwhile; theirs is as good as ours.
            default_storage.delete(saved)
        return
    _replace_file(path, data, getattr(default_storage, "file_permissions_mode", None))


def _replace_file(path: str, data: bytes, mode: int | None) -> None:
    folder, name = os.path.split(path)
    os.makedirs(folder, exist_ok=True)
    temp = os.path.join(folder, f".{name}.{secrets.token_hex(8)}.tmp")
    # 0o666 less the umask, as the storage's own saves get, unless it sets a mode.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _render_and_store(info: FileInfo, rendition: Rendition, key: str) -> tuple[IO[bytes], str]:
    if not _RENDER_SLOTS.acquire(timeout=_RENDER_WAIT_SECONDS):
        raise TooManyRequests(
            "The server is busy making image previews; try again shortly.",
            error_id="api.file.get_file_thumbnail.busy.app_error",
        )
    try:
        stored = _open_stored(key)  # made by another request while this one waited
        if stored is not None:
            return stored
        try:
            original = default_storage.open(info.path, "rb")
        except FileNotFoundError:
            raise NotFound("File not found.", error_id="app.file_info.get.app_error") from None
        except OSError as exc:
            raise _unavailable() from exc
        with original:
            box = (rendition.width, rendition.height)
            try:
                # Pillow calls only read, seek and tell, which _StorageReader provides.
                reader = cast(IO[bytes], _StorageReader(original))
                data, content_type = render(reader, box)
            except RenderRefused as exc:
                logger.info("no %s for file %s: %s", rendition.name, info.id, exc)
                _store_quietly(key, b"", info, rendition)
                raise
            except MemoryError:
                logger.warning("out of memory making the %s of file %s", rendition.name, info.id)
                raise _unavailable() from None
        _store_quietly(key, data, info, rendition)
        return io.BytesIO(data), content_type
    finally:
        _RENDER_SLOTS.release()


def _store_quietly(key: str, data: bytes, info: FileInfo, rendition: Rendition) -> None:
    """Store, but let a storage failure cost only the cache: the answer is already known."""
    try:
        _store(key, data)
    except OSError:
        logger.warning("could not store the %s of file %s", rendition.name, info.id, exc_info=True)


def file_rendition_open(*, actor: User, file_id: str, kind: str) -> tuple[FileInfo, IO[bytes], str]:
    """A readable image file's thumbnail or preview: (info, open stream, content type).

    Authorized like the download, against current membership. Made on first request and
    stored beside the original; the upload itself never waits for it.

    Raises:
        NotFound: the actor cannot read the file (or it is gone).
        InvalidInput: not an image this server renders, or one too large or damaged.
        TooManyRequests: too many renders are already running.
        RenditionUnavailable: storage or memory failed; nothing was remembered.
    """
    rendition = RENDITIONS[kind]
    info = access_file(actor=actor, file_id=file_id)
    refused = InvalidInput(
        f"{info.name} has no {rendition.name} image.", error_id=rendition.error_id
    )
    if not has_renditions(info):
        raise refused
    key = derived_key(info, rendition)
    try:
        stored = _open_stored(key)
        if stored is None:
            stored = _render_and_store(info, rendition, key)
    except RenderRefused:
        raise refused from None
    stream, content_type = stored
    return info, stream, content_type
