"""Slack compatibility for integration payloads: text markup and message attachments."""

import re
from typing import Any

from apps.core.errors import InvalidInput

_LINK_WITH_TEXT = re.compile(r"<([^\n<|>]+)\|([^\n>]+)>")
_ANNOUNCEMENTS = {"<!channel>": "@channel", "<!here>": "@here", "<!everyone>": "@all"}
_ATTACHMENT_TEXT_KEYS = ("pretext", "text", "title", "fallback")
ATTACHMENTS_MAX = 100


def slack_text(text: str) -> str:
    """Slack markup as Mattermost renders it: `<url|label>` becomes a markdown link and
    `<!channel>`, `<!here>`, `<!everyone>` become mentions."""
    for slack, mention in _ANNOUNCEMENTS.items():
        text = text.replace(slack, mention)
    return _LINK_WITH_TEXT.sub(r"[\2](\1)", text)


def _bad_attachments(message: str) -> InvalidInput:
    return InvalidInput(message, error_id="web.incoming_webhook.parse.app_error")


def slack_attachments(raw: object) -> list[dict[str, Any]]:
    """Clean a list of SlackAttachment objects for `props.attachments`.

    Text fields get `slack_text`; field values become strings and `short` a boolean
    (Slack senders write `"true"`), as Mattermost stores them.

    Raises:
        InvalidInput: not a list of objects, or too many.
    """
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(a, dict) for a in raw):
        raise _bad_attachments("attachments must be a list of objects.")
    if len(raw) > ATTACHMENTS_MAX:
        raise _bad_attachments(f"At most {ATTACHMENTS_MAX} attachments per message.")
    cleaned = []
    for attachment in raw:
        item = dict(attachment)
        for key in _ATTACHMENT_TEXT_KEYS:
            if isinstance(item.get(key), str):
                item[key] = slack_text(item[key])
        fields = item.get("fields")
        if fields is not None:
            if not isinstance(fields, list) or not all(isinstance(f, dict) for f in fields):
                raise _bad_attachments("attachment fields must be a list of objects.")
            item["fields"] = [_field(f) for f in fields]
        cleaned.append(item)
    return cleaned


def _field(field: dict[str, Any]) -> dict[str, Any]:
    item = dict(field)
    value = item.get("value")
    if value is None:
        item["value"] = ""
    elif isinstance(value, str):
        item["value"] = slack_text(value)
    elif not isinstance(value, (dict, list)):
        item["value"] = str(value).lower() if isinstance(value, bool) else str(value)
    short = item.get("short")
    if isinstance(short, str):
        item["short"] = short.strip().lower() == "true"
    return item
