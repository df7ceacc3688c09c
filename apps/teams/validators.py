"""Rules for team names."""

import re

from apps.core.errors import InvalidInput

TEAM_NAME_RE = re.compile(r"^[a-z0-9]+([a-z0-9\-]*[a-z0-9]+)?$")
RESERVED_TEAM_NAMES = (
    "admin",
    "api",
    "channel",
    "claim",
    "error",
    "files",
    "help",
    "landing",
    "login",
    "mfa",
    "oauth",
    "plug",
    "plugins",
    "post",
    "signup",
    "boards",
    "playbooks",
    "static",
    "hooks",
)


def clean_team_name(raw: object) -> str:
    if not isinstance(raw, str):
        raise InvalidInput("Team name must be text.", error_id="model.team.is_valid.name.app_error")
    name = raw.strip().lower()
    if not 2 <= len(name) <= 64 or not TEAM_NAME_RE.match(name):
        raise InvalidInput(
            "Team names are 2-64 lowercase letters, numbers or '-', "
            "beginning and ending with a letter or number.",
            error_id="model.team.is_valid.name.app_error",
        )
    if any(name.startswith(word) for word in RESERVED_TEAM_NAMES):
        raise InvalidInput(
            "That team name begins with a reserved word.",
            error_id="model.team.is_valid.reserved.app_error",
        )
    return name
