"""Bearer tokens: random, shown to their owner once, stored only as a SHA-256 hash."""

import hashlib
import hmac

from apps.core.ids import new_id


def new_token() -> str:
    """A 26-character token in Mattermost's id alphabet (128 random bits)."""
    return new_id()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def tokens_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
