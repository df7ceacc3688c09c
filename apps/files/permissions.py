"""File access: the uploader always; anyone else only through the post the file is on.

A file attached to a post is readable by whoever may read that post's channel *now*;
an unattached file is private to its uploader. Missing and hidden files give the same
NotFound, so file ids cannot be probed.
"""

from apps.accounts.models import User
from apps.accounts.permissions import check_active
from apps.channels.permissions import can_read_channel, channel_membership
from apps.core.errors import NotFound
from apps.core.ids import is_valid_id
from apps.files.models import FileInfo


def _file_not_found() -> NotFound:
    return NotFound("File not found.", error_id="app.file_info.get.app_error")


def can_read_file(actor: User, info: FileInfo) -> bool:
    if not actor.is_active or info.delete_at:
        return False
    if info.user_id == actor.id:
        return True
    post = info.post
    if post is None or post.delete_at:
        return False
    channel = post.channel
    return can_read_channel(actor, channel, channel_membership(user=actor, channel=channel))


def access_file(*, actor: User, file_id: str) -> FileInfo:
    """Fetch a file the actor may read, checked against current channel membership."""
    check_active(actor)
    info = (
        FileInfo.objects.select_related("post__channel").filter(id=file_id).first()
        if is_valid_id(file_id)
        else None
    )
    if info is None or not can_read_file(actor, info):
        raise _file_not_found()
    return info
