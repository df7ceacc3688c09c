"""Writes to files: upload (bounded, streamed to storage), attach to a post, delete with it."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q

from apps.accounts.models import User
from apps.accounts.permissions import check_active
from apps.channels.models import Channel
from apps.channels.permissions import can_post_in_channel, can_read_channel, channel_membership
from apps.core.errors import InvalidInput, NotFound, PermissionDenied
from apps.core.ids import new_id
from apps.core.timeutils import now_ms
from apps.files import storage
from apps.files.errors import PayloadTooLarge
from apps.files.images import read_image_header
from apps.files.models import FileInfo
from apps.files.naming import clean_file_name, file_extension, mime_type_for
from apps.posts.models import Post

FILES_PER_UPLOAD_MAX = 10
DEFAULT_MAX_FILE_SIZE = 100 * 1024 * 1024
DEFAULT_MAX_IMAGE_RESOLUTION = 7680 * 4320  # Mattermost's MaxImageResolution (33 MP)
CLIENT_ID_MAX_LENGTH = 128


def max_file_size() -> int:
    """Bytes allowed per file (`CONFAB_MAX_FILE_SIZE`, Mattermost's 100 MiB by default)."""
    return int(getattr(settings, "CONFAB_MAX_FILE_SIZE", DEFAULT_MAX_FILE_SIZE))


def max_image_resolution() -> int:
    return int(getattr(settings, "CONFAB_MAX_IMAGE_RESOLUTION", DEFAULT_MAX_IMAGE_RESOLUTION))


def too_large_error(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"Files can be at most {limit} bytes.")


@dataclass(frozen=True)
class _Described:
    content: "File[bytes]"  # File is generic only to the type checker
    name: str
    extension: str
    mime_type: str
    width: int
    height: int


def _describe(content: "File[bytes]") -> _Described:
    """Name, type and image size of an upload, from its name and header bytes only."""
    name = clean_file_name(content.name)
    extension = file_extension(name)
    mime_type = mime_type_for(extension)
    width = height = 0
    if mime_type.startswith("image/"):
        header = read_image_header(content)
        if header is not None:
            if header.width * header.height > max_image_resolution():
                raise InvalidInput(
                    f"{name} is {header.width}x{header.height} pixels, too large to process.",
                    error_id="api.file.upload_file.large_image_detailed.app_error",
                )
            # The bytes decide what kind of image it is; the extension only suggested it.
            mime_type, width, height = header.mime_type, header.width, header.height
    return _Described(content, name, extension, mime_type, width, height)


def _clean_client_ids(client_ids: Sequence[object], count: int) -> list[str]:
    if not client_ids:
        return []
    if len(client_ids) != count or not all(
        isinstance(c, str) and len(c) <= CLIENT_ID_MAX_LENGTH for c in client_ids
    ):
        raise InvalidInput(
            "Send one client id (at most 128 characters) per file, or none.",
            error_id="api.file.upload_file.incorrect_number_of_client_ids.app_error",
        )
    return [str(c) for c in client_ids]


@transaction.atomic
def file_upload(
    *,
    actor: User,
    channel: Channel,
    files: Sequence["File[bytes]"],
    client_ids: Sequence[object] = (),
) -> tuple[list[FileInfo], list[str]]:
    """Store uploads for later attachment to a post in `channel`.

    Everything is checked before the first byte is stored: the actor may post in the
    channel, at most 10 files, each within the size limit, images within the resolution
    limit. Bytes are streamed to storage from the uploaded file, never read whole.

    Returns the new file infos and the client ids echoed back.

    Raises:
        NotFound: the actor cannot see the channel.
        PermissionDenied: the actor may read but not post there.
        InvalidInput: no file, too many, a bad client id list or a huge image.
        PayloadTooLarge: a file is over `CONFAB_MAX_FILE_SIZE`.
    """
    check_active(actor)
    membership = channel_membership(user=actor, channel=channel)
    if not can_read_channel(actor, channel, membership):
        raise NotFound("Channel not found.", error_id="app.channel.get.existing.app_error")
    if not can_post_in_channel(actor, channel, membership):
        raise PermissionDenied("You cannot upload files here.")
    if not files:
        raise InvalidInput("No file was sent.", error_id="api.file.upload_file.no_file.app_error")
    if len(files) > FILES_PER_UPLOAD_MAX:
        raise InvalidInput(
            f"At most {FILES_PER_UPLOAD_MAX} files per upload.",
            error_id="api.file.upload_file.too_many_files.app_error",
        )
    echoed_ids = _clean_client_ids(client_ids, len(files))
    limit = max_file_size()
    if any(content.size is None or content.size > limit for content in files):
        raise too_large_error(limit)
    described = [_describe(content) for content in files]

    stored_keys: list[str] = []
    infos: list[FileInfo] = []
    try:
        for item in described:
            now = now_ms()
            file_id = new_id()
            key = storage.storage_key(file_id=file_id, create_at=now)
            info = FileInfo(
                id=file_id,
                user=actor,
                channel=channel,
                name=item.name,
                extension=item.extension,
                size=item.content.size,
                mime_type=item.mime_type,
                width=item.width,
                height=item.height,
                path=key,
                create_at=now,
                update_at=now,
            )
            stored_keys.append(storage.blob_save(key=key, content=item.content))
            info.save(force_insert=True)
            infos.append(info)
    except BaseException:
        # The rows roll back with the transaction; the bytes have to be removed by hand.
        for key in stored_keys:
            storage.blob_delete(key)
        raise
    return infos, echoed_ids


def _attach_error(message: str) -> InvalidInput:
    return InvalidInput(message, error_id="api.post.create_post.file_ids.app_error")


def file_attach_to_post(*, post: Post, file_ids: Sequence[str]) -> list[FileInfo]:
    """Attach uploads to `post`, in `file_ids` order, for `apps.posts.services` only.

    Each file must exist, have been uploaded by the post's author into the post's
    channel, and be unattached (or already on this post). The caller holds the
    transaction, so a refusal leaves neither the post nor any attachment behind.

    Raises:
        InvalidInput: any file breaks one of those rules (nothing is attached then).
    """
    if not file_ids:
        return []
    found = {info.id: info for info in FileInfo.objects.filter(id__in=file_ids, delete_at=0)}
    for file_id in file_ids:
        info = found.get(file_id)
        if info is None or info.user_id != post.user_id:
            raise _attach_error(f"File {file_id} does not exist or was not uploaded by you.")
        if info.channel_id != post.channel_id:
            raise _attach_error(f"File {file_id} was uploaded to another channel.")
        if info.post_id is not None and info.post_id != post.id:
            raise _attach_error(f"File {file_id} is already attached to another message.")
    now = now_ms()
    # Conditional, so two posts racing for one upload cannot both get it.
    attached = FileInfo.objects.filter(
        Q(post__isnull=True) | Q(post_id=post.id),
        id__in=file_ids,
        user_id=post.user_id,
        channel_id=post.channel_id,
        delete_at=0,
    ).update(post_id=post.id, update_at=now)
    if attached != len(found):
        raise _attach_error("A file was attached to another message meanwhile.")
    infos = [found[file_id] for file_id in file_ids]
    for info in infos:
        info.post_id, info.update_at = post.id, now
    return infos


def file_delete_for_post(*, post: Post, at: int) -> int:
    """Soft-delete the files of a deleted post and of its thread's replies.

    For `apps.posts.services` only, inside its transaction. The bytes stay until the
    retention job purges them. Returns how many files were deleted.
    """
    return FileInfo.objects.filter(
        Q(post_id=post.id) | Q(post__root_id=post.id), delete_at=0
    ).update(delete_at=at, update_at=at)
