"""Integrations: incoming webhooks (outgoing webhooks and slash commands come later)."""

from django.conf import settings
from django.db import models

from apps.core.models import SoftDeleteModel

HOOK_DISPLAY_NAME_MAX = 64
HOOK_DESCRIPTION_MAX = 500
HOOK_USERNAME_MAX = 64
HOOK_ICON_URL_MAX = 1024


class IncomingWebhook(SoftDeleteModel):
    """A URL (`/hooks/{id}`) that posts into a channel as its creator.

    The random 26-character id is the only secret the caller needs, so it is never
    guessable (`new_id` draws from `secrets`) and deleting the hook revokes the URL.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="incoming_webhooks"
    )
    channel = models.ForeignKey(
        "chat_channels.Channel", on_delete=models.CASCADE, related_name="incoming_webhooks"
    )
    team = models.ForeignKey(
        "teams.Team", on_delete=models.CASCADE, related_name="incoming_webhooks"
    )
    display_name = models.CharField(max_length=HOOK_DISPLAY_NAME_MAX, blank=True, default="")
    description = models.CharField(max_length=HOOK_DESCRIPTION_MAX, blank=True, default="")
    username = models.CharField(max_length=HOOK_USERNAME_MAX, blank=True, default="")
    icon_url = models.CharField(max_length=HOOK_ICON_URL_MAX, blank=True, default="")
    channel_locked = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["team", "delete_at"], name="integ_inhook_team_idx")]

    def __str__(self) -> str:
        return self.display_name or self.id
