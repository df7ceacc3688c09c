"""Reads of file metadata, filtered by what the actor may see."""

from collections import defaultdict
from collections.abc import Iterable
from typing import IO

from apps.accounts.models import User
from apps.core.errors import NotFound
from apps.files import storage
from apps.files.errors import FeatureDisabled
from apps.files.models import FileInfo
from apps.files.permissions import access_file
from apps.posts.models import Post
from apps.posts.permissions import access_post


def file_get(*, actor: User, file_id: str) -> FileInfo:
    return access_file(actor=actor, file_id=file_id)


def file_open(*, actor: User, file_id: str) -> tuple[FileInfo, IO[bytes]]:
    """A readable file's metadata and an open binary stream of its bytes."""
    info = access_file(actor=actor, file_id=file_id)
    try:
        return info, storage.blob_open(info.path)
    except FileNotFoundError:
        # The row outlived its bytes (a purge in progress, a lost volume).
        raise NotFound("File not found.", error_id="app.file_info.get.app_error") from None


def file_public_link(*, actor: User, file_id: str) -> str:
    """Public links are off: every download is authorized per request (501 once the
    caller has shown they may read the file, so ids cannot be probed)."""
    access_file(actor=actor, file_id=file_id)
    raise FeatureDisabled(
        "Public links are disabled.", error_id="api.file.get_public_link.disabled.app_error"
    )


def file_list_for_post(*, actor: User, post_id: str) -> list[FileInfo]:
    """The files a post shows, in the order of its `file_ids`."""
    post, _channel, _membership = access_post(actor=actor, post_id=post_id)
    return file_infos_by_post([post]).get(post.id, [])


def file_infos_by_post(posts: Iterable[Post]) -> dict[str, list[FileInfo]]:
    """Files of posts the caller has already authorized, keyed by post id, in each
    post's `file_ids` order. One query for the whole list (for the wire format)."""
    wanted = {post.id: post.file_ids for post in posts if post.file_ids}
    if not wanted:
        return {}
    found: dict[str | None, dict[str, FileInfo]] = defaultdict(dict)
    for info in FileInfo.objects.filter(post_id__in=list(wanted), delete_at=0):
        found[info.post_id][info.id] = info
    return {
        post_id: [found[post_id][f] for f in file_ids if f in found[post_id]]
        for post_id, file_ids in wanted.items()
    }
