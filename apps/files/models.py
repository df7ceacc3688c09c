"""Uploaded files: metadata here, bytes in the storage backend under `path`."""

from django.conf import settings
from django.db import models

from apps.core.models import SoftDeleteModel


class FileInfo(SoftDeleteModel):
    """One uploaded file. Unattached (`post` = None) until a post lists it in `file_ids`.

    `path` is the storage key. It is built from ids only, never from the uploader's file
    name, and it never leaves the server.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The uploader.",
    )
    channel = models.ForeignKey("chat_channels.Channel", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(
        "posts.Post", on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    name = models.CharField(max_length=255)
    extension = models.CharField(max_length=64, blank=True, default="")
    size = models.BigIntegerField(default=0)
    mime_type = models.CharField(max_length=255, blank=True, default="")
    width = models.IntegerField(default=0)
    height = models.IntegerField(default=0)
    path = models.CharField(max_length=512, unique=True)

    class Meta:
        indexes = [
            models.Index(fields=["post", "create_at"], name="files_post_create"),
            models.Index(fields=["user", "create_at"], name="files_user_create"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"

    @property
    def is_image(self) -> bool:
        return self.mime_type.startswith("image/")
