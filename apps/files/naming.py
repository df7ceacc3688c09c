"""File names, extensions and MIME types as stored and shown: never trusted as paths."""

import mimetypes
import unicodedata

NAME_MAX_LENGTH = 255
EXTENSION_MAX_LENGTH = 64
FALLBACK_NAME = "file"
DEFAULT_MIME_TYPE = "application/octet-stream"

# Python's built-in table only, so the answer does not depend on the host's
# /etc/mime.types (CI and production would otherwise disagree).
_MIME_TYPES = mimetypes.MimeTypes(filenames=())
# Common extensions the built-in table lacks (it treats .gz and friends as encodings).
_EXTRA_TYPES = {
    "webp": "image/webp",
    "md": "text/markdown",
    "log": "text/plain",
    "gz": "application/gzip",
    "tgz": "application/gzip",
    "bz2": "application/x-bzip2",
    "xz": "application/x-xz",
    "7z": "application/x-7z-compressed",
}


def clean_file_name(raw: object) -> str:
    """A display name safe to store and show: the last path part, no control characters,
    at most 255 characters (the extension is kept when the stem is shortened)."""
    name = unicodedata.normalize("NFC", raw if isinstance(raw, str) else "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = name.strip().lstrip(".").strip()
    if not name:
        return FALLBACK_NAME
    if len(name) > NAME_MAX_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= EXTENSION_MAX_LENGTH:
            name = f"{stem[: NAME_MAX_LENGTH - len(extension) - 1]}.{extension}"
        else:
            name = name[:NAME_MAX_LENGTH]
    return name


def file_extension(name: str) -> str:
    """Lowercase extension without the dot, as Mattermost reports it ("" for none)."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > EXTENSION_MAX_LENGTH:
        return ""
    return extension.lower()


def mime_type_for(extension: str) -> str:
    """The MIME type of an extension; the client's claimed type is never used."""
    if not extension:
        return DEFAULT_MIME_TYPE
    if extension in _EXTRA_TYPES:
        return _EXTRA_TYPES[extension]
    return _MIME_TYPES.types_map[True].get(f".{extension}", DEFAULT_MIME_TYPE)
