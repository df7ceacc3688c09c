"""Request rate limits as token buckets (SECURITY 6), kept in Redis or in the process.

Each key (a user, or an address) may make `burst` requests at once and then `per_second`
more every second. The bucket is stored as the generic cell rate algorithm does it: one
number per key, the time at which the bucket would be full again, so a check is a single
atomic step — a Lua script in Redis, shared by every server process, or a locked
dictionary in the embedded single-process mode.
"""

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger(__name__)

KEY_PREFIX = "confab:ratelimit:"
MEMORY_KEYS_MAX = 100_000
STORE_RETRY_SECONDS = 30

# KEYS[1]: the bucket; ARGV: now, emission interval, burst capacity (all in microseconds).
# Returns 0 when allowed, or the microseconds to wait.
_GCRA_LUA = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local capacity = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
if tat < now then tat = now end
local new_tat = tat + interval
local over = new_tat - now - capacity
if over > 0 then return over end
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil((new_tat - now) / 1000) + 1)
return 0
"""


@dataclass(frozen=True)
class Rate:
    per_second: float
    burst: int

    @property
    def interval_us(self) -> int:
        return max(1, round(1_000_000 / self.per_second))

    @property
    def capacity_us(self) -> int:
        return self.interval_us * self.burst


def _gcra(tat: int, now: int, rate: Rate) -> tuple[int | None, int]:
    """(new stored time or None when refused, microseconds to wait)."""
    new_tat = max(tat, now) + rate.interval_us
    over = new_tat - now - rate.capacity_us
    return (None, over) if over > 0 else (new_tat, 0)


class MemoryBuckets:
    """Buckets of this process only: right for the embedded mode, which runs one server."""

    def __init__(self) -> None:
        self._tats: dict[str, int] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, rate: Rate, now_us: int) -> int:
        with self._lock:
            new_tat, wait = _gcra(self._tats.get(key, now_us), now_us, rate)
            if new_tat is not None:
                if len(self._tats) >= MEMORY_KEYS_MAX:
                    # Full buckets carry no information; drop them before growing.
                    self._tats = {k: t for k, t in self._tats.items() if t > now_us}
                self._tats[key] = new_tat
            return wait


class RedisBuckets:
    """Buckets shared by every process through Redis."""

    def __init__(self, url: str) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._script = self._client.register_script(_GCRA_LUA)

    def hit(self, key: str, rate: Rate, now_us: int) -> int:
        return int(
            self._script(keys=[KEY_PREFIX + key], args=[now_us, rate.interval_us, rate.capacity_us])
        )


_buckets: MemoryBuckets | RedisBuckets | None = None
_buckets_url: str | None = None
_buckets_lock = threading.Lock()


def _store() -> MemoryBuckets | RedisBuckets:
    global _buckets, _buckets_url
    url = settings.CONFAB_RATE_LIMIT_REDIS_URL
    with _buckets_lock:
        if _buckets is None or url != _buckets_url:
            _buckets = RedisBuckets(url) if url else MemoryBuckets()
            _buckets_url = url
        return _buckets


def api_rate() -> Rate:
    return Rate(
        per_second=settings.CONFAB_RATE_LIMIT_PER_SECOND, burst=settings.CONFAB_RATE_LIMIT_BURST
    )


_fallback = MemoryBuckets()
_store_down_until = 0.0


def rate_limit_hit(key: str, rate: Rate) -> float:
    """Count one request for `key`; 0 when allowed, else the seconds until one would be.

    When Redis cannot be reached the limits go on in this process's memory for
    `STORE_RETRY_SECONDS` before Redis is tried again: an outage of the limiter must
    neither take the API down nor slow every request by a connect timeout (SECURITY 23).
    """
    global _store_down_until
    now_us = time.time_ns() // 1000
    if time.monotonic() < _store_down_until:
        return _fallback.hit(key, rate, now_us) / 1_000_000
    try:
        wait_us = _store().hit(key, rate, now_us)
    except Exception as error:
        _store_down_until = time.monotonic() + STORE_RETRY_SECONDS
        logger.warning(
            "Rate limit store unavailable (%s); limiting in this process for %s s.",
            error,
            STORE_RETRY_SECONDS,
        )
        wait_us = _fallback.hit(key, rate, now_us)
    return wait_us / 1_000_000
