"""Django's Redis cache, soft when Redis is away.

The cache holds short-lived counters (sign-in and password failures). Django's RedisCache
raises on every call while Redis is unreachable, and without timeouts it waits on a
paused host for ever: sign-in would answer 500 or hang through an outage. This backend
gives Redis half a second, and when it fails keeps counting in this process's memory for
`RETRY_SECONDS` before trying Redis again (the rate limiter's policy, SECURITY 23): limits
hold per process during an outage instead of failing open or taking sign-in down.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

RETRY_SECONDS = 10.0
SOCKET_TIMEOUT_SECONDS = 0.5


class FailSoftRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = params.setdefault("OPTIONS", {})
        options.setdefault("socket_timeout", SOCKET_TIMEOUT_SECONDS)
        options.setdefault("socket_connect_timeout", SOCKET_TIMEOUT_SECONDS)
        super().__init__(server, params)
        self._local = LocMemCache(f"fail-soft-{id(self)}", {"TIMEOUT": params.get("TIMEOUT")})
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _either(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() < self._down_until:
            return getattr(self._local, name)(*args, **kwargs)
        try:
            return getattr(super(), name)(*args, **kwargs)
        except Exception as error:  # redis-py's errors, and OSError under them
            with self._lock:
                self._down_until = time.monotonic() + RETRY_SECONDS
            logger.warning(
                "Cache unavailable (%s); counting in this process for %s s.", error, RETRY_SECONDS
            )
            return getattr(self._local, name)(*args, **kwargs)


def _soft(name: str) -> Callable[..., Any]:
    def method(self: FailSoftRedisCache, *args: Any, **kwargs: Any) -> Any:
        return self._either(name, *args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"RedisCache.{name}, or this process's memory while Redis is away."
    return method


for _name in (
    "add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many",
    "delete_many", "clear",
):  # fmt: skip
    setattr(FailSoftRedisCache, _name, _soft(_name))
