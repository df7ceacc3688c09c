"""OpenAPI components of the integrations API (incoming webhooks).

These serializers only document the wire shapes for drf-spectacular; the views render
with `apps.integrations.wire` and never run them. The shared components (AppError,
StatusOK, paging) come from `apps.core.api.schema`.
"""

from rest_framework import serializers


class IncomingWebhookSerializer(serializers.Serializer):
    id = serializers.CharField()
    create_at = serializers.IntegerField()
    update_at = serializers.IntegerField()
    delete_at = serializers.IntegerField()
    user_id = serializers.CharField()
    channel_id = serializers.CharField()
    team_id = serializers.CharField()
    display_name = serializers.CharField(max_length=64, allow_blank=True)
    description = serializers.CharField(max_length=500, allow_blank=True)
    username = serializers.CharField(max_length=64, allow_blank=True)
    icon_url = serializers.CharField(max_length=1024, allow_blank=True)
    channel_locked = serializers.BooleanField()
    webhook_schema_translation = serializers.JSONField(allow_null=True)


class IncomingWebhookCreateSerializer(serializers.Serializer):
    channel_id = serializers.CharField()
    display_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    username = serializers.CharField(max_length=64, required=False, allow_blank=True)
    icon_url = serializers.CharField(max_length=1024, required=False, allow_blank=True)
    channel_locked = serializers.BooleanField(required=False)
    user_id = serializers.CharField(
        required=False, help_text="Owner other than the caller (team or system admins only)."
    )


class IncomingWebhookUpdateSerializer(serializers.Serializer):
    id = serializers.CharField(required=False, help_text="Must equal the hook id in the URL.")
    channel_id = serializers.CharField(required=False, allow_blank=True)
    display_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    username = serializers.CharField(max_length=64, required=False, allow_blank=True)
    icon_url = serializers.CharField(max_length=1024, required=False, allow_blank=True)
    channel_locked = serializers.BooleanField(required=False)


class IncomingWebhookRequestSerializer(serializers.Serializer):
    """What an integration posts to `/hooks/{hook_id}`."""

    text = serializers.CharField(required=False, help_text="Required unless attachments.")
    username = serializers.CharField(required=False, allow_blank=True)
    icon_url = serializers.CharField(required=False, allow_blank=True)
    icon_emoji = serializers.CharField(required=False, allow_blank=True)
    channel = serializers.CharField(
        required=False,
        help_text="`@username` (a direct message), `#name` or `name` (a channel of the hook's "
        "team); refused if the hook is locked to another channel.",
    )
    type = serializers.CharField(required=False, allow_blank=True)
    props = serializers.DictField(required=False)
    attachments = serializers.ListField(child=serializers.DictField(), required=False)


class IncomingWebhookFormSerializer(serializers.Serializer):
    payload = serializers.CharField(help_text="The IncomingWebhookRequest as JSON.")


# --- outgoing webhooks ---------------------------------------------------------------------------


class OutgoingWebhookSerializer(serializers.Serializer):
    id = serializers.CharField()
    token = serializers.CharField(help_text="Sent with every call, so the callback can check it.")
    create_at = serializers.IntegerField()
    update_at = serializers.IntegerField()
    delete_at = serializers.IntegerField()
    creator_id = serializers.CharField()
    channel_id = serializers.CharField(
        allow_blank=True, help_text='The one public channel watched; "" for all of the team.'
    )
    team_id = serializers.CharField()
    trigger_words = serializers.ListField(child=serializers.CharField())
    trigger_when = serializers.IntegerField(
        min_value=0, max_value=1, help_text="0: the first word is a trigger; 1: it starts with one."
    )
    callback_urls = serializers.ListField(child=serializers.CharField())
    display_name = serializers.CharField(max_length=64, allow_blank=True)
    description = serializers.CharField(max_length=500, allow_blank=True)
    content_type = serializers.CharField(
        help_text="application/json or application/x-www-form-urlencoded."
    )
    username = serializers.CharField(max_length=64, allow_blank=True)
    icon_url = serializers.CharField(max_length=1024, allow_blank=True)


class OutgoingWebhookCreateSerializer(serializers.Serializer):
    team_id = serializers.CharField()
    channel_id = serializers.CharField(
        required=False, allow_blank=True, help_text="A public channel of the team."
    )
    trigger_words = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Required without channel_id."
    )
    trigger_when = serializers.IntegerField(min_value=0, max_value=1, required=False)
    callback_urls = serializers.ListField(child=serializers.CharField(), min_length=1)
    content_type = serializers.CharField(
        required=False, help_text="Default application/x-www-form-urlencoded."
    )
    display_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    username = serializers.CharField(max_length=64, required=False, allow_blank=True)
    icon_url = serializers.CharField(max_length=1024, required=False, allow_blank=True)


class OutgoingWebhookUpdateSerializer(serializers.Serializer):
    """Absent or null keys keep their value; `channel_id: ""` watches the whole team."""

    id = serializers.CharField(required=False, help_text="Must equal the hook id in the URL.")
    team_id = serializers.CharField(required=False, help_text="Must equal the hook's team.")
    channel_id = serializers.CharField(required=False, allow_blank=True)
    trigger_words = serializers.ListField(child=serializers.CharField(), required=False)
    trigger_when = serializers.IntegerField(min_value=0, max_value=1, required=False)
    callback_urls = serializers.ListField(child=serializers.CharField(), required=False)
    content_type = serializers.CharField(required=False)
    display_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    username = serializers.CharField(max_length=64, required=False, allow_blank=True)
    icon_url = serializers.CharField(max_length=1024, required=False, allow_blank=True)
