"""Integrations in Mattermost's wire format."""

from typing import Any

from apps.integrations.models import Command, IncomingWebhook, OutgoingWebhook


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


# Blanked for team members who do not manage the command: they may run it, not see where
# it goes or how it proves itself.
COMMAND_SANITIZED_FIELDS = ("token", "creator_id", "method", "url", "username", "icon_url")


def command_to_wire(command: Command, *, sanitize: bool = False) -> dict[str, Any]:
    wire = {
        "id": command.id,
        "token": command.token,
        "create_at": command.create_at,
        "update_at": command.update_at,
        "delete_at": command.delete_at,
        "creator_id": command.creator_id,
        "team_id": command.team_id,
        "trigger": command.trigger,
        "method": command.method,
        "username": command.username,
        "icon_url": command.icon_url,
        "auto_complete": command.auto_complete,
        "auto_complete_desc": command.auto_complete_desc,
        "auto_complete_hint": command.auto_complete_hint,
        "display_name": command.display_name,
        "description": command.description,
        "url": command.url,
        "plugin_id": "",
    }
    if sanitize:
        wire.update(dict.fromkeys(COMMAND_SANITIZED_FIELDS, ""))
    return wire


def outgoing_webhook_to_wire(hook: OutgoingWebhook) -> dict[str, Any]:
    """Mattermost's OutgoingWebhook; only its managers ever get one, token included."""
    return {
        "id": hook.id,
        "token": hook.token,
        "create_at": hook.create_at,
        "update_at": hook.update_at,
        "delete_at": hook.delete_at,
        "creator_id": hook.creator_id,
        "channel_id": hook.channel_id or "",
        "team_id": hook.team_id,
        "trigger_words": list(hook.trigger_words),
        "trigger_when": hook.trigger_when,
        "callback_urls": list(hook.callback_urls),
        "display_name": hook.display_name,
        "description": hook.description,
        "content_type": hook.content_type,
        "username": hook.username,
        "icon_url": hook.icon_url,
    }
