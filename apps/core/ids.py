"""Mattermost-compatible identifiers: 26 lowercase characters of a base32 alphabet."""

import base64
import secrets

_STANDARD = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_MATTERMOST = "ybndrfg8ejkmcpqxot1uwisza345h769"
_TO_MATTERMOST = str.maketrans(_STANDARD, _MATTERMOST)

ID_LENGTH = 26


def new_id() -> str:
    """Return a new random id: 16 random bytes, base32 in Mattermost's alphabet."""
    return (
        base64.b32encode(secrets.token_bytes(16))
        .decode("ascii")
        .rstrip("=")
        .translate(_TO_MATTERMOST)
    )


def is_valid_id(value: object) -> bool:
    """Mattermost's looser input check: exactly 26 letters or digits."""
    return isinstance(value, str) and len(value) == ID_LENGTH and value.isalnum()
