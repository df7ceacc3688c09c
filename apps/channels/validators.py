"""Rules for channel names and text fields."""

import re

from apps.core.errors import InvalidInput

CHANNEL_NAME_RE = re.compile(r"^[a-z0-9]+([a-z0-9\-_]*[a-z0-9]+)?$")
# Names shaped like direct-channel (id__id) or group-channel (sha1 hex) names are reserved.
DIRECT_NAME_RE = re.compile(r"^[a-z0-9]{26}__[a-z0-9]{26}$")
GROUP_NAME_RE = re.compile(r"^[a-f0-9]{40}$")
DISPLAY_NAME_MAX = 64
HEADER_MAX = 1024
PURPOSE_MAX = 250


def clean_channel_name(raw: object) -> str:
    if not isinstance(raw, str):
        raise InvalidInput(
            "Channel name must be text.", error_id="model.channel.is_valid.name.app_error"
        )
    name = raw.strip().lower()
    if not 1 <= len(name) <= 64 or not CHANNEL_NAME_RE.match(name) or "__" in name:
        raise InvalidInput(
            "Channel names are 1-64 lowercase letters, numbers, '-' or '_', "
            "beginning and ending with a letter or number.",
            error_id="model.channel.is_valid.name.app_error",
        )
    if DIRECT_NAME_RE.match(name) or GROUP_NAME_RE.match(name):
        raise InvalidInput(
            "That name is reserved for direct and group messages.",
            error_id="model.channel.is_valid.name.app_error",
        )
    return name


def clean_text(raw: object, *, field: str, limit: int, required: bool = False) -> str:
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raise InvalidInput(f"{field} must be text.")
    value = raw.strip() if field == "Display name" else raw
    if required and not value.strip():
        raise InvalidInput(f"{field} is required.")
    if len(value) > limit:
        raise InvalidInput(f"{field} is longer than {limit} characters.")
    return value
