"""Where file bytes live: Django's default storage, under keys built from ids only.

The key never contains anything the uploader chose, so no file name can reach outside
the storage root or collide with another file.
"""

import re
from typing import IO

from django.core.files import File
from django.core.files.storage import default_storage

from apps.core.timeutils import ms_to_datetime

_KEY = re.compile(r"^files/\d{8}/[a-z0-9]{26}/data$")


def storage_key(*, file_id: str, create_at: int) -> str:
    """`files/<yyyymmdd>/<file id>/data`: dated for retention jobs, one folder per file."""
    key = f"files/{ms_to_datetime(create_at):%Y%m%d}/{file_id}/data"
    if not _KEY.match(key):
        raise ValueError(f"unsafe storage key {key!r}")
    return key


def blob_save(*, key: str, content: File) -> str:
    """Stream `content` to storage chunk by chunk; returns the key actually used."""
    content.seek(0)
    saved = default_storage.save(key, content)
    if saved != key:
        # Ids are unique, so a renamed key means a stale blob was already there.
        default_storage.delete(saved)
        raise RuntimeError(f"storage key {key!r} is already taken")
    return saved


def blob_open(key: str) -> IO[bytes]:
    return default_storage.open(key, "rb")


def blob_delete(key: str) -> None:
    default_storage.delete(key)


def blob_exists(key: str) -> bool:
    return default_storage.exists(key)
