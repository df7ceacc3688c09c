"""The cache through a Redis outage: sign-in failure counters keep counting, in the
process's memory, instead of the cache raising (a 500) or waiting on a silent host."""

import socket
import time

import pytest

from apps.core import cache as cache_module
from apps.core.cache import FailSoftRedisCache
from tests.conftest import require_service


def _cache(location: str) -> FailSoftRedisCache:
    return FailSoftRedisCache(location, {"KEY_PREFIX": "confab-test"})


@pytest.fixture
def closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"  # nothing listens there any more


@pytest.fixture
def silent_redis():
    """A host that accepts connections and never answers, like a paused Redis."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    listener.close()


def test_counters_go_on_in_memory_when_redis_refuses(closed_port):
    cache = _cache(closed_port)
    assert cache.add("failures", 1, 60)
    assert cache.incr("failures") == 2
    assert cache.get_many(["failures", "other"]) == {"failures": 2}
    cache.delete("failures")
    assert cache.get("failures") is None


def test_a_silent_redis_costs_one_short_timeout_then_nothing(silent_redis):
    cache = _cache(silent_redis)
    began = time.monotonic()
    cache.set("k", 1, 60)
    first = time.monotonic() - began
    began = time.monotonic()
    for _ in range(20):
        assert cache.get("k") == 1
    rest = time.monotonic() - began
    # Generous bounds: without the timeout, the first call would wait for ever.
    assert first < 5
    assert rest < first


def test_redis_is_tried_again_after_the_quiet_period(closed_port, monkeypatch):
    cache = _cache(closed_port)
    cache.set("k", "local", 60)
    calls = []
    monkeypatch.setattr(
        cache_module.RedisCache, "get", lambda self, *a, **k: calls.append(a) or "redis"
    )
    assert cache.get("k") == "local"  # within the quiet period: memory only
    cache._down_until = 0.0
    assert cache.get("k") == "redis"
    assert calls


def test_with_redis_up_the_counters_are_shared_through_redis():
    url = require_service("REDIS_URL")
    first, second = _cache(url), _cache(url)
    key = f"shared-{time.monotonic_ns()}"
    assert first.add(key, 1, 60)
    assert second.incr(key) == 2
    assert first.get(key) == 2
    first.delete(key)
