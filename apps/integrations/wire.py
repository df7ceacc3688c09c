"""Integrations in Mattermost's wire format."""

from typing import Any

from apps.integrations.models import IncomingWebhook


def incoming_webhook_to_wire(hook: IncomingWebhook) -> dict[str, Any]:
    return {
        "id": hook.id,
        "create_at": hook.create_at,
        "update_at": hook.update_at,
        "delete_at": hook.delete_at,
        "user_id": hook.user_id,
        "channel_id": hook.channel_id,
        "team_id": hook.team_id,
        "display_name": hook.display_name,
        "description": hook.description,
        "username": hook.username,
        "icon_url": hook.icon_url,
        "channel_locked": hook.channel_locked,
        "webhook_schema_translation": None,
    }
