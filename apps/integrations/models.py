"""Integrations: incoming and outgoing webhooks, custom slash commands and their response URLs."""

from django.conf import settings
from django.db import models

from apps.core.models import SoftDeleteModel, TimestampedModel

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


OUTGOING_CONTENT_JSON = "application/json"
OUTGOING_CONTENT_FORM = "application/x-www-form-urlencoded"
TRIGGER_WHEN_EXACT = 0
TRIGGER_WHEN_PREFIX = 1


class OutgoingWebhook(SoftDeleteModel):
    """Callback URLs told about new posts in a team's public channels.

    A post fires the hook when its first word matches a trigger word (exactly, or as a
    prefix), or, for a hook bound to one channel without trigger words, always. The
    token travels to the callback so it can tell the call came from here; unlike our
    own credentials it has to be stored readable, because it is sent on every call.
    """

    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outgoing_webhooks"
    )
    team = models.ForeignKey(
        "teams.Team", on_delete=models.CASCADE, related_name="outgoing_webhooks"
    )
    channel = models.ForeignKey(
        "chat_channels.Channel",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outgoing_webhooks",
    )
    token = models.CharField(max_length=26)
    trigger_words = models.JSONField(default=list, blank=True)
    trigger_when = models.PositiveSmallIntegerField(default=TRIGGER_WHEN_EXACT)
    callback_urls = models.JSONField(default=list)
    display_name = models.CharField(max_length=HOOK_DISPLAY_NAME_MAX, blank=True, default="")
    description = models.CharField(max_length=HOOK_DESCRIPTION_MAX, blank=True, default="")
    content_type = models.CharField(max_length=64, default=OUTGOING_CONTENT_FORM)
    username = models.CharField(max_length=HOOK_USERNAME_MAX, blank=True, default="")
    icon_url = models.CharField(max_length=HOOK_ICON_URL_MAX, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["team", "delete_at"], name="integ_outhook_team_idx")]

    def __str__(self) -> str:
        return self.display_name or self.id


COMMAND_TRIGGER_MAX = 128
COMMAND_DISPLAY_NAME_MAX = 64
COMMAND_DESCRIPTION_MAX = 128
COMMAND_AUTOCOMPLETE_MAX = 1024
COMMAND_URL_MAX = 1024
COMMAND_METHOD_POST = "P"
COMMAND_METHOD_GET = "G"


class Command(SoftDeleteModel):
    """A team's custom slash command: `/trigger text` is sent to `url`, and its answer
    is posted as a built-in's would be. The token is sent with each call (see
    OutgoingWebhook on why it is stored readable)."""

    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="commands"
    )
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="commands")
    trigger = models.CharField(max_length=COMMAND_TRIGGER_MAX)
    method = models.CharField(max_length=1, default=COMMAND_METHOD_POST)
    url = models.CharField(max_length=COMMAND_URL_MAX)
    token = models.CharField(max_length=26)
    username = models.CharField(max_length=HOOK_USERNAME_MAX, blank=True, default="")
    icon_url = models.CharField(max_length=HOOK_ICON_URL_MAX, blank=True, default="")
    auto_complete = models.BooleanField(default=False)
    auto_complete_desc = models.CharField(
        max_length=COMMAND_AUTOCOMPLETE_MAX, blank=True, default=""
    )
    auto_complete_hint = models.CharField(
        max_length=COMMAND_AUTOCOMPLETE_MAX, blank=True, default=""
    )
    display_name = models.CharField(max_length=COMMAND_DISPLAY_NAME_MAX, blank=True, default="")
    description = models.CharField(max_length=COMMAND_DESCRIPTION_MAX, blank=True, default="")

    class Meta:
        constraints = [
            # One live command per trigger and team; deleted ones keep their rows.
            models.UniqueConstraint(
                fields=["team", "trigger"],
                condition=models.Q(delete_at=0),
                name="integ_command_live_trigger_uniq",
            )
        ]

    def __str__(self) -> str:
        return f"/{self.trigger}"


COMMAND_WEBHOOK_MAX_USES = 5
COMMAND_WEBHOOK_LIFETIME_MS = 30 * 60 * 1000


class CommandWebhook(TimestampedModel):
    """The `response_url` of one run of a custom command (`/hooks/commands/{id}`).

    It lets the integration answer later, a few times, in the place the command ran:
    the same channel and thread, as the same user. The random id is the only secret.
    """

    command = models.ForeignKey(Command, on_delete=models.CASCADE, related_name="webhooks")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="command_webhooks"
    )
    channel = models.ForeignKey(
        "chat_channels.Channel", on_delete=models.CASCADE, related_name="command_webhooks"
    )
    root_id = models.CharField(max_length=26, blank=True, default="")
    use_count = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"response_url of /{self.command.trigger}"
